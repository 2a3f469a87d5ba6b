// SPDX-License-Identifier: GPL-2.0
/*
 * Sorting: eight rounds of an odd-even transposition sort of 16 words
 * from the packet in a stack array (as a top-N or a median filter), then
 * a weighted sum of the sorted words.  The compare-exchange is branch
 * free: a sort that branches on the data (or an insertion sort, whose
 * inner loop runs as far as the data says) has more paths than the
 * verifiers follow.
 */
#include "bench.h"

#define N	16

BENCH(sort)
{
	u32 v[N], *w = (u32 *)data, sum = 0, a, b, lo, round, pass, i;
	u64 d, m;

	if (data + BENCH_PKT_LEN > end)
		return 0;
	for (round = 0; round < 8; round++) {
		for (i = 0; i < N; i++)
			v[i] = w[round * N + i];
		for (pass = 0; pass < N; pass++) {
			for (i = pass & 1; i + 1 < N; i += 2) {
				a = v[i];
				b = v[i + 1];
				/* min and max without a branch */
				d = (u64)a - b;
				m = (s64)d >> 63;
				bench_opaque(m);
				lo = b + (d & m);
				v[i] = lo;
				v[i + 1] = a + b - lo;
			}
		}
		for (i = 0; i < N; i++)
			sum += v[i] * (i + 1);
	}
	return sum;
}
