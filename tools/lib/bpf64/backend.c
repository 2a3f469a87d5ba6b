// SPDX-License-Identifier: GPL-2.0
/*
 * The two backends of bpf(2), and libbpf-like wrappers over either.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <linux/bpf64/syscall.h>

#include "bpf64/backend.h"
#include "bpf64/linux_bpf.h"

static __u64 ptr_to_u64(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* ---- bpf64, in process ---- */

static long hosted_sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	return bpf64_sys_bpf(cmd, attr, size);
}

static int hosted_ringbuf_consume(int map_fd, bpf64_sample_fn fn, void *ctx)
{
	return bpf64_ringbuf_consume_fd(map_fd, fn, ctx);
}

const struct bpf64_backend bpf64_backend_hosted = {
	.name = "bpf64",
	.sys_bpf = hosted_sys_bpf,
	.close = bpf64_close,
	.unpin = bpf64_unpin,
	.ringbuf_consume = hosted_ringbuf_consume,
};

/* ---- Linux ---- */

static long linux_sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	long ret = syscall(__NR_bpf, cmd, attr, size);

	return ret < 0 ? -errno : ret;
}

static int linux_close(int fd)
{
	return close(fd) ? -errno : 0;
}

static int linux_unpin(const char *path)
{
	return unlink(path) ? -errno : 0;
}

/*
 * Linux's ring buffer, mapped as libbpf maps it: the consumer position page
 * writable, then the producer page and the data pages (mapped twice in a
 * row by the kernel, so a record never wraps) read-only.
 */
#define RINGBUF_HDR_SZ		8
#define RINGBUF_BUSY		(1U << 31)
#define RINGBUF_DISCARD		(1U << 30)

static int linux_ringbuf_consume(int map_fd, bpf64_sample_fn fn, void *ctx)
{
	struct bpf_map_info info = { };
	__u32 len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	unsigned long *cons, *prod, pos, end;
	union bpf_attr attr = { };
	void *prod_map;
	__u8 *data;
	int n = 0, err;

	attr.info.bpf_fd = map_fd;
	attr.info.info_len = len;
	attr.info.info = ptr_to_u64(&info);
	err = linux_sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr));
	if (err)
		return err;
	if (info.type != BPF_MAP_TYPE_RINGBUF)
		return -EINVAL;
	cons = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (cons == MAP_FAILED)
		return -errno;
	prod_map = mmap(NULL, page + 2 * (size_t)info.max_entries, PROT_READ,
			MAP_SHARED, map_fd, page);
	if (prod_map == MAP_FAILED) {
		err = -errno;
		munmap(cons, page);
		return err;
	}
	prod = prod_map;
	data = (__u8 *)prod_map + page;
	pos = __atomic_load_n(cons, __ATOMIC_ACQUIRE);
	end = __atomic_load_n(prod, __ATOMIC_ACQUIRE);
	while (pos < end) {
		__u32 hdr = __atomic_load_n((__u32 *)(data + (pos & (info.max_entries - 1))),
					    __ATOMIC_ACQUIRE);
		__u32 size = hdr & ~(RINGBUF_BUSY | RINGBUF_DISCARD);

		if (hdr & RINGBUF_BUSY)
			break;
		if (!(hdr & RINGBUF_DISCARD)) {
			err = fn(ctx, data + (pos & (info.max_entries - 1)) +
				 RINGBUF_HDR_SZ, size);
			n++;
		}
		pos += (size + RINGBUF_HDR_SZ + 7) & ~7UL;
		__atomic_store_n(cons, pos, __ATOMIC_RELEASE);
		if (err)
			break;
	}
	munmap(prod_map, page + 2 * (size_t)info.max_entries);
	munmap(cons, page);
	return err ? err : n;
}

const struct bpf64_backend bpf64_backend_linux = {
	.name = "linux",
	.sys_bpf = linux_sys_bpf,
	.close = linux_close,
	.unpin = linux_unpin,
	.ringbuf_consume = linux_ringbuf_consume,
};

bool bpf64_linux_available(char *why, size_t why_size)
{
	int err = linux_bpf_probe();

	if (err && why_size)
		snprintf(why, why_size, "the kernel's bpf() is not available: %s",
			 strerror(-err));
	return !err;
}

/* ---- wrappers ---- */

static long sys(const struct bpf64_backend *be, int cmd, union bpf_attr *attr)
{
	return be->sys_bpf(cmd, attr, sizeof(*attr));
}

int bpf64_map_create_inner(const struct bpf64_backend *be, __u32 type,
			   const char *name, __u32 key_size, __u32 value_size,
			   __u32 max_entries, __u32 flags, int inner_map_fd)
{
	union bpf_attr attr = { };

	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = flags;
	attr.inner_map_fd = inner_map_fd;
	if (name)
		strncpy(attr.map_name, name, sizeof(attr.map_name) - 1);
	return sys(be, BPF_MAP_CREATE, &attr);
}

int bpf64_map_create(const struct bpf64_backend *be, __u32 type,
		     const char *name, __u32 key_size, __u32 value_size,
		     __u32 max_entries, __u32 flags)
{
	return bpf64_map_create_inner(be, type, name, key_size, value_size,
				      max_entries, flags, 0);
}

static int map_elem(const struct bpf64_backend *be, int cmd, int fd,
		    const void *key, const void *value, __u64 flags)
{
	union bpf_attr attr = { };

	attr.map_fd = fd;
	attr.key = ptr_to_u64(key);
	attr.value = ptr_to_u64(value);
	attr.flags = flags;
	return sys(be, cmd, &attr);
}

int bpf64_map_lookup(const struct bpf64_backend *be, int fd, const void *key,
		     void *value, __u64 flags)
{
	return map_elem(be, BPF_MAP_LOOKUP_ELEM, fd, key, value, flags);
}

int bpf64_map_update(const struct bpf64_backend *be, int fd, const void *key,
		     const void *value, __u64 flags)
{
	return map_elem(be, BPF_MAP_UPDATE_ELEM, fd, key, value, flags);
}

int bpf64_map_delete(const struct bpf64_backend *be, int fd, const void *key)
{
	return map_elem(be, BPF_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

int bpf64_map_lookup_and_delete(const struct bpf64_backend *be, int fd,
				const void *key, void *value, __u64 flags)
{
	return map_elem(be, BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value,
			flags);
}

int bpf64_map_get_next_key(const struct bpf64_backend *be, int fd,
			   const void *key, void *next_key)
{
	union bpf_attr attr = { };

	attr.map_fd = fd;
	attr.key = ptr_to_u64(key);
	attr.next_key = ptr_to_u64(next_key);
	return sys(be, BPF_MAP_GET_NEXT_KEY, &attr);
}

int bpf64_map_freeze(const struct bpf64_backend *be, int fd)
{
	union bpf_attr attr = { };

	attr.map_fd = fd;
	return sys(be, BPF_MAP_FREEZE, &attr);
}

int bpf64_prog_load(const struct bpf64_backend *be,
		    const struct bpf_insn *insns, __u32 insn_cnt,
		    const struct bpf64_load_opts *opts)
{
	union bpf_attr attr = { };

	attr.prog_type = opts->prog_type;
	attr.expected_attach_type = opts->expected_attach_type;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = insn_cnt;
	attr.license = ptr_to_u64(opts->license ? opts->license : "GPL");
	attr.prog_flags = opts->prog_flags;
	if (opts->name)
		strncpy(attr.prog_name, opts->name, sizeof(attr.prog_name) - 1);
	if (opts->log_buf && opts->log_size) {
		attr.log_buf = ptr_to_u64(opts->log_buf);
		attr.log_size = opts->log_size;
		attr.log_level = opts->log_level ? opts->log_level : 1;
		opts->log_buf[0] = 0;
	}
	return sys(be, BPF_PROG_LOAD, &attr);
}

int bpf64_prog_test_run(const struct bpf64_backend *be, int prog_fd,
			struct bpf64_test_opts *o)
{
	union bpf_attr attr = { };
	int err;

	attr.test.prog_fd = prog_fd;
	attr.test.data_in = ptr_to_u64(o->data_in);
	attr.test.data_size_in = o->data_size_in;
	attr.test.data_out = ptr_to_u64(o->data_out);
	attr.test.data_size_out = o->data_size_out;
	attr.test.ctx_in = ptr_to_u64(o->ctx_in);
	attr.test.ctx_size_in = o->ctx_size_in;
	attr.test.ctx_out = ptr_to_u64(o->ctx_out);
	attr.test.ctx_size_out = o->ctx_size_out;
	attr.test.repeat = o->repeat;
	attr.test.flags = o->flags;
	err = sys(be, BPF_PROG_TEST_RUN, &attr);
	o->retval = attr.test.retval;
	o->duration = attr.test.duration;
	o->data_size_out = attr.test.data_size_out;
	o->ctx_size_out = attr.test.ctx_size_out;
	return err;
}

int bpf64_obj_pin(const struct bpf64_backend *be, int fd, const char *path)
{
	union bpf_attr attr = { };

	attr.bpf_fd = fd;
	attr.pathname = ptr_to_u64(path);
	return sys(be, BPF_OBJ_PIN, &attr);
}

int bpf64_obj_get(const struct bpf64_backend *be, const char *path,
		  __u32 file_flags)
{
	union bpf_attr attr = { };

	attr.pathname = ptr_to_u64(path);
	attr.file_flags = file_flags;
	return sys(be, BPF_OBJ_GET, &attr);
}

int bpf64_obj_get_info(const struct bpf64_backend *be, int fd, void *info,
		       __u32 *info_len)
{
	union bpf_attr attr = { };
	int err;

	attr.info.bpf_fd = fd;
	attr.info.info_len = *info_len;
	attr.info.info = ptr_to_u64(info);
	err = sys(be, BPF_OBJ_GET_INFO_BY_FD, &attr);
	*info_len = attr.info.info_len;
	return err;
}
