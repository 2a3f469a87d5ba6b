// SPDX-License-Identifier: GPL-2.0
/*
 * The hosted home's SHA-256 compression (platform.h's
 * bpf64_sha256_blocks_arch): the x86-64 SHA extensions where the CPU has
 * them, as Linux hashes program tags; elsewhere, or when a test forces it,
 * the core's C rounds.
 *
 * Written from the instructions' definitions in Intel's SDM.  SHA256RNDS2
 * runs two rounds on the state split in two registers, A B E F and
 * C D G H (A in the highest lane), with the two rounds' W + K in the low
 * lanes of a third; the registers then swap roles, since after two rounds
 * the old A B E F are the new C D G H.  SHA256MSG1 and SHA256MSG2 extend
 * the message schedule four words at a time.
 *
 * The functions carry their own target attribute, so the rest of the
 * library builds for any x86-64 and this code runs only after cpuid said
 * yes.
 */
#include <linux/bpf64/platform.h>
#include <linux/bpf64/sha256.h>

static bool sha256_generic;

void bpf64_sha256_force_generic(bool generic)
{
	WRITE_ONCE(sha256_generic, generic);
}

#ifdef __x86_64__

#include <cpuid.h>
#include <immintrin.h>

#define SHA_NI	__attribute__((target("sha,sse4.1")))

/* SHA (leaf 7, ebx bit 29) and the SSSE3/SSE4.1 shuffles, asked once. */
static bool sha_ni_present(void)
{
	static int have = -1;	/* not asked yet */
	unsigned int a, b, c, d;
	int v = READ_ONCE(have);

	if (v < 0) {
		v = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) &&
		    (c & bit_SSE4_1) &&
		    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
		WRITE_ONCE(have, v);
	}
	return v;
}

/* Words i .. i + 3 of the schedule from the 16 before them (w0 oldest). */
static inline SHA_NI __m128i sha_schedule(__m128i w0, __m128i w1, __m128i w2,
					  __m128i w3)
{
	/* W[i - 16] + s0(W[i - 15]), then + W[i - 7], then + s1(W[i - 2]) */
	__m128i x = _mm_sha256msg1_epu32(w0, w1);

	x = _mm_add_epi32(x, _mm_alignr_epi8(w3, w2, 4));
	return _mm_sha256msg2_epu32(x, w3);
}

/* Four rounds with message words @w and constants @k. */
static inline SHA_NI void sha_rounds4(__m128i *abef, __m128i *cdgh,
				      __m128i w, const u32 *k)
{
	__m128i wk = _mm_add_epi32(w, _mm_loadu_si128((const __m128i *)k));

	*cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, wk);
	/* the next two rounds' W + K into the low lanes */
	*abef = _mm_sha256rnds2_epu32(*abef, *cdgh,
				      _mm_shuffle_epi32(wk, 0x0e));
}

/* Four message words, big-endian in memory, one per lane. */
static inline SHA_NI __m128i sha_load(const u8 *p)
{
	const __m128i bswap32 = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11,
					     4, 5, 6, 7, 0, 1, 2, 3);

	return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), bswap32);
}

static SHA_NI void sha_ni_blocks(u32 st[8], const u8 *p, size_t nblocks)
{
	const u32 *k = bpf64_sha256_k;
	__m128i abef = _mm_set_epi32(st[0], st[1], st[4], st[5]);
	__m128i cdgh = _mm_set_epi32(st[2], st[3], st[6], st[7]);
	u32 out[8];

	for (; nblocks; nblocks--, p += 64) {
		__m128i abef0 = abef, cdgh0 = cdgh;
		__m128i w0 = sha_load(p), w1 = sha_load(p + 16);
		__m128i w2 = sha_load(p + 32), w3 = sha_load(p + 48);
		unsigned int i;

		sha_rounds4(&abef, &cdgh, w0, k);
		sha_rounds4(&abef, &cdgh, w1, k + 4);
		sha_rounds4(&abef, &cdgh, w2, k + 8);
		sha_rounds4(&abef, &cdgh, w3, k + 12);
		for (i = 16; i < 64; i += 16) {
			w0 = sha_schedule(w0, w1, w2, w3);
			sha_rounds4(&abef, &cdgh, w0, k + i);
			w1 = sha_schedule(w1, w2, w3, w0);
			sha_rounds4(&abef, &cdgh, w1, k + i + 4);
			w2 = sha_schedule(w2, w3, w0, w1);
			sha_rounds4(&abef, &cdgh, w2, k + i + 8);
			w3 = sha_schedule(w3, w0, w1, w2);
			sha_rounds4(&abef, &cdgh, w3, k + i + 12);
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	/* lanes low to high: F E B A, H G D C */
	_mm_storeu_si128((__m128i *)out, abef);
	_mm_storeu_si128((__m128i *)(out + 4), cdgh);
	st[0] = out[3];
	st[1] = out[2];
	st[2] = out[7];
	st[3] = out[6];
	st[4] = out[1];
	st[5] = out[0];
	st[6] = out[5];
	st[7] = out[4];
}

bool bpf64_sha256_blocks_arch(u32 state[8], const u8 *data, size_t nblocks)
{
	if (READ_ONCE(sha256_generic) || !sha_ni_present())
		return false;
	sha_ni_blocks(state, data, nblocks);
	return true;
}

#else /* no SHA instructions this file knows */

bool bpf64_sha256_blocks_arch(u32 state[8], const u8 *data, size_t nblocks)
{
	return false;
}

#endif
