/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Program objects and how they run.
 *
 * A program is created from raw instructions that passed bpf64_check_insns().
 * It runs in the interpreter in one of two modes, chosen when it is prepared:
 *
 *  - BPF64_RUN_CHECKED, for programs no verifier has seen: every memory access
 *    is checked against the regions the caller gave the run (plus the stack),
 *    executed instructions are counted against a budget and local calls
 *    against BPF64_MAX_CALL_FRAMES.  A violation stops the run with a fault
 *    that names the instruction; it never touches memory outside the regions.
 *  - BPF64_RUN_TRUSTED, for programs whose safety was proven (by the verifier,
 *    or by Linux's verifier in the differential tests): no checks at all.
 */
#ifndef _LINUX_BPF64_PROG_H
#define _LINUX_BPF64_PROG_H

#include <linux/bpf64/platform.h>
#include <linux/bpf64/log.h>

typedef u64 (*bpf64_helper_fn)(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5);

struct bpf64_helper {
	const char *name;
	bpf64_helper_fn fn;
};

/* What a program type offers its programs. */
struct bpf64_prog_ops {
	const char *name;
	/* The helper with Linux's id @id, or NULL if this type lacks it. */
	const struct bpf64_helper *(*get_helper)(u32 id);
};

enum bpf64_run_mode {
	BPF64_RUN_CHECKED,
	BPF64_RUN_TRUSTED,
};

struct bpf64_interp_image;

struct bpf64_prog {
	u32 len;				/* instructions */
	const struct bpf64_prog_ops *ops;
	struct bpf_insn *insns;
	struct bpf64_interp_image *interp;	/* threaded code, once prepared */
};

/* A piece of memory a checked run may touch, besides its stack. */
struct bpf64_region {
	u64 start;
	u64 size;
	bool writable;
};

#define BPF64_RUN_MAX_REGIONS	4
#define BPF64_RUN_DEFAULT_BUDGET (1ULL << 26)	/* executed instructions */

/* Why a run stopped early. err is 0 when it did not. */
struct bpf64_fault {
	int err;		/* -EFAULT memory, -ELOOP budget, -E2BIG frames,
				 * -ENOENT unknown helper */
	u32 insn;		/* index of the instruction that faulted */
	u64 addr;		/* -EFAULT: the address; -ENOENT: the helper id */
	u32 size;		/* -EFAULT: access size in bytes */
	bool write;		/* -EFAULT: a store */
	bool misaligned;	/* -EFAULT: an atomic off its natural alignment */
};

struct bpf64_run {
	u64 args[5];		/* r1..r5 on entry */
	const u8 *pkt;		/* what LD_ABS / LD_IND read */
	u32 pkt_len;
	/* checked mode only */
	struct bpf64_region regions[BPF64_RUN_MAX_REGIONS];
	u32 nr_regions;
	u64 budget;		/* 0: BPF64_RUN_DEFAULT_BUDGET */
	/* results */
	u64 executed;		/* checked mode: instructions executed */
	struct bpf64_fault fault;
};

int bpf64_prog_create(struct bpf64_prog **progp, const struct bpf_insn *insns,
		      u32 len, const struct bpf64_prog_ops *ops,
		      struct bpf64_log *log);
void bpf64_prog_free(struct bpf64_prog *prog);

/* Build the interpreter's threaded code for @mode (kernel/bpf/interp.c). */
int bpf64_interp_prepare(struct bpf64_prog *prog, enum bpf64_run_mode mode,
			 struct bpf64_log *log);

/*
 * Run a prepared program.  Returns 0 with r0 in *r0, or the fault's error
 * (also in run->fault).  In trusted mode it cannot fault.
 */
int bpf64_interp_run(const struct bpf64_prog *prog, struct bpf64_run *run,
		     u64 *r0);

/* Say what a fault was, as "insn N: ..." in the log. */
void bpf64_fault_log(const struct bpf64_fault *fault, struct bpf64_log *log);

#endif /* _LINUX_BPF64_PROG_H */
