// SPDX-License-Identifier: GPL-2.0
/*
 * An XDP parser: Ethernet, up to two VLAN tags, IPv4 (options included)
 * or IPv6, then TCP or UDP, each header checked against data_end through
 * a cursor passed by pointer.  Counts packets per protocol in a per-CPU
 * array.  Answers XDP_ABORTED for a truncated header, XDP_DROP for TCP to
 * port 23, XDP_TX for UDP to port 7, XDP_PASS otherwise.
 */
#include "verif_common.h"

enum { CNT_OTHER, CNT_TCP, CNT_UDP, CNT_V6, NR_CNT };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NR_CNT);
	__type(key, __u32);
	__type(value, __u64);
} xdp_proto_count SEC(".maps");

struct cursor {
	void *pos;
	void *end;
};

static __always_inline int parse_eth(struct cursor *c, __u16 *proto)
{
	struct ethhdr *eth = c->pos;
	struct vlan_hdr *vh;
	int i;

	if ((void *)(eth + 1) > c->end)
		return -1;
	c->pos = eth + 1;
	*proto = eth->h_proto;
#pragma unroll
	for (i = 0; i < 2; i++) {
		if (*proto != htons(ETH_P_8021Q) &&
		    *proto != htons(ETH_P_8021AD))
			break;
		vh = c->pos;
		if ((void *)(vh + 1) > c->end)
			return -1;
		c->pos = vh + 1;
		*proto = vh->proto;
	}
	return 0;
}

static __always_inline int parse_ip(struct cursor *c, __u16 proto)
{
	struct ipv6hdr *ip6;
	struct iphdr *ip;
	__u32 hlen;

	if (proto == htons(ETH_P_IP)) {
		ip = c->pos;
		if ((void *)(ip + 1) > c->end)
			return -1;
		hlen = ip->ihl * 4;
		if (hlen < sizeof(*ip))
			return -1;
		if (c->pos + hlen > c->end)
			return -1;
		c->pos += hlen;
		return ip->protocol;
	}
	if (proto == htons(ETH_P_IPV6)) {
		ip6 = c->pos;
		if ((void *)(ip6 + 1) > c->end)
			return -1;
		c->pos = ip6 + 1;
		return ip6->nexthdr;
	}
	return 0;
}

static __always_inline void count(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&xdp_proto_count, &what);

	if (n)
		*n += 1;
}

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	struct cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	struct tcphdr *tcp;
	struct udphdr *udp;
	__u16 proto;
	int l4;

	if (parse_eth(&c, &proto))
		return XDP_ABORTED;
	if (proto == htons(ETH_P_IPV6))
		count(CNT_V6);
	l4 = parse_ip(&c, proto);
	if (l4 < 0)
		return XDP_ABORTED;
	if (l4 == IPPROTO_TCP) {
		tcp = c.pos;
		if ((void *)(tcp + 1) > c.end)
			return XDP_ABORTED;
		count(CNT_TCP);
		return tcp->dest == htons(23) ? XDP_DROP : XDP_PASS;
	}
	if (l4 == IPPROTO_UDP) {
		udp = c.pos;
		if ((void *)(udp + 1) > c.end)
			return XDP_ABORTED;
		count(CNT_UDP);
		return udp->dest == htons(7) ? XDP_TX : XDP_PASS;
	}
	count(CNT_OTHER);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
