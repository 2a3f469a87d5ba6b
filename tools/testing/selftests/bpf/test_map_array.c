// SPDX-License-Identifier: GPL-2.0
/*
 * Array maps: ARRAY, PERCPU_ARRAY, PROG_ARRAY, ARRAY_OF_MAPS.
 *
 * What bpf() answers (creation errors, update flags, lookups, deletes,
 * get_next_key, fd-valued elements, global data) runs against bpf64 and
 * the running kernel, which must agree.  What only bpf64 can show (the
 * checked mode's map_mem_ok, references held by fd arrays, races between
 * threads) runs in process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/syscall.h>

#include "backend_util.h"
#include "insn_build.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int array_create(const struct bpf64_backend *be, __u32 type,
			__u32 value_size, __u32 max_entries, __u32 flags)
{
	return bpf64_map_create(be, type, NULL, 4, value_size, max_entries,
				flags);
}

static __u32 map_id(const struct bpf64_backend *be, int fd)
{
	struct bpf_map_info info = { };
	__u32 len = sizeof(info);

	return bpf64_obj_get_info(be, fd, &info, &len) ? 0 : info.id;
}

static __u32 prog_id(const struct bpf64_backend *be, int fd)
{
	struct bpf_prog_info info = { };
	__u32 len = sizeof(info);

	return bpf64_obj_get_info(be, fd, &info, &len) ? 0 : info.id;
}

static int load_ret(const struct bpf64_backend *be, __u32 type, int ret)
{
	struct bpf_insn insns[] = {
		BPF64_MOV64_IMM(BPF_REG_0, ret),
		BPF64_EXIT_INSN(),
	};
	struct bpf64_load_opts opts = { .prog_type = type };

	return bpf64_prog_load(be, insns, ARRAY_SIZE(insns), &opts);
}

static void close_fd(const struct bpf64_backend *be, int fd)
{
	if (fd >= 0)
		be->close(fd);
}

/* ---- MAP_CREATE ---- */

static const struct create_case {
	const char *what;
	__u32 type, key_size, value_size, max_entries, flags;
	int err;
} create_cases[] = {
	{ "array", BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0 },
	{ "array key 8", BPF_MAP_TYPE_ARRAY, 8, 8, 4, 0, -EINVAL },
	{ "array key 0", BPF_MAP_TYPE_ARRAY, 0, 8, 4, 0, -EINVAL },
	{ "array value 0", BPF_MAP_TYPE_ARRAY, 4, 0, 4, 0, -EINVAL },
	{ "array max 0", BPF_MAP_TYPE_ARRAY, 4, 8, 0, 0, -EINVAL },
	{ "array value 1", BPF_MAP_TYPE_ARRAY, 4, 1, 1, 0, 0 },
	{ "array value > INT_MAX", BPF_MAP_TYPE_ARRAY, 4, 0x80000000u, 1, 0, -E2BIG },
	{ "array NO_PREALLOC", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_NO_PREALLOC, -EINVAL },
	{ "array NUMA_NODE", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_NUMA_NODE, 0 },
	{ "array RDONLY", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY, 0 },
	{ "array WRONLY", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_WRONLY, 0 },
	{ "array RDONLY_PROG", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY_PROG, 0 },
	{ "array WRONLY_PROG", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_WRONLY_PROG, 0 },
	{ "array RDONLY_PROG|WRONLY_PROG", BPF_MAP_TYPE_ARRAY, 4, 8, 4,
	  BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, -EINVAL },
	{ "array MMAPABLE", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_MMAPABLE, 0 },
	{ "array INNER_MAP", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_INNER_MAP, 0 },
	{ "array PRESERVE_ELEMS", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_PRESERVE_ELEMS, -EINVAL },
	{ "array ZERO_SEED", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_ZERO_SEED, -EINVAL },
	{ "array STACK_BUILD_ID", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_STACK_BUILD_ID, -EINVAL },
	{ "array flag bit 20", BPF_MAP_TYPE_ARRAY, 4, 8, 4, 1U << 20, -EINVAL },
	{ "percpu", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 12, 4, 0, 0 },
	{ "percpu value 32768", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32768, 1, 0, 0 },
	{ "percpu value 32761", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32761, 1, 0, 0 },
	{ "percpu value 32769", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32769, 1, 0, -E2BIG },
	{ "percpu value 0", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 0, 1, 0, -EINVAL },
	{ "percpu key 2", BPF_MAP_TYPE_PERCPU_ARRAY, 2, 8, 1, 0, -EINVAL },
	{ "percpu NUMA_NODE", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, BPF_F_NUMA_NODE, -EINVAL },
	{ "percpu MMAPABLE", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, BPF_F_MMAPABLE, -EINVAL },
	{ "percpu INNER_MAP", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, BPF_F_INNER_MAP, -EINVAL },
	{ "percpu RDONLY_PROG", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, BPF_F_RDONLY_PROG, 0 },
	{ "prog array", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 0 },
	{ "prog array value 8", BPF_MAP_TYPE_PROG_ARRAY, 4, 8, 4, 0, -EINVAL },
	{ "prog array key 8", BPF_MAP_TYPE_PROG_ARRAY, 8, 4, 4, 0, -EINVAL },
	{ "prog array max 0", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 0, 0, -EINVAL },
	{ "prog array RDONLY_PROG", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_RDONLY_PROG, -EINVAL },
	{ "prog array WRONLY_PROG", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_WRONLY_PROG, -EINVAL },
	{ "prog array RDONLY", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_RDONLY, 0 },
	{ "prog array MMAPABLE", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_MMAPABLE, -EINVAL },
	{ "prog array INNER_MAP", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_INNER_MAP, -EINVAL },
	{ "prog array PRESERVE_ELEMS", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_PRESERVE_ELEMS, -EINVAL },
};

static void test_create(void)
{
	const struct bpf64_backend *be;
	unsigned int i;
	int fd;

	for_each_backend(be) {
		for (i = 0; i < ARRAY_SIZE(create_cases); i++) {
			const struct create_case *c = &create_cases[i];

			fd = bpf64_map_create(be, c->type, NULL, c->key_size,
					      c->value_size, c->max_entries,
					      c->flags);
			TU_CHECK(c->err ? fd == c->err : fd >= 0,
				 "%s: create %s: %d", be->name, c->what,
				 fd < 0 ? fd : 0);
			close_fd(be, fd);
		}
	}
}

/* ---- elements ---- */

static void test_update_flags(void)
{
	static const __u32 types[] = { BPF_MAP_TYPE_ARRAY,
				       BPF_MAP_TYPE_PERCPU_ARRAY };
	const struct bpf64_backend *be;
	__u64 value[512] = { };
	unsigned int t;
	__u32 key;
	int fd;

	for_each_backend(be) {
		for (t = 0; t < ARRAY_SIZE(types); t++) {
			const char *n = t ? "percpu" : "array";

			fd = array_create(be, types[t], 8, 4, 0);
			TU_CHECK(fd >= 0, "%s: %s created (%d)", be->name, n, fd);
			key = 1;
			TU_CHECK(bpf64_map_update(be, fd, &key, value, BPF_ANY) == 0,
				 "%s: %s BPF_ANY", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, BPF_EXIST) == 0,
				 "%s: %s BPF_EXIST: every element exists", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, BPF_NOEXIST) == -EEXIST,
				 "%s: %s BPF_NOEXIST -EEXIST", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, 3) == -EINVAL,
				 "%s: %s flags 3 -EINVAL", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, 8) == -EINVAL,
				 "%s: %s flags 8 -EINVAL", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, BPF_F_LOCK) == -EINVAL,
				 "%s: %s BPF_F_LOCK without a spin lock -EINVAL",
				 be->name, n);
			key = 4;
			TU_CHECK(bpf64_map_update(be, fd, &key, value, BPF_ANY) == -E2BIG,
				 "%s: %s index max_entries -E2BIG", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, BPF_NOEXIST) == -E2BIG,
				 "%s: %s index checked before BPF_NOEXIST", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, 3) == -EINVAL,
				 "%s: %s flags checked before the index", be->name, n);
			close_fd(be, fd);
		}
	}
}

static void test_lookup_delete(void)
{
	const struct bpf64_backend *be;
	__u64 in[2] = { 0x1122334455667788ULL, 42 }, out[2];
	__u32 key;
	int fd, err;

	for_each_backend(be) {
		fd = array_create(be, BPF_MAP_TYPE_ARRAY, 16, 3, 0);
		key = 2;
		memset(out, 0xff, sizeof(out));
		err = bpf64_map_lookup(be, fd, &key, out, 0);
		TU_CHECK(!err && !out[0] && !out[1],
			 "%s: a new array's values are zero (%d)", be->name, err);
		err = bpf64_map_update(be, fd, &key, in, BPF_ANY);
		err = err ? err : bpf64_map_lookup(be, fd, &key, out, 0);
		TU_CHECK(!err && !memcmp(in, out, sizeof(in)),
			 "%s: a value reads back (%d)", be->name, err);
		key = 3;
		TU_CHECK(bpf64_map_lookup(be, fd, &key, out, 0) == -ENOENT,
			 "%s: lookup past the end -ENOENT", be->name);
		TU_CHECK(bpf64_map_lookup(be, fd, &key, out, 1) == -EINVAL,
			 "%s: lookup flags 1 -EINVAL", be->name);
		key = 2;
		TU_CHECK(bpf64_map_delete(be, fd, &key) == -EINVAL,
			 "%s: delete -EINVAL", be->name);
		key = 7;
		TU_CHECK(bpf64_map_delete(be, fd, &key) == -EINVAL,
			 "%s: delete past the end -EINVAL", be->name);
		key = 2;
		err = bpf64_map_lookup_and_delete(be, fd, &key, out, 0);
		TU_CHECK(err == -ENOTSUPP, "%s: lookup_and_delete -ENOTSUPP (%d)",
			 be->name, err);
		close_fd(be, fd);
	}
}

static void test_get_next_key(void)
{
	const struct bpf64_backend *be;
	__u32 key, next, seen;
	int fd, err;

	for_each_backend(be) {
		fd = array_create(be, BPF_MAP_TYPE_ARRAY, 4, 5, 0);
		next = 99;
		err = bpf64_map_get_next_key(be, fd, NULL, &next);
		TU_CHECK(!err && next == 0, "%s: no key: the first, 0 (%d, %u)",
			 be->name, err, next);
		key = 5;
		next = 99;
		err = bpf64_map_get_next_key(be, fd, &key, &next);
		TU_CHECK(!err && next == 0, "%s: a missing key: the first, 0 (%d, %u)",
			 be->name, err, next);
		key = 0xffffffff;
		next = 99;
		err = bpf64_map_get_next_key(be, fd, &key, &next);
		TU_CHECK(!err && next == 0, "%s: key U32_MAX: 0 (%d, %u)",
			 be->name, err, next);
		key = 2;
		err = bpf64_map_get_next_key(be, fd, &key, &next);
		TU_CHECK(!err && next == 3, "%s: after 2 comes 3 (%d, %u)",
			 be->name, err, next);
		key = 4;
		err = bpf64_map_get_next_key(be, fd, &key, &next);
		TU_CHECK(err == -ENOENT, "%s: after the last -ENOENT (%d)",
			 be->name, err);
		seen = 0;
		for (err = bpf64_map_get_next_key(be, fd, NULL, &key); !err;
		     err = bpf64_map_get_next_key(be, fd, &key, &key))
			seen++;
		TU_CHECK(seen == 5 && err == -ENOENT,
			 "%s: iteration sees every index once (%u)", be->name, seen);
		close_fd(be, fd);
	}
}

/* Userspace reads and writes every CPU's copy, each rounded up to 8. */
static void test_percpu_values(void)
{
	unsigned int ncpu = bu_possible_cpus(), i;
	const struct bpf64_backend *be;
	size_t size = 16 * (size_t)ncpu;
	unsigned char *in = malloc(size), *out = malloc(size);
	__u32 key = 1;
	int fd, err;

	TU_CHECK(bpf64_num_possible_cpus() == ncpu,
		 "bpf64 sizes percpu values by the possible CPUs (%u, %u)",
		 bpf64_num_possible_cpus(), ncpu);
	for (i = 0; i < size; i++)
		in[i] = i * 7 + 1;
	for_each_backend(be) {
		fd = array_create(be, BPF_MAP_TYPE_PERCPU_ARRAY, 12, 2, 0);
		memset(out, 0xff, size);
		key = 0;
		err = bpf64_map_lookup(be, fd, &key, out, 0);
		for (i = 0; i < size && !out[i]; i++)
			;
		TU_CHECK(!err && i == size, "%s: percpu values start zeroed (%d)",
			 be->name, err);
		key = 1;
		err = bpf64_map_update(be, fd, &key, in, BPF_ANY);
		err = err ? err : bpf64_map_lookup(be, fd, &key, out, 0);
		TU_CHECK(!err && !memcmp(in, out, size),
			 "%s: %u CPUs' copies of 16 bytes read back (%d)",
			 be->name, ncpu, err);
		key = 2;
		TU_CHECK(bpf64_map_lookup(be, fd, &key, out, 0) == -ENOENT,
			 "%s: percpu lookup past the end -ENOENT", be->name);
		close_fd(be, fd);
	}
	free(in);
	free(out);
}

static void test_frozen(void)
{
	const struct bpf64_backend *be;
	__u64 v, out = 0;
	__u32 key = 0;
	int fd, err;

	for_each_backend(be) {
		fd = array_create(be, BPF_MAP_TYPE_ARRAY, 8, 1, BPF_F_RDONLY_PROG);
		v = 5;
		bpf64_map_update(be, fd, &key, &v, BPF_ANY);
		err = bpf64_map_freeze(be, fd);
		TU_CHECK(!err, "%s: freeze a .rodata-like map (%d)", be->name, err);
		v = 6;
		err = bpf64_map_update(be, fd, &key, &v, BPF_ANY);
		TU_CHECK(err == -EPERM, "%s: frozen: update -EPERM (%d)",
			 be->name, err);
		err = bpf64_map_lookup(be, fd, &key, &out, 0);
		TU_CHECK(!err && out == 5, "%s: frozen: lookup still reads (%d, %llu)",
			 be->name, err, (unsigned long long)out);
		close_fd(be, fd);
	}
}

/* ---- PROG_ARRAY ---- */

static void test_prog_array(void)
{
	const struct bpf64_backend *be;
	int pa, sf1, sf2, xdp, arr, fd, err;
	__u32 key, val, out;

	for_each_backend(be) {
		sf1 = load_ret(be, BPF_PROG_TYPE_SOCKET_FILTER, 1);
		sf2 = load_ret(be, BPF_PROG_TYPE_SOCKET_FILTER, 2);
		xdp = load_ret(be, BPF_PROG_TYPE_XDP, 2);
		TU_CHECK(sf1 >= 0 && sf2 >= 0 && xdp >= 0,
			 "%s: programs loaded (%d, %d, %d)", be->name, sf1, sf2, xdp);
		pa = array_create(be, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 0);
		arr = array_create(be, BPF_MAP_TYPE_ARRAY, 4, 4, 0);
		key = 0;
		val = sf1;
		err = bpf64_map_update(be, pa, &key, &val, BPF_ANY);
		TU_CHECK(!err, "%s: a program fd goes in (%d)", be->name, err);
		out = 0;
		err = bpf64_map_lookup(be, pa, &key, &out, 0);
		TU_CHECK(!err && out == prog_id(be, sf1),
			 "%s: lookup gives the program's id (%d, %u)",
			 be->name, err, out);
		key = 1;
		TU_CHECK(bpf64_map_lookup(be, pa, &key, &out, 0) == -ENOENT,
			 "%s: an empty slot -ENOENT", be->name);
		val = xdp;
		err = bpf64_map_update(be, pa, &key, &val, BPF_ANY);
		TU_CHECK(err == -EINVAL, "%s: a program of another type -EINVAL (%d)",
			 be->name, err);
		val = arr;
		err = bpf64_map_update(be, pa, &key, &val, BPF_ANY);
		TU_CHECK(err == -EINVAL, "%s: a map fd -EINVAL (%d)", be->name, err);
		val = 100000;
		err = bpf64_map_update(be, pa, &key, &val, BPF_ANY);
		TU_CHECK(err == -EBADF, "%s: a closed fd -EBADF (%d)", be->name, err);
		val = sf2;
		err = bpf64_map_update(be, pa, &key, &val, BPF_NOEXIST);
		TU_CHECK(err == -EINVAL, "%s: BPF_NOEXIST -EINVAL (%d)", be->name, err);
		err = bpf64_map_update(be, pa, &key, &val, BPF_EXIST);
		TU_CHECK(err == -EINVAL, "%s: BPF_EXIST -EINVAL (%d)", be->name, err);
		key = 4;
		err = bpf64_map_update(be, pa, &key, &val, BPF_ANY);
		TU_CHECK(err == -E2BIG, "%s: index max_entries -E2BIG (%d)", be->name, err);
		TU_CHECK(bpf64_map_delete(be, pa, &key) == -E2BIG,
			 "%s: delete past the end -E2BIG", be->name);
		key = 2;
		TU_CHECK(bpf64_map_delete(be, pa, &key) == -ENOENT,
			 "%s: delete of an empty slot -ENOENT", be->name);
		/* The slot holds the program after its fd is gone. */
		key = 0;
		val = prog_id(be, sf1);
		close_fd(be, sf1);
		err = bpf64_map_lookup(be, pa, &key, &out, 0);
		TU_CHECK(!err && out == val, "%s: the slot keeps its program (%d)",
			 be->name, err);
		fd = be->sys_bpf(BPF_PROG_GET_FD_BY_ID,
				 &(union bpf_attr){ .prog_id = val },
				 sizeof(union bpf_attr));
		TU_CHECK(fd >= 0, "%s: and it is still loaded (%d)", be->name, fd);
		close_fd(be, fd);
		val = sf2;
		err = bpf64_map_update(be, pa, &key, &val, BPF_ANY);
		out = 0;
		err = err ? err : bpf64_map_lookup(be, pa, &key, &out, 0);
		TU_CHECK(!err && out == prog_id(be, sf2),
			 "%s: overwriting replaces it (%d)", be->name, err);
		TU_CHECK(bpf64_map_delete(be, pa, &key) == 0 &&
			 bpf64_map_lookup(be, pa, &key, &out, 0) == -ENOENT,
			 "%s: delete empties the slot", be->name);
		err = bpf64_map_get_next_key(be, pa, NULL, &out);
		TU_CHECK(!err && out == 0, "%s: get_next_key as arrays (%d)",
			 be->name, err);
		close_fd(be, pa);
		close_fd(be, arr);
		close_fd(be, sf2);
		close_fd(be, xdp);
	}
}

/* ---- ARRAY_OF_MAPS ---- */

static void test_array_of_maps(void)
{
	const struct bpf64_backend *be;
	int tmpl, aom, in1, in2, other, flexi, flexo, fd, pa, prog, err;
	__u32 key = 0, val, out;

	for_each_backend(be) {
		tmpl = array_create(be, BPF_MAP_TYPE_ARRAY, 8, 4, 0);
		aom = bpf64_map_create_inner(be, BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL,
					     4, 4, 2, 0, tmpl);
		TU_CHECK(aom >= 0, "%s: array of maps created (%d)", be->name, aom);
		fd = bpf64_map_create_inner(be, BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL,
					    4, 8, 2, 0, tmpl);
		TU_CHECK(fd == -EINVAL, "%s: value 8 -EINVAL (%d)", be->name, fd);
		close_fd(be, fd);
		fd = bpf64_map_create_inner(be, BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL,
					    4, 4, 2, BPF_F_INNER_MAP, tmpl);
		TU_CHECK(fd == -EINVAL, "%s: INNER_MAP on the outer map -EINVAL (%d)",
			 be->name, fd);
		close_fd(be, fd);
		fd = bpf64_map_create_inner(be, BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL,
					    4, 4, 2, 0, aom);
		TU_CHECK(fd == -EINVAL, "%s: maps of maps do not nest (%d)",
			 be->name, fd);
		close_fd(be, fd);
		pa = array_create(be, BPF_MAP_TYPE_PROG_ARRAY, 4, 2, 0);
		fd = bpf64_map_create_inner(be, BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL,
					    4, 4, 2, 0, pa);
		TU_CHECK(fd == -ENOTSUPP, "%s: a prog array is no inner map: -ENOTSUPP (%d)",
			 be->name, fd);
		close_fd(be, fd);
		fd = bpf64_map_create_inner(be, BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL,
					    4, 4, 2, 0, 100000);
		TU_CHECK(fd == -EBADF, "%s: a closed inner fd -EBADF (%d)", be->name, fd);
		close_fd(be, fd);
		prog = load_ret(be, BPF_PROG_TYPE_SOCKET_FILTER, 0);
		fd = bpf64_map_create_inner(be, BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL,
					    4, 4, 2, 0, prog);
		TU_CHECK(fd == -EINVAL, "%s: a program as the inner map -EINVAL (%d)",
			 be->name, fd);
		close_fd(be, fd);

		in1 = array_create(be, BPF_MAP_TYPE_ARRAY, 8, 4, 0);
		in2 = array_create(be, BPF_MAP_TYPE_ARRAY, 8, 4, 0);
		other = array_create(be, BPF_MAP_TYPE_ARRAY, 8, 5, 0);
		val = in1;
		err = bpf64_map_update(be, aom, &key, &val, BPF_ANY);
		out = 0;
		err = err ? err : bpf64_map_lookup(be, aom, &key, &out, 0);
		TU_CHECK(!err && out == map_id(be, in1),
			 "%s: lookup gives the inner map's id (%d)", be->name, err);
		val = other;
		err = bpf64_map_update(be, aom, &key, &val, BPF_ANY);
		TU_CHECK(err == -EINVAL, "%s: an array of another size -EINVAL (%d)",
			 be->name, err);
		val = pa;
		err = bpf64_map_update(be, aom, &key, &val, BPF_ANY);
		TU_CHECK(err == -EINVAL, "%s: a map of another type -EINVAL (%d)",
			 be->name, err);
		val = prog;
		err = bpf64_map_update(be, aom, &key, &val, BPF_ANY);
		TU_CHECK(err == -EINVAL, "%s: a program fd -EINVAL (%d)", be->name, err);
		val = in2;
		err = bpf64_map_update(be, aom, &key, &val, BPF_NOEXIST);
		TU_CHECK(err == -EINVAL, "%s: BPF_NOEXIST -EINVAL (%d)", be->name, err);
		key = 1;
		err = bpf64_map_update(be, aom, &key, &val, BPF_ANY);
		TU_CHECK(!err, "%s: a second inner map (%d)", be->name, err);
		key = 2;
		TU_CHECK(bpf64_map_update(be, aom, &key, &val, BPF_ANY) == -E2BIG,
			 "%s: index max_entries -E2BIG", be->name);
		key = 0;
		TU_CHECK(bpf64_map_delete(be, aom, &key) == 0 &&
			 bpf64_map_delete(be, aom, &key) == -ENOENT &&
			 bpf64_map_lookup(be, aom, &key, &out, 0) == -ENOENT,
			 "%s: delete empties a slot once", be->name);

		/* BPF_F_INNER_MAP lets arrays of any size in. */
		flexi = array_create(be, BPF_MAP_TYPE_ARRAY, 8, 4, BPF_F_INNER_MAP);
		flexo = bpf64_map_create_inner(be, BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL,
					       4, 4, 1, 0, flexi);
		close_fd(be, flexi);
		flexi = array_create(be, BPF_MAP_TYPE_ARRAY, 8, 9, BPF_F_INNER_MAP);
		val = flexi;
		err = bpf64_map_update(be, flexo, &key, &val, BPF_ANY);
		TU_CHECK(!err, "%s: INNER_MAP: another size goes in (%d)", be->name, err);
		val = other;
		err = bpf64_map_update(be, flexo, &key, &val, BPF_ANY);
		TU_CHECK(err == -EINVAL, "%s: INNER_MAP: flags must match (%d)",
			 be->name, err);
		val = map_id(be, flexi);
		close_fd(be, flexi);
		out = 0;
		err = bpf64_map_lookup(be, flexo, &key, &out, 0);
		TU_CHECK(!err && out == val, "%s: the slot keeps its map (%d)",
			 be->name, err);

		close_fd(be, flexo);
		close_fd(be, tmpl);
		close_fd(be, aom);
		close_fd(be, pa);
		close_fd(be, prog);
		close_fd(be, in1);
		close_fd(be, in2);
		close_fd(be, other);
	}
}

/* ---- global data ---- */

/* A program that adds 1 to the u64 at @off of the array's single value
 * and returns what it read there.
 */
static int load_global_rw(const struct bpf64_backend *be, int map, int off)
{
	struct bpf_insn insns[] = {
		BPF64_LD_MAP_VALUE(BPF_REG_1, map, off),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0),
		BPF64_MOV64_REG(BPF_REG_2, BPF_REG_0),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, 1),
		BPF64_STX_MEM(BPF_DW, BPF_REG_1, BPF_REG_2, 0),
		BPF64_EXIT_INSN(),
	};
	struct bpf64_load_opts opts = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER };

	return bpf64_prog_load(be, insns, ARRAY_SIZE(insns), &opts);
}

static void test_global_data(void)
{
	const struct bpf64_backend *be;
	unsigned char pkt[64] = { };
	struct bpf64_test_opts run;
	int map, two, prog, err;
	__u64 value[3];
	__u32 key = 0;

	for_each_backend(be) {
		value[0] = 10;
		value[1] = 20;
		value[2] = 30;
		map = array_create(be, BPF_MAP_TYPE_ARRAY, sizeof(value), 1, 0);
		bpf64_map_update(be, map, &key, value, BPF_ANY);
		prog = load_global_rw(be, map, 16);
		TU_CHECK(prog >= 0, "%s: a program with a .data address loads (%d)",
			 be->name, prog);
		memset(&run, 0, sizeof(run));
		run.data_in = pkt;
		run.data_size_in = sizeof(pkt);
		err = bpf64_prog_test_run(be, prog, &run);
		TU_CHECK(!err && run.retval == 30,
			 "%s: it reads value[2] (%d, %u)", be->name, err, run.retval);
		err = bpf64_map_lookup(be, map, &key, value, 0);
		TU_CHECK(!err && value[2] == 31 && value[1] == 20,
			 "%s: and its store lands in value[2] (%d, %llu)", be->name,
			 err, (unsigned long long)value[2]);
		close_fd(be, prog);
		prog = load_global_rw(be, map, sizeof(value));
		TU_CHECK(prog == -EINVAL, "%s: an offset past the value -EINVAL (%d)",
			 be->name, prog);
		close_fd(be, prog);
		two = array_create(be, BPF_MAP_TYPE_ARRAY, 8, 2, 0);
		prog = load_global_rw(be, two, 0);
		TU_CHECK(prog == -ENOTSUPP,
			 "%s: an array of two has no direct value -ENOTSUPP (%d)",
			 be->name, prog);
		close_fd(be, prog);
		close_fd(be, two);
		close_fd(be, map);
	}
}

/* ---- bpf64 only: what the checked mode and references rely on ---- */

static struct bpf64_map *map_of(int fd)
{
	struct bpf64_map *map = bpf64_map_from_fd(fd);

	if (map)
		bpf64_map_put(map);	/* the fd keeps it */
	return map;
}

static void test_mem_ok(void)
{
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	int rw = array_create(be, BPF_MAP_TYPE_ARRAY, 12, 3, 0);
	int ro = array_create(be, BPF_MAP_TYPE_ARRAY, 8, 1, BPF_F_RDONLY_PROG);
	int wo = array_create(be, BPF_MAP_TYPE_ARRAY, 8, 1, BPF_F_WRONLY_PROG);
	int pc = array_create(be, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 2, 0);
	int pa = array_create(be, BPF_MAP_TYPE_PROG_ARRAY, 4, 2, 0);
	struct bpf64_map *m = map_of(rw), *r = map_of(ro), *w = map_of(wo);
	struct bpf64_map *p = map_of(pc);
	__u32 key = 1;
	__u64 a, b;

	a = (unsigned long)m->ops->map_lookup_elem(m, &key);
	TU_CHECK(m->ops->map_mem_ok(m, a, 12, true) &&
		 m->ops->map_mem_ok(m, a + 8, 4, false),
		 "bpf64: a whole value is program memory");
	TU_CHECK(!m->ops->map_mem_ok(m, a + 8, 8, false) &&
		 !m->ops->map_mem_ok(m, a - 1, 1, false) &&
		 !m->ops->map_mem_ok(m, a + 12, 1, false),
		 "bpf64: the padding between values is not");
	key = 2;
	b = (unsigned long)m->ops->map_lookup_elem(m, &key);
	TU_CHECK(b - a == 16 && b % 8 == 0 &&
		 !m->ops->map_mem_ok(m, b + 16, 1, false),
		 "bpf64: values 8-aligned, 16 apart, nothing past the last");
	key = 3;
	TU_CHECK(!m->ops->map_lookup_elem(m, &key), "bpf64: no value past the end");
	key = 0;
	a = (unsigned long)r->ops->map_lookup_elem(r, &key);
	TU_CHECK(r->ops->map_mem_ok(r, a, 8, false) &&
		 !r->ops->map_mem_ok(r, a, 8, true),
		 "bpf64: BPF_F_RDONLY_PROG: programs read, never write");
	TU_CHECK(r->ops->map_direct_value_addr(r, &b, 4) == 0 && b == a + 4 &&
		 r->ops->map_direct_value_addr(r, &b, 8) == -EINVAL,
		 "bpf64: direct value address of an offset, -EINVAL past it");
	a = (unsigned long)w->ops->map_lookup_elem(w, &key);
	TU_CHECK(w->ops->map_mem_ok(w, a, 8, true) &&
		 !w->ops->map_mem_ok(w, a, 8, false),
		 "bpf64: BPF_F_WRONLY_PROG: programs write, never read");
	key = 1;
	a = (unsigned long)p->ops->map_lookup_elem(p, &key);
	TU_CHECK(a && p->ops->map_mem_ok(p, a, 4, true) &&
		 !p->ops->map_mem_ok(p, a + 4, 4, true),
		 "bpf64: a percpu value is program memory, 4 bytes of it");
	TU_CHECK(!map_of(pa)->ops->map_mem_ok && !map_of(pa)->ops->map_lookup_elem,
		 "bpf64: a prog array hands programs nothing");
	close_fd(be, rw);
	close_fd(be, ro);
	close_fd(be, wo);
	close_fd(be, pc);
	close_fd(be, pa);
}

static bool id_live(const struct bpf64_backend *be, int cmd, __u32 id)
{
	union bpf_attr attr = { };
	int fd;

	if (cmd == BPF_PROG_GET_FD_BY_ID)
		attr.prog_id = id;
	else
		attr.map_id = id;
	fd = be->sys_bpf(cmd, &attr, sizeof(attr));
	close_fd(be, fd);
	return fd >= 0;
}

/* An fd array's references: a slot keeps its object, emptying drops it. */
static void test_fd_refs(void)
{
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	int pa = array_create(be, BPF_MAP_TYPE_PROG_ARRAY, 4, 2, 0);
	int prog = load_ret(be, BPF_PROG_TYPE_SOCKET_FILTER, 7);
	struct bpf64_map *map = map_of(pa);
	struct bpf64_prog *p, *got;
	__u32 key = 1, val = prog, id;

	p = bpf64_prog_from_fd(prog);
	TU_CHECK(p != NULL, "bpf64: a program (%d)", prog);
	if (!p)
		return;
	bpf64_prog_put(p);
	bpf64_map_update(be, pa, &key, &val, BPF_ANY);
	got = bpf64_prog_array_get(map, 1);
	TU_CHECK(got == p && !bpf64_prog_array_get(map, 0) &&
		 !bpf64_prog_array_get(map, 2),
		 "bpf64: a tail call finds the program at its index only");
	if (got)
		bpf64_prog_put(got);
	id = p->id;
	close_fd(be, prog);
	TU_CHECK(id_live(be, BPF_PROG_GET_FD_BY_ID, id),
		 "bpf64: held by the slot");
	bpf64_map_delete(be, pa, &key);
	TU_CHECK(!id_live(be, BPF_PROG_GET_FD_BY_ID, id),
		 "bpf64: freed once the slot lets go");
	close_fd(be, pa);

	/* An inner map taken out of its slot lives until the outer map. */
	{
		int tmpl = array_create(be, BPF_MAP_TYPE_ARRAY, 8, 1, 0);
		int aom = bpf64_map_create_inner(be, BPF_MAP_TYPE_ARRAY_OF_MAPS,
						 NULL, 4, 4, 1, 0, tmpl);

		key = 0;
		val = tmpl;
		id = map_id(be, tmpl);
		bpf64_map_update(be, aom, &key, &val, BPF_ANY);
		close_fd(be, tmpl);
		bpf64_map_delete(be, aom, &key);
		close_fd(be, aom);
		TU_CHECK(!id_live(be, BPF_MAP_GET_FD_BY_ID, id),
			 "bpf64: an inner map goes with its outer map");
	}
}

/* ---- threads ---- */

#define NR_THREADS	4
#define HAMMER_ITERS	3000

struct hammer {
	const struct bpf64_backend *be;
	int fd, fd2;
	int t;
	int errors;
	__u32 *ids;		/* objects this thread created */
	int nr_ids;
};

static void *hammer_values(void *arg)
{
	struct hammer *h = arg;
	unsigned char v[64], out[64];
	__u32 key, next;
	int i;

	for (i = 0; i < HAMMER_ITERS; i++) {
		key = (i % 16) * NR_THREADS + h->t;	/* this thread's */
		memset(v, key + i, sizeof(v));
		h->errors += bpf64_map_update(h->be, h->fd, &key, v, BPF_ANY) != 0;
		key = 64;				/* everyone's */
		memset(v, h->t + 1, sizeof(v));
		h->errors += bpf64_map_update(h->be, h->fd, &key, v, BPF_ANY) != 0;
		key = i % 65;
		h->errors += bpf64_map_lookup(h->be, h->fd, &key, out, 0) != 0;
		h->errors += bpf64_map_get_next_key(h->be, h->fd, &key, &next) !=
			     (key == 64 ? -ENOENT : 0);
	}
	return NULL;
}

/* Writers race on one value and own others; no update is lost or torn
 * across values, and the shared one holds only bytes someone wrote.
 */
static void test_hammer_values(void)
{
	struct hammer h[NR_THREADS];
	pthread_t th[NR_THREADS];
	const struct bpf64_backend *be;
	unsigned char out[64];
	int t, i, bad, errors;
	__u32 key;

	for_each_backend(be) {
		int fd = array_create(be, BPF_MAP_TYPE_ARRAY, 64, 65, 0);

		for (t = 0; t < NR_THREADS; t++) {
			h[t] = (struct hammer){ .be = be, .fd = fd, .t = t };
			pthread_create(&th[t], NULL, hammer_values, &h[t]);
		}
		for (errors = 0, t = 0; t < NR_THREADS; t++) {
			pthread_join(th[t], NULL);
			errors += h[t].errors;
		}
		for (bad = 0, key = 0; key < 64; key++) {
			int j = key / NR_THREADS;
			int last = (HAMMER_ITERS - 1 - j) / 16 * 16 + j;

			bpf64_map_lookup(be, fd, &key, out, 0);
			for (i = 0; i < 64; i++)
				bad += out[i] != (unsigned char)(key + last);
		}
		key = 64;
		bpf64_map_lookup(be, fd, &key, out, 0);
		for (i = 0; i < 64; i++)
			bad += out[i] < 1 || out[i] > NR_THREADS;
		TU_CHECK(!errors && !bad,
			 "%s: %d threads' updates and lookups (%d errors, %d bad bytes)",
			 be->name, NR_THREADS, errors, bad);
		close_fd(be, fd);
	}
}

/* As programs count events: atomic adds to their CPU's copy. */
static void *hammer_percpu(void *arg)
{
	struct hammer *h = arg;
	struct bpf64_map *map = map_of(h->fd);
	__u32 key = 1;
	int i;

	for (i = 0; i < HAMMER_ITERS * 10; i++)
		__atomic_fetch_add((__u64 *)map->ops->map_lookup_elem(map, &key),
				   1, __ATOMIC_RELAXED);
	return NULL;
}

static void test_hammer_percpu(void)
{
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	unsigned int ncpu = bpf64_num_possible_cpus(), c;
	int fd = array_create(be, BPF_MAP_TYPE_PERCPU_ARRAY, 8, 2, 0);
	__u64 *vals = calloc(ncpu, sizeof(*vals)), sum = 0;
	struct hammer h[NR_THREADS];
	pthread_t th[NR_THREADS];
	__u32 key = 1;
	int t;

	for (t = 0; t < NR_THREADS; t++) {
		h[t] = (struct hammer){ .be = be, .fd = fd, .t = t };
		pthread_create(&th[t], NULL, hammer_percpu, &h[t]);
	}
	for (t = 0; t < NR_THREADS; t++)
		pthread_join(th[t], NULL);
	bpf64_map_lookup(be, fd, &key, vals, 0);
	for (c = 0; c < ncpu; c++)
		sum += vals[c];
	TU_CHECK(sum == (__u64)NR_THREADS * HAMMER_ITERS * 10,
		 "bpf64: per-CPU counts add up to every increment (%llu)",
		 (unsigned long long)sum);
	free(vals);
	close_fd(be, fd);
}

/*
 * fd arrays under fire: even threads put fresh programs (or inner maps)
 * into slots and close their fds, so that replacing one frees it; odd
 * threads look up ids, take programs for tail calls, and use inner maps
 * as programs do.  Nothing freed is touched (ASan watches), every id
 * seen is one that was stored, and at the end nothing is left.
 */
static void *hammer_fd_writer(void *arg)
{
	struct hammer *h = arg;
	__u32 key, val;
	int i, fd;

	for (i = 0; i < HAMMER_ITERS / 10; i++) {
		fd = h->fd2 ? array_create(h->be, BPF_MAP_TYPE_ARRAY, 8, 4, 0) :
			      load_ret(h->be, BPF_PROG_TYPE_SOCKET_FILTER, i);
		if (fd < 0) {
			h->errors++;
			continue;
		}
		h->ids[h->nr_ids++] = h->fd2 ? map_id(h->be, fd) :
					       prog_id(h->be, fd);
		key = i % 4;
		val = fd;
		h->errors += bpf64_map_update(h->be, h->fd, &key, &val, BPF_ANY) != 0;
		close_fd(h->be, fd);
		key = (i + 2) % 4;
		if (i % 3 == 0)
			bpf64_map_delete(h->be, h->fd, &key);
	}
	return NULL;
}

static void *hammer_fd_reader(void *arg)
{
	struct hammer *h = arg;
	struct bpf64_map *map = map_of(h->fd), *inner;
	struct bpf64_prog *prog;
	__u32 key, id;
	__u64 *v;
	int i, err;

	for (i = 0; i < HAMMER_ITERS * 4; i++) {
		key = i % 4;
		err = bpf64_map_lookup(h->be, h->fd, &key, &id, 0);
		h->errors += err && err != -ENOENT;
		if (!h->fd2) {
			prog = bpf64_prog_array_get(map, key);
			if (prog) {
				h->errors += prog->type != BPF_PROG_TYPE_SOCKET_FILTER;
				bpf64_prog_put(prog);
			}
			continue;
		}
		inner = map->ops->map_lookup_elem(map, &key);
		if (inner) {
			v = inner->ops->map_lookup_elem(inner, &key);
			h->errors += !v;
			if (v)
				__atomic_fetch_add(v, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static void test_hammer_fd_arrays(void)
{
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	static __u32 ids[NR_THREADS][HAMMER_ITERS / 10];
	struct hammer h[NR_THREADS];
	pthread_t th[NR_THREADS];
	int kind, t, i, fd, tmpl, errors, live, nr;

	for (kind = 0; kind < 2; kind++) {
		const char *what = kind ? "array of maps" : "prog array";

		tmpl = array_create(be, BPF_MAP_TYPE_ARRAY, 8, 4, 0);
		fd = kind ? bpf64_map_create_inner(be, BPF_MAP_TYPE_ARRAY_OF_MAPS,
						   NULL, 4, 4, 4, 0, tmpl) :
			    array_create(be, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 0);
		close_fd(be, tmpl);
		for (t = 0; t < NR_THREADS; t++) {
			h[t] = (struct hammer){ .be = be, .fd = fd, .fd2 = kind,
						.t = t, .ids = ids[t] };
			pthread_create(&th[t], NULL, t % 2 ? hammer_fd_reader :
				       hammer_fd_writer, &h[t]);
		}
		for (errors = 0, t = 0; t < NR_THREADS; t++) {
			pthread_join(th[t], NULL);
			errors += h[t].errors;
		}
		close_fd(be, fd);
		for (live = nr = 0, t = 0; t < NR_THREADS; t++)
			for (i = 0; i < h[t].nr_ids; i++, nr++)
				live += id_live(be, kind ? BPF_MAP_GET_FD_BY_ID :
						BPF_PROG_GET_FD_BY_ID, ids[t][i]);
		TU_CHECK(!errors && nr && !live,
			 "bpf64: %s: %d threads replace, delete and use slots (%d errors); of %d objects none left (%d)",
			 what, NR_THREADS, errors, nr, live);
	}
}

int main(void)
{
	test_create();
	test_update_flags();
	test_lookup_delete();
	test_get_next_key();
	test_percpu_values();
	test_frozen();
	test_prog_array();
	test_array_of_maps();
	test_global_data();
	test_mem_ok();
	test_fd_refs();
	test_hammer_values();
	test_hammer_percpu();
	test_hammer_fd_arrays();
	return tu_exit();
}
