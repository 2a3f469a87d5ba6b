// SPDX-License-Identifier: GPL-2.0
/*
 * The bpf() command interface: attr size rules, fds and references, pins,
 * ids, object info and BPF_PROG_LOAD's refusals.  Every check runs against
 * bpf64 and against the running kernel, which must agree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include "backend_util.h"
#include "insn_build.h"

#ifndef ENOTSUPP
#define ENOTSUPP	524	/* Linux's, not in userspace's errno.h */
#endif
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static __u64 u64p(const void *p)
{
	return (__u64)(unsigned long)p;
}

static int array_map(const struct bpf64_backend *be, __u32 flags)
{
	return bpf64_map_create(be, BPF_MAP_TYPE_ARRAY, "t_array", 4, 8, 4,
				flags);
}

static void test_attr_size(void)
{
	const struct bpf64_backend *be;
	unsigned char big[sizeof(union bpf_attr) + 64];
	union bpf_attr *attr = (union bpf_attr *)big;
	long fd;

	for_each_backend(be) {
		memset(big, 0, sizeof(big));
		attr->map_type = BPF_MAP_TYPE_ARRAY;
		attr->key_size = 4;
		attr->value_size = 8;
		attr->max_entries = 1;
		fd = be->sys_bpf(BPF_MAP_CREATE, attr, sizeof(big));
		TU_CHECK(fd >= 0, "%s: a longer attr with a zero tail is accepted (%ld)",
			 be->name, fd);
		if (fd >= 0)
			be->close(fd);
		big[sizeof(big) - 1] = 1;
		fd = be->sys_bpf(BPF_MAP_CREATE, attr, sizeof(big));
		TU_CHECK(fd == -E2BIG, "%s: a non-zero tail past the attr is -E2BIG (%ld)",
			 be->name, fd);
		if (fd >= 0)
			be->close(fd);
		/* A shorter attr is zero-extended: key/value sizes cut off. */
		big[sizeof(big) - 1] = 0;
		fd = be->sys_bpf(BPF_MAP_CREATE, attr, 4);
		TU_CHECK(fd == -EINVAL, "%s: a 4-byte attr leaves sizes zero: -EINVAL (%ld)",
			 be->name, fd);
		if (fd >= 0)
			be->close(fd);
	}
}

static void test_check_attr(void)
{
	const struct bpf64_backend *be;
	union bpf_attr attr;
	long err;
	int fd;

	for_each_backend(be) {
		fd = array_map(be, 0);
		TU_CHECK(fd >= 0, "%s: array map created (%d)", be->name, fd);
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = fd;
		attr.key = 1;		/* past MAP_FREEZE's last field */
		err = be->sys_bpf(BPF_MAP_FREEZE, &attr, sizeof(attr));
		TU_CHECK(err == -EINVAL, "%s: a field past the command's last is -EINVAL (%ld)",
			 be->name, err);
		memset(&attr, 0, sizeof(attr));
		err = be->sys_bpf(9999, &attr, sizeof(attr));
		TU_CHECK(err == -EINVAL, "%s: unknown command -EINVAL (%ld)",
			 be->name, err);
		be->close(fd);
	}
}

static void test_map_create_errors(void)
{
	const struct bpf64_backend *be;
	int fd;

	for_each_backend(be) {
		fd = bpf64_map_create(be, 9999, NULL, 4, 8, 1, 0);
		TU_CHECK(fd == -EINVAL, "%s: unknown map type -EINVAL (%d)",
			 be->name, fd);
		fd = bpf64_map_create(be, BPF_MAP_TYPE_ARRAY, "bad-name", 4, 8, 1, 0);
		TU_CHECK(fd == -EINVAL, "%s: a '-' in the name is -EINVAL (%d)",
			 be->name, fd);
		fd = bpf64_map_create(be, BPF_MAP_TYPE_ARRAY, NULL, 4, 8, 1,
				      BPF_F_RDONLY | BPF_F_WRONLY);
		TU_CHECK(fd == -EINVAL, "%s: RDONLY and WRONLY together -EINVAL (%d)",
			 be->name, fd);
	}
}

static void test_fds(void)
{
	const struct bpf64_backend *be;
	__u32 key = 0;
	__u64 val = 7;
	int map, prog, err;
	struct bpf_insn insns[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
	};
	struct bpf64_load_opts opts = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER };

	for_each_backend(be) {
		map = array_map(be, 0);
		prog = bpf64_prog_load(be, insns, 2, &opts);
		TU_CHECK(map >= 0 && prog >= 0, "%s: a map and a program (%d, %d)",
			 be->name, map, prog);
		err = bpf64_map_update(be, 100000, &key, &val, 0);
		TU_CHECK(err == -EBADF, "%s: no such fd -EBADF (%d)", be->name, err);
		err = bpf64_map_update(be, prog, &key, &val, 0);
		TU_CHECK(err == -EINVAL, "%s: a program fd as a map -EINVAL (%d)",
			 be->name, err);
		err = bpf64_map_update(be, map, NULL, &val, 0);
		TU_CHECK(err == -EFAULT, "%s: NULL key -EFAULT (%d)", be->name, err);
		be->close(prog);
		be->close(map);
		err = be->close(map);
		TU_CHECK(err == -EBADF, "%s: closing twice -EBADF (%d)", be->name, err);
	}
}

static void test_access_modes(void)
{
	const struct bpf64_backend *be;
	__u32 key = 1;
	__u64 val = 5, out = 0;
	int fd, err;

	for_each_backend(be) {
		fd = array_map(be, BPF_F_RDONLY);
		err = bpf64_map_update(be, fd, &key, &val, 0);
		TU_CHECK(err == -EPERM, "%s: update through a BPF_F_RDONLY fd -EPERM (%d)",
			 be->name, err);
		be->close(fd);
		fd = array_map(be, BPF_F_WRONLY);
		err = bpf64_map_lookup(be, fd, &key, &out, 0);
		TU_CHECK(err == -EPERM, "%s: lookup through a BPF_F_WRONLY fd -EPERM (%d)",
			 be->name, err);
		be->close(fd);
		fd = bpf64_map_create(be, BPF_MAP_TYPE_HASH, "t_hash", 4, 8, 4,
				      BPF_F_WRONLY);
		err = bpf64_map_lookup_and_delete(be, fd, &key, &out, 0);
		TU_CHECK(err == -EPERM, "%s: lookup_and_delete needs a readable fd too (%d)",
			 be->name, err);
		be->close(fd);
		fd = array_map(be, 0);
		err = bpf64_map_lookup_and_delete(be, fd, &key, &out, 0);
		TU_CHECK(err == -ENOTSUPP, "%s: lookup_and_delete of an array -ENOTSUPP (%d)",
			 be->name, err);
		err = bpf64_map_lookup_and_delete(be, fd, &key, &out, BPF_F_LOCK);
		TU_CHECK(err == -EINVAL, "%s: ... but BPF_F_LOCK without a lock is -EINVAL first (%d)",
			 be->name, err);
		be->close(fd);

		fd = array_map(be, 0);
		bpf64_map_update(be, fd, &key, &val, 0);
		err = bpf64_map_freeze(be, fd);
		TU_CHECK(!err, "%s: freeze (%d)", be->name, err);
		err = bpf64_map_freeze(be, fd);
		TU_CHECK(err == -EPERM, "%s: freeze twice -EPERM: a frozen map is not writable (%d)",
			 be->name, err);
		err = bpf64_map_update(be, fd, &key, &val, 0);
		TU_CHECK(err == -EPERM, "%s: update of a frozen map -EPERM (%d)",
			 be->name, err);
		err = bpf64_map_lookup(be, fd, &key, &out, 0);
		TU_CHECK(!err && out == 5, "%s: a frozen map still reads (%d, %llu)",
			 be->name, err, (unsigned long long)out);
		err = bpf64_map_lookup(be, fd, &key, &out, BPF_F_LOCK << 1);
		TU_CHECK(err == -EINVAL, "%s: unknown lookup flags -EINVAL (%d)",
			 be->name, err);
		be->close(fd);
	}
}

/* Linux pins only on a bpffs: mount one at /sys/fs/bpf if none is there. */
static bool bpffs_mounted(void)
{
	struct statfs st;

	if (!statfs("/sys/fs/bpf", &st) && st.f_type == BPF_FS_MAGIC)
		return true;
	return !mount("bpffs", "/sys/fs/bpf", "bpf", 0, NULL);
}

static void test_pins(void)
{
	const struct bpf64_backend *be;
	char path[128];
	__u32 key = 2;
	__u64 val = 42, out = 0;
	int fd, fd2, err;

	snprintf(path, sizeof(path), "/sys/fs/bpf/bpf64_test_%d", getpid());
	for_each_backend(be) {
		if (be == &bpf64_backend_linux && !bpffs_mounted()) {
			tu_skip("# SKIP linux: no bpffs at /sys/fs/bpf and mounting one failed");
			continue;
		}
		fd = array_map(be, 0);
		bpf64_map_update(be, fd, &key, &val, 0);
		err = bpf64_obj_pin(be, fd, path);
		TU_CHECK(!err, "%s: pin (%d)", be->name, err);
		err = bpf64_obj_pin(be, fd, path);
		TU_CHECK(err == -EEXIST, "%s: pin twice -EEXIST (%d)", be->name, err);
		err = bpf64_obj_pin(be, fd, "/tmp/bpf64_not_bpffs");
		TU_CHECK(err == -EPERM, "%s: pin outside a bpffs -EPERM (%d)",
			 be->name, err);
		be->close(fd);
		fd2 = bpf64_obj_get(be, path, 0);
		TU_CHECK(fd2 >= 0, "%s: the pin keeps the map after its fd closed (%d)",
			 be->name, fd2);
		err = bpf64_map_lookup(be, fd2, &key, &out, 0);
		TU_CHECK(!err && out == 42, "%s: the same map through the pin (%d, %llu)",
			 be->name, err, (unsigned long long)out);
		fd = bpf64_obj_get(be, path, BPF_F_RDONLY);
		err = bpf64_map_update(be, fd, &key, &val, 0);
		TU_CHECK(err == -EPERM, "%s: OBJ_GET with BPF_F_RDONLY gives a read-only fd (%d)",
			 be->name, err);
		be->close(fd);
		err = be->unpin(path);
		TU_CHECK(!err, "%s: unpin (%d)", be->name, err);
		fd = bpf64_obj_get(be, path, 0);
		TU_CHECK(fd == -ENOENT, "%s: get of a missing path -ENOENT (%d)",
			 be->name, fd);
		be->close(fd2);
	}
}

static int map_info(const struct bpf64_backend *be, int fd,
		    struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf64_obj_get_info(be, fd, info, &len);
}

static void test_ids(void)
{
	const struct bpf64_backend *be;
	struct bpf_map_info info;
	unsigned char big[4096];	/* past any kernel's bpf_map_info */
	union bpf_attr attr;
	__u32 id, next, len;
	int fd, fd2, err;
	bool found;

	for_each_backend(be) {
		fd = bpf64_map_create(be, BPF_MAP_TYPE_ARRAY, "t_ids", 4, 16, 3, 0);
		err = map_info(be, fd, &info);
		TU_CHECK(!err && info.type == BPF_MAP_TYPE_ARRAY &&
			 info.key_size == 4 && info.value_size == 16 &&
			 info.max_entries == 3 && !strcmp(info.name, "t_ids"),
			 "%s: map info (%d: type %u sizes %u/%u max %u name %s)",
			 be->name, err, info.type, info.key_size,
			 info.value_size, info.max_entries, info.name);
		id = info.id;
		found = false;
		for (next = 0;;) {
			memset(&attr, 0, sizeof(attr));
			attr.start_id = next;
			if (be->sys_bpf(BPF_MAP_GET_NEXT_ID, &attr, sizeof(attr)))
				break;
			next = attr.next_id;
			found |= next == id;
		}
		TU_CHECK(found, "%s: MAP_GET_NEXT_ID walks to the map's id %u",
			 be->name, id);
		memset(&attr, 0, sizeof(attr));
		attr.map_id = id;
		fd2 = be->sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr, sizeof(attr));
		err = map_info(be, fd2, &info);
		TU_CHECK(fd2 >= 0 && !err && info.id == id,
			 "%s: MAP_GET_FD_BY_ID gives the same map (%d)", be->name, fd2);
		be->close(fd2);

		memset(big, 0, sizeof(big));
		big[sizeof(big) - 1] = 1;
		len = sizeof(big);
		err = bpf64_obj_get_info(be, fd, big, &len);
		TU_CHECK(err == -E2BIG, "%s: info_len past ours with a non-zero tail -E2BIG (%d)",
			 be->name, err);
		big[sizeof(big) - 1] = 0;
		len = sizeof(big);
		err = bpf64_obj_get_info(be, fd, big, &len);
		TU_CHECK(!err && len >= sizeof(info) && len < sizeof(big),
			 "%s: a longer zeroed info is cut to what is known (%d, %u)",
			 be->name, err, len);

		be->close(fd);
		memset(&attr, 0, sizeof(attr));
		attr.map_id = id;
		fd2 = be->sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr, sizeof(attr));
		TU_CHECK(fd2 == -ENOENT, "%s: the id is gone with the last reference (%d)",
			 be->name, fd2);
	}
}

static void test_prog_load_errors(void)
{
	const struct bpf64_backend *be;
	struct bpf_insn ret0[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
	};
	struct bpf_insn bad_map[] = {
		BPF64_LD_MAP_FD(BPF_REG_1, 12345),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
	};
	struct bpf_insn store_bytes[] = {
		BPF64_MOV64_IMM(BPF_REG_2, 0),
		BPF64_MOV64_REG(BPF_REG_3, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_3, -8),
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -8, 0),
		BPF64_MOV64_IMM(BPF_REG_4, 1),
		BPF64_MOV64_IMM(BPF_REG_5, 0),
		BPF64_CALL_HELPER(BPF_FUNC_skb_store_bytes),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
	};
	struct bpf_insn probe_read[] = {
		BPF64_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_1, -8),
		BPF64_MOV64_IMM(BPF_REG_2, 8),
		BPF64_MOV64_IMM(BPF_REG_3, 0),
		BPF64_CALL_HELPER(BPF_FUNC_probe_read_kernel),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
	};
	struct bpf64_load_opts opts = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER };
	char log[4096], tiny[8];
	int fd;

	for_each_backend(be) {
		opts.log_buf = NULL;
		opts.log_size = 0;
		fd = bpf64_prog_load(be, ret0, 0, &opts);
		TU_CHECK(fd == -E2BIG, "%s: insn_cnt 0 is -E2BIG (%d)", be->name, fd);
		opts.prog_type = 9999;
		fd = bpf64_prog_load(be, ret0, 2, &opts);
		TU_CHECK(fd == -EINVAL, "%s: unknown program type -EINVAL (%d)",
			 be->name, fd);
		opts.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;

		opts.log_buf = log;
		opts.log_size = sizeof(log);
		fd = bpf64_prog_load(be, bad_map, ARRAY_SIZE(bad_map), &opts);
		TU_CHECK(fd == -EBADF && strstr(log, "fd 12345 is not pointing to valid bpf_map"),
			 "%s: a bad map fd is -EBADF, named in the log (%d)",
			 be->name, fd);
		fd = bpf64_prog_load(be, store_bytes, ARRAY_SIZE(store_bytes), &opts);
		TU_CHECK(fd == -EINVAL &&
			 strstr(log, "program of this type cannot use helper bpf_skb_store_bytes#9"),
			 "%s: a helper the type lacks is refused by name (%d)",
			 be->name, fd);
		opts.prog_type = BPF_PROG_TYPE_KPROBE;
		opts.license = "Proprietary";
		fd = bpf64_prog_load(be, probe_read, ARRAY_SIZE(probe_read), &opts);
		TU_CHECK(fd == -EINVAL &&
			 strstr(log, "cannot call GPL-restricted function from non-GPL compatible program"),
			 "%s: a GPL-only helper from a non-GPL program (%d)",
			 be->name, fd);
		opts.license = NULL;
		opts.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;

		opts.log_buf = tiny;
		opts.log_size = sizeof(tiny);
		fd = bpf64_prog_load(be, store_bytes, ARRAY_SIZE(store_bytes), &opts);
		TU_CHECK(fd == -EINVAL || fd == -ENOSPC,
			 "%s: a log too small for the error (%d)", be->name, fd);

		{
			union bpf_attr attr;

			memset(&attr, 0, sizeof(attr));
			attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
			attr.insns = u64p(ret0);
			attr.insn_cnt = 2;
			attr.license = u64p("GPL");
			attr.log_level = 1;	/* without a buffer: fine */
			fd = be->sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
			TU_CHECK(fd >= 0, "%s: log_level without log_buf loads (%d)",
				 be->name, fd);
			if (fd >= 0)
				be->close(fd);
			attr.log_level = 0;	/* a buffer without a level */
			attr.log_buf = u64p(log);
			attr.log_size = sizeof(log);
			fd = be->sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
			TU_CHECK(fd == -EINVAL, "%s: log_buf without log_level -EINVAL (%d)",
				 be->name, fd);
			if (fd >= 0)
				be->close(fd);
		}
	}
}

/*
 * The native code of "r0 = 1234; exit": both JITs load the constant with
 * "mov eax, imm32" (b8 d2 04 00 00), and the copy has the length the info
 * gave.
 */
/*
 * The log is the caller's whole buffer however long it gets (bpf64 grows
 * its own as messages come), and one byte short of what a load writes is
 * -ENOSPC with the buffer full.
 */
static void test_long_log(void)
{
	enum { N = 300, CUT = 5000 };
	static struct bpf_insn insns[N + 2];
	static char log[1 << 17];
	struct bpf64_load_opts opts = {
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
		.log_buf = log, .log_size = sizeof(log), .log_level = 2,
	};
	const struct bpf64_backend *be;
	size_t len;
	int fd, i;

	insns[0] = (struct bpf_insn)BPF64_MOV64_IMM(BPF_REG_0, 0);
	for (i = 1; i <= N; i++)
		insns[i] = (struct bpf_insn)BPF64_ALU64_IMM(BPF_ADD, BPF_REG_0, i);
	insns[N + 1] = (struct bpf_insn)BPF64_EXIT_INSN();
	for_each_backend(be) {
		memset(log, 0, sizeof(log));
		opts.log_size = sizeof(log);
		fd = bpf64_prog_load(be, insns, N + 2, &opts);
		len = strlen(log);
		TU_CHECK(fd >= 0 && len > 3 * 4096 &&
			 strstr(log, "processed 302 insns"),
			 "%s: a level-2 log of %zu bytes comes back whole (%d)",
			 be->name, len, fd);
		if (fd >= 0)
			be->close(fd);
		memset(log, 'x', sizeof(log));
		opts.log_size = CUT;
		fd = bpf64_prog_load(be, insns, N + 2, &opts);
		TU_CHECK(fd == -ENOSPC && strnlen(log, CUT) == CUT - 1 &&
			 log[CUT] == 'x',
			 "%s: a %u-byte log of a longer one is full and -ENOSPC (%d, %zu)",
			 be->name, CUT, fd, strnlen(log, CUT));
	}
}

static void check_jited_info(const struct bpf64_backend *be, int fd,
			     __u32 jited_len)
{
	static const __u8 mov_eax[] = { 0xb8, 0xd2, 0x04, 0x00, 0x00 };
	struct bpf_prog_info info;
	__u8 code[4096];
	__u32 len = sizeof(info), i;
	bool found = false;
	int err;

	memset(code, 0xcc, sizeof(code));
	memset(&info, 0, sizeof(info));
	info.jited_prog_len = sizeof(code);
	info.jited_prog_insns = (__u64)(unsigned long)code;
	err = bpf64_obj_get_info(be, fd, &info, &len);
	for (i = 0; !err && i + sizeof(mov_eax) <= info.jited_prog_len &&
		    i + sizeof(mov_eax) <= sizeof(code); i++)
		found |= !memcmp(code + i, mov_eax, sizeof(mov_eax));
	TU_CHECK(!err && jited_len && info.jited_prog_len == jited_len &&
		 jited_len < sizeof(code) && found,
		 "%s: the JITed code, %u bytes, loads 1234 into eax (%d)",
		 be->name, jited_len, err);
}

static void test_prog_run(void)
{
	const struct bpf64_backend *be;
	struct bpf_insn insns[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 1234),
		BPF64_EXIT_INSN(),
	};
	struct bpf64_load_opts opts = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
					.name = "t_ret" };
	unsigned char pkt[64] = { [12] = 0x08 };
	struct bpf_prog_info info;
	__u32 len;
	int fd, err;

	for_each_backend(be) {
		struct bpf64_test_opts t = { .data_in = pkt,
					     .data_size_in = sizeof(pkt),
					     .repeat = 3 };

		fd = bpf64_prog_load(be, insns, 2, &opts);
		err = bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(fd >= 0 && !err && t.retval == 1234,
			 "%s: test run returns r0 (%d %d %u)", be->name, fd, err,
			 t.retval);
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		err = bpf64_obj_get_info(be, fd, &info, &len);
		TU_CHECK(!err && info.type == BPF_PROG_TYPE_SOCKET_FILTER &&
			 !strcmp(info.name, "t_ret") &&
			 info.xlated_prog_len == sizeof(insns),
			 "%s: program info (%d: type %u name %s xlated %u)",
			 be->name, err, info.type, info.name,
			 info.xlated_prog_len);
		check_jited_info(be, fd, info.jited_prog_len);
		be->close(fd);
	}
}

/*
 * A program that counts its runs and tail-calls itself through its own
 * PROG_ARRAY: 1 + 33 runs (Linux's limit), and closing the fds breaks the
 * program <-> array cycle (the leak checker of the sanitizer build sees it
 * otherwise).
 */
/* The tag is Linux's: SHA-1 of the instructions with map fds zeroed. */
static void test_prog_tag(void)
{
	const struct bpf64_backend *be;
	__u8 tags[2][BPF_TAG_SIZE];
	int n = 0, map, fd, err;

	for_each_backend(be) {
		struct bpf64_load_opts opts = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER };
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		map = array_map(be, 0);
		{
			struct bpf_insn insns[] = {
				BPF64_ST_MEM(BPF_W, BPF_REG_10, -4, 0),
				BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),
				BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
				BPF64_LD_MAP_FD(BPF_REG_1, map),
				BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
				BPF64_MOV64_IMM(BPF_REG_0, 0x1234),
				BPF64_EXIT_INSN(),
			};

			fd = bpf64_prog_load(be, insns, ARRAY_SIZE(insns), &opts);
		}
		memset(&info, 0, sizeof(info));
		err = bpf64_obj_get_info(be, fd, &info, &len);
		TU_CHECK(fd >= 0 && !err, "%s: a program with a map, and its info (%d %d)",
			 be->name, fd, err);
		memcpy(tags[n++], info.tag, BPF_TAG_SIZE);
		be->close(fd);
		be->close(map);
	}
	if (n == 2)
		TU_CHECK(!memcmp(tags[0], tags[1], BPF_TAG_SIZE),
			 "the tag is the same in bpf64 and in Linux (%02x%02x%02x%02x...)",
			 tags[0][0], tags[0][1], tags[0][2], tags[0][3]);
}

static void test_tail_call_limit(void)
{
	const struct bpf64_backend *be;
	unsigned char pkt[64] = { [12] = 0x08 };
	__u32 key = 0;
	__u64 count;
	int err, prog, jmp, cnt;

	for_each_backend(be) {
		struct bpf64_load_opts opts = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER };
		struct bpf64_test_opts t = { .data_in = pkt,
					     .data_size_in = sizeof(pkt) };

		jmp = bpf64_map_create(be, BPF_MAP_TYPE_PROG_ARRAY, "t_jmp", 4, 4, 1, 0);
		cnt = bpf64_map_create(be, BPF_MAP_TYPE_ARRAY, "t_cnt", 4, 8, 1, 0);
		{
			struct bpf_insn insns[] = {
				BPF64_MOV64_REG(BPF_REG_6, BPF_REG_1),
				BPF64_ST_MEM(BPF_W, BPF_REG_10, -4, 0),
				BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),
				BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
				BPF64_LD_MAP_FD(BPF_REG_1, cnt),
				BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
				BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),
				BPF64_MOV64_IMM(BPF_REG_1, 1),
				BPF64_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_0, BPF_REG_1, 0),
				BPF64_MOV64_REG(BPF_REG_1, BPF_REG_6),
				BPF64_LD_MAP_FD(BPF_REG_2, jmp),
				BPF64_MOV64_IMM(BPF_REG_3, 0),
				BPF64_CALL_HELPER(BPF_FUNC_tail_call),
				BPF64_MOV64_IMM(BPF_REG_0, 7),
				BPF64_EXIT_INSN(),
			};

			prog = bpf64_prog_load(be, insns, ARRAY_SIZE(insns), &opts);
		}
		err = bpf64_map_update(be, jmp, &key, &prog, BPF_ANY);
		TU_CHECK(jmp >= 0 && cnt >= 0 && prog >= 0 && !err,
			 "%s: a program in its own prog array (%d %d %d %d)",
			 be->name, jmp, cnt, prog, err);
		err = bpf64_prog_test_run(be, prog, &t);
		count = 0;
		bpf64_map_lookup(be, cnt, &key, &count, 0);
		TU_CHECK(!err && t.retval == 7 && count == 34,
			 "%s: one run and 33 tail calls, then the fall-through (%d %u %llu)",
			 be->name, err, t.retval, (unsigned long long)count);
		be->close(prog);
		be->close(jmp);
		be->close(cnt);
	}
}

int main(void)
{
	test_attr_size();
	test_check_attr();
	test_map_create_errors();
	test_fds();
	test_access_modes();
	test_pins();
	test_ids();
	test_prog_load_errors();
	test_prog_run();
	test_tail_call_limit();
	test_prog_tag();
	test_long_log();
	return tu_exit();
}
