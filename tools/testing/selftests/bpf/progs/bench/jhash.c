// SPDX-License-Identifier: GPL-2.0
/*
 * Bob Jenkins' lookup3 hash over 32-bit words (as the kernel's jhash2),
 * over the packet's first 1020 bytes, three words a round.
 */
#include "bench.h"

#define JHASH_INITVAL	0xdeadbeef

BENCH_INLINE u32 rol32(u32 w, u32 s)
{
	return w << s | w >> (32 - s);
}

#define mix(a, b, c) do {				\
	a -= c; a ^= rol32(c, 4);  c += b;		\
	b -= a; b ^= rol32(a, 6);  a += c;		\
	c -= b; c ^= rol32(b, 8);  b += a;		\
	a -= c; a ^= rol32(c, 16); c += b;		\
	b -= a; b ^= rol32(a, 19); a += c;		\
	c -= b; c ^= rol32(b, 4);  b += a;		\
} while (0)

#define final(a, b, c) do {				\
	c ^= b; c -= rol32(b, 14);			\
	a ^= c; a -= rol32(c, 11);			\
	b ^= a; b -= rol32(a, 25);			\
	c ^= b; c -= rol32(b, 16);			\
	a ^= c; a -= rol32(c, 4);			\
	b ^= a; b -= rol32(a, 14);			\
	c ^= b; c -= rol32(b, 24);			\
} while (0)

#define NWORDS	255

BENCH(jhash)
{
	u32 *k = (u32 *)data;
	u32 a, b, c, i;

	if (data + BENCH_PKT_LEN > end)
		return 0;
	a = b = c = JHASH_INITVAL + (NWORDS << 2);
	for (i = 0; i + 3 < NWORDS; i += 3) {
		a += k[i];
		b += k[i + 1];
		c += k[i + 2];
		mix(a, b, c);
	}
	a += k[i];
	b += k[i + 1];
	c += k[i + 2];
	final(a, b, c);
	return c;
}
