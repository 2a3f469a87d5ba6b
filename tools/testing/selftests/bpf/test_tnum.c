// SPDX-License-Identifier: GPL-2.0
/*
 * Tristate numbers: every operation checked for soundness exhaustively over
 * small families of tnums (all tnums whose bits outside a few chosen
 * positions are known), and for exactness on constants.
 */
#include <stdio.h>
#include <string.h>

#include <linux/bpf64/tnum.h>
#include "test_util.h"

#define FAMILY_BITS 6
#define FAMILY_MAX 729			/* 3^FAMILY_BITS */

/* Every tnum whose bits at @pos are 0, 1 or unknown, the others @fill. */
struct family {
	const char *name;
	int nbits;
	u8 pos[FAMILY_BITS];		/* the bit positions that vary */
	u64 fill;			/* the known bits elsewhere */
	int size;
	struct tnum t[FAMILY_MAX];
};

static struct family families[] = {
	{ "the low 6 bits", 6, { 0, 1, 2, 3, 4, 5 }, 0 },
	{ "sign and carry bits", 4, { 0, 1, 62, 63 }, 0x00f0f0f0f0f0f0f0ULL },
	{ "subregister sign", 4, { 0, 30, 31, 32 }, 0xffffffff00000000ULL },
};

static void family_build(struct family *f)
{
	int i, b, n;

	for (f->size = 1, b = 0; b < f->nbits; b++)
		f->size *= 3;
	for (i = 0; i < f->size; i++) {
		struct tnum t = { f->fill, 0 };

		for (b = 0, n = i; b < f->nbits; b++, n /= 3) {
			u64 bit = 1ULL << f->pos[b];

			t.value &= ~bit;
			if (n % 3 == 1)
				t.value |= bit;
			else if (n % 3 == 2)
				t.mask |= bit;
		}
		f->t[i] = t;
	}
}

static bool member(struct tnum t, u64 x)
{
	return (x & ~t.mask) == t.value;
}

/* The members of t (at most 2^FAMILY_BITS in a family). */
static int members(struct tnum t, u64 *out)
{
	u64 sub = 0;
	int n = 0;

	do {
		out[n++] = t.value | sub;
		sub = (sub - t.mask) & t.mask;	/* next subset of the mask */
	} while (sub);
	return n;
}

enum binop { ADD, SUB, MUL, AND, OR, XOR, NR_BINOPS };

static const char *const binop_name[] = {
	"add", "sub", "mul", "and", "or", "xor",
};

static u64 concrete(enum binop op, u64 x, u64 y)
{
	switch (op) {
	case ADD: return x + y;
	case SUB: return x - y;
	case MUL: return x * y;
	case AND: return x & y;
	case OR:  return x | y;
	default:  return x ^ y;
	}
}

static struct tnum abstract(enum binop op, struct tnum a, struct tnum b)
{
	switch (op) {
	case ADD: return tnum_add(a, b);
	case SUB: return tnum_sub(a, b);
	case MUL: return tnum_mul(a, b);
	case AND: return tnum_and(a, b);
	case OR:  return tnum_or(a, b);
	default:  return tnum_xor(a, b);
	}
}

static void diag_pair(const char *what, struct tnum a, struct tnum b,
		      struct tnum r, u64 x, u64 y)
{
	char sa[48], sb[48], sr[48];

	tnum_strn(sa, sizeof(sa), a);
	tnum_strn(sb, sizeof(sb), b);
	tnum_strn(sr, sizeof(sr), r);
	tu_diag("%s: a=%s b=%s -> %s misses x=%#llx y=%#llx", what, sa, sb,
		sr, (unsigned long long)x, (unsigned long long)y);
}

static void test_binops(const struct family *f)
{
	u64 xs[1 << FAMILY_BITS], ys[1 << FAMILY_BITS];
	int op, i, j, nx, ny, p, q;

	for (op = 0; op < NR_BINOPS; op++) {
		long bad = 0;

		for (i = 0; i < f->size; i++) {
			nx = members(f->t[i], xs);
			for (j = 0; j < f->size; j++) {
				struct tnum r = abstract(op, f->t[i], f->t[j]);

				ny = members(f->t[j], ys);
				for (p = 0; p < nx; p++)
					for (q = 0; q < ny; q++) {
						u64 z = concrete(op, xs[p], ys[q]);

						if (member(r, z))
							continue;
						if (!bad++)
							diag_pair(binop_name[op],
								  f->t[i], f->t[j],
								  r, xs[p], ys[q]);
					}
			}
		}
		TU_CHECK(!bad, "tnum_%s sound over %s (%ld misses)",
			 binop_name[op], f->name, bad);
	}
}

static void test_unops(const struct family *f)
{
	u64 xs[1 << FAMILY_BITS];
	long bad[6] = { 0 };
	int i, p, n, sh;

	for (i = 0; i < f->size; i++) {
		struct tnum a = f->t[i];

		n = members(a, xs);
		for (p = 0; p < n; p++) {
			u64 x = xs[p];

			bad[0] += !member(tnum_neg(a), -x);
			for (sh = 0; sh < 64; sh++) {
				bad[1] += !member(tnum_lshift(a, sh), x << sh);
				bad[2] += !member(tnum_rshift(a, sh), x >> sh);
				bad[3] += !member(tnum_arshift(a, sh, 64),
						  (u64)((s64)x >> sh));
				if (sh < 32)
					bad[4] += !member(tnum_arshift(a, sh, 32),
							  (u32)((s32)x >> sh));
			}
			bad[5] += !member(tnum_cast(a, 1), (u8)x) +
				  !member(tnum_cast(a, 2), (u16)x) +
				  !member(tnum_cast(a, 4), (u32)x) +
				  !member(tnum_cast(a, 8), x) +
				  !member(tnum_subreg(a), (u32)x) +
				  !member(tnum_clear_subreg(a), x & ~0xffffffffULL);
		}
	}
	TU_CHECK(!bad[0], "tnum_neg sound over %s", f->name);
	TU_CHECK(!bad[1], "tnum_lshift sound over %s", f->name);
	TU_CHECK(!bad[2], "tnum_rshift sound over %s", f->name);
	TU_CHECK(!bad[3], "tnum_arshift 64 sound over %s", f->name);
	TU_CHECK(!bad[4], "tnum_arshift 32 sound over %s", f->name);
	TU_CHECK(!bad[5], "tnum_cast and subregisters sound over %s", f->name);
}

/* Set relations are exact for tnums: check them against the members. */
static void test_set_ops(const struct family *f)
{
	u64 xs[1 << FAMILY_BITS], ys[1 << FAMILY_BITS];
	long bad_in = 0, bad_union = 0, bad_inter = 0, bad_sub = 0;
	int i, j, p, q, nx, ny;

	for (i = 0; i < f->size; i++) {
		struct tnum a = f->t[i];

		nx = members(a, xs);
		for (j = 0; j < f->size; j++) {
			struct tnum b = f->t[j];
			struct tnum u = tnum_union(a, b);
			struct tnum in = tnum_intersect(a, b);
			struct tnum w = tnum_with_subreg(a, b);
			bool all_in = true;

			ny = members(b, ys);
			for (q = 0; q < ny; q++) {
				all_in &= member(a, ys[q]);
				bad_union += !member(u, ys[q]);
				/* both in a and b: in the intersection */
				if (member(a, ys[q]))
					bad_inter += !member(in, ys[q]);
			}
			bad_in += tnum_in(a, b) != all_in;
			for (p = 0; p < nx; p++) {
				bad_union += !member(u, xs[p]);
				for (q = 0; q < ny; q++)
					bad_sub += !member(w, (xs[p] &
						~0xffffffffULL) | (u32)ys[q]);
			}
			/* smallest: only bits that differ or are unknown */
			bad_union += !tnum_in(u, a) || !tnum_in(u, b) ||
				     u.mask != (a.mask | b.mask |
						(a.value ^ b.value));
		}
	}
	TU_CHECK(!bad_in, "tnum_in is set inclusion over %s", f->name);
	TU_CHECK(!bad_union, "tnum_union holds both over %s", f->name);
	TU_CHECK(!bad_inter, "tnum_intersect holds common values over %s",
		 f->name);
	TU_CHECK(!bad_sub, "tnum_with_subreg sound over %s", f->name);
}

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

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
		0, 1, 2, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL, ~1ULL,
	};
	u64 r = rnd();

	switch (r & 3) {
	case 0: return edges[(r >> 8) % ARRAY_SIZE(edges)];
	case 1: return (r >> 8) & 0xffff;
	case 2: return edges[(r >> 8) % ARRAY_SIZE(edges)] + ((r >> 40) & 7) - 3;
	default: return rnd();
	}
}

static void test_constants(void)
{
	long bad = 0;
	int i, op;

	for (i = 0; i < 20000; i++) {
		u64 x = rnd_interesting(), y = rnd_interesting();
		u8 sh = rnd() & 63;

		for (op = 0; op < NR_BINOPS; op++) {
			struct tnum r = abstract(op, tnum_const(x), tnum_const(y));

			bad += !tnum_equals_const(r, concrete(op, x, y));
		}
		bad += !tnum_equals_const(tnum_neg(tnum_const(x)), -x);
		bad += !tnum_equals_const(tnum_lshift(tnum_const(x), sh), x << sh);
		bad += !tnum_equals_const(tnum_rshift(tnum_const(x), sh), x >> sh);
		bad += !tnum_equals_const(tnum_arshift(tnum_const(x), sh, 64),
					  (u64)((s64)x >> sh));
		bad += !tnum_equals_const(tnum_arshift(tnum_const(x), sh & 31, 32),
					  (u32)((s32)x >> (sh & 31)));
		bad += !tnum_equals_const(tnum_range(x, x), x);
		bad += !tnum_equals_const(tnum_const_subreg(tnum_const(x), y),
					  (x & ~0xffffffffULL) | (u32)y);
	}
	TU_CHECK(!bad, "constants fold exactly (%ld wrong)", bad);
}

static void test_range(void)
{
	long bad = 0, loose = 0;
	int i;

	for (i = 0; i < 20000; i++) {
		u64 lo = rnd_interesting(), len = rnd() & 0x3ff, x;
		struct tnum t;

		if (lo + len < lo)
			lo -= len + 1;
		t = tnum_range(lo, lo + len);
		for (x = lo; x <= lo + len && x >= lo; x += 1 + (len >> 4))
			bad += !member(t, x);
		bad += !member(t, lo + len);
		/* unknown: the bits from the highest one that differs down */
		x = lo ^ (lo + len);
		loose += t.mask != (x ? ~0ULL >> __builtin_clzll(x) : 0);
	}
	TU_CHECK(!bad, "tnum_range holds its whole range (%ld misses)", bad);
	TU_CHECK(!loose, "tnum_range is tight (%ld too wide)", loose);
	TU_CHECK(tnum_is_unknown(tnum_range(0, ~0ULL)) &&
		 tnum_is_unknown(tnum_range(0x7fffffffffffffffULL,
					    0x8000000000000000ULL)),
		 "tnum_range across bit 63 is unknown");
}

static void test_misc(void)
{
	char buf[64];
	int n;

	n = tnum_strn(buf, sizeof(buf), TNUM(0, 0xff));
	TU_CHECK(n == 11 && !strcmp(buf, "(0x0; 0xff)"),
		 "tnum_strn prints Linux's form: %s", buf);
	tnum_strn(buf, sizeof(buf), TNUM(0x10, 0xffffffff00000003ULL));
	TU_CHECK(!strcmp(buf, "(0x10; 0xffffffff00000003)"),
		 "tnum_strn of a wide mask: %s", buf);
	n = tnum_strn(buf, 4, tnum_unknown);
	TU_CHECK(n > 4 && strlen(buf) == 3, "tnum_strn truncates like snprintf");
	TU_CHECK(tnum_is_unknown(tnum_unknown) && !tnum_is_const(tnum_unknown),
		 "tnum_unknown");
	TU_CHECK(tnum_is_aligned(TNUM(0x10, 0x30), 16) &&
		 !tnum_is_aligned(TNUM(0x10, 0x38), 16) &&
		 !tnum_is_aligned(tnum_const(6), 4) &&
		 tnum_is_aligned(tnum_const(7), 0),
		 "tnum_is_aligned");
	TU_CHECK(tnum_equals_const(tnum_mul(TNUM(0, 1), tnum_const(0)), 0) &&
		 tnum_equals_const(tnum_and(tnum_unknown, tnum_const(0)), 0),
		 "absorbing zeros are exact");
	TU_CHECK(tnum_equals_const(tnum_lshift(tnum_unknown, 64), 0) &&
		 tnum_equals_const(tnum_rshift(tnum_unknown, 200), 0),
		 "shifts by 64 or more give 0");
}

int main(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(families); i++) {
		family_build(&families[i]);
		test_binops(&families[i]);
		test_unops(&families[i]);
		test_set_ops(&families[i]);
	}
	test_constants();
	test_range();
	test_misc();
	return tu_exit();
}
