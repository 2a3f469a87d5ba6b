// SPDX-License-Identifier: GPL-2.0
/*
 * Inner map templates for ARRAY_OF_MAPS and HASH_OF_MAPS.
 *
 * An outer map is created from an example inner map and keeps a copy of
 * its shape (the meta map, freed with the outer map).  Every map stored in
 * the outer map later must have that shape, so that what was true of the
 * example for the programs using the outer map is true of any inner map.
 * Maps of maps do not nest.
 */
#include <linux/bpf64/map.h>

/* The types Linux gives a map_meta_equal, of those bpf64 implements. */
static const bool inner_map_types[] = {
	[BPF_MAP_TYPE_HASH] = true,
	[BPF_MAP_TYPE_ARRAY] = true,
	[BPF_MAP_TYPE_PERCPU_HASH] = true,
	[BPF_MAP_TYPE_PERCPU_ARRAY] = true,
	[BPF_MAP_TYPE_LRU_HASH] = true,
	[BPF_MAP_TYPE_LRU_PERCPU_HASH] = true,
	[BPF_MAP_TYPE_LPM_TRIE] = true,
	[BPF_MAP_TYPE_RINGBUF] = true,
};

static bool map_type_may_be_inner(u32 type)
{
	return type < ARRAY_SIZE(inner_map_types) && inner_map_types[type];
}

int bpf64_map_meta_alloc(struct bpf64_map *outer, int inner_fd)
{
	struct bpf64_map *inner, *meta;
	int err;

	inner = bpf64_map_get_by_fd(inner_fd, &err);
	if (!inner)
		return err;
	err = 0;
	if (inner->inner_map_meta)
		err = -EINVAL;
	else if (!map_type_may_be_inner(inner->map_type))
		err = -ENOTSUPP;
	else if (!(meta = bpf64_zalloc(sizeof(*meta))))
		err = -ENOMEM;
	if (!err) {
		meta->ops = inner->ops;
		meta->map_type = inner->map_type;
		meta->key_size = inner->key_size;
		meta->value_size = inner->value_size;
		meta->max_entries = inner->max_entries;
		meta->map_flags = inner->map_flags;
		outer->inner_map_meta = meta;
	}
	bpf64_map_put(inner);
	return err;
}

/*
 * Type, sizes and flags must match; arrays must also have as many entries,
 * unless they were made with BPF_F_INNER_MAP.
 */
bool bpf64_map_meta_equal(const struct bpf64_map *meta,
			  const struct bpf64_map *inner)
{
	if (meta->map_type != inner->map_type ||
	    meta->key_size != inner->key_size ||
	    meta->value_size != inner->value_size ||
	    meta->map_flags != inner->map_flags)
		return false;
	return meta->map_type != BPF_MAP_TYPE_ARRAY ||
	       (meta->map_flags & BPF_F_INNER_MAP) ||
	       meta->max_entries == inner->max_entries;
}
