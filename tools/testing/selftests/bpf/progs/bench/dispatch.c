// SPDX-License-Identifier: GPL-2.0
/*
 * Switch dispatch: the packet's bytes as the opcodes of a tiny
 * accumulator machine (an opcode in the low 3 bits, an operand above),
 * one switch per byte, as a filter's or a decoder's inner loop.
 */
#include "bench.h"

BENCH(dispatch)
{
	u32 *w = (u32 *)data, acc, reg, i, k;
	u8 b, arg;

	if (data + BENCH_PKT_LEN > end)
		return 0;
	/* unknown starting values: the cases' paths then meet again */
	acc = w[255];
	reg = w[254];
	/*
	 * 16 bytes a trip, unrolled: bpf64's verifier keeps at most 64
	 * states per instruction, and a loop whose body branches needs one
	 * per trip at its head.
	 */
	for (k = 0; k < 512; k += 16) {
#pragma unroll
	for (i = k; i < k + 16; i++) {
		b = data[i];
		arg = b >> 3;
		switch (b & 7) {
		case 0:
			acc += arg;
			break;
		case 1:
			acc ^= reg;
			break;
		case 2:
			acc = acc << (arg & 7) | acc >> (32 - (arg & 7));
			break;
		case 3:
			reg = acc;
			break;
		case 4:
			acc -= arg * reg;
			break;
		case 5:
			reg += acc >> 3;
			break;
		case 6:
			acc = ~acc;
			break;
		default:
			acc *= 33;
			break;
		}
	}
	}
	return acc ^ reg;
}
