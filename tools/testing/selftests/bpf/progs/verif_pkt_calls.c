// SPDX-License-Identifier: GPL-2.0
/*
 * Packet pointers handed to subprograms (static __noinline functions),
 * which check them against data_end themselves; a variable offset taken
 * from the packet, masked, then checked before the access; a helper that
 * fills a caller's stack struct through a pointer.  pkt_calls answers
 * the byte at the offset the packet's 15th byte names (masked to 63),
 * plus 256 times the number of non-zero bytes among the first 16.
 */
#include "verif_common.h"

struct span {
	__u8 *pos;
	__u8 *end;
};

static __noinline int count_nonzero(__u8 *p, __u8 *end)
{
	int i, n = 0;

	for (i = 0; i < 16; i++) {
		if (p + i + 1 > end)
			break;
		n += p[i] != 0;
	}
	return n;
}

static __noinline int byte_at(struct span *s, __u32 off)
{
	__u8 *p;

	off &= 63;
	p = s->pos + off;
	if (p + 1 > s->end)
		return -1;
	return *p;
}

SEC("xdp")
int pkt_calls(struct xdp_md *ctx)
{
	struct span s = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	int b;

	if (s.pos + 16 > s.end)
		return 0;
	b = byte_at(&s, s.pos[14]);
	if (b < 0)
		return 1;
	return b + 256 * count_nonzero(s.pos, s.end);
}

char _license[] SEC("license") = "GPL";
