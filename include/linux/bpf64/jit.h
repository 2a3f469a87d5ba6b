/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The native-code JIT (arch/x86/net/bpf_jit_comp.c for x86-64).
 *
 * A program's instructions become one image of native code, run by
 * bpf64_jit_run() with the run's r1..r5, packet (LD_ABS / LD_IND) and tail
 * call state: BPF's registers map onto x86-64's as in Linux's JIT.  The
 * image lives in memory that is writable while it is emitted and only
 * readable and executable afterwards, never both.
 *
 * The image runs without any checks: only programs whose safety was proven
 * (the verifier, or Linux's verifier for the differential tests) may run.
 */
#ifndef _LINUX_BPF64_JIT_H
#define _LINUX_BPF64_JIT_H

#include <linux/bpf64/platform.h>
#include <linux/bpf64/insn.h>
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

/*
 * Constant blinding, as Linux's bpf_jit_blind_constants(): no 32-bit
 * immediate of the program appears in the image.
 */
#define BPF64_JIT_F_BLIND	(1U << 0)
/* No BMI2 even where the CPU has it (tests of the fallback). */
#define BPF64_JIT_F_NO_BMI2	(1U << 1)
/*
 * Jumps kept off 32-byte boundaries even where the CPU has no JCC erratum
 * (tests of the padding).
 */
#define BPF64_JIT_F_JCC_PAD	(1U << 2)

/*
 * Compile @prog to native code.  Returns 0 with the image in *imgp, or
 * -EOPNOTSUPP for what the JIT does not do (callx, kfuncs, may_goto, an
 * unsupported flag, no executable memory), -EINVAL for helpers the program's type lacks,
 * -ENOMEM, or blinding's -E2BIG / -ERANGE; the reason is in @log as
 * "insn N: ..." (N counts the blinded program's instructions when
 * blinding).
 */
int bpf64_jit_compile(const struct bpf64_prog *prog, u32 flags,
		      struct bpf64_log *log, struct bpf64_jit_image **imgp);

/*
 * Run the image with r1..r5 = run->args and run->pkt* for LD_ABS / LD_IND;
 * returns r0.  Tail calls count in run->tail_calls and hold their programs
 * in run->tail_progs until the run ends.
 */
u64 bpf64_jit_run(const struct bpf64_jit_image *img, struct bpf64_run *run);

/* The native code and its length in bytes (for disassembly, scans). */
const u8 *bpf64_jit_code(const struct bpf64_jit_image *img, u32 *len);

void bpf64_jit_image_free(struct bpf64_jit_image *img);

/*
 * Constant blinding (kernel/bpf/jit_blind.c): @insns rewritten into a new
 * allocation (*out, *out_len; free with bpf64_free()) in which every
 * instruction with a user immediate gets it through BPF64_REG_AX, XORed
 * with a fresh random key.  0, -ENOMEM, -E2BIG or -ERANGE (a jump that no
 * longer fits, as Linux) with the reason in @log.
 */
int bpf64_jit_blind(const struct bpf_insn *insns, u32 len,
		    struct bpf_insn **out, u32 *out_len, struct bpf64_log *log);

#endif /* _LINUX_BPF64_JIT_H */
