/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scalar tracking through ALU operations: the case computes r0; if the
 * verifier knows r0 == VAL it prunes the branch that dereferences r0 and
 * accepts (and the run returns 1).  Where the result is not exactly
 * known, that branch is explored and the program is rejected.
 */
#define VKNOWN(NAME, VAL, ...)						\
	{ .name = "alu: " NAME,						\
	  .insns = {							\
		__VA_ARGS__,						\
		BPF64_JMP_IMM(BPF_JNE, R0, VAL, 2),			\
		VRET(1),						\
		BPF64_LDX_MEM(BPF_DW, R0, R0, 0),			\
		BPF64_EXIT_INSN(),					\
	  },								\
	  .result = ACCEPT, .run = true, .retval = 1 }
#define VUNKNOWN(NAME, VAL, ...)					\
	{ .name = "alu: " NAME,						\
	  .insns = {							\
		__VA_ARGS__,						\
		BPF64_JMP_IMM(BPF_JNE, R0, VAL, 2),			\
		VRET(1),						\
		BPF64_LDX_MEM(BPF_DW, R0, R0, 0),			\
		BPF64_EXIT_INSN(),					\
	  },								\
	  .result = REJECT, .err = EACCES,				\
	  .msg = "R0 invalid mem access 'scalar'" }

/* r0 = an unknown u32 (the packet length, as the verifier sees it) */
#define VUNKNOWN_R0	BPF64_LDX_MEM(BPF_W, R0, R1, 0)

VKNOWN("add", 7, BPF64_MOV64_IMM(R0, 3), BPF64_ALU64_IMM(BPF_ADD, R0, 4)),
VKNOWN("sub below zero", -1, BPF64_MOV64_IMM(R0, 3), BPF64_ALU64_IMM(BPF_SUB, R0, 4)),
VKNOWN("mul", 12, BPF64_MOV64_IMM(R0, 3), BPF64_ALU64_IMM(BPF_MUL, R0, 4)),
/* Linux 6.18 leaves these unknown: no folding of div, mod, x ^ x, x - x */
VUNKNOWN("div of constants", 3, BPF64_MOV64_IMM(R0, 13), BPF64_ALU64_IMM(BPF_DIV, R0, 4)),
VUNKNOWN("mod of constants", 1, BPF64_MOV64_IMM(R0, 13), BPF64_ALU64_IMM(BPF_MOD, R0, 4)),
VKNOWN("and", 4, BPF64_MOV64_IMM(R0, 12), BPF64_ALU64_IMM(BPF_AND, R0, 6)),
VKNOWN("or", 14, BPF64_MOV64_IMM(R0, 12), BPF64_ALU64_IMM(BPF_OR, R0, 6)),
VKNOWN("xor", 10, BPF64_MOV64_IMM(R0, 12), BPF64_ALU64_IMM(BPF_XOR, R0, 6)),
VKNOWN("lsh", 48, BPF64_MOV64_IMM(R0, 12), BPF64_ALU64_IMM(BPF_LSH, R0, 2)),
VKNOWN("rsh", 3, BPF64_MOV64_IMM(R0, 12), BPF64_ALU64_IMM(BPF_RSH, R0, 2)),
VKNOWN("arsh of a negative", -3, BPF64_MOV64_IMM(R0, -12), BPF64_ALU64_IMM(BPF_ARSH, R0, 2)),
VKNOWN("neg", -5, BPF64_MOV64_IMM(R0, 5), BPF64_NEG64(R0)),
/* (the JNE's imm is sign-extended, so results >= 2^31 are shifted down) */
VKNOWN("32-bit neg zero-extends", 0x0fffffff,
	BPF64_MOV64_IMM(R0, 5), BPF64_NEG32(R0),
	BPF64_ALU64_IMM(BPF_RSH, R0, 4)),
VKNOWN("32-bit rsh of a negative", 0x3fffffff,
	BPF64_MOV64_IMM(R0, -1), BPF64_ALU32_IMM(BPF_RSH, R0, 2)),
VKNOWN("32-bit arsh", -1,
	BPF64_MOV64_IMM(R0, -1), BPF64_ALU32_IMM(BPF_ARSH, R0, 2),
	BPF64_MOVSX64_REG(R0, R0, 32)),
VKNOWN("register add", 9,
	BPF64_MOV64_IMM(R0, 4), BPF64_MOV64_IMM(R2, 5),
	BPF64_ALU64_REG(BPF_ADD, R0, R2)),
VKNOWN("register shift", 40,
	BPF64_MOV64_IMM(R0, 5), BPF64_MOV64_IMM(R2, 3),
	BPF64_ALU64_REG(BPF_LSH, R0, R2)),
VKNOWN("bswap 16", 0x3412,
	BPF64_MOV64_IMM(R0, 0x1234), BPF64_BSWAP(R0, 16)),
VKNOWN("to_be 32 of a constant", 0x78563412,
	BPF64_MOV64_IMM(R0, 0x12345678), BPF64_ENDIAN(BPF_TO_BE, R0, 32)),
VKNOWN("unknown and 0", 0, VUNKNOWN_R0, BPF64_ALU64_IMM(BPF_AND, R0, 0)),
VKNOWN("unknown mul 0", 0, VUNKNOWN_R0, BPF64_ALU64_IMM(BPF_MUL, R0, 0)),
VUNKNOWN("unknown xor itself", 0, VUNKNOWN_R0, BPF64_ALU64_REG(BPF_XOR, R0, R0)),
VUNKNOWN("unknown sub itself", 0, VUNKNOWN_R0, BPF64_ALU64_REG(BPF_SUB, R0, R0)),
VKNOWN("u32 rsh 32", 0, VUNKNOWN_R0, BPF64_ALU64_IMM(BPF_RSH, R0, 32)),
VKNOWN("u32 or 0xffffffff", 0xffff, VUNKNOWN_R0,
	BPF64_ALU32_IMM(BPF_OR, R0, -1),
	BPF64_ALU64_IMM(BPF_RSH, R0, 16)),
VKNOWN("unknown made known by jeq", 5, VUNKNOWN_R0,
	BPF64_JMP_IMM(BPF_JEQ, R0, 5, 1),
	BPF64_MOV64_IMM(R0, 5)),
VKNOWN("unknown within [3, 3] by two compares", 3, VUNKNOWN_R0,
	BPF64_JMP_IMM(BPF_JGT, R0, 3, 2),
	BPF64_JMP_IMM(BPF_JLT, R0, 3, 1),
	BPF64_JMP_A(1),
	BPF64_MOV64_IMM(R0, 3)),
VUNKNOWN("unknown and 1", 0, VUNKNOWN_R0, BPF64_ALU64_IMM(BPF_AND, R0, 1)),
VUNKNOWN("unknown mod 1 is not folded", 0, VUNKNOWN_R0, BPF64_ALU64_IMM(BPF_MOD, R0, 1)),
VUNKNOWN("unknown or 1", 1, VUNKNOWN_R0, BPF64_ALU64_IMM(BPF_OR, R0, 1)),
VUNKNOWN("u32 rsh 31", 0, VUNKNOWN_R0, BPF64_ALU64_IMM(BPF_RSH, R0, 31)),
VUNKNOWN("unknown within [3, 4]", 3, VUNKNOWN_R0,
	BPF64_JMP_IMM(BPF_JGT, R0, 4, 2),
	BPF64_JMP_IMM(BPF_JLT, R0, 3, 1),
	BPF64_JMP_A(1),
	BPF64_MOV64_IMM(R0, 3)),
VUNKNOWN("32-bit add of a large value wraps", 1,
	BPF64_MOV32_IMM(R0, -1), VUNKNOWN_R0, BPF64_ALU32_IMM(BPF_ADD, R0, 1)),
