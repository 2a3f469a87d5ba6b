/* SPDX-License-Identifier: GPL-2.0 */
/* The passes of kernel/bpf/fixup.c that live in files of their own. */
#ifndef _KERNEL_BPF_FIXUP_H
#define _KERNEL_BPF_FIXUP_H

#include <linux/bpf64/fixup.h>
#include <linux/bpf64/insn.h>

static inline struct bpf_insn fixup_insn(u8 code, u8 dst, u8 src, s16 off,
					 s32 imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst,
				  .src_reg = src, .off = off, .imm = imm };
}

/* fixup_zext.c */

/* The register whose lower 32 bits alone @insn defines, or -1. */
int fixup_def32(const struct bpf_insn *insn);

/*
 * Per instruction of @insns, in @zext_dst: does it define a register's
 * lower 32 bits (fixup_def32) whose upper half some path may then read as
 * part of a 64-bit value (Linux's zext_dst)?  Over every path of the
 * control-flow graph, so an over-approximation of Linux's answer, which
 * follows only the verified ones.  0 or -ENOMEM.
 */
int fixup_hi32_live(const struct bpf_insn *insns, u32 len, bool *zext_dst);

/* fixup_inline.c */

/* Room an inlined helper call needs. */
#define FIXUP_INLINE_MAX	8

/*
 * The instructions that replace helper call @insn, which the verifier
 * found with @aux, in @buf: their count, or 0 if the call stays.
 */
u32 fixup_inline_call(const struct bpf64_prog *prog,
		      const struct bpf_insn *insn,
		      const struct bpf64_insn_aux *aux, bool unpriv,
		      struct bpf_insn *buf);

#endif /* _KERNEL_BPF_FIXUP_H */
