// SPDX-License-Identifier: GPL-2.0
/*
 * Objects behind the bpf() interface: references, ids, file descriptors
 * and pinned paths.
 *
 * Maps and programs count their references atomically (fds, pins, programs
 * that use a map, fd-valued maps that hold one).  The last put frees.  The
 * tables of fds, ids and pins share one lock; nothing slow runs under it,
 * and no object is freed under it.
 */
#include <linux/bpf64/syscall.h>
#include "objects.h"

struct bpf64_fd_entry {
	enum bpf64_obj_type type;	/* BPF64_OBJ_NONE: a free slot */
	void *obj;
	u32 mode;			/* BPF_F_RDONLY / BPF_F_WRONLY */
};

struct bpf64_pin {
	char *path;
	enum bpf64_obj_type type;
	void *obj;
};

/* Live objects by id, in allocation order (ids only grow). */
struct bpf64_id_list {
	void **objs;
	u32 nr, cap;
	u32 next_id;
};

static BPF64_DEFINE_SPINLOCK(objects_lock);
static struct bpf64_fd_entry *fds;
static u32 nr_fds;
static struct bpf64_pin *pins;
static u32 nr_pins;
static struct bpf64_id_list map_ids, prog_ids;

/* The first fd; 0-2 look like stdio to anyone who prints them. */
#define BPF64_FD_BASE	3

static bool grow(void **arr, u32 *cap, size_t elem, u32 need)
{
	u32 ncap = *cap ? *cap : 16;
	void *n;

	if (need <= *cap)
		return true;
	while (ncap < need)
		ncap *= 2;
	n = bpf64_zalloc_array(ncap, elem);
	if (!n)
		return false;
	if (*arr) {
		memcpy(n, *arr, (size_t)*cap * elem);
		bpf64_free(*arr);
	}
	*arr = n;
	*cap = ncap;
	return true;
}

/* ---- references ---- */

static void obj_get(enum bpf64_obj_type type, void *obj)
{
	if (type == BPF64_OBJ_MAP)
		bpf64_map_get(obj);
	else
		bpf64_prog_get(obj);
}

static void obj_put(enum bpf64_obj_type type, void *obj)
{
	if (type == BPF64_OBJ_MAP)
		bpf64_map_put(obj);
	else
		bpf64_prog_put(obj);
}

/* Fds and pins are user references: they also count in map->usercnt. */
static void obj_uref_get(enum bpf64_obj_type type, void *obj)
{
	if (type == BPF64_OBJ_MAP)
		bpf64_atomic_fetch_add64(&((struct bpf64_map *)obj)->usercnt, 1);
}

static void obj_uref_put(enum bpf64_obj_type type, void *obj)
{
	struct bpf64_map *map = obj;

	if (type == BPF64_OBJ_MAP &&
	    bpf64_atomic_fetch_add64(&map->usercnt, -1) == 1 &&
	    map->ops->map_release_uref)
		map->ops->map_release_uref(map);
	obj_put(type, obj);
}

void bpf64_map_get(struct bpf64_map *map)
{
	bpf64_atomic_fetch_add64(&map->refcnt, 1);
}

static void id_list_remove(struct bpf64_id_list *l, void *obj)
{
	unsigned long flags = bpf64_spin_lock(&objects_lock);
	u32 i;

	for (i = 0; i < l->nr; i++) {
		if (l->objs[i] == obj) {
			memmove(&l->objs[i], &l->objs[i + 1],
				(l->nr - i - 1) * sizeof(void *));
			l->nr--;
			break;
		}
	}
	bpf64_spin_unlock(&objects_lock, flags);
}

void bpf64_map_put(struct bpf64_map *map)
{
	if (bpf64_atomic_fetch_add64(&map->refcnt, -1) != 1)
		return;
	id_list_remove(&map_ids, map);
	bpf64_free(map->inner_map_meta);
	map->ops->map_free(map);
}

void bpf64_prog_get(struct bpf64_prog *prog)
{
	bpf64_atomic_fetch_add64(&prog->refcnt, 1);
}

void bpf64_prog_put(struct bpf64_prog *prog)
{
	u32 i;

	if (bpf64_atomic_fetch_add64(&prog->refcnt, -1) != 1)
		return;
	id_list_remove(&prog_ids, prog);
	for (i = 0; i < prog->nr_used_maps; i++)
		bpf64_map_put(prog->used_maps[i]);
	bpf64_free(prog->used_maps);
	bpf64_prog_free(prog);
}

/* ---- ids ---- */

static int id_alloc(struct bpf64_id_list *l, void *obj, u32 *id)
{
	unsigned long flags = bpf64_spin_lock(&objects_lock);
	int err = 0;

	if (!grow((void **)&l->objs, &l->cap, sizeof(void *), l->nr + 1) ||
	    l->next_id == 0x7fffffffU) {
		err = -ENOSPC;
	} else {
		*id = ++l->next_id;
		l->objs[l->nr++] = obj;
	}
	bpf64_spin_unlock(&objects_lock, flags);
	return err;
}

int bpf64_map_alloc_id(struct bpf64_map *map)
{
	return id_alloc(&map_ids, map, &map->id);
}

int bpf64_prog_alloc_id(struct bpf64_prog *prog)
{
	return id_alloc(&prog_ids, prog, &prog->id);
}

static u32 obj_id(enum bpf64_obj_type type, const void *obj)
{
	return type == BPF64_OBJ_MAP ? ((const struct bpf64_map *)obj)->id :
				       ((const struct bpf64_prog *)obj)->id;
}

static struct bpf64_id_list *id_list(enum bpf64_obj_type type)
{
	return type == BPF64_OBJ_MAP ? &map_ids : &prog_ids;
}

/* The smallest id above @start: ids only grow, so the list is sorted. */
int bpf64_obj_next_id(enum bpf64_obj_type type, u32 start, u32 *next)
{
	struct bpf64_id_list *l = id_list(type);
	unsigned long flags = bpf64_spin_lock(&objects_lock);
	int err = -ENOENT;
	u32 i;

	for (i = 0; i < l->nr; i++) {
		u32 id = obj_id(type, l->objs[i]);

		if (id > start) {
			*next = id;
			err = 0;
			break;
		}
	}
	bpf64_spin_unlock(&objects_lock, flags);
	return err;
}

/* The object with @id, with a reference; NULL if there is none. */
void *bpf64_obj_get_by_id(enum bpf64_obj_type type, u32 id)
{
	struct bpf64_id_list *l = id_list(type);
	unsigned long flags = bpf64_spin_lock(&objects_lock);
	void *found = NULL;
	u32 i;

	for (i = 0; i < l->nr; i++) {
		if (obj_id(type, l->objs[i]) == id) {
			found = l->objs[i];
			obj_get(type, found);
			break;
		}
	}
	bpf64_spin_unlock(&objects_lock, flags);
	return found;
}

bool bpf64_map_ptr_valid(u64 p)
{
	unsigned long flags = bpf64_spin_lock(&objects_lock);
	bool found = false;
	u32 i;

	for (i = 0; i < map_ids.nr && !found; i++)
		found = (u64)(unsigned long)map_ids.objs[i] == p;
	bpf64_spin_unlock(&objects_lock, flags);
	return found;
}

bool bpf64_map_mem_ok(u64 addr, u32 size, bool write)
{
	unsigned long flags = bpf64_spin_lock(&objects_lock);
	bool ok = false;
	u32 i;

	for (i = 0; i < map_ids.nr && !ok; i++) {
		const struct bpf64_map *map = map_ids.objs[i];

		ok = map->ops->map_mem_ok &&
		     map->ops->map_mem_ok(map, addr, size, write);
	}
	bpf64_spin_unlock(&objects_lock, flags);
	return ok;
}

/* ---- file descriptors ---- */

static u32 nr_fd_slots;

/* Install @obj (whose reference the fd takes over) at the lowest free fd. */
int bpf64_fd_install(enum bpf64_obj_type type, void *obj, u32 mode)
{
	unsigned long flags = bpf64_spin_lock(&objects_lock);
	int fd = -EMFILE;
	u32 i;

	for (i = 0; i < nr_fds && fds[i].type != BPF64_OBJ_NONE; i++)
		;
	if (i == nr_fds &&
	    grow((void **)&fds, &nr_fd_slots, sizeof(*fds), nr_fds + 1))
		nr_fds++;
	if (i < nr_fds) {
		fds[i] = (struct bpf64_fd_entry){ type, obj, mode };
		fd = i + BPF64_FD_BASE;
		obj_uref_get(type, obj);
	}
	bpf64_spin_unlock(&objects_lock, flags);
	return fd;
}

/*
 * The object behind @fd with a reference, and the fd's mode.  -EBADF for
 * no such fd; -EINVAL if it holds the other kind of object, as Linux says
 * when a program fd is passed as a map.
 */
void *bpf64_fd_get(int fd, enum bpf64_obj_type type, u32 *mode, int *err)
{
	unsigned long flags = bpf64_spin_lock(&objects_lock);
	void *obj = NULL;
	u32 i = fd - BPF64_FD_BASE;

	/* 0-2 are the process's stdio: open, but no bpf object (Linux). */
	*err = fd >= 0 && fd < BPF64_FD_BASE ? -EINVAL : -EBADF;
	if (fd >= BPF64_FD_BASE && i < nr_fds &&
	    fds[i].type != BPF64_OBJ_NONE) {
		*err = -EINVAL;
		if (fds[i].type == type) {
			obj = fds[i].obj;
			obj_get(type, obj);
			if (mode)
				*mode = fds[i].mode;
			*err = 0;
		}
	}
	bpf64_spin_unlock(&objects_lock, flags);
	return obj;
}

int bpf64_close(int fd)
{
	unsigned long flags = bpf64_spin_lock(&objects_lock);
	struct bpf64_fd_entry e = { };
	u32 i = fd - BPF64_FD_BASE;

	if (fd >= BPF64_FD_BASE && i < nr_fds) {
		e = fds[i];
		fds[i].type = BPF64_OBJ_NONE;
	}
	bpf64_spin_unlock(&objects_lock, flags);
	if (e.type == BPF64_OBJ_NONE)
		return -EBADF;
	obj_uref_put(e.type, e.obj);
	return 0;
}

struct bpf64_map *bpf64_map_get_by_fd(int fd, int *err)
{
	return bpf64_fd_get(fd, BPF64_OBJ_MAP, NULL, err);
}

struct bpf64_prog *bpf64_prog_get_by_fd(int fd, int *err)
{
	return bpf64_fd_get(fd, BPF64_OBJ_PROG, NULL, err);
}

struct bpf64_map *bpf64_map_from_fd(int fd)
{
	int err;

	return bpf64_fd_get(fd, BPF64_OBJ_MAP, NULL, &err);
}

struct bpf64_prog *bpf64_prog_from_fd(int fd)
{
	int err;

	return bpf64_fd_get(fd, BPF64_OBJ_PROG, NULL, &err);
}

/* ---- pinned paths ---- */

#define BPF64_PIN_ROOT	"/sys/fs/bpf/"

static int find_pin(const char *path)
{
	u32 i;

	for (i = 0; i < nr_pins; i++)
		if (!strcmp(pins[i].path, path))
			return i;
	return -1;
}

static u32 nr_pin_slots;

/*
 * Pin @obj at @path (the pin takes its own reference).  Paths live under
 * /sys/fs/bpf/ as on Linux's bpffs (-EPERM elsewhere, as pinning outside a
 * bpffs is); directories below it exist implicitly.
 */
int bpf64_pin_add(const char *path, enum bpf64_obj_type type, void *obj)
{
	size_t len = strlen(path), root = strlen(BPF64_PIN_ROOT);
	unsigned long flags;
	char *copy;
	int err = 0;

	if (len < root || strncmp(path, BPF64_PIN_ROOT, root))
		return -EPERM;
	if (len == root || path[len - 1] == '/')
		return -EEXIST;		/* the directory itself */
	copy = bpf64_zalloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, path, len);
	flags = bpf64_spin_lock(&objects_lock);
	if (find_pin(path) >= 0)
		err = -EEXIST;
	else if (!grow((void **)&pins, &nr_pin_slots, sizeof(*pins), nr_pins + 1))
		err = -ENOMEM;
	else
		pins[nr_pins++] = (struct bpf64_pin){ copy, type, obj };
	if (!err) {
		obj_get(type, obj);
		obj_uref_get(type, obj);
	}
	bpf64_spin_unlock(&objects_lock, flags);
	if (err)
		bpf64_free(copy);
	return err;
}

void *bpf64_pin_get(const char *path, enum bpf64_obj_type *type)
{
	unsigned long flags = bpf64_spin_lock(&objects_lock);
	int i = find_pin(path);
	void *obj = NULL;

	if (i >= 0) {
		obj = pins[i].obj;
		*type = pins[i].type;
		obj_get(*type, obj);
	}
	bpf64_spin_unlock(&objects_lock, flags);
	return obj;
}

int bpf64_unpin(const char *path)
{
	unsigned long flags = bpf64_spin_lock(&objects_lock);
	int i = find_pin(path);
	struct bpf64_pin p = { };

	if (i >= 0) {
		p = pins[i];
		pins[i] = pins[--nr_pins];
	}
	bpf64_spin_unlock(&objects_lock, flags);
	if (i < 0)
		return -ENOENT;
	bpf64_free(p.path);
	obj_uref_put(p.type, p.obj);
	return 0;
}

void bpf64_sys_reset(void)
{
	u32 i;

	while (nr_pins)
		bpf64_unpin(pins[nr_pins - 1].path);
	for (i = 0; i < nr_fds; i++)
		bpf64_close(i + BPF64_FD_BASE);
}
