// SPDX-License-Identifier: GPL-2.0
/*
 * The patching benchmark: how long the linear patcher (kernel/bpf/patch.c)
 * takes to patch every instruction of a large program, and, as the
 * anchor, the same patches applied one at a time as Linux did before its
 * patching was batched (each patch copies the program and re-aims every
 * jump, so the total grows with the square of the count).  Not a test: it
 * prints a table and asserts nothing about time.
 *
 *	bench_patch [--samples N]
 *
 * The programs are a quarter conditional jumps (to within 100 instructions
 * either way) and ends in exit.  Each instruction gets one patch that adds
 * one instruction: a jump gets an insert before it, anything else is
 * replaced by two.  The million-patch row doubles a program of the largest
 * size a program may have, so its result is twice BPF64_MAX_INSNS long and
 * the limit is lifted for it (Linux itself puts no limit on the length
 * patching produces); the other rows stay within the limit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/bpf64/patch.h>

#include "insn_build.h"

#define DEFAULT_SAMPLES	5
#define REACH		100	/* how far the program's jumps go */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct bpf_insn *make_prog(u32 len)
{
	struct bpf_insn *p = calloc(len, sizeof(*p));
	u32 i, seed = 1, t;

	if (!p)
		return NULL;
	for (i = 0; i + 1 < len; i++) {
		seed = seed * 1103515245 + 12345;
		if (seed >> 30) {
			p[i] = BPF64_ALU64_IMM(BPF_ADD, i % 10, seed >> 16);
			continue;
		}
		t = i + (seed >> 8) % (2 * REACH + 1);
		t = t < REACH ? 0 : t - REACH;
		if (t >= len)
			t = len - 1;
		p[i] = BPF64_JMP_IMM(BPF_JNE, i % 10, 0, (s32)t - (s32)i - 1);
	}
	p[len - 1] = BPF64_EXIT_INSN();
	return p;
}

static bool is_jump(const struct bpf_insn *insn)
{
	return BPF_CLASS(insn->code) == BPF_JMP &&
	       BPF_OP(insn->code) != BPF_EXIT;
}

/* The patch of original instruction @i, now at @at of @set's program. */
static int patch_one(struct bpf64_patch_set *set, const struct bpf_insn *orig,
		     u32 at)
{
	struct bpf_insn two[2] = {
		BPF64_MOV64_REG(orig->dst_reg, orig->dst_reg), *orig,
	};

	if (is_jump(orig))
		return bpf64_patch_insert_before(set, at, two, 1);
	return bpf64_patch_replace(set, at, two, 2);
}

struct timing {
	double record_ns, apply_ns;
	u32 out_len;
	int err;
};

/* All patches into one set, one apply. */
static void run_linear(const struct bpf_insn *prog, u32 len, u32 max_len,
		       struct timing *t)
{
	struct bpf64_patch_set set;
	struct bpf_insn *out = NULL;
	double t0, t1;
	u32 i;

	t0 = now_ns();
	bpf64_patch_init(&set, prog, len, NULL);
	set.max_len = max_len;
	for (i = 0; i < len; i++)
		patch_one(&set, &prog[i], i);
	t1 = now_ns();
	t->err = bpf64_patch_apply(&set, &out, &t->out_len);
	t->apply_ns = now_ns() - t1;
	t->record_ns = t1 - t0;
	bpf64_patch_release(&set);
	bpf64_free(out);
}

/*
 * One set and one apply per patch, the old way.  After k patches that
 * each added one instruction, original instruction k is at 2k.
 */
static void run_one_at_a_time(const struct bpf_insn *prog, u32 len,
			      struct timing *t)
{
	struct bpf64_patch_set set;
	struct bpf_insn *cur, *out;
	u32 k, cur_len = len;
	double t0 = now_ns();

	cur = malloc(len * sizeof(*cur));
	memcpy(cur, prog, len * sizeof(*cur));
	for (k = 0; k < len; k++) {
		bpf64_patch_init(&set, cur, cur_len, NULL);
		patch_one(&set, &prog[k], 2 * k);
		t->err = bpf64_patch_apply(&set, &out, &cur_len);
		bpf64_patch_release(&set);
		free(cur);
		if (t->err)
			break;
		cur = malloc(cur_len * sizeof(*cur));
		memcpy(cur, out, cur_len * sizeof(*cur));
		bpf64_free(out);
	}
	if (!t->err)
		free(cur);
	t->record_ns = 0;
	t->apply_ns = now_ns() - t0;
	t->out_len = cur_len;
}

static void best(struct timing *b, const struct timing *t, int s)
{
	if (!s || t->record_ns + t->apply_ns < b->record_ns + b->apply_ns)
		*b = *t;
	if (t->err)
		b->err = t->err;
}

static int row(const char *how, u32 len, u32 max_len, bool batched,
	       int samples)
{
	struct bpf_insn *prog = make_prog(len);
	struct timing t = { }, b = { };
	double total;
	int s;

	if (!prog)
		return -ENOMEM;
	for (s = 0; s < samples; s++) {
		if (batched)
			run_linear(prog, len, max_len, &t);
		else
			run_one_at_a_time(prog, len, &t);
		best(&b, &t, s);
	}
	free(prog);
	if (b.err) {
		printf("%-14s %9u failed: %s\n", how, len, strerror(-b.err));
		return b.err;
	}
	total = b.record_ns + b.apply_ns;
	printf("%-14s %9u %9u %11.2f %11.2f %11.2f %9.1f\n", how, len,
	       b.out_len, b.record_ns / 1e6, b.apply_ns / 1e6, total / 1e6,
	       total / len);
	return 0;
}

int main(int argc, char **argv)
{
	static const u32 small[] = { 1000, 2000, 4000, 8000 };
	int samples = DEFAULT_SAMPLES, err = 0;
	u32 i;

	if (argc == 3 && !strcmp(argv[1], "--samples"))
		samples = atoi(argv[2]);
	if (samples <= 0 || samples > 1000 || (argc != 1 && argc != 3)) {
		fprintf(stderr, "usage: %s [--samples N]\n", argv[0]);
		return 2;
	}
	printf("patching every instruction of a program (1 insn -> 2), best of %d samples\n",
	       samples);
	printf("batched: patch calls, then one bpf64_patch_apply();\n"
	       "one by one: one apply per patch, as Linux before batching\n\n");
	printf("%-14s %9s %9s %11s %11s %11s %9s\n", "how", "patches",
	       "result", "record ms", "apply ms", "total ms", "ns/patch");
	err |= row("batched", BPF64_MAX_INSNS, 2 * BPF64_MAX_INSNS, true,
		   samples);
	err |= row("batched", BPF64_MAX_INSNS / 2, BPF64_MAX_INSNS, true,
		   samples);
	for (i = 0; i < ARRAY_SIZE(small); i++)
		err |= row("batched", small[i], BPF64_MAX_INSNS, true, samples);
	for (i = 0; i < ARRAY_SIZE(small); i++)
		err |= row("one by one", small[i], BPF64_MAX_INSNS, false, 1);
	return err ? 1 : 0;
}
