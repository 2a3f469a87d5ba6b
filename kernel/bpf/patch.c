// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction patching in linear time (include/linux/bpf64/patch.h).
 *
 * Patch calls only append to two growing arrays: the patches and a pool of
 * their instructions.  The apply sorts the patches by index with a counting
 * sort, lays the new program out once (the index map), then emits it once,
 * re-aiming each original jump through the map.  Nothing is ever moved more
 * than a constant number of times, whatever the number of patches.
 */
#include <linux/bpf64/patch.h>

struct bpf64_patch {
	u32 idx;		/* original index */
	u32 start;		/* first instruction in the pool */
	u32 n;
	bool replace;
};

#define U32_MAX_ELEMS	0xffffffffULL

/* Where a jump keeps its offset. */
enum jump_field {
	JUMP_NONE,
	JUMP_OFF,		/* s16 off: conditional jumps and JA */
	JUMP_IMM,		/* s32 imm: gotol, local calls, callbacks */
};

void bpf64_patch_init(struct bpf64_patch_set *set,
		      const struct bpf_insn *insns, u32 len,
		      struct bpf64_log *log)
{
	memset(set, 0, sizeof(*set));
	set->insns = insns;
	set->len = len;
	set->log = log;
	set->max_len = BPF64_MAX_INSNS;
}

void bpf64_patch_release(struct bpf64_patch_set *set)
{
	bpf64_free(set->patches);
	bpf64_free(set->pool);
	bpf64_free(set->map);
	set->patches = NULL;
	set->pool = NULL;
	set->map = NULL;
}

static int fail(struct bpf64_patch_set *set, int err)
{
	if (!set->err)
		set->err = err;
	return err;
}

/*
 * @arr with room for @need elements: itself, or a copy twice as large as
 * needed before (so that appends cost O(1) each), or NULL.
 */
static void *grow(void *arr, u32 used, u32 *cap, u64 need, size_t elem)
{
	u64 ncap = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return arr;
	while (ncap < need)
		ncap *= 2;
	if (ncap > U32_MAX_ELEMS)
		ncap = U32_MAX_ELEMS;
	if (ncap < need)
		return NULL;
	p = bpf64_zalloc_array(ncap, elem);
	if (!p)
		return NULL;
	if (used)
		memcpy(p, arr, (size_t)used * elem);
	bpf64_free(arr);
	*cap = ncap;
	return p;
}

static int add_patch(struct bpf64_patch_set *set, u32 idx,
		     const struct bpf_insn *insns, u32 n, bool replace)
{
	struct bpf64_patch *p;
	struct bpf_insn *pool;

	if (set->err)
		return set->err;
	if (idx > set->len || (replace && idx == set->len)) {
		bpf64_log(set->log, "insn %u: no such instruction to patch (program of %u insns)\n",
			  idx, set->len);
		return fail(set, -EINVAL);
	}
	if (!n && !replace)
		return 0;
	if ((u64)set->pool_len + n > set->max_len) {
		bpf64_log(set->log, "insn %u: patches add more than the limit of %u insns\n",
			  idx, set->max_len);
		return fail(set, -E2BIG);
	}
	p = grow(set->patches, set->nr_patches, &set->patches_cap,
		 (u64)set->nr_patches + 1, sizeof(*p));
	if (!p)
		return fail(set, -ENOMEM);
	set->patches = p;
	if (n) {
		pool = grow(set->pool, set->pool_len, &set->pool_cap,
			    (u64)set->pool_len + n, sizeof(*pool));
		if (!pool)
			return fail(set, -ENOMEM);
		set->pool = pool;
		memcpy(pool + set->pool_len, insns, (size_t)n * sizeof(*insns));
	}
	p = &set->patches[set->nr_patches++];
	*p = (struct bpf64_patch) {
		.idx = idx, .start = set->pool_len, .n = n, .replace = replace,
	};
	set->pool_len += n;
	return 0;
}

int bpf64_patch_replace(struct bpf64_patch_set *set, u32 idx,
			const struct bpf_insn *insns, u32 n)
{
	return add_patch(set, idx, insns, n, true);
}

int bpf64_patch_insert_before(struct bpf64_patch_set *set, u32 idx,
			      const struct bpf_insn *insns, u32 n)
{
	return add_patch(set, idx, insns, n, false);
}

/* Slots of the original instruction at @i: 2 for a whole LD_IMM64. */
static u32 unit_width(const struct bpf64_patch_set *set, u32 i)
{
	return i + 1 < set->len && bpf64_is_ldimm64(&set->insns[i]) ? 2 : 1;
}

static enum jump_field jump_field(const struct bpf_insn *insn)
{
	u8 op = BPF_OP(insn->code);

	if (bpf64_is_ldimm64(insn))
		return insn->src_reg == BPF_PSEUDO_FUNC ? JUMP_IMM : JUMP_NONE;
	if (!bpf64_is_jmp_class(insn->code) || op == BPF_EXIT)
		return JUMP_NONE;
	if (op == BPF_CALL)
		return insn->code == (BPF_JMP | BPF_CALL) &&
		       insn->src_reg == BPF_PSEUDO_CALL ? JUMP_IMM : JUMP_NONE;
	if (insn->code == (BPF_JMP32 | BPF_JA))
		return JUMP_IMM;
	return JUMP_OFF;
}

/* Patches by index: group i is order[i ? end[i - 1] : 0 .. end[i]). */
struct groups {
	u32 *end;
	u32 *order;
};

static int sort_patches(const struct bpf64_patch_set *set, struct groups *g)
{
	u32 i, k;

	g->end = bpf64_zalloc_array((size_t)set->len + 1, sizeof(u32));
	g->order = bpf64_zalloc_array(set->nr_patches ? set->nr_patches : 1,
				      sizeof(u32));
	if (!g->end || !g->order)
		return -ENOMEM;
	for (k = 0; k < set->nr_patches; k++)
		g->end[set->patches[k].idx]++;
	for (i = 1; i <= set->len; i++)
		g->end[i] += g->end[i - 1];
	/* Backwards, so that each group keeps the order of the calls. */
	for (k = set->nr_patches; k-- > 0;)
		g->order[--g->end[set->patches[k].idx]] = k;
	/* end[i] now holds the start of group i; shift to hold its end. */
	for (i = 0; i < set->len; i++)
		g->end[i] = g->end[i + 1];
	g->end[set->len] = set->nr_patches;
	return 0;
}

static u32 group_start(const struct groups *g, u32 i)
{
	return i ? g->end[i - 1] : 0;
}

/*
 * Sum the inserts of group @i into *@out; find its replace, if any.
 * Returns -EINVAL for a second replace.
 */
static int scan_group(const struct bpf64_patch_set *set,
		      const struct groups *g, u32 i, u64 *out,
		      const struct bpf64_patch **rep)
{
	const struct bpf64_patch *p;
	u32 k;

	*rep = NULL;
	for (k = group_start(g, i); k < g->end[i]; k++) {
		p = &set->patches[g->order[k]];
		if (!p->replace) {
			*out += p->n;
		} else if (*rep) {
			bpf64_log(set->log, "insn %u: replaced twice\n", i);
			return -EINVAL;
		} else {
			*rep = p;
		}
	}
	return 0;
}

/* Pass 1: where each original instruction goes, and the new length. */
static int lay_out(struct bpf64_patch_set *set, const struct groups *g,
		   u32 *new_len)
{
	const struct bpf64_patch *rep;
	u64 out = 0;
	u32 i, w;
	int err;

	for (i = 0; ; i += w) {
		set->map[i] = out;
		err = scan_group(set, g, i, &out, &rep);
		if (err)
			return err;
		if (i == set->len)
			break;
		w = unit_width(set, i);
		if (w == 2 && g->end[i + 1] != g->end[i]) {
			bpf64_log(set->log, "insn %u: cannot patch the second half of ldimm64 insn %u\n",
				  i + 1, i);
			return -EINVAL;
		}
		if (w == 2)
			set->map[i + 1] = rep ? out : out + 1;
		out += rep ? rep->n : w;
	}
	if (out > set->max_len) {
		bpf64_log(set->log, "program of %llu insns after patching is larger than the limit of %u\n",
			  (unsigned long long)out, set->max_len);
		return -E2BIG;
	}
	*new_len = out;
	return 0;
}

/* Re-aim the copy @insn of original jump @i, now at @q, through the map. */
static int reaim(const struct bpf64_patch_set *set, struct bpf_insn *insn,
		 u32 i, u32 q, u32 new_len)
{
	enum jump_field f = jump_field(insn);
	s64 t, off;

	if (f == JUMP_NONE)
		return 0;
	t = (s64)i + 1 + (f == JUMP_OFF ? insn->off : insn->imm);
	if (t < 0 || t >= set->len) {
		bpf64_log(set->log, "insn %u: jump out of range from insn %u to %lld\n",
			  i, i, (long long)t);
		return -EINVAL;
	}
	if (set->map[t] >= new_len) {
		bpf64_log(set->log, "insn %u: jump to insn %lld, deleted with everything after it\n",
			  i, (long long)t);
		return -EINVAL;
	}
	off = (s64)set->map[t] - q - 1;
	if (f == JUMP_OFF ? off != (s16)off : off != (s32)off) {
		bpf64_log(set->log, "insn %u cannot be patched due to %u-bit range: its target is now %lld insns away\n",
			  i, f == JUMP_OFF ? 16 : 32, (long long)off);
		return -ERANGE;
	}
	if (f == JUMP_OFF)
		insn->off = off;
	else
		insn->imm = off;
	return 0;
}

/* Deletions have no instructions: the pool may even be NULL. */
static u32 copy_patch(struct bpf_insn *out, const struct bpf64_patch_set *set,
		      const struct bpf64_patch *p)
{
	if (p->n)
		memcpy(out, set->pool + p->start, (size_t)p->n * sizeof(*out));
	return p->n;
}

/* Pass 2: copy inserts, replacements and re-aimed originals into @out. */
static int emit(const struct bpf64_patch_set *set, const struct groups *g,
		struct bpf_insn *out, u32 new_len)
{
	const struct bpf64_patch *p, *rep;
	u32 i, k, w, q = 0;
	int err;

	for (i = 0; ; i += w) {
		rep = NULL;
		for (k = group_start(g, i); k < g->end[i]; k++) {
			p = &set->patches[g->order[k]];
			if (p->replace) {
				rep = p;
				continue;
			}
			q += copy_patch(out + q, set, p);
		}
		if (i == set->len)
			return 0;
		w = unit_width(set, i);
		if (rep) {
			q += copy_patch(out + q, set, rep);
			continue;
		}
		memcpy(out + q, set->insns + i, (size_t)w * sizeof(*out));
		err = reaim(set, out + q, i, q, new_len);
		if (err)
			return err;
		q += w;
	}
}

int bpf64_patch_apply(struct bpf64_patch_set *set, struct bpf_insn **insns,
		      u32 *len)
{
	struct groups g = { };
	struct bpf_insn *out = NULL;
	u32 new_len = 0;
	int err;

	*insns = NULL;
	*len = 0;
	if (set->err)
		return set->err;
	if (set->map)
		return -EINVAL;
	set->map = bpf64_zalloc_array((size_t)set->len + 1, sizeof(u32));
	err = set->map ? sort_patches(set, &g) : -ENOMEM;
	if (!err)
		err = lay_out(set, &g, &new_len);
	if (!err) {
		out = bpf64_zalloc_array(new_len ? new_len : 1, sizeof(*out));
		err = out ? emit(set, &g, out, new_len) : -ENOMEM;
	}
	bpf64_free(g.end);
	bpf64_free(g.order);
	if (err) {
		bpf64_free(out);
		bpf64_free(set->map);
		set->map = NULL;
		return fail(set, err);
	}
	*insns = out;
	*len = new_len;
	return 0;
}
