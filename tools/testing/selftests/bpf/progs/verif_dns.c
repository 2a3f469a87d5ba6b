// SPDX-License-Identifier: GPL-2.0
/*
 * A DNS query parser in tc: UDP to port 53, the header, then the query
 * name's labels walked in a bounded loop (each label's length byte moves
 * the cursor by a variable amount, checked against data_end each time),
 * the name hashed into a stack buffer, then the query type read after
 * it; blocked names are looked up in a hash map keyed by the hash.
 * dns_query answers the query type, 1000 + it for a blocked name, 0 for
 * no DNS query, 1 for a malformed one.
 */
#include "verif_common.h"

#define MAX_LABELS	3
#define MAX_LABEL	15

struct dnshdr {
	__be16 id, flags, qdcount, ancount, nscount, arcount;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u8);
} dns_blocked SEC(".maps");

SEC("tc")
int dns_query(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct udphdr *udp = (void *)(ip + 1);
	struct dnshdr *dns = (void *)(udp + 1);
	__u8 *p = (void *)(dns + 1), len;
	__u32 hash = 2166136261u, i, j;
	__u16 qtype;

	if ((void *)(dns + 1) > end || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP || udp->dest != htons(53) ||
	    dns->qdcount != htons(1))
		return 0;
	for (i = 0; i < MAX_LABELS; i++) {
		if (p + 1 > (__u8 *)end)
			return 1;
		len = *p++;
		if (!len)
			break;
		if (len > MAX_LABEL)
			return 1;
		for (j = 0; j < MAX_LABEL; j++) {
			if (j >= len)
				break;
			if (p + j + 1 > (__u8 *)end)
				return 1;
			hash = (hash ^ p[j]) * 16777619u;
		}
		p += len;
	}
	/* a name of MAX_LABELS labels still needs its terminator */
	if (i == MAX_LABELS && (p + 1 > (__u8 *)end || *p++))
		return 1;
	if (p + 2 > (__u8 *)end)
		return 1;
	qtype = p[0] << 8 | p[1];
	if (bpf_map_lookup_elem(&dns_blocked, &hash))
		return 1000 + qtype;
	return qtype;
}

char _license[] SEC("license") = "GPL";
