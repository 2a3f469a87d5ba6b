// SPDX-License-Identifier: GPL-2.0
/*
 * Which 32-bit definitions have their upper half read (kernel/bpf/fixup.h).
 *
 * An instruction that writes only the lower 32 bits of a register (ALU32,
 * loads narrower than 8 bytes, LD_ABS, 32-bit fetching atomics) zeroes the
 * upper half in BPF, which some JITs must do by an instruction of their
 * own: Linux inserts one where the upper half is later read as part of a
 * 64-bit value, and BPF_F_TEST_RND_HI32 fills the upper half with random
 * bits where it is not, to catch a JIT that relies on zeroes nobody
 * promised.  Here a backward liveness of upper halves over the
 * control-flow graph finds where: a 64-bit read of a register (as Linux's
 * is_reg64() says, conservatively) makes its upper half live, any write
 * kills it.  Sets only grow and hold 11 registers, so the worklist visits
 * each instruction at most 12 times plus once per growth of a successor:
 * linear in the program.
 *
 * Local calls are not followed into the callee: a call reads r1-r5 whole
 * and writes r0 whole, an exit reads r0 whole.
 */
#include "fixup.h"

#define REG(r)		((u16)(1U << (r)))
#define ARGS		(REG(1) | REG(2) | REG(3) | REG(4) | REG(5))

static bool is_cmpxchg(const struct bpf_insn *insn)
{
	return BPF_CLASS(insn->code) == BPF_STX &&
	       BPF_MODE(insn->code) == BPF_ATOMIC && insn->imm == BPF_CMPXCHG;
}

/* The register @insn writes, whole (*wide) or its lower half; or -1. */
static int def_reg(const struct bpf_insn *insn, bool *wide)
{
	u8 op = BPF_OP(insn->code), mode = BPF_MODE(insn->code);

	*wide = BPF_SIZE(insn->code) == BPF_DW;
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU64:
		*wide = op != BPF_END || insn->imm == 64;
		return insn->dst_reg;
	case BPF_ALU:
		*wide = op == BPF_END && insn->imm == 64;
		return insn->dst_reg;
	case BPF_LDX:
		*wide |= mode == BPF_MEMSX;
		return insn->dst_reg;
	case BPF_LD:
		return mode == BPF_IMM ? insn->dst_reg : BPF_REG_0;
	case BPF_STX:
		if (mode != BPF_ATOMIC || !(insn->imm & BPF_FETCH))
			return -1;
		return is_cmpxchg(insn) ? BPF_REG_0 : insn->src_reg;
	case BPF_JMP:
		*wide = true;
		return op == BPF_CALL ? BPF_REG_0 : -1;
	}
	return -1;
}

int fixup_def32(const struct bpf_insn *insn)
{
	bool wide;
	int r = def_reg(insn, &wide);

	return wide ? -1 : r;
}

/* Registers @insn writes or leaves undefined. */
static u16 kills(const struct bpf_insn *insn)
{
	u8 cls = BPF_CLASS(insn->code);
	bool wide;
	int r = def_reg(insn, &wide);
	u16 k = r >= 0 ? REG(r) : 0;

	if ((cls == BPF_JMP && BPF_OP(insn->code) == BPF_CALL) ||
	    (cls == BPF_LD && BPF_MODE(insn->code) != BPF_IMM))
		k |= ARGS;
	return k;
}

/* Registers all 64 bits of which @insn reads. */
static u16 uses64(const struct bpf_insn *insn)
{
	u16 dst = REG(insn->dst_reg), src = REG(insn->src_reg);
	bool x = BPF_SRC(insn->code) == BPF_X;
	bool dw = BPF_SIZE(insn->code) == BPF_DW;
	u8 op = BPF_OP(insn->code);

	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU64:
		return (op != BPF_MOV ? dst : 0) | (x ? src : 0);
	case BPF_ALU:
		return op == BPF_END && insn->imm == 64 ? dst : 0;
	case BPF_JMP:
		if (op == BPF_EXIT)
			return REG(BPF_REG_0);
		if (op == BPF_CALL)
			return ARGS | (x ? dst : 0);	/* callx: the id */
		if (op == BPF_JA)
			return 0;
		return dst | (x ? src : 0);
	case BPF_LDX:
		return src;
	case BPF_ST:
		return dst;
	case BPF_STX:
		return dst | (dw ? src : 0) |
		       (dw && is_cmpxchg(insn) ? REG(BPF_REG_0) : 0);
	case BPF_LD:
		if (BPF_MODE(insn->code) == BPF_IMM)
			return 0;
		return REG(BPF_REG_6) |
		       (BPF_MODE(insn->code) == BPF_IND ? src : 0);
	}
	return 0;			/* JMP32: lower halves */
}

static u32 width(const struct bpf_insn *insns, u32 len, u32 i)
{
	return i + 1 < len && bpf64_is_ldimm64(&insns[i]) ? 2 : 1;
}

/* The successors of @i: up to 2 in @succ, their count. */
static u32 successors(const struct bpf_insn *insns, u32 len, u32 i,
		      u32 *succ)
{
	const struct bpf_insn *insn = &insns[i];
	u8 op = BPF_OP(insn->code);
	u32 n = 0;
	s32 off;

	if (bpf64_is_jmp_class(insn->code) && op == BPF_EXIT)
		return 0;
	if (bpf64_insn_jump_offset(insn, &off)) {
		succ[n++] = i + 1 + off;
		if (op == BPF_JA)
			return n;
	}
	if (i + width(insns, len, i) < len)
		succ[n++] = i + width(insns, len, i);
	return n;
}

struct live {
	const struct bpf_insn *insns;
	u32 len;
	u16 *in;		/* per insn: upper halves live before it */
	u32 *pred_start;	/* predecessors of i: pred[start[i] .. start[i + 1]) */
	u32 *pred;
	u32 *work;
	u32 nr_work;
	bool *queued;
};

/* Predecessor lists in two passes: count, then place. */
static int build_preds(struct live *lv)
{
	u32 i, k, n, succ[2], *fill;

	lv->pred_start = bpf64_zalloc_array((size_t)lv->len + 1, sizeof(u32));
	if (!lv->pred_start)
		return -ENOMEM;
	for (i = 0; i < lv->len; i += width(lv->insns, lv->len, i)) {
		n = successors(lv->insns, lv->len, i, succ);
		for (k = 0; k < n; k++)
			lv->pred_start[succ[k] + 1]++;
	}
	for (i = 0; i < lv->len; i++)
		lv->pred_start[i + 1] += lv->pred_start[i];
	lv->pred = bpf64_zalloc_array(lv->pred_start[lv->len] ? : 1,
				      sizeof(u32));
	fill = bpf64_zalloc_array(lv->len, sizeof(u32));
	if (!lv->pred || !fill) {
		bpf64_free(fill);
		return -ENOMEM;
	}
	for (i = 0; i < lv->len; i += width(lv->insns, lv->len, i)) {
		n = successors(lv->insns, lv->len, i, succ);
		for (k = 0; k < n; k++)
			lv->pred[lv->pred_start[succ[k]] + fill[succ[k]]++] = i;
	}
	bpf64_free(fill);
	return 0;
}

static u16 live_out(const struct live *lv, u32 i)
{
	u32 succ[2], n = successors(lv->insns, lv->len, i, succ), k;
	u16 out = 0;

	for (k = 0; k < n; k++)
		out |= lv->in[succ[k]];
	return out;
}

static void push(struct live *lv, u32 i)
{
	if (!lv->queued[i]) {
		lv->queued[i] = true;
		lv->work[lv->nr_work++] = i;
	}
}

static void solve(struct live *lv)
{
	const struct bpf_insn *insn;
	u32 i, k;
	u16 in;

	/* Pushed in order, so popped last first: the backward direction. */
	for (i = 0; i < lv->len; i += width(lv->insns, lv->len, i))
		push(lv, i);
	while (lv->nr_work) {
		i = lv->work[--lv->nr_work];
		lv->queued[i] = false;
		insn = &lv->insns[i];
		in = uses64(insn) | (live_out(lv, i) & ~kills(insn));
		if (in == lv->in[i])
			continue;
		lv->in[i] = in;
		for (k = lv->pred_start[i]; k < lv->pred_start[i + 1]; k++)
			push(lv, lv->pred[k]);
	}
}

int fixup_hi32_live(const struct bpf_insn *insns, u32 len, bool *zext_dst)
{
	struct live lv = { .insns = insns, .len = len };
	int err = -ENOMEM, r;
	u32 i;

	lv.in = bpf64_zalloc_array(len, sizeof(*lv.in));
	lv.work = bpf64_zalloc_array(len, sizeof(*lv.work));
	lv.queued = bpf64_zalloc_array(len, sizeof(*lv.queued));
	if (lv.in && lv.work && lv.queued)
		err = build_preds(&lv);
	if (!err) {
		solve(&lv);
		for (i = 0; i < len; i += width(insns, len, i)) {
			r = fixup_def32(&insns[i]);
			zext_dst[i] = r >= 0 && (live_out(&lv, i) & REG(r));
		}
	}
	bpf64_free(lv.in);
	bpf64_free(lv.work);
	bpf64_free(lv.queued);
	bpf64_free(lv.pred_start);
	bpf64_free(lv.pred);
	return err;
}
