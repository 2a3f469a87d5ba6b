/* SPDX-License-Identifier: GPL-2.0 */
/*
 * progen: a seeded generator of random programs that Linux's verifier
 * accepts, for differential testing (test_difftest.c).
 *
 * The same seed gives the same program and the same context bytes on every
 * machine: the generator has its own PRNG (xoshiro256** seeded through
 * splitmix64) and never looks at the host.
 *
 * The programs are BPF_PROG_TYPE_SYSCALL programs (load them with
 * BPF_F_SLEEPABLE): r1 is the context, plain memory of ctx_size bytes
 * that the caller prefills with progen_fill() and reads back afterwards.
 *
 *   prologue  every stack byte the program uses is written, so that no
 *             run ever depends on uninitialised memory: the atomics'
 *             area (the top PROGEN_ATOMIC_SIZE bytes) with context bytes,
 *             the rest with constants; r0, r2-r9 get constants (mov,
 *             mov32, lddw)
 *   body      ALU and ALU32 operations of every opcode, loads from the
 *             context, loads and stores of every size on the stack and
 *             the context, atomics on the stack, forward conditional
 *             jumps of every condition, if/else with JA or gotol, and
 *             bounded loops counted in r9, which the body never writes
 *   epilogue  r0 and r2-r9 are stored to the context at
 *             PROGEN_OUT_OFF(reg); exit
 *
 * r1 is never written and r10 is only used as a base, so every memory
 * access has a constant offset from one of them.
 */
#ifndef _BPF64_PROGEN_H
#define _BPF64_PROGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <linux/bpf.h>

#define PROGEN_BODY_LEN		96	/* default body length, instructions */
#define PROGEN_CTX_SIZE		256	/* default context size, bytes */
#define PROGEN_STACK_SIZE	64	/* default stack use, bytes */
/* Longer bodies start to exceed the verifier's budget of 1M instructions. */
#define PROGEN_MAX_BODY_LEN	2048
#define PROGEN_MAX_TRIPS	6	/* iterations of one loop, at most */
/* Stack bytes below r10 that only atomics write; see progen.c. */
#define PROGEN_ATOMIC_SIZE	16

/* The loop counter: only loop heads and tails write it. */
#define PROGEN_REG_LOOP		BPF_REG_9

/* Where the epilogue stores r0 and r2..r9 in the context. */
#define PROGEN_OUT_OFF(reg)	((reg) == BPF_REG_0 ? 0 : ((reg) - 1) * 8)
#define PROGEN_OUT_SIZE		PROGEN_OUT_OFF(BPF_REG_9 + 1)

struct progen_rng {
	__u64 s[4];
};

void progen_rng_seed(struct progen_rng *rng, __u64 seed);
__u64 progen_rng_next(struct progen_rng *rng);
/* Uniform in [0, n); n > 0. */
__u32 progen_rng_below(struct progen_rng *rng, __u32 n);

struct progen_opts {
	__u32 body_len;		/* body instructions, roughly */
	__u32 ctx_size;		/* multiple of 8, >= PROGEN_OUT_SIZE, < 65535 */
	__u32 stack_size;	/* multiple of 8, 2 * PROGEN_ATOMIC_SIZE..512 */
	/*
	 * Also generate what Linux 6.18's verifier gets wrong (progen.c
	 * says what), to show it: such programs do not make an oracle.
	 */
	bool linux_bugs;
};

struct progen_prog {
	struct bpf_insn *insns;
	__u32 len;
	__u32 cap;
	/* Context bytes the program may touch: run it with at least this. */
	__u32 ctx_size;
	__u32 stack_size;
	/* insns[0..prologue_len) set registers and fill the stack. */
	__u32 prologue_len;
	/* What went in, for reports. */
	__u32 nr_branches;
	__u32 nr_loops;
};

void progen_default_opts(struct progen_opts *opts);

/*
 * Generate the program for @seed into @prog (which must be zeroed or
 * released before).  @opts may be NULL for the defaults.  Returns 0,
 * -EINVAL for bad options or -ENOMEM.
 */
int progen_generate(struct progen_prog *prog, __u64 seed,
		    const struct progen_opts *opts);
void progen_release(struct progen_prog *prog);

/* The context bytes that go with @seed's program. */
void progen_fill(void *buf, size_t len, __u64 seed);

#endif /* _BPF64_PROGEN_H */
