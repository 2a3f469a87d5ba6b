/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rewrites after verification (kernel/bpf/fixup*.c), in the order of
 * Linux's bpf_check() after do_check():
 *
 *  - dead code: privileged programs lose the instructions the verifier
 *    never reached, conditional jumps one side of which was never taken
 *    become JA (Linux's opt_hard_wire_dead_code_branches), and the jumps
 *    that then lead to the next instruction go too (opt_remove_dead_code,
 *    opt_remove_nops); unprivileged ones get each unreached instruction
 *    replaced by a "ja -1" trap (sanitize_dead_code);
 *  - context accesses become the type's internal ones (ctx_rewrite.h);
 *  - helper calls the verifier pinned to one map are inlined where Linux
 *    inlines them (bpf_map_lookup_elem on an ARRAY map), for programs
 *    meant for the JIT only, as in Linux: interpreted, the inlined
 *    instructions cost more than the call;
 *  - 32-bit definitions get an explicit zero extension where the JIT asks
 *    for one and their upper half is read, or with BPF_F_TEST_RND_HI32 a
 *    random upper half where it is never read.
 *
 * All are collected in one patch set (patch.h) over the verified program
 * and applied in one linear pass: jumps and local calls keep their
 * targets.
 */
#ifndef _LINUX_BPF64_FIXUP_H
#define _LINUX_BPF64_FIXUP_H

#include <linux/bpf64/verifier.h>

struct bpf64_fixup_opts {
	bool jit;	/* the program is meant to be JITed (Linux's
			 * prog->jit_requested): inline helpers */
	bool unpriv;	/* dead code becomes traps; no inlining that would
			 * need Spectre v1 index masking */
	bool zext;	/* the JIT wants explicit zero extension
			 * (Linux's bpf_jit_needs_zext()) */
	bool rnd_hi32;	/* BPF_F_TEST_RND_HI32 */
};

/*
 * Rewrite @prog (prog->insns and prog->len; a new allocation replaces the
 * old one) with what the verifier learnt of it, @aux (prog->len entries,
 * from bpf64_verify_aux()).  Call it once, after verification and before
 * bpf64_interp_prepare().  0, or with "insn N: why" in @log (N an index
 * before rewriting):
 *   -EINVAL  a type whose context rewrite is misconfigured
 *   -E2BIG, -ERANGE from the patcher, -ENOMEM.
 */
int bpf64_fixup(struct bpf64_prog *prog, const struct bpf64_insn_aux *aux,
		const struct bpf64_fixup_opts *opts, struct bpf64_log *log);

#endif /* _LINUX_BPF64_FIXUP_H */
