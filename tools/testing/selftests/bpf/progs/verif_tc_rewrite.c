// SPDX-License-Identifier: GPL-2.0
/*
 * Rewriting packets in tc: the IPv4 TTL decremented with
 * bpf_skb_store_bytes and the checksum fixed with bpf_l3_csum_replace;
 * both may move the packet, so the program loads data and data_end again
 * before reading it.  Writes skb fields (mark, priority, cb).  tc_ttl
 * answers the new TTL, or TC_ACT_SHOT when it would reach zero, 0 for
 * other packets.
 */
#include "verif_common.h"

#define IP_OFF		sizeof(struct ethhdr)
#define TTL_OFF		(IP_OFF + 8)
#define CSUM_OFF	(IP_OFF + 10)

SEC("tc")
int tc_ttl(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + IP_OFF;
	__u8 ttl, new_ttl;
	__u16 old, new;

	if ((void *)(ip + 1) > end || ((struct ethhdr *)data)->h_proto !=
	    htons(ETH_P_IP))
		return 0;
	ttl = ip->ttl;
	if (ttl <= 1)
		return TC_ACT_SHOT;
	new_ttl = ttl - 1;
	old = htons(ttl << 8 | ip->protocol);
	new = htons(new_ttl << 8 | ip->protocol);
	if (bpf_skb_store_bytes(skb, TTL_OFF, &new_ttl, 1, 0))
		return 0;
	if (bpf_l3_csum_replace(skb, CSUM_OFF, old, new, 2))
		return 0;
	skb->mark = new_ttl;
	skb->priority = 3;
	skb->cb[0] = ttl;
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	ip = data + IP_OFF;
	if ((void *)(ip + 1) > end)
		return 0;
	return ip->ttl;
}

char _license[] SEC("license") = "GPL";
