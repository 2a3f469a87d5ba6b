// SPDX-License-Identifier: GPL-2.0
/*
 * Precision tracking, as Linux's verifier does it: a stored state's
 * scalars are imprecise (any number will do for pruning) until a path
 * from there relies on one's value: a pointer offset, a helper's memory
 * size or allocation size, a branch its bounds decided.  Then that
 * register, and every register and stack slot its value came from, is
 * marked precise in the stored states of the current path, by walking
 * the path backwards (env->path: every instruction since the entry, with
 * the frame it ran in and the slot of a whole-slot spill or fill).  A
 * state that is pruned by a stored one inherits its precise scalars
 * (propagate_precision): they matter from there on as well.
 *
 * A stored state only prunes once every path from it has ended, so its
 * marks are complete by then.  The current state's own marks would never
 * be read, so only stored states carry them.
 *
 * Copies of a number (same id) learn together from a branch on one of
 * them; Linux records which registers a branch linked and marks them all.
 * Here the comparison keeps the link instead: an imprecise scalar whose
 * id a precise one of the old state shares must be a copy of it in the
 * current state too, which makes it as precise as its copy.
 */
#include "verifier.h"

#define R(n)		(1U << (n))
#define ARGS		(R(1) | R(2) | R(3) | R(4) | R(5))
#define CALLER_SAVED	(R(0) | ARGS)
#define VH_TMP_ID	0x80000000U	/* fresh ids, above any id_gen */
#define MAX_WALK	4096	/* insns between two stored states */

/* What the walk still looks for: registers and stack slots per frame. */
struct bt {
	u16 regs[BPF64_MAX_CALL_FRAMES];
	u64 slots[BPF64_MAX_CALL_FRAMES];
};

static bool bt_empty(const struct bt *bt)
{
	u32 f;

	for (f = 0; f < BPF64_MAX_CALL_FRAMES; f++)
		if (bt->regs[f] || bt->slots[f])
			return false;
	return true;
}

void note_stack_slot(struct venv *env, u32 f, s64 off)
{
	/* the current insn ends the path's last run */
	struct vhist *h = &env->path[env->nr_runs - 1];

	h->stack = f + 1;
	h->spi = (-off - 1) / 8;
}

/* A spill, a store or an atomic: what the slot needed comes from. */
static void bt_store(const struct bpf_insn *insn, const struct vhist *h,
		     struct bt *bt)
{
	u16 *regs = &bt->regs[h->frame];
	u64 bit = 1ULL << h->spi;

	if (BPF_MODE(insn->code) == BPF_ATOMIC) {
		/* a fetched value is unknown: it needs nothing */
		if (insn->imm == BPF_CMPXCHG)
			*regs &= ~R(0);
		else if (insn->imm & BPF_FETCH)
			*regs &= ~R(insn->src_reg);
		return;
	}
	if (!h->stack || !(bt->slots[h->stack - 1] & bit))
		return;
	bt->slots[h->stack - 1] &= ~bit;
	if (BPF_CLASS(insn->code) == BPF_STX)
		*regs |= R(insn->src_reg);
}

/* Calls and exits move between frames; the walk goes backwards. */
static void bt_call_exit(const struct bpf_insn *insn, const struct vhist *h,
			 struct bt *bt)
{
	u32 f = h->frame;

	if (BPF_OP(insn->code) == BPF_EXIT) {
		/* back into the callee, from its caller's next insn */
		if (!f)
			return;
		bt->regs[f] = bt->regs[f - 1] & R(0);
		bt->slots[f] = 0;
		bt->regs[f - 1] &= ~CALLER_SAVED;
		return;
	}
	if (insn->src_reg == BPF_PSEUDO_CALL) {
		/* out of the callee's first insn: its args are ours */
		if (f + 1 < BPF64_MAX_CALL_FRAMES) {
			bt->regs[f] |= bt->regs[f + 1] & ARGS;
			bt->regs[f + 1] = 0;
			bt->slots[f + 1] = 0;
		}
		return;
	}
	bt->regs[f] &= ~CALLER_SAVED;	/* a helper wrote r0, r1-r5 */
}

/*
 * From what is needed after the instruction @h, what is needed before.
 */
static void bt_insn(struct venv *env, const struct vhist *h, struct bt *bt)
{
	const struct bpf_insn *insn = &env->insns[h->idx];
	u8 op = BPF_OP(insn->code);
	u16 *regs = &bt->regs[h->frame];
	u16 dst = R(insn->dst_reg), src = R(insn->src_reg);
	bool x = BPF_SRC(insn->code) == BPF_X;

	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (!(*regs & dst) || op == BPF_NEG || op == BPF_END)
			return;
		if (op == BPF_MOV)
			*regs &= ~dst;
		if (x)
			*regs |= src;
		return;
	case BPF_LDX:
		if (!(*regs & dst))
			return;
		*regs &= ~dst;
		if (h->stack)
			bt->slots[h->stack - 1] |= 1ULL << h->spi;
		return;
	case BPF_ST:
	case BPF_STX:
		bt_store(insn, h, bt);
		return;
	case BPF_LD:
		*regs &= ~(bpf64_is_ldimm64(insn) ? dst : CALLER_SAVED);
		return;
	}
	if (op == BPF_CALL || op == BPF_EXIT) {
		bt_call_exit(insn, h, bt);
		return;
	}
	/* a comparison bounds both sides by each other */
	if (op != BPF_JA && x && (*regs & (dst | src)))
		*regs |= dst | src;
}

/* Mark @r precise: false if it needs nothing more (done, or no number). */
static bool mark_reg(struct vreg *r)
{
	if (r->type != SCALAR_VALUE || r->precise)
		return false;
	r->precise = true;
	return true;
}

/* In a stored state: mark what is looked for, stop where already done. */
static void bt_mark(struct bt *bt, struct vstate *st)
{
	u32 f, i;
	u64 m;

	for (f = 0; f < BPF64_MAX_CALL_FRAMES; f++) {
		struct vframe *fr = st->frame[f];

		if (f > st->curframe) {
			bt->regs[f] = 0;
			bt->slots[f] = 0;
			continue;
		}
		for (m = bt->regs[f]; m; m &= m - 1) {
			i = __builtin_ctzll(m);
			if (!mark_reg(&fr->regs[i]))
				bt->regs[f] &= ~R(i);
		}
		for (m = bt->slots[f]; m; m &= m - 1) {
			i = __builtin_ctzll(m);
			if (i >= fr->nslots ||
			    fr->stack[i].kind[0] != SLOT_SPILL ||
			    !mark_reg(&fr->stack[i].spilled))
				bt->slots[f] &= ~(1ULL << i);
		}
	}
}

/*
 * Linux's fallback when the walk cannot account for a value; also when it
 * would be too long (no state stored for MAX_WALK insns).
 * A state marked so has its parents marked so too.
 */
static void mark_all_precise(struct venv *env)
{
	struct vstate *st;
	u32 f, i;

	for (st = env->cur->parent; st && !st->all_precise; st = st->parent) {
		st->all_precise = true;
		for (f = 0; f <= st->curframe; f++) {
			struct vframe *fr = st->frame[f];

			for (i = 0; i < BPF64_NR_REGS; i++)
				if (fr->regs[i].type == SCALAR_VALUE)
					fr->regs[i].precise = true;
			for (i = 0; i < fr->nslots; i++)
				if (fr->stack[i].kind[0] == SLOT_SPILL &&
				    fr->stack[i].spilled.type == SCALAR_VALUE)
					fr->stack[i].spilled.precise = true;
		}
	}
}

/* Walk the path back from position @pos (the state before env->path[pos]). */
static void backtrack(struct venv *env, struct bt *bt, u32 pos)
{
	struct vstate *st = env->cur->parent;
	u32 run = env->nr_runs;
	struct vhist h;

	for (;;) {
		for (; st && st->path_len >= pos; st = st->parent)
			bt_mark(bt, st);
		if (bt_empty(bt))
			return;
		if (!pos || pos - (st ? st->path_len : 0) > MAX_WALK)
			break;
		pos--;
		while (env->path[run - 1].pos > pos)
			run--;
		path_step(env, run - 1, pos, &h);
		bt_insn(env, &h, bt);
	}
	mark_all_precise(env);
}

void mark_precise(struct venv *env, u32 regno)
{
	struct bt bt = { };

	/* without CAP_BPF every scalar is precise (Linux) */
	if (!env->bpf_capable || cur_regs(env)[regno].type != SCALAR_VALUE)
		return;
	bt.regs[env->cur->curframe] = R(regno);
	/* the current insn is the path's last: it only uses the value */
	backtrack(env, &bt, env->path_len - 1);
}

void mark_precise_slot(struct venv *env, u32 f, s64 off)
{
	struct bt bt = { };

	if (!env->bpf_capable)
		return;
	bt.slots[f] = 1ULL << ((-off - 1) / 8);
	backtrack(env, &bt, env->path_len - 1);
}

void propagate_precision(struct venv *env, const struct vstate *old)
{
	struct bt bt = { };
	u32 f, i;

	if (!env->bpf_capable)
		return;
	for (f = 0; f <= old->curframe; f++) {
		const struct vframe *fr = old->frame[f];
		u16 live = live_regs(env, env->cur, f, env->insn_idx);

		for (i = 0; i < BPF64_NR_REGS; i++)
			if ((live & R(i)) && fr->regs[i].type == SCALAR_VALUE &&
			    fr->regs[i].precise)
				bt.regs[f] |= R(i);
		for (i = 0; i < fr->nslots; i++)
			if ((fr->read & (1ULL << i)) &&
			    fr->stack[i].kind[0] == SLOT_SPILL &&
			    fr->stack[i].spilled.type == SCALAR_VALUE &&
			    fr->stack[i].spilled.precise)
				bt.slots[f] |= 1ULL << i;
	}
	/* the current insn is not on the path yet */
	if (!bt_empty(&bt))
		backtrack(env, &bt, env->path_len);
}

/* ---- comparing scalars ---- */

static void add_precise_id(struct idmap *map, const struct vreg *r)
{
	if (r->type != SCALAR_VALUE || !r->precise || !r->id)
		return;
	if (map->nr_precise_ids == MAX_PRECISE_IDS)
		map->all_ids = true;
	else
		map->precise_ids[map->nr_precise_ids++] = r->id;
}

void start_compare(struct idmap *map, const struct vstate *old,
		   bool all_precise)
{
	map->n = 0;
	map->all_precise = all_precise;
	map->tmp = VH_TMP_ID;
	map->old_state = old;
}

/* Collected when first needed: most comparisons never need them. */
static void collect_precise_ids(struct idmap *map)
{
	const struct vstate *old = map->old_state;
	u32 f, i;

	map->nr_precise_ids = 0;
	map->all_ids = false;
	map->old_state = NULL;
	for (f = 0; f <= old->curframe; f++) {
		const struct vframe *fr = old->frame[f];

		for (i = 0; i < BPF64_NR_REGS; i++)
			add_precise_id(map, &fr->regs[i]);
		for (i = 0; i < fr->nslots; i++)
			if (fr->stack[i].kind[0] == SLOT_SPILL)
				add_precise_id(map, &fr->stack[i].spilled);
	}
}

static bool precise_id(struct idmap *map, u32 id)
{
	u32 i;

	if (map->old_state)
		collect_precise_ids(map);
	for (i = 0; i < map->nr_precise_ids; i++)
		if (map->precise_ids[i] == id)
			return true;
	return map->all_ids;
}

/*
 * Old copies must be copies in cur; a cur id 0 is a number of its own,
 * which may stand for an old id that no other old scalar has.
 */
static bool scalar_ids_match(struct idmap *map, u32 old, u32 cur)
{
	if (!old)
		return true;
	return ids_match(map, old, cur ? cur : map->tmp++);
}

bool scalar_is_any(struct idmap *map, const struct vreg *old)
{
	return old->type == SCALAR_VALUE && !old->precise &&
	       !map->all_precise && (!old->id || !precise_id(map, old->id));
}

bool scalar_safe(struct idmap *map, const struct vreg *old,
		 const struct vreg *cur)
{
	if (cur->type != SCALAR_VALUE)
		return false;
	if (!old->precise && !map->all_precise)
		return !old->id || !precise_id(map, old->id) ||
		       scalar_ids_match(map, old->id, cur->id);
	return scalar_ids_match(map, old->id, cur->id) &&
	       bpf64_scalar_within(&old->var, &cur->var);
}
