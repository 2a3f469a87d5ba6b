/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * bpf64's additions to Linux's bpf() ABI.  Everything else (struct bpf_insn,
 * union bpf_attr, the commands, the opcodes) is Linux's own <linux/bpf.h>.
 */
#ifndef _UAPI_LINUX_BPF64_H
#define _UAPI_LINUX_BPF64_H

/*
 * BPF_PROG_TEST_RUN's attr->test.flags: run a KPROBE or TRACEPOINT program
 * on the context the caller gives in ctx_in (a struct pt_regs, or the raw
 * tracepoint record).  Linux has no test run for these types and answers
 * -ENOTSUPP; without this flag bpf64 answers the same.
 */
#define BPF64_F_TEST_RUN_TRACING	(1U << 31)

#endif /* _UAPI_LINUX_BPF64_H */
