/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backends: one interface to two implementations of bpf(2).
 *
 *  - bpf64_backend_hosted: bpf64's own, in process (bpf64_sys_bpf);
 *  - bpf64_backend_linux: the running kernel's bpf(2), the oracle.
 *
 * Loaders, the command line and the tests speak only this interface, so the
 * same object, map test or program run goes to either, and a test that
 * states Linux's behaviour runs against both.  Every call returns what
 * bpf(2) returns, with errors as -errno.
 */
#ifndef _TOOLS_LIB_BPF64_BACKEND_H
#define _TOOLS_LIB_BPF64_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>

typedef int (*bpf64_sample_fn)(void *ctx, void *data, __u32 size);

struct bpf64_backend {
	const char *name;		/* "bpf64" or "linux" */
	long (*sys_bpf)(int cmd, union bpf_attr *attr, unsigned int size);
	int (*close)(int fd);
	int (*unpin)(const char *path);
	/* Consume a RINGBUF map's submitted records in order: the count. */
	int (*ringbuf_consume)(int map_fd, bpf64_sample_fn fn, void *ctx);
};

extern const struct bpf64_backend bpf64_backend_hosted;
extern const struct bpf64_backend bpf64_backend_linux;

/* Can the Linux backend load programs here (root, bpf() not disabled)?
 * If not, why, in @why.
 */
bool bpf64_linux_available(char *why, size_t why_size);

/* Maps. */
int bpf64_map_create(const struct bpf64_backend *be, __u32 type,
		     const char *name, __u32 key_size, __u32 value_size,
		     __u32 max_entries, __u32 flags);
/* With an inner map template for *_OF_MAPS. */
int bpf64_map_create_inner(const struct bpf64_backend *be, __u32 type,
			   const char *name, __u32 key_size, __u32 value_size,
			   __u32 max_entries, __u32 flags, int inner_map_fd);
int bpf64_map_lookup(const struct bpf64_backend *be, int fd, const void *key,
		     void *value, __u64 flags);
int bpf64_map_update(const struct bpf64_backend *be, int fd, const void *key,
		     const void *value, __u64 flags);
int bpf64_map_delete(const struct bpf64_backend *be, int fd, const void *key);
int bpf64_map_get_next_key(const struct bpf64_backend *be, int fd,
			   const void *key, void *next_key);
int bpf64_map_lookup_and_delete(const struct bpf64_backend *be, int fd,
				const void *key, void *value, __u64 flags);
int bpf64_map_freeze(const struct bpf64_backend *be, int fd);

/* Programs. */
struct bpf64_load_opts {
	__u32 prog_type;
	__u32 expected_attach_type;
	const char *name;
	const char *license;		/* NULL: "GPL" */
	__u32 prog_flags;
	char *log_buf;			/* NULL: no log */
	__u32 log_size;
	__u32 log_level;		/* 0 with a log_buf: 1 */
};

int bpf64_prog_load(const struct bpf64_backend *be,
		    const struct bpf_insn *insns, __u32 insn_cnt,
		    const struct bpf64_load_opts *opts);

struct bpf64_test_opts {
	const void *data_in;
	__u32 data_size_in;
	void *data_out;
	__u32 data_size_out;		/* in: room; out: size */
	const void *ctx_in;
	__u32 ctx_size_in;
	void *ctx_out;
	__u32 ctx_size_out;		/* in: room; out: size */
	__u32 repeat;
	__u32 flags;
	__u32 retval;			/* out */
	__u32 duration;			/* out: ns per run */
};

int bpf64_prog_test_run(const struct bpf64_backend *be, int prog_fd,
			struct bpf64_test_opts *opts);

/* Objects. */
int bpf64_obj_pin(const struct bpf64_backend *be, int fd, const char *path);
int bpf64_obj_get(const struct bpf64_backend *be, const char *path,
		  __u32 file_flags);
int bpf64_obj_get_info(const struct bpf64_backend *be, int fd, void *info,
		       __u32 *info_len);

#endif /* _TOOLS_LIB_BPF64_BACKEND_H */
