/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A thin wrapper of the running kernel's bpf(2), so that tests and
 * benchmarks can ask Linux itself: does its verifier accept this program,
 * what does it return, how fast does its JIT run it.
 *
 * Every function returns a non-negative value on success and -errno on
 * failure; none of them prints, aborts or exits.  bpf() is often refused
 * (not root, kernel.unprivileged_bpf_disabled, seccomp in a container), so
 * callers are expected to call linux_bpf_probe() first and to report their
 * checks as skipped when it fails.
 */
#ifndef _BPF64_LINUX_BPF_H
#define _BPF64_LINUX_BPF_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>

/*
 * Can this process load and run programs?  Loads the smallest socket
 * filter there is ("r0 = 0; exit") and closes it.  Returns 0, or -EPERM
 * (refused), -ENOSYS (no bpf() at all) or whatever else the kernel said.
 * The answer is remembered: later calls cost nothing.
 */
int linux_bpf_probe(void);

/* How to load a program; zero-initialise and fill what matters. */
struct linux_bpf_load_opts {
	__u32 prog_type;		/* enum bpf_prog_type */
	__u32 prog_flags;		/* BPF_F_SLEEPABLE, ... */
	__u32 expected_attach_type;
	const char *name;		/* NULL: unnamed; truncated to 15 chars */
	const char *license;		/* NULL: "GPL" */
	/*
	 * The verifier's log.  With log_level 0 the kernel writes nothing
	 * (and the buffer is not passed), which is the cheapest way to ask
	 * for a verdict; with level 1 or 2
	 * it keeps the last log_size - 1 bytes (Linux >= 6.4 rotates the
	 * log) and fails the load with -ENOSPC if they did not all fit.
	 */
	char *log_buf;
	__u32 log_size;
	__u32 log_level;
};

/*
 * BPF_PROG_LOAD.  Returns the program's file descriptor or -errno
 * (-EACCES / -EINVAL: the verifier said no, see the log).
 */
int linux_bpf_prog_load(const struct bpf_insn *insns, __u32 insn_cnt,
			const struct linux_bpf_load_opts *opts);

/* One BPF_PROG_TEST_RUN; zero-initialise and fill what the type needs. */
struct linux_bpf_test_run {
	const void *data_in;
	__u32 data_size_in;
	void *data_out;			/* NULL: not wanted */
	__u32 data_size_out;		/* in: capacity; out: bytes written */
	/*
	 * The context.  Most program types copy it in and leave it alone;
	 * BPF_PROG_TYPE_SYSCALL copies the context back into ctx_in after
	 * the run, which is why it is not const.
	 */
	void *ctx_in;
	__u32 ctx_size_in;
	void *ctx_out;
	__u32 ctx_size_out;		/* in: capacity; out: bytes written */
	__u32 repeat;			/* 0 or 1: one run */
	__u32 flags;			/* BPF_F_TEST_RUN_ON_CPU, ... */
	__u32 cpu;
	/* results */
	__u32 retval;			/* the program's r0, truncated to 32 bits */
	__u32 duration;			/* mean ns per run (types that time) */
};

/* BPF_PROG_TEST_RUN.  Returns 0 or -errno. */
int linux_bpf_prog_test_run(int prog_fd, struct linux_bpf_test_run *run);

/* Close a descriptor linux_bpf_prog_load() returned.  Returns 0 or -errno. */
int linux_bpf_close(int fd);

/*
 * The last @lines lines of a verifier log, for reports: a pointer into
 * @log (never NULL).  Trailing newlines are not counted as lines.
 */
const char *linux_bpf_log_tail(const char *log, unsigned int lines);

#endif /* _BPF64_LINUX_BPF_H */
