// SPDX-License-Identifier: GPL-2.0
/*
 * Memory copies: the packet copied 64 bits at a time into a stack buffer
 * (as into a map value or a header scratch area), a block moved within it,
 * then read back at indices the data chooses, so the copies must happen.
 */
#include "bench.h"

#define WORDS	32	/* 256 bytes */

BENCH(copy)
{
	u64 buf[WORDS], tmp[WORDS / 2], acc = 0;
	u64 *src = (u64 *)data;
	u32 round, i;

	if (data + BENCH_PKT_LEN > end)
		return 0;
	for (round = 0; round < BENCH_PKT_LEN / 8 / WORDS; round++) {
		for (i = 0; i < WORDS; i++)
			buf[i] = src[round * WORDS + i];
		for (i = 0; i < WORDS / 2; i++)
			tmp[i] = buf[i + WORDS / 2];
		for (i = 0; i < WORDS / 2; i++)
			buf[i + WORDS / 2] = buf[i] ^ tmp[i];
		for (i = 0; i < 8; i++)
			acc += buf[data[round * 8 + i] & (WORDS - 1)];
	}
	return acc ^ acc >> 32;
}
