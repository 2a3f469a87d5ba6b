// SPDX-License-Identifier: GPL-2.0
/*
 * Context accesses rewritten after verification (kernel/bpf/ctx_rewrite.c
 * through kernel/bpf/fixup.c), with a program type of this test's own:
 * struct fake_md is its UAPI context, struct fake_kern the internal one the
 * program really runs on, laid out differently, with data and data_end as
 * 64-bit pointers behind 32-bit UAPI fields (as struct __sk_buff's).
 * Programs are verified, rewritten, checked, and run in the interpreter's
 * checked mode on a fake_kern.
 *
 * The offset-0 field of fake_md is a read-only u32 "len" that allows
 * narrow loads, as __sk_buff's is, and offset 1000 is outside both: so the
 * programs that only touch those go to Linux too, as socket filters, and
 * Linux must give the same verdict (and errno, and message where Linux's
 * words are ours).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/bpf64/fixup.h>
#include <linux/bpf64/helpers.h>
#include <linux/bpf64/insn.h>
#include <linux/bpf64/prog.h>
#include <bpf64/linux_bpf.h>

#include "insn_build.h"
#include "test_util.h"

#define LEN(a)	((u32)(sizeof(a) / sizeof((a)[0])))

/* ---- the fake program type ---- */

struct fake_md {		/* what programs see */
	__u32 len;		/* read only, narrow loads */
	__u32 mark;		/* read and write, narrow loads */
	__u32 cb[2];		/* read and write, any size, as is */
	__u32 data;		/* the packet, read only, whole */
	__u32 data_end;
	__u64 stamp;		/* read only, narrow loads */
	__u32 pad[2];		/* nothing */
	__u32 id;		/* read only, at the same place inside */
};

struct fake_kern {		/* what they run on */
	__u64 stamp;
	void *data;
	void *data_end;
	__u32 cb[2];
	__u32 mark;
	__u32 len;
	__u32 id;
};

#define MD(f)	((int)offsetof(struct fake_md, f))
#define KERN(f)	((s16)offsetof(struct fake_kern, f))

struct fake_field {
	int uoff, usize;
	s16 koff;
	u8 ksize;		/* BPF_W, BPF_DW */
	bool write, narrow, as_is;
	u8 reg_type;
};

static const struct fake_field fields[] = {
	{ MD(len), 4, KERN(len), BPF_W, false, true },
	{ MD(mark), 4, KERN(mark), BPF_W, true, true },
	{ MD(cb), 8, KERN(cb), 0, true, false, true },
	{ MD(data), 4, KERN(data), BPF_DW, .reg_type = BPF64_PTR_TO_PACKET },
	{ MD(data_end), 4, KERN(data_end), BPF_DW,
	  .reg_type = BPF64_PTR_TO_PACKET_END },
	{ MD(stamp), 8, KERN(stamp), BPF_DW, false, true },
	{ MD(id), 4, KERN(id), BPF_W },
};

static const struct fake_field *field_at(int off)
{
	u32 i;

	for (i = 0; i < LEN(fields); i++)
		if (off >= fields[i].uoff &&
		    off < fields[i].uoff + fields[i].usize)
			return &fields[i];
	return NULL;
}

static bool fake_is_valid_access(int off, int size, bool write,
				 const struct bpf64_prog *prog,
				 struct bpf64_ctx_access *info)
{
	const struct fake_field *f = field_at(off);

	if (!f || off % size || (write && !f->write))
		return false;
	if (f->as_is)
		return off + size <= f->uoff + f->usize;
	info->reg_type = f->reg_type;
	if (f->narrow && !write) {
		info->ctx_field_size = f->usize;
		return size <= f->usize;
	}
	return size == f->usize;
}

/* As Linux's: @si is the whole field (narrow loads were widened). */
static u32 fake_convert(bool write, const struct bpf_insn *si,
			struct bpf_insn *out, const struct bpf64_prog *prog)
{
	const struct fake_field *f = field_at(si->off);

	if (f->uoff == MD(id))
		return 0;
	out[0] = *si;
	out[0].off = f->koff + (si->off - f->uoff);
	if (!f->as_is)
		out[0].code = BPF_CLASS(si->code) | BPF_MEM | f->ksize;
	return 1;
}

static const struct bpf64_func_proto *no_helper(u32 id,
						 const struct bpf64_prog *prog)
{
	return NULL;
}

static const struct bpf64_func_proto *fake_func_proto(u32 id,
						      const struct bpf64_prog *prog)
{
	return id == BPF_FUNC_get_prandom_u32 ? &bpf64_get_prandom_u32_proto :
						NULL;
}

static const struct bpf64_prog_ops fake_ops = {
	.name = "fake",
	.get_func_proto = fake_func_proto,
	.is_valid_access = fake_is_valid_access,
	.convert_ctx_access = fake_convert,
};

/* A type whose conversion returns an exit: misconfigured. */
static u32 bad_convert(bool write, const struct bpf_insn *si,
		       struct bpf_insn *out, const struct bpf64_prog *prog)
{
	out[0] = BPF64_EXIT_INSN();
	return 1;
}

static const struct bpf64_prog_ops bad_ops = {
	.name = "bad",
	.get_func_proto = no_helper,
	.is_valid_access = fake_is_valid_access,
	.convert_ctx_access = bad_convert,
};

/* ---- loading and running ---- */

static struct fake_kern kctx;
static u8 packet[32];

static void reset_ctx(void)
{
	u32 i;

	for (i = 0; i < sizeof(packet); i++)
		packet[i] = 0xa0 + i;
	kctx = (struct fake_kern) {
		.stamp = 0x8877665544332211ULL, .data = packet,
		.data_end = packet + sizeof(packet), .cb = { 0x11223344, 0 },
		.mark = 0xc0ffee, .len = 0x8091a2b3, .id = 77,
	};
}

struct outcome {
	int err;		/* of the rewrite, or of the run */
	u64 r0;
	u32 len;		/* instructions after rewriting */
	bool valid;		/* the rewritten program passes the check */
	double fixup_ms;	/* time of the rewrites after verification */
	char msg[8192];
};

static struct outcome load_run(const struct bpf_insn *insns, u32 len,
			       const struct bpf64_prog_ops *ops)
{
	struct outcome o = { };
	struct bpf64_log log = { .buf = o.msg, .size = sizeof(o.msg),
				.level = 1 };
	const struct bpf64_fixup_opts opts = { };
	struct bpf64_insn_aux *aux = NULL;
	struct timespec t0, t1;
	struct bpf64_run run = { };
	struct bpf64_prog *prog;

	reset_ctx();
	o.err = bpf64_prog_create(&prog, insns, len, ops, &log);
	if (o.err)
		return o;
	o.err = bpf64_verify_aux(prog, &log, &aux);
	if (!o.err) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		o.err = bpf64_fixup(prog, aux, &opts, &log);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		o.fixup_ms = (t1.tv_sec - t0.tv_sec) * 1e3 +
			     (t1.tv_nsec - t0.tv_nsec) / 1e6;
	}
	bpf64_free(aux);
	o.len = prog->len;
	if (!o.err) {
		o.valid = !bpf64_check_insns(prog->insns, prog->len, &log);
		o.err = bpf64_interp_prepare(prog, BPF64_RUN_CHECKED, &log);
	}
	if (!o.err) {
		run.args[0] = (u64)(unsigned long)&kctx;
		run.ctx = run.args[0];
		run.regions[0] = (struct bpf64_region) {
			run.args[0], sizeof(kctx), true };
		run.regions[1] = (struct bpf64_region) {
			(u64)(unsigned long)packet, sizeof(packet), false };
		run.nr_regions = 2;
		o.err = bpf64_interp_run(prog, &run, &o.r0);
		bpf64_fault_log(&run.fault, &log);
	}
	bpf64_prog_free(prog);
	return o;
}

static bool linux_ok;

/* Linux's verdict on the same instructions as a socket filter. */
static int linux_load(const struct bpf_insn *insns, u32 len, char *log,
		      u32 size)
{
	struct linux_bpf_load_opts opts = {
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
		.log_buf = log, .log_size = size, .log_level = 1,
	};
	int fd;

	log[0] = 0;
	fd = linux_bpf_prog_load(insns, len, &opts);
	if (fd < 0)
		return fd;
	linux_bpf_close(fd);
	return 0;
}

/* ---- the cases ---- */

#define R0	BPF_REG_0
#define R1	BPF_REG_1
#define R2	BPF_REG_2
#define R3	BPF_REG_3
#define R6	BPF_REG_6
#define R7	BPF_REG_7
#define FP	BPF_REG_10

#define LD_LEN(dst, base)	BPF64_LDX_MEM(BPF_W, dst, base, MD(len))

struct ctx_case {
	const char *name;
	const struct bpf_insn *insns;
	u32 len;
	int err;		/* 0: loads, runs, r0 == want() */
	const char *msg;	/* in the log, bpf64's and (unless linux_msg) Linux's */
	const char *linux_msg;	/* Linux's words, also the verifier's */
	const char *bpf64_msg;	/* the verifier's words where they still differ */
	u64 (*want)(void);
	bool not_linux;		/* fields __sk_buff does not have */
};

#define CASE(n, ...)	.name = n, .insns = (const struct bpf_insn[]){ __VA_ARGS__ }, \
			.len = LEN(((const struct bpf_insn[]){ __VA_ARGS__ }))

static u64 want_len(void) { return kctx.len; }
static u64 want_2len(void) { return 2ULL * kctx.len; }
static u64 want_byte1(void) { return (kctx.len >> 8) & 0xff; }
static u64 want_half1(void) { return kctx.len >> 16; }
static u64 want_sbyte3(void) { return (u64)(s64)(s8)(kctx.len >> 24); }
static u64 want_sword(void) { return (u64)(s64)(s32)kctx.len; }
static u64 want_stamp_hi(void) { return kctx.stamp >> 32; }
static u64 want_stamp_b7(void) { return kctx.stamp >> 56; }
static u64 want_stamp(void) { return kctx.stamp; }
static u64 want_id(void) { return kctx.id; }
static u64 want_mark(void) { return 0xc0ffee + 0x1000; }
static u64 want_cb(void) { return 0x5a44; }
static u64 want_pkt(void) { return sizeof(packet) << 8 | packet[1]; }
static u64 want_loop(void) { return 3 * ((kctx.len >> 8) & 0xff); }

static void run_case(const struct ctx_case *c)
{
	struct outcome o = load_run(c->insns, c->len, &fake_ops);
	const char *lmsg = c->linux_msg ? c->linux_msg : c->msg;
	static char log[1 << 16];
	bool ok;
	int lerr;

	if (c->err)
		ok = o.err == c->err &&
		     strstr(o.msg, c->bpf64_msg ? c->bpf64_msg : lmsg);
	else
		ok = !o.err && o.valid && o.r0 == c->want();
	TU_CHECK(ok, "bpf64: %s", c->name);
	if (!ok)
		tu_diag("got %d r0 %#llx '%s', want %d r0 %#llx '%s'", o.err,
			(unsigned long long)o.r0, o.msg, c->err,
			(unsigned long long)(c->err ? 0 : c->want()),
			c->msg ? c->msg : "");
	if (c->not_linux)
		return;
	if (!linux_ok) {
		tu_skip("linux: %s # SKIP bpf() unavailable", c->name);
		return;
	}
	lerr = linux_load(c->insns, c->len, log, sizeof(log));
	ok = lerr == c->err && (!c->err || strstr(log, lmsg));
	TU_CHECK(ok, "linux: %s", c->name);
	if (!ok)
		tu_diag("Linux: %d '%s'", lerr, linux_bpf_log_tail(log, 2));
}

/*
 * The table lives in a function: compound literals are not constants in C,
 * so a static table could not hold them.
 */
static void test_cases(void)
{
	const struct ctx_case cases[] = {
		/* accepted; Linux accepts them as socket filters too */
		{ CASE("a load of len", LD_LEN(R0, R1), BPF64_EXIT_INSN()),
		  .want = want_len },
		{ CASE("spill and fill through r10",
		       BPF64_STX_MEM(BPF_DW, FP, R1, -8), BPF64_MOV64_IMM(R1, 0),
		       BPF64_LDX_MEM(BPF_DW, R2, FP, -8), LD_LEN(R0, R2),
		       BPF64_EXIT_INSN()),
		  .want = want_len },
		{ CASE("spill through another stack pointer, fill through r10",
		       BPF64_MOV64_REG(R2, FP), BPF64_ALU64_IMM(BPF_ADD, R2, -16),
		       BPF64_STX_MEM(BPF_DW, R2, R1, 0), BPF64_MOV64_IMM(R1, 0),
		       BPF64_LDX_MEM(BPF_DW, R3, FP, -16), LD_LEN(R0, R3),
		       BPF64_EXIT_INSN()),
		  .want = want_len },
		{ CASE("ctx + 4 - 4 is ctx again",
		       BPF64_ALU64_IMM(BPF_ADD, R1, 4), BPF64_ALU64_IMM(BPF_SUB, R1, 4),
		       LD_LEN(R0, R1), BPF64_EXIT_INSN()),
		  .want = want_len },
		{ CASE("both branches give ctx at offset 0",
		       LD_LEN(R0, R1), BPF64_MOV64_REG(R2, R1),
		       BPF64_JMP_IMM(BPF_JGT, R0, 10, 2),
		       BPF64_MOV64_REG(R2, FP), BPF64_MOV64_REG(R2, R1),
		       LD_LEN(R0, R2), BPF64_EXIT_INSN()),
		  .want = want_len },
		{ CASE("a subprogram gets ctx in r1",
		       BPF64_CALL_REL(1), BPF64_EXIT_INSN(),
		       LD_LEN(R0, R1), BPF64_EXIT_INSN()),
		  .want = want_len },
		{ CASE("ctx kept in r6 across a call",
		       BPF64_MOV64_REG(R6, R1), BPF64_CALL_REL(2), LD_LEN(R0, R6),
		       BPF64_EXIT_INSN(),
		       BPF64_MOV64_IMM(R0, 0), BPF64_EXIT_INSN()),
		  .want = want_len },
		{ CASE("ctx kept in r6 across a helper call",
		       BPF64_MOV64_REG(R6, R1),
		       BPF64_CALL_HELPER(BPF_FUNC_get_prandom_u32),
		       LD_LEN(R0, R6), BPF64_EXIT_INSN()),
		  .want = want_len },
		{ CASE("a subprogram spills ctx to its own stack",
		       BPF64_ST_MEM(BPF_DW, FP, -8, 0), BPF64_CALL_REL(2),
		       BPF64_LDX_MEM(BPF_DW, R1, FP, -8), BPF64_EXIT_INSN(),
		       BPF64_STX_MEM(BPF_DW, FP, R1, -8), BPF64_MOV64_IMM(R1, 0),
		       BPF64_LDX_MEM(BPF_DW, R2, FP, -8), LD_LEN(R0, R2),
		       BPF64_EXIT_INSN()),
		  .want = want_len },
		{ CASE("a subprogram gets ctx in r2 from two call sites",
		       BPF64_MOV64_REG(R7, R1), BPF64_MOV64_REG(R2, R7),
		       BPF64_CALL_REL(5), BPF64_MOV64_REG(R6, R0),
		       BPF64_MOV64_REG(R2, R7), BPF64_CALL_REL(2),
		       BPF64_ALU64_REG(BPF_ADD, R0, R6), BPF64_EXIT_INSN(),
		       LD_LEN(R0, R2), BPF64_EXIT_INSN()),
		  .want = want_2len },
		{ CASE("a loop over a narrow load, jumped over and back",
		       BPF64_MOV64_IMM(R6, 3), BPF64_MOV64_IMM(R7, 0),
		       BPF64_JMP_IMM(BPF_JEQ, R7, 0, 1),
		       BPF64_MOV64_IMM(R7, 99),
		       BPF64_LDX_MEM(BPF_B, R0, R1, MD(len) + 1),
		       BPF64_ALU64_REG(BPF_ADD, R7, R0),
		       BPF64_ALU64_IMM(BPF_SUB, R6, 1),
		       BPF64_JMP_IMM(BPF_JNE, R6, 0, -4),
		       BPF64_MOV64_REG(R0, R7), BPF64_EXIT_INSN()),
		  .want = want_loop },
		{ CASE("narrow: byte 1 of len",
		       BPF64_LDX_MEM(BPF_B, R0, R1, MD(len) + 1), BPF64_EXIT_INSN()),
		  .want = want_byte1 },
		{ CASE("narrow: upper half of len",
		       BPF64_LDX_MEM(BPF_H, R0, R1, MD(len) + 2), BPF64_EXIT_INSN()),
		  .want = want_half1 },
		{ CASE("narrow, sign-extending: byte 3 of len",
		       BPF64_LDX_MEMSX(BPF_B, R0, R1, MD(len) + 3), BPF64_EXIT_INSN()),
		  .want = want_sbyte3 },
		{ CASE("sign-extending: all of len",
		       BPF64_LDX_MEMSX(BPF_W, R0, R1, MD(len)), BPF64_EXIT_INSN()),
		  .want = want_sword },

		/* refused; Linux refuses them the same way */
		{ CASE("ctx + 4 dereferenced",
		       BPF64_ALU64_IMM(BPF_ADD, R1, 4), LD_LEN(R0, R1),
		       BPF64_EXIT_INSN()),
		  .err = -EACCES,
		  .msg = "dereference of modified ctx ptr R1 off=4 disallowed" },
		{ CASE("ctx - 8 dereferenced",
		       BPF64_ALU64_IMM(BPF_SUB, R1, 8),
		       BPF64_LDX_MEM(BPF_W, R0, R1, 8), BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "negative offset ctx ptr R1 off=-8 disallowed",
		  .bpf64_msg = "dereference of modified ctx ptr R1 off=-8 disallowed" },
		{ CASE("a field that is not there",
		       BPF64_LDX_MEM(BPF_W, R0, R1, 1000), BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "invalid bpf_context access off=1000 size=4" },
		{ CASE("a store into a read-only field",
		       BPF64_ST_MEM(BPF_W, R1, MD(len), 1), BPF64_MOV64_IMM(R0, 0),
		       BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "invalid bpf_context access off=0 size=4" },
		{ CASE("a misaligned load",
		       BPF64_LDX_MEM(BPF_H, R0, R1, 1), BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "invalid bpf_context access off=1 size=2" },
		{ CASE("ctx or the stack, by branch",
		       LD_LEN(R0, R1), BPF64_ST_MEM(BPF_DW, FP, -8, 0),
		       BPF64_MOV64_REG(R2, R1), BPF64_JMP_IMM(BPF_JGT, R0, 10, 2),
		       BPF64_MOV64_REG(R2, FP), BPF64_ALU64_IMM(BPF_ADD, R2, -8),
		       LD_LEN(R0, R2), BPF64_EXIT_INSN()),
		  .err = -EINVAL, .msg = "same insn cannot be used with different pointers" },
		{ CASE("ctx or a scalar, by branch",
		       LD_LEN(R0, R1), BPF64_MOV64_REG(R2, R1),
		       BPF64_JMP_IMM(BPF_JGT, R0, 10, 1), BPF64_MOV64_IMM(R2, 0),
		       LD_LEN(R0, R2), BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "R2 invalid mem access 'scalar'" },
		{ CASE("ctx or a scalar in a spilled slot, by branch",
		       LD_LEN(R0, R1), BPF64_STX_MEM(BPF_DW, FP, R1, -8),
		       BPF64_JMP_IMM(BPF_JGT, R0, 10, 1),
		       BPF64_ST_MEM(BPF_DW, FP, -8, 0),
		       BPF64_LDX_MEM(BPF_DW, R3, FP, -8), LD_LEN(R0, R3),
		       BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "R3 invalid mem access 'scalar'" },
		{ CASE("ctx or the stack in a spilled slot, by branch",
		       LD_LEN(R0, R1), BPF64_ST_MEM(BPF_DW, FP, -16, 0),
		       BPF64_STX_MEM(BPF_DW, FP, R1, -8),
		       BPF64_JMP_IMM(BPF_JGT, R0, 10, 3),
		       BPF64_MOV64_REG(R2, FP), BPF64_ALU64_IMM(BPF_ADD, R2, -16),
		       BPF64_STX_MEM(BPF_DW, FP, R2, -8),
		       BPF64_LDX_MEM(BPF_DW, R3, FP, -8), LD_LEN(R0, R3),
		       BPF64_EXIT_INSN()),
		  .err = -EINVAL, .msg = "same insn cannot be used with different pointers" },
		{ CASE("a subprogram called with ctx and with the stack",
		       BPF64_ST_MEM(BPF_DW, FP, -8, 0), BPF64_MOV64_REG(R6, R1),
		       BPF64_CALL_REL(4), BPF64_MOV64_REG(R1, FP),
		       BPF64_ALU64_IMM(BPF_ADD, R1, -8), BPF64_CALL_REL(1),
		       BPF64_EXIT_INSN(),
		       LD_LEN(R0, R1), BPF64_EXIT_INSN()),
		  .err = -EINVAL, .msg = "same insn cannot be used with different pointers" },
		{ CASE("ctx at a variable offset",
		       LD_LEN(R2, R1), BPF64_ALU64_IMM(BPF_AND, R2, 4),
		       BPF64_ALU64_REG(BPF_ADD, R1, R2), LD_LEN(R0, R1),
		       BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "variable ctx access" },
		{ CASE("ctx at offset 0 or 4, by branch",
		       LD_LEN(R0, R1), BPF64_JMP_IMM(BPF_JGT, R0, 10, 1),
		       BPF64_ALU64_IMM(BPF_ADD, R1, 4), LD_LEN(R0, R1),
		       BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "R1 variable ctx access disallowed",
		  .linux_msg = "dereference of modified ctx ptr R1 off=4 disallowed" },
		{ CASE("ctx moved in a loop",
		       BPF64_MOV64_IMM(R6, 2), BPF64_LDX_MEM(BPF_B, R0, R1, 0),
		       BPF64_ALU64_IMM(BPF_ADD, R1, 1), BPF64_ALU64_IMM(BPF_SUB, R6, 1),
		       BPF64_JMP_IMM(BPF_JNE, R6, 0, -4), BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "variable ctx access",
		  .linux_msg = "dereference of modified ctx ptr R1 off=1 disallowed" },
		{ CASE("ctx multiplied",
		       BPF64_ALU64_IMM(BPF_MUL, R1, 1), LD_LEN(R0, R1),
		       BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "variable ctx access",
		  .linux_msg = "pointer arithmetic with *= operator prohibited" },
		{ CASE("an atomic add to ctx",
		       BPF64_MOV64_IMM(R2, 1),
		       BPF64_ATOMIC_OP(BPF_W, BPF_ADD, R1, R2, MD(len)),
		       BPF64_MOV64_IMM(R0, 0), BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "BPF_ATOMIC stores into R1 ctx is not allowed" },

		/* the fake type's own fields */
		{ CASE("narrow: upper half of the 64-bit stamp",
		       BPF64_LDX_MEM(BPF_W, R0, R1, MD(stamp) + 4), BPF64_EXIT_INSN()),
		  .want = want_stamp_hi, .not_linux = true },
		{ CASE("narrow: top byte of the stamp",
		       BPF64_LDX_MEM(BPF_B, R0, R1, MD(stamp) + 7), BPF64_EXIT_INSN()),
		  .want = want_stamp_b7, .not_linux = true },
		{ CASE("the whole stamp",
		       BPF64_LDX_MEM(BPF_DW, R0, R1, MD(stamp)), BPF64_EXIT_INSN()),
		  .want = want_stamp, .not_linux = true },
		{ CASE("a field at the same place inside stays as it is",
		       BPF64_LDX_MEM(BPF_W, R0, R1, MD(id)), BPF64_EXIT_INSN()),
		  .want = want_id, .not_linux = true },
		{ CASE("mark: a store of a register, then of an immediate, read back",
		       BPF64_LDX_MEM(BPF_W, R2, R1, MD(mark)),
		       BPF64_ALU64_IMM(BPF_ADD, R2, 0x1000),
		       BPF64_ST_MEM(BPF_W, R1, MD(mark), 5),
		       BPF64_STX_MEM(BPF_W, R1, R2, MD(mark)),
		       BPF64_LDX_MEM(BPF_W, R0, R1, MD(mark)), BPF64_EXIT_INSN()),
		  .want = want_mark, .not_linux = true },
		{ CASE("cb: a byte store, a halfword load",
		       BPF64_ST_MEM(BPF_B, R1, MD(cb) + 1, 0x5a),
		       BPF64_LDX_MEM(BPF_H, R0, R1, MD(cb)), BPF64_EXIT_INSN()),
		  .want = want_cb, .not_linux = true },
		{ CASE("data and data_end: 64-bit pointers behind 32-bit fields",
		       BPF64_LDX_MEM(BPF_W, R2, R1, MD(data)),
		       BPF64_LDX_MEM(BPF_W, R3, R1, MD(data_end)),
		       BPF64_MOV64_REG(R0, R3), BPF64_ALU64_REG(BPF_SUB, R0, R2),
		       BPF64_ALU64_IMM(BPF_LSH, R0, 8),
		       BPF64_MOV64_REG(R6, R2), BPF64_ALU64_IMM(BPF_ADD, R6, 2),
		       BPF64_JMP_REG(BPF_JGT, R6, R3, 2),
		       BPF64_LDX_MEM(BPF_B, R3, R2, 1),
		       BPF64_ALU64_REG(BPF_OR, R0, R3), BPF64_EXIT_INSN()),
		  .want = want_pkt, .not_linux = true },
		{ CASE("a store into a pointer field",
		       BPF64_ST_MEM(BPF_W, R1, MD(data), 0), BPF64_MOV64_IMM(R0, 0),
		       BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "invalid bpf_context access off=16 size=4",
		  .not_linux = true },
		{ CASE("a sign-extending load of a pointer field",
		       BPF64_LDX_MEMSX(BPF_W, R0, R1, MD(data)), BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "invalid bpf_context access off=16 size=4",
		  .not_linux = true },
		{ CASE("a narrow load of a pointer field",
		       BPF64_LDX_MEM(BPF_H, R0, R1, MD(data)), BPF64_EXIT_INSN()),
		  .err = -EACCES, .msg = "invalid bpf_context access off=16 size=2",
		  .not_linux = true },
	};
	u32 i;

	for (i = 0; i < LEN(cases); i++)
		run_case(&cases[i]);
}

/* ---- what is not about one access ---- */

static void test_misconfigured(void)
{
	static const struct bpf_insn prog[] = {
		LD_LEN(R0, R1), BPF64_EXIT_INSN(),
	};
	struct outcome o = load_run(prog, LEN(prog), &bad_ops);

	TU_CHECK(o.err == -EINVAL && strstr(o.msg, "insn 0: program type bad"),
		 "a conversion that gives an exit: -EINVAL");
}

/* Rewritten jumps keep their targets: a narrow load grows by two. */
static void test_lengths(void)
{
	static const struct bpf_insn prog[] = {
		BPF64_LDX_MEM(BPF_B, R0, R1, MD(len) + 1),	/* + shift, mask */
		BPF64_LDX_MEM(BPF_W, R2, R1, MD(id)),		/* as is */
		BPF64_LDX_MEMSX(BPF_H, R3, R1, MD(len) + 2),	/* + shift, mask, movsx */
		BPF64_EXIT_INSN(),
	};
	struct outcome o = load_run(prog, LEN(prog), &fake_ops);

	TU_CHECK(!o.err && o.len == LEN(prog) + 2 + 3,
		 "rewritten lengths: narrow loads widened, shifted, masked (%u insns)",
		 o.len);
}

/*
 * A long program where each step makes a narrow ctx load (3 insns after
 * rewriting) and a branch the verifier knows is always taken (hard-wired,
 * then removed with the instruction it skips): the rewrite of hundreds of
 * thousands of patches has to stay linear.
 */
static void test_large(void)
{
	u32 n = 100000, i = 0, k;
	struct bpf_insn *p = calloc(n * 5 + 4, sizeof(*p));
	struct timespec t0, t1;
	struct outcome o;
	double ms;

	p[i++] = BPF64_MOV64_IMM(R6, 0);
	p[i++] = BPF64_MOV64_IMM(R7, 0);
	for (k = 0; k < n; k++) {
		p[i++] = BPF64_LDX_MEM(BPF_B, R0, R1, MD(len) + 1);
		p[i++] = BPF64_ALU64_REG(BPF_ADD, R7, R0);
		p[i++] = BPF64_ALU64_IMM(BPF_ADD, R6, 1);
		p[i++] = BPF64_JMP_IMM(BPF_JNE, R6, 0x7fffffff, 1);
		p[i++] = BPF64_MOV64_IMM(R7, 99);
	}
	p[i++] = BPF64_MOV64_REG(R0, R6);
	p[i++] = BPF64_EXIT_INSN();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	o = load_run(p, i, &fake_ops);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	TU_CHECK(!o.err && o.valid && o.r0 == n && o.len == i + 2 * n - 2 * n,
		 "%u narrow loads and dead branches: %u insns to %u, verified, rewritten (%.1f ms) and run in %.0f ms",
		 n, i, o.len, o.fixup_ms, ms);
	if (o.err)
		tu_diag("%d: %s", o.err, o.msg);
	free(p);
}

int main(void)
{
	linux_ok = !linux_bpf_probe();
	test_cases();
	test_misconfigured();
	test_lengths();
	test_large();
	return tu_exit();
}
