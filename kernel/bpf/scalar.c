// SPDX-License-Identifier: GPL-2.0
/*
 * Scalar value tracking (see include/linux/bpf64/scalar.h): the abstract
 * effect of ALU instructions and conditional jumps on what the verifier
 * knows about a number, with Linux's representation and at least Linux's
 * precision.
 *
 * Most operations are written once for both widths on a "view": the known
 * bits and bounds of either the whole register (64) or its subregister (32),
 * all held in 64-bit variables.  A 32-bit view keeps its tnum in the low 32
 * bits, its unsigned bounds in [0, U32_MAX] and its signed ones in
 * [S32_MIN, S32_MAX].
 */
#include <linux/bpf64/insn.h>
#include <linux/bpf64/scalar.h>

struct sview {
	struct tnum t;
	s64 smin, smax;
	u64 umin, umax;
};

static u64 view_umax(int bits)
{
	return bits == 64 ? ~0ULL : 0xffffffffULL;
}

static s64 view_smax(int bits)
{
	return (s64)(view_umax(bits) >> 1);
}

static s64 view_smin(int bits)
{
	return -view_smax(bits) - 1;
}

/* x wrapped to the view's width, as unsigned and as signed numbers. */
static u64 wrap_u(u64 x, int bits)
{
	return bits == 64 ? x : (u32)x;
}

static s64 wrap_s(u64 x, int bits)
{
	return bits == 64 ? (s64)x : (s32)x;
}

static struct tnum wrap_t(struct tnum t, int bits)
{
	return bits == 64 ? t : tnum_subreg(t);
}

static s64 smax64(s64 a, s64 b)
{
	return a > b ? a : b;
}

static s64 smin64(s64 a, s64 b)
{
	return a < b ? a : b;
}

static u64 umax64(u64 a, u64 b)
{
	return a > b ? a : b;
}

static u64 umin64(u64 a, u64 b)
{
	return a < b ? a : b;
}

static void view_signed_unbounded(struct sview *v, int bits)
{
	v->smin = view_smin(bits);
	v->smax = view_smax(bits);
}

static void view_unsigned_unbounded(struct sview *v, int bits)
{
	v->umin = 0;
	v->umax = view_umax(bits);
}

static void view_unknown(struct sview *v, int bits)
{
	v->t = wrap_t(tnum_unknown, bits);
	view_signed_unbounded(v, bits);
	view_unsigned_unbounded(v, bits);
}

static void view_const(struct sview *v, u64 x, int bits)
{
	v->t = tnum_const(wrap_u(x, bits));
	v->umin = v->umax = wrap_u(x, bits);
	v->smin = v->smax = wrap_s(x, bits);
}

/* Signed bounds from unsigned ones where they do not cross the sign. */
static void view_signed_from_unsigned(struct sview *v, int bits)
{
	if (wrap_s(v->umin, bits) <= wrap_s(v->umax, bits)) {
		v->smin = wrap_s(v->umin, bits);
		v->smax = wrap_s(v->umax, bits);
	} else {
		view_signed_unbounded(v, bits);
	}
}

static void get_view(const struct bpf64_scalar *s, int bits, struct sview *v)
{
	if (bits == 64) {
		*v = (struct sview){ s->var_off, s->smin, s->smax,
				     s->umin, s->umax };
		return;
	}
	*v = (struct sview){ tnum_subreg(s->var_off), s->s32_min, s->s32_max,
			     s->u32_min, s->u32_max };
}

static void put_view(struct bpf64_scalar *s, int bits, const struct sview *v)
{
	if (bits == 64) {
		s->var_off = v->t;
		s->smin = v->smin;
		s->smax = v->smax;
		s->umin = v->umin;
		s->umax = v->umax;
		return;
	}
	s->var_off = tnum_with_subreg(s->var_off, v->t);
	s->s32_min = v->smin;
	s->s32_max = v->smax;
	s->u32_min = v->umin;
	s->u32_max = v->umax;
}

void bpf64_scalar_const(struct bpf64_scalar *s, u64 value)
{
	struct sview v;

	view_const(&v, value, 64);
	put_view(s, 64, &v);
	view_const(&v, value, 32);
	put_view(s, 32, &v);
}

void bpf64_scalar_unknown(struct bpf64_scalar *s)
{
	struct sview v;

	view_unknown(&v, 64);
	put_view(s, 64, &v);
	view_unknown(&v, 32);
	put_view(s, 32, &v);
}

/*
 * Any number of @size bytes (1, 2, 4 or 8), zero-extended: what a load
 * of unknown memory gives, and what "unknown & mask" would deduce, built
 * directly.
 */
void bpf64_scalar_unknown_bytes(struct bpf64_scalar *s, u32 size)
{
	u64 max = (2ULL << (size * 8 - 1)) - 1;

	if (size >= 8) {
		bpf64_scalar_unknown(s);
		return;
	}
	s->var_off = TNUM(0, max);
	s->umin = 0;
	s->umax = max;
	s->smin = 0;
	s->smax = max;
	s->u32_min = 0;
	s->u32_max = max;
	/* four bytes fill the subregister: any s32 */
	s->s32_min = size < 4 ? 0 : (s32)0x80000000;
	s->s32_max = size < 4 ? (s32)max : 0x7fffffff;
}

bool bpf64_scalar_is_const(const struct bpf64_scalar *s)
{
	return tnum_is_const(s->var_off);
}

static bool view_contains(const struct sview *v, u64 x, int bits)
{
	return (x & ~v->t.mask) == v->t.value &&
	       v->umin <= x && x <= v->umax &&
	       v->smin <= wrap_s(x, bits) && wrap_s(x, bits) <= v->smax;
}

bool bpf64_scalar_contains(const struct bpf64_scalar *s, u64 x)
{
	struct sview v64, v32;

	get_view(s, 64, &v64);
	get_view(s, 32, &v32);
	return view_contains(&v64, x, 64) && view_contains(&v32, (u32)x, 32);
}

/* ---- Keeping the five facts in agreement (Linux's reg_bounds_sync) ---- */

/*
 * The smallest member of @t that is >= @lo, if there is one.  Where @lo
 * first disagrees with a known bit (the highest such bit h): if t has a 1
 * there, @lo's bits above h with t's smallest bits from h down; if t has a
 * 0, the member must exceed @lo above h, at the lowest unknown bit where
 * @lo has a 0.
 */
static bool tnum_min_ge(struct tnum t, u64 lo, u64 *res)
{
	u64 diff = (lo ^ t.value) & ~t.mask, below, up;

	if (!diff) {
		*res = lo;
		return true;
	}
	below = (2ULL << (63 - __builtin_clzll(diff))) - 1;
	if (t.value & diff & ~(below >> 1)) {
		*res = (lo & ~below) | (t.value & below);
		return true;
	}
	up = t.mask & ~lo & ~below;
	if (!up)
		return false;
	up &= -up;
	*res = (lo & ~(up | (up - 1))) | up | (t.value & (up - 1));
	return true;
}

/* The largest member <= @hi: the smallest >= ~hi of the complement. */
static bool tnum_max_le(struct tnum t, u64 hi, u64 *res)
{
	if (!tnum_min_ge(TNUM(~t.value & ~t.mask, t.mask), ~hi, res))
		return false;
	*res = ~*res;
	return true;
}

/*
 * Bounds from the known bits: each bound moves to the nearest value the
 * tnum allows.  Flipping the sign bit turns signed order into unsigned.
 */
static void view_bounds_from_tnum(struct sview *v, int bits)
{
	u64 sign = 1ULL << (bits - 1);
	struct tnum st = TNUM(v->t.value ^ (sign & ~v->t.mask), v->t.mask);
	u64 x;

	v->umin = umax64(v->umin, v->t.value);
	v->umax = umin64(v->umax, v->t.value | v->t.mask);
	if (tnum_min_ge(v->t, v->umin, &x))
		v->umin = x;
	if (tnum_max_le(v->t, v->umax, &x))
		v->umax = x;
	v->smin = smax64(v->smin, wrap_s(st.value ^ sign, bits));
	v->smax = smin64(v->smax, wrap_s((st.value | st.mask) ^ sign, bits));
	if (tnum_min_ge(st, wrap_u(v->smin, bits) ^ sign, &x))
		v->smin = wrap_s(x ^ sign, bits);
	if (tnum_max_le(st, wrap_u(v->smax, bits) ^ sign, &x))
		v->smax = wrap_s(x ^ sign, bits);
}

/*
 * Signed and unsigned bounds describe the same values where a range stays
 * on one side of the sign change.  Where the signed range crosses it, the
 * unsigned range may still touch only one of its two ends.
 */
static void view_deduce_sign(struct sview *v, int bits)
{
	u64 us_min = wrap_u(v->smin, bits), us_max = wrap_u(v->smax, bits);

	if (wrap_s(v->umin, bits) <= wrap_s(v->umax, bits)) {
		v->smin = smax64(v->smin, wrap_s(v->umin, bits));
		v->smax = smin64(v->smax, wrap_s(v->umax, bits));
	}
	if (us_min <= us_max) {
		v->umin = umax64(v->umin, us_min);
		v->umax = umin64(v->umax, us_max);
	} else if (v->umax < us_min) {
		/* only the non-negative part [0, smax] */
		v->smin = wrap_s(v->umin, bits);
		v->umax = umin64(v->umax, us_max);
	} else if (us_max < v->umin) {
		/* only the negative part [smin, -1] */
		v->smax = wrap_s(v->umax, bits);
		v->umin = umax64(v->umin, us_min);
	}
}

static void s32_narrow(struct bpf64_scalar *s, s32 lo, s32 hi)
{
	if (lo <= hi) {
		s->s32_min = s->s32_min > lo ? s->s32_min : lo;
		s->s32_max = s->s32_max < hi ? s->s32_max : hi;
	}
}

static void u32_narrow(struct bpf64_scalar *s, u32 lo, u32 hi)
{
	if (lo <= hi) {
		s->u32_min = s->u32_min > lo ? s->u32_min : lo;
		s->u32_max = s->u32_max < hi ? s->u32_max : hi;
	}
}

/* The subregister's bounds from a 64-bit range [lo, hi]. */
static void deduce_32_from_range(struct bpf64_scalar *s, u64 lo, u64 hi,
				 bool same_high)
{
	if (same_high) {
		/* the low halves run from lo to hi without wrapping */
		u32_narrow(s, lo, hi);
		s32_narrow(s, lo, hi);
	} else if ((u32)(lo >> 32) + 1 == (u32)(hi >> 32) &&
		   (s32)lo < 0 && (s32)hi >= 0) {
		/* the low halves wrap once, through -1 to 0 as s32 */
		s32_narrow(s, lo, hi);
	}
}

static void deduce_32_from_64(struct bpf64_scalar *s)
{
	deduce_32_from_range(s, s->umin, s->umax,
			     s->umin >> 32 == s->umax >> 32);
	deduce_32_from_range(s, s->smin, s->smax,
			     s->smin >> 32 == s->smax >> 32);
}

/*
 * A 64-bit bound's high half with the subregister's bound as its low half
 * is a bound too: values with a higher high half are beyond it anyway.
 */
static void deduce_64_from_32_range(struct bpf64_scalar *s, u32 lo, u32 hi)
{
	const u64 high = ~0xffffffffULL;

	s->umin = umax64(s->umin, (s->umin & high) | lo);
	s->umax = umin64(s->umax, (s->umax & high) | hi);
	s->smin = smax64(s->smin, (s64)(((u64)s->smin & high) | lo));
	s->smax = smin64(s->smax, (s64)(((u64)s->smax & high) | hi));
}

static void deduce_64_from_32(struct bpf64_scalar *s)
{
	deduce_64_from_32_range(s, s->u32_min, s->u32_max);
	if ((u32)s->s32_min <= (u32)s->s32_max)
		deduce_64_from_32_range(s, s->s32_min, s->s32_max);
	/*
	 * A value in [S32_MIN, S32_MAX] is its subregister sign-extended; a
	 * non-negative subregister then is the whole value.
	 */
	if (s->s32_min >= 0 && s->smin >= view_smin(32) &&
	    s->smax <= view_smax(32)) {
		s->smin = smax64(s->smin, s->s32_min);
		s->smax = smin64(s->smax, s->s32_max);
		s->umin = umax64(s->umin, s->s32_min);
		s->umax = umin64(s->umax, s->s32_max);
	}
}

static void bounds_from_tnum(struct bpf64_scalar *s)
{
	struct sview v;

	get_view(s, 64, &v);
	view_bounds_from_tnum(&v, 64);
	put_view(s, 64, &v);
	get_view(s, 32, &v);
	view_bounds_from_tnum(&v, 32);
	put_view(s, 32, &v);
}

static void deduce_bounds(struct bpf64_scalar *s)
{
	struct sview v;

	deduce_32_from_64(s);
	get_view(s, 32, &v);
	view_deduce_sign(&v, 32);
	put_view(s, 32, &v);
	get_view(s, 64, &v);
	view_deduce_sign(&v, 64);
	put_view(s, 64, &v);
	deduce_64_from_32(s);
}

static void tnum_from_bounds(struct bpf64_scalar *s)
{
	struct sview v;

	get_view(s, 64, &v);
	v.t = tnum_intersect(v.t, tnum_range(v.umin, v.umax));
	put_view(s, 64, &v);
	get_view(s, 32, &v);
	v.t = tnum_intersect(v.t, tnum_range(v.umin, v.umax));
	put_view(s, 32, &v);
}

void bpf64_scalar_sync(struct bpf64_scalar *s)
{
	struct bpf64_scalar before;
	int round;

	/*
	 * The common cases in short: a known number inside every bound is
	 * what the rounds would make of it, and nothing known stays so.
	 */
	if (tnum_is_const(s->var_off) &&
	    bpf64_scalar_contains(s, s->var_off.value)) {
		bpf64_scalar_const(s, s->var_off.value);
		return;
	}
	if (tnum_is_unknown(s->var_off)) {
		struct bpf64_scalar any;

		bpf64_scalar_unknown(&any);
		if (!memcmp(s, &any, sizeof(any)))
			return;
	}
	/*
	 * The rounds Linux does: each deduction can feed the next, up to
	 * three.  A round that changes nothing has reached what the others
	 * would make of it.
	 */
	bounds_from_tnum(s);
	for (round = 0; round < 3; round++) {
		before = *s;
		deduce_bounds(s);
		if (!memcmp(&before, s, sizeof(before)))
			break;
	}
	tnum_from_bounds(s);
	bounds_from_tnum(s);
}

void bpf64_scalar_zext32(struct bpf64_scalar *s)
{
	/* The value is its subregister: [u32_min, u32_max] either way. */
	s->var_off = tnum_subreg(s->var_off);
	s->umin = s->u32_min;
	s->umax = s->u32_max;
	s->smin = s->u32_min;
	s->smax = s->u32_max;
	bpf64_scalar_sync(s);
}

/* ---- ALU operations on one view ---- */

/*
 * Which way a + b (or a - b) wrapped to r overflowed the signed range: 0,
 * 1 (above the maximum) or -1.  Bounds that overflowed the same way still
 * bound a contiguous range, shifted by the modulus.
 */
static int add_overflow_dir(s64 a, s64 b, s64 r)
{
	if ((a < 0) != (b < 0) || (r < 0) == (a < 0))
		return 0;
	return a < 0 ? -1 : 1;
}

static int sub_overflow_dir(s64 a, s64 b, s64 r)
{
	if ((a < 0) == (b < 0) || (r < 0) == (a < 0))
		return 0;
	return a < 0 ? -1 : 1;
}

static void view_add(struct sview *d, const struct sview *s, int bits)
{
	s64 lo = wrap_s((u64)d->smin + (u64)s->smin, bits);
	s64 hi = wrap_s((u64)d->smax + (u64)s->smax, bits);
	u64 ulo = wrap_u(d->umin + s->umin, bits);
	u64 uhi = wrap_u(d->umax + s->umax, bits);

	d->t = wrap_t(tnum_add(d->t, s->t), bits);
	if (add_overflow_dir(d->smin, s->smin, lo) ==
	    add_overflow_dir(d->smax, s->smax, hi)) {
		d->smin = lo;
		d->smax = hi;
	} else {
		view_signed_unbounded(d, bits);
	}
	/* both carried out or neither */
	if ((ulo < d->umin) == (uhi < d->umax)) {
		d->umin = ulo;
		d->umax = uhi;
	} else {
		view_unsigned_unbounded(d, bits);
	}
}

static void view_sub(struct sview *d, const struct sview *s, int bits)
{
	s64 lo = wrap_s((u64)d->smin - (u64)s->smax, bits);
	s64 hi = wrap_s((u64)d->smax - (u64)s->smin, bits);
	u64 ulo = wrap_u(d->umin - s->umax, bits);
	u64 uhi = wrap_u(d->umax - s->umin, bits);

	d->t = wrap_t(tnum_sub(d->t, s->t), bits);
	if (sub_overflow_dir(d->smin, s->smax, lo) ==
	    sub_overflow_dir(d->smax, s->smin, hi)) {
		d->smin = lo;
		d->smax = hi;
	} else {
		view_signed_unbounded(d, bits);
	}
	/* both borrowed or neither */
	if ((d->umin < s->umax) == (d->umax < s->umin)) {
		d->umin = ulo;
		d->umax = uhi;
	} else {
		view_unsigned_unbounded(d, bits);
	}
}

/* a * b in the view's width, or true if it does not fit. */
static bool mul_overflows_s(s64 a, s64 b, s64 *r, int bits)
{
	if (__builtin_mul_overflow(a, b, r))
		return true;
	return *r < view_smin(bits) || *r > view_smax(bits);
}

static void view_mul(struct sview *d, const struct sview *s, int bits)
{
	s64 p[4];
	u64 uhi;
	int i;

	d->t = wrap_t(tnum_mul(d->t, s->t), bits);
	if (__builtin_mul_overflow(d->umax, s->umax, &uhi) ||
	    uhi > view_umax(bits)) {
		view_unsigned_unbounded(d, bits);
	} else {
		d->umin *= s->umin;
		d->umax = uhi;
	}
	/* The extremes of a product of two ranges are at their corners. */
	if (mul_overflows_s(d->smin, s->smin, &p[0], bits) ||
	    mul_overflows_s(d->smin, s->smax, &p[1], bits) ||
	    mul_overflows_s(d->smax, s->smin, &p[2], bits) ||
	    mul_overflows_s(d->smax, s->smax, &p[3], bits)) {
		view_signed_unbounded(d, bits);
		return;
	}
	d->smin = d->smax = p[0];
	for (i = 1; i < 4; i++) {
		d->smin = smin64(d->smin, p[i]);
		d->smax = smax64(d->smax, p[i]);
	}
}

static void view_and(struct sview *d, const struct sview *s, int bits)
{
	d->t = tnum_and(d->t, s->t);
	/* no larger than either operand */
	d->umin = d->t.value;
	d->umax = umin64(d->umax, s->umax);
	view_signed_from_unsigned(d, bits);
}

static void view_or(struct sview *d, const struct sview *s, int bits)
{
	d->t = tnum_or(d->t, s->t);
	/* no smaller than either operand */
	d->umin = umax64(d->umin, s->umin);
	d->umax = d->t.value | d->t.mask;
	view_signed_from_unsigned(d, bits);
}

static void view_xor(struct sview *d, const struct sview *s, int bits)
{
	d->t = tnum_xor(d->t, s->t);
	d->umin = d->t.value;
	d->umax = d->t.value | d->t.mask;
	view_signed_from_unsigned(d, bits);
}

/* Shifts by a known amount (the interpreter masks it to the width). */
static void view_lsh(struct sview *d, u32 k, int bits)
{
	if (k >= (u32)bits) {	/* the low half of a 64-bit shift by >= 32 */
		view_const(d, 0, bits);
		return;
	}
	/*
	 * As Linux: the unsigned range while the top bit cannot be shifted
	 * out, no signed range (the tnum and the sync may give some back).
	 */
	d->t = wrap_t(tnum_lshift(d->t, k), bits);
	if (d->umax <= 1ULL << (bits - 1 - k)) {
		d->umin <<= k;
		d->umax <<= k;
	} else {
		view_unsigned_unbounded(d, bits);
	}
	view_signed_unbounded(d, bits);
}

static void view_rsh(struct sview *d, u32 k, int bits)
{
	d->t = tnum_rshift(d->t, k);
	d->umin >>= k;
	d->umax >>= k;
	if (k)
		view_signed_from_unsigned(d, bits);
}

static void view_arsh(struct sview *d, u32 k, int bits)
{
	d->t = tnum_arshift(d->t, k, bits);
	d->smin >>= k;
	d->smax >>= k;
	view_unsigned_unbounded(d, bits);
}

/* ---- Whole instructions ---- */

/* Sign-extend the low @nbits (8, 16 or 32) bits to 64. */
static void scalar_sext(struct bpf64_scalar *s, u32 nbits)
{
	u64 keep = (1ULL << nbits) - 1, sign = 1ULL << (nbits - 1);
	struct tnum t = tnum_cast(s->var_off, nbits / 8);
	s64 half = (s64)sign, lo, hi;

	if (t.mask & sign)
		t.mask |= ~keep;
	else if (t.value & sign)
		t.value |= ~keep;
	/*
	 * Within one aligned 2^nbits window the low bits rise with the value;
	 * their sign extension does too unless they pass the sign change.
	 */
	lo = (s64)((((u64)s->smin & keep) ^ sign) - sign);
	hi = (s64)((((u64)s->smax & keep) ^ sign) - sign);
	if ((s->smin >> nbits) != (s->smax >> nbits) || lo > hi) {
		lo = -half;
		hi = half - 1;
	}
	bpf64_scalar_unknown(s);
	s->var_off = t;
	s->smin = lo;
	s->smax = hi;
	s->s32_min = lo;	/* [lo, hi] fits s32 when nbits <= 32 */
	s->s32_max = hi;
	bpf64_scalar_sync(s);
}

static u64 bswap_bytes(u64 x, u32 bytes)
{
	if (bytes == 2)
		return __builtin_bswap16(x);
	if (bytes == 4)
		return __builtin_bswap32(x);
	return __builtin_bswap64(x);
}

static void scalar_end(struct bpf64_scalar *s, const struct bpf_insn *insn)
{
	u32 bytes = (u32)insn->imm / 8;
	bool to_be = BPF_SRC(insn->code) == BPF_TO_BE;
	bool swap_bytes = BPF_CLASS(insn->code) == BPF_ALU64 ||
			  to_be == BPF64_LITTLE_ENDIAN;
	u64 keep = bytes >= 8 ? ~0ULL : (1ULL << (bytes * 8)) - 1;
	struct tnum t = tnum_cast(s->var_off, bytes);
	u64 umin = s->umin, umax = s->umax;

	if (!swap_bytes && bytes == 8)
		return;			/* a no-op on this host */
	if (!swap_bytes && bytes == 4) {
		bpf64_scalar_zext32(s);
		return;
	}
	bpf64_scalar_unknown(s);
	if (swap_bytes) {
		t = TNUM(bswap_bytes(t.value, bytes), bswap_bytes(t.mask, bytes));
	} else if ((umin & ~keep) == (umax & ~keep)) {
		/* truncation keeps a range whose high bits do not change */
		s->umin = umin & keep;
		s->umax = umax & keep;
	} else {
		s->umax = keep;
	}
	s->var_off = t;
	bpf64_scalar_sync(s);
}

static bool alu_op_is_shift(u8 op)
{
	return op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH;
}

/* One view of dst OP src; @k is the masked shift amount. */
static void view_alu(struct sview *d, const struct sview *s, u8 op, u32 k,
		     int bits)
{
	struct sview zero;

	switch (op) {
	case BPF_ADD:
		view_add(d, s, bits);
		break;
	case BPF_SUB:
		view_sub(d, s, bits);
		break;
	case BPF_MUL:
		view_mul(d, s, bits);
		break;
	case BPF_AND:
		view_and(d, s, bits);
		break;
	case BPF_OR:
		view_or(d, s, bits);
		break;
	case BPF_XOR:
		view_xor(d, s, bits);
		break;
	case BPF_LSH:
		view_lsh(d, k, bits);
		break;
	case BPF_RSH:
		view_rsh(d, k, bits);
		break;
	case BPF_ARSH:
		view_arsh(d, k, bits);
		break;
	case BPF_NEG:
		view_const(&zero, 0, bits);
		view_sub(&zero, d, bits);
		*d = zero;
		break;
	default:
		view_unknown(d, bits);
		break;
	}
}

/*
 * Does the low half of a 64-bit result depend only on the low halves of
 * the operands?  Then the subregister's view is computed alongside.
 */
static bool alu_op_keeps_low_half(u8 op)
{
	switch (op) {
	case BPF_ADD:
	case BPF_SUB:
	case BPF_MUL:
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
	case BPF_LSH:
	case BPF_NEG:
		return true;
	default:
		return false;
	}
}

static void scalar_alu64(struct bpf64_scalar *dst,
			 const struct bpf64_scalar *src, u8 op, u32 k)
{
	struct sview d64, s64v, d32, s32v;
	s32 lo32 = dst->s32_min, hi32 = dst->s32_max;

	get_view(dst, 64, &d64);
	get_view(src, 64, &s64v);
	get_view(dst, 32, &d32);
	get_view(src, 32, &s32v);
	view_alu(&d64, &s64v, op, k, 64);
	if (op == BPF_LSH && k == 32) {
		/* a non-negative subregister becomes the high half (Linux) */
		if (lo32 >= 0)
			d64.smin = (s64)lo32 << 32;
		if (hi32 >= 0)
			d64.smax = (s64)hi32 << 32;
	}
	if (alu_op_keeps_low_half(op))
		view_alu(&d32, &s32v, op, k, 32);
	else
		view_unknown(&d32, 32);
	put_view(dst, 64, &d64);
	put_view(dst, 32, &d32);
	/* both tnums are sound for the low half */
	dst->var_off = tnum_with_subreg(d64.t,
					tnum_intersect(tnum_subreg(d64.t), d32.t));
	bpf64_scalar_sync(dst);
}

static void scalar_alu32(struct bpf64_scalar *dst,
			 const struct bpf64_scalar *src, u8 op, u32 k)
{
	struct sview d32, s32v;

	get_view(dst, 32, &d32);
	get_view(src, 32, &s32v);
	view_alu(&d32, &s32v, op, k, 32);
	put_view(dst, 32, &d32);
	bpf64_scalar_zext32(dst);
}

/*
 * Where Linux 6.18 computes no range (its is_safe_to_compute_dst_reg_range):
 * DIV and MOD, not even of constants, and shifts by an amount that is not
 * a known number below the width.  The result is unknown in all 64 bits,
 * of 32-bit instructions too.  bpf64 must predict Linux's verdicts, so it
 * knows no more.
 */
static bool linux_gives_up(const struct bpf64_scalar *src, u8 op, bool is64)
{
	struct tnum amount = is64 ? src->var_off : tnum_subreg(src->var_off);

	if (op == BPF_DIV || op == BPF_MOD)
		return true;
	return alu_op_is_shift(op) &&
	       (!tnum_is_const(amount) || src->umax >= (is64 ? 64 : 32));
}

void bpf64_scalar_alu(struct bpf64_scalar *dst, const struct bpf64_scalar *src,
		      const struct bpf_insn *insn)
{
	bool is64 = BPF_CLASS(insn->code) == BPF_ALU64;
	u8 op = BPF_OP(insn->code);
	u32 k = 0;

	if (op == BPF_END) {
		scalar_end(dst, insn);
		return;
	}
	if (dst == src && (op == BPF_SUB || op == BPF_XOR)) {
		bpf64_scalar_const(dst, 0);	/* x - x, x ^ x */
		return;
	}
	if (op == BPF_MOV) {
		*dst = *src;
		if (insn->off == 8 || insn->off == 16 || insn->off == 32)
			scalar_sext(dst, insn->off);
		if (!is64)
			bpf64_scalar_zext32(dst);
		return;
	}
	if (linux_gives_up(src, op, is64)) {
		bpf64_scalar_unknown(dst);
		return;
	}
	if (alu_op_is_shift(op))
		k = src->var_off.value & (is64 ? 63 : 31);
	if (is64)
		scalar_alu64(dst, src, op, k);
	else
		scalar_alu32(dst, src, op, k);
}

/* ---- Conditional jumps ---- */

/* Are there values both views allow?  false: certainly not. */
static bool views_overlap(const struct sview *a, const struct sview *b)
{
	if ((a->t.value ^ b->t.value) & ~(a->t.mask | b->t.mask))
		return false;
	if (a->umin > b->umax || b->umin > a->umax)
		return false;
	return a->smin <= b->smax && b->smin <= a->smax;
}

/* "a > b" (or "a >= b" when @or_equal) on the view's ranges. */
static int range_gt(const struct sview *a, const struct sview *b,
		    bool is_signed, bool or_equal)
{
	if (is_signed) {
		if (a->smin > b->smax || (or_equal && a->smin == b->smax))
			return 1;
		if (a->smax < b->smin || (!or_equal && a->smax == b->smin))
			return 0;
		return -1;
	}
	if (a->umin > b->umax || (or_equal && a->umin == b->umax))
		return 1;
	if (a->umax < b->umin || (!or_equal && a->umax == b->umin))
		return 0;
	return -1;
}

static int views_jeq(const struct sview *a, const struct sview *b)
{
	if (tnum_is_const(a->t) && tnum_is_const(b->t))
		return a->t.value == b->t.value;
	return views_overlap(a, b) ? -1 : 0;
}

int bpf64_scalar_branch_taken(const struct bpf64_scalar *dst,
			      const struct bpf64_scalar *src, u8 op,
			      bool is32)
{
	struct sview a, b, a32, b32;
	struct bpf64_scalar zero;
	int eq;

	if (dst == src) {
		/* x & x is x; otherwise "x OP x" holds when x == x does */
		bpf64_scalar_const(&zero, 0);
		if (op == BPF_JSET)
			return bpf64_scalar_branch_taken(dst, &zero, BPF_JNE,
							 is32);
		return op == BPF_JEQ || op == BPF_JGE || op == BPF_JLE ||
		       op == BPF_JSGE || op == BPF_JSLE;
	}
	get_view(dst, is32 ? 32 : 64, &a);
	get_view(src, is32 ? 32 : 64, &b);
	switch (op) {
	case BPF_JEQ:
	case BPF_JNE:
		eq = views_jeq(&a, &b);
		if (eq < 0 && !is32) {
			/* equal values have equal subregisters */
			get_view(dst, 32, &a32);
			get_view(src, 32, &b32);
			if (!views_overlap(&a32, &b32))
				eq = 0;
		}
		if (eq < 0 || op == BPF_JEQ)
			return eq;
		return !eq;
	case BPF_JSET:
		if (a.t.value & b.t.value)
			return 1;
		if (!((a.t.value | a.t.mask) & (b.t.value | b.t.mask)))
			return 0;
		return -1;
	case BPF_JGT:
		return range_gt(&a, &b, false, false);
	case BPF_JGE:
		return range_gt(&a, &b, false, true);
	case BPF_JLT:
		return range_gt(&b, &a, false, false);
	case BPF_JLE:
		return range_gt(&b, &a, false, true);
	case BPF_JSGT:
		return range_gt(&a, &b, true, false);
	case BPF_JSGE:
		return range_gt(&a, &b, true, true);
	case BPF_JSLT:
		return range_gt(&b, &a, true, false);
	case BPF_JSLE:
		return range_gt(&b, &a, true, true);
	default:
		return -1;
	}
}

/* The condition that holds on the fall-through path of each jump. */
#define BPF64_JSET_NOT	0xf0	/* (a & b) == 0, not an opcode */

static u8 negate_jmp_op(u8 op)
{
	static const u8 negated[16] = {
		[BPF_JEQ >> 4] = BPF_JNE,	[BPF_JNE >> 4] = BPF_JEQ,
		[BPF_JGT >> 4] = BPF_JLE,	[BPF_JLE >> 4] = BPF_JGT,
		[BPF_JGE >> 4] = BPF_JLT,	[BPF_JLT >> 4] = BPF_JGE,
		[BPF_JSGT >> 4] = BPF_JSLE,	[BPF_JSLE >> 4] = BPF_JSGT,
		[BPF_JSGE >> 4] = BPF_JSLT,	[BPF_JSLT >> 4] = BPF_JSGE,
		[BPF_JSET >> 4] = BPF64_JSET_NOT,
	};

	return negated[op >> 4];
}

static void views_refine_eq(struct sview *a, struct sview *b)
{
	a->t = b->t = tnum_intersect(a->t, b->t);
	a->umin = b->umin = umax64(a->umin, b->umin);
	a->umax = b->umax = umin64(a->umax, b->umax);
	a->smin = b->smin = smax64(a->smin, b->smin);
	a->smax = b->smax = smin64(a->smax, b->smax);
}

/* a != b where b is a constant: a loses b if b is one of its bounds. */
static void view_refine_ne(struct sview *a, const struct sview *b, int bits)
{
	u64 v;

	if (!tnum_is_const(b->t) || tnum_is_const(a->t))
		return;
	v = b->t.value;
	if (a->umin == v)
		a->umin++;
	if (a->umax == v)
		a->umax--;
	if (a->smin == wrap_s(v, bits))
		a->smin++;
	if (a->smax == wrap_s(v, bits))
		a->smax--;
}

/* a & b != 0: if only one bit can be set in both, it is. */
static void views_refine_jset(struct sview *a, struct sview *b)
{
	u64 common = (a->t.value | a->t.mask) & (b->t.value | b->t.mask);

	if (common && !(common & (common - 1))) {
		a->t = tnum_or(a->t, tnum_const(common));
		b->t = tnum_or(b->t, tnum_const(common));
	}
}

/* a & b == 0: the bits known set in one are clear in the other. */
static void views_refine_jset_not(struct sview *a, struct sview *b)
{
	struct tnum ta = a->t;

	a->t = tnum_and(a->t, tnum_const(~b->t.value));
	b->t = tnum_and(b->t, tnum_const(~ta.value));
}

/* a <= b, or a < b when @strict (never called on an empty pair). */
static void views_refine_le(struct sview *a, struct sview *b, bool is_signed,
			    bool strict, int bits)
{
	if (is_signed) {
		s64 amax = b->smax, bmin = a->smin;

		if (strict && b->smax > view_smin(bits))
			amax--;
		if (strict && a->smin < view_smax(bits))
			bmin++;
		a->smax = smin64(a->smax, amax);
		b->smin = smax64(b->smin, bmin);
		return;
	}
	a->umax = umin64(a->umax, b->umax - (strict && b->umax));
	b->umin = umax64(b->umin,
			 a->umin + (strict && a->umin < view_umax(bits)));
}

static void views_refine(struct sview *a, struct sview *b, u8 op, int bits)
{
	switch (op) {
	case BPF_JEQ:
		views_refine_eq(a, b);
		break;
	case BPF_JNE:
		view_refine_ne(a, b, bits);
		view_refine_ne(b, a, bits);
		break;
	case BPF_JSET:
		views_refine_jset(a, b);
		break;
	case BPF64_JSET_NOT:
		views_refine_jset_not(a, b);
		break;
	case BPF_JLE:
	case BPF_JLT:
		views_refine_le(a, b, false, op == BPF_JLT, bits);
		break;
	case BPF_JGE:
	case BPF_JGT:
		views_refine_le(b, a, false, op == BPF_JGT, bits);
		break;
	case BPF_JSLE:
	case BPF_JSLT:
		views_refine_le(a, b, true, op == BPF_JSLT, bits);
		break;
	case BPF_JSGE:
	case BPF_JSGT:
		views_refine_le(b, a, true, op == BPF_JSGT, bits);
		break;
	}
}

void bpf64_scalar_cond_refine(struct bpf64_scalar *dst,
			      struct bpf64_scalar *src, u8 op, bool is32,
			      bool taken)
{
	struct sview a, b;
	struct bpf64_scalar zero;
	int bits = is32 ? 32 : 64;

	if (!taken)
		op = negate_jmp_op(op);
	if (dst == src) {
		/* only x & x tells something: whether x is 0 */
		bpf64_scalar_const(&zero, 0);
		if (op == BPF_JSET || op == BPF64_JSET_NOT)
			bpf64_scalar_cond_refine(dst, &zero, BPF_JNE, is32,
						 op == BPF_JSET);
		return;
	}
	get_view(dst, bits, &a);
	get_view(src, bits, &b);
	views_refine(&a, &b, op, bits);
	put_view(dst, bits, &a);
	put_view(src, bits, &b);
	if (op == BPF_JEQ && !is32) {
		/* equal values have equal subregisters */
		get_view(dst, 32, &a);
		get_view(src, 32, &b);
		views_refine_eq(&a, &b);
		put_view(dst, 32, &a);
		put_view(src, 32, &b);
	}
	bpf64_scalar_sync(dst);
	bpf64_scalar_sync(src);
}

bool bpf64_scalar_within(const struct bpf64_scalar *old,
			 const struct bpf64_scalar *cur)
{
	return old->umin <= cur->umin && cur->umax <= old->umax &&
	       old->smin <= cur->smin && cur->smax <= old->smax &&
	       old->u32_min <= cur->u32_min && cur->u32_max <= old->u32_max &&
	       old->s32_min <= cur->s32_min && cur->s32_max <= old->s32_max &&
	       tnum_in(old->var_off, cur->var_off);
}

/* ---- The verifier log's form ---- */

struct scalar_out {
	char *buf;
	size_t size;
	int len;
};

static __printf(2, 3) void out_printf(struct scalar_out *o, const char *fmt,
				      ...)
{
	size_t used = (size_t)o->len < o->size ? (size_t)o->len : o->size;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + used, o->size - used, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += n;
}

/* Linux prints small numbers in decimal, others in hex. */
static bool snum_is_decimal(s64 x)
{
	return x >= -32768 && x <= 32767;
}

static void out_snum(struct scalar_out *o, s64 x)
{
	if (snum_is_decimal(x))
		out_printf(o, "%lld", (long long)x);
	else
		out_printf(o, "0x%llx", (unsigned long long)x);
}

static void out_unum(struct scalar_out *o, u64 x)
{
	if (x <= 65535)
		out_printf(o, "%llu", (unsigned long long)x);
	else
		out_printf(o, "0x%llx", (unsigned long long)x);
}

struct scalar_bound {
	const char *name;
	u64 val;
	bool omit;
};

static u64 s32_printed(s32 x)
{
	/* in hex a negative s32 prints as 32 bits, not sign-extended */
	return snum_is_decimal(x) ? (u64)(s64)x : (u32)x;
}

/*
 * Each bound that says something, as Linux prints them: a bound equal to a
 * later one of the same kind (min or max) and sign shares its number, as
 * in "smin=smin32=-5".
 */
static void out_bounds(struct scalar_out *o, const struct bpf64_scalar *s,
		       const char **sep)
{
	struct scalar_bound b[] = {
		{ "smin", s->smin, s->smin == view_smin(64) },
		{ "smax", s->smax, s->smax == view_smax(64) },
		{ "umin", s->umin, s->umin == 0 },
		{ "umax", s->umax, s->umax == view_umax(64) },
		{ "smin32", s32_printed(s->s32_min),
		  s->s32_min == view_smin(32) },
		{ "smax32", s32_printed(s->s32_max),
		  s->s32_max == view_smax(32) },
		{ "umin32", s->u32_min, s->u32_min == 0 },
		{ "umax32", s->u32_max, s->u32_max == view_umax(32) },
	};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(b); i++) {
		bool neg = b[i].name[0] == 's' && (s64)b[i].val < 0;

		if (b[i].omit)
			continue;
		out_printf(o, "%s%s=", *sep, b[i].name);
		*sep = ",";
		for (j = i + 2; j < ARRAY_SIZE(b); j += 2) {
			bool neg2 = b[j].name[0] == 's' && (s64)b[j].val < 0;

			if (b[j].omit || b[j].val != b[i].val || neg2 != neg)
				continue;
			b[j].omit = true;
			out_printf(o, "%s=", b[j].name);
		}
		if (b[i].name[0] == 's')
			out_snum(o, b[i].val);
		else
			out_unum(o, b[i].val);
	}
}

int bpf64_scalar_strn(char *buf, size_t size, const struct bpf64_scalar *s)
{
	struct scalar_out o = { buf, size, 0 };
	const char *sep = "";
	char tn[48];

	if (size)
		buf[0] = '\0';
	if (tnum_is_const(s->var_off)) {
		out_snum(&o, s->var_off.value);
		return o.len;
	}
	out_printf(&o, "scalar(");
	out_bounds(&o, s, &sep);
	if (!tnum_is_unknown(s->var_off)) {
		tnum_strn(tn, sizeof(tn), s->var_off);
		out_printf(&o, "%svar_off=%s", sep, tn);
	}
	out_printf(&o, ")");
	return o.len;
}
