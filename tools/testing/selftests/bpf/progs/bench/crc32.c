// SPDX-License-Identifier: GPL-2.0
/*
 * CRC-32 (IEEE 802.3, reflected), bit by bit, over 512 bytes, continuing
 * a CRC that the packet's last word holds (so that no verifier knows its
 * bits and follows each byte's eight steps as constants).
 */
#include "bench.h"

BENCH(crc32)
{
	u32 crc, i, k;

	if (data + BENCH_PKT_LEN > end)
		return 0;
	crc = *(u32 *)(data + BENCH_PKT_LEN - 4);
	for (i = 0; i < 512; i += 4) {
		crc ^= *(u32 *)(data + i);
		for (k = 0; k < 32; k++)
			crc = crc >> 1 ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}
