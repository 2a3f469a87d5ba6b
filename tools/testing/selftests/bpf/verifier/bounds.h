/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounds: an unknown 64-bit number read from a 64-byte map value, bounded
 * by the case's instructions, then used as an offset into that value.
 * The bounding instructions leave the number in r1 and jump to the
 * "return 0" tail on out-of-range paths (offset 2 from the last of them).
 */
#define VBOUNDS(NAME, ...)	VBOUNDS_(NAME, __VA_ARGS__)
#define VBOUNDS_(NAME, RESULT, ERR, MSG, ...)					\
	{								\
		.name = "bounds: " NAME,				\
		.insns = {						\
			VLOOKUP_OR_RET(0, 0),				\
			BPF64_LDX_MEM(BPF_DW, R1, R0, 0),		\
			__VA_ARGS__,					\
			BPF64_ALU64_REG(BPF_ADD, R0, R1),		\
			BPF64_LDX_MEM(BPF_B, R2, R0, 0),		\
			VRET(0),					\
		},							\
		.maps = { VMAP_ARRAY(64, 1) },				\
		.result = RESULT, .err = ERR,	\
		.msg = MSG, .run = RESULT == ACCEPT,			\
	}

/* Linux refuses the addition itself (-EINVAL) before any access (-EACCES). */
#define VB_OK		ACCEPT, 0, NULL
#define VB_UNBOUNDED	REJECT, EINVAL, VUNBOUNDED
#define VB_BIG_ACCESS	REJECT, EACCES, "R0 unbounded memory access"
#define VB_NEGATIVE	REJECT, EACCES, VNEGATIVE
#define VB_TOOBIG	REJECT, EACCES, VTOOBIG
#define VUNBOUNDED							\
	"math between map_value pointer and register with unbounded min value is not allowed"
#define VNEGATIVE	"R0 min value is negative"
#define VTOOBIG		"invalid access to map value, value_size=64"

VBOUNDS("no check", VB_UNBOUNDED, BPF64_MOV64_REG(R1, R1)),
VBOUNDS("jgt 63", VB_OK, BPF64_JMP_IMM(BPF_JGT, R1, 63, 2)),
VBOUNDS("jgt 64", VB_TOOBIG, BPF64_JMP_IMM(BPF_JGT, R1, 64, 2)),
VBOUNDS("jge 64", VB_OK, BPF64_JMP_IMM(BPF_JGE, R1, 64, 2)),
VBOUNDS("jge 65", VB_TOOBIG, BPF64_JMP_IMM(BPF_JGE, R1, 65, 2)),
VBOUNDS("jlt 64 inverted", VB_OK,
	BPF64_JMP_IMM(BPF_JLT, R1, 64, 1),
	BPF64_JMP_A(2)),
VBOUNDS("jle 63 inverted", VB_OK,
	BPF64_JMP_IMM(BPF_JLE, R1, 63, 1),
	BPF64_JMP_A(2)),
VBOUNDS("jle 64 inverted", VB_TOOBIG,
	BPF64_JMP_IMM(BPF_JLE, R1, 64, 1),
	BPF64_JMP_A(2)),
VBOUNDS("jsgt 63 only", VB_UNBOUNDED, BPF64_JMP_IMM(BPF_JSGT, R1, 63, 2)),
VBOUNDS("jsgt 63 and jslt 0", VB_OK,
	BPF64_JMP_IMM(BPF_JSGT, R1, 63, 3),
	BPF64_JMP_IMM(BPF_JSLT, R1, 0, 2)),
VBOUNDS("jsge 64 and jsge 0", VB_OK,
	BPF64_JMP_IMM(BPF_JSGE, R1, 64, 3),
	BPF64_JMP_IMM(BPF_JSLT, R1, 0, 2)),
VBOUNDS("jsgt 63 and jslt -1", VB_NEGATIVE,
	BPF64_JMP_IMM(BPF_JSGT, R1, 63, 3),
	BPF64_JMP_IMM(BPF_JSLT, R1, -1, 2)),
VBOUNDS("and 63", VB_OK, BPF64_ALU64_IMM(BPF_AND, R1, 63)),
VBOUNDS("and 64", VB_TOOBIG, BPF64_ALU64_IMM(BPF_AND, R1, 64)),
VBOUNDS("and 0x7f", VB_TOOBIG, BPF64_ALU64_IMM(BPF_AND, R1, 0x7f)),
VBOUNDS("and -1", VB_UNBOUNDED, BPF64_ALU64_IMM(BPF_AND, R1, -1)),
VBOUNDS("rsh 58", VB_OK, BPF64_ALU64_IMM(BPF_RSH, R1, 58)),
VBOUNDS("rsh 57", VB_TOOBIG, BPF64_ALU64_IMM(BPF_RSH, R1, 57)),
VBOUNDS("arsh 58", VB_NEGATIVE, BPF64_ALU64_IMM(BPF_ARSH, R1, 58)),
/* Linux tracks no bounds through BPF_MOD or BPF_DIV by a constant */
VBOUNDS("mod 64", VB_UNBOUNDED, BPF64_ALU64_IMM(BPF_MOD, R1, 64)),
VBOUNDS("mod 65", VB_UNBOUNDED, BPF64_ALU64_IMM(BPF_MOD, R1, 65)),
VBOUNDS("div by 2^58", VB_UNBOUNDED, BPF64_ALU64_IMM(BPF_DIV, R1, 1 << 30),
	BPF64_ALU64_IMM(BPF_DIV, R1, 1 << 28)),
/* ... and leaves all 64 bits unknown, of a 32-bit division too */
VBOUNDS("32-bit div, then the upper half", VB_BIG_ACCESS,
	BPF64_ALU32_IMM(BPF_DIV, R1, 3),
	BPF64_ALU64_IMM(BPF_RSH, R1, 32)),
VBOUNDS("32-bit shift by a register, then the upper half", VB_BIG_ACCESS,
	BPF64_MOV64_IMM(R2, 40),
	BPF64_ALU32_REG(BPF_LSH, R1, R2),
	BPF64_ALU64_IMM(BPF_RSH, R1, 32)),
/* a left shift keeps no signed range: [-2, 1] << 2 is not [-8, 4] */
VBOUNDS("left shift of a small signed range", VB_BIG_ACCESS,
	BPF64_ALU64_IMM(BPF_AND, R1, 3),
	BPF64_ALU64_IMM(BPF_SUB, R1, 2),
	BPF64_ALU64_IMM(BPF_LSH, R1, 2),
	BPF64_JMP_IMM(BPF_JSLT, R1, 0, 2)),
VBOUNDS("32-bit mov then jgt 63", VB_OK,
	BPF64_MOV32_REG(R1, R1),
	BPF64_JMP_IMM(BPF_JGT, R1, 63, 2)),
VBOUNDS("32-bit and 63", VB_OK, BPF64_ALU32_IMM(BPF_AND, R1, 63)),
VBOUNDS("jmp32 jgt 63 alone", VB_UNBOUNDED,
	BPF64_JMP32_IMM(BPF_JGT, R1, 63, 2)),
VBOUNDS("32-bit mov then jmp32 jgt 63", VB_OK,
	BPF64_MOV32_REG(R1, R1),
	BPF64_JMP32_IMM(BPF_JGT, R1, 63, 2)),
/* an imm of 0xffffffff is -1 sign-extended: this bounds nothing */
VBOUNDS("jgt imm 0xffffffff then jmp32 jgt", VB_UNBOUNDED,
	BPF64_JMP_IMM(BPF_JGT, R1, 0xffffffff, 3),
	BPF64_JMP32_IMM(BPF_JGT, R1, 63, 2)),
VBOUNDS("jgt reg 0xffffffff then jmp32 jgt", VB_OK,
	BPF64_MOV32_IMM(R3, -1),
	BPF64_JMP_REG(BPF_JGT, R1, R3, 3),
	BPF64_JMP32_IMM(BPF_JGT, R1, 63, 2)),
VBOUNDS("jeq makes it constant", VB_OK,
	BPF64_JMP_IMM(BPF_JEQ, R1, 7, 1),
	BPF64_JMP_A(2)),
VBOUNDS("jne leaves it unbounded", VB_UNBOUNDED,
	BPF64_JMP_IMM(BPF_JNE, R1, 7, 0)),
/* on the false branch r1 & ~63 == 0, which Linux learns */
VBOUNDS("jset of ~63 bounds the false branch", VB_OK,
	BPF64_JMP_IMM(BPF_JSET, R1, ~63, 2)),
VBOUNDS("bound against a register", VB_OK,
	BPF64_MOV64_IMM(R3, 63),
	BPF64_JMP_REG(BPF_JGT, R1, R3, 2)),
VBOUNDS("bound against an unknown register", VB_UNBOUNDED,
	BPF64_LDX_MEM(BPF_DW, R3, R0, 8),
	BPF64_JMP_REG(BPF_JGT, R1, R3, 2)),
VBOUNDS("bound kept through a copy", VB_OK,
	BPF64_MOV64_REG(R4, R1),
	BPF64_JMP_IMM(BPF_JGT, R4, 63, 3),
	BPF64_MOV64_REG(R1, R4)),
VBOUNDS("bound lost by adding an unknown", VB_UNBOUNDED,
	BPF64_JMP_IMM(BPF_JGT, R1, 63, 4),
	BPF64_LDX_MEM(BPF_DW, R3, R0, 8),
	BPF64_ALU64_REG(BPF_ADD, R1, R3)),
VBOUNDS("bounded plus bounded", VB_OK,
	BPF64_JMP_IMM(BPF_JGT, R1, 31, 5),
	BPF64_LDX_MEM(BPF_DW, R3, R0, 8),
	BPF64_JMP_IMM(BPF_JGT, R3, 32, 3),
	BPF64_ALU64_REG(BPF_ADD, R1, R3)),
VBOUNDS("bounded plus bounded, one over", VB_TOOBIG,
	BPF64_JMP_IMM(BPF_JGT, R1, 31, 5),
	BPF64_LDX_MEM(BPF_DW, R3, R0, 8),
	BPF64_JMP_IMM(BPF_JGT, R3, 33, 3),
	BPF64_ALU64_REG(BPF_ADD, R1, R3)),
VBOUNDS("mul by 2 of 0..31", VB_OK,
	BPF64_JMP_IMM(BPF_JGT, R1, 31, 3),
	BPF64_ALU64_IMM(BPF_MUL, R1, 2)),
VBOUNDS("mul by 3 of 0..31", VB_TOOBIG,
	BPF64_JMP_IMM(BPF_JGT, R1, 31, 3),
	BPF64_ALU64_IMM(BPF_MUL, R1, 3)),
VBOUNDS("lsh 1 of 0..31", VB_OK,
	BPF64_JMP_IMM(BPF_JGT, R1, 31, 3),
	BPF64_ALU64_IMM(BPF_LSH, R1, 1)),
VBOUNDS("sub 1 of 0..63", VB_NEGATIVE,
	BPF64_JMP_IMM(BPF_JGT, R1, 63, 3),
	BPF64_ALU64_IMM(BPF_SUB, R1, 1)),
VBOUNDS("sub 1 of 1..64", VB_OK,
	BPF64_JMP_IMM(BPF_JGT, R1, 64, 4),
	BPF64_JMP_IMM(BPF_JLT, R1, 1, 3),
	BPF64_ALU64_IMM(BPF_SUB, R1, 1)),
VBOUNDS("neg of 0..63", VB_NEGATIVE,
	BPF64_JMP_IMM(BPF_JGT, R1, 63, 3),
	BPF64_NEG64(R1)),
VBOUNDS("xor 63 of 0..63", VB_OK,
	BPF64_JMP_IMM(BPF_JGT, R1, 63, 3),
	BPF64_ALU64_IMM(BPF_XOR, R1, 63)),
VBOUNDS("or 64 of 0..63", VB_TOOBIG,
	BPF64_JMP_IMM(BPF_JGT, R1, 63, 3),
	BPF64_ALU64_IMM(BPF_OR, R1, 64)),
VBOUNDS("load of a byte is 0..255", VB_TOOBIG,
	BPF64_LDX_MEM(BPF_B, R1, R0, 0)),
VBOUNDS("byte shifted right by 2", VB_OK,
	BPF64_LDX_MEM(BPF_B, R1, R0, 0),
	BPF64_ALU64_IMM(BPF_RSH, R1, 2)),
VBOUNDS("sign-extended byte load", VB_UNBOUNDED,
	BPF64_LDX_MEMSX(BPF_B, R1, R0, 0),
	BPF64_ALU64_IMM(BPF_AND, R1, -193)),
VBOUNDS("32-bit arsh of unknown", VB_BIG_ACCESS,
	BPF64_ALU32_IMM(BPF_ARSH, R1, 26)),
VBOUNDS("endian swap loses bounds", VB_TOOBIG,
	BPF64_ALU64_IMM(BPF_AND, R1, 63),
	BPF64_ENDIAN(BPF_TO_BE, R1, 16)),
VBOUNDS("bounds via a spilled copy", VB_OK,
	BPF64_JMP_IMM(BPF_JGT, R1, 63, 5),
	BPF64_STX_MEM(BPF_DW, R10, R1, -16),
	BPF64_LDX_MEM(BPF_DW, R1, R10, -16),
	BPF64_MOV64_REG(R1, R1)),
VBOUNDS("jgt on a copy bounds the original (same id)", VB_OK,
	BPF64_MOV64_REG(R4, R1),
	BPF64_JMP_IMM(BPF_JGT, R4, 63, 2)),
/* a copy plus a constant is still linked to the original (Linux 6.10 on) */
VBOUNDS("copy plus 4 checked, original used", VB_OK,
	BPF64_ALU64_IMM(BPF_AND, R1, 0xff),
	BPF64_MOV64_REG(R3, R1),
	BPF64_ALU64_IMM(BPF_ADD, R3, 4),
	BPF64_JMP_IMM(BPF_JGT, R3, 67, 2)),
VBOUNDS("copy plus 4 checked one too high", VB_TOOBIG,
	BPF64_ALU64_IMM(BPF_AND, R1, 0xff),
	BPF64_MOV64_REG(R3, R1),
	BPF64_ALU64_IMM(BPF_ADD, R3, 4),
	BPF64_JMP_IMM(BPF_JGT, R3, 68, 2)),
VBOUNDS("32-bit copy plus 4 checked, original used", VB_OK,
	BPF64_ALU64_IMM(BPF_AND, R1, 0xff),
	BPF64_MOV32_REG(R3, R1),
	BPF64_ALU32_IMM(BPF_ADD, R3, 4),
	BPF64_JMP32_IMM(BPF_JGT, R3, 67, 2)),
VBOUNDS("original plus 4 checked through the copy", VB_OK,
	BPF64_ALU64_IMM(BPF_AND, R1, 0xff),
	BPF64_MOV64_REG(R3, R1),
	BPF64_ALU64_IMM(BPF_ADD, R1, 4),
	BPF64_JMP_IMM(BPF_JGT, R3, 59, 2)),
/*
 * A number stored in the stack and loaded back is still the same number:
 * a check of either bounds both (if it fits the store).
 */
VBOUNDS("u32 spill and fill, the fill checked", VB_OK,
	BPF64_ALU64_IMM(BPF_AND, R1, 0xff),
	BPF64_STX_MEM(BPF_W, R10, R1, -16),
	BPF64_LDX_MEM(BPF_W, R3, R10, -16),
	BPF64_JMP_IMM(BPF_JGT, R3, 63, 2)),
VBOUNDS("u32 spill of a wide number, the fill checked", REJECT, EINVAL,
	"makes map_value pointer be out of bounds",
	BPF64_MOV64_IMM(R4, 1),
	BPF64_ALU64_IMM(BPF_LSH, R4, 32),
	BPF64_ALU64_REG(BPF_OR, R1, R4),
	BPF64_STX_MEM(BPF_W, R10, R1, -16),
	BPF64_LDX_MEM(BPF_W, R3, R10, -16),
	BPF64_JMP_IMM(BPF_JGT, R3, 63, 2)),
VBOUNDS("u64 spill and fill, the fill checked", VB_OK,
	BPF64_STX_MEM(BPF_DW, R10, R1, -16),
	BPF64_LDX_MEM(BPF_DW, R3, R10, -16),
	BPF64_JMP_IMM(BPF_JGT, R3, 63, 2)),
/* links moved in 64 and in 32 bits teach each other nothing (Linux) */
VBOUNDS("a 64-bit moved copy checked, a 32-bit moved one used", VB_BIG_ACCESS,
	BPF64_MOV32_REG(R1, R1),
	BPF64_MOV32_REG(R3, R1),
	BPF64_ALU64_IMM(BPF_SUB, R3, 14),
	BPF64_ALU32_IMM(BPF_ADD, R1, 31),
	BPF64_JMP_IMM(BPF_JNE, R3, 15, 2)),
/* a copy of a moved copy starts a new link */
VBOUNDS("copy of a moved copy, moved again, checked", VB_OK,
	BPF64_ALU64_IMM(BPF_AND, R1, 0xff),
	BPF64_MOV64_REG(R3, R1),
	BPF64_ALU64_IMM(BPF_ADD, R3, 4),
	BPF64_MOV64_REG(R4, R3),
	BPF64_ALU64_IMM(BPF_ADD, R4, 4),
	BPF64_JMP_IMM(BPF_JGT, R4, 67, 2),
	BPF64_MOV64_REG(R1, R3)),
