/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tristate numbers, as Linux's verifier keeps them: a 64-bit value some of
 * whose bits are unknown.  Bits set in @mask are unknown; the others are the
 * bits of @value (which is 0 wherever @mask is 1).  The tnum stands for the
 * set of every u64 that agrees with @value on the known bits.
 *
 * Each operation returns a tnum that contains op(x, y) for every x in a and
 * y in b (soundness), and is exact when both operands are constants.
 */
#ifndef _LINUX_BPF64_TNUM_H
#define _LINUX_BPF64_TNUM_H

#include <linux/bpf64/platform.h>

struct tnum {
	u64 value;
	u64 mask;
};

#define TNUM(v, m)	((struct tnum){ .value = (v), .mask = (m) })

extern const struct tnum tnum_unknown;

static inline struct tnum tnum_const(u64 value)
{
	return TNUM(value, 0);
}

/* The smallest tnum holding every value of [min, max]. */
struct tnum tnum_range(u64 min, u64 max);

/* Logical shifts; by 64 or more, 0. */
struct tnum tnum_lshift(struct tnum a, u8 shift);
struct tnum tnum_rshift(struct tnum a, u8 shift);
/*
 * Arithmetic shift of a 32-bit (@insn_bitness 32: the low half, result
 * zero-extended) or 64-bit value, by @shift masked to the width.
 */
struct tnum tnum_arshift(struct tnum a, u8 shift, u8 insn_bitness);

struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
struct tnum tnum_neg(struct tnum a);
struct tnum tnum_and(struct tnum a, struct tnum b);
struct tnum tnum_or(struct tnum a, struct tnum b);
struct tnum tnum_xor(struct tnum a, struct tnum b);
struct tnum tnum_mul(struct tnum a, struct tnum b);

/* Values in both a and b (a and b must share at least one value). */
struct tnum tnum_intersect(struct tnum a, struct tnum b);
/* The smallest tnum holding every value of a and of b. */
struct tnum tnum_union(struct tnum a, struct tnum b);

/* The low @size bytes (1, 2, 4 or 8), zero-extended. */
struct tnum tnum_cast(struct tnum a, u8 size);

static inline bool tnum_is_const(struct tnum a)
{
	return !a.mask;
}

static inline bool tnum_equals_const(struct tnum a, u64 b)
{
	return tnum_is_const(a) && a.value == b;
}

static inline bool tnum_is_unknown(struct tnum a)
{
	return !~a.mask;
}

/* Is every value of b also a value of a? */
bool tnum_in(struct tnum a, struct tnum b);

/* Is every value a multiple of @size (a power of two; 0: yes)? */
bool tnum_is_aligned(struct tnum a, u64 size);

/* "(0x1; 0xfe)": value then mask; returns what snprintf returns. */
int tnum_strn(char *buf, size_t size, struct tnum a);

/* The low 32 bits (the subregister), zero-extended. */
struct tnum tnum_subreg(struct tnum a);
/* The high 32 bits kept, the low 32 bits known zero. */
struct tnum tnum_clear_subreg(struct tnum a);
/* The high 32 bits of @reg with the low 32 bits of @subreg. */
struct tnum tnum_with_subreg(struct tnum reg, struct tnum subreg);
struct tnum tnum_const_subreg(struct tnum a, u32 value);

static inline bool tnum_subreg_is_const(struct tnum a)
{
	return !(u32)a.mask;
}

#endif /* _LINUX_BPF64_TNUM_H */
