// SPDX-License-Identifier: GPL-2.0
/*
 * The Spectre sanitation of unprivileged programs (verifier_unpriv.c
 * records it, verifier_sanitize.c writes it): each program here is loaded
 * into Linux by uid 65534 without capabilities, and root reads back the
 * instructions Linux runs (BPF_OBJ_GET_INFO_BY_FD's xlated_prog_insns,
 * which the unprivileged loader itself may not see).  bpf64 verifies the
 * same program through BPF_PROG_LOAD without privileges: the two must
 * agree instruction for instruction (map references compare by kind and
 * offset), and both masked programs must still return what the program
 * computes, bpf64's interpreted and JITed.
 *
 * The programs use no helper and no context field, so that Linux rewrites
 * nothing else; their map value comes from a direct value address.
 *
 * Then bpf()'s own privilege checks (bpf64_priv_*): which program types,
 * map types and commands an unprivileged caller is refused, as Linux
 * refuses them (-EPERM) to a child without privileges.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/disasm.h>
#include <linux/bpf64/jit.h>
#include <linux/bpf64/map.h>
#include <linux/bpf64/patch.h>
#include <linux/bpf64/prog.h>
#include <linux/bpf64/verifier.h>

#include "backend_util.h"
#include "bpf64/raw.h"
#include "insn_build.h"
#include "test_util.h"
#include "verifier/macros.h"
#include "verifier/unpriv_run.h"

#define MAX_INSNS	32
#define MAX_XLATED	256
#define LOG_SIZE	65536

struct stest {
	const char *name;
	struct bpf_insn insns[MAX_INSNS];
	__u32 retval;
};

/* r0 = &value[0] of the case's array map (16 bytes, zeroed) */
#define VALUE_R0	BPF64_LD_MAP_VALUE(R0, 0, 0)
/* r1 = value[0] & 7, a number in [0, 7] the verifier cannot know */
#define BOUNDED_R1							\
	BPF64_LDX_MEM(BPF_B, R1, R0, 0),				\
	BPF64_ALU64_IMM(BPF_AND, R1, 7)
/* value[0] = 5, value[5] = 42: r1 will be 5 */
#define FILL_VALUE							\
	BPF64_ST_MEM(BPF_B, R0, 0, 5),					\
	BPF64_ST_MEM(BPF_B, R0, 5, 42)

static const struct stest tests[] = {
	{ "fp plus a known register", {
		BPF64_MOV64_IMM(R0, -8), BPF64_MOV64_REG(R1, R10),
		BPF64_ALU64_REG(BPF_ADD, R1, R0),
		BPF64_ST_MEM(BPF_DW, R1, 0, 5),
		BPF64_LDX_MEM(BPF_DW, R0, R10, -8), BPF64_EXIT_INSN() }, 5 },
	{ "a known register plus fp", {
		BPF64_MOV64_IMM(R1, -16), BPF64_ALU64_REG(BPF_ADD, R1, R10),
		BPF64_ST_MEM(BPF_DW, R1, 0, 6),
		BPF64_LDX_MEM(BPF_DW, R0, R10, -16), BPF64_EXIT_INSN() }, 6 },
	{ "a map value plus a bounded number", {
		VALUE_R0, FILL_VALUE, BOUNDED_R1,
		BPF64_ALU64_REG(BPF_ADD, R0, R1),
		BPF64_LDX_MEM(BPF_B, R0, R0, 0), BPF64_EXIT_INSN() }, 42 },
	{ "a bounded number plus a map value", {
		VALUE_R0, FILL_VALUE, BOUNDED_R1,
		BPF64_ALU64_REG(BPF_ADD, R1, R0),
		BPF64_LDX_MEM(BPF_B, R0, R1, 0), BPF64_EXIT_INSN() }, 42 },
	{ "a map value plus a known negative register", {
		VALUE_R0, BPF64_ALU64_IMM(BPF_ADD, R0, 8),
		BPF64_MOV64_IMM(R1, -4), BPF64_ALU64_REG(BPF_ADD, R0, R1),
		BPF64_LDX_MEM(BPF_B, R0, R0, 0),
		BPF64_ALU64_IMM(BPF_ADD, R0, 2), BPF64_EXIT_INSN() }, 2 },
	{ "a known negative register plus a map value", {
		VALUE_R0, BPF64_ALU64_IMM(BPF_ADD, R0, 8),
		BPF64_MOV64_IMM(R1, -4), BPF64_ALU64_REG(BPF_ADD, R1, R0),
		BPF64_LDX_MEM(BPF_B, R0, R1, 0),
		BPF64_ALU64_IMM(BPF_ADD, R0, 3), BPF64_EXIT_INSN() }, 3 },
	{ "a map value minus a known register", {
		VALUE_R0, BPF64_ALU64_IMM(BPF_ADD, R0, 8),
		BPF64_MOV64_IMM(R1, 4), BPF64_ALU64_REG(BPF_SUB, R0, R1),
		BPF64_LDX_MEM(BPF_B, R0, R0, 0),
		BPF64_ALU64_IMM(BPF_ADD, R0, 4), BPF64_EXIT_INSN() }, 4 },
	{ "stack stores over a pointer and fresh slots", {
		BPF64_STX_MEM(BPF_DW, R10, R1, -8),
		BPF64_ST_MEM(BPF_DW, R10, -16, 0),
		BPF64_ST_MEM(BPF_DW, R10, -16, 1),
		BPF64_MOV64_IMM(R2, 2),
		BPF64_STX_MEM(BPF_DW, R10, R2, -8),
		BPF64_LDX_MEM(BPF_DW, R0, R10, -16),
		BPF64_LDX_MEM(BPF_DW, R2, R10, -8),
		BPF64_ALU64_REG(BPF_ADD, R0, R2), BPF64_EXIT_INSN() }, 3 },
	{ "an unsafe read behind a branch never taken", {
		BPF64_MOV64_IMM(R0, 0), BPF64_JMP_IMM(BPF_JEQ, R0, 0, 1),
		BPF64_LDX_MEM(BPF_DW, R0, R10, -8), BPF64_EXIT_INSN() }, 0 },
	{ "a map value plus a number, then a read past it", {
		VALUE_R0, BOUNDED_R1, BPF64_ALU64_REG(BPF_ADD, R0, R1),
		BPF64_LDX_MEM(BPF_B, R0, R0, 8),
		BPF64_EXIT_INSN() }, 0 },
	{ "a jump that compares a pointer only when mispredicted", {
		BPF64_MOV64_IMM(R0, 0), BPF64_MOV64_REG(R2, R10),
		BPF64_JMP_IMM(BPF_JNE, R0, 0, 1),
		BPF64_MOV64_IMM(R2, 1),
		BPF64_JMP_IMM(BPF_JEQ, R2, 5, 1),
		BPF64_MOV64_IMM(R0, 1), BPF64_EXIT_INSN() }, 1 },
	{ "code behind a branch never taken", {
		BPF64_MOV64_IMM(R0, 4), BPF64_JMP_IMM(BPF_JEQ, R0, 4, 3),
		BPF64_MOV64_IMM(R0, 1), BPF64_LD_IMM64(R0, 7),
		BPF64_EXIT_INSN() }, 4 },
};

static char log_buf[LOG_SIZE];

static __u32 prog_len(const struct stest *t)
{
	__u32 n = MAX_INSNS;

	while (n && !t->insns[n - 1].code && !t->insns[n - 2].code)
		n--;
	while (n && !t->insns[n - 1].code)
		n--;
	return n;
}

static int make_map(const struct bpf64_backend *be)
{
	return bpf64_map_create(be, BPF_MAP_TYPE_ARRAY, "vmap", 4, 16, 1, 0);
}

/* The case's instructions with its map's fd in the LD_IMM64s. */
static void with_map(const struct stest *t, struct bpf_insn *insns,
		     __u32 len, int fd)
{
	memcpy(insns, t->insns, len * sizeof(*insns));
	for (__u32 i = 0; i < len; i++)
		if (bpf64_is_ldimm64(&insns[i]) && insns[i].src_reg)
			insns[i].imm = fd;
}

/*
 * Linux: a child without privileges loads the program, runs it, and
 * passes the program's id; root reads the xlated instructions by id
 * while the child holds the program.  Their number, or -errno.
 */
struct child_report {
	int err;		/* load or run error */
	__u32 id, retval;
};

static int child_load(const struct stest *t, struct child_report *r)
{
	struct bpf_insn insns[MAX_INSNS];
	__u32 len = prog_len(t), info_len;
	struct bpf64_load_opts opts = {
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER, .name = "unpriv",
		.log_buf = log_buf, .log_size = sizeof(log_buf),
		.log_level = 1,
	};
	unsigned char pkt[64] = { };
	struct bpf64_test_opts run = {
		.data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1,
	};
	struct bpf_prog_info info = { };
	int map, fd;

	if (unpriv_drop(&bpf64_backend_linux))
		return -EPERM;
	map = make_map(&bpf64_backend_linux);
	if (map < 0)
		return map;
	with_map(t, insns, len, map);
	fd = bpf64_prog_load(&bpf64_backend_linux, insns, len, &opts);
	if (fd < 0) {
		tu_diag("linux's log: %s", log_buf);
		return fd;
	}
	info_len = sizeof(info);
	r->err = bpf64_obj_get_info(&bpf64_backend_linux, fd, &info,
				    &info_len);
	r->id = info.id;
	if (!r->err)
		r->err = bpf64_prog_test_run(&bpf64_backend_linux, fd, &run);
	r->retval = run.retval;
	return r->err;
}

static int linux_xlated(const struct stest *t, struct bpf_insn *out,
			__u32 *retval)
{
	int up[2], down[2], fd, err;
	struct child_report r = { };
	struct bpf_prog_info info = { };
	union bpf_attr attr = { };
	__u32 info_len = sizeof(info);
	pid_t pid;
	char c = 0;

	if (pipe(up) || pipe(down))
		return -errno;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		r.err = child_load(t, &r);
		if (write(up[1], &r, sizeof(r)) != sizeof(r) ||
		    read(down[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	if (pid < 0 || read(up[0], &r, sizeof(r)) != sizeof(r))
		r.err = -EIO;
	if (!r.err) {
		attr.prog_id = r.id;
		fd = bpf64_backend_linux.sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr,
						  sizeof(attr));
		r.err = fd < 0 ? -errno : 0;
	}
	if (!r.err) {
		info.xlated_prog_len = MAX_XLATED * sizeof(*out);
		info.xlated_prog_insns = (__u64)(unsigned long)out;
		r.err = bpf64_obj_get_info(&bpf64_backend_linux, fd, &info,
					   &info_len);
		bpf64_backend_linux.close(fd);
	}
	err = write(down[1], &c, 1) == 1 ? 0 : -EIO;
	if (pid > 0)
		waitpid(pid, NULL, 0);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	*retval = r.retval;
	if (r.err)
		return r.err;
	return err ? err : (int)(info.xlated_prog_len / sizeof(*out));
}

/*
 * bpf64: the program loaded by BPF_PROG_LOAD without privileges, its
 * instructions read back with them (as root reads Linux's), and run both
 * interpreted and JITed: both must return @t->retval.  The number of
 * instructions, or -errno.
 */
static int bpf64_sanitized(const struct stest *t, struct bpf_insn **out,
			   __u32 *retval)
{
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	struct bpf64_load_opts opts = {
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER, .name = "unpriv",
		.log_buf = log_buf, .log_size = sizeof(log_buf),
		.log_level = 1,
	};
	unsigned char pkt[64] = { };
	struct bpf64_test_opts run = {
		.data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1,
	};
	struct bpf_insn insns[MAX_INSNS];
	struct bpf_prog_info info = { };
	__u32 len = prog_len(t), info_len = sizeof(info), jit_ret = 0;
	int map, fd[2] = { -1, -1 }, err = 0, jit;

	*out = bpf64_zalloc_array(MAX_XLATED, sizeof(**out));
	map = make_map(be);
	if (!*out || map < 0)
		return map < 0 ? map : -ENOMEM;
	with_map(t, insns, len, map);
	for (jit = 0; jit < 2 && !err; jit++) {
		bpf64_jit_enable = jit;
		bpf64_set_privileged(false);
		fd[jit] = bpf64_prog_load(be, insns, len, &opts);
		bpf64_set_privileged(true);
		err = fd[jit] < 0 ? fd[jit] : 0;
		if (!err)
			err = bpf64_prog_test_run(be, fd[jit], &run);
		*(jit ? &jit_ret : retval) = run.retval;
	}
	bpf64_jit_enable = 1;
	if (!err && jit_ret != *retval) {
		tu_diag("%s: interpreted %u, JITed %u", t->name, *retval,
			jit_ret);
		err = -EINVAL;
	}
	if (!err) {
		info.xlated_prog_len = MAX_XLATED * sizeof(**out);
		info.xlated_prog_insns = (__u64)(unsigned long)*out;
		err = bpf64_obj_get_info(be, fd[0], &info, &info_len);
	}
	for (jit = 0; jit < 2; jit++)
		if (fd[jit] >= 0)
			be->close(fd[jit]);
	be->close(map);
	return err ? err : (int)(info.xlated_prog_len / sizeof(**out));
}

/* Equal, but for the address or id an LD_IMM64 of a map carries. */
static bool same_insn(const struct bpf_insn *a, const struct bpf_insn *b,
		      bool map_ref)
{
	return a->code == b->code && a->dst_reg == b->dst_reg &&
	       a->src_reg == b->src_reg && a->off == b->off &&
	       (map_ref || a->imm == b->imm);
}

static void print_insn(const char *who, const struct bpf_insn *insns,
		       __u32 len, __u32 i)
{
	char buf[128];

	bpf64_disasm_insn(insns, len, i, BPF64_DISASM_KERNEL, buf,
			  sizeof(buf));
	tu_diag("%s %u: %s", who, i, buf);
}

static bool compare(const struct bpf_insn *lx, __u32 llen,
		    const struct bpf_insn *bx, __u32 blen, char *why,
		    size_t why_size)
{
	bool map_ref = false;

	for (__u32 i = 0; i < llen && i < blen; i++) {
		map_ref = map_ref ? false :
			  bpf64_is_ldimm64(&lx[i]) && lx[i].src_reg;
		if (same_insn(&lx[i], &bx[i], map_ref ||
			      (i && bpf64_is_ldimm64(&lx[i - 1]) &&
			       lx[i - 1].src_reg)))
			continue;
		snprintf(why, why_size, "insn %u differs", i);
		print_insn("linux", lx, llen, i);
		print_insn("bpf64", bx, blen, i);
		return false;
	}
	if (llen == blen)
		return true;
	snprintf(why, why_size, "linux has %u insns, bpf64 %u", llen, blen);
	return false;
}

/* Does Linux's program hold a sanitation (AX, a barrier, a trap)? */
static bool has_sanitation(const struct bpf_insn *x, __u32 len)
{
	for (__u32 i = 0; i < len; i++)
		if (x[i].dst_reg == BPF64_REG_AX ||
		    x[i].src_reg == BPF64_REG_AX ||
		    x[i].code == (BPF_ST | BPF64_NOSPEC) ||
		    (x[i].code == (BPF_JMP | BPF_JA) && x[i].off == -1))
			return true;
	return false;
}

static void run_test(const struct stest *t, bool linux_ok)
{
	struct bpf_insn lx[MAX_XLATED], *bx = NULL;
	int llen, blen;
	__u32 retval = 0, bretval = 0;
	char why[96] = "";
	bool ok;

	blen = bpf64_sanitized(t, &bx, &bretval);
	TU_CHECK(blen > 0 && bretval == t->retval,
		 "%s: bpf64's masked program returns %u (%u, %d)", t->name,
		 t->retval, bretval, blen);
	if (!linux_ok) {
		tu_skip("linux: %s # SKIP cannot set %s to 0", t->name,
			UNPRIV_SYSCTL);
		bpf64_free(bx);
		return;
	}
	llen = linux_xlated(t, lx, &retval);
	if (llen < 0 || blen < 0) {
		tu_result(0, "%s: linux %d, bpf64 %d", t->name, llen, blen);
		tu_diag("%s", log_buf);
	} else {
		ok = has_sanitation(lx, llen);
		if (!ok)
			snprintf(why, sizeof(why), "linux sanitized nothing");
		ok = ok && compare(lx, llen, bx, blen, why, sizeof(why));
		tu_result(ok, "%s: bpf64 masks as linux does", t->name);
		if (!ok)
			tu_diag("%s", why);
		TU_CHECK(retval == t->retval, "%s: linux's masked program returns %u (%u)",
			 t->name, t->retval, retval);
	}
	bpf64_free(bx);
}

/* ---- bpf()'s privilege checks ---- */

#define NR_PROG_TYPES	32
#define NR_MAP_TYPES	(BPF_MAP_TYPE_INODE_STORAGE + 1)

static const int sys_admin_cmds[] = {
	BPF_PROG_GET_NEXT_ID, BPF_MAP_GET_NEXT_ID, BPF_BTF_GET_NEXT_ID,
	BPF_LINK_GET_NEXT_ID, BPF_PROG_GET_FD_BY_ID, BPF_MAP_GET_FD_BY_ID,
	BPF_BTF_GET_FD_BY_ID, BPF_LINK_GET_FD_BY_ID, BPF_TASK_FD_QUERY,
	BPF_ENABLE_STATS,
};

/* What Linux refused an unprivileged child with -EPERM. */
struct refused {
	bool prog[NR_PROG_TYPES], map[NR_MAP_TYPES];
	bool cmd[ARRAY_SIZE(sys_admin_cmds)];
};

static long linux_bpf(int cmd, union bpf_attr *attr)
{
	long ret = bpf64_backend_linux.sys_bpf(cmd, attr, sizeof(*attr));

	return ret < 0 ? -errno : ret;
}

static void child_refusals(struct refused *r)
{
	static const struct bpf_insn ret0[] = {
		BPF64_MOV64_IMM(R0, 0), BPF64_EXIT_INSN(),
	};
	union bpf_attr attr;
	long ret;

	for (int t = 1; t < NR_PROG_TYPES; t++) {
		memset(&attr, 0, sizeof(attr));
		attr.prog_type = t;
		attr.insns = (unsigned long)ret0;
		attr.insn_cnt = ARRAY_SIZE(ret0);
		attr.license = (unsigned long)"GPL";
		ret = linux_bpf(BPF_PROG_LOAD, &attr);
		r->prog[t] = ret == -EPERM;
		if (ret >= 0)
			close(ret);
	}
	for (int t = 1; t < NR_MAP_TYPES; t++) {
		memset(&attr, 0, sizeof(attr));
		attr.map_type = t;
		attr.key_size = t == BPF_MAP_TYPE_QUEUE ||
				t == BPF_MAP_TYPE_STACK ? 0 : 4;
		attr.value_size = 8;
		attr.max_entries = 1;
		ret = linux_bpf(BPF_MAP_CREATE, &attr);
		r->map[t] = ret == -EPERM;
		if (ret >= 0)
			close(ret);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sys_admin_cmds); i++) {
		memset(&attr, 0, sizeof(attr));
		attr.prog_id = 1;
		r->cmd[i] = linux_bpf(sys_admin_cmds[i], &attr) == -EPERM;
	}
}

static int linux_refusals(struct refused *r)
{
	int fds[2], status = 0;
	pid_t pid;

	if (pipe(fds))
		return -errno;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		if (!unpriv_drop(&bpf64_backend_linux))
			child_refusals(r);
		_exit(write(fds[1], r, sizeof(*r)) != sizeof(*r));
	}
	if (pid < 0 || read(fds[0], r, sizeof(*r)) != sizeof(*r))
		status = -EIO;
	if (pid > 0)
		waitpid(pid, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	return status;
}

/* Linux wants BTF for these before it looks at privileges. */
static bool needs_btf(int map_type)
{
	return map_type == BPF_MAP_TYPE_SK_STORAGE ||
	       map_type == BPF_MAP_TYPE_STRUCT_OPS ||
	       map_type == BPF_MAP_TYPE_INODE_STORAGE;
}

static void check_refusals(bool linux_ok)
{
	struct refused r = { };
	int bad = 0, err;

	if (!linux_ok) {
		tu_skip("privilege checks # SKIP cannot set %s to 0",
			UNPRIV_SYSCTL);
		return;
	}
	err = linux_refusals(&r);
	bpf64_set_privileged(false);
	for (int t = 1; !err && t < NR_PROG_TYPES; t++) {
		if (r.prog[t] == !!bpf64_priv_prog_load(t, 2))
			continue;
		tu_diag("prog type %d: linux %s", t, r.prog[t] ? "refuses" : "allows");
		bad++;
	}
	for (int t = 1; !err && t < NR_MAP_TYPES; t++) {
		if (r.map[t] == !!bpf64_priv_map_create(t) || needs_btf(t))
			continue;
		tu_diag("map type %d: linux %s", t, r.map[t] ? "refuses" : "allows");
		bad++;
	}
	for (size_t i = 0; !err && i < ARRAY_SIZE(sys_admin_cmds); i++) {
		if (r.cmd[i] && bpf64_priv_cmd(sys_admin_cmds[i]) == -EPERM)
			continue;
		tu_diag("command %d: linux %s", sys_admin_cmds[i],
			r.cmd[i] ? "refuses" : "allows");
		bad++;
	}
	bad += bpf64_priv_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, 4097) !=
	       -E2BIG;
	bpf64_set_privileged(true);
	bad += bpf64_priv_prog_load(BPF_PROG_TYPE_XDP, 4097) ||
	       bpf64_priv_map_create(BPF_MAP_TYPE_LPM_TRIE) ||
	       bpf64_priv_cmd(BPF_PROG_GET_FD_BY_ID);
	tu_result(!err && !bad,
		  "bpf(): %d prog types, %d map types, %zu commands refused as linux does (%d)",
		  NR_PROG_TYPES - 1, NR_MAP_TYPES - 4,
		  ARRAY_SIZE(sys_admin_cmds), err);
}

int main(void)
{
	char why[128];
	bool linux_ok = bpf64_linux_available(why, sizeof(why)) &&
			!geteuid() && unpriv_sysctl_open();

	for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
		run_test(&tests[i], linux_ok);
	check_refusals(linux_ok);
	unpriv_restore();
	return tu_exit();
}
