// SPDX-License-Identifier: GPL-2.0
/*
 * The tracing program types and the raw one: what KPROBE and TRACEPOINT
 * programs may read of their context (checked at load, with Linux's
 * message, on both backends), their test runs (Linux has none: -ENOTSUPP;
 * bpf64 runs them on ctx_in with BPF64_F_TEST_RUN_TRACING), and the test
 * runs of BPF_PROG_TYPE_SYSCALL programs on both backends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf64/helpers.h>
#include <linux/bpf64/syscall.h>
#include <uapi/linux/bpf64.h>

#include "backend_util.h"
#include "insn_build.h"

#define ENOTSUPP	524	/* what bpf() returns; not in <errno.h> */

#define R0	BPF_REG_0
#define R1	BPF_REG_1
#define R2	BPF_REG_2
#define FP	BPF_REG_10

#define PT_REGS_SIZE	168	/* x86-64 struct pt_regs: 21 registers */
#define PT_REGS_AX	80	/* offsetof(struct pt_regs, ax) */

static char load_log[65536];

static int load(const struct bpf64_backend *be, __u32 type, __u32 flags,
		const struct bpf_insn *insns, __u32 len)
{
	struct bpf64_load_opts opts = {
		.prog_type = type,
		.prog_flags = flags,
		.log_buf = load_log,
		.log_size = sizeof(load_log),
	};

	return bpf64_prog_load(be, insns, len, &opts);
}

#define LOAD(be, type, flags, ...)					\
	({								\
		const struct bpf_insn __insns[] = { __VA_ARGS__ };	\
		load(be, type, flags, __insns,				\
		     sizeof(__insns) / sizeof(__insns[0]));		\
	})

static const char *type_name(__u32 type)
{
	return type == BPF_PROG_TYPE_KPROBE ? "kprobe" :
	       type == BPF_PROG_TYPE_TRACEPOINT ? "tracepoint" : "syscall";
}

/* A load of "r0 = *(SIZE *)(r1 + off)" (or a store) and its verdict. */
struct ctx_case {
	__u32 type;
	bool store;
	__u8 size;		/* BPF_B .. BPF_DW */
	__s16 off;
	const char *refusal;	/* NULL: accepted */
};

static const struct ctx_case ctx_cases[] = {
	{ BPF_PROG_TYPE_KPROBE, false, BPF_DW, 0 },
	{ BPF_PROG_TYPE_KPROBE, false, BPF_DW, PT_REGS_AX },
	{ BPF_PROG_TYPE_KPROBE, false, BPF_W, 4 },
	{ BPF_PROG_TYPE_KPROBE, false, BPF_B, PT_REGS_SIZE - 1 },
	{ BPF_PROG_TYPE_KPROBE, false, BPF_DW, PT_REGS_SIZE,
	  "invalid bpf_context access off=168 size=8" },
	{ BPF_PROG_TYPE_KPROBE, false, BPF_DW, -8,
	  "invalid bpf_context access off=-8 size=8" },
	{ BPF_PROG_TYPE_KPROBE, false, BPF_W, 2,
	  "invalid bpf_context access off=2 size=4" },
	{ BPF_PROG_TYPE_KPROBE, true, BPF_DW, 0,
	  "invalid bpf_context access off=0 size=8" },
	{ BPF_PROG_TYPE_TRACEPOINT, false, BPF_DW, 8 },
	{ BPF_PROG_TYPE_TRACEPOINT, false, BPF_H, 10 },
	{ BPF_PROG_TYPE_TRACEPOINT, false, BPF_DW, 8184 },
	{ BPF_PROG_TYPE_TRACEPOINT, false, BPF_DW, 0,
	  "invalid bpf_context access off=0 size=8" },
	{ BPF_PROG_TYPE_TRACEPOINT, false, BPF_W, 4,
	  "invalid bpf_context access off=4 size=4" },
	{ BPF_PROG_TYPE_TRACEPOINT, false, BPF_DW, 8192,
	  "invalid bpf_context access off=8192 size=8" },
	{ BPF_PROG_TYPE_TRACEPOINT, false, BPF_W, 10,
	  "invalid bpf_context access off=10 size=4" },
	{ BPF_PROG_TYPE_TRACEPOINT, true, BPF_DW, 8,
	  "invalid bpf_context access off=8 size=8" },
	{ BPF_PROG_TYPE_SYSCALL, false, BPF_B, 32767 },
	{ BPF_PROG_TYPE_SYSCALL, true, BPF_W, 8 },
	{ BPF_PROG_TYPE_SYSCALL, false, BPF_W, 2,
	  "invalid bpf_context access off=2 size=4" },
	{ BPF_PROG_TYPE_SYSCALL, false, BPF_W, -4,
	  "invalid bpf_context access off=-4 size=4" },
};

static int size_bytes(__u8 size)
{
	return size == BPF_B ? 1 : size == BPF_H ? 2 : size == BPF_W ? 4 : 8;
}

static void test_ctx_access(void)
{
	const struct bpf64_backend *be;
	const struct ctx_case *c;
	struct bpf_insn access;
	size_t i;
	int fd;

	for_each_backend(be) {
		for (i = 0; i < sizeof(ctx_cases) / sizeof(ctx_cases[0]); i++) {
			c = &ctx_cases[i];
			access = c->store ? BPF64_ST_MEM(c->size, R1, c->off, 0) :
					    BPF64_LDX_MEM(c->size, R0, R1, c->off);
			fd = LOAD(be, c->type,
				  c->type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0,
				  access, BPF64_MOV64_IMM(R0, 0), BPF64_EXIT_INSN());
			if (c->refusal)
				TU_CHECK(fd == -EACCES && strstr(load_log, c->refusal),
					 "%s: %s: a %d-byte %s at %d is refused: \"%s\" (%d)",
					 be->name, type_name(c->type), size_bytes(c->size),
					 c->store ? "store" : "load", c->off, c->refusal, fd);
			else
				TU_CHECK(fd >= 0,
					 "%s: %s: a %d-byte %s at %d is allowed (%d)",
					 be->name, type_name(c->type), size_bytes(c->size),
					 c->store ? "store" : "load", c->off, fd);
			if (fd >= 0)
				be->close(fd);
		}
	}
}

/* Linux has no test run for these types, whatever the flags say. */
static void test_run_not_supported(void)
{
	static const __u32 types[] = {
		BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_TRACEPOINT,
	};
	const struct bpf64_backend *be;
	struct bpf64_test_opts t;
	char ctx[PT_REGS_SIZE] = { };
	size_t i;
	int fd, err;

	for_each_backend(be) {
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			fd = LOAD(be, types[i], 0, BPF64_MOV64_IMM(R0, 1),
				  BPF64_EXIT_INSN());
			TU_CHECK(fd >= 0, "%s: %s: loads (%d)", be->name,
				 type_name(types[i]), fd);
			if (fd < 0)
				continue;
			t = (struct bpf64_test_opts){ .ctx_in = ctx,
						      .ctx_size_in = sizeof(ctx) };
			err = bpf64_prog_test_run(be, fd, &t);
			TU_CHECK(err == -ENOTSUPP,
				 "%s: %s: test run without the tracing flag is -ENOTSUPP (%d)",
				 be->name, type_name(types[i]), err);
			if (!strcmp(be->name, "linux")) {
				t.flags = BPF64_F_TEST_RUN_TRACING;
				err = bpf64_prog_test_run(be, fd, &t);
				TU_CHECK(err == -ENOTSUPP,
					 "linux: %s: and with it, -ENOTSUPP too (%d)",
					 type_name(types[i]), err);
			}
			be->close(fd);
		}
	}
}

/* bpf64's tracing test run: one run of @fd on @ctx; 0 or -errno. */
static int trace_run(int fd, const void *ctx, __u32 size, __u32 repeat,
		     __u32 *retval)
{
	struct bpf64_test_opts t = {
		.ctx_in = ctx,
		.ctx_size_in = size,
		.repeat = repeat,
		.flags = BPF64_F_TEST_RUN_TRACING,
	};
	int err = bpf64_prog_test_run(&bpf64_backend_hosted, fd, &t);

	*retval = t.retval;
	return err;
}

static void test_kprobe_run(void)
{
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	__u64 regs[PT_REGS_SIZE / 8 + 2] = { };	/* room for a tail */
	struct bpf64_test_opts t;
	__u32 retval;
	int fd, err;
	size_t i;

	for (i = 0; i < PT_REGS_SIZE / 8; i++)
		regs[i] = 0x1111111100000000ULL * (i + 1) + i;
	/* r0 = regs->ax + (u32)(regs->r15 >> 32) */
	fd = LOAD(be, BPF_PROG_TYPE_KPROBE, 0,
		  BPF64_LDX_MEM(BPF_DW, R0, R1, PT_REGS_AX),
		  BPF64_LDX_MEM(BPF_W, R2, R1, 4),
		  BPF64_ALU64_REG(BPF_ADD, R0, R2),
		  BPF64_EXIT_INSN());
	TU_CHECK(fd >= 0, "bpf64: kprobe: reading program loads (%d)", fd);
	if (fd < 0)
		return;
	err = trace_run(fd, regs, PT_REGS_SIZE, 0, &retval);
	TU_CHECK(!err && retval == (__u32)(regs[10] + (regs[0] >> 32)),
		 "bpf64: kprobe: the program reads ctx_in as struct pt_regs (%d: %#x)",
		 err, retval);
	err = trace_run(fd, regs, PT_REGS_SIZE, 1000, &retval);
	TU_CHECK(!err && retval == (__u32)(regs[10] + (regs[0] >> 32)),
		 "bpf64: kprobe: repeated 1000 times, the same answer (%d)", err);
	err = trace_run(fd, NULL, 0, 0, &retval);
	TU_CHECK(!err && retval == 0,
		 "bpf64: kprobe: without ctx_in the registers are zero (%d: %u)",
		 err, retval);
	err = trace_run(fd, regs, sizeof(regs), 0, &retval);
	TU_CHECK(!err, "bpf64: kprobe: a longer ctx_in with a zero tail is taken (%d)",
		 err);
	regs[PT_REGS_SIZE / 8 + 1] = 1;
	err = trace_run(fd, regs, sizeof(regs), 0, &retval);
	TU_CHECK(err == -E2BIG,
		 "bpf64: kprobe: a longer ctx_in with a non-zero tail is -E2BIG (%d)",
		 err);
	err = trace_run(fd, regs, 4097, 0, &retval);
	TU_CHECK(err == -E2BIG, "bpf64: kprobe: a ctx_in over a page is -E2BIG (%d)",
		 err);

	/* Nothing goes back but r0 and the time. */
	t = (struct bpf64_test_opts){ .ctx_in = regs, .ctx_size_in = PT_REGS_SIZE,
		.ctx_out = regs, .ctx_size_out = PT_REGS_SIZE,
		.flags = BPF64_F_TEST_RUN_TRACING };
	err = bpf64_prog_test_run(be, fd, &t);
	TU_CHECK(err == -EINVAL, "bpf64: kprobe: ctx_out is -EINVAL (%d)", err);
	t = (struct bpf64_test_opts){ .data_in = regs, .data_size_in = 8,
		.flags = BPF64_F_TEST_RUN_TRACING };
	err = bpf64_prog_test_run(be, fd, &t);
	TU_CHECK(err == -EINVAL, "bpf64: kprobe: data_in is -EINVAL (%d)", err);
	t = (struct bpf64_test_opts){
		.flags = BPF64_F_TEST_RUN_TRACING | BPF_F_TEST_RUN_ON_CPU };
	err = bpf64_prog_test_run(be, fd, &t);
	TU_CHECK(err == -EINVAL, "bpf64: kprobe: other flags are -EINVAL (%d)", err);
	be->close(fd);
}

/*
 * A context pointer moved past the end: Linux's verifier refuses it; bpf64
 * refuses it at load or stops the run at the access, never reading it.
 */
static void test_kprobe_escape(void)
{
	const struct bpf64_backend *be;
	struct bpf64_fault fault;
	__u64 regs[PT_REGS_SIZE / 8] = { };
	__u32 retval;
	int fd, err;

	for_each_backend(be) {
		fd = LOAD(be, BPF_PROG_TYPE_KPROBE, 0,
			  BPF64_ALU64_IMM(BPF_ADD, R1, 200),
			  BPF64_LDX_MEM(BPF_DW, R0, R1, 0),
			  BPF64_EXIT_INSN());
		if (!strcmp(be->name, "linux")) {
			TU_CHECK(fd == -EACCES &&
				 strstr(load_log, "dereference of modified ctx ptr"),
				 "linux: kprobe: a moved context pointer is refused at load (%d)",
				 fd);
		} else if (fd < 0) {
			TU_CHECK(1, "bpf64: kprobe: a moved context pointer is refused at load (%d)",
				 fd);
		} else {
			err = trace_run(fd, regs, sizeof(regs), 0, &retval);
			memset(&fault, 0, sizeof(fault));
			bpf64_prog_last_fault(fd, &fault);
			TU_CHECK(err == -EFAULT && fault.err == -EFAULT &&
				 fault.insn == 1 && !fault.write,
				 "bpf64: kprobe: a moved context pointer faults at its load (%d, insn %u)",
				 err, fault.insn);
		}
		if (fd >= 0)
			be->close(fd);
	}
}

static void test_kprobe_helpers(void)
{
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	__u64 pid_tgid = (__u64)getpid() << 32 | (__u32)gettid();
	char text[256];
	__u32 retval;
	size_t n;
	int fd, err;

	/* r0 = pid_tgid == expected; trace_printk("kp %d", r0) */
	fd = LOAD(be, BPF_PROG_TYPE_KPROBE, 0,
		  BPF64_CALL_HELPER(BPF_FUNC_get_current_pid_tgid),
		  BPF64_LD_IMM64(R2, pid_tgid),
		  BPF64_MOV64_IMM(BPF_REG_3, 1),
		  BPF64_JMP_REG(BPF_JEQ, R0, R2, 1),
		  BPF64_MOV64_IMM(BPF_REG_3, 0),
		  BPF64_ST_MEM(BPF_DW, FP, -8, 0x6425),		/* "%d" */
		  BPF64_ST_MEM(BPF_W, FP, -12, 0x2070616b),	/* "kap " */
		  BPF64_MOV64_REG(R1, FP),
		  BPF64_ALU64_IMM(BPF_ADD, R1, -12),
		  BPF64_MOV64_IMM(R2, 12),
		  BPF64_MOV64_REG(BPF_REG_6, BPF_REG_3),
		  BPF64_CALL_HELPER(BPF_FUNC_trace_printk),
		  BPF64_MOV64_REG(R0, BPF_REG_6),
		  BPF64_EXIT_INSN());
	TU_CHECK(fd >= 0, "bpf64: kprobe: helper program loads (%d)", fd);
	if (fd < 0)
		return;
	bpf64_trace_clear();
	err = trace_run(fd, NULL, 0, 0, &retval);
	n = bpf64_trace_read(text, sizeof(text));
	TU_CHECK(!err && retval == 1 && n == 6 && !strcmp(text, "kap 1\n"),
		 "bpf64: kprobe: get_current_pid_tgid and trace_printk (%d: %u, \"%.*s\")",
		 err, retval, (int)strcspn(text, "\n"), text);
	be->close(fd);
}

static void test_tracepoint_run(void)
{
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	__u64 record[8] = { 0xdead, 0x1122334455667788ULL, 0x99 };
	__u32 retval;
	int fd, err;

	/* r0 = rec[8..16) + rec[16..20) + rec[4000..4008) */
	fd = LOAD(be, BPF_PROG_TYPE_TRACEPOINT, 0,
		  BPF64_LDX_MEM(BPF_DW, R0, R1, 8),
		  BPF64_LDX_MEM(BPF_W, R2, R1, 16),
		  BPF64_ALU64_REG(BPF_ADD, R0, R2),
		  BPF64_LDX_MEM(BPF_DW, R2, R1, 4000),
		  BPF64_ALU64_REG(BPF_ADD, R0, R2),
		  BPF64_EXIT_INSN());
	TU_CHECK(fd >= 0, "bpf64: tracepoint: reading program loads (%d)", fd);
	if (fd < 0)
		return;
	err = trace_run(fd, record, sizeof(record), 0, &retval);
	TU_CHECK(!err && retval == (__u32)(record[1] + record[2]),
		 "bpf64: tracepoint: fields of ctx_in, zero past it (%d: %#x)",
		 err, retval);
	be->close(fd);
}

/* ---- BPF_PROG_TYPE_SYSCALL ---- */

/* r0 = ctx[0]; ctx[1] += 1 (u32 words) */
#define SYSCALL_PROG							\
	BPF64_LDX_MEM(BPF_W, R0, R1, 0),				\
	BPF64_LDX_MEM(BPF_W, R2, R1, 4),				\
	BPF64_ALU64_IMM(BPF_ADD, R2, 1),				\
	BPF64_STX_MEM(BPF_W, R1, R2, 4),				\
	BPF64_EXIT_INSN()

static void test_syscall_run(void)
{
	const struct bpf64_backend *be;
	struct bpf64_test_opts t;
	static __u32 big[65536 / 4 + 1];
	__u32 ctx[4] = { 7, 41 }, out[4];
	int fd, err;

	for_each_backend(be) {
		fd = LOAD(be, BPF_PROG_TYPE_SYSCALL, BPF_F_SLEEPABLE, SYSCALL_PROG);
		TU_CHECK(fd >= 0, "%s: syscall: loads (%d)", be->name, fd);
		if (fd < 0)
			continue;
		ctx[1] = 41;
		t = (struct bpf64_test_opts){ .ctx_in = ctx,
					      .ctx_size_in = sizeof(ctx) };
		err = bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(!err && t.retval == 7 && ctx[1] == 42 && !t.duration,
			 "%s: syscall: reads and writes ctx_in, which comes back (%d: %u, %u)",
			 be->name, err, t.retval, ctx[1]);

		t = (struct bpf64_test_opts){ .ctx_in = ctx,
			.ctx_size_in = sizeof(ctx), .repeat = 2 };
		err = bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(err == -EINVAL, "%s: syscall: repeat is -EINVAL (%d)",
			 be->name, err);
		t = (struct bpf64_test_opts){ .ctx_in = ctx,
			.ctx_size_in = sizeof(ctx), .ctx_out = out,
			.ctx_size_out = sizeof(out) };
		err = bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(err == -EINVAL, "%s: syscall: ctx_out is -EINVAL (%d)",
			 be->name, err);
		t = (struct bpf64_test_opts){ .ctx_in = ctx,
			.ctx_size_in = sizeof(ctx), .data_in = out,
			.data_size_in = sizeof(out) };
		err = bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(err == -EINVAL, "%s: syscall: data_in is -EINVAL (%d)",
			 be->name, err);
		t = (struct bpf64_test_opts){ .ctx_in = ctx,
			.ctx_size_in = sizeof(ctx), .flags = BPF_F_TEST_RUN_ON_CPU };
		err = bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(err == -EINVAL, "%s: syscall: flags are -EINVAL (%d)",
			 be->name, err);

		big[1] = 1;
		t = (struct bpf64_test_opts){ .ctx_in = big, .ctx_size_in = 65535 };
		err = bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(!err && big[1] == 2,
			 "%s: syscall: a context of U16_MAX bytes is taken (%d)",
			 be->name, err);
		t = (struct bpf64_test_opts){ .ctx_in = big, .ctx_size_in = 65536 };
		err = bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(err == -EINVAL,
			 "%s: syscall: a context over U16_MAX is -EINVAL (%d)",
			 be->name, err);
		be->close(fd);
	}
}

/*
 * A context shorter than the program's accesses: the verifier knows the
 * furthest offset and the run is refused (-EINVAL) before it starts.
 */
static void test_syscall_short_ctx(void)
{
	const struct bpf64_backend *be;
	struct bpf64_test_opts t;
	__u32 ctx[2] = { 1, 2 };
	int fd, err;

	for_each_backend(be) {
		fd = LOAD(be, BPF_PROG_TYPE_SYSCALL, BPF_F_SLEEPABLE, SYSCALL_PROG);
		if (fd < 0) {
			TU_CHECK(0, "%s: syscall: loads (%d)", be->name, fd);
			continue;
		}
		t = (struct bpf64_test_opts){ .ctx_in = ctx, .ctx_size_in = 4 };
		err = bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(err == -EINVAL &&
			 ctx[1] == 2,
			 "%s: syscall: a context shorter than the accesses is refused (%d)",
			 be->name, err);
		t = (struct bpf64_test_opts){ };
		err = bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(err == -EINVAL,
			 "%s: syscall: so is no context (%d)", be->name, err);
		be->close(fd);

		/* A program that leaves the context alone runs without one. */
		fd = LOAD(be, BPF_PROG_TYPE_SYSCALL, BPF_F_SLEEPABLE,
			  BPF64_MOV64_IMM(R0, 5), BPF64_EXIT_INSN());
		t = (struct bpf64_test_opts){ };
		err = fd < 0 ? fd : bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(!err && t.retval == 5,
			 "%s: syscall: runs without a context (%d: %u)", be->name,
			 err, t.retval);
		if (fd >= 0)
			be->close(fd);
	}
}

/* BPF_PROG_TEST_RUN's own checks, before the type's: buffers and sizes. */
static void test_attr_pairs(void)
{
	const struct bpf64_backend *be;
	struct bpf64_test_opts t;
	__u32 ctx[2] = { 1, 2 }, out[2];
	int fd, err;

	for_each_backend(be) {
		fd = LOAD(be, BPF_PROG_TYPE_SYSCALL, BPF_F_SLEEPABLE, SYSCALL_PROG);
		if (fd < 0) {
			TU_CHECK(0, "%s: syscall: loads (%d)", be->name, fd);
			continue;
		}
		t = (struct bpf64_test_opts){ .ctx_size_in = sizeof(ctx) };
		err = bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(err == -EINVAL, "%s: ctx_size_in without ctx_in is -EINVAL (%d)",
			 be->name, err);
		t = (struct bpf64_test_opts){ .ctx_in = ctx };
		err = bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(err == -EINVAL, "%s: ctx_in without ctx_size_in is -EINVAL (%d)",
			 be->name, err);
		t = (struct bpf64_test_opts){ .ctx_in = ctx,
			.ctx_size_in = sizeof(ctx), .ctx_size_out = sizeof(out) };
		err = bpf64_prog_test_run(be, fd, &t);
		TU_CHECK(err == -EINVAL, "%s: ctx_size_out without ctx_out is -EINVAL (%d)",
			 be->name, err);
		be->close(fd);
	}
}

static void test_syscall_sleepable(void)
{
	const struct bpf64_backend *be;
	int fd;

	for_each_backend(be) {
		fd = LOAD(be, BPF_PROG_TYPE_SYSCALL, 0, BPF64_MOV64_IMM(R0, 0),
			  BPF64_EXIT_INSN());
		TU_CHECK(fd == -EINVAL &&
			 strstr(load_log, "Syscall programs can only be sleepable"),
			 "%s: syscall: refused without BPF_F_SLEEPABLE (%d)",
			 be->name, fd);
		if (fd >= 0)
			be->close(fd);
	}
}

int main(void)
{
	test_ctx_access();
	test_run_not_supported();
	test_kprobe_run();
	test_kprobe_escape();
	test_kprobe_helpers();
	test_tracepoint_run();
	test_syscall_run();
	test_syscall_short_ctx();
	test_attr_pairs();
	test_syscall_sleepable();
	return tu_exit();
}
