// SPDX-License-Identifier: GPL-2.0
/*
 * A tc classifier: Ethernet and IPv4 with options (the TCP header sits at
 * a variable offset, ihl * 4), the TCP header copied to the stack with
 * bpf_skb_load_bytes as well as read in place.  Marks the skb with the
 * TCP flags and answers TC_ACT_SHOT for SYN+FIN, the destination port's
 * low byte for other TCP, TC_ACT_OK for the rest, 99 if the copy and the
 * packet disagree.
 */
#include "verif_common.h"

SEC("tc")
int tc_parse(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *tcp, copy;
	struct iphdr *ip;
	__u32 off;

	if ((void *)(eth + 1) > end || eth->h_proto != htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	off = ip->ihl * 4;
	if (off < sizeof(*ip))
		return TC_ACT_OK;
	tcp = (void *)ip + off;
	if ((void *)(tcp + 1) > end)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, sizeof(*eth) + off, &copy, sizeof(copy)))
		return TC_ACT_OK;
	if (copy.dest != tcp->dest || copy.seq != tcp->seq)
		return 99;
	skb->mark = tcp->syn | tcp->fin << 1 | tcp->rst << 2;
	if (tcp->syn && tcp->fin)
		return TC_ACT_SHOT;
	return ntohs(tcp->dest) & 0xff;
}

char _license[] SEC("license") = "GPL";
