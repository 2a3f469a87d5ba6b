// SPDX-License-Identifier: GPL-2.0
/*
 * Context fields masked and shifted (clang keeps ctx loads whole), one
 * read narrower than it is, which Linux allows for most fields; the tc
 * program also writes mark and cb.  ctx_narrow answers a mix of the
 * length's bytes, the protocol's low byte and the mark it wrote; ctx_xdp
 * the queue's and interface's low bytes.
 */
#include "verif_common.h"

SEC("tc")
int ctx_narrow(struct __sk_buff *skb)
{
	__u32 lo = skb->len & 0xff, hi = (skb->len >> 8) & 0xff;
	__u32 proto = skb->protocol & 0xff, t = skb->pkt_type & 7;
	/* and one narrow load written out: the low half of the hash */
	__u32 h16 = *(volatile __u16 *)&skb->hash;

	skb->mark = lo | hi << 8;
	skb->cb[1] = skb->mark & 0xffff;
	return lo + (hi << 4) + (proto << 8) + (t << 16) + (h16 << 20) +
	       ((skb->cb[1] >> 8) & 0xff) + (skb->queue_mapping & 0xff);
}

SEC("xdp")
int ctx_xdp(struct xdp_md *ctx)
{
	return (ctx->rx_queue_index & 0xff) << 8 |
	       (ctx->ingress_ifindex & 0xff);
}

char _license[] SEC("license") = "GPL";
