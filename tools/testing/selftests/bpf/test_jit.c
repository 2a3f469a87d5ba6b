// SPDX-License-Identifier: GPL-2.0
/*
 * The x86-64 JIT (arch/x86/net/bpf_jit_comp.c), held to the interpreter:
 *
 *  - the 313 ISA conformance vectors, JITed and run over their memory;
 *  - progen's random programs (which Linux's verifier accepts), run in the
 *    interpreter's trusted mode and JITed: r0 and the context they write
 *    must agree;
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

#include <linux/bpf64/insn.h>
#include <linux/bpf64/jit.h>
#include <linux/bpf64/prog.h>

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
static int diff_one(const struct progen_prog *p, u64 seed, u64 *ns)
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
		err = bpf64_jit_compile(prog, 0, &log, &img);
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

static void test_difftest(u32 count, u64 seed, u32 body_len)
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
		agree += diff_one(&p, seed + i, &t);
		insns += p.len;
		ns += t;
		progen_release(&p);
	}
	TU_CHECK(agree == count,
		 "random programs (body %u, seeds %llu..): %u of %u agree",
		 body_len, (unsigned long long)seed, agree, count);
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
		      const struct bpf64_prog_ops *ops)
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
		err = bpf64_jit_compile(prog, 0, &log, &img);
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
				    &difftest_ops);
	}
	TU_CHECK(agree == n,
		 "atomics, r0/r3/r4/r6 as base and operand: %u of %u agree",
		 agree, n);
}

/*
 * Shifts by a register and divisions, whose x86 forms need rcx and
 * rax:rdx, with r0 (rax), r3 (rdx) and r4 (rcx) in every role, and the
 * divisors that Linux defines specially: 0, -1 (with INT_MIN), 1.
 */
static void test_alu_regs(const u8 *mem)
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
				    &difftest_ops);
	}
	TU_CHECK(agree == n,
		 "shifts and divisions, r0/r3/r4/r7 in every role: %u of %u agree",
		 agree, n);
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

	TU_CHECK(diff_insns(insns, ARRAY_SIZE(insns), mem, &mix5_ops),
		 "helper with five arguments in nested local calls");
}

static void test_edges(u64 seed)
{
	u8 mem[EDGE_MEM];

	progen_fill(mem, sizeof(mem), seed);
	test_atomic_regs(mem);
	test_alu_regs(mem);
	test_calls(mem);
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
	const struct bpf_insn tail_call[] = {
		BPF64_MOV64_IMM(BPF_REG_3, 0),
		BPF64_CALL_HELPER(BPF_FUNC_tail_call),
		BPF64_EXIT_INSN(),
	};
	const struct bpf_insn ld_abs[] = {
		BPF64_MOV64_REG(BPF_REG_6, BPF_REG_1),
		BPF64_RAW_INSN(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 0),
		BPF64_EXIT_INSN(),
	};
	const struct bpf_insn unknown[] = {
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_EXIT_INSN(),
	};

	check_refused("tail call", tail_call, ARRAY_SIZE(tail_call),
		      &bpf64_sk_filter_prog_ops, -EOPNOTSUPP, "tail calls");
	check_refused("LD_ABS", ld_abs, ARRAY_SIZE(ld_abs),
		      &bpf64_sk_filter_prog_ops, -EOPNOTSUPP, "LD_ABS");
	check_refused("helper the type lacks", unknown, ARRAY_SIZE(unknown),
		      &difftest_ops, -EINVAL, "unknown helper");
}

/* The image's mapping in /proc/self/maps must be r-x, never w. */
static void test_wx(void)
{
	const struct bpf_insn insns[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 7),
		BPF64_EXIT_INSN(),
	};
	struct bpf64_jit_image *img;
	unsigned long lo, hi, addr;
	char line[512], perms[8] = "";
	const u8 *code;
	FILE *f;
	u32 len;
	u64 args[5] = { };

	if (jit_insns(insns, ARRAY_SIZE(insns), &difftest_ops, &img)) {
		TU_CHECK(0, "small program JITs: %s", log_buf);
		return;
	}
	code = bpf64_jit_code(img, &len);
	addr = (unsigned long)code;
	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 &&
		    addr >= lo && addr < hi)
			break;
	if (f)
		fclose(f);
	TU_CHECK(!strcmp(perms, "r-xp"), "image mapped r-x (%s)", perms);
	TU_CHECK(jit_run(img, args) == 7, "image runs");
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
	test_refusals();
	test_conformance(dir);
	test_edges(seed);
	test_difftest(count, seed, PROGEN_BODY_LEN);
	test_difftest(count / 10, seed + count, PROGEN_MAX_BODY_LEN);
	return tu_exit();
}
