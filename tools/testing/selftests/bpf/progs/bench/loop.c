// SPDX-License-Identifier: GPL-2.0
/* A counted loop of 64-bit ALU work: xorshift64 steps, summed. */
#include "bench.h"

BENCH(loop)
{
	u64 x, acc = 0;
	u32 i;

	if (data + BENCH_PKT_LEN > end)
		return 0;
	x = *(u64 *)data | 1;
	for (i = 0; i < 4096; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc += x * 3 + i;
	}
	return acc ^ acc >> 32;
}
