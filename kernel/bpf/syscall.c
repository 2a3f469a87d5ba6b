// SPDX-License-Identifier: GPL-2.0
/*
 * The bpf() commands: union bpf_attr in, Linux's answers out.
 *
 * Each command first checks that the attr bytes past its last field are
 * zero (-EINVAL), as Linux's CHECK_ATTR does, then resolves fds, checks
 * permissions and copies keys and values between the caller and kernel
 * buffers, so that map and program code only ever sees kernel memory.
 */
#include <linux/bpf64/jit.h>
#include <linux/bpf64/syscall.h>
#include <linux/bpf64/verifier.h>
#include "objects.h"
#include "prog_load.h"

#define ATTR_END(field) \
	(offsetof(union bpf_attr, field) + sizeof(((union bpf_attr *)0)->field))
#define ATTR_INFO_END(field) (offsetof(struct bpf_prog_info, field) + \
			      sizeof(((struct bpf_prog_info *)0)->field))

/* Write one output field of the caller's attr. */
#define ATTR_PUT(uattr, field, val) ({					\
	__typeof__((uattr)->field) __v = (val);				\
	bpf64_copy_to_user((unsigned long)&(uattr)->field, &__v, sizeof(__v)); \
})

/* Bytes of the attr each command reads; the rest must be zero. */
static const u32 attr_last[] = {
	[BPF_MAP_CREATE] = ATTR_END(map_extra),
	[BPF_MAP_LOOKUP_ELEM] = ATTR_END(flags),
	[BPF_MAP_UPDATE_ELEM] = ATTR_END(flags),
	[BPF_MAP_DELETE_ELEM] = ATTR_END(key),
	[BPF_MAP_GET_NEXT_KEY] = ATTR_END(next_key),
	[BPF_MAP_LOOKUP_AND_DELETE_ELEM] = ATTR_END(flags),
	[BPF_MAP_FREEZE] = ATTR_END(map_fd),
	[BPF_PROG_LOAD] = ATTR_END(core_relo_rec_size),
	[BPF_OBJ_PIN] = ATTR_END(file_flags),
	[BPF_OBJ_GET] = ATTR_END(file_flags),
	[BPF_PROG_TEST_RUN] = ATTR_END(test.batch_size),
	[BPF_PROG_GET_NEXT_ID] = ATTR_END(next_id),
	[BPF_MAP_GET_NEXT_ID] = ATTR_END(next_id),
	[BPF_PROG_GET_FD_BY_ID] = ATTR_END(prog_id),
	[BPF_MAP_GET_FD_BY_ID] = ATTR_END(open_flags),
	[BPF_OBJ_GET_INFO_BY_FD] = ATTR_END(info.info),
};

static bool attr_tail_zero(const union bpf_attr *attr, u32 from)
{
	const u8 *p = (const u8 *)attr;
	u32 i;

	for (i = from; i < sizeof(*attr); i++)
		if (p[i])
			return false;
	return true;
}

static const struct bpf64_map_ops *const map_types[] = {
	[BPF_MAP_TYPE_HASH] = &bpf64_htab_map_ops,
	[BPF_MAP_TYPE_ARRAY] = &bpf64_array_map_ops,
	[BPF_MAP_TYPE_PROG_ARRAY] = &bpf64_prog_array_map_ops,
	[BPF_MAP_TYPE_PERCPU_HASH] = &bpf64_htab_percpu_map_ops,
	[BPF_MAP_TYPE_PERCPU_ARRAY] = &bpf64_percpu_array_map_ops,
	[BPF_MAP_TYPE_LRU_HASH] = &bpf64_htab_lru_map_ops,
	[BPF_MAP_TYPE_LRU_PERCPU_HASH] = &bpf64_htab_lru_percpu_map_ops,
	[BPF_MAP_TYPE_LPM_TRIE] = &bpf64_lpm_trie_map_ops,
	[BPF_MAP_TYPE_ARRAY_OF_MAPS] = &bpf64_array_of_maps_map_ops,
	[BPF_MAP_TYPE_HASH_OF_MAPS] = &bpf64_htab_of_maps_map_ops,
	[BPF_MAP_TYPE_RINGBUF] = &bpf64_ringbuf_map_ops,
};

/* Object names: letters, digits, '_' and '.', NUL within the field. */
int bpf64_obj_name_cpy(char *dst, const char *src, u32 size)
{
	u32 i;

	for (i = 0; i < size && src[i]; i++) {
		char c = src[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return -EINVAL;
		dst[i] = c;
	}
	if (i == size)
		return -EINVAL;
	dst[i] = 0;
	return 0;
}

/* ---- maps ---- */

void bpf64_map_init_from_attr(struct bpf64_map *map, const union bpf_attr *attr)
{
	map->map_type = attr->map_type;
	map->key_size = attr->key_size;
	map->value_size = attr->value_size;
	map->max_entries = attr->max_entries;
	map->map_flags = attr->map_flags;
}

static bool map_is_fd_valued(u32 type)
{
	return type == BPF_MAP_TYPE_PROG_ARRAY ||
	       type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

u32 bpf64_map_value_size(const struct bpf64_map *map)
{
	if (bpf64_map_is_percpu(map->map_type))
		return round_up(map->value_size, 8) * bpf64_num_possible_cpus();
	if (map_is_fd_valued(map->map_type))
		return sizeof(u32);
	return map->value_size;
}

/* The access mode an fd gets from BPF_F_RDONLY / BPF_F_WRONLY flags. */
static int file_mode(u32 flags)
{
	if ((flags & BPF_F_RDONLY) && (flags & BPF_F_WRONLY))
		return -EINVAL;
	return flags & (BPF_F_RDONLY | BPF_F_WRONLY);
}

static int map_create(union bpf_attr *attr)
{
	const struct bpf64_map_ops *ops = NULL;
	struct bpf64_map *map;
	char name[BPF_OBJ_NAME_LEN];
	int err, fd, mode;

	if (attr->map_type < ARRAY_SIZE(map_types))
		ops = map_types[attr->map_type];
	if (!ops)
		return -EINVAL;
	if (attr->map_extra || attr->btf_fd || attr->btf_key_type_id ||
	    attr->btf_value_type_id || attr->btf_vmlinux_value_type_id ||
	    attr->map_ifindex)
		return -EINVAL;		/* no BTF, no offload here */
	/* One memory node, 0, as on a machine without NUMA; -1 is any. */
	if ((attr->map_flags & BPF_F_NUMA_NODE) && attr->numa_node &&
	    attr->numa_node != (u32)-1)
		return -EINVAL;
	mode = file_mode(attr->map_flags);
	if (mode < 0)
		return mode;
	err = bpf64_obj_name_cpy(name, attr->map_name, sizeof(attr->map_name));
	if (err)
		return err;
	if (ops->map_alloc_check) {
		err = ops->map_alloc_check(attr);
		if (err)
			return err;
	}
	map = ops->map_alloc(attr, &err);
	if (!map)
		return err ? err : -ENOMEM;
	map->ops = ops;
	memcpy(map->name, name, sizeof(name));
	map->refcnt = 1;
	/* Other types ignore inner_map_fd, as Linux's do. */
	if (map_is_fd_valued(attr->map_type) &&
	    attr->map_type != BPF_MAP_TYPE_PROG_ARRAY) {
		err = bpf64_map_meta_alloc(map, attr->inner_map_fd);
		if (err)
			goto put;
	}
	err = bpf64_map_alloc_id(map);
	if (err)
		goto put;
	fd = bpf64_fd_install(BPF64_OBJ_MAP, map, mode);
	if (fd < 0)
		bpf64_map_put(map);
	return fd;
put:
	bpf64_map_put(map);
	return err;
}

enum map_access { MAP_READ = 1, MAP_WRITE = 2 };

/* The map behind attr->map_fd if this fd may @access it. */
static struct bpf64_map *map_for(const union bpf_attr *attr,
				 enum map_access access, int *err)
{
	struct bpf64_map *map;
	u32 mode;

	map = bpf64_fd_get(attr->map_fd, BPF64_OBJ_MAP, &mode, err);
	if (!map)
		return NULL;
	if (((access & MAP_READ) && (mode & BPF_F_WRONLY)) ||
	    ((access & MAP_WRITE) && ((mode & BPF_F_RDONLY) || map->frozen))) {
		bpf64_map_put(map);
		*err = -EPERM;
		return NULL;
	}
	return map;
}

/* A kernel copy of @size bytes at @uptr; NULL with *err set. */
static void *copy_in(u64 uptr, u32 size, int *err)
{
	void *buf;

	*err = 0;
	buf = bpf64_zalloc(size);
	if (!buf) {
		*err = -ENOMEM;
		return NULL;
	}
	if (size && bpf64_copy_from_user(buf, uptr, size)) {
		bpf64_free(buf);
		*err = -EFAULT;
		return NULL;
	}
	return buf;
}

/* Linux's __bpf_copy_key: a zero-sized key must come as NULL. */
static void *copy_key(const struct bpf64_map *map, u64 ukey, int *err)
{
	if (!map->key_size && ukey) {
		*err = -EINVAL;
		return NULL;
	}
	return copy_in(ukey, map->key_size, err);
}

static int map_lookup_copy(struct bpf64_map *map, const void *key,
			   void *value, u64 flags)
{
	void *v;

	if (map->ops->map_lookup_copy)
		return map->ops->map_lookup_copy(map, key, value, flags);
	if (!map->ops->map_lookup_elem)
		return -ENOTSUPP;
	v = map->ops->map_lookup_elem(map, key);
	if (!v)
		return -ENOENT;
	memcpy(value, v, map->value_size);
	return 0;
}

typedef int (*map_copy_fn)(struct bpf64_map *map, const void *key,
			   void *value, u64 flags);

/* Linux answers -ENOTSUPP last, after the key is copied. */
static int map_lookup_and_delete_copy(struct bpf64_map *map, const void *key,
				      void *value, u64 flags)
{
	if (!map->ops->map_lookup_and_delete)
		return -ENOTSUPP;
	return map->ops->map_lookup_and_delete(map, key, value, flags);
}

/* LOOKUP_ELEM and LOOKUP_AND_DELETE_ELEM: a value out to the caller. */
static int map_value_out(union bpf_attr *attr, enum map_access access,
			 map_copy_fn copy)
{
	struct bpf64_map *map;
	void *key = NULL, *value = NULL;
	u32 vsize;
	int err;

	if (attr->flags & ~BPF_F_LOCK)
		return -EINVAL;
	map = map_for(attr, access, &err);
	if (!map)
		return err;
	err = -EINVAL;
	if (attr->flags & BPF_F_LOCK)		/* no spin locks in values */
		goto out;
	key = copy_key(map, attr->key, &err);
	if (!key)
		goto out;
	vsize = bpf64_map_value_size(map);
	value = bpf64_zalloc(vsize);
	err = -ENOMEM;
	if (!value)
		goto out;
	err = copy(map, key, value, attr->flags);
	if (!err && bpf64_copy_to_user(attr->value, value, vsize))
		err = -EFAULT;
out:
	bpf64_free(value);
	bpf64_free(key);
	bpf64_map_put(map);
	return err;
}

static int map_update_elem(union bpf_attr *attr)
{
	struct bpf64_map *map;
	void *key, *value = NULL;
	int err;

	map = map_for(attr, MAP_WRITE, &err);
	if (!map)
		return err;
	err = -EINVAL;
	if (attr->flags & BPF_F_LOCK)
		goto out_map;
	key = copy_key(map, attr->key, &err);
	if (!key)
		goto out_map;
	value = copy_in(attr->value, bpf64_map_value_size(map), &err);
	if (!value)
		goto out;
	if (map->ops->map_update_copy)
		err = map->ops->map_update_copy(map, key, value, attr->flags);
	else if (map->ops->map_update_elem)
		err = map->ops->map_update_elem(map, key, value, attr->flags);
	else
		err = -ENOTSUPP;
out:
	bpf64_free(value);
	bpf64_free(key);
out_map:
	bpf64_map_put(map);
	return err;
}

static int map_delete_elem(union bpf_attr *attr)
{
	struct bpf64_map *map;
	void *key;
	int err;

	map = map_for(attr, MAP_WRITE, &err);
	if (!map)
		return err;
	key = copy_key(map, attr->key, &err);
	if (key) {
		err = map->ops->map_delete_elem ?
		      map->ops->map_delete_elem(map, key) : -ENOTSUPP;
		bpf64_free(key);
	}
	bpf64_map_put(map);
	return err;
}

static int map_get_next_key(union bpf_attr *attr)
{
	struct bpf64_map *map;
	void *key = NULL, *next = NULL;
	int err;

	map = map_for(attr, MAP_READ, &err);
	if (!map)
		return err;
	if (attr->key) {
		key = copy_key(map, attr->key, &err);
		if (!key)
			goto out;
	}
	err = -ENOMEM;
	next = bpf64_zalloc(map->key_size);
	if (!next)
		goto out;
	err = map->ops->map_get_next_key ?
	      map->ops->map_get_next_key(map, key, next) : -ENOTSUPP;
	if (!err && bpf64_copy_to_user(attr->next_key, next, map->key_size))
		err = -EFAULT;
out:
	bpf64_free(next);
	bpf64_free(key);
	bpf64_map_put(map);
	return err;
}

static int map_freeze(union bpf_attr *attr)
{
	struct bpf64_map *map;
	u32 mode;
	int err;

	map = bpf64_fd_get(attr->map_fd, BPF64_OBJ_MAP, &mode, &err);
	if (!map)
		return err;
	/* Frozen, a map is no longer writable from here: -EPERM, as Linux. */
	if (map->frozen || (mode & BPF_F_RDONLY))
		err = -EPERM;
	else
		map->frozen = true;
	bpf64_map_put(map);
	return err;
}

/* ---- programs ---- */

static int prog_test_run(union bpf_attr *attr, union bpf_attr *uattr)
{
	/* What a type does not set goes back as the caller gave it. */
	struct bpf64_test_run res = {
		.retval = attr->test.retval,
		.duration = attr->test.duration,
		.data_size_out = attr->test.data_size_out,
		.ctx_size_out = attr->test.ctx_size_out,
	};
	struct bpf64_prog *prog;
	int err;

	err = bpf64_test_attr_check(attr);
	if (err)
		return err;
	prog = bpf64_fd_get(attr->test.prog_fd, BPF64_OBJ_PROG, NULL, &err);
	if (!prog)
		return err;
	if (!prog->ops->test_run) {
		bpf64_prog_put(prog);
		return -ENOTSUPP;
	}
	err = prog->ops->test_run(prog, attr, &res);
	if (!err || err == -ENOSPC) {
		/* A data_out cut short leaves ctx_size_out alone (Linux). */
		if (ATTR_PUT(uattr, test.retval, res.retval) ||
		    ATTR_PUT(uattr, test.duration, res.duration) ||
		    ATTR_PUT(uattr, test.data_size_out, res.data_size_out) ||
		    (!err && ATTR_PUT(uattr, test.ctx_size_out, res.ctx_size_out)))
			err = -EFAULT;
	}
	bpf64_prog_put(prog);
	return err;
}

/* ---- objects ---- */

static int path_in(u64 upath, char *path, size_t size)
{
	long n = bpf64_strncpy_from_user(path, upath, size);

	if (n == -E2BIG)
		return -ENAMETOOLONG;
	return n < 0 ? (int)n : 0;
}

#define BPF64_PATH_MAX	4096

static int obj_pin(union bpf_attr *attr)
{
	enum bpf64_obj_type type = BPF64_OBJ_MAP;
	char *path;
	void *obj;
	int err;

	if (attr->file_flags)
		return -EINVAL;
	obj = bpf64_fd_get(attr->bpf_fd, type, NULL, &err);
	if (!obj && err == -EINVAL) {
		type = BPF64_OBJ_PROG;
		obj = bpf64_fd_get(attr->bpf_fd, type, NULL, &err);
	}
	if (!obj)
		return err;
	path = bpf64_zalloc(BPF64_PATH_MAX);
	err = path ? path_in(attr->pathname, path, BPF64_PATH_MAX) : -ENOMEM;
	if (!err)
		err = bpf64_pin_add(path, type, obj);
	bpf64_free(path);
	if (type == BPF64_OBJ_MAP)
		bpf64_map_put(obj);
	else
		bpf64_prog_put(obj);
	return err;
}

static int obj_get(union bpf_attr *attr)
{
	enum bpf64_obj_type type;
	char *path;
	void *obj = NULL;
	int err, mode, fd;

	if (attr->bpf_fd)
		return -EINVAL;
	mode = file_mode(attr->file_flags);
	if (mode < 0 || (attr->file_flags & ~(BPF_F_RDONLY | BPF_F_WRONLY)))
		return -EINVAL;
	path = bpf64_zalloc(BPF64_PATH_MAX);
	if (!path)
		return -ENOMEM;
	err = path_in(attr->pathname, path, BPF64_PATH_MAX);
	if (!err)
		obj = bpf64_pin_get(path, &type);
	bpf64_free(path);
	if (err)
		return err;
	if (!obj)
		return -ENOENT;
	fd = bpf64_fd_install(type, obj, type == BPF64_OBJ_MAP ? mode : 0);
	if (fd < 0) {
		if (type == BPF64_OBJ_MAP)
			bpf64_map_put(obj);
		else
			bpf64_prog_put(obj);
	}
	return fd;
}

static int obj_get_next_id(union bpf_attr *attr, union bpf_attr *uattr,
			   enum bpf64_obj_type type)
{
	u32 next;
	int err;

	if (attr->start_id >= 0x7fffffffU)
		return -EINVAL;
	err = bpf64_obj_next_id(type, attr->start_id, &next);
	if (!err && ATTR_PUT(uattr, next_id, next))
		err = -EFAULT;
	return err;
}

static int obj_get_fd_by_id(union bpf_attr *attr, enum bpf64_obj_type type)
{
	void *obj;
	int mode = 0, fd;

	if (type == BPF64_OBJ_MAP) {
		mode = file_mode(attr->open_flags);
		if (mode < 0 || (attr->open_flags &
				 ~(BPF_F_RDONLY | BPF_F_WRONLY)))
			return -EINVAL;
	} else if (attr->open_flags) {
		return -EINVAL;
	}
	obj = bpf64_obj_get_by_id(type, type == BPF64_OBJ_MAP ? attr->map_id :
							       attr->prog_id);
	if (!obj)
		return -ENOENT;
	fd = bpf64_fd_install(type, obj, mode);
	if (fd < 0) {
		if (type == BPF64_OBJ_MAP)
			bpf64_map_put(obj);
		else
			bpf64_prog_put(obj);
	}
	return fd;
}

/*
 * Linux's info rules: the caller's info_len may be larger than ours if the
 * rest is zero (-E2BIG otherwise); we fill min of both and say how much.
 */
static int info_prepare(const union bpf_attr *attr, void *info, u32 size,
			u32 *len)
{
	u32 ulen = attr->info.info_len, i;
	u8 byte;

	for (i = size; i < ulen; i++) {
		if (bpf64_copy_from_user(&byte, attr->info.info + i, 1))
			return -EFAULT;
		if (byte)
			return -E2BIG;
	}
	*len = min(ulen, size);
	memset(info, 0, size);
	if (bpf64_copy_from_user(info, attr->info.info, *len))
		return -EFAULT;
	return 0;
}

static int info_finish(const union bpf_attr *attr, union bpf_attr *uattr,
		       const void *info, u32 len)
{
	if (bpf64_copy_to_user(attr->info.info, info, len))
		return -EFAULT;
	return ATTR_PUT(uattr, info.info_len, len) ? -EFAULT : 0;
}

static int map_get_info(const union bpf_attr *attr, union bpf_attr *uattr,
			struct bpf64_map *map)
{
	struct bpf_map_info info;
	u32 len;
	int err = info_prepare(attr, &info, sizeof(info), &len);

	if (err)
		return err;
	memset(&info, 0, sizeof(info));
	info.type = map->map_type;
	info.id = map->id;
	info.key_size = map->key_size;
	info.value_size = map->value_size;
	info.max_entries = map->max_entries;
	info.map_flags = map->map_flags;
	memcpy(info.name, map->name, sizeof(info.name));
	return info_finish(attr, uattr, &info, len);
}

static int prog_get_info(const union bpf_attr *attr, union bpf_attr *uattr,
			 struct bpf64_prog *prog)
{
	bool show_insns = bpf64_capable(BPF64_CAP_BPF);
	struct bpf_prog_info info;
	const u8 *code = NULL;
	u32 len, n, i, code_len = 0;
	int err = info_prepare(attr, &info, sizeof(info), &len);

	if (err)
		return err;
	/* Arrays the caller offered room for, in the fields it gave. */
	if (len >= ATTR_INFO_END(map_ids) && info.map_ids) {
		n = min(info.nr_map_ids, prog->nr_used_maps);
		for (i = 0; i < n; i++)
			if (bpf64_copy_to_user(info.map_ids + i * sizeof(u32),
					       &prog->used_maps[i]->id,
					       sizeof(u32)))
				return -EFAULT;
	}
	/* The instructions are CAP_BPF's to see, as in Linux. */
	if (show_insns && len >= ATTR_INFO_END(xlated_prog_insns) &&
	    info.xlated_prog_insns && info.xlated_prog_len) {
		err = bpf64_prog_dump_xlated(prog, info.xlated_prog_insns,
					     info.xlated_prog_len);
		if (err)
			return err;
	}
	if (prog->jit)
		code = bpf64_jit_code(prog->jit, &code_len);
	if (show_insns && code && len >= ATTR_INFO_END(jited_prog_insns) &&
	    info.jited_prog_insns &&
	    bpf64_copy_to_user(info.jited_prog_insns, code,
			       min(info.jited_prog_len, code_len)))
		return -EFAULT;
	memset(&info, 0, sizeof(info));
	info.type = prog->type;
	info.id = prog->id;
	memcpy(info.tag, prog->tag, sizeof(info.tag));
	info.xlated_prog_len = show_insns ? prog->len * sizeof(struct bpf_insn) :
					    0;
	info.jited_prog_len = show_insns ? code_len : 0;
	info.load_time = prog->load_time;
	info.nr_map_ids = prog->nr_used_maps;
	memcpy(info.name, prog->name, sizeof(info.name));
	info.gpl_compatible = prog->gpl_compatible;
	info.verified_insns = prog->orig_len;
	return info_finish(attr, uattr, &info, len);
}

static int obj_get_info_by_fd(union bpf_attr *attr, union bpf_attr *uattr)
{
	void *obj;
	int err;

	obj = bpf64_fd_get(attr->info.bpf_fd, BPF64_OBJ_MAP, NULL, &err);
	if (obj) {
		err = map_get_info(attr, uattr, obj);
		bpf64_map_put(obj);
		return err;
	}
	obj = bpf64_fd_get(attr->info.bpf_fd, BPF64_OBJ_PROG, NULL, &err);
	if (!obj)
		return err;
	err = prog_get_info(attr, uattr, obj);
	bpf64_prog_put(obj);
	return err;
}

/* ---- dispatch ---- */

long bpf64_sys_bpf(int cmd, union bpf_attr *uattr, unsigned int size)
{
	union bpf_attr attr;
	u8 byte;
	u32 i;
	int err;

	/* Linux's bpf_check_uarg_tail_zero: a longer attr must end in zeros. */
	for (i = sizeof(attr); i < size; i++) {
		if (bpf64_copy_from_user(&byte, (unsigned long)uattr + i, 1))
			return -EFAULT;
		if (byte)
			return -E2BIG;
	}
	size = min((u32)size, (u32)sizeof(attr));
	memset(&attr, 0, sizeof(attr));
	if (bpf64_copy_from_user(&attr, (unsigned long)uattr, size))
		return -EFAULT;
	if (cmd < 0 || (u32)cmd >= ARRAY_SIZE(attr_last) || !attr_last[cmd])
		return -EINVAL;
	if (!attr_tail_zero(&attr, attr_last[cmd]))
		return -EINVAL;
	err = bpf64_priv_cmd(cmd);
	if (err)
		return err;

	switch (cmd) {
	case BPF_MAP_CREATE:
		err = bpf64_priv_map_create(attr.map_type);
		return err ? err : map_create(&attr);
	case BPF_MAP_LOOKUP_ELEM:
		return map_value_out(&attr, MAP_READ, map_lookup_copy);
	case BPF_MAP_UPDATE_ELEM:
		return map_update_elem(&attr);
	case BPF_MAP_DELETE_ELEM:
		return map_delete_elem(&attr);
	case BPF_MAP_GET_NEXT_KEY:
		return map_get_next_key(&attr);
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
		return map_value_out(&attr, MAP_READ | MAP_WRITE,
				     map_lookup_and_delete_copy);
	case BPF_MAP_FREEZE:
		return map_freeze(&attr);
	case BPF_PROG_LOAD:
		return bpf64_sys_prog_load(&attr);
	case BPF_PROG_TEST_RUN:
		return prog_test_run(&attr, uattr);
	case BPF_OBJ_PIN:
		return obj_pin(&attr);
	case BPF_OBJ_GET:
		return obj_get(&attr);
	case BPF_PROG_GET_NEXT_ID:
		return obj_get_next_id(&attr, uattr, BPF64_OBJ_PROG);
	case BPF_MAP_GET_NEXT_ID:
		return obj_get_next_id(&attr, uattr, BPF64_OBJ_MAP);
	case BPF_PROG_GET_FD_BY_ID:
		return obj_get_fd_by_id(&attr, BPF64_OBJ_PROG);
	case BPF_MAP_GET_FD_BY_ID:
		return obj_get_fd_by_id(&attr, BPF64_OBJ_MAP);
	case BPF_OBJ_GET_INFO_BY_FD:
		return obj_get_info_by_fd(&attr, uattr);
	}
	return -EINVAL;
}

/* ---- the hosted side's extras ---- */

int bpf64_ringbuf_consume_fd(int fd, bpf64_ringbuf_sample_fn fn, void *ctx)
{
	struct bpf64_map *map;
	int err;

	map = bpf64_fd_get(fd, BPF64_OBJ_MAP, NULL, &err);
	if (!map)
		return err;
	err = map->map_type == BPF_MAP_TYPE_RINGBUF ?
	      bpf64_ringbuf_consume(map, fn, ctx) : -EINVAL;
	bpf64_map_put(map);
	return err;
}

int bpf64_prog_last_fault(int fd, struct bpf64_fault *fault)
{
	struct bpf64_prog *prog;
	int err;

	prog = bpf64_fd_get(fd, BPF64_OBJ_PROG, NULL, &err);
	if (!prog)
		return err;
	*fault = prog->last_fault;
	bpf64_prog_put(prog);
	return 0;
}
