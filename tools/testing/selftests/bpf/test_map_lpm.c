// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_MAP_TYPE_LPM_TRIE: creation errors, update flags, longest prefix
 * match, deletes and get_next_key's order (more specific prefixes first),
 * checked against a brute-force model and run against bpf64 and the
 * running kernel, which must agree.  Threads hammer the trie on both;
 * what programs see of values (map_mem_ok, recycled nodes) is bpf64's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/syscall.h>

#include "backend_util.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Keys with up to 4 data bytes: struct bpf_lpm_trie_key_u8's layout. */
struct key4 {
	__u32 prefixlen;
	__u8 data[4];
};

static struct key4 k4(__u32 prefixlen, __u8 a, __u8 b, __u8 c, __u8 d)
{
	return (struct key4){ prefixlen, { a, b, c, d } };
}

static int lpm_create(const struct bpf64_backend *be, __u32 data_size,
		      __u32 value_size, __u32 max_entries)
{
	return bpf64_map_create(be, BPF_MAP_TYPE_LPM_TRIE, NULL, 4 + data_size,
				value_size, max_entries, BPF_F_NO_PREALLOC);
}

static void close_fd(const struct bpf64_backend *be, int fd)
{
	if (fd >= 0)
		be->close(fd);
}

/* ---- MAP_CREATE ---- */

static const struct create_case {
	const char *what;
	__u32 key_size, value_size, max_entries, flags;
	int err;
} create_cases[] = {
	{ "ipv4", 8, 4, 16, BPF_F_NO_PREALLOC, 0 },
	{ "without NO_PREALLOC", 8, 4, 16, 0, -EINVAL },
	{ "max 0", 8, 4, 0, BPF_F_NO_PREALLOC, -EINVAL },
	{ "key 4 (no data)", 4, 4, 16, BPF_F_NO_PREALLOC, -EINVAL },
	{ "key 5", 5, 4, 16, BPF_F_NO_PREALLOC, 0 },
	{ "key 260", 260, 4, 16, BPF_F_NO_PREALLOC, 0 },
	{ "key 261", 261, 4, 16, BPF_F_NO_PREALLOC, -EINVAL },
	{ "value 0", 8, 0, 16, BPF_F_NO_PREALLOC, -EINVAL },
	{ "value 1", 8, 1, 16, BPF_F_NO_PREALLOC, 0 },
	{ "value 4194024", 8, 4194024, 1, BPF_F_NO_PREALLOC, 0 },
	{ "value 4194025", 8, 4194025, 1, BPF_F_NO_PREALLOC, -EINVAL },
	{ "NUMA_NODE", 8, 4, 16, BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE, 0 },
	{ "RDONLY", 8, 4, 16, BPF_F_NO_PREALLOC | BPF_F_RDONLY, 0 },
	{ "RDONLY_PROG", 8, 4, 16, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG, 0 },
	{ "RDONLY_PROG|WRONLY_PROG", 8, 4, 16,
	  BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, -EINVAL },
	{ "MMAPABLE", 8, 4, 16, BPF_F_NO_PREALLOC | BPF_F_MMAPABLE, -EINVAL },
	{ "INNER_MAP", 8, 4, 16, BPF_F_NO_PREALLOC | BPF_F_INNER_MAP, -EINVAL },
	{ "ZERO_SEED", 8, 4, 16, BPF_F_NO_PREALLOC | BPF_F_ZERO_SEED, -EINVAL },
};

static void test_create(void)
{
	const struct bpf64_backend *be;
	unsigned int i;
	int fd;

	for_each_backend(be) {
		for (i = 0; i < ARRAY_SIZE(create_cases); i++) {
			const struct create_case *c = &create_cases[i];

			fd = bpf64_map_create(be, BPF_MAP_TYPE_LPM_TRIE, NULL,
					      c->key_size, c->value_size,
					      c->max_entries, c->flags);
			TU_CHECK(c->err ? fd == c->err : fd >= 0,
				 "%s: create %s: %d", be->name, c->what,
				 fd < 0 ? fd : 0);
			close_fd(be, fd);
		}
	}
}

/* ---- the example in Linux's lpm_trie.c, and more ---- */

static int update(const struct bpf64_backend *be, int fd, struct key4 k,
		  __u32 v, __u64 flags)
{
	return bpf64_map_update(be, fd, &k, &v, flags);
}

/* The value of the longest match for @k, or -errno. */
static long long lookup(const struct bpf64_backend *be, int fd, struct key4 k)
{
	__u32 v;
	int err = bpf64_map_lookup(be, fd, &k, &v, 0);

	return err ? (long long)err : v;
}

static void test_update_flags(void)
{
	const struct bpf64_backend *be;
	struct key4 k;
	int fd, err;

	for_each_backend(be) {
		fd = lpm_create(be, 4, 4, 3);
		TU_CHECK(update(be, fd, k4(16, 192, 168, 0, 0), 1, BPF_NOEXIST) == 0,
			 "%s: BPF_NOEXIST adds", be->name);
		TU_CHECK(update(be, fd, k4(16, 192, 168, 0, 0), 2, BPF_NOEXIST) == -EEXIST,
			 "%s: BPF_NOEXIST on an element -EEXIST", be->name);
		TU_CHECK(update(be, fd, k4(16, 192, 168, 0, 0), 3, BPF_EXIST) == 0 &&
			 lookup(be, fd, k4(32, 192, 168, 1, 1)) == 3,
			 "%s: BPF_EXIST replaces", be->name);
		TU_CHECK(update(be, fd, k4(24, 192, 168, 0, 0), 4, BPF_EXIST) == -ENOENT,
			 "%s: BPF_EXIST on no element -ENOENT", be->name);
		TU_CHECK(update(be, fd, k4(33, 192, 168, 0, 0), 4, BPF_ANY) == -EINVAL,
			 "%s: prefixlen 33 of 32 -EINVAL", be->name);
		TU_CHECK(update(be, fd, k4(8, 10, 0, 0, 0), 4, 3) == -EINVAL,
			 "%s: flags 3 -EINVAL", be->name);
		TU_CHECK(update(be, fd, k4(8, 10, 0, 0, 0), 4, BPF_F_LOCK) == -EINVAL,
			 "%s: BPF_F_LOCK -EINVAL", be->name);
		/* 192.168.0.0/24 and 192.168.1.0/24 need an intermediate /23 */
		update(be, fd, k4(24, 192, 168, 0, 0), 5, BPF_ANY);
		err = update(be, fd, k4(24, 192, 168, 1, 0), 6, BPF_ANY);
		TU_CHECK(!err, "%s: a third element fills max_entries 3 (%d)",
			 be->name, err);
		err = update(be, fd, k4(8, 10, 0, 0, 0), 7, BPF_ANY);
		TU_CHECK(err == -ENOSPC, "%s: a fourth -ENOSPC (%d)", be->name, err);
		err = update(be, fd, k4(23, 192, 168, 0, 0), 7, BPF_ANY);
		TU_CHECK(err == -ENOSPC,
			 "%s: the intermediate /23 as an element -ENOSPC too (%d)",
			 be->name, err);
		err = update(be, fd, k4(23, 192, 168, 0, 0), 7, BPF_EXIST);
		TU_CHECK(err == -ENOENT,
			 "%s: the intermediate /23 is no element for BPF_EXIST (%d)",
			 be->name, err);
		err = update(be, fd, k4(24, 192, 168, 1, 0), 8, BPF_ANY);
		TU_CHECK(!err && lookup(be, fd, k4(32, 192, 168, 1, 9)) == 8,
			 "%s: replacing works when full (%d)", be->name, err);
		k = k4(24, 192, 168, 1, 0);
		TU_CHECK(bpf64_map_delete(be, fd, &k) == 0 &&
			 update(be, fd, k4(23, 192, 168, 0, 0), 7, BPF_NOEXIST) == 0,
			 "%s: after a delete there is room again", be->name);
		close_fd(be, fd);
	}
}

static void test_longest_match(void)
{
	const struct bpf64_backend *be;
	int fd;

	for_each_backend(be) {
		fd = lpm_create(be, 4, 4, 16);
		update(be, fd, k4(16, 192, 168, 0, 0), 1, BPF_ANY);
		update(be, fd, k4(24, 192, 168, 0, 0), 2, BPF_ANY);
		update(be, fd, k4(24, 192, 168, 128, 0), 3, BPF_ANY);
		update(be, fd, k4(24, 192, 168, 1, 0), 5, BPF_ANY);
		update(be, fd, k4(8, 10, 0, 0, 0), 10, BPF_ANY);
		update(be, fd, k4(32, 10, 1, 2, 3), 11, BPF_ANY);
		TU_CHECK(lookup(be, fd, k4(32, 192, 168, 0, 5)) == 2 &&
			 lookup(be, fd, k4(32, 192, 168, 1, 9)) == 5 &&
			 lookup(be, fd, k4(32, 192, 168, 200, 1)) == 1 &&
			 lookup(be, fd, k4(32, 192, 168, 128, 255)) == 3 &&
			 lookup(be, fd, k4(32, 10, 1, 2, 3)) == 11 &&
			 lookup(be, fd, k4(32, 10, 1, 2, 4)) == 10,
			 "%s: the longest prefix wins", be->name);
		TU_CHECK(lookup(be, fd, k4(32, 8, 8, 8, 8)) == -ENOENT &&
			 lookup(be, fd, k4(32, 192, 169, 0, 0)) == -ENOENT,
			 "%s: no match -ENOENT", be->name);
		TU_CHECK(lookup(be, fd, k4(20, 192, 168, 0, 0)) == 1 &&
			 lookup(be, fd, k4(15, 192, 168, 0, 0)) == -ENOENT &&
			 lookup(be, fd, k4(31, 10, 1, 2, 3)) == 10,
			 "%s: a lookup's prefixlen limits what matches", be->name);
		TU_CHECK(lookup(be, fd, k4(33, 10, 1, 2, 3)) == -ENOENT,
			 "%s: lookup prefixlen 33 -ENOENT", be->name);
		update(be, fd, k4(0, 0, 0, 0, 0), 99, BPF_ANY);
		TU_CHECK(lookup(be, fd, k4(32, 8, 8, 8, 8)) == 99 &&
			 lookup(be, fd, k4(0, 192, 168, 0, 0)) == 99,
			 "%s: /0 matches everything", be->name);
		close_fd(be, fd);
	}
}

/* get_next_key into a poisoned @next, which may be @key. */
static int next_key(const struct bpf64_backend *be, int fd,
		    const struct key4 *key, struct key4 *next)
{
	struct key4 cur;

	if (key)
		cur = *key;
	memset(next, 0xee, sizeof(*next));
	return bpf64_map_get_next_key(be, fd, key ? &cur : NULL, next);
}

static bool key_eq(const struct key4 *a, struct key4 b)
{
	return !memcmp(a, &b, sizeof(b));
}

static void test_get_next_key(void)
{
	const struct bpf64_backend *be;
	struct key4 k, n;
	int fd, err;

	for_each_backend(be) {
		fd = lpm_create(be, 4, 4, 16);
		err = next_key(be, fd, NULL, &n);
		TU_CHECK(err == -ENOENT, "%s: empty: -ENOENT (%d)", be->name, err);
		k = k4(8, 1, 2, 3, 4);
		err = next_key(be, fd, &k, &n);
		TU_CHECK(err == -ENOENT, "%s: empty, with a key: -ENOENT (%d)",
			 be->name, err);
		update(be, fd, k4(16, 192, 168, 0, 0), 1, BPF_ANY);
		update(be, fd, k4(24, 192, 168, 0, 0), 2, BPF_ANY);
		update(be, fd, k4(24, 192, 168, 128, 0), 3, BPF_ANY);
		update(be, fd, k4(24, 192, 168, 1, 0), 5, BPF_ANY);
		/* Linux's own example: postorder, more specific first. */
		err = next_key(be, fd, NULL, &n);
		TU_CHECK(!err && key_eq(&n, k4(24, 192, 168, 0, 0)),
			 "%s: first 192.168.0.0/24 (%d)", be->name, err);
		err = next_key(be, fd, &n, &n);
		TU_CHECK(!err && key_eq(&n, k4(24, 192, 168, 1, 0)),
			 "%s: then 192.168.1.0/24 (%d)", be->name, err);
		err = next_key(be, fd, &n, &n);
		TU_CHECK(!err && key_eq(&n, k4(24, 192, 168, 128, 0)),
			 "%s: then 192.168.128.0/24 (%d)", be->name, err);
		err = next_key(be, fd, &n, &n);
		TU_CHECK(!err && key_eq(&n, k4(16, 192, 168, 0, 0)),
			 "%s: then 192.168.0.0/16 (%d)", be->name, err);
		k = n;
		err = next_key(be, fd, &k, &n);
		TU_CHECK(err == -ENOENT, "%s: then -ENOENT (%d)", be->name, err);
		k = k4(23, 192, 168, 0, 0);
		err = next_key(be, fd, &k, &n);
		TU_CHECK(!err && key_eq(&n, k4(24, 192, 168, 0, 0)),
			 "%s: from a missing (intermediate) key: the first (%d)",
			 be->name, err);
		k = k4(33, 192, 168, 0, 0);
		err = next_key(be, fd, &k, &n);
		TU_CHECK(!err && key_eq(&n, k4(24, 192, 168, 0, 0)),
			 "%s: from prefixlen 33: the first (%d)", be->name, err);
		/* Bits past the prefix are kept as given. */
		update(be, fd, k4(4, 0x1f, 2, 3, 4), 7, BPF_ANY);
		err = next_key(be, fd, NULL, &n);
		TU_CHECK(!err && key_eq(&n, k4(4, 0x1f, 2, 3, 4)),
			 "%s: a key's bits past its prefix come back (%d)",
			 be->name, err);
		update(be, fd, k4(4, 0x10, 9, 9, 9), 8, BPF_ANY);
		err = next_key(be, fd, NULL, &n);
		TU_CHECK(!err && key_eq(&n, k4(4, 0x10, 9, 9, 9)) &&
			 lookup(be, fd, k4(32, 0x1f, 0, 0, 0)) == 8,
			 "%s: as the last update gave them (%d)", be->name, err);
		close_fd(be, fd);
	}
}

static void test_delete(void)
{
	const struct bpf64_backend *be;
	struct key4 k;
	int fd;

	for_each_backend(be) {
		fd = lpm_create(be, 4, 4, 16);
		update(be, fd, k4(16, 192, 168, 0, 0), 1, BPF_ANY);
		update(be, fd, k4(24, 192, 168, 0, 0), 2, BPF_ANY);
		update(be, fd, k4(24, 192, 168, 1, 0), 5, BPF_ANY);
		k = k4(23, 192, 168, 0, 0);
		TU_CHECK(bpf64_map_delete(be, fd, &k) == -ENOENT,
			 "%s: the intermediate /23 cannot be deleted", be->name);
		k = k4(33, 192, 168, 0, 0);
		TU_CHECK(bpf64_map_delete(be, fd, &k) == -EINVAL,
			 "%s: delete prefixlen 33 -EINVAL", be->name);
		k = k4(24, 192, 168, 2, 0);
		TU_CHECK(bpf64_map_delete(be, fd, &k) == -ENOENT,
			 "%s: delete of a missing key -ENOENT", be->name);
		k = k4(24, 192, 168, 0, 77);	/* bits past the prefix ignored */
		TU_CHECK(bpf64_map_delete(be, fd, &k) == 0 &&
			 lookup(be, fd, k4(32, 192, 168, 0, 1)) == 1 &&
			 lookup(be, fd, k4(32, 192, 168, 1, 1)) == 5,
			 "%s: deleting a /24 leaves its neighbour and parent", be->name);
		k = k4(16, 192, 168, 0, 0);
		TU_CHECK(bpf64_map_delete(be, fd, &k) == 0 &&
			 lookup(be, fd, k4(32, 192, 168, 7, 1)) == -ENOENT &&
			 lookup(be, fd, k4(32, 192, 168, 1, 1)) == 5,
			 "%s: deleting the /16 leaves the /24", be->name);
		TU_CHECK(bpf64_map_delete(be, fd, &k) == -ENOENT,
			 "%s: deleted twice -ENOENT", be->name);
		close_fd(be, fd);
	}
}

/* ---- against a model ---- */

#define MODEL_MAX	64
#define DATA2		2	/* data bytes: small, so prefixes collide */

struct entry {
	__u32 len;
	__u8 data[DATA2];
	__u32 value;
};

struct model {
	int n;
	struct entry e[MODEL_MAX];
};

static int bit(const __u8 *d, __u32 i)
{
	return (d[i / 8] >> (7 - i % 8)) & 1;
}

static __u32 common_bits(const __u8 *a, const __u8 *b, __u32 limit)
{
	__u32 i;

	for (i = 0; i < limit && bit(a, i) == bit(b, i); i++)
		;
	return i;
}

static int model_find(const struct model *m, __u32 len, const __u8 *d)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (m->e[i].len == len && common_bits(m->e[i].data, d, len) == len)
			return i;
	return -1;
}

static long long model_lookup(const struct model *m, __u32 len, const __u8 *d)
{
	int i, best = -1;

	for (i = 0; i < m->n; i++)
		if (m->e[i].len <= len &&
		    common_bits(m->e[i].data, d, m->e[i].len) == m->e[i].len &&
		    (best < 0 || m->e[i].len > m->e[best].len))
			best = i;
	return best < 0 ? -ENOENT : (long long)m->e[best].value;
}

/* get_next_key's order: the side of the first differing bit, 0 first;
 * a prefix after everything it is a prefix of.
 */
static int model_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	__u32 lim = a->len < b->len ? a->len : b->len;
	__u32 d = common_bits(a->data, b->data, lim);

	if (d < lim)
		return bit(a->data, d) - bit(b->data, d);
	return (int)b->len - (int)a->len;
}

struct key2 {
	__u32 prefixlen;
	__u8 data[DATA2];
};

static void test_model(void)
{
	const struct bpf64_backend *be;
	static struct model m;
	struct key2 k, n;
	int fd, i, op, idx, err, bad_ret, bad_lookup, bad_order, seen;
	__u32 v;

	for_each_backend(be) {
		fd = lpm_create(be, DATA2, 4, MODEL_MAX);
		m.n = 0;
		bad_ret = bad_lookup = bad_order = 0;
		srand(12345);
		for (i = 0; i < 3000; i++) {
			k.prefixlen = rand() % (DATA2 * 8 + 1);
			k.data[0] = rand();
			k.data[1] = rand();
			idx = model_find(&m, k.prefixlen, k.data);
			op = rand() % 3;
			if (op == 0) {
				v = i;
				err = bpf64_map_update(be, fd, &k, &v, BPF_ANY);
				if (idx < 0 && m.n == MODEL_MAX) {
					bad_ret += err != -ENOSPC;
					continue;
				}
				bad_ret += err != 0;
				if (idx < 0)
					idx = m.n++;
				m.e[idx].len = k.prefixlen;
				memcpy(m.e[idx].data, k.data, DATA2);
				m.e[idx].value = v;
			} else if (op == 1) {
				err = bpf64_map_delete(be, fd, &k);
				bad_ret += err != (idx < 0 ? -ENOENT : 0);
				if (idx >= 0)
					m.e[idx] = m.e[--m.n];
			} else {
				err = bpf64_map_lookup(be, fd, &k, &v, 0);
				bad_lookup += (err ? err : (long long)v) !=
					      model_lookup(&m, k.prefixlen, k.data);
			}
		}
		qsort(m.e, m.n, sizeof(m.e[0]), model_cmp);
		seen = 0;
		for (err = bpf64_map_get_next_key(be, fd, NULL, &n); !err;
		     err = bpf64_map_get_next_key(be, fd, &k, &n)) {
			bad_order += seen >= m.n || n.prefixlen != m.e[seen].len ||
				     memcmp(n.data, m.e[seen].data, DATA2);
			seen++;
			k = n;
		}
		TU_CHECK(!bad_ret && !bad_lookup,
			 "%s: 3000 random updates, deletes, lookups as the model (%d, %d)",
			 be->name, bad_ret, bad_lookup);
		TU_CHECK(seen == m.n && !bad_order && err == -ENOENT,
			 "%s: get_next_key walks the %d elements in postorder (%d seen, %d out of order)",
			 be->name, m.n, seen, bad_order);
		close_fd(be, fd);
	}
}

/* ---- bpf64 only: program memory ---- */

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
	int fd = lpm_create(be, 4, 12, 8);
	int ro = bpf64_map_create(be, BPF_MAP_TYPE_LPM_TRIE, NULL, 8, 8, 8,
				  BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG);
	struct bpf64_map *m = map_of(fd), *r = map_of(ro);
	struct key4 k = k4(16, 1, 2, 0, 0);
	__u8 val[12] = { 1 };
	__u64 a, b;

	bpf64_map_update(be, fd, &k, val, BPF_ANY);
	bpf64_map_update(be, ro, &k, val, BPF_ANY);
	k = k4(32, 1, 2, 3, 4);
	a = (unsigned long)m->ops->map_lookup_elem(m, &k);
	TU_CHECK(a && a % 8 == 0 && m->ops->map_mem_ok(m, a, 12, true) &&
		 !m->ops->map_mem_ok(m, a, 13, false) &&
		 !m->ops->map_mem_ok(m, a - 1, 1, false),
		 "bpf64: a trie value is 8-aligned program memory, all of it only");
	b = (unsigned long)r->ops->map_lookup_elem(r, &k);
	TU_CHECK(b && r->ops->map_mem_ok(r, b, 8, false) &&
		 !r->ops->map_mem_ok(r, b, 8, true),
		 "bpf64: BPF_F_RDONLY_PROG: programs may not write values");
	k = k4(16, 1, 2, 0, 0);
	bpf64_map_delete(be, fd, &k);
	k = k4(32, 1, 2, 3, 4);
	TU_CHECK(!m->ops->map_lookup_elem(m, &k) &&
		 m->ops->map_mem_ok(m, a, 12, true),
		 "bpf64: a deleted element's value stays memory until the map goes");
	close_fd(be, fd);
	close_fd(be, ro);
}

/* ---- threads ---- */

#define NR_THREADS	4
#define HAMMER_ITERS	2000
#define OWN_MAX		100

struct hammer {
	const struct bpf64_backend *be;
	int fd, t, errors;
	bool use_pointers;	/* bpf64: also as programs, through pointers */
	int n;
	struct key4 own[OWN_MAX];
};

/* Thread t owns the /8 of (t + 1): lookups there must match its model. */
static void *hammer(void *arg)
{
	struct hammer *h = arg;
	struct bpf64_map *map = h->use_pointers ? map_of(h->fd) : NULL;
	unsigned int seed = h->t;
	struct key4 k, best;
	__u32 v, *p;
	int i, j, found, err;

	for (i = 0; i < HAMMER_ITERS; i++) {
		k = k4(8 + rand_r(&seed) % 25, h->t + 1, rand_r(&seed) % 4,
		       rand_r(&seed), rand_r(&seed));
		for (found = -1, j = 0; j < h->n; j++)
			if (h->own[j].prefixlen == k.prefixlen &&
			    common_bits(h->own[j].data, k.data, k.prefixlen) ==
			    k.prefixlen)
				found = j;
		if (i % 2 == 0 && found < 0 && h->n < OWN_MAX) {
			v = (h->t << 24) | k.prefixlen;
			h->errors += bpf64_map_update(h->be, h->fd, &k, &v,
						      BPF_NOEXIST) != 0;
			h->own[h->n++] = k;
		} else if (i % 2 == 0 && found >= 0) {
			h->errors += bpf64_map_delete(h->be, h->fd, &k) != 0;
			h->own[found] = h->own[--h->n];
		}
		k.prefixlen = 32;
		best.prefixlen = 0;
		for (found = 0, j = 0; j < h->n; j++)
			if (common_bits(h->own[j].data, k.data,
					h->own[j].prefixlen) == h->own[j].prefixlen &&
			    h->own[j].prefixlen >= best.prefixlen) {
				best = h->own[j];
				found = 1;
			}
		err = bpf64_map_lookup(h->be, h->fd, &k, &v, 0);
		h->errors += found ? err || v != ((h->t << 24) | best.prefixlen) :
				     err != -ENOENT;
		if (map) {
			/* a program's pointer: written while others delete */
			p = map->ops->map_lookup_elem(map, &k);
			if (p)
				__atomic_fetch_add(p, 0, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static void test_hammer(void)
{
	static struct hammer h[NR_THREADS];
	pthread_t th[NR_THREADS];
	const struct bpf64_backend *be;
	int t, fd, errors, total, seen, err;
	struct key4 k, n;

	for_each_backend(be) {
		fd = lpm_create(be, 4, 4, NR_THREADS * OWN_MAX);
		for (t = 0; t < NR_THREADS; t++) {
			h[t] = (struct hammer){ .be = be, .fd = fd, .t = t,
				.use_pointers = be == &bpf64_backend_hosted };
			pthread_create(&th[t], NULL, hammer, &h[t]);
		}
		for (errors = total = 0, t = 0; t < NR_THREADS; t++) {
			pthread_join(th[t], NULL);
			errors += h[t].errors;
			total += h[t].n;
		}
		seen = 0;
		for (err = bpf64_map_get_next_key(be, fd, NULL, &n); !err;
		     err = bpf64_map_get_next_key(be, fd, &k, &n)) {
			seen++;
			k = n;
		}
		TU_CHECK(!errors && seen == total,
			 "%s: %d threads update, delete and look up (%d errors; %d of %d elements left)",
			 be->name, NR_THREADS, errors, seen, total);
		close_fd(be, fd);
	}
}

int main(void)
{
	test_create();
	test_update_flags();
	test_longest_match();
	test_get_next_key();
	test_delete();
	test_model();
	test_mem_ok();
	test_hammer();
	return tu_exit();
}
