/* SPDX-License-Identifier: GPL-2.0 */
/* Context accesses rewritten to a program type's internal layout at load. */
#ifndef _LINUX_BPF64_CTX_REWRITE_H
#define _LINUX_BPF64_CTX_REWRITE_H

#include <linux/bpf64/prog.h>

int bpf64_rewrite_ctx(struct bpf64_prog *prog, struct bpf64_log *log);

#endif /* _LINUX_BPF64_CTX_REWRITE_H */
