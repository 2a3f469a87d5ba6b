/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Facts about raw instructions (struct bpf_insn from the Linux UAPI) that
 * every stage shares: limits, predicates, and the structural check that a
 * program must pass before anything runs, disassembles or verifies it.
 */
#ifndef _LINUX_BPF64_INSN_H
#define _LINUX_BPF64_INSN_H

#include <linux/bpf64/platform.h>
#include <linux/bpf64/log.h>

#define BPF64_MAX_INSNS		1000000	/* BPF_COMPLEXITY_LIMIT_INSNS */
#define BPF64_MAX_STACK		512	/* bytes of stack per program */
#define BPF64_MAX_CALL_FRAMES	8
#define BPF64_NR_REGS		MAX_BPF_REG	/* r0..r10 */
#define BPF64_REG_FP		BPF_REG_10

/*
 * What only rewrites after verification produce, never a program, as
 * Linux's BPF_REG_AX and BPF_ST | BPF_NOSPEC: a scratch register r11
 * (constant blinding, Spectre masking) and a speculation barrier.
 */
#define BPF64_REG_AX		MAX_BPF_REG
#define BPF64_NOSPEC		0xc0	/* mode of BPF_ST */

/* BPF_SDIV / BPF_SMOD are BPF_DIV / BPF_MOD with off == 1 (cpu v4). */
#define BPF64_OFF_SIGNED	1

static inline bool bpf64_is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* Bytes moved by a load or store of BPF_SIZE(code). */
static inline u32 bpf64_size_bytes(u8 code)
{
	static const u8 bytes[] = { 4, 2, 1, 8 };	/* W, H, B, DW */

	return bytes[BPF_SIZE(code) >> 3];
}

static inline bool bpf64_is_jmp_class(u8 code)
{
	return BPF_CLASS(code) == BPF_JMP || BPF_CLASS(code) == BPF_JMP32;
}

/*
 * Is this a jump (conditional, JA or gotol) whose target is pc + 1 + the
 * returned offset?  Calls and exits are not.
 */
bool bpf64_insn_jump_offset(const struct bpf_insn *insn, s32 *off);

/*
 * The check every program passes before it is used: known opcodes, valid
 * registers, reserved fields zero, jumps and local calls inside the program
 * and never into the second half of LD_IMM64, a last instruction that is
 * EXIT or JA, between 1 and BPF64_MAX_INSNS instructions.  On failure logs
 * "insn N: reason" and returns -EINVAL (-E2BIG for an oversized program).
 */
int bpf64_check_insns(const struct bpf_insn *insns, u32 len,
		      struct bpf64_log *log);

/* Structural check of one instruction (first slot of LD_IMM64 included). */
int bpf64_check_insn(const struct bpf_insn *insn, char *why, size_t why_size);

#endif /* _LINUX_BPF64_INSN_H */
