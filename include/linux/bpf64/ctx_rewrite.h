/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Context accesses rewritten at load (kernel/bpf/ctx_rewrite.c).
 *
 * A program reads and writes its context as the UAPI struct of its type
 * (struct __sk_buff, ...), but runs on the type's internal struct.  Before
 * the program is prepared, each load and store through the context pointer
 * is checked with the type's is_valid_access() and replaced by what its
 * convert_ctx_access() says, with Linux's narrow-load handling.
 */
#ifndef _LINUX_BPF64_CTX_REWRITE_H
#define _LINUX_BPF64_CTX_REWRITE_H

#include <linux/bpf64/prog.h>

/*
 * Rewrite prog->insns and prog->len in place (a new allocation replaces
 * the old one); call it before bpf64_interp_prepare().  A type without
 * is_valid_access leaves its programs alone.  Returns 0 or, with
 * "insn N: why" in @log (N an index before rewriting):
 *   -EACCES  an access Linux's verifier refuses: a field the type does
 *            not offer ("invalid bpf_context access off=%d size=%d"),
 *            through a modified or variable ctx pointer, through ctx or a
 *            scalar depending on the path, an atomic on the context
 *   -EINVAL  through ctx or another pointer depending on the path ("same
 *            insn cannot be used with different pointers"), or a type
 *            whose rewrite is misconfigured
 *   -E2BIG, -ERANGE from the patcher, -ENOMEM.
 */
int bpf64_rewrite_ctx(struct bpf64_prog *prog, struct bpf64_log *log);

#endif /* _LINUX_BPF64_CTX_REWRITE_H */
