// SPDX-License-Identifier: GPL-2.0
/*
 * Scalar tracking (kernel/bpf/scalar.c) checked for soundness by seeded
 * random sampling against the interpreter itself: random abstract states
 * are built with a few concrete members ("witnesses") that follow every
 * step, then every ALU instruction and conditional jump is applied to the
 * states and, concretely by the interpreter, to their members.  A member's
 * result outside the abstract result, or a branch_taken answer a member
 * contradicts, is a failure.  Then a few precision spot checks against the
 * running kernel's verifier log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/insn.h>
#include <linux/bpf64/prog.h>
#include <linux/bpf64/scalar.h>
#include "bpf64/conformance.h"
#include "bpf64/linux_bpf.h"
#include "insn_build.h"
#include "test_util.h"

#define NW 8			/* witnesses per state */

struct sample {
	struct bpf64_scalar s;
	u64 w[NW];
	int nw;
};

static u64 rng_state = 0x2545f4914f6cdd1dULL;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static u64 rnd_interesting(void)
{
	static const u64 edges[] = {
		0, 1, 2, 3, 7, 8, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL,
	};
	u64 r = rnd();

	switch (r & 3) {
	case 0: return edges[(r >> 8) % ARRAY_SIZE(edges)];
	case 1: return (r >> 8) & ((1ULL << ((r >> 20) & 31)) - 1);
	case 2: return edges[(r >> 8) % ARRAY_SIZE(edges)] + ((r >> 40) & 7) - 3;
	default: return rnd();
	}
}

/* ---- the interpreter as the concrete semantics ---- */

static struct bpf64_prog *cache_prog[256][4];

static int cache_slot(const struct bpf_insn *insn)
{
	switch (insn->off) {
	case 0: return 0;
	case 1: case 8: return 1;
	case 16: return 2;
	default: return 3;
	}
}

/* Run @insn with r1 = x, r2 = y; its 'dst' is r1, a jump sets r0 to 1. */
static u64 run_insn(struct bpf_insn insn, u64 x, u64 y)
{
	struct bpf_insn prog_insns[] = {
		insn,
		BPF64_MOV64_REG(BPF_REG_0, BPF_REG_1),
		BPF64_EXIT_INSN(),
		BPF64_MOV64_IMM(BPF_REG_0, 1),
		BPF64_EXIT_INSN(),
	};
	bool jmp = bpf64_is_jmp_class(insn.code);
	bool cacheable = BPF_SRC(insn.code) == BPF_X &&
			 BPF_OP(insn.code) != BPF_END;
	struct bpf64_prog **slot = &cache_prog[insn.code][cache_slot(&insn)];
	struct bpf64_run run = { .args = { x, y } };
	struct bpf64_prog *prog = cacheable ? *slot : NULL;
	u64 r0 = ~0ULL;

	if (jmp)
		prog_insns[1] = BPF64_MOV64_IMM(BPF_REG_0, 0);
	if (!prog) {
		if (bpf64_prog_create(&prog, prog_insns, jmp ? 5 : 3,
				      &bpf64_conformance_ops, NULL) ||
		    bpf64_interp_prepare(prog, BPF64_RUN_CHECKED, NULL)) {
			fprintf(stderr, "cannot prepare code %#x\n", insn.code);
			exit(2);
		}
	}
	bpf64_interp_run(prog, &run, &r0);
	if (cacheable)
		*slot = prog;
	else
		bpf64_prog_free(prog);
	return r0;
}

/* ---- random states with members ---- */

static const u8 jmp_ops[] = {
	BPF_JEQ, BPF_JNE, BPF_JSET, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE,
	BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE,
};

static const u8 alu_ops[] = {
	BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_OR, BPF_AND,
	BPF_XOR, BPF_LSH, BPF_RSH, BPF_ARSH, BPF_NEG, BPF_MOV, BPF_END,
};

/* A random valid ALU instruction r1 OP= r2 (or imm). */
static struct bpf_insn rnd_alu_insn(void)
{
	u8 op = alu_ops[rnd() % ARRAY_SIZE(alu_ops)];
	bool is64 = rnd() & 1, k = rnd() & 1;
	struct bpf_insn insn = BPF64_RAW_INSN((is64 ? BPF_ALU64 : BPF_ALU) |
					      op | (k ? BPF_K : BPF_X),
					      BPF_REG_1, k ? 0 : BPF_REG_2, 0,
					      k ? (s32)rnd_interesting() : 0);
	static const s16 sx64[] = { 0, 8, 16, 32 }, sx32[] = { 0, 8, 16 };
	static const s32 widths[] = { 16, 32, 64 };

	switch (op) {
	case BPF_DIV:
	case BPF_MOD:
		insn.off = rnd() & 1;
		break;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		if (k)
			insn.imm = rnd() % (is64 ? 64 : 32);
		break;
	case BPF_NEG:
		insn.code = (insn.code & ~BPF_X) | BPF_K;
		insn.src_reg = 0;
		insn.imm = 0;
		break;
	case BPF_MOV:
		if (!k)
			insn.off = is64 ? sx64[rnd() % 4] : sx32[rnd() % 3];
		break;
	case BPF_END:
		insn.src_reg = 0;
		insn.imm = widths[rnd() % 3];
		insn.code &= ~BPF_X;
		if (!is64 && (rnd() & 1))
			insn.code |= BPF_TO_BE;
		break;
	}
	return insn;
}

static void set_const(struct sample *x, u64 v)
{
	int i;

	bpf64_scalar_const(&x->s, v);
	x->nw = NW;
	for (i = 0; i < NW; i++)
		x->w[i] = v;
}

/* The source operand of @insn as the verifier passes it for BPF_K. */
static void imm_operand(const struct bpf_insn *insn, struct sample *src)
{
	u64 imm = BPF_CLASS(insn->code) == BPF_ALU64 ? (u64)(s64)insn->imm :
		  (u32)insn->imm;

	set_const(src, imm);
}

static long misses;		/* members outside an abstract result */

/* Apply @insn to a state and to each of its members paired with src's. */
static void apply_alu(struct sample *d, const struct sample *src,
		      struct bpf_insn insn, long *bad)
{
	struct bpf64_scalar before = d->s;
	int i;

	bpf64_scalar_alu(&d->s, &src->s, &insn);
	for (i = 0; i < d->nw; i++) {
		u64 x = d->w[i], y = src->w[i % src->nw];

		d->w[i] = run_insn(insn, x, y);
		if (bpf64_scalar_contains(&d->s, d->w[i]))
			continue;
		if (!(*bad)++) {
			char a[400], b[400], r[400];

			bpf64_scalar_strn(a, sizeof(a), &before);
			bpf64_scalar_strn(b, sizeof(b), &src->s);
			bpf64_scalar_strn(r, sizeof(r), &d->s);
			tu_diag("code %#x off %d imm %d: %s op %s = %s misses %#llx op %#llx = %#llx",
				insn.code, insn.off, insn.imm, a, b, r,
				(unsigned long long)x, (unsigned long long)y,
				(unsigned long long)d->w[i]);
		}
	}
}

static struct bpf_insn jmp_insn(u8 op, bool is32)
{
	return BPF64_RAW_INSN((is32 ? BPF_JMP32 : BPF_JMP) | op | BPF_X,
			      BPF_REG_1, BPF_REG_2, 2, 0);
}

/* Narrow a state by a comparison with a constant, as its first member goes. */
static void refine_step(struct sample *d)
{
	u8 op = jmp_ops[rnd() % ARRAY_SIZE(jmp_ops)];
	bool is32 = rnd() & 1;
	u64 c = (rnd() & 1) ? rnd_interesting() : d->w[rnd() % d->nw] +
		(rnd() % 5) - 2;
	struct sample k;
	bool taken;
	int i, n;

	set_const(&k, c);
	taken = run_insn(jmp_insn(op, is32), d->w[0], c);
	bpf64_scalar_cond_refine(&d->s, &k.s, op, is32, taken);
	for (i = n = 0; i < d->nw; i++)
		if (run_insn(jmp_insn(op, is32), d->w[i], c) == taken)
			d->w[n++] = d->w[i];
	d->nw = n;
	for (i = 0; i < d->nw; i++)
		misses += !bpf64_scalar_contains(&d->s, d->w[i]);
}

static void rnd_sample(struct sample *x)
{
	int steps = rnd() % 5, i;

	if (rnd() % 4 == 0) {
		set_const(x, rnd_interesting());
	} else {
		bpf64_scalar_unknown(&x->s);
		x->nw = NW;
		for (i = 0; i < NW; i++)
			x->w[i] = rnd_interesting();
	}
	while (steps--) {
		if (rnd() % 3 == 0) {
			refine_step(x);
		} else {
			struct bpf_insn insn = rnd_alu_insn();
			struct sample k;

			if (BPF_SRC(insn.code) == BPF_X &&
			    BPF_OP(insn.code) != BPF_END)
				continue;	/* constants only here */
			imm_operand(&insn, &k);
			apply_alu(x, &k, insn, &misses);
		}
	}
}

static bool parse_scalar(const char *str, struct bpf64_scalar *s);

/* ---- the tests ---- */

/*
 * Operations on constants that give a constant.  Not the shifts (never
 * covered by this check), nor DIV and MOD: Linux
 * 6.18 tracks nothing through those, not even 13 / 4, and bpf64 must
 * reach its verdicts (an earlier bpf64 bounded them more tightly).
 */
static bool op_folds(u8 op)
{
	return op != BPF_LSH && op != BPF_RSH && op != BPF_ARSH &&
	       op != BPF_DIV && op != BPF_MOD;
}

static void test_alu(int count)
{
	long bad = 0, unfolded = 0;
	int i;

	for (i = 0; i < count; i++) {
		struct bpf_insn insn = rnd_alu_insn();
		struct sample d, s;
		bool both_const;

		rnd_sample(&d);
		if (BPF_SRC(insn.code) == BPF_K || BPF_OP(insn.code) == BPF_END)
			imm_operand(&insn, &s);
		else
			rnd_sample(&s);
		if (BPF_OP(insn.code) == BPF_NEG || BPF_OP(insn.code) == BPF_END)
			both_const = bpf64_scalar_is_const(&d.s);
		else
			both_const = bpf64_scalar_is_const(&d.s) &&
				     bpf64_scalar_is_const(&s.s);
		apply_alu(&d, &s, insn, &bad);
		if (both_const && !bpf64_scalar_is_const(&d.s) &&
		    op_folds(BPF_OP(insn.code)))
			unfolded++;
		if (both_const && bpf64_scalar_is_const(&d.s) &&
		    d.s.var_off.value != d.w[0])
			bad++;
	}
	TU_CHECK(!misses, "random states hold their members (%ld misses)",
		 misses);
	TU_CHECK(!bad, "%d random ALU instructions sound (%ld misses)", count,
		 bad);
	TU_CHECK(!unfolded, "constant operands fold to a constant (%ld not)",
		 unfolded);
}

static void check_refined(const struct sample *d, const struct sample *s,
			  const struct bpf64_scalar *rd,
			  const struct bpf64_scalar *rs, u8 op, bool is32,
			  bool taken, long *bad)
{
	int i, j;

	for (i = 0; i < d->nw; i++)
		for (j = 0; j < s->nw; j++) {
			u64 x = d->w[i], y = s->w[j];

			if (run_insn(jmp_insn(op, is32), x, y) != taken)
				continue;
			if (bpf64_scalar_contains(rd, x) &&
			    bpf64_scalar_contains(rs, y))
				continue;
			if (!(*bad)++) {
				char a[400], b[400];

				bpf64_scalar_strn(a, sizeof(a), &d->s);
				bpf64_scalar_strn(b, sizeof(b), &s->s);
				tu_diag("op %#x%s %s: %s vs %s loses %#llx, %#llx",
					op, is32 ? " (32)" : "",
					taken ? "taken" : "not taken", a, b,
					(unsigned long long)x,
					(unsigned long long)y);
			}
		}
}

static void test_branches(int count)
{
	long wrong = 0, bad = 0, undecided = 0;
	int i, j, k;

	for (i = 0; i < count; i++) {
		u8 op = jmp_ops[rnd() % ARRAY_SIZE(jmp_ops)];
		bool is32 = rnd() & 1;
		struct sample d, s;
		int bt;

		rnd_sample(&d);
		if (rnd() & 1)
			set_const(&s, rnd() & 1 ? rnd_interesting() :
				  d.w[0] + (rnd() % 3) - 1);
		else
			rnd_sample(&s);
		bt = bpf64_scalar_branch_taken(&d.s, &s.s, op, is32);
		for (j = 0; j < d.nw; j++)
			for (k = 0; k < s.nw; k++)
				if (bt >= 0 && run_insn(jmp_insn(op, is32),
							d.w[j], s.w[k]) != (u64)bt)
					wrong++;
		if (bt < 0 && bpf64_scalar_is_const(&d.s) &&
		    bpf64_scalar_is_const(&s.s))
			undecided++;
		for (j = 0; j < 2; j++) {
			struct bpf64_scalar rd = d.s, rs = s.s;

			bpf64_scalar_cond_refine(&rd, &rs, op, is32, j);
			check_refined(&d, &s, &rd, &rs, op, is32, j, &bad);
		}
	}
	TU_CHECK(!wrong, "branch_taken never contradicted in %d cases (%ld)",
		 count, wrong);
	TU_CHECK(!undecided, "branch_taken decides constants (%ld not)",
		 undecided);
	TU_CHECK(!bad, "cond_refine keeps every pair taking the branch (%ld lost)",
		 bad);
}

/* One register on both sides: "r1 -= r1", "if r1 & r1". */
static void test_same_register(int count)
{
	long bad = 0, wrong = 0, lost = 0;
	int i, j;

	for (i = 0; i < count; i++) {
		struct bpf_insn insn = rnd_alu_insn();
		u8 op = jmp_ops[rnd() % ARRAY_SIZE(jmp_ops)];
		bool is32 = rnd() & 1;
		struct sample d;
		int bt;

		rnd_sample(&d);
		bt = bpf64_scalar_branch_taken(&d.s, &d.s, op, is32);
		for (j = 0; j < 2; j++) {
			struct bpf64_scalar r = d.s;
			int k;

			bpf64_scalar_cond_refine(&r, &r, op, is32, j);
			for (k = 0; k < d.nw; k++) {
				u64 t = run_insn(jmp_insn(op, is32), d.w[k],
						 d.w[k]);

				wrong += j == 0 && bt >= 0 && t != (u64)bt;
				lost += t == (u64)j &&
					!bpf64_scalar_contains(&r, d.w[k]);
			}
		}
		if (BPF_SRC(insn.code) == BPF_X && BPF_OP(insn.code) != BPF_END &&
		    !insn.off)
			apply_alu(&d, &d, insn, &bad);
	}
	TU_CHECK(!bad && !wrong && !lost,
		 "same register on both sides (%ld ALU misses, %ld wrong, %ld lost)",
		 bad, wrong, lost);
	{
		struct bpf_insn sub = BPF64_ALU64_REG(BPF_SUB, BPF_REG_1, BPF_REG_1);
		struct bpf64_scalar r;

		bpf64_scalar_unknown(&r);
		bpf64_scalar_alu(&r, &r, &sub);
		TU_CHECK(bpf64_scalar_is_const(&r) && !r.var_off.value,
			 "r1 -= r1 is 0");
		bpf64_scalar_unknown(&r);
		TU_CHECK(bpf64_scalar_branch_taken(&r, &r, BPF_JGE, false) == 1 &&
			 bpf64_scalar_branch_taken(&r, &r, BPF_JSLT, true) == 0,
			 "r1 >= r1 always, r1 s< r1 never");
	}
}

static void test_within(int count)
{
	long bad = 0;
	int i, j;

	for (i = 0; i < count; i++) {
		struct sample a, b;
		struct bpf64_scalar u;

		rnd_sample(&a);
		rnd_sample(&b);
		bpf64_scalar_unknown(&u);
		bad += !bpf64_scalar_within(&a.s, &a.s) ||
		       !bpf64_scalar_within(&u, &a.s);
		if (bpf64_scalar_within(&a.s, &b.s))
			for (j = 0; j < b.nw; j++)
				bad += !bpf64_scalar_contains(&a.s, b.w[j]);
	}
	TU_CHECK(!bad, "within: reflexive, under unknown, and sound (%ld)", bad);
}

static void test_sync(int count)
{
	long bad = 0, unstable = 0;
	int i, j;

	for (i = 0; i < count; i++) {
		struct sample a;
		struct bpf64_scalar s;

		rnd_sample(&a);
		s = a.s;
		bpf64_scalar_sync(&s);
		for (j = 0; j < a.nw; j++)
			bad += !bpf64_scalar_contains(&s, a.w[j]);
		bad += !bpf64_scalar_within(&a.s, &s);
		/* a synced state is its own fixed point */
		a.s = s;
		bpf64_scalar_sync(&s);
		unstable += memcmp(&a.s, &s, sizeof(s)) != 0;
	}
	TU_CHECK(!bad, "sync keeps members and never widens (%ld)", bad);
	TU_CHECK(!unstable, "sync reaches a fixed point (%ld not)", unstable);
}

/*
 * An unknown load of 1, 2, 4 or 8 bytes built directly is what the
 * general path makes of it: any number, then "& mask" (or zero extension
 * for 4 bytes).
 */
static void test_unknown_bytes(void)
{
	static const u32 sizes[] = { 1, 2, 4, 8 };
	struct bpf_insn and = { .code = BPF_ALU64 | BPF_K | BPF_AND };
	struct bpf64_scalar direct, general, mask;
	u32 i, same = 0;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		bpf64_scalar_unknown(&general);
		if (sizes[i] == 4) {
			bpf64_scalar_zext32(&general);
		} else if (sizes[i] < 4) {
			bpf64_scalar_const(&mask, (1ULL << (sizes[i] * 8)) - 1);
			bpf64_scalar_alu(&general, &mask, &and);
		}
		bpf64_scalar_unknown_bytes(&direct, sizes[i]);
		same += !memcmp(&direct, &general, sizeof(direct));
	}
	TU_CHECK(same == ARRAY_SIZE(sizes),
		 "unknown loads of 1, 2, 4, 8 bytes as the general path makes them (%u of 4)",
		 same);
}

/*
 * Precision: after sync, unsigned bounds of a state given only a tnum and
 * a range are values of both (when some value is), over all 6-bit tnums.
 */
static void test_tight_bounds(void)
{
	long loose = 0, bad = 0;
	int i, lo, hi;

	for (i = 0; i < 729; i++) {
		struct tnum t = { 0, 0 };
		int b, n;

		for (b = 0, n = i; b < 6; b++, n /= 3)
			if (n % 3)
				*(n % 3 == 1 ? &t.value : &t.mask) |= 1ULL << b;
		for (lo = 0; lo < 64; lo += 3)
			for (hi = lo; hi < 64; hi += 5) {
				struct bpf64_scalar s;
				u64 x, first = ~0ULL, last = 0;

				for (x = lo; x <= (u64)hi; x++)
					if ((x & ~t.mask) == t.value) {
						first = first < x ? first : x;
						last = x;
					}
				if (first == ~0ULL)
					continue;
				bpf64_scalar_unknown(&s);
				s.var_off = t;
				s.umin = lo;
				s.umax = hi;
				bpf64_scalar_sync(&s);
				loose += s.umin != first || s.umax != last ||
					 s.smin != (s64)first || s.smax != (s64)last;
				bad += !bpf64_scalar_contains(&s, first) ||
				       !bpf64_scalar_contains(&s, last);
			}
	}
	TU_CHECK(!bad && !loose,
		 "bounds tight to tnum and range together (%ld loose, %ld wrong)",
		 loose, bad);
}

/* The printed form says everything a synced state holds. */
static void test_print_roundtrip(int count)
{
	long bad = 0;
	int i;

	for (i = 0; i < count; i++) {
		struct bpf64_scalar back;
		struct sample a;
		char buf[400];

		rnd_sample(&a);
		bpf64_scalar_strn(buf, sizeof(buf), &a.s);
		if (parse_scalar(buf, &back) &&
		    !memcmp(&back, &a.s, sizeof(back)))
			continue;
		if (!bad++)
			tu_diag("%s does not read back", buf);
	}
	TU_CHECK(!bad, "printed states read back the same (%ld not)", bad);
}

/* Known results, worked out by hand from the definitions. */
static void test_examples(void)
{
	struct bpf_insn and = BPF64_ALU64_IMM(BPF_AND, BPF_REG_1, 0xff);
	struct bpf64_scalar r, k, c;
	char buf[200];

	bpf64_scalar_unknown(&r);
	bpf64_scalar_strn(buf, sizeof(buf), &r);
	TU_CHECK(!strcmp(buf, "scalar()"), "unknown prints %s", buf);
	bpf64_scalar_const(&k, 0xff);
	bpf64_scalar_alu(&r, &k, &and);
	bpf64_scalar_strn(buf, sizeof(buf), &r);
	TU_CHECK(!strcmp(buf, "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"),
		 "r &= 0xff prints %s", buf);
	bpf64_scalar_const(&c, -5);
	bpf64_scalar_strn(buf, sizeof(buf), &c);
	TU_CHECK(!strcmp(buf, "-5"), "constant -5 prints %s", buf);
	bpf64_scalar_const(&c, 0x12345678);
	bpf64_scalar_strn(buf, sizeof(buf), &c);
	TU_CHECK(!strcmp(buf, "0x12345678"), "constant prints %s", buf);
	bpf64_scalar_const(&c, 10);
	TU_CHECK(bpf64_scalar_branch_taken(&r, &c, BPF_JGT, false) == -1 &&
		 bpf64_scalar_branch_taken(&r, &k, BPF_JGT, false) == 0 &&
		 bpf64_scalar_branch_taken(&r, &k, BPF_JLE, false) == 1,
		 "branch_taken on [0, 255]");
	bpf64_scalar_cond_refine(&r, &c, BPF_JGT, false, false);
	TU_CHECK(r.umax == 10 && r.smax == 10 && r.u32_max == 10 &&
		 r.var_off.mask == 0xf, "r <= 10 narrows to [0, 10], (0; 0xf)");
}

/* ---- precision spot checks against Linux's verifier log ---- */

struct linux_case {
	const char *name;
	struct bpf_insn insns[4];	/* on r0 and r6, unknown scalars */
	int len;
};

#define I64(OP, K)	BPF64_ALU64_IMM(OP, BPF_REG_0, K)
#define I32(OP, K)	BPF64_ALU32_IMM(OP, BPF_REG_0, K)

static const struct linux_case linux_cases[] = {
	{ "and", { I64(BPF_AND, 0xff) }, 1 },
	{ "and add lsh", { I64(BPF_AND, 0xff), I64(BPF_ADD, 3),
			   I64(BPF_LSH, 2) }, 3 },
	{ "and sub (negative)", { I64(BPF_AND, 0xffff),
				  I64(BPF_SUB, 100) }, 2 },
	{ "alu32 and or", { I32(BPF_AND, 0xf0), I32(BPF_OR, 5) }, 2 },
	{ "rsh", { I64(BPF_RSH, 60) }, 1 },
	{ "arsh", { I64(BPF_ARSH, 40) }, 1 },
	{ "xor", { I64(BPF_AND, 0x0f0f), I64(BPF_XOR, 0x3c) }, 2 },
	{ "mul", { I64(BPF_AND, 0x3ff), I64(BPF_MUL, 3) }, 2 },
	{ "jgt fall-through", { I64(BPF_AND, 0xff),
				BPF64_JMP_IMM(BPF_JGT, BPF_REG_0, 10, 0) }, 2 },
	{ "jsgt fall-through", {
		BPF64_JMP_IMM(BPF_JSGT, BPF_REG_0, -3, 0) }, 1 },
	{ "jlt 32 fall-through", { I64(BPF_RSH, 20),
		BPF64_JMP32_IMM(BPF_JLT, BPF_REG_0, 7, 0) }, 2 },
	{ "signed mul", { I64(BPF_AND, 0xff), I64(BPF_SUB, 100),
			  I64(BPF_MUL, 3) }, 3 },
	{ "alu32 add wraps", { I64(BPF_AND, 0xff), I32(BPF_ADD, -1) }, 2 },
	{ "jne fall-through", { I64(BPF_AND, 0xff),
				BPF64_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 0) }, 2 },
	{ "jset fall-through", {
		BPF64_JMP_IMM(BPF_JSET, BPF_REG_0, 8, 0) }, 1 },
	{ "jeq 32 fall-through", { I64(BPF_AND, 0xff),
		BPF64_JMP32_IMM(BPF_JEQ, BPF_REG_0, 0, 0) }, 2 },
	{ "movsx", { I64(BPF_AND, 0x1ff),
		     BPF64_MOVSX64_REG(BPF_REG_0, BPF_REG_0, 8) }, 2 },
	{ "neg", { I64(BPF_AND, 0xff), BPF64_RAW_INSN(BPF_ALU64 | BPF_NEG,
						      BPF_REG_0, 0, 0, 0) }, 2 },
	{ "arsh 32", { I64(BPF_AND, 0xff), I64(BPF_SUB, 100),
		       I32(BPF_ARSH, 2) }, 3 },
	{ "lsh 32", { I64(BPF_AND, 0xffff), I64(BPF_LSH, 32) }, 2 },
	{ "bswap", { I64(BPF_AND, 0xff), BPF64_BSWAP(BPF_REG_0, 16) }, 2 },
	{ "div", { I64(BPF_AND, 0xff), I64(BPF_DIV, 10) }, 2 },
	{ "mod", { I64(BPF_AND, 0xff), I64(BPF_MOD, 10) }, 2 },
};

/* R0's state on the log line of instruction @idx, or NULL. */
static bool log_r0(const char *log, int idx, char *out, size_t size)
{
	char head[16];
	const char *p, *q;
	int depth = 0;
	size_t n;

	snprintf(head, sizeof(head), "\n%d: (", idx);
	p = strstr(log, head);
	if (!p)
		return false;
	p = strstr(p + 1, "R0");
	if (!p || strchr(p, '\n') < p)
		return false;
	p += 2;
	if (!strncmp(p, "_w", 2))
		p += 2;
	if (*p++ != '=')
		return false;
	for (q = p; *q && *q != '\n'; q++) {
		if (*q == '(')
			depth++;
		else if (*q == ')' && !--depth) {
			q++;
			break;
		} else if (*q == ' ' && !depth)
			break;
	}
	n = q - p < (long)size - 1 ? (size_t)(q - p) : size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* Read a register state back from the form Linux's log prints. */
static bool parse_scalar(const char *str, struct bpf64_scalar *s)
{
	char *end;

	if (strncmp(str, "scalar(", 7)) {
		bpf64_scalar_const(s, str[0] == '-' ? (u64)strtoll(str, &end, 0) :
				   strtoull(str, &end, 0));
		return !*end;
	}
	bpf64_scalar_unknown(s);
	str += 7;
	while (*str && *str != ')') {
		const char *val = str;
		unsigned long long v, m;

		if (sscanf(str, "var_off=(0x%llx; 0x%llx)", &v, &m) == 2) {
			s->var_off = TNUM(v, m);
			str = strchr(str, ')') + 1;
		} else {
			if (!strpbrk(val, ",)"))
				return false;
			while (strchr(val, '=') && strchr(val, '=') <
			       strpbrk(val, ",)"))
				val = strchr(val, '=') + 1;
			v = val[0] == '-' ? (u64)strtoll(val, &end, 0) :
			    strtoull(val, &end, 0);
			for (; str < val; str = strchr(str, '=') + 1) {
				if (!strncmp(str, "smin32=", 7))
					s->s32_min = v;
				else if (!strncmp(str, "smax32=", 7))
					s->s32_max = v;
				else if (!strncmp(str, "umin32=", 7))
					s->u32_min = v;
				else if (!strncmp(str, "umax32=", 7))
					s->u32_max = v;
				else if (!strncmp(str, "smin=", 5))
					s->smin = v;
				else if (!strncmp(str, "smax=", 5))
					s->smax = v;
				else if (!strncmp(str, "umin=", 5))
					s->umin = v;
				else if (!strncmp(str, "umax=", 5))
					s->umax = v;
				else
					return false;
			}
			str = end;
		}
		if (*str == ',')
			str++;
	}
	return *str == ')';
}

/*
 * The same program in bpf64: r0 and r6 start unknown; the state of r0
 * after the last instruction.  Returns whether a jump was decided (Linux
 * does not narrow on those).
 */
static bool our_state(const struct linux_case *c, struct bpf64_scalar *res,
		      char *out, size_t size)
{
	struct bpf64_scalar r[BPF64_NR_REGS], a, b;
	bool decided = false;
	int i;

	bpf64_scalar_unknown(&r[0]);
	r[6] = r[0];
	for (i = 0; i < c->len; i++) {
		const struct bpf_insn *insn = &c->insns[i];
		u64 imm = BPF_CLASS(insn->code) == BPF_ALU ? (u32)insn->imm :
			  (u64)(s64)insn->imm;
		bool is32 = BPF_CLASS(insn->code) == BPF_JMP32;

		a = r[insn->dst_reg];
		bpf64_scalar_const(&b, imm);
		if (BPF_SRC(insn->code) == BPF_X)
			b = r[insn->src_reg];
		if (bpf64_is_jmp_class(insn->code)) {
			decided |= bpf64_scalar_branch_taken(&a, &b,
					BPF_OP(insn->code), is32) >= 0;
			bpf64_scalar_cond_refine(&a, &b, BPF_OP(insn->code),
						 is32, false);
			if (BPF_SRC(insn->code) == BPF_X)
				r[insn->src_reg] = b;
		} else {
			bpf64_scalar_alu(&a, &b, insn);
		}
		r[insn->dst_reg] = a;
	}
	bpf64_scalar_strn(out, size, &r[0]);
	*res = r[0];
	return decided;
}

/* Load @c after "r0 = random; r6 = r0; r0 = random": Linux's R0 after it. */
static int linux_state(const struct linux_case *c, char *out, size_t size)
{
	static char log[1 << 16];
	struct linux_bpf_load_opts o = {
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
		.log_buf = log, .log_size = sizeof(log), .log_level = 2,
	};
	struct bpf_insn insns[16] = {
		BPF64_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0,
			       BPF_FUNC_get_prandom_u32),
		BPF64_MOV64_REG(BPF_REG_6, BPF_REG_0),
		BPF64_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0,
			       BPF_FUNC_get_prandom_u32),
	};
	int fd, n = 3;

	memcpy(insns + n, c->insns, c->len * sizeof(insns[0]));
	n += c->len;
	insns[n++] = BPF64_MOV64_IMM(BPF_REG_0, 0);
	insns[n++] = BPF64_EXIT_INSN();
	log[0] = '\0';
	fd = linux_bpf_prog_load(insns, n, &o);
	if (fd < 0)
		return fd;
	linux_bpf_close(fd);
	return log_r0(log, c->len + 2, out, size) ? 0 : -ENOENT;
}

static void test_linux(void)
{
	size_t i;
	int err = linux_bpf_probe();

	if (err) {
		tu_skip("Linux verifier spot checks # SKIP bpf() refused (%d)",
			err);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(linux_cases); i++) {
		const struct linux_case *c = &linux_cases[i];
		struct bpf64_scalar linux_s, our_s;
		char theirs[400] = "", ours[400];

		our_state(c, &our_s, ours, sizeof(ours));
		err = linux_state(c, theirs, sizeof(theirs));
		if (err) {
			TU_CHECK(0, "Linux log for '%s' (%d)", c->name, err);
			continue;
		}
		if (!strcmp(theirs, ours)) {
			TU_CHECK(1, "as Linux: %s", c->name);
			continue;
		}
		/* different is fine when it is tighter */
		TU_CHECK(parse_scalar(theirs, &linux_s) &&
			 bpf64_scalar_within(&linux_s, &our_s),
			 "at least as precise as Linux: %s", c->name);
		tu_diag("Linux %s, bpf64 %s", theirs, ours);
	}
}

/*
 * Not part of the run: "--linux-random N" compares N random programs with
 * Linux and lists where bpf64 is less precise, or differs.
 */
static struct bpf_insn rnd_linux_insn(void)
{
	struct bpf_insn in = rnd_alu_insn();

	if (rnd() % 3 == 0)
		in = BPF64_RAW_INSN((rnd() & 1 ? BPF_JMP32 : BPF_JMP) |
				    jmp_ops[rnd() % ARRAY_SIZE(jmp_ops)] |
				    (rnd() & 1 ? BPF_X : BPF_K), 0, 0, 0,
				    (s32)rnd_interesting());
	if (BPF_SRC(in.code) == BPF_X && BPF_OP(in.code) != BPF_END)
		in.imm = 0;
	in.dst_reg = rnd() & 1 ? BPF_REG_6 : BPF_REG_0;
	in.src_reg = BPF_SRC(in.code) == BPF_X && BPF_OP(in.code) != BPF_END &&
		     !(BPF_CLASS(in.code) <= BPF_ALU64 && BPF_OP(in.code) == BPF_NEG) ?
		     (rnd() & 1 ? BPF_REG_6 : BPF_REG_0) : 0;
	return in;
}

static void linux_random(int count)
{
	int i, j, worse = 0, tighter = 0, same = 0, skipped = 0;

	for (i = 0; i < count; i++) {
		struct linux_case c = { "random" };
		struct bpf64_scalar ls, os;
		char theirs[400] = "", ours[400];

		c.len = 1 + rnd() % 4;
		for (j = 0; j < c.len; j++)
			c.insns[j] = rnd_linux_insn();
		c.insns[c.len - 1].dst_reg = BPF_REG_0;
		for (j = 0; j < c.len; j++)
			/* "if r0 < r0": Linux narrows a branch no pair takes */
			if (bpf64_is_jmp_class(c.insns[j].code) &&
			    BPF_SRC(c.insns[j].code) == BPF_X &&
			    c.insns[j].src_reg == c.insns[j].dst_reg)
				c.insns[j].src_reg ^= BPF_REG_6;
		if (our_state(&c, &os, ours, sizeof(ours)) ||
		    linux_state(&c, theirs, sizeof(theirs)) ||
		    !parse_scalar(theirs, &ls)) {
			skipped++;
			continue;
		}
		if (!strcmp(theirs, ours)) {
			same++;
			continue;
		}
		/* tighter predicts Linux's verdicts less well: list both */
		if (bpf64_scalar_within(&ls, &os)) {
			tighter++;
			printf("# tighter:");
		} else {
			worse++;
			printf("# less precise:");
		}
		{
			for (j = 0; j < c.len; j++)
				printf(" %02x/r%d/r%d/%d/%d", c.insns[j].code,
				       c.insns[j].dst_reg, c.insns[j].src_reg,
				       c.insns[j].off, c.insns[j].imm);
			printf("\n#   Linux %s\n#   bpf64 %s\n", theirs, ours);
		}
	}
	printf("# same %d, tighter %d, less precise %d, skipped %d\n", same,
	       tighter, worse, skipped);
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1;

	if (argc > 2 && !strcmp(argv[1], "--linux-random")) {
		linux_random(atoi(argv[2]));
		return 0;
	}

	test_examples();
	test_alu(20000 * scale);
	test_branches(10000 * scale);
	test_same_register(5000 * scale);
	test_within(5000 * scale);
	test_sync(5000 * scale);
	test_unknown_bytes();
	test_print_roundtrip(5000 * scale);
	test_tight_bounds();
	test_linux();
	return tu_exit();
}
