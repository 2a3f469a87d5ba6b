/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the socket-buffer program types (filter.c) and XDP (xdp.c) share:
 * Linux's buffer geometry on x86-64, checksums, and a memmove.
 */
#ifndef _NET_CORE_BPF64_SKB_H
#define _NET_CORE_BPF64_SKB_H

#include <linux/bpf64/prog.h>

#define NET_ETH_HLEN		14
/*
 * Linux counts its test-run limits in pages of x86-64 and keeps
 * SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) = 320 bytes free at the end
 * of every packet buffer; the largest packets and tails follow from these.
 */
#define NET_PAGE_SIZE		BPF64_PAGE_SIZE
#define NET_SHINFO_ROOM		320U

/* An address as a program sees it, and back. */
static inline u64 net_addr(const void *p)
{
	return (u64)(unsigned long)p;
}

static inline void *net_ptr(u64 addr)
{
	return (void *)(unsigned long)addr;
}

/* Overlapping copies (packet to packet); platform.h has no memmove. */
static inline void net_memmove(void *dst, const void *src, u32 n)
{
	u8 *d = dst;
	const u8 *s = src;

	if ((unsigned long)d <= (unsigned long)s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
}

/*
 * csum_partial() as Linux computes it on x86-64: the 32-bit one's
 * complement sum of @buf (little-endian words, the tail zero-padded)
 * and @seed, 0 only when all of them are 0.
 */
u32 bpf64_csum_partial(const void *buf, u32 len, u32 seed);

/* Helpers every networking type has (Linux's bpf_sk_base_func_proto). */
const struct bpf64_func_proto *
bpf64_sk_base_func_proto(u32 func_id, const struct bpf64_prog *prog);

/* bpf_csum_diff, which tc and XDP programs both have. */
extern const struct bpf64_func_proto bpf64_csum_diff_proto;

#endif /* _NET_CORE_BPF64_SKB_H */
