// SPDX-License-Identifier: GPL-2.0
/*
 * bpf-to-bpf calls (static __noinline functions, three frames deep) that
 * take pointers into the caller's stack and the context: a parser fills a
 * struct of the caller's, a checksum walks a caller's buffer, a function
 * reads the skb through its ctx pointer and one returns a map value
 * pointer to its caller.  calls_socket answers a mix of all of them.
 */
#include "verif_common.h"

struct meta {
	__u32 len;
	__u16 proto;
	__u8 first[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} calls_slots SEC(".maps");

static __noinline __u32 sum_bytes(const __u8 *buf, __u32 n)
{
	__u32 s = 0, i;

	for (i = 0; i < 8 && i < n; i++)
		s = s * 31 + buf[i];
	return s;
}

static __noinline int fill_meta(struct __sk_buff *skb, struct meta *m)
{
	m->len = skb->len;
	m->proto = skb->protocol;
	if (skb->len < sizeof(m->first))
		return -1;
	return bpf_skb_load_bytes(skb, 0, m->first, sizeof(m->first));
}

static __noinline __u64 *slot_of(__u32 idx)
{
	idx &= 3;
	return bpf_map_lookup_elem(&calls_slots, &idx);
}

static __noinline int parse(struct __sk_buff *skb, struct meta *m, __u32 *h)
{
	if (fill_meta(skb, m))
		return -1;
	*h = sum_bytes(m->first, sizeof(m->first));
	return 0;
}

SEC("socket")
int calls_socket(struct __sk_buff *skb)
{
	struct meta m = { };
	__u32 h = 0;
	__u64 *slot;

	if (parse(skb, &m, &h))
		return 1;
	slot = slot_of(h);
	if (!slot)
		return 2;
	*slot += m.len;
	return (h & 0xffff) ^ m.first[0];
}

char _license[] SEC("license") = "GPL";
