// SPDX-License-Identifier: GPL-2.0
/*
 * Per-flow counters in a hash map keyed by the 5-tuple (a struct on the
 * stack, padding zeroed), created on first sight with BPF_NOEXIST and
 * bumped atomically; an LRU hash remembers each flow's first TCP flags.
 * flows_count (xdp) answers how many packets of this flow it has seen,
 * including this one (0: not IPv4 TCP/UDP); flows_first answers the TCP
 * flags of the flow's first packet.
 */
#include "verif_common.h"

struct flow {
	__be32 saddr, daddr;
	__be16 sport, dport;
	__u8 proto, pad[3];
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct flow);
	__type(value, struct flow_stats);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32);
	__type(key, struct flow);
	__type(value, __u32);
} flows_lru SEC(".maps");

/* 0 and the flow's key, or -1 */
static __always_inline int flow_of(struct xdp_md *ctx, struct flow *f,
				   __u8 *flags)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *l4 = (void *)(ip + 1);

	if ((void *)(l4 + 1) > end || eth->h_proto != htons(ETH_P_IP) ||
	    ip->ihl != 5)
		return -1;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return -1;
	__builtin_memset(f, 0, sizeof(*f));
	f->saddr = ip->saddr;
	f->daddr = ip->daddr;
	f->sport = l4->source;
	f->dport = l4->dest;
	f->proto = ip->protocol;
	*flags = 0;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > end)
			return -1;
		*flags = ((__u8 *)tcp)[13];
	}
	return 0;
}

SEC("xdp")
int flows_count(struct xdp_md *ctx)
{
	struct flow_stats *st, init = { };
	struct flow f;
	__u8 flags;

	if (flow_of(ctx, &f, &flags))
		return 0;
	st = bpf_map_lookup_elem(&flows, &f);
	if (!st) {
		bpf_map_update_elem(&flows, &f, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&flows, &f);
		if (!st)
			return 0;
	}
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, ctx->data_end - ctx->data);
	return st->packets;
}

SEC("xdp")
int flows_first(struct xdp_md *ctx)
{
	__u32 *seen, v;
	struct flow f;
	__u8 flags;

	if (flow_of(ctx, &f, &flags))
		return 0;
	seen = bpf_map_lookup_elem(&flows_lru, &f);
	if (seen)
		return *seen;
	v = flags | 0x100;
	bpf_map_update_elem(&flows_lru, &f, &v, BPF_ANY);
	return v;
}

char _license[] SEC("license") = "GPL";
