// SPDX-License-Identifier: GPL-2.0
/*
 * A flow dissector over a batch of 16 frames of 64 bytes: Ethernet with an
 * optional 802.1Q tag, IPv4 (with options) or IPv6, then the TCP or UDP
 * ports; each flow's 5-tuple is hashed and the hashes summed.  Every
 * variable-length step is checked against the end of the packet, as a
 * real parser's.
 */
#include "bench.h"

#define FRAMES		16
#define FRAME_LEN	64
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86dd
#define ETH_P_8021Q	0x8100
#define IPPROTO_TCP	6
#define IPPROTO_UDP	17

BENCH_INLINE u32 hash_tuple(u32 saddr, u32 daddr, u32 ports, u32 proto)
{
	u32 h = saddr * 0x9e3779b1u ^ daddr;

	h = (h ^ h >> 15) * 0x85ebca6bu ^ ports;
	h = (h ^ h >> 13) * 0xc2b2ae35u ^ proto;
	return h ^ h >> 16;
}

/* The hash of the frame at @p, or 0 if it is not TCP/UDP over IP. */
BENCH_INLINE u32 dissect(u8 *p, u8 *end)
{
	u32 saddr, daddr, proto, *a;
	u16 type = bench_ntohs(*(u16 *)(p + 12));
	u8 *nh = p + 14, *l4;

	if (type == ETH_P_8021Q) {
		type = bench_ntohs(*(u16 *)(p + 16));
		nh += 4;
	}
	if (type == ETH_P_IP) {
		if (nh + 20 > end)
			return 0;
		/* fragments after the first have no ports */
		if (*(u16 *)(nh + 6) & bench_ntohs(0x1fff))
			return 0;
		proto = nh[9];
		saddr = *(u32 *)(nh + 12);
		daddr = *(u32 *)(nh + 16);
		l4 = nh + (nh[0] & 0xf) * 4;
	} else if (type == ETH_P_IPV6) {
		if (nh + 40 > end)
			return 0;
		a = (u32 *)(nh + 8);
		proto = nh[6];
		saddr = a[0] ^ a[1] ^ a[2] ^ a[3];
		daddr = a[4] ^ a[5] ^ a[6] ^ a[7];
		l4 = nh + 40;
	} else {
		return 0;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 0;
	if (l4 + 4 > end)
		return 0;
	return hash_tuple(saddr, daddr, *(u32 *)l4, proto);
}

BENCH(flow)
{
	u32 sum = 0, i;

	if (data + BENCH_PKT_LEN > end)
		return 0;
	/* four passes over the batch, as a busy receive loop would */
	for (i = 0; i < 4 * FRAMES; i++)
		sum += dissect(data + i % FRAMES * FRAME_LEN, end) + i;
	return sum;
}
