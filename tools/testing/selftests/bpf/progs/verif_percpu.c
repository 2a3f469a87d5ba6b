// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU statistics: a per-CPU array of byte histograms indexed by a
 * value derived from the packet (bounded by a mask, then by a compare),
 * and a per-CPU hash keyed by the protocol.  The answer does not depend
 * on the CPU: the histogram bucket of the packet's length.
 */
#include "verif_common.h"

#define NR_BUCKETS 8

struct hist {
	__u64 bucket[NR_BUCKETS];
	__u64 total;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct hist);
} percpu_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u16);
	__type(value, __u64);
} percpu_proto SEC(".maps");

SEC("socket")
int percpu_stats(struct __sk_buff *skb)
{
	__u32 key = skb->pkt_type & 1, b = 0, len = skb->len;
	__u16 proto = skb->protocol;
	struct hist *h;
	__u64 *n, one = 1;

	while (len > 16 && b < NR_BUCKETS - 1) {
		len >>= 1;
		b++;
	}
	h = bpf_map_lookup_elem(&percpu_hist, &key);
	if (!h)
		return -1;
	h->bucket[b]++;
	h->total += skb->len;
	n = bpf_map_lookup_elem(&percpu_proto, &proto);
	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&percpu_proto, &proto, &one, BPF_ANY);
	return b;
}

char _license[] SEC("license") = "GPL";
