/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps: the objects programs and userspace share.
 *
 * Every map type embeds struct bpf64_map first and implements the ops it
 * needs.  kernel/bpf/syscall.c owns the common part: it checks the attr of
 * MAP_CREATE against the fields and flags common to all maps, copies keys
 * and values between the caller and kernel buffers, takes and drops
 * references, and hands out ids and file descriptors.  A map's ops only
 * ever see kernel memory.
 *
 * Two callers reach a map:
 *  - programs, through the helpers: lookup_elem returns a pointer into the
 *    map's own storage, which stays valid memory as long as the map lives
 *    (elements are recycled, never handed back to the allocator before the
 *    map is freed), as under Linux's RCU and preallocation;
 *  - userspace, through bpf(): values are copied (percpu maps copy every
 *    CPU's value, each rounded up to 8 bytes; fd maps take and give fds).
 */
#ifndef _LINUX_BPF64_MAP_H
#define _LINUX_BPF64_MAP_H

#include <linux/bpf64/platform.h>

struct bpf64_map;
struct bpf64_prog;

struct bpf64_map_ops {
	/*
	 * MAP_CREATE: check the type-specific parts of @attr (flags, sizes,
	 * max_entries) with Linux's errno, then allocate; map_alloc fills the
	 * common fields (bpf64_map_init_from_attr, then what the type adjusts,
	 * such as a rounded max_entries).
	 */
	int (*map_alloc_check)(const union bpf_attr *attr);
	struct bpf64_map *(*map_alloc)(const union bpf_attr *attr, int *err);
	void (*map_free)(struct bpf64_map *map);

	/* Programs (and the syscall path of non-percpu, non-fd maps). */
	void *(*map_lookup_elem)(struct bpf64_map *map, const void *key);
	long (*map_update_elem)(struct bpf64_map *map, const void *key,
				const void *value, u64 flags);
	long (*map_delete_elem)(struct bpf64_map *map, const void *key);
	int (*map_get_next_key)(struct bpf64_map *map, const void *key,
				void *next_key);

	/*
	 * Userspace copies, where they differ from the program's view.  NULL
	 * means: lookup copies map_lookup_elem()'s value_size bytes, update
	 * calls map_update_elem.  @value is bpf64_map_value_size() bytes.
	 */
	int (*map_lookup_copy)(struct bpf64_map *map, const void *key,
			       void *value, u64 flags);
	int (*map_update_copy)(struct bpf64_map *map, const void *key,
			       const void *value, u64 flags);
	/* NULL: -ENOTSUPP as Linux gives for types without it. */
	int (*map_lookup_and_delete)(struct bpf64_map *map, const void *key,
				     void *value, u64 flags);

	/* Global data: the address of @off in the single value (arrays). */
	int (*map_direct_value_addr)(const struct bpf64_map *map, u64 *addr,
				     u32 off);

	/*
	 * The interpreter's checked mode: is [addr, addr + size) inside a
	 * value this map handed out, and may it be written?
	 */
	bool (*map_mem_ok)(const struct bpf64_map *map, u64 addr, u32 size,
			   bool write);

	/*
	 * The last fd or pin is gone (programs may still hold the map).  A
	 * PROG_ARRAY empties itself here, as Linux's map_release_uref, which
	 * breaks the cycle of a program tail-calling through its own array.
	 */
	void (*map_release_uref)(struct bpf64_map *map);
};

struct bpf64_map {
	const struct bpf64_map_ops *ops;
	u32 map_type;
	u32 key_size;
	u32 value_size;
	u32 max_entries;
	u32 map_flags;
	u32 id;
	u64 refcnt;			/* atomic: fds, pins, programs, outer maps */
	u64 usercnt;			/* atomic: fds and pins only */
	bool frozen;			/* BPF_MAP_FREEZE: no more syscall writes */
	char name[BPF_OBJ_NAME_LEN];
	/* ARRAY_OF_MAPS / HASH_OF_MAPS: what inner maps must look like. */
	struct bpf64_map *inner_map_meta;
	/*
	 * PROG_ARRAY: what every program in it and every program calling
	 * through it must share, set at once by the first (0: unset): the
	 * type << 2 | whether it is JITed (BPF64_OWNER_*), since a JITed tail
	 * call enters native code only.
	 */
	u32 prog_array_owner;
};

#define BPF64_OWNER_INTERPRETED	1
#define BPF64_OWNER_JITED	2
#define BPF64_OWNER_TYPE(owner)	((owner) >> 2)

/* The ops of each map type (kernel/bpf/arraymap.c, hashtab.c, ...). */
extern const struct bpf64_map_ops bpf64_array_map_ops;
extern const struct bpf64_map_ops bpf64_percpu_array_map_ops;
extern const struct bpf64_map_ops bpf64_prog_array_map_ops;
extern const struct bpf64_map_ops bpf64_array_of_maps_map_ops;
extern const struct bpf64_map_ops bpf64_htab_map_ops;
extern const struct bpf64_map_ops bpf64_htab_percpu_map_ops;
extern const struct bpf64_map_ops bpf64_htab_lru_map_ops;
extern const struct bpf64_map_ops bpf64_htab_lru_percpu_map_ops;
extern const struct bpf64_map_ops bpf64_htab_of_maps_map_ops;
extern const struct bpf64_map_ops bpf64_ringbuf_map_ops;
extern const struct bpf64_map_ops bpf64_lpm_trie_map_ops;

/* Fill the common fields from @attr (map_alloc implementations call it). */
void bpf64_map_init_from_attr(struct bpf64_map *map, const union bpf_attr *attr);

/* The bytes bpf() copies for one value: value_size, or per CPU. */
u32 bpf64_map_value_size(const struct bpf64_map *map);
static inline bool bpf64_map_is_percpu(u32 map_type)
{
	return map_type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       map_type == BPF_MAP_TYPE_PERCPU_HASH ||
	       map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* References (kernel/bpf/syscall.c).  The last put frees the map. */
void bpf64_map_get(struct bpf64_map *map);
void bpf64_map_put(struct bpf64_map *map);

/*
 * fd-valued maps (PROG_ARRAY, *_OF_MAPS): the object an fd from userspace
 * names, with a reference, or an error; and its id for lookups from
 * userspace.  Inner maps must match the outer map's inner_map_meta.
 */
struct bpf64_map *bpf64_map_get_by_fd(int fd, int *err);
struct bpf64_prog *bpf64_prog_get_by_fd(int fd, int *err);
int bpf64_map_meta_alloc(struct bpf64_map *outer, int inner_fd);
bool bpf64_map_meta_equal(const struct bpf64_map *meta,
			  const struct bpf64_map *inner);

/* Is @p a live map?  The checked mode asks before a helper uses it. */
bool bpf64_map_ptr_valid(u64 p);
/* Is [addr, addr + size) in a value some live map handed out (map_mem_ok)? */
bool bpf64_map_mem_ok(u64 addr, u32 size, bool write);

/*
 * Tail calls (kernel/bpf/arraymap.c): the program at @index of a PROG_ARRAY
 * with a reference for the caller to put, or NULL.
 */
struct bpf64_prog *bpf64_prog_array_get(struct bpf64_map *map, u32 index);
/*
 * May @prog be in, or tail-call through, PROG_ARRAY @map?  The first to
 * ask sets the map's owner; Linux's bpf_prog_map_compatible().
 */
bool bpf64_prog_array_compatible(struct bpf64_map *map,
				 const struct bpf64_prog *prog);

/* Ring buffers: the consumer side, for userspace (kernel/bpf/ringbuf.c). */
struct bpf64_ringbuf_consumer;
typedef int (*bpf64_ringbuf_sample_fn)(void *ctx, void *data, u32 size);
/* Consume every submitted record in order; returns how many, or -errno. */
int bpf64_ringbuf_consume(struct bpf64_map *map, bpf64_ringbuf_sample_fn fn,
			  void *ctx);

#endif /* _LINUX_BPF64_MAP_H */
