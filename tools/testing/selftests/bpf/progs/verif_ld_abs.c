// SPDX-License-Identifier: GPL-2.0
/*
 * A classic socket filter through the legacy packet loads (LD_ABS and
 * LD_IND, clang's load_byte/half built-ins), on a socket that sees the
 * packet from its network header: IPv4 (skb->protocol and the version),
 * TCP, the IP header's length from its first byte, then the destination
 * port at that variable offset.  sf_port answers the TCP port, or 0.
 */
#include "verif_common.h"

unsigned long long load_byte(void *skb, unsigned long long off)
	asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off)
	asm("llvm.bpf.load.half");

SEC("socket")
int sf_port(struct __sk_buff *skb)
{
	__u32 hlen;

	if (skb->protocol != htons(ETH_P_IP) || load_byte(skb, 0) >> 4 != 4)
		return 0;
	if (load_byte(skb, 9) != IPPROTO_TCP)
		return 0;
	hlen = (load_byte(skb, 0) & 0xf) * 4;
	return load_half(skb, hlen + 2);
}

char _license[] SEC("license") = "GPL";
