// SPDX-License-Identifier: GPL-2.0
/*
 * Helper calls inlined after verification (kernel/bpf/fixup.h), as
 * Linux's do_misc_fixups() does with a map's map_gen_lookup: where the
 * verifier saw the same map in r1 on every path to a call, the call can
 * become the map's lookup written in BPF, with no call at all.
 *
 * Only ARRAY lookups are inlined, in the form Linux gives callers that may
 * bypass Spectre v1 mitigations (root): a bound check and the address
 * arithmetic.  For unprivileged callers Linux also masks the index with
 * the array's index_mask, which bounds speculative accesses only because
 * its arrays are allocated up to a power of two of elements; bpf64's
 * arrays are not, so unprivileged programs keep the call.  Linux also
 * inlines hash lookups, as a direct call of the map's internal lookup plus
 * the value offset; bpf64 programs have no call but through a helper id,
 * so those stay helper calls too.
 */
#include <linux/bpf64/helpers.h>
#include <linux/bpf64/map.h>
#include "fixup.h"

#define S32_MAX_VAL	0x7fffffff

/* Is @v a power of two?  Its log in *@log if so. */
static bool log2_exact(u32 v, u32 *log)
{
	u32 l = 0;

	if (!v || (v & (v - 1)))
		return false;
	while (v >>= 1)
		l++;
	*log = l;
	return true;
}

/*
 * Where an ARRAY keeps element @index's value, relative to the map: asked
 * of the map itself, so that its layout stays arraymap.c's business.
 * ARRAY lookups are pure address arithmetic, with no side effect.
 */
static s64 array_elem_off(struct bpf64_map *map, u32 index)
{
	return (s64)((unsigned long)map->ops->map_lookup_elem(map, &index) -
		     (unsigned long)map);
}

/*
 * r0 = index < max_entries ? values + index * elem_size : NULL, with r1
 * holding the map and r2 the key's address, as Linux's
 * array_map_gen_lookup() with bypass_spec_v1.
 */
static u32 array_gen_lookup(struct bpf64_map *map, struct bpf_insn *buf)
{
	s64 base, elem_size;
	u32 shift, n = 0;

	if ((map->map_flags & BPF_F_INNER_MAP) || map->max_entries > S32_MAX_VAL)
		return 0;
	base = array_elem_off(map, 0);
	/* With one element the index is 0: any size will do. */
	elem_size = map->max_entries > 1 ? array_elem_off(map, 1) - base : 8;
	if (base <= 0 || base > S32_MAX_VAL || elem_size <= 0 ||
	    elem_size > S32_MAX_VAL)
		return 0;
	buf[n++] = fixup_insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0,
			      base);
	buf[n++] = fixup_insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_0, BPF_REG_2,
			      0, 0);
	buf[n++] = fixup_insn(BPF_JMP | BPF_JGE | BPF_K, BPF_REG_0, 0, 3,
			      map->max_entries);
	if (log2_exact(elem_size, &shift))
		buf[n++] = fixup_insn(BPF_ALU64 | BPF_LSH | BPF_K, BPF_REG_0,
				      0, 0, shift);
	else
		buf[n++] = fixup_insn(BPF_ALU64 | BPF_MUL | BPF_K, BPF_REG_0,
				      0, 0, elem_size);
	buf[n++] = fixup_insn(BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_0,
			      BPF_REG_1, 0, 0);
	buf[n++] = fixup_insn(BPF_JMP | BPF_JA, 0, 0, 1, 0);
	buf[n++] = fixup_insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	return n;
}

static const struct {
	u32 map_type;
	u32 func_id;
	u32 (*gen)(struct bpf64_map *map, struct bpf_insn *buf);
} inlines[] = {
	{ BPF_MAP_TYPE_ARRAY, BPF_FUNC_map_lookup_elem, array_gen_lookup },
};

/* One of the program's own maps, not an inner map's template. */
static bool is_used_map(const struct bpf64_prog *prog,
			const struct bpf64_map *map)
{
	u32 i;

	for (i = 0; i < prog->nr_used_maps; i++)
		if (prog->used_maps[i] == map)
			return true;
	return false;
}

u32 fixup_inline_call(const struct bpf64_prog *prog,
		      const struct bpf_insn *insn,
		      const struct bpf64_insn_aux *aux, bool unpriv,
		      struct bpf_insn *buf)
{
	struct bpf64_map *map = aux->map;
	u32 i;

	if (insn->code != (BPF_JMP | BPF_CALL) || insn->src_reg || unpriv ||
	    !map || aux->map_poisoned || !is_used_map(prog, map))
		return 0;
	for (i = 0; i < ARRAY_SIZE(inlines); i++)
		if (inlines[i].map_type == map->map_type &&
		    inlines[i].func_id == (u32)insn->imm)
			return inlines[i].gen(map, buf);
	return 0;
}
