// SPDX-License-Identifier: GPL-2.0
/*
 * The x86-64 JIT (arch/x86/net/), held to the interpreter and to Linux:
 *
 *  - the 313 ISA conformance vectors, JITed and run over their memory;
 *  - register corner cases of atomics, shifts, divisions, helper calls;
 *  - LD_ABS / LD_IND against the interpreter, and in socket filters JITed,
 *    interpreted and on Linux through the backends;
 *  - zeroed frames (prog->zero_stack), whole and as deep as the verifier's
 *    depth, directly and after a tail call;
 *  - placement, decoded by objdump: loop heads 32-byte aligned, no jump
 *    with its fused compare across or at a 32-byte boundary;
 *  - frames of the verifier's depth, the entry without the stub, BMI2
 *    shifts and their fallback;
 *  - tail calls through the backends: bpf64 JITed, interpreted, blinded,
 *    and Linux, which must all give the same counts and results;
 *  - constant blinding: immediates scanned for in the images;
 *  - selects compiled as cmov;
 *  - progen's random programs (which Linux's verifier accepts), run in the
 *    interpreter's trusted mode and JITed, plain and blinded: r0 and the
 *    context they write must agree;
 *  - what the JIT refuses, with its log message; the image's pages are
 *    never writable and executable at once;
 *  - the compile time per 1000 instructions, reported.
 *
 * usage: test_jit [--dir DIR] [--count N] [--seed S]
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <linux/bpf64/insn.h>
#include <linux/bpf64/jit.h>
#include <linux/bpf64/map.h>
#include <linux/bpf64/prog.h>
#include <linux/bpf64/verifier.h>

#include "backend_util.h"
#include "bpf64/asm.h"
#include "bpf64/conformance.h"
#include "bpf64/raw.h"
#include "test_util.h"
#include "insn_build.h"
#include "progen.h"
/* The Makefile links each test from its one source, so take progen here. */
#include "progen.c"

#define NR_VECTORS	313

static char log_buf[1024];

static struct bpf64_log new_log(void)
{
	struct bpf64_log log = { .buf = log_buf, .size = sizeof(log_buf) };

	log_buf[0] = '\0';
	return log;
}

/* Run @img with r1..r5 = @args, no packet. */
static u64 jit_run(const struct bpf64_jit_image *img, const u64 args[5])
{
	struct bpf64_run run = { };

	memcpy(run.args, args, sizeof(run.args));
	return bpf64_jit_run(img, &run);
}

/* Create @insns as a program of @ops and JIT it; the prog is freed. */
static int jit_insns(const struct bpf_insn *insns, u32 cnt,
		     const struct bpf64_prog_ops *ops,
		     struct bpf64_jit_image **imgp)
{
	struct bpf64_log log = new_log();
	struct bpf64_prog *prog = NULL;
	int err;

	*imgp = NULL;
	err = bpf64_prog_create(&prog, insns, cnt, ops, &log);
	if (!err)
		err = bpf64_jit_compile(prog, 0, &log, imgp);
	bpf64_prog_free(prog);
	return err;
}

/* ---- conformance vectors ---- */


struct vector {
	char *asm_text, *mem_hex, *result;
};

static char *append(char *s, const char *line)
{
	size_t n = s ? strlen(s) : 0, m = strlen(line);
	char *r = realloc(s, n + m + 1);

	if (!r)
		abort();
	memcpy(r + n, line, m + 1);
	return r;
}

static int parse_vector(const char *path, struct vector *v)
{
	char line[4096], **section = NULL;
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "-- ", 3)) {
			section = !strncmp(line, "-- asm", 6) ? &v->asm_text :
				  !strncmp(line, "-- mem", 6) ? &v->mem_hex :
				  !strncmp(line, "-- result", 9) ? &v->result :
				  NULL;
			continue;
		}
		if (section)
			*section = append(*section, line);
	}
	fclose(f);
	return v->asm_text && v->result ? 0 : -EINVAL;
}

static bool has_callx(const struct bpf_insn *insns, u32 cnt)
{
	u32 i;

	for (i = 0; i < cnt; i++)
		if (insns[i].code == (BPF_JMP | BPF_CALL | BPF_X))
			return true;
	return false;
}

/* Returns 1 when the vector passed. */
static int run_vector(const char *dir, const char *file)
{
	struct vector v = { };
	struct bpf64_jit_image *img = NULL;
	struct bpf_insn *insns = NULL;
	char path[4096], err[256];
	size_t mem_len = 0;
	u8 *mem = NULL;
	u64 args[5] = { }, want, got;
	int ok = 0, ret;
	u32 cnt;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (parse_vector(path, &v) ||
	    bpf64_asm(v.asm_text, &insns, &cnt, err, sizeof(err)) ||
	    (v.mem_hex && bpf64_parse_hex(v.mem_hex, &mem, &mem_len, err,
					  sizeof(err)))) {
		tu_diag("%s: cannot read the vector", file);
		goto out;
	}
	want = strtoull(v.result, NULL, 16);
	ret = jit_insns(insns, cnt, &bpf64_conformance_ops, &img);
	if (has_callx(insns, cnt)) {
		ok = ret == -EOPNOTSUPP && strstr(log_buf, "callx");
		if (!ok)
			tu_diag("%s: callx not refused (%d): %s", file, ret,
				log_buf);
		goto out;
	}
	if (ret) {
		tu_diag("%s: JIT failed (%d): %s", file, ret, log_buf);
		goto out;
	}
	args[0] = (u64)(unsigned long)mem;
	args[1] = mem_len;
	got = jit_run(img, args);
	ok = got == want;
	if (!ok)
		tu_diag("%s: expected 0x%llx, got 0x%llx", file,
			(unsigned long long)want, (unsigned long long)got);
out:
	bpf64_jit_image_free(img);
	free(mem);
	free(insns);
	free(v.asm_text);
	free(v.mem_hex);
	free(v.result);
	return ok;
}

static int is_data(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && !strcmp(d->d_name + n - 5, ".data");
}

static void test_conformance(const char *dir)
{
	struct dirent **list;
	int i, n, passed = 0;

	n = scandir(dir, &list, is_data, alphasort);
	for (i = 0; i < n; i++) {
		passed += run_vector(dir, list[i]->d_name);
		free(list[i]);
	}
	if (n > 0)
		free(list);
	TU_CHECK(n == NR_VECTORS && passed == n,
		 "conformance vectors JITed: %d of %d pass", passed, n);
}

/* ---- differential: interpreter (trusted) against the JIT ---- */

static const struct bpf64_func_proto *no_helper(u32 id,
						const struct bpf64_prog *prog)
{
	return NULL;
}

static const struct bpf64_prog_ops difftest_ops = {
	.name = "jit-difftest",
	.get_func_proto = no_helper,
};

struct outcome {
	u64 r0;
	u8 ctx[PROGEN_CTX_SIZE];
};

/* Returns 1 when both agree; *ns gets the compile time. */
static int diff_one(const struct progen_prog *p, u64 seed, u32 flags,
		    u64 *ns)
{
	struct outcome in = { }, jit = { };
	struct bpf64_log log = new_log();
	struct bpf64_jit_image *img = NULL;
	struct bpf64_prog *prog = NULL;
	struct bpf64_run run = { };
	struct timespec t0, t1;
	u64 args[5] = { };
	int err, ok = 0;

	progen_fill(in.ctx, p->ctx_size, seed);
	memcpy(jit.ctx, in.ctx, sizeof(in.ctx));
	err = bpf64_prog_create(&prog, p->insns, p->len, &difftest_ops, &log);
	if (!err)
		err = bpf64_interp_prepare(prog, BPF64_RUN_TRUSTED, &log);
	if (!err) {
		run.args[0] = (u64)(unsigned long)in.ctx;
		err = bpf64_interp_run(prog, &run, &in.r0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!err)
		err = bpf64_jit_compile(prog, flags, &log, &img);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ns = (t1.tv_sec - t0.tv_sec) * 1000000000ull + t1.tv_nsec - t0.tv_nsec;
	if (err) {
		tu_diag("seed %llu: %d: %s", (unsigned long long)seed, err,
			log_buf);
		goto out;
	}
	args[0] = (u64)(unsigned long)jit.ctx;
	jit.r0 = jit_run(img, args);
	ok = in.r0 == jit.r0 && !memcmp(in.ctx, jit.ctx, sizeof(in.ctx));
	if (!ok)
		tu_diag("seed %llu: interpreter r0 0x%llx, JIT r0 0x%llx%s",
			(unsigned long long)seed, (unsigned long long)in.r0,
			(unsigned long long)jit.r0,
			memcmp(in.ctx, jit.ctx, sizeof(in.ctx)) ?
			", contexts differ" : "");
out:
	bpf64_jit_image_free(img);
	bpf64_prog_free(prog);
	return ok;
}

static void test_difftest(u32 count, u64 seed, u32 body_len, u32 flags)
{
	struct progen_opts opts;
	u64 insns = 0, ns = 0, t;
	u32 i, agree = 0;

	progen_default_opts(&opts);
	opts.body_len = body_len;
	for (i = 0; i < count; i++) {
		struct progen_prog p = { };

		if (progen_generate(&p, seed + i, &opts))
			continue;
		agree += diff_one(&p, seed + i, flags, &t);
		insns += p.len;
		ns += t;
		progen_release(&p);
	}
	TU_CHECK(agree == count,
		 "random programs%s (body %u, seeds %llu..): %u of %u agree",
		 flags ? ", blinded" : "", body_len,
		 (unsigned long long)seed, agree, count);
	if (insns)
		tu_diag("JIT compile time: %.1f us per 1000 instructions (%llu instructions)",
			ns / 1000.0 / (insns / 1000.0),
			(unsigned long long)insns);
}

/* ---- register corner cases: rax, rcx, rdx as operands ---- */

#define EDGE_MEM	64

/*
 * Run @insns in both with r1 = the same buffer (pointers left in registers
 * then agree), filled from @mem each time; returns 1 when they agree.
 */
static int diff_insns(const struct bpf_insn *insns, u32 cnt, const u8 *mem,
		      const struct bpf64_prog_ops *ops, u32 flags)
{
	u8 buf[EDGE_MEM], after[EDGE_MEM];
	struct bpf64_log log = new_log();
	struct bpf64_jit_image *img = NULL;
	struct bpf64_prog *prog = NULL;
	struct bpf64_run run = { };
	u64 args[5] = { (u64)(unsigned long)buf }, r0 = 0;
	int err, ok = 0;

	memcpy(buf, mem, EDGE_MEM);
	err = bpf64_prog_create(&prog, insns, cnt, ops, &log);
	if (!err)
		err = bpf64_interp_prepare(prog, BPF64_RUN_TRUSTED, &log);
	if (!err) {
		run.args[0] = args[0];
		err = bpf64_interp_run(prog, &run, &r0);
	}
	memcpy(after, buf, EDGE_MEM);
	memcpy(buf, mem, EDGE_MEM);
	if (!err)
		err = bpf64_jit_compile(prog, flags, &log, &img);
	if (!err)
		ok = jit_run(img, args) == r0 &&
		     !memcmp(after, buf, EDGE_MEM);
	else
		tu_diag("%d: %s", err, log_buf);
	bpf64_jit_image_free(img);
	bpf64_prog_free(prog);
	return ok;
}

/*
 * Every atomic, both sizes, with the base and the operand in r0 (rax,
 * which the cmpxchg loops use), r3 (rdx) and r4 (rcx); the result folds
 * every register into r0.
 */
static void test_atomic_regs(const u8 *mem)
{
	static const s32 ops[] = {
		BPF_ADD, BPF_AND, BPF_OR, BPF_XOR, BPF_ADD | BPF_FETCH,
		BPF_AND | BPF_FETCH, BPF_OR | BPF_FETCH, BPF_XOR | BPF_FETCH,
		BPF_XCHG, BPF_CMPXCHG,
	};
	static const u8 regs[] = { BPF_REG_0, BPF_REG_3, BPF_REG_4, BPF_REG_6 };
	u32 o, s, b, v, n = 0, agree = 0;

	for (o = 0; o < ARRAY_SIZE(ops); o++)
	for (s = 0; s < 2; s++)
	for (b = 0; b < ARRAY_SIZE(regs); b++)
	for (v = 0; v < ARRAY_SIZE(regs); v++) {
		u8 size = s ? BPF_DW : BPF_W, base = regs[b], src = regs[v];
		/* cmpxchg also with r0 equal to the old value, so it stores */
		bool match = ops[o] == BPF_CMPXCHG && (b + v) % 2 && base && src;
		struct bpf_insn insns[] = {
			BPF64_LD_IMM64(BPF_REG_0, 0x1122334455667788ull),
			BPF64_LD_IMM64(BPF_REG_3, 0xf0f0f0f00ff00ff0ull),
			BPF64_LD_IMM64(BPF_REG_4, 0x8070605040302010ull),
			BPF64_LD_IMM64(BPF_REG_6, 0x0123456789abcdefull),
			BPF64_LDX_MEM(size, src, BPF_REG_1, 8),
			BPF64_ALU64_IMM(BPF_ADD, src, 0x100),
			BPF64_MOV64_REG(base, BPF_REG_1),
			match ? BPF64_LDX_MEM(size, BPF_REG_0, BPF_REG_1, 16) :
				BPF64_MOV64_REG(BPF_REG_5, BPF_REG_5),
			BPF64_ATOMIC_OP(size, ops[o], base, src, 16),
			BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_3),
			BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_4),
			BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_6),
			BPF64_EXIT_INSN(),
		};

		n++;
		agree += diff_insns(insns, ARRAY_SIZE(insns), mem,
				    &difftest_ops, 0);
	}
	TU_CHECK(agree == n,
		 "atomics, r0/r3/r4/r6 as base and operand: %u of %u agree",
		 agree, n);
}

/*
 * Shifts by a register and divisions, whose x86 forms need rcx and
 * rax:rdx, with r0 (rax), r3 (rdx) and r4 (rcx) in every role, and the
 * divisors that Linux defines specially: 0, -1 (with INT_MIN), 1.  With
 * @flags BPF64_JIT_F_NO_BMI2, shifts go through rcx even where the CPU
 * has shlx / shrx / sarx.
 */
static void test_alu_regs(const u8 *mem, u32 flags)
{
	static const struct { u8 op; s16 off; } ops[] = {
		{ BPF_LSH }, { BPF_RSH }, { BPF_ARSH }, { BPF_DIV }, { BPF_MOD },
		{ BPF_DIV, 1 }, { BPF_MOD, 1 },
	};
	static const u8 regs[] = { BPF_REG_0, BPF_REG_3, BPF_REG_4, BPF_REG_7 };
	static const u64 divisors[] = { 0, -1ull, 0xffffffffull, 1, 7, 35 };
	u32 o, w, d, s, v, n = 0, agree = 0;

	for (o = 0; o < ARRAY_SIZE(ops); o++)
	for (w = 0; w < 2; w++)
	for (d = 0; d < ARRAY_SIZE(regs); d++)
	for (s = 0; s < ARRAY_SIZE(regs); s++)
	for (v = 0; v < ARRAY_SIZE(divisors); v++) {
		u8 dst = regs[d], src = regs[s];
		struct bpf_insn insns[] = {
			BPF64_LD_IMM64(BPF_REG_0, 0x8000000000000000ull),
			BPF64_LD_IMM64(BPF_REG_3, 0xffffffff80000000ull),
			BPF64_LD_IMM64(BPF_REG_4, 0x8070605040302010ull),
			BPF64_LD_IMM64(BPF_REG_7, 0x0123456789abcdefull),
			BPF64_LD_IMM64(src, divisors[v]),
			BPF64_RAW_INSN((w ? BPF_ALU64 : BPF_ALU) | ops[o].op | BPF_X,
				       dst, src, ops[o].off, 0),
			BPF64_RAW_INSN((w ? BPF_ALU64 : BPF_ALU) | ops[o].op | BPF_K,
				       src, 0, ops[o].off, (s32)divisors[v]),
			BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_3),
			BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_4),
			BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_7),
			BPF64_EXIT_INSN(),
		};

		n++;
		agree += diff_insns(insns, ARRAY_SIZE(insns), mem,
				    &difftest_ops, flags);
	}
	TU_CHECK(agree == n,
		 "shifts and divisions, r0/r3/r4/r7 in every role%s: %u of %u agree",
		 flags ? ", no BMI2" : "", agree, n);
}

/* A helper that tells its five arguments apart. */
static u64 mix5(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return r1 * 3 ^ r2 * 5 ^ r3 * 7 ^ r4 * 11 ^ r5 * 13;
}

static const struct bpf64_func_proto mix5_proto = {
	.func = mix5,
	.name = "mix5",
};

static const struct bpf64_func_proto *mix5_get(u32 id,
					       const struct bpf64_prog *prog)
{
	return id == 1 ? &mix5_proto : NULL;
}

static const struct bpf64_prog_ops mix5_ops = {
	.name = "jit-mix5",
	.get_func_proto = mix5_get,
};

/*
 * A helper call with five arguments inside a local call two deep, each
 * function writing r6-r9 and its stack: the caller's must survive.
 */
static void test_calls(const u8 *mem)
{
	const struct bpf_insn insns[] = {
		/* main */
		BPF64_MOV64_IMM(BPF_REG_6, 6), BPF64_MOV64_IMM(BPF_REG_7, 7),
		BPF64_MOV64_IMM(BPF_REG_8, 8), BPF64_MOV64_IMM(BPF_REG_9, 9),
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -8, 42),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_1, 0),
		BPF64_CALL_REL(8),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_6),
		BPF64_ALU64_REG(BPF_MUL, BPF_REG_0, BPF_REG_7),
		BPF64_ALU64_REG(BPF_SUB, BPF_REG_0, BPF_REG_8),
		BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_9),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -8),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1),
		BPF64_EXIT_INSN(),
		BPF64_EXIT_INSN(),		/* never reached */
		/* f(r1): r6..r9 its own, calls g */
		BPF64_MOV64_IMM(BPF_REG_6, 60), BPF64_MOV64_IMM(BPF_REG_9, 90),
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -8, 4242),
		BPF64_CALL_REL(3),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_6),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_9),
		BPF64_EXIT_INSN(),
		/* g(r1): the helper with five arguments */
		BPF64_MOV64_IMM(BPF_REG_7, 700), BPF64_MOV64_IMM(BPF_REG_8, 800),
		BPF64_MOV64_IMM(BPF_REG_2, 2), BPF64_MOV64_IMM(BPF_REG_3, 3),
		BPF64_MOV64_IMM(BPF_REG_4, 4), BPF64_MOV64_REG(BPF_REG_5, BPF_REG_7),
		BPF64_CALL_HELPER(1),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_8),
		BPF64_EXIT_INSN(),
	};

	TU_CHECK(diff_insns(insns, ARRAY_SIZE(insns), mem, &mix5_ops, 0),
		 "helper with five arguments in nested local calls");
}

static void test_edges(u64 seed)
{
	u8 mem[EDGE_MEM];

	progen_fill(mem, sizeof(mem), seed);
	test_atomic_regs(mem);
	test_alu_regs(mem, 0);
	test_alu_regs(mem, BPF64_JIT_F_NO_BMI2);
	test_calls(mem);
}

/* ---- runs with a packet, zeroed frames, blinding: against the interpreter ---- */

/*
 * Run @insns in the trusted interpreter and JITed (with @flags), both
 * from a copy of @tmpl (args, packet); the program's zero_stack is
 * @zero_stack.  Returns 1 when r0 agrees; *r0 gets the JIT's.
 */
static int diff_run(const struct bpf_insn *insns, u32 cnt,
		    const struct bpf64_run *tmpl, bool zero_stack, u32 flags,
		    u64 *r0)
{
	struct bpf64_log log = new_log();
	struct bpf64_jit_image *img = NULL;
	struct bpf64_prog *prog = NULL;
	struct bpf64_run irun = *tmpl, jrun = *tmpl;
	u64 want = 0;
	int err;

	*r0 = 0;
	err = bpf64_prog_create(&prog, insns, cnt, &difftest_ops, &log);
	if (!err) {
		prog->zero_stack = zero_stack;
		err = bpf64_interp_prepare(prog, BPF64_RUN_TRUSTED, &log);
	}
	if (!err)
		err = bpf64_interp_run(prog, &irun, &want);
	if (!err)
		err = bpf64_jit_compile(prog, flags, &log, &img);
	if (!err)
		*r0 = bpf64_jit_run(img, &jrun);
	else
		tu_diag("%d: %s", err, log_buf);
	bpf64_jit_image_free(img);
	bpf64_prog_free(prog);
	if (!err && *r0 != want)
		tu_diag("interpreter 0x%llx, JIT 0x%llx",
			(unsigned long long)want, (unsigned long long)*r0);
	return !err && *r0 == want;
}

#define SKF_NET_OFF	(-0x100000)
#define SKF_LL_OFF	(-0x200000)
#define PKT_FRAME	64
#define PKT_ETH		14
#define PKT_HIT		(1ull << 40)	/* r0 marker: the load did not miss */

/*
 * One LD_ABS / LD_IND with r7 = @src: in the main function, which then
 * folds r1-r5 (kept by both) into r0, or in a local call, where a miss
 * returns 0 from the callee only.
 */
static int ld_pkt_one(u8 mode, u8 size, u64 src, s32 imm, bool in_call,
		      const struct bpf64_run *tmpl)
{
	u8 reg = mode == BPF_IND ? BPF_REG_7 : 0;
	struct bpf_insn main_insns[] = {
		BPF64_MOV64_IMM(BPF_REG_2, 0x2222),
		BPF64_MOV64_IMM(BPF_REG_3, 0x3333),
		BPF64_MOV64_IMM(BPF_REG_4, 0x4444),
		BPF64_MOV64_IMM(BPF_REG_5, 0x5555),
		BPF64_LD_IMM64(BPF_REG_7, src),
		BPF64_RAW_INSN(BPF_LD | mode | size, 0, reg, 0, imm),
		BPF64_LD_IMM64(BPF_REG_6, PKT_HIT),
		BPF64_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_6),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1),
		BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_2),
		BPF64_ALU64_REG(BPF_SUB, BPF_REG_0, BPF_REG_3),
		BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_4),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_5),
		BPF64_EXIT_INSN(),
	};
	struct bpf_insn call_insns[] = {
		BPF64_CALL_REL(2),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_0, 0x7000),
		BPF64_EXIT_INSN(),
		BPF64_LD_IMM64(BPF_REG_7, src),
		BPF64_RAW_INSN(BPF_LD | mode | size, 0, reg, 0, imm),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_0, 0x100000),
		BPF64_EXIT_INSN(),
	};
	u64 r0;

	if (in_call)
		return diff_run(call_insns, ARRAY_SIZE(call_insns), tmpl, false,
				0, &r0);
	return diff_run(main_insns, ARRAY_SIZE(main_insns), tmpl, false, 0,
			&r0);
}

/*
 * LD_ABS / LD_IND: every size at offsets inside, at and past the packet's
 * end, negative ones from SKF_NET_OFF and SKF_LL_OFF (inside, past the
 * end, below), others below 0; LD_IND's 32-bit wrap of src + imm; a
 * socket filter's view (data at the network header), tc's (at the link
 * header), no packet, no network header.
 */
static void test_ld_pkt(u64 seed)
{
	static const s32 offs[] = {
		0, 1, 13, 14, 45, 46, 47, 48, 49, 50, 51, 63, 64, 65,
		0x7fffffff, -1, -2, -0x80000000,
		SKF_NET_OFF, SKF_NET_OFF + 1, SKF_NET_OFF + 46,
		SKF_NET_OFF + 49, SKF_NET_OFF + 50, SKF_NET_OFF - 1,
		SKF_LL_OFF, SKF_LL_OFF + 13, SKF_LL_OFF + 60, SKF_LL_OFF + 63,
		SKF_LL_OFF + 64, SKF_LL_OFF - 1,
	};
	static const struct { u64 src; s32 imm; } ind[] = {
		{ 0xffffffffull, 1 }, { 0x100000005ull, 0 }, { 5, -6 },
		{ (u32)SKF_NET_OFF, 3 }, { (u32)SKF_LL_OFF, 12 },
		{ 0x80000000ull, 0x7fffffff }, { 40, 6 },
	};
	static const u8 sizes[] = { BPF_B, BPF_H, BPF_W };
	u8 frame[PKT_FRAME];
	struct bpf64_run views[4] = { };
	u32 v, z, o, call, n = 0, agree = 0;

	progen_fill(frame, sizeof(frame), seed);
	views[0].pkt = frame + PKT_ETH;		/* socket filter */
	views[0].pkt_len = PKT_FRAME - PKT_ETH;
	views[1].pkt = frame;			/* tc */
	views[1].pkt_len = PKT_FRAME;
	views[2] = views[0];
	views[2].pkt = NULL;			/* no packet at all */
	views[3] = views[0];			/* no network header */
	for (v = 0; v < 4; v++) {
		views[v].pkt_mac = frame;
		views[v].pkt_net = v == 3 ? NULL : frame + PKT_ETH;
		views[v].args[0] = 0x1111;
	}
	for (v = 0; v < ARRAY_SIZE(views); v++)
	for (z = 0; z < ARRAY_SIZE(sizes); z++)
	for (call = 0; call < 2; call++) {
		for (o = 0; o < ARRAY_SIZE(offs); o++) {
			n += 2;
			agree += ld_pkt_one(BPF_ABS, sizes[z], 0, offs[o],
					    call, &views[v]);
			agree += ld_pkt_one(BPF_IND, sizes[z],
					    (u32)offs[o] - 7, 7, call, &views[v]);
		}
		for (o = 0; o < ARRAY_SIZE(ind); o++, n++)
			agree += ld_pkt_one(BPF_IND, sizes[z], ind[o].src,
					    ind[o].imm, call, &views[v]);
	}
	TU_CHECK(agree == n,
		 "LD_ABS / LD_IND: %u of %u agree with the interpreter (hits, misses, SKF_NET_OFF, SKF_LL_OFF, in calls)",
		 agree, n);
}

/*
 * Every slot of the frame [r10 - depth, r10) of main and of a local call:
 * written with -1 (@write), or ORed into r0.  main keeps r6 in both, so
 * the two programs' frames lie at the same addresses when run one after
 * the other from the same place.
 */
static u32 frame_prog(struct bpf_insn *insns, bool write, s32 depth)
{
	struct bpf_insn body[] = {
		BPF64_MOV64_IMM(BPF_REG_4, -1),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, -8),
		write ? BPF64_STX_MEM(BPF_DW, BPF_REG_2, BPF_REG_4, 0) :
			BPF64_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_2, 0),
		BPF64_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_3),
		BPF64_MOV64_REG(BPF_REG_3, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_3, -depth),
		BPF64_JMP_REG(BPF_JGT, BPF_REG_2, BPF_REG_3, -6),
	};
	u32 n = 0, k;

	for (k = 0; k < ARRAY_SIZE(body); k++)		/* main */
		insns[n++] = body[k];
	insns[n++] = BPF64_MOV64_REG(BPF_REG_6, BPF_REG_0);
	insns[n++] = BPF64_CALL_REL(3);
	insns[n++] = BPF64_ALU64_IMM(BPF_LSH, BPF_REG_0, 1);
	insns[n++] = BPF64_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_6);
	insns[n++] = BPF64_EXIT_INSN();
	for (k = 0; k < ARRAY_SIZE(body); k++)		/* the callee */
		insns[n++] = body[k];
	insns[n++] = BPF64_EXIT_INSN();
	return n;
}

/* @depth: as the verifier would hand it over; the whole stack if 0 */
static struct bpf64_jit_image *jit_frame_prog(bool write, bool zero_stack,
					      s32 depth)
{
	struct bpf_insn insns[32];
	struct bpf64_log log = new_log();
	struct bpf64_jit_image *img = NULL;
	struct bpf64_prog *prog = NULL;
	u32 n = frame_prog(insns, write, depth ? depth : BPF64_MAX_STACK);

	if (!bpf64_prog_create(&prog, insns, n, &difftest_ops, &log)) {
		prog->zero_stack = zero_stack;
		prog->stack_verified = depth;
		prog->stack_depth = depth;
		bpf64_jit_compile(prog, 0, &log, &img);
	}
	bpf64_prog_free(prog);
	return img;
}

/*
 * zero_stack: every frame (main and local calls) starts zeroed, as in the
 * interpreter, whole (@depth 0) or as deep as the verifier found
 * (@depth); without it the reader sees what the writer left in the same
 * frames, which shows the check can fail.
 */
static void test_zero_stack(s32 depth)
{
	struct bpf64_jit_image *w = jit_frame_prog(true, false, 0);
	struct bpf64_jit_image *plain = jit_frame_prog(false, false, depth);
	struct bpf64_jit_image *zero = jit_frame_prog(false, true, depth);
	struct bpf_insn insns[32];
	struct bpf64_run run = { };
	u64 args[5] = { }, r_plain = 0, r_zero = 1, r0;
	u32 n = frame_prog(insns, false, depth ? depth : BPF64_MAX_STACK);

	if (w && plain && zero) {
		jit_run(w, args);
		r_plain = jit_run(plain, args);
		jit_run(w, args);
		r_zero = jit_run(zero, args);
	}
	TU_CHECK(r_plain == ~0ull && !r_zero,
		 "zero_stack: main's and a callee's %u-byte frames start zeroed (0x%llx; without it 0x%llx)",
		 depth ? depth : BPF64_MAX_STACK, (unsigned long long)r_zero,
		 (unsigned long long)r_plain);
	TU_CHECK(diff_run(insns, n, &run, true, 0, &r0) && !r0,
		 "zero_stack: the interpreter agrees");
	bpf64_jit_image_free(w);
	bpf64_jit_image_free(plain);
	bpf64_jit_image_free(zero);
}

/* ---- placement, frames, entry, encodings ---- */

/*
 * JIT @insns with the verifier's hand-over faked: a stack depth of @depth
 * bytes (negative: unverified, the whole stack) and @zero_stack.
 */
static struct bpf64_jit_image *jit_with(const struct bpf_insn *insns,
					u32 cnt, s32 depth, bool zero_stack,
					u32 flags)
{
	struct bpf64_log log = new_log();
	struct bpf64_jit_image *img = NULL;
	struct bpf64_prog *prog = NULL;

	if (!bpf64_prog_create(&prog, insns, cnt, &difftest_ops, &log)) {
		prog->stack_verified = depth >= 0;
		prog->stack_depth = depth;
		prog->zero_stack = zero_stack;
		if (bpf64_jit_compile(prog, flags, &log, &img))
			tu_diag("%s", log_buf);
	}
	bpf64_prog_free(prog);
	return img;
}

static bool code_has(const struct bpf64_jit_image *img, const u8 *pat, u32 n)
{
	const u8 *code;
	u32 len, i;

	if (!img)
		return false;
	code = bpf64_jit_code(img, &len);
	for (i = 0; i + n <= len; i++)
		if (!memcmp(code + i, pat, n))
			return true;
	return false;
}

/*
 * A rotate written as clang writes one, in a random form: one copy
 * ("t = a; t >>= w-n; a <<= n; a |= t", shifts in either order, the OR
 * into either register) or two ("t = a; t >>= w-n; u = a; u <<= n;
 * u |= t"), either direction, either width; or a near miss (amounts that
 * do not add up to the width, an arithmetic shift, a third register in
 * the OR).  Returns the count of insns written.
 */
static u32 rotate_run(struct bpf_insn *p, struct progen_rng *rng)
{
	u8 cls = progen_rng_below(rng, 2) ? BPF_ALU64 : BPF_ALU;
	u32 width = cls == BPF_ALU64 ? 64 : 32;
	u32 n = 1 + progen_rng_below(rng, width - 1), m = width - n;
	u8 a = progen_rng_below(rng, 10), t, u, lo = BPF_LSH, hi = BPF_RSH;
	u32 miss = progen_rng_below(rng, 4), k = 0;

	do
		t = progen_rng_below(rng, 10);
	while (t == a);
	do
		u = progen_rng_below(rng, 10);
	while (u == a || u == t);
	if (progen_rng_below(rng, 2)) {
		lo = BPF_RSH;
		hi = BPF_LSH;
	}
	if (miss == 1)
		m = (m + 1) % width;
	if (miss == 2)
		lo = BPF_ARSH;
	p[k++] = BPF64_RAW_INSN(cls | BPF_MOV | BPF_X, t, a, 0, 0);
	p[k++] = BPF64_RAW_INSN(cls | hi | BPF_K, t, 0, 0, m);
	if (progen_rng_below(rng, 2)) {		/* two copies */
		p[k++] = BPF64_RAW_INSN(cls | BPF_MOV | BPF_X, u, a, 0, 0);
		p[k++] = BPF64_RAW_INSN(cls | lo | BPF_K, u, 0, 0, n);
		p[k++] = progen_rng_below(rng, 2) ?
			 BPF64_RAW_INSN(cls | BPF_OR | BPF_X, u,
					miss == 3 ? a : t, 0, 0) :
			 BPF64_RAW_INSN(cls | BPF_OR | BPF_X, t, u, 0, 0);
		return k;
	}
	if (progen_rng_below(rng, 2)) {		/* a's shift first */
		p[k] = p[k - 1];
		p[k - 1] = BPF64_RAW_INSN(cls | lo | BPF_K, a, 0, 0, n);
		k++;
	} else {
		p[k++] = BPF64_RAW_INSN(cls | lo | BPF_K, a, 0, 0, n);
	}
	p[k++] = progen_rng_below(rng, 2) ?
		 BPF64_RAW_INSN(cls | BPF_OR | BPF_X, a, miss == 3 ? u : t,
				0, 0) :
		 BPF64_RAW_INSN(cls | BPF_OR | BPF_X, t, a, 0, 0);
	return k;
}

/*
 * After the runs: a quarter of the programs return at once (r0 alone is
 * seen); the others overwrite or read one register and fold them all
 * into r0.
 */
static u32 rotate_tail(struct bpf_insn *p, struct progen_rng *rng)
{
	u8 r = progen_rng_below(rng, 10);
	u32 k = 0;

	if (progen_rng_below(rng, 4)) {
		p[k++] = progen_rng_below(rng, 2) ?
			 BPF64_MOV64_IMM(r, 77) :
			 BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, r);
		for (r = 1; r < 10; r++) {
			p[k++] = BPF64_ALU64_IMM(BPF_LSH, BPF_REG_0, 5);
			p[k++] = BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, r);
		}
	}
	p[k++] = BPF64_EXIT_INSN();
	return k;
}

/*
 * 3,000 programs against the interpreter, r0 and memory: every register
 * but r1 (the memory) set to a random number, one to three runs that
 * @run writes, then rotate_tail()'s reads, overwrites or return.
 */
static void diff_fused_runs(const char *what, u64 seed,
			    u32 (*run)(struct bpf_insn *, struct progen_rng *))
{
	struct bpf_insn insns[96];
	struct progen_rng rng;
	u32 i, k, runs, agree = 0, count = 3000;
	u8 mem[EDGE_MEM], r;
	u64 v;

	progen_fill(mem, sizeof(mem), seed);
	progen_rng_seed(&rng, seed);
	for (i = 0; i < count; i++) {
		k = 0;
		for (r = 0; r < 10; r++) {
			if (r == BPF_REG_1)
				continue;
			v = progen_rng_next(&rng);
			insns[k++] = BPF64_RAW_INSN(BPF_LD | BPF_DW | BPF_IMM,
						    r, 0, 0, (u32)v);
			insns[k++] = BPF64_RAW_INSN(0, 0, 0, 0, v >> 32);
		}
		runs = 1 + progen_rng_below(&rng, 3);
		while (runs--)
			k += run(insns + k, &rng);
		k += rotate_tail(insns + k, &rng);
		agree += diff_insns(insns, k, mem, &difftest_ops, 0);
	}
	TU_CHECK(agree == count, "%s and near misses: %u of %u agree", what,
		 agree, count);
}

/*
 * Rotates: jhash's form as one rol, and random runs against the
 * interpreter (diff_fused_runs).
 */
static void test_rotates(u64 seed)
{
	/* jhash's rol32(a, 4): edx = rol(esi, 4), with no OR */
	const struct bpf_insn jhash_rol[] = {
		BPF64_MOV64_IMM(BPF_REG_2, 0x12345678),
		BPF64_MOV32_REG(BPF_REG_1, BPF_REG_2),
		BPF64_ALU32_IMM(BPF_RSH, BPF_REG_1, 28),
		BPF64_MOV32_REG(BPF_REG_3, BPF_REG_2),
		BPF64_ALU32_IMM(BPF_LSH, BPF_REG_3, 4),
		BPF64_ALU32_REG(BPF_OR, BPF_REG_3, BPF_REG_1),
		BPF64_MOV64_REG(BPF_REG_0, BPF_REG_3),
		BPF64_EXIT_INSN(),
	};
	static const u8 rol_edx_4[] = { 0xc1, 0xc2, 0x04 };
	struct bpf64_jit_image *img;
	u64 args[5] = { };

	img = jit_with(jhash_rol, ARRAY_SIZE(jhash_rol), 0, false, 0);
	TU_CHECK(code_has(img, rol_edx_4, sizeof(rol_edx_4)) &&
		 jit_run(img, args) == 0x23456781,
		 "jhash's rotate is one rol");
	bpf64_jit_image_free(img);
	diff_fused_runs("rotate runs", seed, rotate_run);
}

/* A register of r0 and r2-r9 (r1 keeps the memory's address). */
static u8 not_r1(struct progen_rng *rng)
{
	u8 r = progen_rng_below(rng, 9);

	return r ? r + 1 : 0;
}

/*
 * An access at an address computed as clang does, "a = b; a += x; load
 * or store at a + off", with b the memory, x an offset: every size, sign
 * extension, registers in every role, and a near miss (the store stores
 * a).  Returns the count of insns written.
 */
static u32 address_run(struct bpf_insn *p, struct progen_rng *rng)
{
	static const u8 sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	u8 size = sizes[progen_rng_below(rng, 4)], b, x, a, v;
	s16 off = progen_rng_below(rng, 24);
	u32 k = 0;

	b = progen_rng_below(rng, 4) ? not_r1(rng) : BPF_REG_1;
	do
		x = not_r1(rng);
	while (x == b);
	do
		a = not_r1(rng);
	while (a == b || a == x);
	v = progen_rng_below(rng, 8) ? not_r1(rng) : a;
	if (b != BPF_REG_1)
		p[k++] = BPF64_MOV64_REG(b, BPF_REG_1);
	p[k++] = BPF64_MOV64_IMM(x, progen_rng_below(rng, 32));
	p[k++] = BPF64_MOV64_REG(a, b);
	p[k++] = BPF64_ALU64_REG(BPF_ADD, a, x);
	if (progen_rng_below(rng, 2))
		p[k++] = BPF64_STX_MEM(size, a, v, off);
	else
		p[k++] = BPF64_RAW_INSN(BPF_LDX | size |
					(size != BPF_DW &&
					 progen_rng_below(rng, 2) ?
					 BPF_MEMSX : BPF_MEM), v, a, off, 0);
	return k;
}

/*
 * Fused addresses: an indexed byte load as one movzx, and random accesses
 * against the interpreter (diff_fused_runs).
 */
static void test_addresses(u64 seed)
{
	/* a byte of an array: movzx r8d, [rdi + rsi - 6] */
	const struct bpf_insn byte_at[] = {
		BPF64_MOV64_IMM(BPF_REG_2, 9),
		BPF64_MOV64_REG(BPF_REG_4, BPF_REG_1),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_4, BPF_REG_2),
		BPF64_LDX_MEM(BPF_B, BPF_REG_5, BPF_REG_4, -6),
		BPF64_MOV64_REG(BPF_REG_0, BPF_REG_5),
		BPF64_EXIT_INSN(),
	};
	static const u8 movzx_sib[] = { 0x44, 0x0f, 0xb6, 0x44, 0x37, 0xfa };
	struct bpf64_jit_image *img;
	u8 mem[EDGE_MEM];
	u64 args[5] = { (u64)(unsigned long)mem };

	progen_fill(mem, sizeof(mem), seed);
	img = jit_with(byte_at, ARRAY_SIZE(byte_at), 0, false, 0);
	TU_CHECK(code_has(img, movzx_sib, sizeof(movzx_sib)) &&
		 jit_run(img, args) == mem[3],
		 "an indexed byte load is one movzx [base + index + off]");
	bpf64_jit_image_free(img);
	diff_fused_runs("fused addresses", seed, address_run);
}

/*
 * A program of @loops loops, each running 3 times over a body of random
 * ALU instructions (immediates of 1, 2 and 4 bytes, so that code lands at
 * every offset) and forward jumps inside the body, some far enough to be
 * long.  Returns its length.
 */
static u32 placement_prog(struct bpf_insn *insns, u32 loops,
			  struct progen_rng *rng)
{
	static const u8 regs[] = { BPF_REG_0, BPF_REG_3, BPF_REG_4, BPF_REG_6,
				   BPF_REG_9 };
	static const s32 imms[] = { 0, 1, 100, 1000, 0x12345678, -5 };
	static const u8 conds[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JSLT,
				    BPF_JSET };
	u32 n = 0, l, k, body, r;
	u8 dst;

	for (k = 0; k < ARRAY_SIZE(regs); k++)
		insns[n++] = BPF64_MOV64_IMM(regs[k], k * 77);
	for (l = 0; l < loops; l++) {
		u32 head;

		body = 4 + (u32)progen_rng_next(rng) % 60;
		insns[n++] = BPF64_MOV64_IMM(BPF_REG_2, 3);
		head = n;
		for (k = 0; k < body; k++) {
			r = (u32)progen_rng_next(rng);
			dst = regs[r % ARRAY_SIZE(regs)];
			if (r % 7 == 0) {
				insns[n++] = BPF64_JMP_IMM(conds[r / 7 % 5],
					dst, imms[r / 35 % 6],
					r / 210 % (body - k));
			} else if (r % 7 == 1) {
				insns[n++] = BPF64_JMP_IMM(BPF_JA, 0, 0,
							   r / 7 % (body - k));
			} else {
				insns[n++] = (r & 64) ?
					BPF64_ALU64_IMM(BPF_ADD, dst,
							imms[r / 7 % 6]) :
					BPF64_ALU32_IMM(BPF_XOR, dst,
							imms[r / 7 % 6]);
			}
		}
		insns[n++] = BPF64_ALU64_IMM(BPF_SUB, BPF_REG_2, 1);
		insns[n] = BPF64_JMP_IMM(BPF_JNE, BPF_REG_2, 0, head - n - 1);
		n++;
	}
	for (k = 1; k < ARRAY_SIZE(regs); k++)
		insns[n++] = BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, regs[k]);
	insns[n++] = BPF64_EXIT_INSN();
	return n;
}

struct x86_insn {
	unsigned long addr;
	char op[16];
	unsigned long target;	/* of a jump */
};

/*
 * The image's instructions as objdump decodes them; a count, 0 when
 * objdump is missing or fails.
 */
static u32 objdump_image(const struct bpf64_jit_image *img,
			 struct x86_insn *out, u32 max)
{
	char path[] = "/tmp/test_jit.XXXXXX", cmd[128], line[256], *p;
	const u8 *code;
	u32 len, n = 0;
	FILE *f;
	int fd;

	code = bpf64_jit_code(img, &len);
	fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, code, len) != (ssize_t)len)
		len = 0;
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "objdump -D -b binary -mi386:x86-64 %s 2>/dev/null", path);
	f = len ? popen(cmd, "r") : NULL;
	while (f && fgets(line, sizeof(line), f) && n < max) {
		struct x86_insn *x = &out[n];

		x->addr = strtoul(line, &p, 16);
		if (*p != ':' || !(p = strchr(p + 2, '\t')))
			continue;	/* not code, or a line of more bytes */
		if (sscanf(p, "%15s %lx", x->op, &x->target) < 1)
			continue;
		n++;
	}
	if (f && pclose(f))
		n = 0;
	unlink(path);
	if (n < max)
		out[n].addr = len;	/* where the last instruction ends */
	return n < max ? n : 0;
}

/*
 * Every jump with the compare that fuses with it lies within one 32-byte
 * block, and every target of a backward jump starts one; @why gets what
 * broke.
 */
static bool placement_ok(const struct x86_insn *x, u32 n, char *why,
			 size_t size)
{
	unsigned long start;
	u32 i;

	for (i = 0; i < n; i++) {
		if (x[i].op[0] != 'j')
			continue;
		start = x[i].addr;
		if (i && (!strncmp(x[i - 1].op, "cmp", 3) ||
			  !strncmp(x[i - 1].op, "test", 4)))
			start = x[i - 1].addr;
		if (start >> 5 != x[i + 1].addr >> 5) {
			snprintf(why, size, "%s at 0x%lx..0x%lx crosses or ends at a 32-byte boundary",
				 x[i].op, start, x[i + 1].addr);
			return false;
		}
		if (x[i].target <= x[i].addr && x[i].target & 31) {
			snprintf(why, size, "loop head 0x%lx not aligned",
				 x[i].target);
			return false;
		}
	}
	return true;
}

#define PLACEMENT_PROGS	200

static void test_placement(u64 seed)
{
	static struct bpf_insn insns[8 * 70 + 16];
	static struct x86_insn x[4096];
	struct progen_rng rng;
	u32 i, n, placed = 0, agree = 0, jumps = 0, loops = 0;
	char why[128] = "";
	u8 mem[EDGE_MEM] = { };

	progen_rng_seed(&rng, seed);
	for (i = 0; i < PLACEMENT_PROGS; i++) {
		struct bpf64_jit_image *img;
		u32 k, cnt = placement_prog(insns, 1 + i % 8, &rng);

		img = jit_with(insns, cnt, -1, false, BPF64_JIT_F_JCC_PAD);
		n = img ? objdump_image(img, x, ARRAY_SIZE(x) - 1) : 0;
		bpf64_jit_image_free(img);
		if (!n) {
			tu_skip("objdump cannot decode the images");
			return;
		}
		for (k = 0; k < n; k++) {
			jumps += x[k].op[0] == 'j';
			loops += x[k].op[0] == 'j' && x[k].target <= x[k].addr;
		}
		if (placement_ok(x, n, why, sizeof(why)))
			placed++;
		else if (placed == i)
			tu_diag("program %u: %s", i, why);
		agree += diff_insns(insns, cnt, mem, &difftest_ops,
				    BPF64_JIT_F_JCC_PAD);
	}
	TU_CHECK(placed == PLACEMENT_PROGS && loops >= PLACEMENT_PROGS,
		 "placement: %u jumps (%u backward) in %u programs: %u with every loop head 32-byte aligned and no jump across or at a 32-byte boundary",
		 jumps, loops, PLACEMENT_PROGS, placed);
	TU_CHECK(agree == PLACEMENT_PROGS,
		 "placement: %u of %u padded programs agree with the interpreter",
		 agree, PLACEMENT_PROGS);
}

/* sub rsp, imm8 / imm32 */
static const u8 sub_rsp8[] = { 0x48, 0x83, 0xec }, sub_rsp32[] = { 0x48, 0x81, 0xec };

/*
 * Each function reserves the verifier's depth rounded to 8 (and 8 more
 * when it keeps rsp 16-byte aligned), none without stack; unverified
 * programs the whole stack.
 */
static void test_frames(void)
{
	const struct bpf_insn insns[] = {
		BPF64_MOV64_IMM(BPF_REG_1, 7),
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -24),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -24),
		BPF64_EXIT_INSN(),
	};
	const struct bpf_insn none[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 7),
		BPF64_EXIT_INSN(),
	};
	const u8 sub32[] = { 0x48, 0x83, 0xec, 32 };
	const u8 sub512[] = { 0x48, 0x81, 0xec, 0, 2, 0, 0 };
	const u8 push_rbp[] = { 0x55 };
	struct bpf64_jit_image *d24 = jit_with(insns, 4, 20, false, 0);
	struct bpf64_jit_image *full = jit_with(insns, 4, -1, false, 0);
	struct bpf64_jit_image *d0 = jit_with(none, 2, 0, false, 0);
	struct bpf64_log log = new_log();
	struct bpf64_prog *prog = NULL;
	u64 args[5] = { };

	TU_CHECK(code_has(d24, sub32, 4) && !code_has(d24, sub512, 7) &&
		 jit_run(d24, args) == 7,
		 "frames: a depth of 20 reserves 24 + 8 for alignment (sub rsp, 32) and runs");
	TU_CHECK(code_has(full, sub512, 7),
		 "frames: an unverified program reserves 512 bytes");
	TU_CHECK(d0 && !code_has(d0, sub_rsp8, 3) &&
		 !code_has(d0, sub_rsp32, 3) && !code_has(d0, push_rbp, 1) &&
		 jit_run(d0, args) == 7,
		 "frames: a leaf without stack has no frame (no push rbp, no sub rsp)");
	TU_CHECK(code_has(d24, push_rbp, 1),
		 "frames: a function with stack sets rbp up");
	if (!bpf64_prog_create(&prog, insns, 4, &difftest_ops, &log))
		bpf64_verify(prog, &log);
	TU_CHECK(prog && prog->stack_verified && prog->stack_depth == 24,
		 "frames: the verifier hands over a depth of 24 (%u)",
		 prog ? prog->stack_depth : 0);
	bpf64_prog_free(prog);
	bpf64_jit_image_free(d24);
	bpf64_jit_image_free(full);
	bpf64_jit_image_free(d0);
}

/*
 * The stub that keeps the run state in r12 only where a tail call or a
 * packet load needs it: otherwise the image is the main function.
 */
static void test_entry(void)
{
	const struct bpf_insn plain[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 3),
		BPF64_EXIT_INSN(),
	};
	const struct bpf_insn ld[] = {
		BPF64_MOV64_REG(BPF_REG_6, BPF_REG_1),
		BPF64_RAW_INSN(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 0),
		BPF64_EXIT_INSN(),
	};
	struct bpf64_jit_image *a = jit_with(plain, 2, -1, false, 0);
	struct bpf64_jit_image *b = jit_with(ld, 3, -1, false, 0);
	const u8 *ca = NULL, *cb = NULL;
	u64 args[5] = { };
	u32 len;

	if (a)
		ca = bpf64_jit_code(a, &len);
	if (b)
		cb = bpf64_jit_code(b, &len);
	TU_CHECK(ca && ca[0] == 0x55 && jit_run(a, args) == 3,
		 "entry: without tail calls or packet loads the image starts with push rbp, no stub");
	TU_CHECK(cb && cb[0] == 0x41 && cb[1] == 0x54,
		 "entry: a packet load keeps the stub (push r12)");
	bpf64_jit_image_free(a);
	bpf64_jit_image_free(b);
}

/* shlx / shrx / sarx where the CPU has BMI2 unless told not to. */
static void test_bmi2(void)
{
	const struct bpf_insn insns[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 0x123),
		BPF64_MOV64_IMM(BPF_REG_4, 3),
		BPF64_ALU64_REG(BPF_LSH, BPF_REG_0, BPF_REG_4),
		BPF64_EXIT_INSN(),
	};
	const u8 shlx[] = { 0xc4, 0xe2, 0xf1, 0xf7, 0xc0 };	/* rax, rax, rcx */
	struct bpf64_jit_image *on = jit_with(insns, 4, -1, false, 0);
	struct bpf64_jit_image *off = jit_with(insns, 4, -1, false,
					       BPF64_JIT_F_NO_BMI2);
	bool bmi2 = __builtin_cpu_supports("bmi2");
	u64 args[5] = { };

	TU_CHECK(on && off && code_has(on, shlx, 5) == bmi2 &&
		 !code_has(off, shlx, 5) && jit_run(on, args) == 0x918 &&
		 jit_run(off, args) == 0x918,
		 "BMI2: shlx %s, and not with BPF64_JIT_F_NO_BMI2",
		 bmi2 ? "used" : "not used (the CPU lacks BMI2)");
	bpf64_jit_image_free(on);
	bpf64_jit_image_free(off);
}

/* ---- tail calls: bpf64 with the JIT on, off, blinding; and Linux ---- */

#define TC_SLOTS	40
#define TC_CHAIN	36	/* programs in slots 0..35, each calling the next */
#define TC_FAIL		1000	/* what a program returns after a failed call */

struct tail_env {
	const struct bpf64_backend *be;
	int pa, cnt;		/* the PROG_ARRAY, the one-counter ARRAY */
	int fds[TC_SLOTS + 8];
	u32 nr_fds;
	u32 jited;		/* bpf64: how many of them have an image */
};

/* The results every side must agree on. */
struct tail_result {
	int err;
	u32 progs, jited;		/* not compared with Linux */
	u32 chain_ret, chain_cnt;	/* the chain of distinct programs */
	u32 self_cnt, repeat_cnt;	/* slot 0 calling itself; 3 runs */
	u32 past_ret, past_cnt;		/* index == max_entries */
	u32 empty_ret, empty_cnt;	/* an empty slot */
	u32 ctx_ret, direct_ret;	/* the target reads skb->len */
};

static int tail_load(struct tail_env *e, const struct bpf_insn *insns,
		     u32 cnt)
{
	struct bpf64_load_opts lo = {
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
		.log_buf = log_buf, .log_size = sizeof(log_buf),
	};
	int fd = bpf64_prog_load(e->be, insns, cnt, &lo);

	struct bpf64_prog *prog;
	int err;

	if (fd < 0) {
		tu_diag("%s: load: %d: %s", e->be->name, fd, log_buf);
		return fd;
	}
	e->fds[e->nr_fds++] = fd;
	if (e->be == &bpf64_backend_hosted) {
		prog = bpf64_prog_get_by_fd(fd, &err);
		e->jited += prog && prog->jit;
		if (prog)
			bpf64_prog_put(prog);
	}
	return fd;
}

/* counter += 1; tail call @slot; return TC_FAIL + @tag if that failed. */
static int tail_counter(struct tail_env *e, s32 slot, s32 tag)
{
	const struct bpf_insn insns[] = {
		BPF64_MOV64_REG(BPF_REG_6, BPF_REG_1),
		BPF64_ST_MEM(BPF_W, BPF_REG_10, -4, 0),
		BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
		BPF64_LD_MAP_FD(BPF_REG_1, e->cnt),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 7),
		BPF64_MOV64_IMM(BPF_REG_1, 1),
		BPF64_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_0, BPF_REG_1, 0),
		BPF64_MOV64_REG(BPF_REG_1, BPF_REG_6),
		BPF64_LD_MAP_FD(BPF_REG_2, e->pa),
		BPF64_MOV64_IMM(BPF_REG_3, slot),
		BPF64_CALL_HELPER(BPF_FUNC_tail_call),
		BPF64_MOV64_IMM(BPF_REG_0, TC_FAIL + tag),
		BPF64_EXIT_INSN(),
	};

	return tail_load(e, insns, ARRAY_SIZE(insns));
}

/* Run @fd (@repeat times) on a 64-byte packet; the counter, then reset. */
static int tail_run(struct tail_env *e, int fd, u32 repeat, u32 *ret,
		    u32 *count)
{
	u8 pkt[64] = { [0] = 2, [6] = 4 };
	struct bpf64_test_opts to = {
		.data_in = pkt, .data_size_in = sizeof(pkt), .repeat = repeat,
	};
	u32 key = 0;
	u64 v = 0;
	int err = bpf64_prog_test_run(e->be, fd, &to);

	*ret = to.retval;
	if (!err)
		err = bpf64_map_lookup(e->be, e->cnt, &key, &v, 0);
	*count = v;
	v = 0;
	if (!err)
		err = bpf64_map_update(e->be, e->cnt, &key, &v, BPF_ANY);
	return err;
}

static int tail_set(struct tail_env *e, u32 slot, int fd)
{
	return bpf64_map_update(e->be, e->pa, &slot, &fd, BPF_ANY);
}

static int tail_scenarios(struct tail_env *e, struct tail_result *r)
{
	const struct bpf_insn read_len[] = {
		BPF64_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_1,
			      offsetof(struct __sk_buff, len)),
		BPF64_EXIT_INSN(),
	};
	int fd, first = -1, self, past, empty, jumper, target, err = 0;
	u32 i, dummy;

	for (i = 0; i < TC_CHAIN && !err; i++) {
		fd = tail_counter(e, i + 1, i);
		err = fd < 0 ? fd : tail_set(e, i, fd);
		first = i ? first : fd;
	}
	if (err)
		return err;
	err = tail_run(e, first, 1, &r->chain_ret, &r->chain_cnt);
	self = tail_counter(e, 0, 0);
	past = tail_counter(e, TC_SLOTS, 0);
	empty = tail_counter(e, TC_SLOTS - 1, 0);
	jumper = tail_counter(e, TC_SLOTS - 2, 0);
	target = tail_load(e, read_len, ARRAY_SIZE(read_len));
	if (self < 0 || past < 0 || empty < 0 || jumper < 0 || target < 0)
		return -EINVAL;
	err = err ?: tail_set(e, 0, self);
	err = err ?: tail_run(e, self, 1, &dummy, &r->self_cnt);
	err = err ?: tail_run(e, self, 3, &dummy, &r->repeat_cnt);
	err = err ?: tail_run(e, past, 1, &r->past_ret, &r->past_cnt);
	err = err ?: tail_run(e, empty, 1, &r->empty_ret, &r->empty_cnt);
	err = err ?: tail_set(e, TC_SLOTS - 2, target);
	err = err ?: tail_run(e, jumper, 1, &r->ctx_ret, &dummy);
	err = err ?: tail_run(e, target, 1, &r->direct_ret, &dummy);
	return err;
}

static void tail_side(const struct bpf64_backend *be, struct tail_result *r)
{
	struct tail_env e = { .be = be };
	u32 i;

	memset(r, 0, sizeof(*r));
	e.pa = bpf64_map_create(be, BPF_MAP_TYPE_PROG_ARRAY, "jit_pa", 4, 4,
				TC_SLOTS, 0);
	e.cnt = bpf64_map_create(be, BPF_MAP_TYPE_ARRAY, "jit_cnt", 4, 8, 1,
				 0);
	r->err = e.pa < 0 ? e.pa : e.cnt < 0 ? e.cnt : tail_scenarios(&e, r);
	r->progs = e.nr_fds;
	r->jited = e.jited;
	for (i = 0; i < e.nr_fds; i++)
		be->close(e.fds[i]);
	if (e.pa >= 0)
		be->close(e.pa);
	if (e.cnt >= 0)
		be->close(e.cnt);
}

static bool tail_expected(const struct tail_result *r)
{
	return !r->err && r->chain_cnt == BPF64_MAX_TAIL_CALL_CNT + 1 &&
	       r->chain_ret == TC_FAIL + BPF64_MAX_TAIL_CALL_CNT &&
	       r->self_cnt == BPF64_MAX_TAIL_CALL_CNT + 1 &&
	       r->repeat_cnt == 3 * (BPF64_MAX_TAIL_CALL_CNT + 1) &&
	       r->past_ret == TC_FAIL && r->past_cnt == 1 &&
	       r->empty_ret == TC_FAIL && r->empty_cnt == 1 &&
	       r->ctx_ret == r->direct_ret && r->ctx_ret;
}

/*
 * The same tail call scenarios on every side: a chain of 36 programs
 * stops after exactly 33 tail calls (its 34th program's call fails), so
 * does a program calling itself, the count starts again with each run,
 * an index past max_entries and an empty slot fall through, the target
 * gets the caller's context.  bpf64 runs them JITed (checked: the
 * programs have images), interpreted and JITed with blinding.
 */
static void test_tail_calls(void)
{
	static const struct { const char *name; int jit, harden; } sides[] = {
		{ "bpf64 JIT", 1, 0 }, { "bpf64 interpreter", 0, 0 },
		{ "bpf64 JIT blinded", 1, 1 },
	};
	int jit = bpf64_jit_enable, harden = bpf64_jit_harden;
	struct tail_result r[4];
	const struct bpf64_backend *be;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(sides); i++) {
		bpf64_jit_enable = sides[i].jit;
		bpf64_jit_harden = sides[i].harden;
		tail_side(&bpf64_backend_hosted, &r[i]);
		TU_CHECK(r[i].jited == (sides[i].jit ? r[i].progs : 0),
			 "%s: %u of %u programs JITed", sides[i].name,
			 r[i].jited, r[i].progs);
		TU_CHECK(tail_expected(&r[i]),
			 "%s: tail calls: chain %u runs (returns %u), self %u, 3 runs %u, past the end %u/%u, empty %u/%u, ctx %u = %u",
			 sides[i].name, r[i].chain_cnt, r[i].chain_ret,
			 r[i].self_cnt, r[i].repeat_cnt, r[i].past_cnt,
			 r[i].past_ret, r[i].empty_cnt, r[i].empty_ret,
			 r[i].ctx_ret, r[i].direct_ret);
		if (r[i].err)
			tu_diag("error %d", r[i].err);
	}
	bpf64_jit_enable = jit;
	bpf64_jit_harden = harden;
	be = bu_backend(1, __func__);
	if (!be)
		return;
	tail_side(be, &r[3]);
	r[3].jited = r[0].jited;
	TU_CHECK(!memcmp(&r[3], &r[0], sizeof(r[0])),
		 "linux: the same tail call results (chain %u runs, returns %u)",
		 r[3].chain_cnt, r[3].chain_ret);
}

/* Fill the whole frame with -1, then tail call @slot. */
static int stack_filler(struct tail_env *e, s32 slot)
{
	const struct bpf_insn call[] = {
		BPF64_LD_MAP_FD(BPF_REG_2, e->pa),
		BPF64_MOV64_IMM(BPF_REG_3, slot),
		BPF64_CALL_HELPER(BPF_FUNC_tail_call),
		BPF64_MOV64_IMM(BPF_REG_0, TC_FAIL),
		BPF64_EXIT_INSN(),
	};
	struct bpf_insn insns[BPF64_MAX_STACK / 8 + ARRAY_SIZE(call)];
	u32 n = 0, k;

	for (k = 1; k <= BPF64_MAX_STACK / 8; k++)
		insns[n++] = BPF64_ST_MEM(BPF_DW, BPF_REG_10, -8 * k, -1);
	memcpy(insns + n, call, sizeof(call));
	return tail_load(e, insns, n + ARRAY_SIZE(call));
}

/* r0 = the OR of every slot of a frame it never wrote. */
static int stack_reader(struct tail_env *e)
{
	struct bpf_insn insns[2 * BPF64_MAX_STACK / 8 + 2];
	u32 n = 0, k;

	insns[n++] = BPF64_MOV64_IMM(BPF_REG_0, 0);
	for (k = 1; k <= BPF64_MAX_STACK / 8; k++) {
		insns[n++] = BPF64_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_10,
					   -8 * k);
		insns[n++] = BPF64_ALU64_REG(BPF_OR, BPF_REG_0, BPF_REG_2);
	}
	insns[n++] = BPF64_EXIT_INSN();
	return tail_load(e, insns, n);
}

/*
 * Two things only bpf64 can say.  A tail call from a JITed program into
 * one loaded while the JIT was off (no image) fails and falls through:
 * Linux never gets there, as it refuses to mix JITed and interpreted
 * programs in one PROG_ARRAY.  And a target that reads stack it never
 * wrote (root may) starts with a zeroed frame, although the caller filled
 * the same frame: Linux leaves whatever was there, which is not a value
 * to compare.
 */
static int new_prog_array(struct tail_env *e)
{
	if (e->pa >= 0)
		e->be->close(e->pa);
	e->pa = bpf64_map_create(e->be, BPF_MAP_TYPE_PROG_ARRAY, "jit_pa", 4,
				 4, 4, 0);
	return e->pa;
}

static void test_tail_bpf64_only(void)
{
	struct tail_env e = { .be = &bpf64_backend_hosted, .pa = -1 };
	int jit = bpf64_jit_enable, caller, target, err, k;
	struct bpf64_prog *prog;
	u32 ret = 0, count = 0, mode;
	bool zero = false;

	new_prog_array(&e);
	e.cnt = bpf64_map_create(e.be, BPF_MAP_TYPE_ARRAY, "jit_cnt", 4, 8,
				 1, 0);
	bpf64_jit_enable = 1;
	caller = tail_counter(&e, 1, 0);
	bpf64_jit_enable = 0;
	target = tail_counter(&e, 2, 5);
	k = tail_load(&e, (const struct bpf_insn[]){
		BPF64_MOV64_IMM(BPF_REG_0, 1), BPF64_EXIT_INSN() }, 2);
	err = tail_set(&e, 1, k);
	bpf64_jit_enable = jit;
	TU_CHECK(caller >= 0 && target == -EINVAL && err == -EINVAL,
		 "bpf64: a PROG_ARRAY of JITed programs takes no interpreted one, to call through or to hold (%d, %d, %d)",
		 caller, target, err);

	for (mode = 0; mode < 2; mode++) {
		new_prog_array(&e);
		bpf64_jit_enable = mode;
		caller = stack_filler(&e, 2);
		target = stack_reader(&e);
		bpf64_jit_enable = jit;
		prog = bpf64_prog_get_by_fd(target, &err);
		zero = prog && prog->zero_stack && !prog->jit == !mode;
		if (prog)
			bpf64_prog_put(prog);
		err = tail_set(&e, 2, target) ?:
		      tail_run(&e, caller, 1, &ret, &count);
		TU_CHECK(!err && zero && !ret,
			 "bpf64 %s: a tail call target with zero_stack gets its frame zeroed (%d, %u)",
			 mode ? "JIT" : "interpreter", err, ret);
	}
	tu_skip("linux: the tail call target's unwritten stack: Linux leaves what was there");
	for (k = 0; k < (int)e.nr_fds; k++)
		e.be->close(e.fds[k]);
	e.be->close(e.pa);
	e.be->close(e.cnt);
}

/* ---- constant blinding ---- */

#define BLIND_MAX_IMMS	160

/* A 32-bit immediate of four distinct bytes, none 0x00 or 0xff. */
static s32 distinct_imm(struct progen_rng *rng)
{
	u8 b[4];
	u32 i, j, v;

	for (i = 0; i < 4; i++) {
		do {
			b[i] = 1 + progen_rng_below(rng, 254);
			for (j = 0; j < i && b[j] != b[i]; j++)
				;
		} while (j < i);
	}
	memcpy(&v, b, 4);
	return v;
}

struct blind_prog {
	struct bpf_insn insns[512];
	u32 len;
	s32 imms[BLIND_MAX_IMMS];	/* each emitted whole when not blinded */
	u32 nr_imms;
};

static s32 take_imm(struct blind_prog *b, struct progen_rng *rng, bool whole)
{
	s32 imm = distinct_imm(rng);

	if (whole)
		b->imms[b->nr_imms++] = imm;
	return imm;
}

#define EMIT(insn)	(b->insns[b->len++] = (struct bpf_insn)insn)

static void emit_ldimm64(struct blind_prog *b, u8 dst, u64 v)
{
	const struct bpf_insn two[] = { BPF64_LD_IMM64(dst, v) };

	memcpy(b->insns + b->len, two, sizeof(two));
	b->len += 2;
}

/*
 * Straight-line code with a distinctive immediate in every form that
 * carries one: ALU and ALU64 K operations, JMP and JMP32 K conditions,
 * stores of every size, LD_IMM64 halves, LD_ABS and LD_IND (in local
 * calls, as their offsets miss and return 0 from the callee).
 */
static void blind_prog_gen(struct blind_prog *b, u64 seed)
{
	static const u8 alu[] = { BPF_ADD, BPF_SUB, BPF_AND, BPF_OR, BPF_XOR,
				  BPF_MUL, BPF_MOV, BPF_DIV, BPF_MOD };
	static const u8 jmp[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT,
				  BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT,
				  BPF_JSLE, BPF_JSET };
	static const u8 st[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	struct progen_rng rng;
	u32 i, w;
	s32 lo, hi;

	progen_rng_seed(&rng, seed);
	b->len = b->nr_imms = 0;
	EMIT(BPF64_MOV64_IMM(BPF_REG_0, 0));
	emit_ldimm64(b, BPF_REG_2, 0x0123456789abcdefull);
	for (w = 0; w < 2; w++) {
		for (i = 0; i < ARRAY_SIZE(alu); i++) {
			EMIT(BPF64_RAW_INSN((w ? BPF_ALU64 : BPF_ALU) | alu[i] |
					    BPF_K, BPF_REG_2, 0,
					    alu[i] == BPF_DIV ||
					    alu[i] == BPF_MOD ? w : 0,
					    take_imm(b, &rng, true)));
			EMIT(BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_2));
		}
		for (i = 0; i < ARRAY_SIZE(jmp); i++) {
			EMIT(BPF64_RAW_INSN((w ? BPF_JMP : BPF_JMP32) | jmp[i] |
					    BPF_K, BPF_REG_0, 0, 1,
					    take_imm(b, &rng, true)));
			EMIT(BPF64_ALU64_IMM(BPF_ADD, BPF_REG_0, i + 1));
		}
	}
	for (i = 0; i < ARRAY_SIZE(st); i++) {
		EMIT(BPF64_ST_MEM(st[i], BPF_REG_10, -8 * (i + 1),
				  take_imm(b, &rng, st[i] == BPF_W ||
						    st[i] == BPF_DW)));
		EMIT(BPF64_LDX_MEM(st[i], BPF_REG_3, BPF_REG_10, -8 * (i + 1)));
		EMIT(BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_3));
	}
	lo = take_imm(b, &rng, true);
	hi = take_imm(b, &rng, true);
	emit_ldimm64(b, BPF_REG_3, (u64)(u32)hi << 32 | (u32)lo);
	EMIT(BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_3));
	EMIT(BPF64_MOV64_REG(BPF_REG_6, BPF_REG_0));
	EMIT(BPF64_CALL_REL(3));
	EMIT(BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_6));
	EMIT(BPF64_EXIT_INSN());
	EMIT(BPF64_EXIT_INSN());			/* never reached */
	/* the callee: a hit, then a miss of each kind */
	EMIT(BPF64_RAW_INSN(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 2));
	EMIT(BPF64_MOV64_REG(BPF_REG_7, BPF_REG_0));
	EMIT(BPF64_CALL_REL(3));
	EMIT(BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_7));
	EMIT(BPF64_EXIT_INSN());
	EMIT(BPF64_EXIT_INSN());			/* never reached */
	EMIT(BPF64_MOV64_IMM(BPF_REG_7, 3));
	EMIT(BPF64_RAW_INSN(BPF_LD | BPF_IND | BPF_H, 0, BPF_REG_7, 0,
			    take_imm(b, &rng, true)));
	EMIT(BPF64_RAW_INSN(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0,
			    take_imm(b, &rng, true)));
	EMIT(BPF64_EXIT_INSN());
}

static bool image_has(const u8 *code, u32 len, s32 imm)
{
	u32 i;

	for (i = 0; i + 4 <= len; i++)
		if (!memcmp(code + i, &imm, 4))
			return true;
	return false;
}

/* How many of @b's whole immediates the image of @flags holds. */
static int blind_found(const struct blind_prog *b, u32 flags, u32 *found)
{
	struct bpf64_jit_image *img = NULL;
	struct bpf64_prog *prog = NULL;
	struct bpf64_log log = new_log();
	const u8 *code;
	u32 len, i;
	int err;

	*found = 0;
	err = bpf64_prog_create(&prog, b->insns, b->len, &difftest_ops, &log);
	if (!err)
		err = bpf64_jit_compile(prog, flags, &log, &img);
	if (!err) {
		code = bpf64_jit_code(img, &len);
		for (i = 0; i < b->nr_imms; i++)
			*found += image_has(code, len, b->imms[i]);
	}
	bpf64_jit_image_free(img);
	bpf64_prog_free(prog);
	return err;
}

/*
 * What the rewrite leaves: no store of an immediate, no LD_ABS, no
 * LD_IMM64, and K forms only on AX, shifts (as Linux), END, NEG, MOV 0.
 */
static u32 unblinded_left(const struct bpf_insn *insns, u32 len)
{
	u32 i, left = 0;
	u8 class, op;

	for (i = 0; i < len; i++) {
		class = BPF_CLASS(insns[i].code);
		op = BPF_OP(insns[i].code);
		if (class == BPF_ST || insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) ||
		    BPF_MODE(insns[i].code) == BPF_ABS)
			left += class == BPF_ST || class == BPF_LD;
		else if ((class == BPF_ALU || class == BPF_ALU64) &&
			 BPF_SRC(insns[i].code) == BPF_K &&
			 insns[i].dst_reg != BPF64_REG_AX &&
			 op != BPF_LSH && op != BPF_RSH && op != BPF_ARSH &&
			 op != BPF_END && op != BPF_NEG &&
			 !(op == BPF_MOV && !insns[i].imm))
			left++;
		else if ((class == BPF_JMP || class == BPF_JMP32) &&
			 BPF_SRC(insns[i].code) == BPF_K && op != BPF_JA &&
			 op != BPF_CALL && op != BPF_EXIT)
			left++;
	}
	return left;
}

/*
 * Blinding: for programs with a distinctive 32-bit immediate in every
 * form, the plain image holds every one (so the scan can see them), the
 * blinded image none, and both give the interpreter's result.  Byte and
 * half-word stores emit only 1 or 2 bytes, too short to scan for: the
 * rewritten instructions are checked instead (nothing with a user
 * immediate left).
 */
static void test_blinding(u64 seed)
{
	struct blind_prog b;
	struct bpf64_run run = { };
	u8 frame[PKT_FRAME];
	u32 r, rounds = 20, plain_ok = 0, blind_ok = 0, agree = 0;
	u32 found, total = 0, left = 0, out_len;
	struct bpf_insn *out;
	u64 r0;

	progen_fill(frame, sizeof(frame), seed);
	run.pkt = frame;
	run.pkt_len = sizeof(frame);
	for (r = 0; r < rounds; r++) {
		blind_prog_gen(&b, seed + r);
		total += b.nr_imms;
		if (!blind_found(&b, 0, &found) && found == b.nr_imms)
			plain_ok++;
		if (!blind_found(&b, BPF64_JIT_F_BLIND, &found) && !found)
			blind_ok++;
		agree += diff_run(b.insns, b.len, &run, false,
				  BPF64_JIT_F_BLIND, &r0);
		if (!bpf64_jit_blind(b.insns, b.len, &out, &out_len, NULL)) {
			left += unblinded_left(out, out_len);
			free(out);
		} else {
			left++;
		}
	}
	TU_CHECK(plain_ok == rounds,
		 "blinding: every one of %u immediates is in the plain images (%u of %u programs)",
		 total, plain_ok, rounds);
	TU_CHECK(blind_ok == rounds,
		 "blinding: none is in the blinded images (%u of %u programs)",
		 blind_ok, rounds);
	TU_CHECK(agree == rounds && !left,
		 "blinding: results agree with the interpreter (%u of %u), %u user immediates left in the rewrite",
		 agree, rounds, left);
}

/* ---- peephole: selects as cmov ---- */

/* Does the image of @insns hold @pat? Compiled without blinding. */
static bool jit_image_has(const struct bpf_insn *insns, u32 cnt,
			  const u8 *pat, u32 n)
{
	struct bpf64_log log = new_log();
	struct bpf64_jit_image *img = NULL;
	struct bpf64_prog *prog = NULL;
	bool found = false;
	const u8 *code;
	u32 len, i;

	if (!bpf64_prog_create(&prog, insns, cnt, &difftest_ops, &log) &&
	    !bpf64_jit_compile(prog, 0, &log, &img)) {
		code = bpf64_jit_code(img, &len);
		for (i = 0; i + n <= len && !found; i++)
			found = !memcmp(code + i, pat, n);
	}
	bpf64_jit_image_free(img);
	bpf64_prog_free(prog);
	return found;
}

/*
 * "if r0 cond x goto +1; r0 = y" becomes a cmov: every condition, JMP
 * and JMP32, X and K, with MOV64 and MOV32 from a register (r3) and an
 * immediate (0 among them: its xor must come before the compare), over
 * values at the signed and unsigned 32- and 64-bit edges; the image must
 * hold the cmov, and a second jump to the MOV must keep the branch.
 */
static void test_select(u64 seed)
{
	static const u8 ops[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT,
				  BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT,
				  BPF_JSLE, BPF_JSET };
	/* x86 cc of each op above, inverted: what the cmov moves on */
	static const u8 ncc[] = { 0x5, 0x4, 0x6, 0x2, 0x3, 0x7, 0xe, 0xc,
				  0xd, 0xf, 0x4 };
	static const u64 vals[] = { 0, 1, ~0ull, 0x80000000ull, 0x7fffffffull,
				    0xffffffffull, 0x100000000ull,
				    0x8000000000000000ull, 0xffffffff80000005ull };
	struct bpf64_run run = { };
	u32 o, w, k, m, v, n = 0, agree = 0, fused = 0, kept = 0;
	u64 r0, a, b;

	for (o = 0; o < ARRAY_SIZE(ops); o++)
	for (w = 0; w < 2; w++)
	for (k = 0; k < 2; k++)
	for (m = 0; m < 4; m++)
	for (v = 0; v < ARRAY_SIZE(vals); v++) {
		bool mov64 = m < 2, movk = m & 1;
		s32 imm = v % 3 ? (s32)vals[(v + 3) % ARRAY_SIZE(vals)] : 0;
		struct bpf_insn insns[] = {
			BPF64_LD_IMM64(BPF_REG_0, vals[v]),
			BPF64_LD_IMM64(BPF_REG_2,
				       vals[(v * 5 + o) % ARRAY_SIZE(vals)]),
			BPF64_LD_IMM64(BPF_REG_3, 0x1234567890abcdefull ^ seed),
			BPF64_JMP_IMM(BPF_JA, 0, 0, 0),
			BPF64_RAW_INSN((w ? BPF_JMP : BPF_JMP32) | ops[o] |
				       (k ? BPF_K : BPF_X), BPF_REG_0,
				       k ? 0 : BPF_REG_2, 1,
				       k ? (s32)vals[(v + o) % ARRAY_SIZE(vals)] :
				       0),
			BPF64_RAW_INSN((mov64 ? BPF_ALU64 : BPF_ALU) | BPF_MOV |
				       (movk ? BPF_K : BPF_X), BPF_REG_0,
				       movk ? 0 : BPF_REG_3, 0, movk ? imm : 0),
			BPF64_EXIT_INSN(),
		};
		u8 pat[4] = { mov64 && !movk ? 0x48 : 0x49, 0x0f,
			      0x40 | ncc[o], mov64 && !movk ? 0xc2 : 0xc3 };

		n += 2;
		agree += diff_run(insns, ARRAY_SIZE(insns), &run, false, 0,
				  &r0);
		fused += jit_image_has(insns, ARRAY_SIZE(insns), pat, 4);
		/* the JA now lands on the MOV: no select */
		insns[6].off = 1;
		agree += diff_run(insns, ARRAY_SIZE(insns), &run, false, 0,
				  &r0);
		kept += !jit_image_has(insns, ARRAY_SIZE(insns), pat, 3);
	}
	a = n / 2;
	b = fused;
	TU_CHECK(agree == n && fused == a && kept == a,
		 "selects: %u of %u agree with the interpreter, %llu of %llu as cmov, %u kept as jumps where the MOV is a target",
		 agree, n, (unsigned long long)b, (unsigned long long)a, kept);
}

/*
 * LD_ABS / LD_IND in socket filters through the backends: bpf64 JITed and
 * interpreted, and Linux, on the same 64-byte frame (the filter sees the
 * network header at 0, SKF_LL_OFF the link header).  A hit returns the
 * value + 1, a miss 0.
 */
static u32 ld_backend_one(const struct bpf64_backend *be, u8 mode, u8 size,
			  s32 imm, const u8 *frame, int *err)
{
	const struct bpf_insn insns[] = {
		BPF64_MOV64_REG(BPF_REG_6, BPF_REG_1),
		BPF64_MOV64_IMM(BPF_REG_7, 3),
		BPF64_RAW_INSN(BPF_LD | mode | size, 0,
			       mode == BPF_IND ? BPF_REG_7 : 0, 0, imm),
		BPF64_ALU32_IMM(BPF_ADD, BPF_REG_0, 1),
		BPF64_EXIT_INSN(),
	};
	struct bpf64_load_opts lo = {
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
	};
	struct bpf64_test_opts to = {
		.data_in = frame, .data_size_in = PKT_FRAME,
	};
	int fd = bpf64_prog_load(be, insns, ARRAY_SIZE(insns), &lo);

	*err = fd < 0 ? fd : bpf64_prog_test_run(be, fd, &to);
	if (fd >= 0)
		be->close(fd);
	return to.retval;
}

static void test_ld_backends(u64 seed)
{
	static const s32 offs[] = {
		0, 1, 33, 46, 47, 48, 49, 50, 0x7fffffff, -1,
		SKF_NET_OFF, SKF_NET_OFF + 46, SKF_NET_OFF + 49,
		SKF_NET_OFF - 1, SKF_LL_OFF, SKF_LL_OFF + 12, SKF_LL_OFF + 60,
		SKF_LL_OFF + 63, SKF_LL_OFF - 1,
	};
	static const u8 sizes[] = { BPF_B, BPF_H, BPF_W };
	const struct bpf64_backend *linux_be = bu_backend(1, __func__);
	int jit = bpf64_jit_enable, e1, e2, e3 = 0;
	u32 o, z, m, n = 0, same = 0, hits = 0, a, b, l;
	u8 frame[PKT_FRAME];

	progen_fill(frame, sizeof(frame), seed);
	frame[12] = 0x08;		/* IPv4, as far as the frame goes */
	frame[13] = 0x00;
	for (o = 0; o < ARRAY_SIZE(offs); o++)
	for (z = 0; z < ARRAY_SIZE(sizes); z++)
	for (m = 0; m < 2; m++) {
		u8 mode = m ? BPF_IND : BPF_ABS;
		s32 imm = m ? offs[o] - 3 : offs[o];

		bpf64_jit_enable = 1;
		a = ld_backend_one(&bpf64_backend_hosted, mode, sizes[z], imm,
				   frame, &e1);
		bpf64_jit_enable = 0;
		b = ld_backend_one(&bpf64_backend_hosted, mode, sizes[z], imm,
				   frame, &e2);
		bpf64_jit_enable = jit;
		l = linux_be ? ld_backend_one(linux_be, mode, sizes[z], imm,
					      frame, &e3) : a;
		n++;
		hits += a != 0;
		same += !e1 && !e2 && !e3 && a == b && a == l;
		if (e1 || e2 || e3 || a != b || a != l)
			tu_diag("%s %d size %u: JIT %u (%d), interpreter %u (%d), linux %u (%d)",
				m ? "LD_IND" : "LD_ABS", offs[o], sizes[z],
				a, e1, b, e2, l, e3);
	}
	TU_CHECK(same == n && hits && hits < n,
		 "socket filter LD_ABS / LD_IND: %u of %u the same JITed, interpreted%s (%u hits)",
		 same, n, linux_be ? " and on Linux" : "", hits);
}

/* ---- refusals, helpers, W^X ---- */

static void check_refused(const char *what, const struct bpf_insn *insns,
			  u32 cnt, const struct bpf64_prog_ops *ops,
			  int want_err, const char *want_msg)
{
	struct bpf64_jit_image *img;
	int err = jit_insns(insns, cnt, ops, &img);

	TU_CHECK(err == want_err && strstr(log_buf, want_msg) && !img,
		 "refused: %s", what);
	if (err != want_err || !strstr(log_buf, want_msg))
		tu_diag("got %d: %s", err, log_buf);
	bpf64_jit_image_free(img);
}

static void test_refusals(void)
{
	const struct bpf_insn unknown[] = {
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_EXIT_INSN(),
	};

	check_refused("helper the type lacks", unknown, ARRAY_SIZE(unknown),
		      &difftest_ops, -EINVAL, "unknown helper");
}

/* A line of /proc/self/maps: the range, its permissions, its backing. */
struct maps_line {
	unsigned long lo, hi, inode;
	unsigned int major, minor;
	char perms[8];
};

static bool maps_next(FILE *f, struct maps_line *m)
{
	char line[512];
	unsigned long off;

	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &m->lo, &m->hi,
			   m->perms, &off, &m->major, &m->minor,
			   &m->inode) == 7)
			return true;
	return false;
}

/*
 * The image's mapping must be r-x, and so must every other mapping of the
 * memory behind it: code is written through a file, never a mapping.
 */
static void test_wx(void)
{
	const struct bpf_insn insns[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 7),
		BPF64_EXIT_INSN(),
	};
	struct maps_line m, img_map = { };
	struct bpf64_jit_image *img;
	unsigned long addr;
	unsigned int aliases = 0, writable = 0;
	u64 args[5] = { };
	FILE *f;
	u32 len;

	if (jit_insns(insns, ARRAY_SIZE(insns), &difftest_ops, &img)) {
		TU_CHECK(0, "small program JITs: %s", log_buf);
		return;
	}
	addr = (unsigned long)bpf64_jit_code(img, &len);
	f = fopen("/proc/self/maps", "r");
	while (f && maps_next(f, &m))
		if (addr >= m.lo && addr < m.hi)
			img_map = m;
	if (f)
		rewind(f);
	while (f && img_map.inode && maps_next(f, &m)) {
		if (m.inode != img_map.inode || m.major != img_map.major ||
		    m.minor != img_map.minor)
			continue;
		aliases++;
		writable += !!strchr(m.perms, 'w');
	}
	if (f)
		fclose(f);
	TU_CHECK(!strncmp(img_map.perms, "r-x", 3), "image mapped r-x (%s)",
		 img_map.perms);
	TU_CHECK(aliases && !writable,
		 "no writable mapping of the image's memory (%u of %u)",
		 writable, aliases);
	TU_CHECK(jit_run(img, args) == 7, "image runs");
	bpf64_jit_image_free(img);
}

/*
 * The hosted home's executable memory (host/jit_mem.c) through the
 * platform's calls: aligned, disjoint, first fit into a freed hole, a
 * pack of its own for an image over 2 MB, and writes only inside a pack.
 */
static void test_jit_mem(void)
{
	static const size_t sizes[] = { 64, 100, 300, 64, 1000, 200, 129, 64 };
	u8 *p[ARRAY_SIZE(sizes)], *big, *again, *small, *zeros;
	u8 pat[1000], back[1000];
	u32 i, j, bad = 0, ok_rw = 0;
	size_t big_size = (3u << 20) + 100;

	for (i = 0; i < sizeof(pat); i++) {
		pat[i] = 0xc3 ^ i;
		back[i] = ~pat[i];
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = bpf64_jit_alloc(pat, sizes[i]);
		bad += !p[i] || (unsigned long)p[i] % BPF64_JIT_ALIGN;
		for (j = 0; p[i] && j < i; j++)
			bad += p[j] && p[i] < p[j] + sizes[j] &&
			       p[j] < p[i] + sizes[i];
		if (p[i] && !memcmp(p[i], pat, sizes[i]) &&
		    !bpf64_jit_write(p[i], back, sizes[i]) &&
		    !memcmp(p[i], back, sizes[i]))
			ok_rw++;
	}
	TU_CHECK(!bad && ok_rw == ARRAY_SIZE(sizes),
		 "jit memory: %zu images aligned, disjoint, holding their code, written over and read back (%u bad)",
		 ARRAY_SIZE(sizes), bad);
	/*
	 * Holes of 1 unit (p[3]) and of 4 + 3 (p[5], p[6]): 400 bytes (7
	 * units) skip the first and fill the second, 64 fill the first.
	 */
	bpf64_jit_free(p[3], sizes[3]);
	bpf64_jit_free(p[5], sizes[5]);
	bpf64_jit_free(p[6], sizes[6]);
	again = bpf64_jit_alloc(pat, 400);
	small = bpf64_jit_alloc(pat, 64);
	TU_CHECK(again == p[5] && small == p[3],
		 "jit memory: first fit, past a hole too small");
	zeros = calloc(1, big_size);
	big = zeros ? bpf64_jit_alloc(zeros, big_size) : NULL;
	TU_CHECK(big && !bpf64_jit_write(big + big_size - 10, pat, 10) &&
		 !memcmp(big + big_size - 10, pat, 10) && !big[big_size - 11],
		 "jit memory: an image over 2 MB gets a pack of its own");
	free(zeros);
	TU_CHECK(bpf64_jit_write(pat, back, 10) == -EFAULT,
		 "jit memory: a write outside every pack is -EFAULT");
	bpf64_jit_free(big, big_size);
	bpf64_jit_free(again, 400);
	bpf64_jit_free(small, 64);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		if (i != 3 && i != 5 && i != 6)
			bpf64_jit_free(p[i], sizes[i]);
}

/*
 * After fork(), parent and child share the files behind the images: each
 * must write only its own copy.  The child runs its copy of the parent's
 * image, frees it and JITs another into the memory it had; the parent's
 * still runs.
 */
static void test_fork(void)
{
	const struct bpf_insn seven[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 7),
		BPF64_EXIT_INSN(),
	};
	const struct bpf_insn nine[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 9),
		BPF64_EXIT_INSN(),
	};
	struct bpf64_jit_image *img, *other;
	u64 args[5] = { };
	int status = -1;
	pid_t pid;
	u32 len;

	if (jit_insns(seven, ARRAY_SIZE(seven), &difftest_ops, &img)) {
		TU_CHECK(0, "small program JITs: %s", log_buf);
		return;
	}
	pid = fork();
	if (!pid) {
		const u8 *code = bpf64_jit_code(img, &len);
		int ok = jit_run(img, args) == 7;	/* its copy runs */

		bpf64_jit_image_free(img);
		ok = ok && !jit_insns(nine, ARRAY_SIZE(nine), &difftest_ops,
				      &other) &&
		     bpf64_jit_code(other, &len) == code &&
		     jit_run(other, args) == 9;
		_exit(ok ? 0 : 1);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	TU_CHECK(WIFEXITED(status) && !WEXITSTATUS(status),
		 "the child runs its copy of the image, then reuses its memory (status %d)",
		 status);
	TU_CHECK(jit_run(img, args) == 7, "the parent's image is intact");
	bpf64_jit_image_free(img);
}

int main(int argc, char **argv)
{
	const char *dir = "../shared/conformance/tests";
	u32 count = 2000;
	u64 seed = 1;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
		else if (!strcmp(argv[i], "--count"))
			count = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
	}
#ifndef __x86_64__
	tu_skip("the JIT emits x86-64 code and this host is not x86-64");
	return tu_exit();
#endif
	test_wx();
	test_jit_mem();
	test_fork();
	test_rotates(seed);
	test_addresses(seed);
	test_refusals();
	test_conformance(dir);
	test_edges(seed);
	test_ld_pkt(seed);
	test_ld_backends(seed);
	test_zero_stack(0);
	test_zero_stack(64);
	test_placement(seed);
	test_frames();
	test_entry();
	test_bmi2();
	test_tail_calls();
	test_tail_bpf64_only();
	test_blinding(seed);
	test_select(seed);
	test_difftest(count, seed, PROGEN_BODY_LEN, 0);
	test_difftest(count / 10, seed + count, PROGEN_MAX_BODY_LEN, 0);
	test_difftest(count / 4, seed + 2 * count, PROGEN_BODY_LEN,
		      BPF64_JIT_F_BLIND);
	return tu_exit();
}
