// SPDX-License-Identifier: GPL-2.0
/*
 * Constant blinding for the JIT, as Linux's bpf_jit_blind_constants():
 * an attacker who chooses a program's immediates must not find them in
 * executable memory (JIT spraying).  Each instruction that carries one
 * gets it through BPF64_REG_AX instead, computed as (imm ^ key) ^ key
 * with a fresh random key per instruction, so the image holds only
 * imm ^ key and key:
 *
 *	ALU, ALU64 K (not shifts)  AX = imm; dst op= AX
 *	JMP, JMP32 K conditions	   AX = imm; if dst op AX goto
 *	ST MEM			   AX = imm; *(size *)(dst + off) = AX
 *	LD_IMM64		   dst = hi << 32 | lo, both halves blinded
 *	LD_ABS, LD_IND		   AX = imm (+ src); LD_IND [AX]
 *
 * As in Linux, shifts keep their immediate (at most 63: one byte that
 * could not carry a useful instruction), and so do the jump offsets,
 * memory offsets and helper ids.  MOV of 0 needs nothing: the JIT emits
 * an xor.  Linux's JIT never sees LD_ABS / LD_IND (its verifier rewrites
 * them into calls); bpf64's does, so they are blinded here as Linux's
 * classic-BPF JITs had them.
 *
 * The rewrite keeps each instruction where it was and inserts the AX
 * setting before it (LD_IMM64 alone is replaced), so the patching
 * infrastructure re-aims every jump, and control that reached the
 * instruction reaches its AX setting first.
 */
#include <linux/bpf64/jit.h>
#include <linux/bpf64/patch.h>

#define AX	BPF64_REG_AX

static struct bpf_insn mk(u8 code, u8 dst, u8 src, s32 imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst,
				  .src_reg = src, .imm = imm };
}

/* ALU operations whose K form is blinded. */
static bool alu_blinded(u8 op)
{
	switch (op) {
	case BPF_ADD: case BPF_SUB: case BPF_AND: case BPF_OR: case BPF_XOR:
	case BPF_MUL: case BPF_MOV: case BPF_DIV: case BPF_MOD:
		return true;
	}
	return false;
}

static bool jmp_blinded(u8 op)
{
	switch (op) {
	case BPF_JA: case BPF_CALL: case BPF_EXIT: case BPF_JCOND:
		return false;
	}
	return true;
}

/* AX = imm, 32 or 64 bits (sign-extended) as @class says. */
static void set_ax(struct bpf64_patch_set *set, u32 i, u8 class, s32 imm)
{
	u32 key = bpf64_get_prandom_u32();
	struct bpf_insn pre[2] = {
		mk(class | BPF_MOV | BPF_K, AX, 0, key ^ imm),
		mk(class | BPF_XOR | BPF_K, AX, 0, key),
	};

	bpf64_patch_insert_before(set, i, pre, 2);
}

/* dst = the 64-bit constant of the LD_IMM64 at @insn, in 7 instructions. */
static void blind_ldimm64(struct bpf64_patch_set *set, u32 i,
			 const struct bpf_insn *insn)
{
	u32 hi_key = bpf64_get_prandom_u32(), lo_key = bpf64_get_prandom_u32();
	u8 dst = insn->dst_reg;
	struct bpf_insn out[] = {
		mk(BPF_ALU64 | BPF_MOV | BPF_K, AX, 0, hi_key ^ insn[1].imm),
		mk(BPF_ALU64 | BPF_XOR | BPF_K, AX, 0, hi_key),
		mk(BPF_ALU64 | BPF_LSH | BPF_K, AX, 0, 32),
		mk(BPF_ALU64 | BPF_MOV | BPF_X, dst, AX, 0),
		mk(BPF_ALU | BPF_MOV | BPF_K, AX, 0, lo_key ^ insn[0].imm),
		mk(BPF_ALU | BPF_XOR | BPF_K, AX, 0, lo_key),
		mk(BPF_ALU64 | BPF_OR | BPF_X, dst, AX, 0),
	};

	bpf64_patch_replace(set, i, out, ARRAY_SIZE(out));
}

/*
 * Blind @insn, instruction @i of the copy being patched, which may be
 * changed in place into the form that takes AX.  A failed patch call
 * sticks to @set, and bpf64_patch_apply() returns it.
 */
static void blind_insn(struct bpf64_patch_set *set, struct bpf_insn *insn,
		      u32 i)
{
	u8 class = BPF_CLASS(insn->code), op = BPF_OP(insn->code);
	bool alu = class == BPF_ALU || class == BPF_ALU64;
	struct bpf_insn add;
	s32 imm = insn->imm;

	if (insn->dst_reg == AX || insn->src_reg == AX)
		return;
	switch (class) {
	case BPF_ALU:
	case BPF_ALU64:
	case BPF_JMP:
	case BPF_JMP32:
		if (BPF_SRC(insn->code) != BPF_K ||
		    (alu ? !alu_blinded(op) : !jmp_blinded(op)) ||
		    (op == BPF_MOV && !imm))
			return;
		insn->code |= BPF_X;
		break;
	case BPF_ST:
		insn->code = BPF_STX | BPF_MEM | BPF_SIZE(insn->code);
		class = BPF_ALU64;
		break;
	case BPF_LD:
		if (bpf64_is_ldimm64(insn)) {
			if (insn->src_reg != BPF_PSEUDO_FUNC)
				blind_ldimm64(set, i, insn);
			return;
		}
		if (BPF_MODE(insn->code) == BPF_IND) {
			add = mk(BPF_ALU | BPF_ADD | BPF_X, AX,
				 insn->src_reg, 0);
			set_ax(set, i, BPF_ALU64, imm);
			bpf64_patch_insert_before(set, i, &add, 1);
		} else {
			set_ax(set, i, BPF_ALU64, imm);
		}
		insn->code = BPF_LD | BPF_IND | BPF_SIZE(insn->code);
		insn->src_reg = AX;
		insn->imm = 0;
		return;
	default:
		return;
	}
	insn->src_reg = AX;
	insn->imm = 0;
	/* JMP compares 64 bits with the sign-extended immediate. */
	set_ax(set, i, class == BPF_JMP32 ? BPF_ALU :
		       class == BPF_JMP ? BPF_ALU64 : class, imm);
}

int bpf64_jit_blind(const struct bpf_insn *insns, u32 len,
		    struct bpf_insn **out, u32 *out_len, struct bpf64_log *log)
{
	struct bpf64_patch_set set;
	struct bpf_insn *work;
	u32 i;
	int err;

	*out = NULL;
	work = bpf64_zalloc_array(len, sizeof(*work));
	if (!work)
		return -ENOMEM;
	memcpy(work, insns, (size_t)len * sizeof(*work));
	bpf64_patch_init(&set, work, len, log);
	for (i = 0; i < len; i++) {
		blind_insn(&set, &work[i], i);
		if (bpf64_is_ldimm64(&work[i]))
			i++;
	}
	err = bpf64_patch_apply(&set, out, out_len);
	bpf64_patch_release(&set);
	bpf64_free(work);
	return err;
}
