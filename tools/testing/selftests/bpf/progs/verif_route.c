// SPDX-License-Identifier: GPL-2.0
/*
 * Routing by longest prefix: the IPv4 destination looked up in an LPM
 * trie (the test fills it), the route's next hop then looked up in an
 * array of maps (one inner array of MAC addresses per port).  route_xdp
 * answers port * 256 + the last byte of the next hop's MAC, 1 for no
 * route, 2 for no such port, 0 for a packet that is not IPv4; it rewrites
 * the destination MAC as a router would.
 */
#include "verif_common.h"

struct lpm_v4 {
	__u32 prefixlen;
	__be32 addr;
};

struct route {
	__u32 port;
	__u32 hop;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__type(key, struct lpm_v4);
	__type(value, struct route);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} route_table SEC(".maps");

struct hops {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u8[ETH_ALEN]);
} route_hops0 SEC(".maps"), route_hops1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct hops);
} route_ports SEC(".maps") = {
	.values = { [0] = &route_hops0, [1] = &route_hops1 },
};

SEC("xdp")
int route_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct lpm_v4 key = { .prefixlen = 32 };
	struct route *r;
	void *hops;
	__u8 *mac;
	int i;

	if ((void *)(ip + 1) > end || eth->h_proto != htons(ETH_P_IP))
		return 0;
	key.addr = ip->daddr;
	r = bpf_map_lookup_elem(&route_table, &key);
	if (!r)
		return 1;
	hops = bpf_map_lookup_elem(&route_ports, &r->port);
	if (!hops)
		return 2;
	mac = bpf_map_lookup_elem(hops, &r->hop);
	if (!mac)
		return 2;
	for (i = 0; i < ETH_ALEN; i++)
		eth->h_dest[i] = mac[i];
	return r->port * 256 + mac[ETH_ALEN - 1];
}

char _license[] SEC("license") = "GPL";
