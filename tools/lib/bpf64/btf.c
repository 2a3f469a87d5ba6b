// SPDX-License-Identifier: GPL-2.0
/*
 * BTF reader for the ELF loader: one pass checks the blob completely, so
 * that everything after it may follow type ids and string offsets without
 * checking them again.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"

#define BTF_MAGIC_NATIVE	0xeB9F

struct bpf64_btf {
	u8 *data;		/* the whole blob, copied */
	u32 size;
	const char *strs;
	u32 str_len;
	u32 *offs;		/* offs[id]: the type's offset in data */
	u32 nr_types;		/* void included */
};

/* Which fields of a kind's record are type ids, and how long it is. */
enum {
	REF_TYPE = 1,		/* btf_type.type */
	REF_MEMBERS = 2,	/* btf_member[vlen].type, named */
	REF_PARAMS = 4,		/* btf_param[vlen].type, named */
	REF_SECINFO = 8,	/* btf_var_secinfo[vlen].type */
	REF_ARRAY = 16,		/* btf_array.type, .index_type */
	NAMED_ENUM = 32,	/* btf_enum[vlen] or btf_enum64[vlen] names */
};

struct kind_info {
	const char *name;
	u8 fixed;		/* bytes after struct btf_type */
	u8 per_vlen;		/* bytes per vlen entry */
	u8 flags;
};

static const struct kind_info kinds[NR_BTF_KINDS] = {
	[BTF_KIND_UNKN]		= { "UNKNOWN", 0, 0, 0 },
	[BTF_KIND_INT]		= { "INT", 4, 0, 0 },
	[BTF_KIND_PTR]		= { "PTR", 0, 0, REF_TYPE },
	[BTF_KIND_ARRAY]	= { "ARRAY", sizeof(struct btf_array), 0, REF_ARRAY },
	[BTF_KIND_STRUCT]	= { "STRUCT", 0, sizeof(struct btf_member), REF_MEMBERS },
	[BTF_KIND_UNION]	= { "UNION", 0, sizeof(struct btf_member), REF_MEMBERS },
	[BTF_KIND_ENUM]		= { "ENUM", 0, sizeof(struct btf_enum), NAMED_ENUM },
	[BTF_KIND_FWD]		= { "FWD", 0, 0, 0 },
	[BTF_KIND_TYPEDEF]	= { "TYPEDEF", 0, 0, REF_TYPE },
	[BTF_KIND_VOLATILE]	= { "VOLATILE", 0, 0, REF_TYPE },
	[BTF_KIND_CONST]	= { "CONST", 0, 0, REF_TYPE },
	[BTF_KIND_RESTRICT]	= { "RESTRICT", 0, 0, REF_TYPE },
	[BTF_KIND_FUNC]		= { "FUNC", 0, 0, REF_TYPE },
	[BTF_KIND_FUNC_PROTO]	= { "FUNC_PROTO", 0, sizeof(struct btf_param),
				    REF_TYPE | REF_PARAMS },
	[BTF_KIND_VAR]		= { "VAR", sizeof(struct btf_var), 0, REF_TYPE },
	[BTF_KIND_DATASEC]	= { "DATASEC", 0, sizeof(struct btf_var_secinfo),
				    REF_SECINFO },
	[BTF_KIND_FLOAT]	= { "FLOAT", 0, 0, 0 },
	[BTF_KIND_DECL_TAG]	= { "DECL_TAG", sizeof(struct btf_decl_tag), 0,
				    REF_TYPE },
	[BTF_KIND_TYPE_TAG]	= { "TYPE_TAG", 0, 0, REF_TYPE },
	[BTF_KIND_ENUM64]	= { "ENUM64", 0, sizeof(struct btf_enum64),
				    NAMED_ENUM },
};

__printf(3, 4) static int fail(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	if (err && err_size) {
		va_start(ap, fmt);
		vsnprintf(err, err_size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool str_ok(const struct bpf64_btf *btf, u32 off)
{
	return off < btf->str_len;	/* the last byte is a NUL */
}

/* The header: where the type and string sections are. */
static int check_header(struct bpf64_btf *btf, u32 *type_start,
			u32 *type_len, char *err, size_t err_size)
{
	struct btf_header hdr;
	u32 i;

	if (btf->size < sizeof(hdr))
		return fail(err, err_size, "BTF: %u bytes, shorter than its header",
			    btf->size);
	memcpy(&hdr, btf->data, sizeof(hdr));
	if (hdr.magic != BTF_MAGIC_NATIVE)
		return fail(err, err_size, "BTF: bad magic 0x%04x%s", hdr.magic,
			    hdr.magic == 0x9FEB ? " (other byte order)" : "");
	if (hdr.version != 1)
		return fail(err, err_size, "BTF: version %u, only 1 is known",
			    hdr.version);
	if (hdr.hdr_len < sizeof(hdr) || hdr.hdr_len > btf->size)
		return fail(err, err_size, "BTF: header length %u out of range",
			    hdr.hdr_len);
	for (i = sizeof(hdr); i < hdr.hdr_len; i++)
		if (btf->data[i])
			return fail(err, err_size,
				    "BTF: unknown non-zero header byte at %u", i);
	if ((u64)hdr.type_off + hdr.type_len > btf->size - hdr.hdr_len ||
	    (u64)hdr.str_off + hdr.str_len > btf->size - hdr.hdr_len)
		return fail(err, err_size,
			    "BTF: types (%u+%u) or strings (%u+%u) past the %u bytes after the header",
			    hdr.type_off, hdr.type_len, hdr.str_off,
			    hdr.str_len, btf->size - hdr.hdr_len);
	if ((hdr.hdr_len + hdr.type_off) % 4 || hdr.type_len % 4)
		return fail(err, err_size, "BTF: type section not 4-byte aligned");
	btf->strs = (const char *)btf->data + hdr.hdr_len + hdr.str_off;
	btf->str_len = hdr.str_len;
	if (!hdr.str_len || btf->strs[0] || btf->strs[hdr.str_len - 1])
		return fail(err, err_size,
			    "BTF: string section must start and end with a NUL");
	*type_start = hdr.hdr_len + hdr.type_off;
	*type_len = hdr.type_len;
	return 0;
}

/* Where each type record starts; also checks the records fit. */
static int index_types(struct bpf64_btf *btf, u32 start, u32 len,
		       char *err, size_t err_size)
{
	u32 off = 0, n = 1, kind, rec;
	struct btf_type t;

	/* at most one record per 12 bytes, plus void */
	btf->offs = calloc(len / sizeof(t) + 1, sizeof(*btf->offs));
	if (!btf->offs)
		return -ENOMEM;
	while (off < len) {
		if (len - off < sizeof(t))
			return fail(err, err_size, "BTF: type [%u] truncated", n);
		memcpy(&t, btf->data + start + off, sizeof(t));
		kind = BTF_INFO_KIND(t.info);
		if (kind == BTF_KIND_UNKN || kind >= NR_BTF_KINDS)
			return fail(err, err_size, "BTF: type [%u] has unknown kind %u",
				    n, kind);
		rec = sizeof(t) + kinds[kind].fixed +
		      BTF_INFO_VLEN(t.info) * kinds[kind].per_vlen;
		if (rec > len - off)
			return fail(err, err_size,
				    "BTF: type [%u] %s needs %u bytes, %u left", n,
				    kinds[kind].name, rec, len - off);
		btf->offs[n++] = start + off;
		off += rec;
	}
	btf->nr_types = n;
	return 0;
}

static bool id_ok(const struct bpf64_btf *btf, u32 id)
{
	return id < btf->nr_types;
}

/* Every name and every type id one record mentions. */
static int check_refs(const struct bpf64_btf *btf, u32 id, char *err,
		      size_t err_size)
{
	const struct btf_type *t = bpf64_btf_type(btf, id);
	const struct kind_info *k = &kinds[bpf64_btf_kind(t)];
	u32 i, vlen = bpf64_btf_vlen(t);
	const struct btf_array *a;

	if (!str_ok(btf, t->name_off))
		return fail(err, err_size, "BTF: type [%u] name offset %u out of range",
			    id, t->name_off);
	if ((k->flags & REF_TYPE) && !id_ok(btf, t->type))
		goto bad_ref;
	if (k->flags & REF_ARRAY) {
		a = bpf64_btf_array(t);
		if (!id_ok(btf, a->type) || !id_ok(btf, a->index_type))
			goto bad_ref;
	}
	for (i = 0; k->per_vlen && i < vlen; i++) {
		const u8 *e = (const u8 *)(t + 1) + i * k->per_vlen;
		u32 name = 0, type = 0;

		if (k->flags & (REF_MEMBERS | REF_PARAMS | NAMED_ENUM))
			memcpy(&name, e, sizeof(name));
		if (k->flags & (REF_MEMBERS | REF_PARAMS))
			memcpy(&type, e + 4, sizeof(type));
		else if (k->flags & REF_SECINFO)
			memcpy(&type, e, sizeof(type));
		if (!str_ok(btf, name))
			return fail(err, err_size,
				    "BTF: type [%u] entry %u name offset %u out of range",
				    id, i, name);
		if (!id_ok(btf, type))
			goto bad_ref;
	}
	return 0;
bad_ref:
	return fail(err, err_size, "BTF: type [%u] %s refers to a type past [%u]",
		    id, k->name, btf->nr_types - 1);
}

int bpf64_btf_parse(const void *data, size_t size, struct bpf64_btf **btfp,
		    char *err, size_t err_size)
{
	struct bpf64_btf *btf;
	u32 start = 0, len = 0, id;
	int ret;

	*btfp = NULL;
	if (size > UINT32_MAX)
		return fail(err, err_size, "BTF: %zu bytes is too large", size);
	btf = calloc(1, sizeof(*btf));
	if (!btf)
		return -ENOMEM;
	/* a private, aligned copy: sections in objects are often not */
	btf->data = malloc(size ? size : 1);
	if (!btf->data) {
		free(btf);
		return -ENOMEM;
	}
	memcpy(btf->data, data, size);
	btf->size = size;
	ret = check_header(btf, &start, &len, err, err_size);
	if (!ret)
		ret = index_types(btf, start, len, err, err_size);
	for (id = 1; !ret && id < btf->nr_types; id++)
		ret = check_refs(btf, id, err, err_size);
	if (ret) {
		bpf64_btf_free(btf);
		return ret;
	}
	*btfp = btf;
	return 0;
}

void bpf64_btf_free(struct bpf64_btf *btf)
{
	if (!btf)
		return;
	free(btf->offs);
	free(btf->data);
	free(btf);
}

u32 bpf64_btf_nr_types(const struct bpf64_btf *btf)
{
	return btf->nr_types;
}

const struct btf_type *bpf64_btf_type(const struct bpf64_btf *btf, u32 id)
{
	if (!id || id >= btf->nr_types)
		return NULL;
	return (const struct btf_type *)(btf->data + btf->offs[id]);
}

const char *bpf64_btf_str(const struct bpf64_btf *btf, u32 off)
{
	return str_ok(btf, off) ? btf->strs + off : NULL;
}

const char *bpf64_btf_name(const struct bpf64_btf *btf,
			   const struct btf_type *t)
{
	return btf->strs + t->name_off;	/* checked by the parse */
}

const char *bpf64_btf_kind_str(const struct btf_type *t)
{
	return t ? kinds[bpf64_btf_kind(t)].name : "void";
}

static bool is_mod(u32 kind)
{
	return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_VOLATILE ||
	       kind == BTF_KIND_CONST || kind == BTF_KIND_RESTRICT ||
	       kind == BTF_KIND_TYPE_TAG;
}

const struct btf_type *bpf64_btf_skip_mods(const struct bpf64_btf *btf,
					   u32 id, u32 *idp)
{
	const struct btf_type *t;
	int depth;

	for (depth = 0; depth < BPF64_BTF_MAX_DEPTH; depth++) {
		t = bpf64_btf_type(btf, id);
		if (!t || !is_mod(bpf64_btf_kind(t))) {
			if (idp)
				*idp = id;
			return t;
		}
		id = t->type;
	}
	return NULL;
}

int bpf64_btf_resolve_size(const struct bpf64_btf *btf, u32 id, u32 *sizep)
{
	const struct btf_type *t;
	u64 nelems = 1;
	int depth;

	for (depth = 0; depth < BPF64_BTF_MAX_DEPTH; depth++) {
		t = bpf64_btf_type(btf, id);
		if (!t)
			return -EINVAL;
		switch (bpf64_btf_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_DATASEC:
		case BTF_KIND_FLOAT:
			nelems *= t->size;
			goto done;
		case BTF_KIND_PTR:
			nelems *= 8;
			goto done;
		case BTF_KIND_ARRAY:
			nelems *= bpf64_btf_array(t)->nelems;
			if (nelems > UINT32_MAX)	/* stays below 2^64 */
				nelems = (u64)UINT32_MAX + 1;
			id = bpf64_btf_array(t)->type;
			break;
		case BTF_KIND_VAR:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		default:
			return -EINVAL;
		}
	}
	return -EINVAL;
done:
	if (nelems > UINT32_MAX)
		return -E2BIG;
	*sizep = nelems;
	return 0;
}

int bpf64_btf_find(const struct bpf64_btf *btf, const char *name, u32 kind)
{
	const struct btf_type *t;
	u32 id;

	for (id = 1; id < btf->nr_types; id++) {
		t = bpf64_btf_type(btf, id);
		if (bpf64_btf_kind(t) == kind &&
		    !strcmp(bpf64_btf_name(btf, t), name))
			return id;
	}
	return -ENOENT;
}
