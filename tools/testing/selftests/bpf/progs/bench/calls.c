// SPDX-License-Identifier: GPL-2.0
/*
 * bpf-to-bpf calls: a loop that calls small functions kept out of line
 * (two levels deep), as programs split into helpers of their own do.
 */
#include "bench.h"

static BENCH_NOINLINE u32 rotmix(u32 a, u32 b)
{
	a ^= b;
	return (a << 7 | a >> 25) + b;
}

static BENCH_NOINLINE u32 step(u32 h, u32 w, u32 i)
{
	h = rotmix(h, w);
	return rotmix(h, i) * 0x9e3779b1u;
}

BENCH(calls)
{
	u32 *w = (u32 *)data;
	u32 h = 0, i;

	if (data + BENCH_PKT_LEN > end)
		return 0;
	for (i = 0; i < BENCH_PKT_LEN / 4; i++)
		h = step(h, w[i], i);
	return h;
}
