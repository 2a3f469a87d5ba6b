// SPDX-License-Identifier: GPL-2.0
/*
 * Tristate numbers (see include/linux/bpf64/tnum.h).
 *
 * The carry tricks follow Edward Cree's design of Linux's tnums; the first
 * multiplication follows "Sound, Precise, and Fast Abstract Interpretation
 * with Tristate Numbers" (Vishwanathan et al., CGO 2022).
 */
#include <linux/bpf64/tnum.h>

const struct tnum tnum_unknown = { .value = 0, .mask = ~0ULL };

struct tnum tnum_range(u64 min, u64 max)
{
	u64 differ = min ^ max;
	u64 low;

	if (!differ)
		return tnum_const(min);
	/* Every bit below the highest one that differs can take any value. */
	if (differ >> 63)
		return tnum_unknown;
	low = ~0ULL >> __builtin_clzll(differ);
	return TNUM(min & ~low, low);
}

struct tnum tnum_lshift(struct tnum a, u8 shift)
{
	if (shift > 63)
		return tnum_const(0);
	return TNUM(a.value << shift, a.mask << shift);
}

struct tnum tnum_rshift(struct tnum a, u8 shift)
{
	if (shift > 63)
		return tnum_const(0);
	return TNUM(a.value >> shift, a.mask >> shift);
}

struct tnum tnum_arshift(struct tnum a, u8 shift, u8 insn_bitness)
{
	/*
	 * The sign bit shifted in is known exactly when the sign bit of a is:
	 * shifting value and mask as signed numbers gives just that.
	 */
	if (insn_bitness == 32) {
		shift &= 31;
		return TNUM((u32)((s32)a.value >> shift),
			    (u32)((s32)a.mask >> shift));
	}
	shift &= 63;
	return TNUM((u64)((s64)a.value >> shift), (u64)((s64)a.mask >> shift));
}

struct tnum tnum_add(struct tnum a, struct tnum b)
{
	u64 sum_known = a.value + b.value;
	/* The sum with every unknown bit set: where carries could differ. */
	u64 sum_high = sum_known + a.mask + b.mask;
	u64 unknown = (sum_high ^ sum_known) | a.mask | b.mask;

	return TNUM(sum_known & ~unknown, unknown);
}

struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	u64 diff = a.value - b.value;
	/* The largest and smallest differences bound the borrows. */
	u64 high = diff + a.mask;
	u64 low = diff - b.mask;
	u64 unknown = (high ^ low) | a.mask | b.mask;

	return TNUM(diff & ~unknown, unknown);
}

struct tnum tnum_neg(struct tnum a)
{
	return tnum_sub(tnum_const(0), a);
}

struct tnum tnum_and(struct tnum a, struct tnum b)
{
	u64 ones = a.value & b.value;
	u64 maybe = (a.value | a.mask) & (b.value | b.mask);

	return TNUM(ones, maybe & ~ones);
}

struct tnum tnum_or(struct tnum a, struct tnum b)
{
	u64 ones = a.value | b.value;

	return TNUM(ones, (a.mask | b.mask) & ~ones);
}

struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	u64 unknown = a.mask | b.mask;

	return TNUM((a.value ^ b.value) & ~unknown, unknown);
}

/*
 * a * b is the product of the known parts plus, for each bit of a that is
 * 1 or may be, b shifted there: only b's unknown bits when a's bit is a
 * known 1 (the known part is in the product already), all of b's possible
 * bits when a's bit is unknown.  The partial sums of unknowns are added as
 * tnums, which tracks their carries.
 */
static struct tnum tnum_mul_split(struct tnum a, struct tnum b)
{
	struct tnum unknowns = tnum_const(0);
	u64 product = a.value * b.value;

	while (a.value | a.mask) {
		if (a.value & 1)
			unknowns = tnum_add(unknowns, TNUM(0, b.mask));
		else if (a.mask & 1)
			unknowns = tnum_add(unknowns, TNUM(0, b.value | b.mask));
		a = tnum_rshift(a, 1);
		b = tnum_lshift(b, 1);
	}
	return tnum_add(tnum_const(product), unknowns);
}

/*
 * Long multiplication with b's known bits kept in the partial sums: for a
 * bit of a that may be 1, the sum so far with or without b shifted there.
 */
static struct tnum tnum_mul_union(struct tnum a, struct tnum b)
{
	struct tnum sum = tnum_const(0);

	while (a.value | a.mask) {
		if (a.value & 1)
			sum = tnum_add(sum, b);
		else if (a.mask & 1)
			sum = tnum_union(sum, tnum_add(sum, b));
		a = tnum_rshift(a, 1);
		b = tnum_lshift(b, 1);
	}
	return sum;
}

/*
 * Linux 6.12 multiplies the first way, later kernels the second.  Neither
 * is always the tighter (on random operands each wins often), and both
 * hold every product, so their intersection does too.
 */
struct tnum tnum_mul(struct tnum a, struct tnum b)
{
	return tnum_intersect(tnum_mul_split(a, b), tnum_mul_union(a, b));
}

struct tnum tnum_intersect(struct tnum a, struct tnum b)
{
	u64 unknown = a.mask & b.mask;

	return TNUM((a.value | b.value) & ~unknown, unknown);
}

struct tnum tnum_union(struct tnum a, struct tnum b)
{
	u64 unknown = a.mask | b.mask | (a.value ^ b.value);

	return TNUM(a.value & b.value & ~unknown, unknown);
}

struct tnum tnum_cast(struct tnum a, u8 size)
{
	u64 keep = size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;

	return TNUM(a.value & keep, a.mask & keep);
}

bool tnum_in(struct tnum a, struct tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	return a.value == (b.value & ~a.mask);
}

bool tnum_is_aligned(struct tnum a, u64 size)
{
	if (!size)
		return true;
	return !((a.value | a.mask) & (size - 1));
}

int tnum_strn(char *buf, size_t size, struct tnum a)
{
	return snprintf(buf, size, "(0x%llx; 0x%llx)",
			(unsigned long long)a.value,
			(unsigned long long)a.mask);
}

struct tnum tnum_subreg(struct tnum a)
{
	return tnum_cast(a, 4);
}

struct tnum tnum_clear_subreg(struct tnum a)
{
	return TNUM(a.value & ~0xffffffffULL, a.mask & ~0xffffffffULL);
}

struct tnum tnum_with_subreg(struct tnum reg, struct tnum subreg)
{
	return tnum_or(tnum_clear_subreg(reg), tnum_subreg(subreg));
}

struct tnum tnum_const_subreg(struct tnum a, u32 value)
{
	return tnum_with_subreg(a, tnum_const(value));
}
