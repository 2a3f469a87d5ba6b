/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Instruction builders for tests: compound literals of struct bpf_insn,
 * usable in array initialisers and as expressions.
 *
 * Linux keeps its BPF_ALU64_IMM() family in a kernel-internal header
 * (include/linux/filter.h), so userspace gets its own, with a BPF64_
 * prefix so that the two can never be confused.  Operands are in the
 * order the instruction is read: destination first.
 */
#ifndef _BPF64_INSN_BUILD_H
#define _BPF64_INSN_BUILD_H

/* struct bpf_insn, the opcodes, and those newer than the UAPI header */
#include <linux/bpf64/platform.h>

#define BPF64_RAW_INSN(CODE, DST, SRC, OFF, IMM)			\
	((struct bpf_insn) {						\
		.code = (CODE),						\
		.dst_reg = (DST),					\
		.src_reg = (SRC),					\
		.off = (OFF),						\
		.imm = (IMM) })

/* ALU: dst = dst OP src / imm, 64-bit or 32-bit (which zero-extends). */
#define BPF64_ALU64_REG(OP, DST, SRC)					\
	BPF64_RAW_INSN(BPF_ALU64 | BPF_OP(OP) | BPF_X, DST, SRC, 0, 0)
#define BPF64_ALU32_REG(OP, DST, SRC)					\
	BPF64_RAW_INSN(BPF_ALU | BPF_OP(OP) | BPF_X, DST, SRC, 0, 0)
#define BPF64_ALU64_IMM(OP, DST, IMM)					\
	BPF64_RAW_INSN(BPF_ALU64 | BPF_OP(OP) | BPF_K, DST, 0, 0, IMM)
#define BPF64_ALU32_IMM(OP, DST, IMM)					\
	BPF64_RAW_INSN(BPF_ALU | BPF_OP(OP) | BPF_K, DST, 0, 0, IMM)

/* Signed division and modulo (cpu v4): BPF_DIV / BPF_MOD with off 1. */
#define BPF64_SDIV64_REG(DST, SRC)					\
	BPF64_RAW_INSN(BPF_ALU64 | BPF_DIV | BPF_X, DST, SRC, 1, 0)
#define BPF64_SDIV64_IMM(DST, IMM)					\
	BPF64_RAW_INSN(BPF_ALU64 | BPF_DIV | BPF_K, DST, 0, 1, IMM)
#define BPF64_SMOD64_REG(DST, SRC)					\
	BPF64_RAW_INSN(BPF_ALU64 | BPF_MOD | BPF_X, DST, SRC, 1, 0)
#define BPF64_SMOD64_IMM(DST, IMM)					\
	BPF64_RAW_INSN(BPF_ALU64 | BPF_MOD | BPF_K, DST, 0, 1, IMM)

#define BPF64_MOV64_REG(DST, SRC)	BPF64_ALU64_REG(BPF_MOV, DST, SRC)
#define BPF64_MOV32_REG(DST, SRC)	BPF64_ALU32_REG(BPF_MOV, DST, SRC)
#define BPF64_MOV64_IMM(DST, IMM)	BPF64_ALU64_IMM(BPF_MOV, DST, IMM)
#define BPF64_MOV32_IMM(DST, IMM)	BPF64_ALU32_IMM(BPF_MOV, DST, IMM)

/* Sign-extending moves (cpu v4): BITS is 8, 16 or 32 (64-bit only). */
#define BPF64_MOVSX64_REG(DST, SRC, BITS)				\
	BPF64_RAW_INSN(BPF_ALU64 | BPF_MOV | BPF_X, DST, SRC, BITS, 0)
#define BPF64_MOVSX32_REG(DST, SRC, BITS)				\
	BPF64_RAW_INSN(BPF_ALU | BPF_MOV | BPF_X, DST, SRC, BITS, 0)

#define BPF64_NEG64(DST)	BPF64_ALU64_IMM(BPF_NEG, DST, 0)
#define BPF64_NEG32(DST)	BPF64_ALU32_IMM(BPF_NEG, DST, 0)

/* Byte order: TYPE is BPF_TO_LE or BPF_TO_BE, BITS 16, 32 or 64. */
#define BPF64_ENDIAN(TYPE, DST, BITS)					\
	BPF64_RAW_INSN(BPF_ALU | BPF_END | (TYPE), DST, 0, 0, BITS)
/* Unconditional byte swap (cpu v4). */
#define BPF64_BSWAP(DST, BITS)						\
	BPF64_RAW_INSN(BPF_ALU64 | BPF_END | BPF_TO_LE, DST, 0, 0, BITS)

/* dst = imm64: two slots, so it expands to two initialisers. */
#define BPF64_LD_IMM64(DST, IMM)					\
	BPF64_RAW_INSN(BPF_LD | BPF_DW | BPF_IMM, DST, 0, 0,		\
		       (__u32)(__u64)(IMM)),				\
	BPF64_RAW_INSN(0, 0, 0, 0, (__u32)((__u64)(IMM) >> 32))

/* dst = the map behind FD (BPF_PSEUDO_MAP_FD), resolved at load. */
#define BPF64_LD_MAP_FD(DST, FD)					\
	BPF64_RAW_INSN(BPF_LD | BPF_DW | BPF_IMM, DST, BPF_PSEUDO_MAP_FD, 0, FD), \
	BPF64_RAW_INSN(0, 0, 0, 0, 0)
/* dst = &value[OFF] of the array map behind FD (BPF_PSEUDO_MAP_VALUE). */
#define BPF64_LD_MAP_VALUE(DST, FD, OFF)				\
	BPF64_RAW_INSN(BPF_LD | BPF_DW | BPF_IMM, DST, BPF_PSEUDO_MAP_VALUE, 0, FD), \
	BPF64_RAW_INSN(0, 0, 0, 0, OFF)

/* Memory: SIZE is BPF_B, BPF_H, BPF_W or BPF_DW. */
#define BPF64_LDX_MEM(SIZE, DST, SRC, OFF)				\
	BPF64_RAW_INSN(BPF_LDX | BPF_SIZE(SIZE) | BPF_MEM, DST, SRC, OFF, 0)
#define BPF64_LDX_MEMSX(SIZE, DST, SRC, OFF)				\
	BPF64_RAW_INSN(BPF_LDX | BPF_SIZE(SIZE) | BPF_MEMSX, DST, SRC, OFF, 0)
#define BPF64_STX_MEM(SIZE, DST, SRC, OFF)				\
	BPF64_RAW_INSN(BPF_STX | BPF_SIZE(SIZE) | BPF_MEM, DST, SRC, OFF, 0)
#define BPF64_ST_MEM(SIZE, DST, OFF, IMM)				\
	BPF64_RAW_INSN(BPF_ST | BPF_SIZE(SIZE) | BPF_MEM, DST, 0, OFF, IMM)

/*
 * Atomics: SIZE is BPF_W or BPF_DW; OP is BPF_ADD, BPF_AND, BPF_OR or
 * BPF_XOR (optionally | BPF_FETCH), BPF_XCHG or BPF_CMPXCHG.
 */
#define BPF64_ATOMIC_OP(SIZE, OP, DST, SRC, OFF)			\
	BPF64_RAW_INSN(BPF_STX | BPF_SIZE(SIZE) | BPF_ATOMIC, DST, SRC, OFF, OP)

/* Jumps: to pc + 1 + OFF. */
#define BPF64_JMP_REG(OP, DST, SRC, OFF)				\
	BPF64_RAW_INSN(BPF_JMP | BPF_OP(OP) | BPF_X, DST, SRC, OFF, 0)
#define BPF64_JMP_IMM(OP, DST, IMM, OFF)				\
	BPF64_RAW_INSN(BPF_JMP | BPF_OP(OP) | BPF_K, DST, 0, OFF, IMM)
#define BPF64_JMP32_REG(OP, DST, SRC, OFF)				\
	BPF64_RAW_INSN(BPF_JMP32 | BPF_OP(OP) | BPF_X, DST, SRC, OFF, 0)
#define BPF64_JMP32_IMM(OP, DST, IMM, OFF)				\
	BPF64_RAW_INSN(BPF_JMP32 | BPF_OP(OP) | BPF_K, DST, 0, OFF, IMM)
#define BPF64_JMP_A(OFF)						\
	BPF64_RAW_INSN(BPF_JMP | BPF_JA, 0, 0, OFF, 0)
/* The long jump (cpu v4): its offset is in imm, 32 bits wide. */
#define BPF64_GOTOL(IMM)						\
	BPF64_RAW_INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, IMM)

/* Calls: a helper by id, or a local function at pc + 1 + OFF. */
#define BPF64_CALL_HELPER(ID)						\
	BPF64_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, ID)
#define BPF64_CALL_REL(OFF)						\
	BPF64_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, OFF)

#define BPF64_EXIT_INSN()						\
	BPF64_RAW_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

#endif /* _BPF64_INSN_BUILD_H */
