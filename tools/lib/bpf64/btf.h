/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reader of BTF as compilers put it in the .BTF section of an object:
 * enough to follow types (map definitions in .maps, sizes of keys and
 * values), never to load BTF into a kernel.
 *
 * bpf64_btf_parse() checks the whole blob once: the header, that every
 * type record and every string offset lies inside it, that every type id
 * a record refers to exists.  After that the accessors cannot read out of
 * bounds, and the ones that follow chains of types (typedefs, modifiers,
 * arrays) stop after BPF64_BTF_MAX_DEPTH steps, so cycles cannot hang
 * them.  Only BTF of the host's byte order is read.
 */
#ifndef _BPF64_BTF_H
#define _BPF64_BTF_H

#include <stddef.h>
#include <linux/btf.h>
#include <linux/bpf64/platform.h>

#define BPF64_BTF_MAX_DEPTH	32	/* as libbpf's MAX_RESOLVE_DEPTH */

struct bpf64_btf;

/*
 * Parse @size bytes at @data (copied; the caller's buffer may go).
 * Returns 0 with *btfp, -EINVAL with the reason in @err, or -ENOMEM.
 */
int bpf64_btf_parse(const void *data, size_t size, struct bpf64_btf **btfp,
		    char *err, size_t err_size);
void bpf64_btf_free(struct bpf64_btf *btf);

/* Type ids run from 1 to bpf64_btf_nr_types() - 1; 0 is void. */
u32 bpf64_btf_nr_types(const struct bpf64_btf *btf);
/* The type with @id, or NULL for void and ids out of range. */
const struct btf_type *bpf64_btf_type(const struct bpf64_btf *btf, u32 id);
/* The string at @off ("" for 0), or NULL if out of range. */
const char *bpf64_btf_str(const struct bpf64_btf *btf, u32 off);
/* A type's name, "" when anonymous. */
const char *bpf64_btf_name(const struct bpf64_btf *btf,
			   const struct btf_type *t);

/*
 * Follow typedefs and const/volatile/restrict/type_tag modifiers from @id:
 * the first other type, with its id in *idp (may be NULL), or NULL (void,
 * or a chain longer than BPF64_BTF_MAX_DEPTH).
 */
const struct btf_type *bpf64_btf_skip_mods(const struct bpf64_btf *btf,
					   u32 id, u32 *idp);

/*
 * The size in bytes of an object of type @id: through typedefs, modifiers,
 * variables and arrays; pointers are 8 bytes (BPF's).  0 or -EINVAL (void,
 * functions, forward declarations, too deep) or -E2BIG (over 4 GiB).
 */
int bpf64_btf_resolve_size(const struct bpf64_btf *btf, u32 id, u32 *sizep);

/* The first type of @kind named @name: its id, or -ENOENT. */
int bpf64_btf_find(const struct bpf64_btf *btf, const char *name, u32 kind);

/* "STRUCT", "PTR", ... for messages. */
const char *bpf64_btf_kind_str(const struct btf_type *t);

static inline u32 bpf64_btf_kind(const struct btf_type *t)
{
	return BTF_INFO_KIND(t->info);
}

static inline u32 bpf64_btf_vlen(const struct btf_type *t)
{
	return BTF_INFO_VLEN(t->info);
}

static inline const struct btf_member *
bpf64_btf_members(const struct btf_type *t)
{
	return (const struct btf_member *)(t + 1);
}

/* A member's offset in bits (bitfield structs keep the size apart). */
static inline u32 bpf64_btf_member_bit_offset(const struct btf_type *t,
					      u32 i)
{
	u32 off = bpf64_btf_members(t)[i].offset;

	return BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BIT_OFFSET(off) : off;
}

static inline const struct btf_array *bpf64_btf_array(const struct btf_type *t)
{
	return (const struct btf_array *)(t + 1);
}

static inline const struct btf_var *bpf64_btf_var(const struct btf_type *t)
{
	return (const struct btf_var *)(t + 1);
}

static inline const struct btf_var_secinfo *
bpf64_btf_secinfos(const struct btf_type *t)
{
	return (const struct btf_var_secinfo *)(t + 1);
}

static inline const struct btf_param *bpf64_btf_params(const struct btf_type *t)
{
	return (const struct btf_param *)(t + 1);
}

#endif /* _BPF64_BTF_H */
