// SPDX-License-Identifier: GPL-2.0
/*
 * Liveness for state pruning.
 *
 * Registers: which registers each instruction may still read before
 * writing them, on some path (a backward dataflow over the control-flow
 * graph, to a fixpoint).  A register that is dead at a prune point cannot
 * change what happens next, so two states that differ only there are
 * equivalent.
 *
 * Stack slots, whose accesses depend on pointer values, are followed as
 * Linux does, along the paths explored: a read of a slot marks it read in
 * the stored states of the current path back to the one after which the
 * path wrote the slot whole (each state keeps the slots written whole
 * between its parent and itself).  Once every path from a stored state
 * has ended, its unread slots are dead: pruning ignores them.  A state
 * pruned by a stored one reads what the stored one's paths read.
 */
#include "verifier.h"

#define R(n)		(1U << (n))
#define ARGS		(R(1) | R(2) | R(3) | R(4) | R(5))
#define CALLER_SAVED	(R(0) | ARGS)

/* What @insn reads (*use) and writes (*def). */
static void use_def(const struct bpf_insn *insn, u16 *use, u16 *def)
{
	u8 cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);
	bool x = BPF_SRC(insn->code) == BPF_X;

	*use = 0;
	*def = 0;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		*def = R(insn->dst_reg);
		if (op != BPF_MOV)
			*use |= R(insn->dst_reg);
		if (x && op != BPF_END && op != BPF_NEG)
			*use |= R(insn->src_reg);
		return;
	case BPF_LDX:
		*use = R(insn->src_reg);
		*def = R(insn->dst_reg);
		return;
	case BPF_ST:
		*use = R(insn->dst_reg);
		return;
	case BPF_STX:
		*use = R(insn->dst_reg) | R(insn->src_reg);
		if (BPF_MODE(insn->code) != BPF_ATOMIC)
			return;
		if (insn->imm == BPF_CMPXCHG) {
			*use |= R(0);
			*def = R(0);
		} else if (insn->imm & BPF_FETCH) {
			*def = R(insn->src_reg);
		}
		return;
	case BPF_LD:
		if (bpf64_is_ldimm64(insn)) {
			*def = R(insn->dst_reg);
			return;
		}
		*use = R(BPF_REG_6) |
		       (BPF_MODE(insn->code) == BPF_IND ? R(insn->src_reg) : 0);
		*def = CALLER_SAVED;
		return;
	}
	/* jumps */
	switch (op) {
	case BPF_CALL:
		*use = ARGS;
		*def = CALLER_SAVED;
		return;
	case BPF_EXIT:
		*use = R(0);
		return;
	case BPF_JA:
		return;
	}
	*use = R(insn->dst_reg) | (x ? R(insn->src_reg) : 0);
}

/* In live_in[], besides the registers: a backward jump leads here. */
#define LOOP_HEAD	0x8000

/*
 * Registers live at @idx; it is a prune point (each insn a state is
 * compared at, or that a jump leads to), else all are.
 */
static u16 live_at(const struct venv *env, u32 idx)
{
	return is_prune_point(env, idx) ?
	       env->live_in[prune_slot(env, idx)] & ~LOOP_HEAD : 0xffff;
}

/*
 * A backward pass, last insn first, carries what the next insn reads;
 * what a jump's target reads is kept at the target, a prune point.  A
 * forward jump's target is done before the jump in the same pass; only a
 * loop head whose value changed needs another pass.
 */
static bool liveness_pass(struct venv *env)
{
	u32 i, k, n, w, succ[2];
	u16 use, def, out, next = 0, *live;
	bool changed = false;

	for (i = env->len; i-- > 0;) {
		if (i && bpf64_is_ldimm64(&env->insns[i - 1]))
			continue;	/* second slot */
		n = vsuccessors(env, i, succ);
		w = bpf64_is_ldimm64(&env->insns[i]) ? 2 : 1;
		for (out = 0, k = 0; k < n; k++) {
			/* the insn of the last round, or a jump's target */
			if (succ[k] == i + w)
				out |= next;
			else if (succ[k] < env->len)
				out |= live_at(env, succ[k]);
			if (succ[k] <= i)
				env->live_in[prune_slot(env, succ[k])] |=
					LOOP_HEAD;
		}
		use_def(&env->insns[i], &use, &def);
		out = (out & ~def) | use;
		out &= ~R(BPF64_REG_FP);
		next = out;
		if (!is_prune_point(env, i))
			continue;
		live = &env->live_in[prune_slot(env, i)];
		if (out != (*live & ~LOOP_HEAD)) {
			changed |= !!(*live & LOOP_HEAD);
			*live = out | (*live & LOOP_HEAD);
		}
	}
	return changed;
}

int alloc_liveness(struct venv *env)
{
	env->live_in = bpf64_zalloc_array(env->nr_prune + 1, sizeof(u16));
	return env->live_in ? 0 : -ENOMEM;
}

void compute_liveness(struct venv *env)
{
	if (env->live_done)
		return;
	env->live_done = true;
	while (liveness_pass(env))
		;
}

/* Registers of frame @f a state at @idx may still read. */
u16 live_regs(const struct venv *env, const struct vstate *st, u32 f,
	      u32 idx)
{
	if (f == st->curframe)
		return live_at(env, idx);
	/* a caller resumes after its call, with r0-r5 written by it */
	return live_at(env, st->frame[f + 1]->callsite + 1) & ~CALLER_SAVED;
}

/* The current path reads slot @spi of frame @f. */
static void slot_read(struct venv *env, u32 f, u32 spi)
{
	struct vstate *st = env->cur;
	u64 bit = 1ULL << spi;
	u32 fid = st->frame[f]->fid;

	if (st->frame[f]->written & bit)
		return;		/* it reads what the path wrote since */
	for (st = st->parent; st && st->curframe >= f &&
	     st->frame[f]->fid == fid; st = st->parent) {
		struct vframe *fr = st->frame[f];

		if (fr->read & bit)
			return;	/* and so are the states before it */
		fr->read |= bit;
		if (fr->written & bit)
			return;
	}
}

void mark_stack_read(struct venv *env, u32 f, s64 lo, s64 hi)
{
	u32 spi;

	for (spi = (-hi) / 8; spi <= (u32)(-lo - 1) / 8; spi++)
		slot_read(env, f, spi);
}

void mark_stack_written(struct venv *env, u32 f, s64 off, u32 size)
{
	struct vframe *fr = env->cur->frame[f];
	s64 o;

	for (o = round_up(off, 8); o + 8 <= off + size; o += 8)
		fr->written |= 1ULL << ((-o - 1) / 8);
}

void propagate_stack_reads(struct venv *env, const struct vstate *old)
{
	u32 f, spi;

	for (f = 0; f <= old->curframe; f++)
		for (spi = 0; spi < NR_SLOTS; spi++)
			if (old->frame[f]->read & (1ULL << spi))
				slot_read(env, f, spi);
}
