/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The assembler for the bpf_conformance suite's syntax: what the suite's
 * own assembler reads, to the same bytes, plus a little it cannot spell
 * (see the syntax summary at the top of asm.c).
 */
#ifndef _BPF64_ASM_H
#define _BPF64_ASM_H

#include <linux/bpf64/platform.h>

/*
 * Assemble text (NUL-terminated) into a malloc'ed array of instructions,
 * LD_IMM64 taking two.  Returns 0 with *insnsp (free() it; never NULL, even
 * for an empty program) and *lenp set, or -EINVAL with "line N: problem"
 * in err, or -ENOMEM.  err may be NULL; it is always NUL-terminated.
 */
int bpf64_asm(const char *text, struct bpf_insn **insnsp, u32 *lenp,
	      char *err, size_t err_size);

#endif /* _BPF64_ASM_H */
