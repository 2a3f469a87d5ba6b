// SPDX-License-Identifier: GPL-2.0
/* FNV-1a, 32 bits, over the packet's bytes: a multiply per byte. */
#include "bench.h"

BENCH(fnv)
{
	u32 h = 2166136261u;
	u32 i;

	if (data + BENCH_PKT_LEN > end)
		return 0;
	for (i = 0; i < BENCH_PKT_LEN; i++) {
		h ^= data[i];
		h *= 16777619u;
	}
	return h;
}
