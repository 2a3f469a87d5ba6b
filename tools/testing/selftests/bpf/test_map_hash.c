// SPDX-License-Identifier: GPL-2.0
/*
 * Hash maps: HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, HASH_OF_MAPS.
 *
 * What bpf() and programs see (creation errors, update flags, a full map,
 * values per CPU, get_next_key, lookup_and_delete, inner maps, an LRU map
 * under pressure, and updates racing from several threads) runs against
 * bpf64 and the running kernel, which must agree.  An LRU is approximate
 * in Linux (it frees elements in batches, per CPU), so those checks state
 * only what Linux guarantees, with the test pinned to one CPU.  What only
 * bpf64 can show (the checked mode's map_mem_ok, inner maps freed when the
 * last reference goes, its LRU keeping exactly max_entries elements) runs
 * in process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/syscall.h>

#include "backend_util.h"
#include "insn_build.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_CPUS	1024

static void close_fd(const struct bpf64_backend *be, int fd)
{
	if (fd >= 0)
		be->close(fd);
}

static int hash_create(const struct bpf64_backend *be, __u32 type,
		       __u32 key_size, __u32 value_size, __u32 max_entries,
		       __u32 flags)
{
	return bpf64_map_create(be, type, NULL, key_size, value_size,
				max_entries, flags);
}

/* Elements, counted by walking the keys from the first. */
static int count_keys(const struct bpf64_backend *be, int fd, __u32 key_size)
{
	unsigned char key[64], next[64];
	int n = 0;

	if (bpf64_map_get_next_key(be, fd, NULL, next))
		return 0;
	do {
		memcpy(key, next, key_size);
		n++;
	} while (!bpf64_map_get_next_key(be, fd, key, next) && n < 1 << 20);
	return n;
}

static const char *type_name(__u32 type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
		return "hash";
	case BPF_MAP_TYPE_PERCPU_HASH:
		return "percpu hash";
	case BPF_MAP_TYPE_LRU_HASH:
		return "lru hash";
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return "lru percpu hash";
	default:
		return "hash of maps";
	}
}

static bool is_percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* The kinds of element maps, with and without preallocation. */
static const struct variant {
	__u32 type, flags;
	const char *what;
} variants[] = {
	{ BPF_MAP_TYPE_HASH, 0, "hash" },
	{ BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC, "hash NO_PREALLOC" },
	{ BPF_MAP_TYPE_PERCPU_HASH, 0, "percpu hash" },
	{ BPF_MAP_TYPE_PERCPU_HASH, BPF_F_NO_PREALLOC,
	  "percpu hash NO_PREALLOC" },
	{ BPF_MAP_TYPE_LRU_HASH, 0, "lru hash" },
	{ BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU, "lru hash NO_COMMON_LRU" },
	{ BPF_MAP_TYPE_LRU_PERCPU_HASH, 0, "lru percpu hash" },
};

/* Pinning to the CPU we are on, so that per-CPU state is one CPU's. */
static cpu_set_t saved_cpus;

static int pin_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	sched_getaffinity(0, sizeof(saved_cpus), &saved_cpus);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (cpu < 0 || sched_setaffinity(0, sizeof(set), &set))
		return -1;
	return cpu;
}

static void unpin_cpu(void)
{
	sched_setaffinity(0, sizeof(saved_cpus), &saved_cpus);
}

/* ---- MAP_CREATE ---- */

#define KMALLOC_MAX	(4U << 20)

static const struct create_case {
	const char *what;
	__u32 type, key_size, value_size, max_entries, flags;
	int err;
} create_cases[] = {
	{ "hash", BPF_MAP_TYPE_HASH, 4, 8, 4, 0, 0 },
	{ "hash key 0", BPF_MAP_TYPE_HASH, 0, 8, 4, 0, -EINVAL },
	{ "hash value 0", BPF_MAP_TYPE_HASH, 4, 0, 4, 0, -EINVAL },
	{ "hash max 0", BPF_MAP_TYPE_HASH, 4, 8, 0, 0, -EINVAL },
	{ "hash key 1 value 1", BPF_MAP_TYPE_HASH, 1, 1, 1, 0, 0 },
	{ "hash key+value at the kmalloc limit", BPF_MAP_TYPE_HASH, 4,
	  KMALLOC_MAX - 48 - 4, 1, 0, -E2BIG },
	{ "hash key+value under the kmalloc limit", BPF_MAP_TYPE_HASH, 4,
	  KMALLOC_MAX - 48 - 5, 1, BPF_F_NO_PREALLOC, 0 },
	{ "hash max 2^27+1 (buckets past 4 GiB)", BPF_MAP_TYPE_HASH, 4, 4,
	  (1U << 27) + 1, BPF_F_NO_PREALLOC, -E2BIG },
	{ "hash max 2^31+1", BPF_MAP_TYPE_HASH, 4, 4, (1U << 31) + 1,
	  BPF_F_NO_PREALLOC, -E2BIG },
	{ "hash NO_PREALLOC", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_NO_PREALLOC, 0 },
	{ "hash NO_COMMON_LRU", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_NO_COMMON_LRU,
	  -EINVAL },
	{ "hash NUMA_NODE", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_NUMA_NODE, 0 },
	{ "hash RDONLY", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_RDONLY, 0 },
	{ "hash WRONLY", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_WRONLY, 0 },
	{ "hash RDONLY|WRONLY", BPF_MAP_TYPE_HASH, 4, 8, 4,
	  BPF_F_RDONLY | BPF_F_WRONLY, -EINVAL },
	{ "hash RDONLY_PROG", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_RDONLY_PROG, 0 },
	{ "hash WRONLY_PROG", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_WRONLY_PROG, 0 },
	{ "hash RDONLY_PROG|WRONLY_PROG", BPF_MAP_TYPE_HASH, 4, 8, 4,
	  BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, -EINVAL },
	{ "hash ZERO_SEED", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_ZERO_SEED, 0 },
	{ "hash INNER_MAP", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_INNER_MAP, -EINVAL },
	{ "hash MMAPABLE", BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_MMAPABLE, -EINVAL },
	{ "hash PRESERVE_ELEMS", BPF_MAP_TYPE_HASH, 4, 8, 4,
	  BPF_F_PRESERVE_ELEMS, -EINVAL },
	{ "hash flag bit 20", BPF_MAP_TYPE_HASH, 4, 8, 4, 1U << 20, -EINVAL },
	{ "percpu", BPF_MAP_TYPE_PERCPU_HASH, 4, 12, 4, 0, 0 },
	{ "percpu NO_PREALLOC", BPF_MAP_TYPE_PERCPU_HASH, 4, 12, 4,
	  BPF_F_NO_PREALLOC, 0 },
	{ "percpu value 32768", BPF_MAP_TYPE_PERCPU_HASH, 4, 32768, 1, 0, 0 },
	{ "percpu value 32761", BPF_MAP_TYPE_PERCPU_HASH, 4, 32761, 1, 0, 0 },
	{ "percpu value 32769", BPF_MAP_TYPE_PERCPU_HASH, 4, 32769, 1, 0,
	  -E2BIG },
	{ "percpu value 32769 max 0", BPF_MAP_TYPE_PERCPU_HASH, 4, 32769, 0, 0,
	  -EINVAL },
	{ "percpu NUMA_NODE", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 4, BPF_F_NUMA_NODE,
	  -EINVAL },
	{ "percpu NO_COMMON_LRU", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 4,
	  BPF_F_NO_COMMON_LRU, -EINVAL },
	{ "lru", BPF_MAP_TYPE_LRU_HASH, 4, 8, 4, 0, 0 },
	{ "lru NO_PREALLOC", BPF_MAP_TYPE_LRU_HASH, 4, 8, 4, BPF_F_NO_PREALLOC,
	  -ENOTSUPP },
	{ "lru NO_PREALLOC|INNER_MAP (flags first)", BPF_MAP_TYPE_LRU_HASH, 4, 8,
	  4, BPF_F_NO_PREALLOC | BPF_F_INNER_MAP, -EINVAL },
	{ "lru NO_COMMON_LRU", BPF_MAP_TYPE_LRU_HASH, 4, 8, 4,
	  BPF_F_NO_COMMON_LRU, 0 },
	{ "lru NUMA_NODE", BPF_MAP_TYPE_LRU_HASH, 4, 8, 4, BPF_F_NUMA_NODE, 0 },
	{ "lru NO_COMMON_LRU|NUMA_NODE", BPF_MAP_TYPE_LRU_HASH, 4, 8, 4,
	  BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE, -EINVAL },
	{ "lru NO_COMMON_LRU max 2^31+1", BPF_MAP_TYPE_LRU_HASH, 4, 4,
	  (1U << 31) + 1, BPF_F_NO_COMMON_LRU, -E2BIG },
	{ "lru percpu", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 4, 0, 0 },
	{ "lru percpu value 32769", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 32769, 4,
	  0, -E2BIG },
	{ "lru percpu NUMA_NODE", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 4,
	  BPF_F_NUMA_NODE, -EINVAL },
	{ "lru percpu NO_PREALLOC", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 4,
	  BPF_F_NO_PREALLOC, -ENOTSUPP },
};

static void test_create(void)
{
	const struct bpf64_backend *be;
	unsigned int i;
	int fd;

	for_each_backend(be) {
		for (i = 0; i < ARRAY_SIZE(create_cases); i++) {
			const struct create_case *c = &create_cases[i];

			fd = hash_create(be, c->type, c->key_size,
					 c->value_size, c->max_entries,
					 c->flags);
			TU_CHECK(c->err ? fd == c->err : fd >= 0,
				 "%s: create %s: %d", be->name, c->what,
				 fd < 0 ? fd : 0);
			close_fd(be, fd);
		}
	}
}

/* NO_COMMON_LRU gives every CPU the same share of max_entries. */
static void test_lru_max_entries(void)
{
	unsigned int ncpus = bu_possible_cpus();
	const struct bpf64_backend *be;
	struct bpf_map_info info;
	__u32 len, want = (ncpus + 1 + ncpus - 1) / ncpus * ncpus;
	int fd, err;

	for_each_backend(be) {
		fd = hash_create(be, BPF_MAP_TYPE_LRU_HASH, 4, 8, ncpus + 1,
				 BPF_F_NO_COMMON_LRU);
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		err = bpf64_obj_get_info(be, fd, &info, &len);
		TU_CHECK(!err && info.max_entries == want,
			 "%s: NO_COMMON_LRU max_entries %u rounds up to %u (%d, %u)",
			 be->name, ncpus + 1, want, err, info.max_entries);
		close_fd(be, fd);
	}
}

/* ---- elements ---- */

static void test_update_flags(void)
{
	const struct bpf64_backend *be;
	__u64 value[2 * MAX_CPUS] = { };
	unsigned int v;
	__u32 key;
	int fd;

	for_each_backend(be) {
		for (v = 0; v < ARRAY_SIZE(variants); v++) {
			const char *n = variants[v].what;

			fd = hash_create(be, variants[v].type, 4, 16, 8,
					 variants[v].flags);
			TU_CHECK(fd >= 0, "%s: %s created (%d)", be->name, n, fd);
			key = 1;
			TU_CHECK(bpf64_map_update(be, fd, &key, value, BPF_EXIST) == -ENOENT,
				 "%s: %s BPF_EXIST on a missing key -ENOENT", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, BPF_NOEXIST) == 0,
				 "%s: %s BPF_NOEXIST inserts", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, BPF_NOEXIST) == -EEXIST,
				 "%s: %s BPF_NOEXIST again -EEXIST", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, BPF_EXIST) == 0,
				 "%s: %s BPF_EXIST replaces", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, BPF_ANY) == 0,
				 "%s: %s BPF_ANY replaces", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, 3) == -EINVAL,
				 "%s: %s flags 3 -EINVAL", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, 8) == -EINVAL,
				 "%s: %s flags 8 -EINVAL", be->name, n);
			TU_CHECK(bpf64_map_update(be, fd, &key, value, BPF_F_LOCK) == -EINVAL,
				 "%s: %s BPF_F_LOCK without a spin lock -EINVAL",
				 be->name, n);
			TU_CHECK(bpf64_map_lookup(be, fd, &key, value, 0) == 0,
				 "%s: %s lookup finds it", be->name, n);
			TU_CHECK(bpf64_map_lookup(be, fd, &key, value, 1) == -EINVAL,
				 "%s: %s lookup flags 1 -EINVAL", be->name, n);
			TU_CHECK(bpf64_map_delete(be, fd, &key) == 0,
				 "%s: %s delete", be->name, n);
			TU_CHECK(bpf64_map_delete(be, fd, &key) == -ENOENT,
				 "%s: %s delete again -ENOENT", be->name, n);
			TU_CHECK(bpf64_map_lookup(be, fd, &key, value, 0) == -ENOENT,
				 "%s: %s lookup after delete -ENOENT", be->name, n);
			close_fd(be, fd);
		}
	}
}

/* A full map refuses new keys, not updates of existing ones. */
static void test_full(void)
{
	const struct bpf64_backend *be;
	__u64 value[2 * MAX_CPUS] = { };
	unsigned int v;
	__u32 key;
	int fd, err, bad;

	for_each_backend(be) {
		for (v = 0; v < 4; v++) {	/* the non-LRU variants */
			const char *n = variants[v].what;

			fd = hash_create(be, variants[v].type, 4, 8, 8,
					 variants[v].flags);
			for (key = 0, bad = 0; key < 8; key++)
				bad += !!bpf64_map_update(be, fd, &key, value, BPF_ANY);
			TU_CHECK(!bad, "%s: %s takes max_entries keys", be->name, n);
			err = bpf64_map_update(be, fd, &key, value, BPF_ANY);
			TU_CHECK(err == -E2BIG, "%s: %s full: a new key -E2BIG (%d)",
				 be->name, n, err);
			err = bpf64_map_update(be, fd, &key, value, BPF_EXIST);
			TU_CHECK(err == -ENOENT,
				 "%s: %s full: BPF_EXIST on a new key -ENOENT (%d)",
				 be->name, n, err);
			key = 3;
			err = bpf64_map_update(be, fd, &key, value, BPF_ANY);
			TU_CHECK(!err, "%s: %s full: an existing key updates (%d)",
				 be->name, n, err);
			err = bpf64_map_update(be, fd, &key, value, BPF_NOEXIST);
			TU_CHECK(err == -EEXIST,
				 "%s: %s full: BPF_NOEXIST on an existing key -EEXIST (%d)",
				 be->name, n, err);
			bpf64_map_delete(be, fd, &key);
			key = 100;
			err = bpf64_map_update(be, fd, &key, value, BPF_NOEXIST);
			TU_CHECK(!err, "%s: %s after a delete a new key fits (%d)",
				 be->name, n, err);
			TU_CHECK(count_keys(be, fd, 4) == 8, "%s: %s holds 8 keys",
				 be->name, n);
			close_fd(be, fd);
		}
	}
}

/* Odd key and value sizes: every byte of the key counts. */
static void test_key_sizes(void)
{
	static const __u32 sizes[] = { 1, 3, 4, 7, 8, 13, 16, 40 };
	const struct bpf64_backend *be;
	unsigned char key[40], value[13], out[13];
	unsigned int s, i, found, bad;
	int fd;

	for_each_backend(be) {
		for (s = 0; s < ARRAY_SIZE(sizes); s++) {
			__u32 ks = sizes[s], nr = ks == 1 ? 200 : 256;

			fd = hash_create(be, BPF_MAP_TYPE_HASH, ks, sizeof(value),
					 nr, 0);
			bad = 0;
			/* Keys differ in their last byte only (and the first). */
			for (i = 0; i < nr; i++) {
				memset(key, 0x5a, ks);
				key[ks - 1] = i;
				key[0] ^= i >> 8;
				memset(value, i, sizeof(value));
				bad += !!bpf64_map_update(be, fd, key, value,
							  BPF_NOEXIST);
			}
			for (i = 0, found = 0; i < nr; i++) {
				memset(key, 0x5a, ks);
				key[ks - 1] = i;
				key[0] ^= i >> 8;
				memset(value, i, sizeof(value));
				found += !bpf64_map_lookup(be, fd, key, out, 0) &&
					 !memcmp(out, value, sizeof(value));
			}
			TU_CHECK(!bad && found == nr && count_keys(be, fd, ks) == (int)nr,
				 "%s: key size %u: %u distinct keys, each with its value (%u found, %u failed)",
				 be->name, ks, nr, found, bad);
			close_fd(be, fd);
		}
	}
}

static void test_lookup_and_delete(void)
{
	unsigned int ncpus = bu_possible_cpus();
	const struct bpf64_backend *be;
	__u64 in[2 * MAX_CPUS], out[2 * MAX_CPUS];
	size_t size;
	unsigned int v, i;
	__u32 key = 7;
	int fd, err;

	for_each_backend(be) {
		for (v = 0; v < ARRAY_SIZE(variants); v++) {
			const char *n = variants[v].what;

			size = is_percpu(variants[v].type) ? ncpus * 16 : 12;
			for (i = 0; i < 2 * MAX_CPUS; i++)
				in[i] = 0x0101010101010101ULL * (i + 1);
			/* Linux keeps only value_size bytes of a plain value. */
			fd = hash_create(be, variants[v].type, 4, 12, 4,
					 variants[v].flags);
			err = bpf64_map_lookup_and_delete(be, fd, &key, out, 0);
			TU_CHECK(err == -ENOENT, "%s: %s missing key -ENOENT (%d)",
				 be->name, n, err);
			bpf64_map_update(be, fd, &key, in, BPF_ANY);
			err = bpf64_map_lookup_and_delete(be, fd, &key, out, BPF_F_LOCK);
			TU_CHECK(err == -EINVAL, "%s: %s BPF_F_LOCK -EINVAL (%d)",
				 be->name, n, err);
			err = bpf64_map_lookup_and_delete(be, fd, &key, out, 2);
			TU_CHECK(err == -EINVAL, "%s: %s flags 2 -EINVAL (%d)",
				 be->name, n, err);
			memset(out, 0, sizeof(out));
			err = bpf64_map_lookup_and_delete(be, fd, &key, out, 0);
			TU_CHECK(!err && !memcmp(in, out, size),
				 "%s: %s returns the value (%d)", be->name, n, err);
			err = bpf64_map_lookup(be, fd, &key, out, 0);
			TU_CHECK(err == -ENOENT, "%s: %s and deletes it (%d)",
				 be->name, n, err);
			close_fd(be, fd);
		}
	}
}

/* bpf() passes one value per possible CPU, each rounded up to 8 bytes. */
static void test_percpu_values(void)
{
	unsigned int ncpus = bu_possible_cpus(), t, i;
	static const __u32 types[] = { BPF_MAP_TYPE_PERCPU_HASH,
				       BPF_MAP_TYPE_LRU_PERCPU_HASH };
	const struct bpf64_backend *be;
	unsigned char in[16 * MAX_CPUS], out[16 * MAX_CPUS];
	__u32 key = 3;
	int fd, err;

	if (ncpus > MAX_CPUS) {
		tu_skip("# SKIP percpu values: %u CPUs", ncpus);
		return;
	}
	for (i = 0; i < sizeof(in); i++)
		in[i] = i * 7 + 1;
	for_each_backend(be) {
		for (t = 0; t < ARRAY_SIZE(types); t++) {
			const char *n = type_name(types[t]);

			fd = hash_create(be, types[t], 4, 12, 4, 0);
			err = bpf64_map_update(be, fd, &key, in, BPF_ANY);
			memset(out, 0, sizeof(out));
			err = err ? err : bpf64_map_lookup(be, fd, &key, out, 0);
			/* Linux copies each CPU's 16 bytes, padding too. */
			TU_CHECK(!err && !memcmp(in, out, ncpus * 16) &&
				 !out[ncpus * 16],
				 "%s: %s: %u CPUs x 16 bytes round-trip (%d)",
				 be->name, n, ncpus, err);
			close_fd(be, fd);
		}
	}
}

static void test_get_next_key(void)
{
	enum { N = 100 };
	const struct bpf64_backend *be;
	__u32 key, next, first, missing = 12345;
	unsigned char seen[N];
	int fd, err, n, dup;
	__u64 value = 1;

	for_each_backend(be) {
		fd = hash_create(be, BPF_MAP_TYPE_HASH, 4, 8, N, 0);
		err = bpf64_map_get_next_key(be, fd, NULL, &next);
		TU_CHECK(err == -ENOENT, "%s: empty map: no first key -ENOENT (%d)",
			 be->name, err);
		err = bpf64_map_get_next_key(be, fd, &missing, &next);
		TU_CHECK(err == -ENOENT, "%s: empty map: none after a missing key (%d)",
			 be->name, err);
		for (key = 0; key < N; key++)
			bpf64_map_update(be, fd, &key, &value, BPF_ANY);
		memset(seen, 0, sizeof(seen));
		err = bpf64_map_get_next_key(be, fd, NULL, &first);
		for (n = 0, dup = 0, next = first; !err; n++) {
			if (next >= N || seen[next]++)
				dup++;
			key = next;
			err = bpf64_map_get_next_key(be, fd, &key, &next);
		}
		TU_CHECK(n == N && !dup && err == -ENOENT,
			 "%s: the walk visits each of %d keys once, then -ENOENT (%d keys, %d bad)",
			 be->name, N, n, dup);
		err = bpf64_map_get_next_key(be, fd, &missing, &next);
		TU_CHECK(!err && next == first,
			 "%s: after a missing key comes the first key (%d, %u, %u)",
			 be->name, err, next, first);
		/* Delete each key as the walk passes it: it restarts, ends. */
		err = bpf64_map_get_next_key(be, fd, NULL, &key);
		for (n = 0; !err && n <= N; n++) {
			bpf64_map_delete(be, fd, &key);
			err = bpf64_map_get_next_key(be, fd, &key, &next);
			key = next;
		}
		TU_CHECK(err == -ENOENT && n == N && count_keys(be, fd, 4) == 0,
			 "%s: deleting while walking visits every key (%d steps)",
			 be->name, n);
		close_fd(be, fd);
	}
}

/* The fd's access flags, from bpf()'s side. */
static void test_access_flags(void)
{
	const struct bpf64_backend *be;
	__u64 value = 1;
	__u32 key = 1;
	int fd, err;

	for_each_backend(be) {
		fd = hash_create(be, BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_RDONLY);
		err = bpf64_map_update(be, fd, &key, &value, BPF_ANY);
		TU_CHECK(err == -EPERM, "%s: RDONLY: update -EPERM (%d)",
			 be->name, err);
		err = bpf64_map_lookup(be, fd, &key, &value, 0);
		TU_CHECK(err == -ENOENT, "%s: RDONLY: lookup allowed (%d)",
			 be->name, err);
		close_fd(be, fd);
		fd = hash_create(be, BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_WRONLY);
		err = bpf64_map_update(be, fd, &key, &value, BPF_ANY);
		TU_CHECK(!err, "%s: WRONLY: update allowed (%d)", be->name, err);
		err = bpf64_map_lookup(be, fd, &key, &value, 0);
		TU_CHECK(err == -EPERM, "%s: WRONLY: lookup -EPERM (%d)",
			 be->name, err);
		close_fd(be, fd);
	}
}

/* ---- maps of maps ---- */

static __u32 map_id(const struct bpf64_backend *be, int fd)
{
	struct bpf_map_info info = { };
	__u32 len = sizeof(info);

	return bpf64_obj_get_info(be, fd, &info, &len) ? 0 : info.id;
}

static void test_hash_of_maps(void)
{
	const struct bpf64_backend *be;
	int inner, other, wrong, outer, err;
	__u32 key = 5, value, next;
	__u64 buf = 0;

	for_each_backend(be) {
		inner = hash_create(be, BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
		other = hash_create(be, BPF_MAP_TYPE_HASH, 4, 8, 32, 0);
		wrong = hash_create(be, BPF_MAP_TYPE_HASH, 4, 16, 16, 0);
		err = bpf64_map_create_inner(be, BPF_MAP_TYPE_HASH_OF_MAPS, NULL,
					     4, 8, 4, 0, inner);
		TU_CHECK(err == -EINVAL, "%s: value size 8 -EINVAL (%d)",
			 be->name, err);
		close_fd(be, err);
		outer = bpf64_map_create_inner(be, BPF_MAP_TYPE_HASH_OF_MAPS,
					       NULL, 4, 4, 4, 0, inner);
		TU_CHECK(outer >= 0, "%s: hash of maps created (%d)", be->name,
			 outer);
		value = inner;
		err = bpf64_map_update(be, outer, &key, &value, BPF_ANY);
		TU_CHECK(!err, "%s: an inner map fd goes in (%d)", be->name, err);
		value = 0;
		err = bpf64_map_lookup(be, outer, &key, &value, 0);
		TU_CHECK(!err && value == map_id(be, inner),
			 "%s: lookup gives the inner map's id (%d, %u)", be->name,
			 err, value);
		value = other;
		err = bpf64_map_update(be, outer, &key, &value, BPF_NOEXIST);
		TU_CHECK(err == -EEXIST, "%s: BPF_NOEXIST -EEXIST (%d)", be->name,
			 err);
		err = bpf64_map_update(be, outer, &key, &value, BPF_EXIST);
		err = err ? err : bpf64_map_lookup(be, outer, &key, &value, 0);
		TU_CHECK(!err && value == map_id(be, other),
			 "%s: another map of the same shape replaces it (%d)",
			 be->name, err);
		value = wrong;
		err = bpf64_map_update(be, outer, &key, &value, BPF_ANY);
		TU_CHECK(err == -EINVAL, "%s: a map of another shape -EINVAL (%d)",
			 be->name, err);
		value = 9999;
		err = bpf64_map_update(be, outer, &key, &value, BPF_ANY);
		TU_CHECK(err == -EBADF, "%s: not an fd -EBADF (%d)", be->name, err);
		value = 9999;
		err = bpf64_map_update(be, outer, &key, &value, 3);
		TU_CHECK(err == -EBADF, "%s: the fd is checked before the flags (%d)",
			 be->name, err);
		value = inner;
		err = bpf64_map_update(be, outer, &key, &value, 3);
		TU_CHECK(err == -EINVAL, "%s: flags 3 -EINVAL (%d)", be->name, err);
		err = bpf64_map_get_next_key(be, outer, NULL, &next);
		TU_CHECK(!err && next == key, "%s: get_next_key (%d)", be->name,
			 err);
		err = bpf64_map_lookup_and_delete(be, outer, &key, &buf, 0);
		TU_CHECK(err == -ENOTSUPP, "%s: lookup_and_delete -ENOTSUPP (%d)",
			 be->name, err);
		err = bpf64_map_delete(be, outer, &key);
		TU_CHECK(!err, "%s: delete (%d)", be->name, err);
		err = bpf64_map_lookup(be, outer, &key, &value, 0);
		TU_CHECK(err == -ENOENT, "%s: deleted (%d)", be->name, err);
		value = inner;
		bpf64_map_update(be, outer, &key, &value, BPF_ANY);
		close_fd(be, outer);	/* drops the inner map with it */
		close_fd(be, wrong);
		close_fd(be, other);
		close_fd(be, inner);
	}
}

/* ---- programs ---- */

/*
 * r0 = bpf_map_update_elem(map, &key, &val, flags) for key and val given
 * at load time.
 */
static int load_update(const struct bpf64_backend *be, int map, __u32 key,
		       __u64 val, __u64 flags)
{
	struct bpf_insn insns[] = {
		BPF64_ST_MEM(BPF_W, BPF_REG_10, -4, key),
		BPF64_LD_IMM64(BPF_REG_1, val),
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -16),
		BPF64_LD_MAP_FD(BPF_REG_1, map),
		BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
		BPF64_MOV64_REG(BPF_REG_3, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_3, -16),
		BPF64_MOV64_IMM(BPF_REG_4, flags),
		BPF64_CALL_HELPER(BPF_FUNC_map_update_elem),
		BPF64_EXIT_INSN(),
	};
	struct bpf64_load_opts opts = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER };

	return bpf64_prog_load(be, insns, ARRAY_SIZE(insns), &opts);
}

/* r0 = the u32 at the value of @key, or 0xdead if there is none. */
static int load_lookup(const struct bpf64_backend *be, int map, __u32 key)
{
	struct bpf_insn insns[] = {
		BPF64_ST_MEM(BPF_W, BPF_REG_10, -4, key),
		BPF64_LD_MAP_FD(BPF_REG_1, map),
		BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),
		BPF64_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
		BPF64_MOV64_IMM(BPF_REG_0, 0xdead),
		BPF64_EXIT_INSN(),
	};
	struct bpf64_load_opts opts = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER };

	return bpf64_prog_load(be, insns, ARRAY_SIZE(insns), &opts);
}

static int run_prog(const struct bpf64_backend *be, int prog, __u32 *retval)
{
	unsigned char pkt[64] = { };
	struct bpf64_test_opts run = {
		.data_in = pkt,
		.data_size_in = sizeof(pkt),
	};
	int err = bpf64_prog_test_run(be, prog, &run);

	*retval = run.retval;
	return err;
}

/*
 * A program writes and reads the value of the CPU it runs on; a new
 * element starts at zero on the other CPUs.
 */
static void test_percpu_from_program(void)
{
	unsigned int ncpus = bu_possible_cpus(), t, c, bad;
	static const __u32 types[] = { BPF_MAP_TYPE_PERCPU_HASH,
				       BPF_MAP_TYPE_LRU_PERCPU_HASH };
	const struct bpf64_backend *be;
	__u64 vals[MAX_CPUS];
	int fd, upd, upd_exist, look, cpu, err;
	__u32 key = 9, ret;

	cpu = pin_cpu();
	if (cpu < 0 || ncpus > MAX_CPUS) {
		tu_skip("# SKIP percpu from a program: cannot pin a CPU");
		return;
	}
	for_each_backend(be) {
		for (t = 0; t < ARRAY_SIZE(types); t++) {
			const char *n = type_name(types[t]);

			fd = hash_create(be, types[t], 4, 8, 4, 0);
			upd = load_update(be, fd, key, 0x1234, BPF_NOEXIST);
			upd_exist = load_update(be, fd, key, 0x5678, BPF_EXIST);
			look = load_lookup(be, fd, key);
			TU_CHECK(upd >= 0 && upd_exist >= 0 && look >= 0,
				 "%s: %s: programs load (%d %d %d)", be->name, n,
				 upd, upd_exist, look);
			err = run_prog(be, look, &ret);
			TU_CHECK(!err && ret == 0xdead, "%s: %s: no element yet (%d, %#x)",
				 be->name, n, err, ret);
			err = run_prog(be, upd, &ret);
			TU_CHECK(!err && ret == 0, "%s: %s: the program inserts (%d, %d)",
				 be->name, n, err, (int)ret);
			err = run_prog(be, upd, &ret);
			TU_CHECK(!err && (int)ret == -EEXIST,
				 "%s: %s: BPF_NOEXIST again -EEXIST (%d, %d)",
				 be->name, n, err, (int)ret);
			memset(vals, 0xff, sizeof(vals));
			err = bpf64_map_lookup(be, fd, &key, vals, 0);
			for (c = 0, bad = 0; c < ncpus; c++)
				bad += vals[c] != (c == (unsigned int)cpu ? 0x1234 : 0);
			TU_CHECK(!err && !bad,
				 "%s: %s: CPU %d has the value, the others zero (%d, %u bad)",
				 be->name, n, cpu, err, bad);
			for (c = 0; c < ncpus; c++)
				vals[c] = 100 + c;
			bpf64_map_update(be, fd, &key, vals, BPF_EXIST);
			err = run_prog(be, look, &ret);
			TU_CHECK(!err && ret == 100u + cpu,
				 "%s: %s: a lookup sees its CPU's value (%d, %u)",
				 be->name, n, err, ret);
			err = run_prog(be, upd_exist, &ret);
			memset(vals, 0, sizeof(vals));
			err = err ? err : bpf64_map_lookup(be, fd, &key, vals, 0);
			for (c = 0, bad = 0; c < ncpus; c++)
				bad += vals[c] != (c == (unsigned int)cpu ? 0x5678 : 100 + c);
			TU_CHECK(!err && !bad,
				 "%s: %s: an update touches its CPU's value only (%d, %u bad)",
				 be->name, n, err, bad);
			close_fd(be, look);
			close_fd(be, upd_exist);
			close_fd(be, upd);
			close_fd(be, fd);
		}
	}
	unpin_cpu();
}

/* ---- LRU under pressure ---- */

#define LRU_HOT		8

/* Look up keys 0..LRU_HOT-1: marks them used, as programs do. */
static int load_touch_hot(const struct bpf64_backend *be, int map)
{
	struct bpf_insn insns[6 * LRU_HOT + 2];
	struct bpf64_load_opts opts = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER };
	unsigned int i, n = 0;

	for (i = 0; i < LRU_HOT; i++) {
		struct bpf_insn call[] = {
			BPF64_ST_MEM(BPF_W, BPF_REG_10, -4, i),
			BPF64_LD_MAP_FD(BPF_REG_1, map),
			BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),
			BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
			BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		};

		memcpy(insns + n, call, sizeof(call));
		n += ARRAY_SIZE(call);
	}
	insns[n++] = BPF64_MOV64_IMM(BPF_REG_0, 0);
	insns[n++] = BPF64_EXIT_INSN();
	return bpf64_prog_load(be, insns, n, &opts);
}

/*
 * Linux frees LRU elements in batches and per CPU, so what holds on one
 * CPU: every insert succeeds, the map never holds more than its CPU's
 * share, at least half of that stays, the newest keys are there, and with
 * the common LRU keys a program keeps looking up are never evicted.
 */
static void test_lru_pressure(void)
{
	enum { N = 128, ROUNDS = 32, PER_ROUND = 16 };
	static const struct variant *lru_variants[] = {
		&variants[4], &variants[5], &variants[6],
	};
	unsigned int ncpus = bu_possible_cpus(), v, r, i, hot, newest, cap;
	const struct bpf64_backend *be;
	__u64 value[MAX_CPUS] = { };
	int fd, prog, fails, n;
	__u32 key, ret;

	if (pin_cpu() < 0 || ncpus > MAX_CPUS) {
		tu_skip("# SKIP LRU pressure: cannot pin a CPU");
		return;
	}
	for_each_backend(be) {
		for (v = 0; v < ARRAY_SIZE(lru_variants); v++) {
			const struct variant *var = lru_variants[v];

			cap = var->flags & BPF_F_NO_COMMON_LRU ? N / ncpus : N;
			fd = hash_create(be, var->type, 4, 8, N, var->flags);
			prog = load_touch_hot(be, fd);
			TU_CHECK(fd >= 0 && prog >= 0, "%s: %s: map and program (%d, %d)",
				 be->name, var->what, fd, prog);
			fails = 0;
			for (key = 0; key < cap; key++)
				fails += !!bpf64_map_update(be, fd, &key, value, BPF_ANY);
			for (r = 0; r < ROUNDS; r++) {
				fails += !!run_prog(be, prog, &ret);
				for (i = 0; i < PER_ROUND; i++, key++)
					fails += !!bpf64_map_update(be, fd, &key, value,
								    BPF_ANY);
			}
			n = count_keys(be, fd, 4);
			for (i = 0, hot = 0; i < LRU_HOT; i++)
				hot += !bpf64_map_lookup(be, fd, &i, value, 0);
			for (i = key - 4, newest = 0; i < key; i++)
				newest += !bpf64_map_lookup(be, fd, &i, value, 0);
			TU_CHECK(!fails, "%s: %s: %u inserts all succeed", be->name,
				 var->what, key);
			TU_CHECK(n <= (int)cap && n >= (int)cap / 2,
				 "%s: %s: %d elements, within [%u, %u]", be->name,
				 var->what, n, cap / 2, cap);
			TU_CHECK(newest == 4, "%s: %s: the 4 newest keys are there (%u)",
				 be->name, var->what, newest);
			/* Linux's per-CPU lists scan 4 nodes, then evict any. */
			if (!(var->flags & BPF_F_NO_COMMON_LRU))
				TU_CHECK(hot == LRU_HOT,
					 "%s: %s: the %d keys a program looks up survive (%u)",
					 be->name, var->what, LRU_HOT, hot);
			close_fd(be, prog);
			close_fd(be, fd);
		}
	}
	unpin_cpu();
}

/* ---- threads ---- */

enum { ST_MAX = 64, ST_STABLE = 16, ST_CHURN = 160, ST_OPS = 20000,
       ST_WRITERS = 4, ST_READERS = 2 };

struct stress {
	const struct bpf64_backend *be;
	int fd;
	__u32 type;
	unsigned int seed;
	long added, removed;	/* successful inserts and deletes */
	long bad;		/* answers no run may give */
};

static void stress_value(__u64 *v, __u32 key, unsigned int nvals)
{
	unsigned int i;

	for (i = 0; i < nvals; i += 2) {
		v[i] = key;
		v[i + 1] = ~(__u64)key;
	}
}

static bool stress_value_ok(const __u64 *v, __u32 key, unsigned int nvals)
{
	unsigned int i;

	for (i = 0; i < nvals; i += 2)
		if (v[i] != key || v[i + 1] != ~(__u64)key)
			return false;
	return true;
}

static unsigned int stress_nvals(__u32 type)
{
	return is_percpu(type) ? 2 * bu_possible_cpus() : 2;
}

/* Writers insert (NOEXIST), replace (EXIST) and delete churn keys. */
static void *stress_writer(void *arg)
{
	struct stress *s = arg;
	unsigned int nvals = stress_nvals(s->type), i;
	bool lru = s->type == BPF_MAP_TYPE_LRU_HASH;
	__u64 v[2 * MAX_CPUS], out[2 * MAX_CPUS];
	__u32 key;
	int err;

	for (i = 0; i < ST_OPS; i++) {
		key = ST_STABLE + rand_r(&s->seed) % ST_CHURN;
		stress_value(v, key, nvals);
		switch (rand_r(&s->seed) % 4) {
		case 0:
			err = bpf64_map_update(s->be, s->fd, &key, v, BPF_NOEXIST);
			s->added += !err;
			s->bad += err && err != -EEXIST && err != -E2BIG &&
				  !(lru && err == -ENOMEM);
			break;
		case 1:
			err = bpf64_map_update(s->be, s->fd, &key, v, BPF_EXIST);
			s->bad += err && err != -ENOENT && !(lru && err == -ENOMEM);
			break;
		case 2:
			err = bpf64_map_delete(s->be, s->fd, &key);
			s->removed += !err;
			s->bad += err && err != -ENOENT;
			break;
		default:
			err = bpf64_map_lookup_and_delete(s->be, s->fd, &key, out, 0);
			s->removed += !err;
			s->bad += err ? err != -ENOENT : !stress_value_ok(out, key, nvals);
			break;
		}
	}
	return NULL;
}

/*
 * Readers: stable keys are never missed, nor their values torn.  In an
 * LRU map they may be evicted, and their element reused while it is read.
 */
static void *stress_reader(void *arg)
{
	struct stress *s = arg;
	unsigned int nvals = stress_nvals(s->type), i;
	bool lru = s->type == BPF_MAP_TYPE_LRU_HASH;
	__u64 v[2 * MAX_CPUS];
	__u32 key;
	int err;

	for (i = 0; i < ST_OPS; i++) {
		key = rand_r(&s->seed) % ST_STABLE;
		err = bpf64_map_lookup(s->be, s->fd, &key, v, 0);
		if (lru)
			s->bad += err && err != -ENOENT;
		else
			s->bad += err || !stress_value_ok(v, key, nvals);
	}
	return NULL;
}

/*
 * Threads race on a small map, so that elements move between buckets all
 * the time.  Afterwards: the inserts that succeeded less the deletes that
 * succeeded are exactly the elements left, each key once, each value
 * whole, and the stable keys were never missed.
 */
static void stress_one(const struct bpf64_backend *be, const struct variant *var)
{
	struct stress st[ST_WRITERS + ST_READERS];
	unsigned int nvals = stress_nvals(var->type), i;
	pthread_t th[ST_WRITERS + ST_READERS];
	__u64 v[2 * MAX_CPUS];
	unsigned char seen[ST_STABLE + ST_CHURN] = { };
	long added = ST_STABLE, removed = 0, bad = 0;
	__u32 key, next;
	int fd, n = 0, err;
	bool lru = var->type == BPF_MAP_TYPE_LRU_HASH;

	fd = hash_create(be, var->type, 4, nvals * 8, ST_MAX, var->flags);
	for (key = 0; key < ST_STABLE; key++) {
		stress_value(v, key, nvals);
		bad += !!bpf64_map_update(be, fd, &key, v, BPF_NOEXIST);
	}
	for (i = 0; i < ST_WRITERS + ST_READERS; i++) {
		st[i] = (struct stress){ .be = be, .fd = fd, .type = var->type,
					 .seed = i * 7919 + 1 };
		pthread_create(&th[i], NULL,
			       i < ST_WRITERS ? stress_writer : stress_reader,
			       &st[i]);
	}
	for (i = 0; i < ST_WRITERS + ST_READERS; i++) {
		pthread_join(th[i], NULL);
		added += st[i].added;
		removed += st[i].removed;
		bad += st[i].bad;
	}
	err = bpf64_map_get_next_key(be, fd, NULL, &next);
	while (!err) {
		key = next;
		n++;
		if (key >= ST_STABLE + ST_CHURN || seen[key]++ ||
		    bpf64_map_lookup(be, fd, &key, v, 0) ||
		    !stress_value_ok(v, key, nvals))
			bad++;
		err = bpf64_map_get_next_key(be, fd, &key, &next);
	}
	if (lru)
		TU_CHECK(!bad && n <= ST_MAX,
			 "%s: %s: %d threads race; %d elements, at most %d, each once and whole (%ld bad)",
			 be->name, var->what, ST_WRITERS + ST_READERS, n,
			 ST_MAX, bad);
	else
		TU_CHECK(!bad && n == added - removed,
			 "%s: %s: %d threads race; %d elements = %ld inserted - %ld deleted, each once and whole (%ld bad)",
			 be->name, var->what, ST_WRITERS + ST_READERS, n,
			 added, removed, bad);
	close_fd(be, fd);
}

static void test_stress(void)
{
	static const struct variant stress_variants[] = {
		{ BPF_MAP_TYPE_HASH, 0, "hash" },
		{ BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC, "hash NO_PREALLOC" },
		{ BPF_MAP_TYPE_PERCPU_HASH, 0, "percpu hash" },
	};
	const struct bpf64_backend *be;
	unsigned int v;

	for_each_backend(be)
		for (v = 0; v < ARRAY_SIZE(stress_variants); v++)
			stress_one(be, &stress_variants[v]);
}

/* ---- bpf64 only ---- */

static struct bpf64_map *map_of(int fd)
{
	struct bpf64_map *map = bpf64_map_from_fd(fd);

	if (map)
		bpf64_map_put(map);	/* the fd keeps it */
	return map;
}

/* The checked mode asks whether a program may touch an address. */
static void test_mem_ok(void)
{
	static const struct { __u32 type, flags; } cases[] = {
		{ BPF_MAP_TYPE_HASH, 0 },
		{ BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_PERCPU_HASH, 0 },
		{ BPF_MAP_TYPE_LRU_HASH, 0 },
		{ BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_F_NO_COMMON_LRU },
	};
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	struct bpf64_map *map;
	__u64 value[MAX_CPUS] = { }, p;
	unsigned int c;
	__u32 key = 1;
	bool in, edge, past, before, ro, wo;
	int fd;

	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		fd = hash_create(be, cases[c].type, 4, 12, 8, cases[c].flags);
		bpf64_map_update(be, fd, &key, value, BPF_ANY);
		map = map_of(fd);
		p = (unsigned long)map->ops->map_lookup_elem(map, &key);
		in = p && map->ops->map_mem_ok(map, p, 12, true);
		edge = p && map->ops->map_mem_ok(map, p + 11, 1, false);
		past = p && map->ops->map_mem_ok(map, p + 8, 8, false);
		before = p && map->ops->map_mem_ok(map, p - 1, 1, false);
		TU_CHECK(in && edge && !past && !before,
			 "bpf64: %s%s: map_mem_ok covers the 12 value bytes only (%d %d %d %d)",
			 type_name(cases[c].type),
			 cases[c].flags ? " (flags)" : "", in, edge, past, before);
		close_fd(be, fd);
	}
	fd = hash_create(be, BPF_MAP_TYPE_HASH, 4, 8, 8, BPF_F_RDONLY_PROG);
	bpf64_map_update(be, fd, &key, value, BPF_ANY);
	map = map_of(fd);
	p = (unsigned long)map->ops->map_lookup_elem(map, &key);
	ro = map->ops->map_mem_ok(map, p, 8, false) &&
	     !map->ops->map_mem_ok(map, p, 8, true);
	TU_CHECK(ro, "bpf64: RDONLY_PROG: programs may read, not write");
	close_fd(be, fd);
	fd = hash_create(be, BPF_MAP_TYPE_HASH, 4, 8, 8, BPF_F_WRONLY_PROG);
	bpf64_map_update(be, fd, &key, value, BPF_ANY);
	map = map_of(fd);
	p = (unsigned long)map->ops->map_lookup_elem(map, &key);
	wo = !map->ops->map_mem_ok(map, p, 8, false) &&
	     map->ops->map_mem_ok(map, p, 8, true);
	TU_CHECK(wo, "bpf64: WRONLY_PROG: programs may write, not read");
	close_fd(be, fd);
}

/* Inner maps are freed with the last reference: the outer map's. */
static void test_inner_map_refs(void)
{
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	union bpf_attr attr;
	int inner, outer, fd;
	__u32 key = 1, value, id;

	inner = hash_create(be, BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	outer = bpf64_map_create_inner(be, BPF_MAP_TYPE_HASH_OF_MAPS, NULL, 4,
				       4, 4, 0, inner);
	id = map_id(be, inner);
	value = inner;
	bpf64_map_update(be, outer, &key, &value, BPF_ANY);
	be->close(inner);
	memset(&attr, 0, sizeof(attr));
	attr.map_id = id;
	fd = be->sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr, sizeof(attr));
	TU_CHECK(fd >= 0, "bpf64: the outer map keeps its inner map (%d)", fd);
	close_fd(be, fd);
	bpf64_map_delete(be, outer, &key);
	fd = be->sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr, sizeof(attr));
	TU_CHECK(fd == -ENOENT, "bpf64: deleting the element frees it (%d)", fd);
	close_fd(be, fd);
	be->close(outer);
}

/* bpf64's LRU evicts one element at a time: a full map stays full. */
static void test_lru_exact(void)
{
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	__u64 value = 0;
	__u32 key;
	int fd, n;

	fd = hash_create(be, BPF_MAP_TYPE_LRU_HASH, 4, 8, 100, 0);
	for (key = 0; key < 1000; key++)
		bpf64_map_update(be, fd, &key, &value, BPF_ANY);
	n = count_keys(be, fd, 4);
	key = 999;
	TU_CHECK(n == 100 && !bpf64_map_lookup(be, fd, &key, &value, 0),
		 "bpf64: an LRU map of 100 after 1000 inserts holds 100 (%d)", n);
	close_fd(be, fd);
}

/* LRU eviction and percpu in-place updates race with lookups. */
static void test_stress_lru(void)
{
	static const struct variant lru_stress[] = {
		{ BPF_MAP_TYPE_LRU_HASH, 0, "lru hash" },
		{ BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU,
		  "lru hash NO_COMMON_LRU" },
	};
	const struct bpf64_backend *be;
	unsigned int v;

	for_each_backend(be)
		for (v = 0; v < ARRAY_SIZE(lru_stress); v++)
			stress_one(be, &lru_stress[v]);
}

/*
 * Programs' lookups take no lock: hammer them directly while writers move
 * elements between the buckets of a small map.  A stable key must always
 * be found, its value whole and inside the map's values.  With @replace,
 * writers also replace another set of keys, which must always be found
 * too (Linux may miss those for a moment).  Without, churn is inserts and
 * deletes only, so only the bucket markers tell a reader it strayed.  A
 * reader that ignored either would miss a key about once per million
 * lookups here, hence the count.
 */
enum { DI_MAX = 64, DI_STABLE = 8, DI_REPLACED = 8, DI_CHURN = 256,
       DI_OPS = 2000000 };

struct direct {
	struct bpf64_map *map;
	unsigned int seed;
	bool writer, replace;
	long bad;
};

static void *direct_thread(void *arg)
{
	struct direct *d = arg;
	struct bpf64_map *map = d->map;
	__u64 v[2], *p;
	unsigned int i;
	__u32 key;

	for (i = 0; i < DI_OPS; i++) {
		key = rand_r(&d->seed) % (DI_STABLE + DI_REPLACED + DI_CHURN);
		if (d->writer && key >= DI_STABLE + DI_REPLACED) {
			stress_value(v, key, 2);
			if (rand_r(&d->seed) & 1)
				map->ops->map_update_elem(map, &key, v,
							  d->replace ? BPF_ANY :
								       BPF_NOEXIST);
			else
				map->ops->map_delete_elem(map, &key);
		} else if (d->writer && key >= DI_STABLE && d->replace) {
			stress_value(v, key, 2);
			d->bad += !!map->ops->map_update_elem(map, &key, v,
							      BPF_EXIST);
		} else if (!d->writer) {
			key %= DI_STABLE + DI_REPLACED;
			p = map->ops->map_lookup_elem(map, &key);
			d->bad += !p || !map->ops->map_mem_ok(map,
					(unsigned long)p, 16, true) ||
				  (key < DI_STABLE && !stress_value_ok(p, key, 2));
		}
	}
	return NULL;
}

static void stress_direct(bool replace)
{
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	struct direct d[4];
	pthread_t th[4];
	__u64 v[2];
	long bad = 0;
	unsigned int i;
	__u32 key;
	int fd;

	fd = hash_create(be, BPF_MAP_TYPE_HASH, 4, 16, DI_MAX,
			 BPF_F_NO_PREALLOC);
	for (key = 0; key < DI_STABLE + DI_REPLACED; key++) {
		stress_value(v, key, 2);
		bpf64_map_update(be, fd, &key, v, BPF_ANY);
	}
	for (i = 0; i < 4; i++) {
		d[i] = (struct direct){ .map = map_of(fd), .seed = i + 1,
					.writer = i < 2, .replace = replace };
		pthread_create(&th[i], NULL, direct_thread, &d[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		bad += d[i].bad;
	}
	TU_CHECK(!bad && count_keys(be, fd, 4) <= DI_MAX,
		 "bpf64: %d lock-free lookups never miss a stable%s key while 2 writers %s (%ld bad)",
		 2 * DI_OPS, replace ? " or replaced" : "",
		 replace ? "replace and delete" : "insert and delete", bad);
	close_fd(be, fd);
}

static void test_stress_direct(void)
{
	stress_direct(false);
	stress_direct(true);
}

int main(void)
{
	test_create();
	test_lru_max_entries();
	test_update_flags();
	test_full();
	test_key_sizes();
	test_lookup_and_delete();
	test_percpu_values();
	test_get_next_key();
	test_access_flags();
	test_hash_of_maps();
	test_percpu_from_program();
	test_lru_pressure();
	test_stress();
	test_stress_lru();
	test_stress_direct();
	test_mem_ok();
	test_inner_map_refs();
	test_lru_exact();
	bpf64_sys_reset();
	return tu_exit();
}
