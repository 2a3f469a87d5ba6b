// SPDX-License-Identifier: GPL-2.0
/*
 * The Internet checksum (RFC 1071) over the packet's first 1024 bytes:
 * 32-bit words summed into 64 bits, folded to 16 and complemented.
 */
#include "bench.h"

BENCH(csum)
{
	u32 *w = (u32 *)data;
	u64 sum = 0;
	u32 i;

	if (data + BENCH_PKT_LEN > end)
		return 0;
	for (i = 0; i < BENCH_PKT_LEN / 4; i++)
		sum += w[i];
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}
