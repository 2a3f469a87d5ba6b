// SPDX-License-Identifier: GPL-2.0
/*
 * The differential test: Linux is the oracle for the interpreter.
 *
 * Each program comes from progen (random, valid, seeded) and runs on the
 * same context bytes: in the running kernel (BPF_PROG_LOAD as
 * BPF_PROG_TYPE_SYSCALL, then BPF_PROG_TEST_RUN, which copies the context
 * back), in bpf64's interpreter in checked and in trusted mode, JITed by
 * bpf64 and JITed with constant blinding.  r0 and the whole context
 * afterwards must agree; the program's epilogue has stored r0 and r2-r9
 * into the context, so a register that went wrong anywhere shows up there.
 *
 *	test_difftest [--count N] [--seed S] [--len L] [--dump] [--shrink]
 *		      [--linux-bugs]
 *
 * Program i uses seed S + i, so a failure is replayed with
 * "--seed <its seed> --count 1" (and the same --len); --dump prints the
 * program's raw instructions, --shrink cuts a mismatching program down to
 * the instructions that matter and prints them.  --linux-bugs lets progen
 * generate what the verifier of Linux 6.18 gets wrong (see progen.c): the
 * mismatches that follow are Linux's.
 *
 * When bpf() is refused, the Linux side is reported as skipped and the two
 * interpreter modes are still compared with each other.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/bpf64/insn.h>
#include <linux/bpf64/jit.h>
#include <linux/bpf64/prog.h>
#include <bpf64/linux_bpf.h>

#include "test_util.h"
#include "insn_build.h"
#include "progen.h"
/* The Makefile links each test from its one source, so take progen here. */
#include "progen.c"

#define DEFAULT_COUNT	2000
#define DEFAULT_SEED	1
#define BATCH		250
#define LOG_SIZE	(1U << 20)
#define LOG_TAIL_LINES	8

struct options {
	__u32 count;
	__u64 seed;
	__u32 len;
	bool dump;
	bool shrink;
	bool linux_bugs;
};

/* The outcome of one program on one executor. */
struct outcome {
	__u64 r0;
	__u8 ctx[PROGEN_CTX_SIZE];
};

static char verifier_log[LOG_SIZE];
static bool linux_ok;		/* bpf() works here */

/* What the programs held, all told. */
static struct {
	__u64 insns, branches, loops;
} totals;

/* Programs that never call a helper need a type that offers none. */
static const struct bpf64_func_proto *no_helper(__u32 id,
						 const struct bpf64_prog *prog)
{
	return NULL;
}

static const struct bpf64_prog_ops difftest_ops = {
	.name = "difftest",
	.get_func_proto = no_helper,
};

/* ---- instruction-form coverage of the generator ---- */

/*
 * An instruction form is its opcode plus the field that picks a variant:
 * off for movsx and signed division, imm for byte swaps and atomics.
 */
static __u16 form_key(const struct bpf_insn *insn)
{
	__u8 code = insn->code, cls = BPF_CLASS(code), sub = 0;

	if ((cls == BPF_ALU || cls == BPF_ALU64) &&
	    (BPF_OP(code) == BPF_END || BPF_OP(code) == BPF_MOV ||
	     BPF_OP(code) == BPF_DIV || BPF_OP(code) == BPF_MOD))
		sub = BPF_OP(code) == BPF_END ? insn->imm :
		      BPF_SRC(code) == BPF_X || BPF_OP(code) != BPF_MOV ?
		      insn->off : 0;
	else if (cls == BPF_STX && BPF_MODE(code) == BPF_ATOMIC)
		sub = insn->imm;
	return code << 8 | sub;
}

static __u8 seen[65536 / 8];

static void mark(__u16 key)
{
	seen[key / 8] |= 1 << (key % 8);
}

static bool was_seen(__u16 key)
{
	return seen[key / 8] & (1 << (key % 8));
}

static void note_forms(const struct progen_prog *p)
{
	__u32 i;

	for (i = 0; i < p->len; i++) {
		mark(form_key(&p->insns[i]));
		if (bpf64_is_ldimm64(&p->insns[i]))
			i++;
	}
}

/* Every form the generator promises; returns how many are missing. */
static int check_coverage(__u32 *nr_forms)
{
	static const __u8 plain[] = {
		BPF_ADD, BPF_SUB, BPF_MUL, BPF_OR, BPF_AND, BPF_XOR,
		BPF_LSH, BPF_RSH, BPF_ARSH, BPF_DIV, BPF_MOD,
	};
	static const __u8 jmps[] = {
		BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSET,
		BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE,
	};
	static const __s32 atomics[] = {
		BPF_ADD, BPF_AND, BPF_OR, BPF_XOR, BPF_ADD | BPF_FETCH,
		BPF_AND | BPF_FETCH, BPF_OR | BPF_FETCH, BPF_XOR | BPF_FETCH,
		BPF_XCHG, BPF_CMPXCHG,
	};
	static const __u8 sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	__u16 want[256];
	__u32 n = 0, i, j, missing = 0;
	__u8 cls, c;

	for (c = 0; c < 2; c++) {
		cls = c ? BPF_ALU64 : BPF_ALU;
		for (i = 0; i < ARRAY_SIZE(plain); i++) {
			want[n++] = (cls | plain[i] | BPF_X) << 8;
			want[n++] = (cls | plain[i] | BPF_K) << 8;
		}
		want[n++] = (cls | BPF_DIV | BPF_X) << 8 | 1;
		want[n++] = (cls | BPF_DIV | BPF_K) << 8 | 1;
		want[n++] = (cls | BPF_MOD | BPF_X) << 8 | 1;
		want[n++] = (cls | BPF_MOD | BPF_K) << 8 | 1;
		want[n++] = (cls | BPF_NEG | BPF_K) << 8;
		want[n++] = (cls | BPF_MOV | BPF_K) << 8;
		want[n++] = (cls | BPF_MOV | BPF_X) << 8;
		want[n++] = (cls | BPF_MOV | BPF_X) << 8 | 8;
		want[n++] = (cls | BPF_MOV | BPF_X) << 8 | 16;
		for (i = 16; i <= 64; i *= 2)
			want[n++] = (cls | BPF_END | BPF_TO_LE) << 8 | i;
	}
	want[n++] = (BPF_ALU64 | BPF_MOV | BPF_X) << 8 | 32;
	for (i = 16; i <= 64; i *= 2)
		want[n++] = (BPF_ALU | BPF_END | BPF_TO_BE) << 8 | i;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		want[n++] = (BPF_LDX | BPF_MEM | sizes[i]) << 8;
		want[n++] = (BPF_STX | BPF_MEM | sizes[i]) << 8;
		want[n++] = (BPF_ST | BPF_MEM | sizes[i]) << 8;
		if (sizes[i] != BPF_DW)
			want[n++] = (BPF_LDX | BPF_MEMSX | sizes[i]) << 8;
	}
	for (i = 0; i < ARRAY_SIZE(atomics); i++) {
		want[n++] = (BPF_STX | BPF_ATOMIC | BPF_W) << 8 | (__u8)atomics[i];
		want[n++] = (BPF_STX | BPF_ATOMIC | BPF_DW) << 8 | (__u8)atomics[i];
	}
	for (c = 0; c < 2; c++) {
		cls = c ? BPF_JMP : BPF_JMP32;
		for (i = 0; i < ARRAY_SIZE(jmps); i++) {
			want[n++] = (cls | jmps[i] | BPF_X) << 8;
			want[n++] = (cls | jmps[i] | BPF_K) << 8;
		}
		want[n++] = (cls | BPF_JA) << 8;
	}
	want[n++] = (BPF_JMP | BPF_EXIT) << 8;
	want[n++] = (BPF_LD | BPF_IMM | BPF_DW) << 8;

	for (j = 0; j < n; j++) {
		if (was_seen(want[j]))
			continue;
		if (missing++ < 8)
			tu_diag("never generated: code 0x%02x variant %u",
				want[j] >> 8, want[j] & 0xff);
	}
	*nr_forms = n;
	return missing;
}

/* ---- the executors ---- */

static void dump_prog(const struct progen_prog *p)
{
	__u32 i;

	for (i = 0; i < p->len; i++)
		tu_diag("%4u: code 0x%02x dst r%u src r%u off %d imm %d", i,
			p->insns[i].code, p->insns[i].dst_reg,
			p->insns[i].src_reg, p->insns[i].off, p->insns[i].imm);
}

/* ---- comparing ---- */

enum verdict {
	AGREE,
	MISMATCH,
	REJECTED,	/* by Linux: a generator bug */
	ERROR,		/* bpf64 refused, faulted, or something failed */
};

/* While shrinking, most runs are expected to fail: say nothing then. */
static bool quiet;

#define say(...) do { if (!quiet) tu_diag(__VA_ARGS__); } while (0)

/* Text of several lines as TAP comments, indented under the last one. */
static void diag_lines(const char *text)
{
	const char *nl;
	int n;

	while (!quiet && *text) {
		nl = strchr(text, '\n');
		n = nl ? nl - text : (int)strlen(text);
		printf("#   %.*s\n", n, text);
		text += n + !!nl;
	}
}

/* Load and run in Linux; on rejection, say why in TAP comments. */
static enum verdict run_linux(const struct progen_prog *p, __u64 seed,
			      struct outcome *out)
{
	struct linux_bpf_load_opts opts = {
		.prog_type = BPF_PROG_TYPE_SYSCALL,
		.prog_flags = BPF_F_SLEEPABLE,
		.name = "difftest",
	};
	struct linux_bpf_test_run run = {
		.ctx_in = out->ctx,
		.ctx_size_in = p->ctx_size,
	};
	int fd, err;

	fd = linux_bpf_prog_load(p->insns, p->len, &opts);
	if (fd < 0) {
		if (quiet)
			return REJECTED;
		/* Ask again with a log: the verdict alone is cheaper. */
		opts.log_buf = verifier_log;
		opts.log_size = sizeof(verifier_log);
		opts.log_level = 1;
		linux_bpf_prog_load(p->insns, p->len, &opts);
		say("seed %llu: Linux rejected the program (%s); the generator is wrong%s. Verifier log ends:",
		    seed, strerror(-fd), fd == -E2BIG ?
		    " or --len too long for the verifier's budget" : "");
		diag_lines(linux_bpf_log_tail(verifier_log, LOG_TAIL_LINES));
		return REJECTED;
	}
	err = linux_bpf_prog_test_run(fd, &run);
	linux_bpf_close(fd);
	if (err) {
		say("seed %llu: BPF_PROG_TEST_RUN failed: %s", seed,
		    strerror(-err));
		return ERROR;
	}
	out->r0 = run.retval;
	return AGREE;
}

static int run_bpf64(struct bpf64_prog *prog, enum bpf64_run_mode mode,
		     const struct progen_prog *p, __u64 seed,
		     struct outcome *out)
{
	const char *name = mode == BPF64_RUN_CHECKED ? "checked" : "trusted";
	struct bpf64_run run = { };
	char buf[256];
	struct bpf64_log log = { .buf = buf, .size = sizeof(buf) };
	int err;

	err = bpf64_interp_prepare(prog, mode, &log);
	if (err) {
		say("seed %llu: %s prepare failed (%d): %s", seed, name, err,
		    buf);
		return err;
	}
	run.args[0] = (__u64)(unsigned long)out->ctx;
	run.regions[0] = (struct bpf64_region) {
		.start = (__u64)(unsigned long)out->ctx,
		.size = p->ctx_size,
		.writable = true,
	};
	run.nr_regions = 1;
	err = bpf64_interp_run(prog, &run, &out->r0);
	if (err) {
		buf[0] = '\0';
		log.len = 0;
		bpf64_fault_log(&run.fault, &log);
		say("seed %llu: %s run faulted (%d): %s", seed, name, err, buf);
	}
	return err;
}

/*
 * JIT @prog (with @flags) and run it on @out's context.  Linux's verifier
 * accepted the program, so the native code may run it unchecked.
 */
static int run_jit(const struct bpf64_prog *prog, __u32 flags,
		   __u64 seed, struct outcome *out)
{
	const char *name = flags ? "blinded JIT" : "JIT";
	struct bpf64_jit_image *img = NULL;
	struct bpf64_run run = { .args = { (__u64)(unsigned long)out->ctx } };
	char buf[256] = "";
	struct bpf64_log log = { .buf = buf, .size = sizeof(buf) };
	int err;

	err = bpf64_jit_compile(prog, flags, &log, &img);
	if (err) {
		say("seed %llu: %s compile failed (%d): %s", seed, name, err,
		    buf);
		return err;
	}
	out->r0 = bpf64_jit_run(img, &run);
	bpf64_jit_image_free(img);
	return 0;
}

/* The register whose epilogue slot holds context byte @off, or -1. */
static int slot_reg(__u32 off)
{
	int reg;

	for (reg = BPF_REG_0; reg <= BPF_REG_9; reg++)
		if (reg != BPF_REG_1 &&
		    off / 8 * 8 == (__u32)PROGEN_OUT_OFF(reg))
			return reg;
	return -1;
}

static __u64 slot_value(const struct outcome *o, int reg)
{
	__u64 v;

	memcpy(&v, o->ctx + PROGEN_OUT_OFF(reg), sizeof(v));
	return v;
}

/*
 * Compare @b (named @bn) against the reference @a (named @an).  Linux's r0
 * is the 32-bit retval, so r0 compares on 32 bits when @a32 is set; the
 * full r0 is in the context slot either way.
 */
static bool same(const struct progen_prog *p, __u64 seed, __u32 index,
		 const struct outcome *a, const char *an,
		 const struct outcome *b, const char *bn, bool a32)
{
	__u64 mask = a32 ? 0xffffffffULL : ~0ULL;
	__u32 off;
	int reg;

	if ((a->r0 & mask) != (b->r0 & mask)) {
		say("program %u (seed %llu): r0 returned: %s 0x%llx, %s 0x%llx",
		    index, seed, an, a->r0, bn, b->r0 & mask);
		return false;
	}
	for (off = 0; off < p->ctx_size; off++)
		if (a->ctx[off] != b->ctx[off])
			break;
	if (off == p->ctx_size)
		return true;

	reg = slot_reg(off);
	if (reg >= 0)
		say("program %u (seed %llu): r%d at exit: %s 0x%llx, %s 0x%llx (first differing context byte %u)",
		    index, seed, reg, an, slot_value(a, reg), bn,
		    slot_value(b, reg), off);
	else
		say("program %u (seed %llu): context byte %u: %s 0x%02x, %s 0x%02x",
		    index, seed, off, an, a->ctx[off], bn, b->ctx[off]);
	return false;
}

/* ---- one program ---- */

/* Run @p everywhere on @seed's context and compare. */
static enum verdict run_all(const struct progen_prog *p, __u64 seed,
			    __u32 index)
{
	static struct outcome lx, ck, tr, jt, bl;
	struct bpf64_prog *prog = NULL;
	enum verdict v = AGREE;
	char buf[256];
	struct bpf64_log log = { .buf = buf, .size = sizeof(buf) };
	int err;

	memset(&lx, 0, sizeof(lx));
	memset(&ck, 0, sizeof(ck));
	memset(&tr, 0, sizeof(tr));
	memset(&jt, 0, sizeof(jt));
	memset(&bl, 0, sizeof(bl));
	progen_fill(lx.ctx, p->ctx_size, seed);
	memcpy(ck.ctx, lx.ctx, sizeof(ck.ctx));
	memcpy(tr.ctx, lx.ctx, sizeof(tr.ctx));
	memcpy(jt.ctx, lx.ctx, sizeof(jt.ctx));
	memcpy(bl.ctx, lx.ctx, sizeof(bl.ctx));

	if (linux_ok) {
		v = run_linux(p, seed, &lx);
		if (v != AGREE)
			return v;
	}

	err = bpf64_prog_create(&prog, p->insns, p->len, &difftest_ops, &log);
	if (err) {
		say("seed %llu: bpf64_prog_create failed (%d): %s", seed, err,
		    buf);
		return ERROR;
	}
	if (run_bpf64(prog, BPF64_RUN_CHECKED, p, seed, &ck) ||
	    run_bpf64(prog, BPF64_RUN_TRUSTED, p, seed, &tr) ||
	    run_jit(prog, 0, seed, &jt) ||
	    run_jit(prog, BPF64_JIT_F_BLIND, seed, &bl)) {
		v = ERROR;
		goto out;
	}

	if (linux_ok &&
	    (!same(p, seed, index, &lx, "linux", &ck, "checked", true) ||
	     !same(p, seed, index, &lx, "linux", &tr, "trusted", true) ||
	     !same(p, seed, index, &lx, "linux", &jt, "JIT", true) ||
	     !same(p, seed, index, &lx, "linux", &bl, "blinded JIT", true)))
		v = MISMATCH;
	if (v == AGREE &&
	    (!same(p, seed, index, &ck, "checked", &tr, "trusted", false) ||
	     !same(p, seed, index, &ck, "checked", &jt, "JIT", false) ||
	     !same(p, seed, index, &ck, "checked", &bl, "blinded JIT", false)))
		v = MISMATCH;
out:
	bpf64_prog_free(prog);
	return v;
}

/* ---- shrinking a mismatch to a reproducer ---- */

static bool is_nop(const struct bpf_insn *insn)
{
	return (insn->code == (BPF_JMP | BPF_JA) && !insn->off) ||
	       (insn->code == (BPF_JMP32 | BPF_JA) && !insn->imm);
}

/* Drop the nops, re-aiming every jump at the same instruction as before. */
static void compact(struct progen_prog *p)
{
	__u32 *map = calloc(p->len + 1, sizeof(*map));
	__u32 i, n = 0;
	__s32 off, to;

	if (!map)
		return;
	for (i = 0; i < p->len; i++) {
		map[i] = n;
		n += !is_nop(&p->insns[i]);
	}
	map[p->len] = n;
	for (i = 0, n = 0; i < p->len; i++) {
		struct bpf_insn insn = p->insns[i];

		if (is_nop(&insn))
			continue;
		if (bpf64_insn_jump_offset(&insn, &off)) {
			to = map[i + 1 + off] - map[i] - 1;
			if (insn.code == (BPF_JMP32 | BPF_JA))
				insn.imm = to;
			else
				insn.off = to;
		}
		p->insns[n++] = insn;
	}
	p->len = n;
	free(map);
}

/* progen's "w0 = w0" after a 32-bit cmpxchg works around a Linux bug. */
static bool is_cmpxchg_zext(const struct bpf_insn *insn)
{
	const struct bpf_insn *prev = insn - 1;

	return insn->code == (BPF_ALU | BPF_MOV | BPF_X) &&
	       insn->dst_reg == BPF_REG_0 && insn->src_reg == BPF_REG_0 &&
	       prev->code == (BPF_STX | BPF_ATOMIC | BPF_W) &&
	       prev->imm == BPF_CMPXCHG;
}

/*
 * Turn instructions into "ja +0" one at a time, keeping each change after
 * which Linux still accepts the program and the executors still disagree;
 * then drop the nops.  Prints the result as insn_build.h initialisers.
 *
 * The prologue stays whole: without its stack stores the program would
 * read uninitialised stack, which Linux allows root, so that every
 * executor saw different garbage; and the atomics' area must stay opaque
 * to the verifier (see progen.c).
 */
static void shrink(struct progen_prog *p, __u64 seed, __u32 index,
		   bool linux_bugs)
{
	const struct bpf_insn nop = BPF64_JMP_A(0);
	struct progen_prog shrunk;
	struct bpf_insn saved[2];
	bool changed = true;
	__u32 i, w;

	quiet = true;
	while (changed) {
		changed = false;
		for (i = p->len - 1; i-- > 0;) {
			if (is_nop(&p->insns[i]) ||
			    (i && bpf64_is_ldimm64(&p->insns[i - 1])) ||
			    i < p->prologue_len ||
			    (i && !linux_bugs && is_cmpxchg_zext(&p->insns[i])))
				continue;
			w = bpf64_is_ldimm64(&p->insns[i]) ? 2 : 1;
			memcpy(saved, &p->insns[i], w * sizeof(nop));
			p->insns[i] = nop;
			if (w == 2)
				p->insns[i + 1] = nop;
			if (run_all(p, seed, index) == MISMATCH)
				changed = true;
			else
				memcpy(&p->insns[i], saved, w * sizeof(nop));
		}
	}
	/*
	 * Nops are prune points of Linux's verifier: some mismatches need
	 * them where they are.  Keep them then.
	 */
	memcpy(&shrunk, p, sizeof(shrunk));
	shrunk.insns = malloc(p->len * sizeof(*p->insns));
	if (shrunk.insns) {
		memcpy(shrunk.insns, p->insns, p->len * sizeof(*p->insns));
		compact(&shrunk);
		if (run_all(&shrunk, seed, index) == MISMATCH) {
			memcpy(p->insns, shrunk.insns,
			       shrunk.len * sizeof(*p->insns));
			p->len = shrunk.len;
		}
		free(shrunk.insns);
	}
	quiet = false;

	tu_diag("shrunk to %u instructions (context: progen_fill(ctx, %u, %llu)):",
		p->len, p->ctx_size, seed);
	for (i = 0; i < p->len; i++)
		tu_diag("\tBPF64_RAW_INSN(0x%02x, %u, %u, %d, %d),",
			p->insns[i].code, p->insns[i].dst_reg,
			p->insns[i].src_reg, p->insns[i].off, p->insns[i].imm);
	run_all(p, seed, index);
}

static enum verdict check_one(const struct options *o, __u32 index)
{
	struct progen_opts popts;
	struct progen_prog p;
	__u64 seed = o->seed + index;
	enum verdict v;
	int err;

	progen_default_opts(&popts);
	popts.body_len = o->len;
	popts.linux_bugs = o->linux_bugs;
	err = progen_generate(&p, seed, &popts);
	if (err) {
		tu_diag("seed %llu: progen failed: %s", seed, strerror(-err));
		return ERROR;
	}
	note_forms(&p);
	totals.insns += p.len;
	totals.branches += p.nr_branches;
	totals.loops += p.nr_loops;
	if (o->dump)
		dump_prog(&p);

	v = run_all(&p, seed, index);
	if (v != AGREE)
		tu_diag("replay: test_difftest --seed %llu --count 1 --len %u%s --dump --shrink",
			seed, o->len, o->linux_bugs ? " --linux-bugs" : "");
	if (v == MISMATCH && o->shrink)
		shrink(&p, seed, index, o->linux_bugs);
	progen_release(&p);
	return v;
}

/* ---- main ---- */

static int parse_u64(const char *s, __u64 *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -EINVAL : 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	__u64 v;
	int i;

	o->count = DEFAULT_COUNT;
	o->seed = DEFAULT_SEED;
	o->len = PROGEN_BODY_LEN;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--dump")) {
			o->dump = true;
			continue;
		}
		if (!strcmp(a, "--shrink")) {
			o->shrink = true;
			continue;
		}
		if (!strcmp(a, "--linux-bugs")) {
			o->linux_bugs = true;
			continue;
		}
		if (i + 1 >= argc || parse_u64(argv[i + 1], &v))
			return -EINVAL;
		i++;
		if (!strcmp(a, "--count") && v <= 100000000)
			o->count = v;
		else if (!strcmp(a, "--seed"))
			o->seed = v;
		else if (!strcmp(a, "--len") && v <= PROGEN_MAX_BODY_LEN)
			o->len = v;
		else
			return -EINVAL;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	__u32 counts[ERROR + 1] = { }, batch_bad = 0, i, first = 0, forms;
	struct options o = { };
	double t0 = now();
	int err, missing;

	if (parse_args(argc, argv, &o)) {
		fprintf(stderr, "usage: %s [--count N] [--seed S] [--len L (<= %d)] [--dump] [--shrink] [--linux-bugs]\n",
			argv[0], PROGEN_MAX_BODY_LEN);
		return 2;
	}

	err = linux_bpf_probe();
	linux_ok = !err;
	if (!linux_ok)
		tu_skip("difftest against Linux # SKIP bpf() unavailable: %s",
			strerror(-err));

	for (i = 0; i < o.count; i++) {
		enum verdict v = check_one(&o, i);

		counts[v]++;
		batch_bad += v != AGREE;
		if ((i + 1) % BATCH && i + 1 != o.count)
			continue;
		tu_result(!batch_bad, "difftest programs %u-%u (seeds %llu-%llu): %s",
			  first, i, o.seed + first, o.seed + i,
			  linux_ok ? "Linux, checked, trusted, JIT and blinded JIT agree" :
				     "checked, trusted, JIT and blinded JIT agree");
		first = i + 1;
		batch_bad = 0;
	}

	if (o.count >= BATCH) {
		missing = check_coverage(&forms);
		tu_result(!missing, "difftest generator covers %u of %u instruction forms",
			  forms - missing, forms);
	}
	tu_result(!counts[MISMATCH] && !counts[REJECTED] && !counts[ERROR],
		  "difftest summary: %u programs, %u agree, %u mismatches, %u rejected by Linux, %u errors (%.1f s%s)",
		  o.count, counts[AGREE], counts[MISMATCH], counts[REJECTED],
		  counts[ERROR], now() - t0,
		  linux_ok ? "" : "; without Linux");
	tu_diag("%llu instructions, %llu conditional jumps, %llu loops",
		totals.insns, totals.branches, totals.loops);
	return tu_exit();
}
