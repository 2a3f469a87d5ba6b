// SPDX-License-Identifier: GPL-2.0
/*
 * The interpreter benchmark: nanoseconds per executed instruction of
 * bpf64's trusted-mode interpreter, next to the running kernel's JIT on
 * the same programs (BPF_PROG_TEST_RUN with repeat).  Not a test: it
 * prints a table and asserts nothing about time.
 *
 *	bench_interp [--runs N] [--samples N]
 *
 * Each program is a loop of LOOPS iterations over a body of one kind (ALU,
 * stack memory, branches, division, local calls).  It is counted once in
 * checked mode (run.executed), then timed: best of --samples samples of
 * --runs back-to-back runs, for both executors.  Linux executes its own
 * rewrite of the program; the instruction count is always bpf64's.
 *
 * Everything the loops compute derives from constants and the counter, so
 * Linux's verifier follows each iteration exactly (LOOPS times the body
 * stays under its million-instruction budget) and never forks; branches
 * go both ways over a run, so none of them is removed as dead code.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/bpf64/prog.h>
#include <bpf64/linux_bpf.h>

#include "insn_build.h"

#define LOOPS		10000	/* iterations per run */
#define DEFAULT_RUNS	50	/* runs per sample */
#define DEFAULT_SAMPLES	7
#define MAX_INSNS	128
#define PKT_SIZE	64	/* a socket filter's test packet */

/* r9 counts the loop down; the composer adds the loop's tail. */
#define REG_LOOP	BPF_REG_9
/* Marks the call in a body; the composer aims it at the subprogram. */
#define CALL_SUBPROG	0x7fffffff

struct bench_prog {
	const char *name;
	const char *what;
	const struct bpf_insn *head, *body, *tail, *sub;
	unsigned int head_len, body_len, tail_len, sub_len;
};

#define PART(name, a)	.name = a, .name##_len = ARRAY_SIZE(a)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Registers start as constants; the result is folded into r0. */
static const struct bpf_insn head_regs[] = {
	BPF64_LD_IMM64(BPF_REG_2, 0x9e3779b97f4a7c15ULL),
	BPF64_MOV64_IMM(BPF_REG_3, 0x12345),
	BPF64_MOV64_IMM(BPF_REG_4, 7),
	BPF64_MOV64_IMM(BPF_REG_5, -3),
	BPF64_MOV64_IMM(BPF_REG_6, 1),
	BPF64_MOV64_IMM(BPF_REG_7, 0),
	BPF64_MOV64_IMM(BPF_REG_8, 0),
};

static const struct bpf_insn tail_fold[] = {
	BPF64_MOV64_REG(BPF_REG_0, BPF_REG_2),
	BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_3),
	BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_4),
	BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_5),
	BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_6),
	BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_7),
	BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_8),
	BPF64_EXIT_INSN(),
};

/* Arithmetic and logic, 64 and 32 bits. */
static const struct bpf_insn body_alu[] = {
	BPF64_ALU64_REG(BPF_ADD, BPF_REG_2, BPF_REG_3),
	BPF64_ALU64_REG(BPF_XOR, BPF_REG_3, BPF_REG_2),
	BPF64_ALU64_IMM(BPF_MUL, BPF_REG_4, 3),
	BPF64_ALU64_REG(BPF_ADD, BPF_REG_4, REG_LOOP),
	BPF64_ALU64_REG(BPF_SUB, BPF_REG_5, BPF_REG_4),
	BPF64_ALU64_IMM(BPF_LSH, BPF_REG_3, 3),
	BPF64_ALU64_IMM(BPF_OR, BPF_REG_3, 1),
	BPF64_ALU32_REG(BPF_XOR, BPF_REG_2, BPF_REG_5),
	BPF64_ALU32_IMM(BPF_ADD, BPF_REG_5, 0x1234),
	BPF64_ALU64_IMM(BPF_RSH, BPF_REG_4, 1),
	BPF64_ALU64_IMM(BPF_ARSH, BPF_REG_5, 2),
	BPF64_ALU64_REG(BPF_AND, BPF_REG_6, BPF_REG_3),
	BPF64_NEG64(BPF_REG_6),
	BPF64_ALU32_REG(BPF_SUB, BPF_REG_7, BPF_REG_6),
	BPF64_MOV64_REG(BPF_REG_8, BPF_REG_7),
	BPF64_ALU64_IMM(BPF_XOR, BPF_REG_8, 0x5a5a),
};

/* Stack loads and stores of every size, through a few slots. */
static const struct bpf_insn head_mem[] = {
	BPF64_ST_MEM(BPF_DW, BPF_REG_10, -8, 1),
	BPF64_ST_MEM(BPF_DW, BPF_REG_10, -16, 2),
	BPF64_ST_MEM(BPF_DW, BPF_REG_10, -24, 3),
	BPF64_ST_MEM(BPF_DW, BPF_REG_10, -32, 4),
	BPF64_MOV64_IMM(BPF_REG_2, 0),
	BPF64_MOV64_IMM(BPF_REG_3, 0),
	BPF64_MOV64_IMM(BPF_REG_4, 0),
	BPF64_MOV64_IMM(BPF_REG_5, 0),
	BPF64_MOV64_IMM(BPF_REG_6, 0),
	BPF64_MOV64_IMM(BPF_REG_7, 0),
	BPF64_MOV64_IMM(BPF_REG_8, 0),
};

static const struct bpf_insn body_mem[] = {
	BPF64_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_10, -8),
	BPF64_ALU64_REG(BPF_ADD, BPF_REG_2, REG_LOOP),
	BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_2, -16),
	BPF64_LDX_MEM(BPF_W, BPF_REG_3, BPF_REG_10, -16),
	BPF64_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_3, -20),
	BPF64_LDX_MEM(BPF_H, BPF_REG_4, BPF_REG_10, -18),
	BPF64_STX_MEM(BPF_H, BPF_REG_10, BPF_REG_4, -24),
	BPF64_LDX_MEM(BPF_B, BPF_REG_5, BPF_REG_10, -23),
	BPF64_STX_MEM(BPF_B, BPF_REG_10, BPF_REG_5, -32),
	BPF64_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_10, -24),
	BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_6, -8),
	BPF64_LDX_MEMSX(BPF_W, BPF_REG_7, BPF_REG_10, -32),
	BPF64_ALU64_REG(BPF_ADD, BPF_REG_8, BPF_REG_7),
	BPF64_ST_MEM(BPF_W, BPF_REG_10, -28, 5),
	BPF64_LDX_MEM(BPF_DW, BPF_REG_7, BPF_REG_10, -32),
	BPF64_ALU64_REG(BPF_XOR, BPF_REG_8, BPF_REG_7),
};

/*
 * Branches on the bits of an xorshift sequence in r2: every condition goes
 * both ways over a run, so none is dead code to the verifier.
 */
static const struct bpf_insn body_branch[] = {
	BPF64_MOV64_REG(BPF_REG_3, BPF_REG_2),
	BPF64_ALU64_IMM(BPF_LSH, BPF_REG_3, 13),
	BPF64_ALU64_REG(BPF_XOR, BPF_REG_2, BPF_REG_3),
	BPF64_MOV64_REG(BPF_REG_3, BPF_REG_2),
	BPF64_ALU64_IMM(BPF_RSH, BPF_REG_3, 7),
	BPF64_ALU64_REG(BPF_XOR, BPF_REG_2, BPF_REG_3),
	BPF64_MOV64_REG(BPF_REG_3, BPF_REG_2),
	BPF64_ALU64_IMM(BPF_LSH, BPF_REG_3, 17),
	BPF64_ALU64_REG(BPF_XOR, BPF_REG_2, BPF_REG_3),
	/* if (x & 1) r4++; else r5++; */
	BPF64_JMP_IMM(BPF_JSET, BPF_REG_2, 1, 2),
	BPF64_ALU64_IMM(BPF_ADD, BPF_REG_5, 1),
	BPF64_JMP_A(1),
	BPF64_ALU64_IMM(BPF_ADD, BPF_REG_4, 1),
	/* if ((s32)x < 0) r6 += x; */
	BPF64_JMP32_IMM(BPF_JSGE, BPF_REG_2, 0, 1),
	BPF64_ALU64_REG(BPF_ADD, BPF_REG_6, BPF_REG_2),
	/* if (x > r6) r7 ^= x; else r7 += 3; */
	BPF64_JMP_REG(BPF_JGT, BPF_REG_2, BPF_REG_6, 2),
	BPF64_ALU64_IMM(BPF_ADD, BPF_REG_7, 3),
	BPF64_JMP_A(1),
	BPF64_ALU64_REG(BPF_XOR, BPF_REG_7, BPF_REG_2),
	/* if ((u32)x & 0x30) == 0) r8++; */
	BPF64_JMP32_IMM(BPF_JSET, BPF_REG_2, 0x30, 1),
	BPF64_ALU64_IMM(BPF_ADD, BPF_REG_8, 1),
};

/* Division and modulo, signed and unsigned, by the changing counter. */
static const struct bpf_insn body_div[] = {
	BPF64_MOV64_REG(BPF_REG_3, REG_LOOP),
	BPF64_ALU64_IMM(BPF_OR, BPF_REG_3, 1),
	BPF64_MOV64_REG(BPF_REG_4, BPF_REG_2),
	BPF64_ALU64_REG(BPF_DIV, BPF_REG_4, BPF_REG_3),
	BPF64_MOV64_REG(BPF_REG_5, BPF_REG_2),
	BPF64_ALU64_REG(BPF_MOD, BPF_REG_5, BPF_REG_3),
	BPF64_ALU32_REG(BPF_DIV, BPF_REG_6, BPF_REG_3),
	BPF64_ALU64_IMM(BPF_ADD, BPF_REG_6, 0x7fffffff),
	BPF64_SDIV64_REG(BPF_REG_7, BPF_REG_3),
	BPF64_ALU64_REG(BPF_SUB, BPF_REG_7, BPF_REG_2),
	BPF64_SMOD64_REG(BPF_REG_8, BPF_REG_3),
	BPF64_ALU64_REG(BPF_ADD, BPF_REG_8, BPF_REG_4),
	BPF64_ALU64_IMM(BPF_DIV, BPF_REG_2, 3),
	BPF64_ALU64_REG(BPF_ADD, BPF_REG_2, BPF_REG_5),
	BPF64_ALU64_IMM(BPF_MUL, BPF_REG_2, 0x01000193),
};

/* Calls clobber r1-r5: only r6-r9 live across them. */
static const struct bpf_insn tail_fold_callee_saved[] = {
	BPF64_MOV64_REG(BPF_REG_0, BPF_REG_6),
	BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_7),
	BPF64_EXIT_INSN(),
};

/* A local call per iteration; the callee mixes its arguments. */
static const struct bpf_insn body_call[] = {
	BPF64_MOV64_REG(BPF_REG_1, BPF_REG_6),
	BPF64_MOV64_REG(BPF_REG_2, REG_LOOP),
	BPF64_CALL_REL(CALL_SUBPROG),
	BPF64_ALU64_REG(BPF_ADD, BPF_REG_6, BPF_REG_0),
	BPF64_ALU64_REG(BPF_XOR, BPF_REG_7, BPF_REG_0),
};

static const struct bpf_insn sub_mix[] = {
	BPF64_MOV64_REG(BPF_REG_0, BPF_REG_1),
	BPF64_ALU64_IMM(BPF_LSH, BPF_REG_0, 5),
	BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1),
	BPF64_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_2),
	BPF64_EXIT_INSN(),
};

static const struct bench_prog progs[] = {
	{ "alu", "ALU64/ALU32 arithmetic",
	  PART(head, head_regs), PART(body, body_alu), PART(tail, tail_fold) },
	{ "memory", "stack loads and stores",
	  PART(head, head_mem), PART(body, body_mem), PART(tail, tail_fold) },
	{ "branch", "conditional jumps",
	  PART(head, head_regs), PART(body, body_branch),
	  PART(tail, tail_fold) },
	{ "division", "DIV/MOD/SDIV/SMOD",
	  PART(head, head_regs), PART(body, body_div), PART(tail, tail_fold) },
	{ "call", "bpf-to-bpf calls",
	  PART(head, head_regs), PART(body, body_call),
	  PART(tail, tail_fold_callee_saved), PART(sub, sub_mix) },
};

/*
 *	head; r9 = LOOPS
 * loop: body; r9 -= 1; if r9 != 0 goto loop
 *	tail (ends in exit)
 *	sub (a callee, if any)
 */
static int compose(const struct bench_prog *b, struct bpf_insn *out)
{
	unsigned int n = 0, loop, sub, i;

	if (b->head_len + b->body_len + b->tail_len + b->sub_len + 3 >
	    MAX_INSNS)
		return -E2BIG;
	memcpy(out, b->head, b->head_len * sizeof(*out));
	n += b->head_len;
	out[n++] = BPF64_MOV64_IMM(REG_LOOP, LOOPS);
	loop = n;
	memcpy(out + n, b->body, b->body_len * sizeof(*out));
	n += b->body_len;
	out[n++] = BPF64_ALU64_IMM(BPF_SUB, REG_LOOP, 1);
	out[n] = BPF64_JMP_IMM(BPF_JNE, REG_LOOP, 0, (int)loop - (int)n - 1);
	n++;
	memcpy(out + n, b->tail, b->tail_len * sizeof(*out));
	n += b->tail_len;
	sub = n;
	if (b->sub_len) {
		memcpy(out + n, b->sub, b->sub_len * sizeof(*out));
		n += b->sub_len;
	}
	for (i = loop; i < loop + b->body_len; i++)
		if (out[i].code == (BPF_JMP | BPF_CALL) &&
		    out[i].imm == CALL_SUBPROG)
			out[i].imm = (int)sub - (int)i - 1;
	return n;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static const struct bpf64_func_proto *no_helper(__u32 id,
						 const struct bpf64_prog *prog)
{
	return NULL;
}

static const struct bpf64_prog_ops bench_ops = {
	.name = "bench",
	.get_func_proto = no_helper,
};

struct result {
	__u64 executed;		/* instructions per run */
	__u64 r0;
	double bpf64_ns;	/* per instruction */
	double linux_ns;	/* per instruction; 0: not measured */
	__u32 linux_r0;
	const char *err;
	char why[160];
};

static int bench_bpf64(const struct bpf_insn *insns, int len, int runs,
		       int samples, struct result *res)
{
	static char buf[512];
	struct bpf64_log log = { .buf = buf, .size = sizeof(buf) };
	struct bpf64_prog *prog;
	struct bpf64_run run = { };
	double best = 0, t;
	__u64 r0 = 0;
	int err, s, i;

	err = bpf64_prog_create(&prog, insns, len, &bench_ops, &log);
	if (err)
		goto out;
	err = bpf64_interp_prepare(prog, BPF64_RUN_CHECKED, &log);
	if (!err)
		err = bpf64_interp_run(prog, &run, &res->r0);
	if (!err)
		err = bpf64_interp_prepare(prog, BPF64_RUN_TRUSTED, &log);
	if (err) {
		bpf64_fault_log(&run.fault, &log);
		bpf64_prog_free(prog);
		goto out;
	}
	res->executed = run.executed;

	for (s = 0; s < samples; s++) {
		t = now_ns();
		for (i = 0; i < runs; i++)
			bpf64_interp_run(prog, &run, &r0);
		t = now_ns() - t;
		if (!s || t < best)
			best = t;
	}
	res->bpf64_ns = best / runs / res->executed;
	bpf64_prog_free(prog);
	return 0;
out:
	res->err = buf[0] ? buf : "bpf64 refused the program";
	return err;
}

static int bench_linux(const struct bpf_insn *insns, int len, int runs,
		       int samples, struct result *res)
{
	static char log[1 << 16];
	struct linux_bpf_load_opts opts = {
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
		.name = "bench_interp",
	};
	__u8 pkt[PKT_SIZE] = { };
	struct linux_bpf_test_run run = {
		.data_in = pkt,
		.data_size_in = sizeof(pkt),
		.repeat = runs,
	};
	__u32 best = 0;
	int fd, err, s;

	fd = linux_bpf_prog_load(insns, len, &opts);
	if (fd < 0) {
		/* Once more with a log, for its last line. */
		opts.log_buf = log;
		opts.log_size = sizeof(log);
		opts.log_level = 1;
		linux_bpf_prog_load(insns, len, &opts);
		snprintf(res->why, sizeof(res->why), "Linux rejected it: %s",
			 linux_bpf_log_tail(log, 1));
		res->err = res->why;
		return fd;
	}
	for (s = 0; s < samples; s++) {
		err = linux_bpf_prog_test_run(fd, &run);
		if (err) {
			res->err = "BPF_PROG_TEST_RUN failed";
			linux_bpf_close(fd);
			return err;
		}
		if (!s || run.duration < best)
			best = run.duration;
	}
	linux_bpf_close(fd);
	res->linux_r0 = run.retval;
	res->linux_ns = (double)best / res->executed;
	return 0;
}

static bool jit_enabled(void)
{
	FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	int v = 0;

	if (!f)
		return false;
	if (fscanf(f, "%d", &v) != 1)
		v = 0;
	fclose(f);
	return v > 0;
}

static int parse_args(int argc, char **argv, int *runs, int *samples)
{
	int i, v;

	for (i = 1; i + 1 < argc; i += 2) {
		v = atoi(argv[i + 1]);
		if (v <= 0 || v > 100000)
			return -EINVAL;
		if (!strcmp(argv[i], "--runs"))
			*runs = v;
		else if (!strcmp(argv[i], "--samples"))
			*samples = v;
		else
			return -EINVAL;
	}
	return i == argc ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct bpf_insn insns[MAX_INSNS];
	int runs = DEFAULT_RUNS, samples = DEFAULT_SAMPLES;
	double sum_b = 0, sum_l = 0;
	int i, len, nr_linux = 0, nr = 0, linux_err;
	const char *linux_name;
	struct result res;

	if (parse_args(argc, argv, &runs, &samples)) {
		fprintf(stderr, "usage: %s [--runs N] [--samples N]\n", argv[0]);
		return 2;
	}
	linux_err = linux_bpf_probe();
	linux_name = jit_enabled() ? "Linux JIT" : "Linux interp";

	printf("bpf64 interpreter (trusted mode) against %s: ns per executed instruction,\n",
	       linux_name);
	printf("best of %d samples of %d runs; %d loop iterations per run\n",
	       samples, runs, LOOPS);
	if (linux_err)
		printf("%s column skipped: bpf() unavailable: %s\n", linux_name,
		       strerror(-linux_err));
	printf("\n%-10s %-24s %12s %12s %14s %8s\n", "program", "what",
	       "insns/run", "bpf64 ns", linux_name, "ratio");

	for (i = 0; i < (int)ARRAY_SIZE(progs); i++) {
		memset(&res, 0, sizeof(res));
		len = compose(&progs[i], insns);
		if (len < 0 || bench_bpf64(insns, len, runs, samples, &res)) {
			printf("%-10s %-24s failed: %s\n", progs[i].name,
			       progs[i].what, res.err ? res.err : "too long");
			continue;
		}
		nr++;
		sum_b += res.bpf64_ns;
		if (!linux_err &&
		    bench_linux(insns, len, runs, samples, &res) == 0) {
			nr_linux++;
			sum_l += res.linux_ns;
			printf("%-10s %-24s %12llu %12.3f %14.3f %7.2fx%s\n",
			       progs[i].name, progs[i].what,
			       (unsigned long long)res.executed, res.bpf64_ns,
			       res.linux_ns, res.bpf64_ns / res.linux_ns,
			       res.linux_r0 == (__u32)res.r0 ? "" :
			       "  (results differ!)");
			continue;
		}
		printf("%-10s %-24s %12llu %12.3f %14s %8s%s%s\n",
		       progs[i].name, progs[i].what,
		       (unsigned long long)res.executed, res.bpf64_ns, "-",
		       "-", res.err ? "  " : "", res.err ? res.err : "");
	}
	if (nr_linux && nr_linux == nr)
		printf("%-10s %-24s %12s %12.3f %14.3f %7.2fx\n",
		       "mean", "", "", sum_b / nr, sum_l / nr_linux,
		       sum_b / sum_l);
	else if (nr)
		printf("%-10s %-24s %12s %12.3f\n", "mean", "", "", sum_b / nr);
	return nr == (int)ARRAY_SIZE(progs) ? 0 : 1;
}
