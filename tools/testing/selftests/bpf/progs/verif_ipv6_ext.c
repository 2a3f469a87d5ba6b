// SPDX-License-Identifier: GPL-2.0
/*
 * IPv6 extension headers walked in a bounded loop: hop-by-hop, routing
 * and destination options advance the cursor by (hdrlen + 1) * 8 bytes,
 * a variable amount proven against data_end on each round.  ipv6_l4
 * answers the upper-layer protocol, or 255 for a truncated chain, 0 for
 * no IPv6.
 */
#include "verif_common.h"

struct ext_hdr {
	__u8 nexthdr;
	__u8 hdrlen;
};

SEC("xdp")
int ipv6_l4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct ext_hdr *ext;
	void *pos;
	__u8 next;
	int i;

	if ((void *)(ip6 + 1) > end || eth->h_proto != htons(ETH_P_IPV6))
		return 0;
	next = ip6->nexthdr;
	pos = ip6 + 1;
	for (i = 0; i < 6; i++) {
		if (next != 0 && next != 43 && next != 60)
			return next;
		ext = pos;
		if ((void *)(ext + 1) > end)
			return 255;
		next = ext->nexthdr;
		pos += (ext->hdrlen + 1) * 8;
	}
	return 255;
}

char _license[] SEC("license") = "GPL";
