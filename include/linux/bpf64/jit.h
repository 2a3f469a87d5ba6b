/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The native-code JIT (arch/x86/net/bpf_jit_comp.c for x86-64).
 *
 * A program's instructions become one image of native code, laid out as a
 * C function u64 fn(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5): BPF's registers
 * map onto x86-64's as in Linux's JIT, so the arguments arrive where BPF
 * wants them.  The image lives in memory that is writable while it is
 * emitted and only readable and executable afterwards, never both.
 *
 * The image runs without any checks: only programs whose safety was proven
 * (the verifier, or Linux's verifier for the differential tests) may run.
 */
#ifndef _LINUX_BPF64_JIT_H
#define _LINUX_BPF64_JIT_H

#include <linux/bpf64/platform.h>
#include <linux/bpf64/log.h>
#include <linux/bpf64/prog.h>

struct bpf64_jit_image;

/*
 * The knobs of Linux's net.core.bpf_jit_enable and bpf_jit_harden: loading
 * JITs verified programs when bpf64_jit_enable is set (the default where a
 * JIT exists), and blinds their constants when bpf64_jit_harden is.
 */
extern int bpf64_jit_enable;
extern int bpf64_jit_harden;

#define BPF64_JIT_F_BLIND	(1U << 0)	/* constant blinding */

/*
 * Compile @prog to native code.  Returns 0 with the image in *imgp, or
 * -EOPNOTSUPP for what the JIT does not do (callx, kfuncs, an
 * unsupported flag), -EINVAL for helpers the program's type lacks,
 * -ENOMEM; the reason is in @log as "insn N: ...".
 */
int bpf64_jit_compile(const struct bpf64_prog *prog, u32 flags,
		      struct bpf64_log *log, struct bpf64_jit_image **imgp);

/* Run the image with r1..r5 = @args; returns r0. */
u64 bpf64_jit_run(const struct bpf64_jit_image *img, const u64 args[5]);

/* The native code and its length in bytes (for disassembly, scans). */
const u8 *bpf64_jit_code(const struct bpf64_jit_image *img, u32 *len);

void bpf64_jit_image_free(struct bpf64_jit_image *img);

#endif /* _LINUX_BPF64_JIT_H */
