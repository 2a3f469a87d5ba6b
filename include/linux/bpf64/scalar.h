/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the verifier knows about a scalar register, as Linux's bpf_reg_state
 * keeps it: the known bits (var_off) and signed and unsigned bounds of the
 * whole register and of its low 32 bits (the subregister).  A value x is a
 * member when every one of the five facts holds for it.
 *
 * Every function is sound: the abstract result holds every concrete result
 * the interpreter can produce from members of the operands.
 */
#ifndef _LINUX_BPF64_SCALAR_H
#define _LINUX_BPF64_SCALAR_H

#include <linux/bpf64/platform.h>
#include <linux/bpf64/tnum.h>

struct bpf64_scalar {
	struct tnum var_off;
	s64 smin, smax;
	u64 umin, umax;
	s32 s32_min, s32_max;
	u32 u32_min, u32_max;
};

void bpf64_scalar_const(struct bpf64_scalar *s, u64 value);
void bpf64_scalar_unknown(struct bpf64_scalar *s);
void bpf64_scalar_unknown_bytes(struct bpf64_scalar *s, u32 size);
bool bpf64_scalar_is_const(const struct bpf64_scalar *s);

/* Is @x a member of @s (all five facts hold)? */
bool bpf64_scalar_contains(const struct bpf64_scalar *s, u64 x);

/*
 * Tighten each fact from the others until they agree (Linux's
 * reg_bounds_sync).
 */
void bpf64_scalar_sync(struct bpf64_scalar *s);

/* Keep the subregister, zero the high 32 bits (a 32-bit op's result). */
void bpf64_scalar_zext32(struct bpf64_scalar *s);

/*
 * dst = dst OP src for the ALU or ALU64 instruction @insn (its code and off;
 * for BPF_K forms the caller passes imm as a constant @src, sign-extended as
 * the instruction does).  Covers ADD SUB MUL OR AND XOR LSH RSH ARSH NEG
 * MOV (off 8/16/32: MOVSX) and END (both byte orders, and ALU64 BSWAP).
 * As in Linux 6.18, DIV and MOD (signed or not) and shifts by anything but
 * a known amount below the width give a value unknown in all 64 bits,
 * for 32-bit instructions too.  @dst == @src means the same register
 * (r1 -= r1 gives 0).
 */
void bpf64_scalar_alu(struct bpf64_scalar *dst, const struct bpf64_scalar *src,
		      const struct bpf_insn *insn);

/*
 * Will "if dst OP src" (OP one of BPF_JEQ ... BPF_JSLE, in the BPF_OP()
 * encoding) jump?  1 always, 0 never, -1 it depends.  @is32: JMP32, the
 * subregisters are compared.  @dst == @src means the same register.
 */
int bpf64_scalar_branch_taken(const struct bpf64_scalar *dst,
			      const struct bpf64_scalar *src, u8 op,
			      bool is32);

/*
 * Narrow @dst and @src to the values for which "dst OP src" is @taken.  If
 * no pair can take that branch the result is meaningless (check with
 * bpf64_scalar_branch_taken first).  @dst == @src means the same register.
 */
void bpf64_scalar_cond_refine(struct bpf64_scalar *dst,
			      struct bpf64_scalar *src, u8 op, bool is32,
			      bool taken);

/* Is every value @cur allows also allowed by @old?  (State pruning.) */
bool bpf64_scalar_within(const struct bpf64_scalar *old,
			 const struct bpf64_scalar *cur);

/*
 * As Linux's verifier log prints a scalar register: a constant as its
 * number, otherwise "scalar(smin=...,umax=...,var_off=(0x0; 0xff))" without
 * the bounds that say nothing.  Returns what snprintf returns.
 */
int bpf64_scalar_strn(char *buf, size_t size, const struct bpf64_scalar *s);

#endif /* _LINUX_BPF64_SCALAR_H */
