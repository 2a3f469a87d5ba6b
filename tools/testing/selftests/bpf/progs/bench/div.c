// SPDX-License-Identifier: GPL-2.0
/*
 * Division by divisors only known at run time: 32- and 64-bit quotients
 * and remainders of the packet's words (a rate or average computation's
 * inner loop).
 */
#include "bench.h"

BENCH(div)
{
	u32 *w = (u32 *)data;
	u64 acc = 0, big;
	u32 i, n, d;

	if (data + BENCH_PKT_LEN > end)
		return 0;
	for (i = 0; i + 1 < BENCH_PKT_LEN / 4; i++) {
		n = w[i];
		d = (w[i + 1] >> (i & 15)) | 1;
		big = (u64)n << 32 | w[i + 1];
		acc += n / d + n % (d >> 4 | 3);
		acc += big / (d | 0x100) + big % (acc | 1);
	}
	return acc ^ acc >> 32;
}
