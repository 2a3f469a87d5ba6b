// SPDX-License-Identifier: GPL-2.0
/*
 * Array maps: ARRAY, PERCPU_ARRAY, PROG_ARRAY and ARRAY_OF_MAPS.
 *
 * Every element exists from creation on, zeroed, in one allocation that is
 * freed with the map: a value pointer a program got stays valid memory for
 * as long as the map lives.  Keys are u32 indexes below max_entries.
 *
 * Concurrency:
 *  - ARRAY and PERCPU_ARRAY values are written with memcpy and read
 *    without a lock, as Linux does without BPF_F_LOCK: a reader racing
 *    with a writer may see a mix of old and new bytes of one value, never
 *    bytes outside it.  Percpu values are per CPU; two threads the platform
 *    runs on the same CPU share that CPU's copy.
 *  - PROG_ARRAY and ARRAY_OF_MAPS slots each hold a reference to their
 *    program or map.  Slots change under the array's lock, and the object
 *    taken out is released after it.  Lookups from userspace read a slot
 *    and its object's id under the lock; tail calls take a reference to
 *    the program under it (bpf64_prog_array_get()).  Neither sees a freed
 *    object.
 *  - Programs read ARRAY_OF_MAPS slots without the lock or a reference.
 *    With no RCU to tell when they are done with an inner map, a map taken
 *    out of a slot is kept (once, however often it was stored) until the
 *    outer map is freed, which cannot happen while a program that uses the
 *    outer map runs.
 */
#include <linux/bpf64/map.h>
#include <linux/bpf64/prog.h>

#define ARRAY_CREATE_FLAGS (BPF_F_NUMA_NODE | BPF_F_MMAPABLE |		\
			    BPF_F_RDONLY | BPF_F_WRONLY |		\
			    BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG |	\
			    BPF_F_INNER_MAP)
/*
 * BPF_F_PRESERVE_ELEMS is in Linux's mask too, but only PERF_EVENT_ARRAY
 * may have it, which bpf64 does not implement.
 */

#define PROG_ACCESS_FLAGS	(BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)
#define ARRAY_VALUE_MAX		0x7fffffffU	/* INT_MAX */
#define PERCPU_VALUE_MAX	(32U << 10)	/* PCPU_MIN_UNIT_SIZE */

struct fd_array_kind;

/* ARRAY_OF_MAPS: an inner map that was taken out of a slot. */
struct retired_map {
	struct retired_map *next;
	struct bpf64_map *map;
};

struct bpf64_array {
	struct bpf64_map map;
	u32 elem_size;			/* value_size rounded up to 8 */
	u32 nr_cpus;			/* copies of each value: 1 or per CPU */
	/* fd arrays only */
	const struct fd_array_kind *kind;
	bpf64_spinlock_t lock;		/* slots and retired */
	struct retired_map *retired;
	u64 value[];			/* [index][cpu], elem_size bytes each */
};

static struct bpf64_array *to_array(const struct bpf64_map *map)
{
	return container_of(map, struct bpf64_array, map);
}

static void *array_elem(struct bpf64_array *array, u32 index, u32 cpu)
{
	return (u8 *)array->value +
	       ((u64)index * array->nr_cpus + cpu) * array->elem_size;
}

static bool is_percpu(const struct bpf64_map *map)
{
	return map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* The copy of a value a program sees: its CPU's, for percpu arrays. */
static void *array_this_elem(struct bpf64_array *array, u32 index)
{
	u32 cpu = is_percpu(&array->map) ? bpf64_smp_processor_id() : 0;

	return array_elem(array, index, cpu);
}

/* Linux's bpf_map_attr_numa_node(attr) != NUMA_NO_NODE. */
static bool numa_node_given(const union bpf_attr *attr)
{
	return (attr->map_flags & BPF_F_NUMA_NODE) &&
	       attr->numa_node != (u32)-1;
}

static int array_alloc_check(const union bpf_attr *attr)
{
	bool percpu = attr->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;

	if (!attr->max_entries || attr->key_size != sizeof(u32) ||
	    !attr->value_size || (attr->map_flags & ~ARRAY_CREATE_FLAGS) ||
	    (attr->map_flags & PROG_ACCESS_FLAGS) == PROG_ACCESS_FLAGS ||
	    (percpu && numa_node_given(attr)))
		return -EINVAL;
	if (attr->map_type != BPF_MAP_TYPE_ARRAY &&
	    (attr->map_flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP)))
		return -EINVAL;
	if (attr->value_size > ARRAY_VALUE_MAX)
		return -E2BIG;
	if (percpu && round_up(attr->value_size, 8U) > PERCPU_VALUE_MAX)
		return -E2BIG;
	return 0;
}

static struct bpf64_map *array_alloc(const union bpf_attr *attr, int *err)
{
	u32 nr_cpus = attr->map_type == BPF_MAP_TYPE_PERCPU_ARRAY ?
		      bpf64_num_possible_cpus() : 1;
	u32 elem_size = round_up(attr->value_size, 8U);
	u64 size = (u64)attr->max_entries * nr_cpus * elem_size;
	struct bpf64_array *array = NULL;

	if (size <= (size_t)-1 - sizeof(*array))
		array = bpf64_zalloc(sizeof(*array) + size);
	if (!array) {
		*err = -ENOMEM;
		return NULL;
	}
	bpf64_map_init_from_attr(&array->map, attr);
	array->elem_size = elem_size;
	array->nr_cpus = nr_cpus;
	bpf64_spin_lock_init(&array->lock);
	return &array->map;
}

static void array_free(struct bpf64_map *map)
{
	bpf64_free(to_array(map));
}

static void *array_lookup_elem(struct bpf64_map *map, const void *key)
{
	u32 index = *(const u32 *)key;

	if (unlikely(index >= map->max_entries))
		return NULL;
	return array_this_elem(to_array(map), index);
}

/* Linux's order of answers, for programs and bpf() alike. */
static int array_update_check(const struct bpf64_map *map, u32 index,
			      u64 flags)
{
	if ((flags & ~BPF_F_LOCK) > BPF_EXIST)
		return -EINVAL;
	if (index >= map->max_entries)
		return -E2BIG;		/* no element to create */
	if (flags & BPF_NOEXIST)
		return -EEXIST;		/* every element exists */
	if (flags & BPF_F_LOCK)
		return -EINVAL;		/* no bpf_spin_lock without BTF */
	return 0;
}

static long array_update_elem(struct bpf64_map *map, const void *key,
			      const void *value, u64 flags)
{
	u32 index = *(const u32 *)key;
	int err = array_update_check(map, index, flags);

	if (err)
		return err;
	memcpy(array_this_elem(to_array(map), index), value, map->value_size);
	return 0;
}

static long array_delete_elem(struct bpf64_map *map, const void *key)
{
	return -EINVAL;		/* elements cannot go away */
}

static int array_get_next_key(struct bpf64_map *map, const void *key,
			      void *next_key)
{
	u32 index = key ? *(const u32 *)key : (u32)-1;
	u32 *next = next_key;

	if (index >= map->max_entries) {
		*next = 0;
		return 0;
	}
	if (index == map->max_entries - 1)
		return -ENOENT;
	*next = index + 1;
	return 0;
}

/* Global data (.data, .rodata, .bss): the single value of the array. */
static int array_direct_value_addr(const struct bpf64_map *map, u64 *addr,
				   u32 off)
{
	if (map->max_entries != 1)
		return -ENOTSUPP;
	if (off >= map->value_size)
		return -EINVAL;
	*addr = (unsigned long)to_array(map)->value + off;
	return 0;
}

/*
 * The checked mode's question: is [addr, addr + size) inside one value
 * (any CPU's copy), and do the BPF_F_{RDONLY,WRONLY}_PROG flags allow the
 * access?
 */
static bool array_mem_ok(const struct bpf64_map *map, u64 addr, u32 size,
			 bool write)
{
	struct bpf64_array *array = to_array(map);
	u64 base = (unsigned long)array->value;
	u64 total = (u64)map->max_entries * array->nr_cpus * array->elem_size;
	u32 forbidden = write ? BPF_F_RDONLY_PROG : BPF_F_WRONLY_PROG;

	if (addr < base || addr - base >= total || (map->map_flags & forbidden))
		return false;
	return (addr - base) % array->elem_size + size <= map->value_size;
}

/*
 * Userspace sees every CPU's copy of a percpu value, each elem_size bytes
 * (zero padded: programs reach only value_size bytes of each).
 */
static int percpu_array_lookup_copy(struct bpf64_map *map, const void *key,
				    void *value, u64 flags)
{
	struct bpf64_array *array = to_array(map);
	u32 index = *(const u32 *)key;

	if (index >= map->max_entries)
		return -ENOENT;
	memcpy(value, array_elem(array, index, 0),
	       (size_t)array->nr_cpus * array->elem_size);
	return 0;
}

static int percpu_array_update_copy(struct bpf64_map *map, const void *key,
				    const void *value, u64 flags)
{
	struct bpf64_array *array = to_array(map);
	u32 index = *(const u32 *)key;
	int err = array_update_check(map, index, flags);

	if (err)
		return err;
	memcpy(array_elem(array, index, 0), value,
	       (size_t)array->nr_cpus * array->elem_size);
	return 0;
}

const struct bpf64_map_ops bpf64_array_map_ops = {
	.map_alloc_check = array_alloc_check,
	.map_alloc = array_alloc,
	.map_free = array_free,
	.map_lookup_elem = array_lookup_elem,
	.map_update_elem = array_update_elem,
	.map_delete_elem = array_delete_elem,
	.map_get_next_key = array_get_next_key,
	.map_direct_value_addr = array_direct_value_addr,
	.map_mem_ok = array_mem_ok,
};

const struct bpf64_map_ops bpf64_percpu_array_map_ops = {
	.map_alloc_check = array_alloc_check,
	.map_alloc = array_alloc,
	.map_free = array_free,
	.map_lookup_elem = array_lookup_elem,
	.map_update_elem = array_update_elem,
	.map_delete_elem = array_delete_elem,
	.map_get_next_key = array_get_next_key,
	.map_lookup_copy = percpu_array_lookup_copy,
	.map_update_copy = percpu_array_update_copy,
	.map_mem_ok = array_mem_ok,
};

/* ---- fd arrays: PROG_ARRAY and ARRAY_OF_MAPS ---- */

/* What a slot of each fd array holds. */
struct fd_array_kind {
	/* The object @fd names, referenced and fit for @map; or NULL. */
	void *(*get)(struct bpf64_map *map, int fd, int *err);
	void (*put)(void *obj);
	u32 (*id)(const void *obj);
	bool retire;		/* programs may still use what leaves a slot */
};

static void **fd_slot(struct bpf64_array *array, u32 index)
{
	return array_elem(array, index, 0);
}

bool bpf64_prog_array_compatible(struct bpf64_map *map,
				 const struct bpf64_prog *prog)
{
	u32 want = prog->type << 2 |
		   (prog->jit ? BPF64_OWNER_JITED : BPF64_OWNER_INTERPRETED);
	u32 owner = bpf64_atomic_cmpxchg32(&map->prog_array_owner, 0, want);

	return !owner || owner == want;
}

static void *prog_fd_get(struct bpf64_map *map, int fd, int *err)
{
	struct bpf64_prog *prog = bpf64_prog_get_by_fd(fd, err);

	if (prog && !bpf64_prog_array_compatible(map, prog)) {
		bpf64_prog_put(prog);
		*err = -EINVAL;
		return NULL;
	}
	return prog;
}

static void prog_put(void *obj)
{
	bpf64_prog_put(obj);
}

static u32 prog_id(const void *obj)
{
	return ((const struct bpf64_prog *)obj)->id;
}

/* An inner map must look like the template the outer map was made with. */
static void *map_fd_get(struct bpf64_map *map, int fd, int *err)
{
	struct bpf64_map *inner = bpf64_map_get_by_fd(fd, err);

	if (inner && !bpf64_map_meta_equal(map->inner_map_meta, inner)) {
		bpf64_map_put(inner);
		*err = -EINVAL;
		return NULL;
	}
	return inner;
}

static void map_put(void *obj)
{
	bpf64_map_put(obj);
}

static u32 map_id(const void *obj)
{
	return ((const struct bpf64_map *)obj)->id;
}

static const struct fd_array_kind prog_array_kind = {
	.get = prog_fd_get,
	.put = prog_put,
	.id = prog_id,
};

static const struct fd_array_kind map_array_kind = {
	.get = map_fd_get,
	.put = map_put,
	.id = map_id,
	.retire = true,
};

static int fd_array_alloc_check(const union bpf_attr *attr)
{
	if (attr->value_size != sizeof(u32))
		return -EINVAL;		/* an fd */
	if (attr->map_flags & PROG_ACCESS_FLAGS)
		return -EINVAL;
	return array_alloc_check(attr);
}

static struct bpf64_map *fd_array_alloc(const union bpf_attr *attr, int *err)
{
	struct bpf64_map *map = array_alloc(attr, err);

	if (map)
		to_array(map)->kind =
			attr->map_type == BPF_MAP_TYPE_PROG_ARRAY ?
			&prog_array_kind : &map_array_kind;
	return map;
}

static void fd_array_free(struct bpf64_map *map)
{
	struct bpf64_array *array = to_array(map);
	struct retired_map *r, *next;
	u32 i;

	for (i = 0; i < map->max_entries; i++)
		if (*fd_slot(array, i))
			array->kind->put(*fd_slot(array, i));
	for (r = array->retired; r; r = next) {
		next = r->next;
		bpf64_map_put(r->map);
		bpf64_free(r);
	}
	bpf64_free(array);
}

static bool retired_has(const struct bpf64_array *array,
			const struct bpf64_map *map)
{
	const struct retired_map *r;

	for (r = array->retired; r; r = r->next)
		if (r->map == map)
			return true;
	return false;
}

/*
 * Put @obj in slot @index (NULL empties it); false if the slot was empty.
 * What was there is released, but an inner map goes to the retired list
 * instead, which holds one reference per map; @r is a free entry for it
 * (NULL for programs).
 */
static bool fd_array_xchg(struct bpf64_array *array, u32 index, void *obj,
			  struct retired_map *r)
{
	void *old, *put = NULL;
	unsigned long flags;

	flags = bpf64_spin_lock(&array->lock);
	old = *fd_slot(array, index);
	bpf64_store_release(fd_slot(array, index), obj);
	if (old && r && !retired_has(array, old)) {
		r->map = old;
		r->next = array->retired;
		array->retired = r;
		r = NULL;
	} else {
		put = old;
	}
	bpf64_spin_unlock(&array->lock, flags);
	bpf64_free(r);
	if (put)
		array->kind->put(put);
	return old != NULL;
}

/* The retired entry an fd_array_xchg() may need, or NULL on -ENOMEM. */
static struct retired_map *fd_array_retired_alloc(struct bpf64_array *array,
						  int *err)
{
	struct retired_map *r;

	*err = 0;
	if (!array->kind->retire)
		return NULL;
	r = bpf64_zalloc(sizeof(*r));
	if (!r)
		*err = -ENOMEM;
	return r;
}

/* bpf(): the value is an fd; only BPF_ANY, as Linux. */
static int fd_array_update_copy(struct bpf64_map *map, const void *key,
				const void *value, u64 flags)
{
	struct bpf64_array *array = to_array(map);
	u32 index = *(const u32 *)key;
	struct retired_map *r;
	void *obj;
	int err;

	if (flags != BPF_ANY)
		return -EINVAL;
	if (index >= map->max_entries)
		return -E2BIG;
	obj = array->kind->get(map, *(const s32 *)value, &err);
	if (!obj)
		return err;
	r = fd_array_retired_alloc(array, &err);
	if (err) {
		array->kind->put(obj);
		return err;
	}
	fd_array_xchg(array, index, obj, r);
	return 0;
}

static long fd_array_delete_elem(struct bpf64_map *map, const void *key)
{
	struct bpf64_array *array = to_array(map);
	u32 index = *(const u32 *)key;
	struct retired_map *r;
	int err;

	if (index >= map->max_entries)
		return -E2BIG;
	r = fd_array_retired_alloc(array, &err);
	if (err)
		return err;
	return fd_array_xchg(array, index, NULL, r) ? 0 : -ENOENT;
}

/* bpf(): the id of the program or map in the slot. */
static int fd_array_lookup_copy(struct bpf64_map *map, const void *key,
				void *value, u64 flags)
{
	struct bpf64_array *array = to_array(map);
	u32 index = *(const u32 *)key;
	unsigned long irq;
	void *obj;

	if (index >= map->max_entries)
		return -ENOENT;
	irq = bpf64_spin_lock(&array->lock);
	obj = *fd_slot(array, index);
	if (obj)
		*(u32 *)value = array->kind->id(obj);
	bpf64_spin_unlock(&array->lock, irq);
	return obj ? 0 : -ENOENT;
}

/* Programs: the inner map itself, which they pass to other map helpers. */
static void *array_of_maps_lookup_elem(struct bpf64_map *map, const void *key)
{
	u32 index = *(const u32 *)key;

	if (unlikely(index >= map->max_entries))
		return NULL;
	return bpf64_load_acquire(fd_slot(to_array(map), index));
}

struct bpf64_prog *bpf64_prog_array_get(struct bpf64_map *map, u32 index)
{
	struct bpf64_array *array = to_array(map);
	struct bpf64_prog *prog;
	unsigned long flags;

	if (map->map_type != BPF_MAP_TYPE_PROG_ARRAY ||
	    index >= map->max_entries)
		return NULL;
	flags = bpf64_spin_lock(&array->lock);
	prog = *fd_slot(array, index);
	if (prog)
		bpf64_prog_get(prog);
	bpf64_spin_unlock(&array->lock, flags);
	return prog;
}

/* No fd or pin left: let go of every program (Linux's map_release_uref). */
static void prog_array_release_uref(struct bpf64_map *map)
{
	u32 i;

	for (i = 0; i < map->max_entries; i++)
		fd_array_xchg(to_array(map), i, NULL, NULL);
}

/* Programs reach a PROG_ARRAY only through tail calls. */
const struct bpf64_map_ops bpf64_prog_array_map_ops = {
	.map_alloc_check = fd_array_alloc_check,
	.map_alloc = fd_array_alloc,
	.map_free = fd_array_free,
	.map_delete_elem = fd_array_delete_elem,
	.map_get_next_key = array_get_next_key,
	.map_lookup_copy = fd_array_lookup_copy,
	.map_update_copy = fd_array_update_copy,
	.map_release_uref = prog_array_release_uref,
};

const struct bpf64_map_ops bpf64_array_of_maps_map_ops = {
	.map_alloc_check = fd_array_alloc_check,
	.map_alloc = fd_array_alloc,
	.map_free = fd_array_free,
	.map_lookup_elem = array_of_maps_lookup_elem,
	.map_delete_elem = fd_array_delete_elem,
	.map_get_next_key = array_get_next_key,
	.map_lookup_copy = fd_array_lookup_copy,
	.map_update_copy = fd_array_update_copy,
};
