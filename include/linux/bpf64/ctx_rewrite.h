/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Context accesses rewritten at load (kernel/bpf/ctx_rewrite.c).
 *
 * A program reads and writes its context as the UAPI struct of its type
 * (struct __sk_buff, ...), but runs on the type's internal struct.  The
 * verifier records, for each load and store it proved to go to the
 * context, what the type's is_valid_access() said (struct
 * bpf64_insn_aux); after verification (kernel/bpf/fixup.c) each is
 * replaced by what the type's convert_ctx_access() gives, with Linux's
 * narrow-load handling, as Linux's convert_ctx_accesses() does.
 */
#ifndef _LINUX_BPF64_CTX_REWRITE_H
#define _LINUX_BPF64_CTX_REWRITE_H

#include <linux/bpf64/prog.h>

/* Room the instructions of one converted access need. */
#define BPF64_CTX_PATCH_BUF	(BPF64_MAX_CTX_PATCH + 3)	/* + shift, mask, movsx */

/*
 * The instructions that replace the context access @insn (LDX, ST or STX
 * at index @idx, for the log), verified with @info, in @buf: their count,
 * or 0 if the access stays as it is.  -EINVAL, with "insn N: why" in
 * @log, for a type whose rewrite is misconfigured (a narrow access it
 * cannot widen, a conversion that is not plain straight-line code).
 */
int bpf64_ctx_convert(const struct bpf64_prog *prog,
		      const struct bpf_insn *insn,
		      const struct bpf64_ctx_access *info, u32 idx,
		      struct bpf_insn *buf, struct bpf64_log *log);

#endif /* _LINUX_BPF64_CTX_REWRITE_H */
