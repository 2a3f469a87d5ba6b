/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The disassembler, and the mnemonic tables the assembler
 * (tools/lib/bpf64/asm.c) shares with it so that both read one spelling.
 */
#ifndef _LINUX_BPF64_DISASM_H
#define _LINUX_BPF64_DISASM_H

#include <linux/bpf64/platform.h>

enum bpf64_disasm_style {
	/*
	 * The bpf_conformance suite's assembly ("mov %r0, 1").  Jump and
	 * call targets print as relative offsets ("+3"), so the text
	 * reassembles to the very same bytes.
	 */
	BPF64_DISASM_ASM,
	/*
	 * Linux's verifier log ("r0 = 1", "if r1 > 0x5 goto pc+3", "call
	 * bpf_map_lookup_elem#1"), without the "(b7) " opcode prefix.  Where
	 * Linux prints nothing useful we follow LLVM ("callx r2") or bpftool
	 * ("r1 = map[fd:3]", "r1 = subprog[+2]").
	 */
	BPF64_DISASM_KERNEL,
};

/*
 * Format the instruction at insns[idx] into buf (always NUL-terminated,
 * truncated to size).  Returns the number of slots it takes (1, or 2 for
 * LD_IMM64), or -EINVAL if it cannot be decoded: unknown opcode, a field
 * the instruction does not use set to non-zero, LD_IMM64 truncated by len.
 * On -EINVAL buf holds the reason instead.  Never reads insns[len] or later.
 *
 * Decoding is about what the bytes say, not whether a program may run
 * them: "mov %r10, 1" decodes, bpf64_check_insn() is what rejects it.
 */
int bpf64_disasm_insn(const struct bpf_insn *insns, u32 len, u32 idx,
		      enum bpf64_disasm_style style, char *buf, size_t size);

/*
 * Mnemonic tables of the assembly syntax, indexed as the opcode fields are.
 * A NULL entry is a value with no mnemonic of that kind.
 */
extern const char *const bpf64_alu_names[16];	 /* BPF_OP >> 4: "add".. */
extern const char *const bpf64_alu_signed_names[16]; /* off 1: "sdiv" */
extern const char *const bpf64_jmp_names[16];	 /* conditional: "jeq".. */
extern const char *const bpf64_size_names[4];	 /* BPF_SIZE >> 3: "w".. */
extern const char *const bpf64_atomic_names[16]; /* (imm & 0xf0) >> 4 */

/* "lddw %r1, map_value 3, 16": LD_IMM64 src_reg kinds by number. */
#define BPF64_LD_PSEUDO_MAX	6	/* BPF_PSEUDO_MAP_IDX_VALUE */
extern const char *const bpf64_ld_pseudo_names[BPF64_LD_PSEUDO_MAX + 1];

#endif /* _LINUX_BPF64_DISASM_H */
