/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interpreter's private view: threaded code.
 *
 * At prepare time each instruction is decoded once into a bpf64_iinsn that
 * holds the address of its handler and its operands, with the instruction's
 * variant already resolved (K or X source, 32 or 64 bits, signed division,
 * constant divisors of 0 and -1, masked constant shifts, END as truncation
 * or byte swap on this host).  The interpreter loop then only jumps from
 * handler to handler.  Slots stay 1:1 with the raw instructions, so jump
 * offsets and instruction indexes carry over unchanged.
 */
#ifndef _KERNEL_BPF_INTERP_H
#define _KERNEL_BPF_INTERP_H

#include <linux/bpf64/prog.h>

struct bpf64_iinsn {
	const void *code;	/* handler label in the interpreter loop */
	u8 dst;
	u8 src;
	s16 off;
	s32 imm;		/* K operand, jump offset of JA, helper slot */
};

struct bpf64_interp_image {
	enum bpf64_run_mode mode;
	u32 len;
	const struct bpf64_prog_ops *ops;	/* callx resolves through it */
	const struct bpf64_prog *prog;
	bpf64_helper_fn *helpers;		/* CALL's imm indexes these */
	const struct bpf64_func_proto **protos;	/* checked mode's arguments */
	u32 *func_ids;				/* and the helpers' ids */
	u64 *maps_ok;		/* per helper: bit i, used_maps[i] pairs with it */
	struct bpf64_iinsn insns[];
};

void bpf64_interp_image_free(struct bpf64_interp_image *img);

/* Binary ALU operations; each has four handlers: 64/32 bits, X/K source. */
#define INTERP_ALU_OPS(F) \
	F(ADD) F(SUB) F(MUL) F(DIV) F(SDIV) F(MOD) F(SMOD) \
	F(OR) F(AND) F(LSH) F(RSH) F(ARSH) F(XOR) F(MOV)

/* Conditional jumps; the same four forms each. */
#define INTERP_JMP_OPS(F) \
	F(JEQ) F(JNE) F(JGT) F(JGE) F(JLT) F(JLE) \
	F(JSGT) F(JSGE) F(JSLT) F(JSLE) F(JSET)

#define INTERP_FORMS(F, name) F(name##64_X) F(name##64_K) F(name##32_X) F(name##32_K)

/* Everything else, one handler each. */
#define INTERP_SINGLE_OPS(F) \
	F(NEG64) F(NEG32) F(NOP) F(NOSPEC) F(ZEXT16) F(ZEXT32) \
	F(BSWAP16) F(BSWAP32) F(BSWAP64) \
	F(MOVSX64_8) F(MOVSX64_16) F(MOVSX64_32) F(MOVSX32_8) F(MOVSX32_16) \
	F(JA) F(CALL_HELPER) F(CALL_LOCAL) F(CALLX) F(TAIL_CALL) F(EXIT) \
	F(LDX_B) F(LDX_H) F(LDX_W) F(LDX_DW) F(LDXS_B) F(LDXS_H) F(LDXS_W) \
	F(ST_B) F(ST_H) F(ST_W) F(ST_DW) F(STX_B) F(STX_H) F(STX_W) F(STX_DW) \
	F(ATOMIC32_ADD) F(ATOMIC32_AND) F(ATOMIC32_OR) F(ATOMIC32_XOR) \
	F(ATOMIC32_FETCH_ADD) F(ATOMIC32_FETCH_AND) F(ATOMIC32_FETCH_OR) \
	F(ATOMIC32_FETCH_XOR) F(ATOMIC32_XCHG) F(ATOMIC32_CMPXCHG) \
	F(ATOMIC64_ADD) F(ATOMIC64_AND) F(ATOMIC64_OR) F(ATOMIC64_XOR) \
	F(ATOMIC64_FETCH_ADD) F(ATOMIC64_FETCH_AND) F(ATOMIC64_FETCH_OR) \
	F(ATOMIC64_FETCH_XOR) F(ATOMIC64_XCHG) F(ATOMIC64_CMPXCHG) \
	F(LD_IMM64) F(LD_ABS_B) F(LD_ABS_H) F(LD_ABS_W) \
	F(LD_IND_B) F(LD_IND_H) F(LD_IND_W)

#define INTERP_OP_ENUM(name) OP_##name,
#define INTERP_OP_FORMS_ENUM(name) INTERP_FORMS(INTERP_OP_ENUM, name)

enum interp_op {
	INTERP_ALU_OPS(INTERP_OP_FORMS_ENUM)
	INTERP_JMP_OPS(INTERP_OP_FORMS_ENUM)
	INTERP_SINGLE_OPS(INTERP_OP_ENUM)
	NR_INTERP_OPS
};

/* Offsets of the four forms from the name##64_X member. */
#define INTERP_FORM_K	1
#define INTERP_FORM_32	2

#endif /* _KERNEL_BPF_INTERP_H */
