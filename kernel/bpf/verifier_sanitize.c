// SPDX-License-Identifier: GPL-2.0
/*
 * The rewrites that keep an unprivileged program safe when the CPU
 * mispredicts, as Linux applies them after verification (see
 * include/linux/bpf64/verifier.h, bpf64_sanitize()).
 *
 * Spectre v1: a bounds check the CPU guessed wrong lets pointer
 * arithmetic run with an offset the verifier ruled out, and a later load
 * then reads out of bounds.  So "ptr += reg" gets its offset masked
 * without a branch: AX = limit - off turns negative exactly when off
 * exceeds the limit the verifier allowed on this insn (so does off | AX
 * when off itself is negative), and an arithmetic shift turns that sign
 * into a mask of all ones (in bounds) or zero (out: the pointer stays
 * where it was).  A known offset is not masked but written in as a
 * constant, so that no guessed register value can change it.
 *
 * An instruction that a mispredicted path would run unsafely gets a
 * barrier before it.
 *
 * Spectre v4: a load may speculatively bypass a store it depends on and
 * see the old bytes.  A stack store that overwrites a spilled pointer or
 * never-written bytes, or spills a pointer, is followed by a barrier.
 *
 * (Code never reached becomes "goto -1" traps in kernel/bpf/fixup.c.)
 */
#include <linux/bpf64/verifier.h>
#include <linux/bpf64/patch.h>

static struct bpf_insn mk(u8 code, u8 dst, u8 src, s32 imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst,
				  .src_reg = src, .imm = imm };
}

/* The sequence that replaces pointer arithmetic @insn: its length. */
static u32 mask_alu(const struct bpf_insn *insn,
		    const struct bpf64_insn_aux *aux, struct bpf_insn *buf)
{
	bool neg = aux->alu_state & BPF64_ALU_NEG_VALUE;
	bool imm = aux->alu_state & BPF64_ALU_IMMEDIATE;
	bool in_src = (aux->alu_state & BPF64_ALU_SANITIZE) ==
		      BPF64_ALU_SANITIZE_SRC;
	u8 off = in_src ? insn->src_reg : insn->dst_reg;
	u8 ax = BPF64_REG_AX;
	struct bpf_insn op = *insn;
	u32 n = 0;

	/* a negative offset is masked as its magnitude, then subtracted */
	if (neg && !imm)
		buf[n++] = mk(BPF_ALU64 | BPF_MUL | BPF_K, off, 0, -1);
	buf[n++] = mk(BPF_ALU | BPF_MOV | BPF_K, ax, 0, aux->alu_limit);
	if (!imm) {
		buf[n++] = mk(BPF_ALU64 | BPF_SUB | BPF_X, ax, off, 0);
		buf[n++] = mk(BPF_ALU64 | BPF_OR | BPF_X, ax, off, 0);
		buf[n++] = mk(BPF_ALU64 | BPF_NEG | BPF_K, ax, 0, 0);
		buf[n++] = mk(BPF_ALU64 | BPF_ARSH | BPF_K, ax, 0, 63);
		buf[n++] = mk(BPF_ALU64 | BPF_AND | BPF_X, ax, off, 0);
	}
	/* "off += ptr": the pointer moves into dst first */
	if (!in_src)
		buf[n++] = mk(BPF_ALU64 | BPF_MOV | BPF_X, insn->dst_reg,
			      insn->src_reg, 0);
	op.src_reg = ax;
	if (neg)
		op.code = BPF_ALU64 | BPF_X |
			  (BPF_OP(insn->code) == BPF_ADD ? BPF_SUB : BPF_ADD);
	buf[n++] = op;
	/* the offset register is the program's: give it back its sign */
	if (neg && !imm && in_src)
		buf[n++] = mk(BPF_ALU64 | BPF_MUL | BPF_K, off, 0, -1);
	return n;
}

static bool is_alu_ptr(const struct bpf_insn *insn,
		       const struct bpf64_insn_aux *aux)
{
	return (insn->code == (BPF_ALU64 | BPF_ADD | BPF_X) ||
		insn->code == (BPF_ALU64 | BPF_SUB | BPF_X)) &&
	       aux->alu_state && aux->alu_state != BPF64_ALU_NON_POINTER;
}

int bpf64_sanitize(struct bpf64_patch_set *set,
		   const struct bpf64_insn_aux *aux)
{
	const struct bpf_insn nospec = mk(BPF_ST | BPF64_NOSPEC, 0, 0, 0);
	struct bpf_insn seq[BPF64_SANITIZE_MAX];
	u32 i, w, n;

	for (i = 0; i < set->len; i += w) {
		const struct bpf_insn *insn = &set->insns[i];
		const struct bpf64_insn_aux *a = &aux[i];

		w = bpf64_is_ldimm64(insn) && i + 1 < set->len ? 2 : 1;
		/* inserted: a jump keeps its target, jumps to it land first */
		if (a->nospec)
			bpf64_patch_insert_before(set, i, &nospec, 1);
		if (!a->seen)
			continue;	/* a trap (fixup.c) */
		if (is_alu_ptr(insn, a)) {
			n = mask_alu(insn, a, seq);
			bpf64_patch_replace(set, i, seq, n);
		} else if (a->nospec_result) {
			/* never a jump: a store */
			seq[0] = *insn;
			seq[1] = nospec;
			bpf64_patch_replace(set, i, seq, 2);
		}
	}
	return set->err;
}
