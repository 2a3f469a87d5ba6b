// SPDX-License-Identifier: GPL-2.0
/*
 * Hash maps: HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH and HASH_OF_MAPS,
 * with Linux's semantics and errnos.
 *
 * Memory.  An element is a header (bucket link, hash, and for LRU maps the
 * LRU node), the key and the value, each rounded up to 8 bytes; a percpu
 * element holds instead a pointer to its block of one value per possible
 * CPU.  Elements live in chunks.  By default one chunk is allocated with
 * the map, as Linux preallocates: max_entries elements, plus one per CPU
 * for the hash maps that replace an element on update.  With
 * BPF_F_NO_PREALLOC chunks are added as the map fills, each as large as
 * what came before (16 to 65536 elements).  A free element waits in the
 * map's pool (for LRU maps: on the LRU's free chain) and is reused at once
 * by the next insert; no element goes back to the allocator before the
 * map is freed.  So a value pointer a program got from a lookup always
 * points to valid memory of this map, which may meanwhile hold another
 * key's value: Linux's semantics under RCU with preallocation.
 *
 * Writers.  Updates and deletes hold the bucket's spinlock.  An update of
 * an existing key in a HASH or LRU map links a new element at the head of
 * the bucket before it unlinks the old one, so a reader sees either the
 * old value or the new one, complete; percpu maps update in place, as
 * Linux's do.  Lock order: an LRU list's lock before a bucket lock (the
 * LRU evicts through the table), the pool's lock after a bucket lock.
 *
 * Readers.  Lookups and get_next_key take no lock.  A chain ends in a
 * "nulls" marker, an odd value naming its bucket; every link is published
 * with a release store after the element's key, hash and value are
 * written, and read with an acquire load.  An element a reader stands on
 * may be deleted and reused for another key meanwhile: if it went to
 * another bucket the reader ends in that bucket's marker and starts over;
 * if it came back to the same bucket it was linked at the head, so the
 * reader walks the chain again from there.  Either way it misses no key
 * that stayed in the map all along.  A free element keeps its link (LRU)
 * or links into the pool, whose chain ends in a marker of no bucket.  Nor
 * does it miss a key being replaced: a replacement counts itself in its
 * bucket, and a reader that found nothing while the count moved looks
 * again.
 */
#include <linux/bpf64/map.h>
#include "lru_list.h"

/* The flags MAP_CREATE takes for a hash map; anything else is -EINVAL. */
#define HTAB_CREATE_FLAGS						\
	(BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE |	\
	 BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG |		\
	 BPF_F_WRONLY_PROG | BPF_F_ZERO_SEED)

/*
 * Linux's limits, so that the same maps are refused with the same errno:
 * key + value must stay under KMALLOC_MAX_SIZE less its element header, a
 * percpu value within PCPU_MIN_UNIT_SIZE, and its bucket array (16-byte
 * buckets) within 4 GiB.
 */
#define LINUX_KMALLOC_MAX	(4U << 20)
#define LINUX_HTAB_ELEM		48
#define LINUX_PCPU_UNIT		(32U << 10)
#define LINUX_BUCKET		16
#define HTAB_MAX_ENTRIES	(1U << 31)

#define HTAB_CHUNK_MIN		16
#define HTAB_CHUNK_MAX		65536

struct htab_elem {
	struct htab_elem *next;		/* in the bucket, or the pool */
	u32 hash;
	struct bpf64_lru_node lru;	/* LRU maps; others' keys start here */
};

/* Where the key starts: LRU elements carry their node. */
#define HTAB_KEY_OFF(is_lru) \
	((is_lru) ? sizeof(struct htab_elem) : \
		 round_up(offsetof(struct htab_elem, lru), 8))

/* Chain ends: odd values, never element addresses. */
#define HTAB_NULLS(v)	((struct htab_elem *)(((unsigned long)(v) << 1) | 1))
#define HTAB_POOL_END	HTAB_NULLS(0x7fffffffU)	/* no bucket's */

static bool htab_is_nulls(const struct htab_elem *e)
{
	return (unsigned long)e & 1;
}

static u32 htab_nulls_value(const struct htab_elem *e)
{
	return (unsigned long)e >> 1;
}

struct htab_bucket {
	struct htab_elem *first;
	bpf64_spinlock_t lock;
	u32 replaced;			/* elements replaced: readers' seqcount */
};

struct htab_chunk {
	struct htab_chunk *next;	/* older chunks */
	u8 *elems;
	u8 *pcpu;			/* percpu maps: nr * nr_cpus values */
	u32 nr;
};

struct bpf64_htab {
	struct bpf64_map map;
	struct htab_bucket *buckets;
	u32 mask;			/* buckets - 1 */
	u64 seed;
	u32 key_off, value_off, elem_size;
	u32 value_copy;			/* bytes an update stores */
	u32 pcpu_size;			/* one CPU's value, rounded up to 8 */
	u32 nr_cpus;
	u32 max_entries;
	u32 count;			/* elements in the table (not LRU) */
	u32 allocated;			/* elements in chunks */
	bool lru, percpu, fd;
	struct htab_chunk *chunks;	/* newest first, published */
	bpf64_spinlock_t pool_lock;
	struct htab_elem *pool;
	struct bpf64_lru lru_list;
};

static struct bpf64_htab *to_htab(const struct bpf64_map *map)
{
	return container_of(map, struct bpf64_htab, map);
}

/* ---- hashing ---- */

#define HTAB_MUL1	0x9e3779b97f4a7c15ULL
#define HTAB_MUL2	0xc4ceb9fe1a85ec53ULL

/* Multiply into 128 bits and fold: every output bit sees every input bit. */
static __always_inline u64 htab_fold_mul(u64 a, u64 b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (u64)r ^ (u64)(r >> 64);
}

/* The last 1 to 8 key bytes as one word: 4 and 8 are the common sizes. */
static __always_inline u64 htab_tail_word(const u8 *p, u32 len)
{
	u64 w = 0;
	u32 w32;

	switch (len) {
	case 8:
		memcpy(&w, p, 8);
		return w;
	case 4:
		memcpy(&w32, p, 4);
		return w32;
	default:
		while (len--)
			w = w << 8 | p[len];
		return w;
	}
}

/*
 * jhash's job: the words of the key (all of one map's keys have the same
 * size) are mixed into the map's random seed by multiplications, and one
 * last wide multiply spreads every bit of the key and seed over the low
 * bits that pick the bucket.  A 4 or 8 byte key costs one multiply.
 */
static __always_inline u32 htab_hash(const void *key, u32 len, u64 seed)
{
	const u8 *p = key;
	u64 h = seed;

	for (; len > 8; len -= 8, p += 8) {
		h = (h ^ htab_tail_word(p, 8)) * HTAB_MUL1;
		h ^= h >> 32;
	}
	return htab_fold_mul(h ^ htab_tail_word(p, len), HTAB_MUL2);
}

static __always_inline bool htab_keys_equal(const void *a, const void *b,
					    u32 size)
{
	u64 x, y;
	u32 x32, y32;

	switch (size) {
	case 4:
		memcpy(&x32, a, 4);
		memcpy(&y32, b, 4);
		return x32 == y32;
	case 8:
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	default:
		return !memcmp(a, b, size);
	}
}

/* ---- elements ---- */

static u8 *elem_key(const struct bpf64_htab *htab, struct htab_elem *e)
{
	return (u8 *)e + htab->key_off;
}

static u8 *elem_value(const struct bpf64_htab *htab, struct htab_elem *e)
{
	return (u8 *)e + htab->value_off;
}

static u8 *elem_pcpu(const struct bpf64_htab *htab, struct htab_elem *e)
{
	return *(u8 **)elem_value(htab, e);
}

static u8 *elem_this_cpu(const struct bpf64_htab *htab, struct htab_elem *e)
{
	return elem_pcpu(htab, e) +
	       (size_t)bpf64_smp_processor_id() * htab->pcpu_size;
}

static struct bpf64_map *elem_inner_map(const struct bpf64_htab *htab,
					struct htab_elem *e)
{
	return READ_ONCE(*(struct bpf64_map **)elem_value(htab, e));
}

static struct htab_bucket *htab_bucket(const struct bpf64_htab *htab, u32 hash)
{
	return &htab->buckets[hash & htab->mask];
}

/* Lock-free: the element with @key, or NULL (see the top of the file). */
static __always_inline struct htab_elem *
htab_find(const struct bpf64_htab *htab, const void *key, u32 hash)
{
	u32 idx = hash & htab->mask, size = htab->map.key_size, seq;
	struct htab_bucket *b = &htab->buckets[idx];
	struct htab_elem *e;

again:
	seq = bpf64_load_acquire(&b->replaced);
	e = bpf64_load_acquire(&b->first);
	for (; !htab_is_nulls(e); e = bpf64_load_acquire(&e->next))
		if (READ_ONCE(e->hash) == hash &&
		    htab_keys_equal(elem_key(htab, e), key, size))
			return e;
	if (htab_nulls_value(e) != idx || READ_ONCE(b->replaced) != seq)
		goto again;
	return NULL;
}

/* Under the bucket lock: the link that points to @key's element, or NULL. */
static struct htab_elem **htab_find_link(const struct bpf64_htab *htab,
					 struct htab_bucket *b,
					 const void *key, u32 hash)
{
	struct htab_elem **link, *e;

	for (link = &b->first; !htab_is_nulls(e = *link); link = &e->next)
		if (e->hash == hash &&
		    htab_keys_equal(elem_key(htab, e), key, htab->map.key_size))
			return link;
	return NULL;
}

/* Publish @e, fully written, at the head of @b. */
static void htab_link_first(struct htab_bucket *b, struct htab_elem *e)
{
	WRITE_ONCE(e->next, b->first);
	bpf64_store_release(&b->first, e);
}

/* @e keeps its link, for readers standing on it. */
static void htab_unlink(struct htab_elem **link, struct htab_elem *e)
{
	bpf64_store_release(link, e->next);
}

/*
 * Replace *@old_link's element by @e, linked first in @b: an element must
 * go to the head, so that readers standing on it if it was reused walk the
 * bucket again.  A reader that passed the head before @e came and reaches
 * the old element's place after it went would miss the key (Linux's
 * readers can); the count it sees change makes it look again.
 */
static void htab_replace(struct htab_bucket *b, struct htab_elem **old_link,
			 struct htab_elem *e)
{
	struct htab_elem *old = *old_link;

	htab_link_first(b, e);
	WRITE_ONCE(b->replaced, b->replaced + 1);
	htab_unlink(old_link == &b->first ? &e->next : old_link, old);
}

static int htab_check_flags(const struct htab_elem *old, u64 flags)
{
	if (old && flags == BPF_NOEXIST)
		return -EEXIST;
	if (!old && flags == BPF_EXIST)
		return -ENOENT;
	return 0;
}

/* ---- the pool of free elements (all but LRU maps) ---- */

static struct htab_elem *htab_pool_pop(struct bpf64_htab *htab)
{
	unsigned long flags = bpf64_spin_lock(&htab->pool_lock);
	struct htab_elem *e = htab->pool;

	if (htab_is_nulls(e))
		e = NULL;
	else
		htab->pool = e->next;
	bpf64_spin_unlock(&htab->pool_lock, flags);
	return e;
}

static void htab_pool_push(struct bpf64_htab *htab, struct htab_elem *e)
{
	unsigned long flags = bpf64_spin_lock(&htab->pool_lock);

	WRITE_ONCE(e->next, htab->pool);
	htab->pool = e;
	bpf64_spin_unlock(&htab->pool_lock, flags);
}

/* A chunk of @nr elements, linked into the chunk list; NULL: no memory. */
static struct htab_chunk *htab_chunk_alloc(struct bpf64_htab *htab, u32 nr)
{
	u64 hdr = round_up(sizeof(struct htab_chunk), 8);
	u64 elems = (u64)nr * htab->elem_size;
	u64 pcpu = htab->percpu ? (u64)nr * htab->nr_cpus * htab->pcpu_size : 0;
	struct htab_chunk *c;
	unsigned long flags;
	u32 i;

	if ((size_t)(hdr + elems + pcpu) != hdr + elems + pcpu)
		return NULL;
	c = bpf64_zalloc(hdr + elems + pcpu);
	if (!c)
		return NULL;
	c->nr = nr;
	c->elems = (u8 *)c + hdr;
	c->pcpu = htab->percpu ? c->elems + elems : NULL;
	for (i = 0; i < nr && htab->percpu; i++) {
		struct htab_elem *e = (void *)(c->elems + (u64)i * htab->elem_size);

		*(u8 **)elem_value(htab, e) =
			c->pcpu + (u64)i * htab->nr_cpus * htab->pcpu_size;
	}
	flags = bpf64_spin_lock(&htab->pool_lock);
	c->next = htab->chunks;
	bpf64_store_release(&htab->chunks, c);
	htab->allocated += nr;
	bpf64_spin_unlock(&htab->pool_lock, flags);
	return c;
}

/* Add @nr elements to the pool, chained first, then spliced in. */
static int htab_grow(struct bpf64_htab *htab, u32 nr)
{
	struct htab_chunk *c = htab_chunk_alloc(htab, nr);
	struct htab_elem *e, *last;
	unsigned long flags;
	u32 i;

	if (!c)
		return -ENOMEM;
	last = (void *)(c->elems + (u64)(nr - 1) * htab->elem_size);
	for (i = 0; i + 1 < nr; i++) {
		e = (void *)(c->elems + (u64)i * htab->elem_size);
		e->next = (void *)((u8 *)e + htab->elem_size);
	}
	flags = bpf64_spin_lock(&htab->pool_lock);
	last->next = htab->pool;
	htab->pool = (void *)c->elems;
	bpf64_spin_unlock(&htab->pool_lock, flags);
	return 0;
}

/*
 * The pool ran dry: as many elements again as the map has, within what it
 * may hold (plus the spares replacements use), but never fewer than a
 * minimum, since concurrent updates can hold a few more than that.
 */
static int htab_grow_more(struct bpf64_htab *htab)
{
	u32 have = READ_ONCE(htab->allocated);
	u32 cap = htab->max_entries + htab->nr_cpus;
	u32 nr = min(max(have, (u32)HTAB_CHUNK_MIN), (u32)HTAB_CHUNK_MAX);

	if (have < cap && cap - have < nr)
		nr = max(cap - have, (u32)HTAB_CHUNK_MIN);
	return htab_grow(htab, nr);
}

static bool htab_count_inc(struct bpf64_htab *htab)
{
	if (bpf64_atomic_fetch_add32(&htab->count, 1) < htab->max_entries)
		return true;
	bpf64_atomic_fetch_add32(&htab->count, -1);
	return false;
}

static void htab_count_dec(struct bpf64_htab *htab)
{
	bpf64_atomic_fetch_add32(&htab->count, -1);
}

/* An element out of the table goes back to be reused. */
static void htab_elem_free(struct bpf64_htab *htab, struct htab_elem *e)
{
	struct bpf64_map *inner = htab->fd ? elem_inner_map(htab, e) : NULL;

	if (htab->lru)
		bpf64_lru_push_free(&htab->lru_list, &e->lru);
	else
		htab_pool_push(htab, e);
	if (inner)
		bpf64_map_put(inner);
}

/* ---- percpu values ---- */

/* All CPUs' values (as bpf() passes them), or this CPU's (programs). */
static void htab_pcpu_copy(const struct bpf64_htab *htab, struct htab_elem *e,
			   const void *value, bool all_cpus)
{
	if (all_cpus)
		memcpy(elem_pcpu(htab, e), value,
		       (size_t)htab->nr_cpus * htab->pcpu_size);
	else
		memcpy(elem_this_cpu(htab, e), value, htab->map.value_size);
}

/* A new element: from a program, the other CPUs' values start at zero. */
static void htab_pcpu_init(const struct bpf64_htab *htab, struct htab_elem *e,
			   const void *value, bool all_cpus)
{
	if (!all_cpus)
		memset(elem_pcpu(htab, e), 0,
		       (size_t)htab->nr_cpus * htab->pcpu_size);
	htab_pcpu_copy(htab, e, value, all_cpus);
}

/* ---- creation ---- */

static int htab_alloc_check(const union bpf_attr *attr)
{
	bool lru = attr->map_type == BPF_MAP_TYPE_LRU_HASH ||
		   attr->map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	bool percpu = bpf64_map_is_percpu(attr->map_type);
	u32 flags = attr->map_flags;

	if ((flags & ~HTAB_CREATE_FLAGS) ||
	    (flags & BPF_F_RDONLY_PROG && flags & BPF_F_WRONLY_PROG))
		return -EINVAL;
	if (!lru && (flags & BPF_F_NO_COMMON_LRU))
		return -EINVAL;
	if (lru && (flags & BPF_F_NO_PREALLOC))
		return -ENOTSUPP;
	if ((flags & BPF_F_NUMA_NODE) &&
	    (percpu || (flags & BPF_F_NO_COMMON_LRU)))
		return -EINVAL;
	if (!attr->max_entries || !attr->key_size || !attr->value_size)
		return -EINVAL;
	if ((u64)attr->key_size + attr->value_size >=
	    LINUX_KMALLOC_MAX - LINUX_HTAB_ELEM)
		return -E2BIG;
	if (percpu && round_up(attr->value_size, 8) > LINUX_PCPU_UNIT)
		return -E2BIG;
	return 0;
}

static int htab_of_maps_alloc_check(const union bpf_attr *attr)
{
	if (attr->value_size != sizeof(u32))
		return -EINVAL;
	return htab_alloc_check(attr);
}

/*
 * With BPF_F_NO_COMMON_LRU every CPU's list gets the same share: Linux
 * rounds max_entries up to a multiple of the CPUs (down if that wraps).
 */
static u32 htab_max_entries(const union bpf_attr *attr, u32 nr_cpus)
{
	u64 n = attr->max_entries;

	if (!(attr->map_flags & BPF_F_NO_COMMON_LRU))
		return n;
	n = (n + nr_cpus - 1) / nr_cpus * nr_cpus;
	if (n > 0xffffffffULL)
		n = attr->max_entries / nr_cpus * nr_cpus;
	return n;
}

static void htab_release_memory(struct bpf64_htab *htab)
{
	struct htab_chunk *c, *next;

	for (c = htab->chunks; c; c = next) {
		next = c->next;
		bpf64_free(c);
	}
	bpf64_lru_destroy(&htab->lru_list);
	bpf64_free(htab->buckets);
	bpf64_free(htab);
}

static bool htab_lru_evict(void *arg, struct bpf64_lru_node *node);

/* The elements a map starts with, in its pool or its LRU. */
static int htab_prealloc(struct bpf64_htab *htab)
{
	struct htab_chunk *c;

	if (htab->map.map_flags & BPF_F_NO_PREALLOC)
		return 0;
	/* Updates of existing keys in HASH maps need a spare element. */
	if (!htab->lru && !htab->percpu)
		return htab_grow(htab, htab->max_entries + htab->nr_cpus);
	if (!htab->lru)
		return htab_grow(htab, htab->max_entries);
	c = htab_chunk_alloc(htab, htab->max_entries);
	if (!c)
		return -ENOMEM;
	return bpf64_lru_init(&htab->lru_list,
			      htab->map.map_flags & BPF_F_NO_COMMON_LRU,
			      c->elems + offsetof(struct htab_elem, lru),
			      htab->elem_size, c->nr, htab_lru_evict, htab);
}

static int htab_init_layout(struct bpf64_htab *htab, const union bpf_attr *attr)
{
	u64 n_buckets = 1;
	u32 i;

	htab->lru = attr->map_type == BPF_MAP_TYPE_LRU_HASH ||
		    attr->map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	htab->percpu = bpf64_map_is_percpu(attr->map_type);
	htab->fd = attr->map_type == BPF_MAP_TYPE_HASH_OF_MAPS;
	htab->nr_cpus = bpf64_num_possible_cpus();
	htab->max_entries = htab_max_entries(attr, htab->nr_cpus);
	htab->map.max_entries = htab->max_entries;
	if (htab->max_entries > HTAB_MAX_ENTRIES)
		return -E2BIG;
	while (n_buckets < htab->max_entries)
		n_buckets <<= 1;
	if (n_buckets > 0xffffffffU / LINUX_BUCKET)
		return -E2BIG;
	htab->mask = n_buckets - 1;
	htab->key_off = HTAB_KEY_OFF(htab->lru);
	htab->value_off = htab->key_off + round_up(attr->key_size, 8);
	htab->pcpu_size = round_up(attr->value_size, 8);
	htab->elem_size = htab->value_off +
			  (htab->percpu ? sizeof(void *) : htab->pcpu_size);
	htab->value_copy = htab->fd ? sizeof(void *) : attr->value_size;
	if (!(attr->map_flags & BPF_F_ZERO_SEED))
		htab->seed = (u64)bpf64_get_prandom_u32() << 32 |
			     bpf64_get_prandom_u32();
	htab->pool = HTAB_POOL_END;
	bpf64_spin_lock_init(&htab->pool_lock);
	htab->buckets = bpf64_zalloc_array(n_buckets, sizeof(*htab->buckets));
	if (!htab->buckets)
		return -ENOMEM;
	for (i = 0; i < n_buckets; i++) {
		htab->buckets[i].first = HTAB_NULLS(i);
		bpf64_spin_lock_init(&htab->buckets[i].lock);
	}
	return 0;
}

static struct bpf64_map *htab_alloc(const union bpf_attr *attr, int *err)
{
	struct bpf64_htab *htab = bpf64_zalloc(sizeof(*htab));

	if (!htab) {
		*err = -ENOMEM;
		return NULL;
	}
	bpf64_map_init_from_attr(&htab->map, attr);
	*err = htab_init_layout(htab, attr);
	if (!*err)
		*err = htab_prealloc(htab);
	if (*err) {
		htab_release_memory(htab);
		return NULL;
	}
	return &htab->map;
}

static void htab_free(struct bpf64_map *map)
{
	struct bpf64_htab *htab = to_htab(map);
	struct htab_elem *e;
	u32 i;

	for (i = 0; htab->fd && i <= htab->mask; i++)
		for (e = htab->buckets[i].first; !htab_is_nulls(e); e = e->next)
			bpf64_map_put(elem_inner_map(htab, e));
	htab_release_memory(htab);
}

/* ---- lookups ---- */

static struct htab_elem *htab_lookup(struct bpf64_map *map, const void *key)
{
	struct bpf64_htab *htab = to_htab(map);

	return htab_find(htab, key, htab_hash(key, map->key_size, htab->seed));
}

static void *htab_lookup_elem(struct bpf64_map *map, const void *key)
{
	struct htab_elem *e = htab_lookup(map, key);

	return e ? elem_value(to_htab(map), e) : NULL;
}

static void *htab_lru_lookup_elem(struct bpf64_map *map, const void *key)
{
	struct htab_elem *e = htab_lookup(map, key);

	if (!e)
		return NULL;
	bpf64_lru_node_set_ref(&e->lru);
	return elem_value(to_htab(map), e);
}

static void *htab_percpu_lookup_elem(struct bpf64_map *map, const void *key)
{
	struct htab_elem *e = htab_lookup(map, key);

	return e ? elem_this_cpu(to_htab(map), e) : NULL;
}

static void *htab_lru_percpu_lookup_elem(struct bpf64_map *map,
					 const void *key)
{
	struct htab_elem *e = htab_lookup(map, key);

	if (!e)
		return NULL;
	bpf64_lru_node_set_ref(&e->lru);
	return elem_this_cpu(to_htab(map), e);
}

/* Programs get the inner map itself. */
static void *htab_of_maps_lookup_elem(struct bpf64_map *map, const void *key)
{
	struct htab_elem *e = htab_lookup(map, key);

	return e ? elem_inner_map(to_htab(map), e) : NULL;
}

/* Userspace lookups leave the LRU alone, as in Linux. */
static int htab_lookup_copy(struct bpf64_map *map, const void *key,
			    void *value, u64 flags)
{
	struct htab_elem *e = htab_lookup(map, key);

	if (!e)
		return -ENOENT;
	memcpy(value, elem_value(to_htab(map), e), map->value_size);
	return 0;
}

static int htab_percpu_lookup_copy(struct bpf64_map *map, const void *key,
				   void *value, u64 flags)
{
	struct bpf64_htab *htab = to_htab(map);
	struct htab_elem *e = htab_lookup(map, key);

	if (!e)
		return -ENOENT;
	memcpy(value, elem_pcpu(htab, e),
	       (size_t)htab->nr_cpus * htab->pcpu_size);
	return 0;
}

/*
 * Userspace gets the inner map's id.  Under the bucket lock, so that the
 * element's reference on the inner map cannot be dropped meanwhile.
 */
static int htab_of_maps_lookup_copy(struct bpf64_map *map, const void *key,
				    void *value, u64 flags)
{
	struct bpf64_htab *htab = to_htab(map);
	u32 hash = htab_hash(key, map->key_size, htab->seed);
	struct htab_bucket *b = htab_bucket(htab, hash);
	struct htab_elem **link;
	unsigned long irq;
	int err = -ENOENT;

	irq = bpf64_spin_lock(&b->lock);
	link = htab_find_link(htab, b, key, hash);
	if (link) {
		*(u32 *)value = elem_inner_map(htab, *link)->id;
		err = 0;
	}
	bpf64_spin_unlock(&b->lock, irq);
	return err;
}

/* ---- updates ---- */

/* HASH and HASH_OF_MAPS: a new element replaces the old one. */
static long htab_update_elem(struct bpf64_map *map, const void *key,
			     const void *value, u64 flags)
{
	struct bpf64_htab *htab = to_htab(map);
	u32 hash = htab_hash(key, map->key_size, htab->seed);
	struct htab_bucket *b = htab_bucket(htab, hash);
	struct htab_elem **link, *old, *e;
	unsigned long irq;
	int err;

	if (flags > BPF_EXIST)
		return -EINVAL;
retry:
	irq = bpf64_spin_lock(&b->lock);
	link = htab_find_link(htab, b, key, hash);
	old = link ? *link : NULL;
	err = htab_check_flags(old, flags);
	if (err)
		goto unlock;
	if (!old && !htab_count_inc(htab)) {
		err = -E2BIG;
		goto unlock;
	}
	e = htab_pool_pop(htab);
	if (!e) {
		if (!old)
			htab_count_dec(htab);
		bpf64_spin_unlock(&b->lock, irq);
		err = htab_grow_more(htab);
		if (err)
			return err;
		goto retry;
	}
	memcpy(elem_key(htab, e), key, map->key_size);
	memcpy(elem_value(htab, e), value, htab->value_copy);
	WRITE_ONCE(e->hash, hash);
	if (old)
		htab_replace(b, link, e);
	else
		htab_link_first(b, e);
unlock:
	bpf64_spin_unlock(&b->lock, irq);
	if (old && !err)
		htab_elem_free(htab, old);
	return err;
}

/* PERCPU_HASH: an existing element is updated in place. */
static long htab_percpu_update(struct bpf64_map *map, const void *key,
			       const void *value, u64 flags, bool all_cpus)
{
	struct bpf64_htab *htab = to_htab(map);
	u32 hash = htab_hash(key, map->key_size, htab->seed);
	struct htab_bucket *b = htab_bucket(htab, hash);
	struct htab_elem **link, *e;
	unsigned long irq;
	int err;

	if (flags > BPF_EXIST)
		return -EINVAL;
retry:
	irq = bpf64_spin_lock(&b->lock);
	link = htab_find_link(htab, b, key, hash);
	err = htab_check_flags(link ? *link : NULL, flags);
	if (err)
		goto unlock;
	if (link) {
		htab_pcpu_copy(htab, *link, value, all_cpus);
		goto unlock;
	}
	if (!htab_count_inc(htab)) {
		err = -E2BIG;
		goto unlock;
	}
	e = htab_pool_pop(htab);
	if (!e) {
		htab_count_dec(htab);
		bpf64_spin_unlock(&b->lock, irq);
		err = htab_grow_more(htab);
		if (err)
			return err;
		goto retry;
	}
	memcpy(elem_key(htab, e), key, map->key_size);
	htab_pcpu_init(htab, e, value, all_cpus);
	WRITE_ONCE(e->hash, hash);
	htab_link_first(b, e);
unlock:
	bpf64_spin_unlock(&b->lock, irq);
	return err;
}

/* A node for a new element of an LRU map, its key and hash set. */
static struct htab_elem *htab_lru_pop(struct bpf64_htab *htab,
				      const void *key, u32 hash)
{
	struct bpf64_lru_node *node = bpf64_lru_pop_free(&htab->lru_list);
	struct htab_elem *e;

	if (!node)
		return NULL;
	e = container_of(node, struct htab_elem, lru);
	memcpy(elem_key(htab, e), key, htab->map.key_size);
	WRITE_ONCE(e->hash, hash);
	return e;
}

/*
 * LRU_HASH: the new element is taken (evicting if need be) before the
 * bucket lock, which eviction takes too.
 */
static long htab_lru_update_elem(struct bpf64_map *map, const void *key,
				 const void *value, u64 flags)
{
	struct bpf64_htab *htab = to_htab(map);
	u32 hash = htab_hash(key, map->key_size, htab->seed);
	struct htab_bucket *b = htab_bucket(htab, hash);
	struct htab_elem **link, *old = NULL, *e;
	unsigned long irq;
	int err;

	if (flags > BPF_EXIST)
		return -EINVAL;
	e = htab_lru_pop(htab, key, hash);
	if (!e)
		return -ENOMEM;
	memcpy(elem_value(htab, e), value, map->value_size);
	irq = bpf64_spin_lock(&b->lock);
	link = htab_find_link(htab, b, key, hash);
	err = htab_check_flags(link ? *link : NULL, flags);
	if (!err && link) {
		old = *link;
		/* An update counts as a use of the key. */
		bpf64_lru_node_set_ref(&e->lru);
		htab_replace(b, link, e);
	} else if (!err) {
		htab_link_first(b, e);
	}
	bpf64_spin_unlock(&b->lock, irq);
	if (err)
		bpf64_lru_push_free(&htab->lru_list, &e->lru);
	else if (old)
		bpf64_lru_push_free(&htab->lru_list, &old->lru);
	return err;
}

/* LRU_PERCPU_HASH: in place if the key exists, else a new element. */
static long htab_lru_percpu_update(struct bpf64_map *map, const void *key,
				   const void *value, u64 flags, bool all_cpus)
{
	struct bpf64_htab *htab = to_htab(map);
	u32 hash = htab_hash(key, map->key_size, htab->seed);
	struct htab_bucket *b = htab_bucket(htab, hash);
	struct htab_elem **link, *e = NULL;
	unsigned long irq;
	int err;

	if (flags > BPF_EXIST)
		return -EINVAL;
	if (flags != BPF_EXIST) {
		e = htab_lru_pop(htab, key, hash);
		if (!e)
			return -ENOMEM;
	}
	irq = bpf64_spin_lock(&b->lock);
	link = htab_find_link(htab, b, key, hash);
	err = htab_check_flags(link ? *link : NULL, flags);
	if (!err && link) {
		bpf64_lru_node_set_ref(&(*link)->lru);
		htab_pcpu_copy(htab, *link, value, all_cpus);
	} else if (!err) {
		htab_pcpu_init(htab, e, value, all_cpus);
		htab_link_first(b, e);
		e = NULL;
	}
	bpf64_spin_unlock(&b->lock, irq);
	if (e)
		bpf64_lru_push_free(&htab->lru_list, &e->lru);
	return err;
}

static long htab_percpu_update_elem(struct bpf64_map *map, const void *key,
				    const void *value, u64 flags)
{
	return htab_percpu_update(map, key, value, flags, false);
}

static int htab_percpu_update_copy(struct bpf64_map *map, const void *key,
				   const void *value, u64 flags)
{
	return htab_percpu_update(map, key, value, flags, true);
}

static long htab_lru_percpu_update_elem(struct bpf64_map *map,
					const void *key, const void *value,
					u64 flags)
{
	return htab_lru_percpu_update(map, key, value, flags, false);
}

static int htab_lru_percpu_update_copy(struct bpf64_map *map, const void *key,
				       const void *value, u64 flags)
{
	return htab_lru_percpu_update(map, key, value, flags, true);
}

/*
 * HASH_OF_MAPS from userspace: the value is an fd of a map like the
 * template; the element holds a reference to it.
 */
static int htab_of_maps_update_copy(struct bpf64_map *map, const void *key,
				    const void *value, u64 flags)
{
	struct bpf64_map *inner;
	int err;

	inner = bpf64_map_get_by_fd(*(const u32 *)value, &err);
	if (!inner)
		return err;
	if (!bpf64_map_meta_equal(map->inner_map_meta, inner))
		err = -EINVAL;
	else
		err = htab_update_elem(map, key, &inner, flags);
	if (err)
		bpf64_map_put(inner);
	return err;
}

/* ---- deletion ---- */

/* Unlink @key's element; copy its value out first if @value. */
static int htab_unlink_key(struct bpf64_htab *htab, const void *key,
			   void *value)
{
	u32 hash = htab_hash(key, htab->map.key_size, htab->seed);
	struct htab_bucket *b = htab_bucket(htab, hash);
	struct htab_elem **link, *e = NULL;
	unsigned long irq;

	irq = bpf64_spin_lock(&b->lock);
	link = htab_find_link(htab, b, key, hash);
	if (link) {
		e = *link;
		if (value && htab->percpu)
			memcpy(value, elem_pcpu(htab, e),
			       (size_t)htab->nr_cpus * htab->pcpu_size);
		else if (value)
			memcpy(value, elem_value(htab, e), htab->map.value_size);
		htab_unlink(link, e);
	}
	bpf64_spin_unlock(&b->lock, irq);
	if (!e)
		return -ENOENT;
	if (!htab->lru)
		htab_count_dec(htab);
	htab_elem_free(htab, e);
	return 0;
}

static long htab_delete_elem(struct bpf64_map *map, const void *key)
{
	return htab_unlink_key(to_htab(map), key, NULL);
}

/* No spin locks in values, so BPF_F_LOCK is refused, as Linux does then. */
static int htab_lookup_and_delete(struct bpf64_map *map, const void *key,
				  void *value, u64 flags)
{
	if (flags)
		return -EINVAL;
	return htab_unlink_key(to_htab(map), key, value);
}

/* ---- iteration ---- */

/*
 * As Linux: the element after @key in its bucket, else the first of the
 * next non-empty bucket; a missing @key starts over from the first bucket.
 */
static int htab_get_next_key(struct bpf64_map *map, const void *key,
			     void *next_key)
{
	struct bpf64_htab *htab = to_htab(map);
	struct htab_elem *e;
	u32 idx = 0, hash;

	if (key) {
		hash = htab_hash(key, map->key_size, htab->seed);
		e = htab_find(htab, key, hash);
		if (e) {
			e = bpf64_load_acquire(&e->next);
			if (!htab_is_nulls(e))
				goto found;
			idx = (hash & htab->mask) + 1;
		}
	}
	for (; idx <= htab->mask; idx++) {
		e = bpf64_load_acquire(&htab->buckets[idx].first);
		if (!htab_is_nulls(e))
			goto found;
	}
	return -ENOENT;
found:
	memcpy(next_key, elem_key(htab, e), map->key_size);
	return 0;
}

/* ---- the checked mode's question ---- */

static bool htab_chunk_has_value(const struct bpf64_htab *htab,
				 const struct htab_chunk *c, u64 addr, u32 size)
{
	u64 base, stride, nr, off, start;

	if (htab->percpu) {
		base = (unsigned long)c->pcpu;
		stride = htab->pcpu_size;
		nr = (u64)c->nr * htab->nr_cpus;
		start = 0;
	} else {
		base = (unsigned long)c->elems;
		stride = htab->elem_size;
		nr = c->nr;
		start = htab->value_off;
	}
	if (addr < base || addr - base >= nr * stride)
		return false;
	off = (addr - base) % stride;
	return off >= start && off - start + size <= htab->map.value_size;
}

static bool htab_mem_ok(const struct bpf64_map *map, u64 addr, u32 size,
			bool write)
{
	const struct bpf64_htab *htab = to_htab(map);
	const struct htab_chunk *c;

	if (map->map_flags & (write ? BPF_F_RDONLY_PROG : BPF_F_WRONLY_PROG))
		return false;
	for (c = bpf64_load_acquire(&htab->chunks); c; c = c->next)
		if (htab_chunk_has_value(htab, c, addr, size))
			return true;
	return false;
}

/* ---- LRU eviction ---- */

/* Called with the LRU list locked: take @node's element out of the table. */
static bool htab_lru_evict(void *arg, struct bpf64_lru_node *node)
{
	struct bpf64_htab *htab = arg;
	struct htab_elem *e = container_of(node, struct htab_elem, lru);
	struct htab_bucket *b = htab_bucket(htab, READ_ONCE(e->hash));
	struct htab_elem **link, *cur;
	unsigned long irq;
	bool found = false;

	irq = bpf64_spin_lock(&b->lock);
	for (link = &b->first; !htab_is_nulls(cur = *link); link = &cur->next) {
		if (cur == e) {
			htab_unlink(link, e);
			found = true;
			break;
		}
	}
	bpf64_spin_unlock(&b->lock, irq);
	return found;
}

/* ---- the map types ---- */

const struct bpf64_map_ops bpf64_htab_map_ops = {
	.map_alloc_check = htab_alloc_check,
	.map_alloc = htab_alloc,
	.map_free = htab_free,
	.map_lookup_elem = htab_lookup_elem,
	.map_update_elem = htab_update_elem,
	.map_delete_elem = htab_delete_elem,
	.map_get_next_key = htab_get_next_key,
	.map_lookup_and_delete = htab_lookup_and_delete,
	.map_mem_ok = htab_mem_ok,
};

const struct bpf64_map_ops bpf64_htab_percpu_map_ops = {
	.map_alloc_check = htab_alloc_check,
	.map_alloc = htab_alloc,
	.map_free = htab_free,
	.map_lookup_elem = htab_percpu_lookup_elem,
	.map_update_elem = htab_percpu_update_elem,
	.map_delete_elem = htab_delete_elem,
	.map_get_next_key = htab_get_next_key,
	.map_lookup_copy = htab_percpu_lookup_copy,
	.map_update_copy = htab_percpu_update_copy,
	.map_lookup_and_delete = htab_lookup_and_delete,
	.map_mem_ok = htab_mem_ok,
};

const struct bpf64_map_ops bpf64_htab_lru_map_ops = {
	.map_alloc_check = htab_alloc_check,
	.map_alloc = htab_alloc,
	.map_free = htab_free,
	.map_lookup_elem = htab_lru_lookup_elem,
	.map_update_elem = htab_lru_update_elem,
	.map_delete_elem = htab_delete_elem,
	.map_get_next_key = htab_get_next_key,
	.map_lookup_copy = htab_lookup_copy,
	.map_lookup_and_delete = htab_lookup_and_delete,
	.map_mem_ok = htab_mem_ok,
};

const struct bpf64_map_ops bpf64_htab_lru_percpu_map_ops = {
	.map_alloc_check = htab_alloc_check,
	.map_alloc = htab_alloc,
	.map_free = htab_free,
	.map_lookup_elem = htab_lru_percpu_lookup_elem,
	.map_update_elem = htab_lru_percpu_update_elem,
	.map_delete_elem = htab_delete_elem,
	.map_get_next_key = htab_get_next_key,
	.map_lookup_copy = htab_percpu_lookup_copy,
	.map_update_copy = htab_lru_percpu_update_copy,
	.map_lookup_and_delete = htab_lookup_and_delete,
	.map_mem_ok = htab_mem_ok,
};

/*
 * Programs may only look inner maps up (Linux's verifier refuses updates
 * and deletes from programs), so there is no map_update_elem, and no value
 * memory for them to touch.
 */
const struct bpf64_map_ops bpf64_htab_of_maps_map_ops = {
	.map_alloc_check = htab_of_maps_alloc_check,
	.map_alloc = htab_alloc,
	.map_free = htab_free,
	.map_lookup_elem = htab_of_maps_lookup_elem,
	.map_delete_elem = htab_delete_elem,
	.map_get_next_key = htab_get_next_key,
	.map_lookup_copy = htab_of_maps_lookup_copy,
	.map_update_copy = htab_of_maps_update_copy,
};
