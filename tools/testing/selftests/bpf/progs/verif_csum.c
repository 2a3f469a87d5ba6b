// SPDX-License-Identifier: GPL-2.0
/*
 * Checksums in tc: the IPv4 header's checksum verified with
 * bpf_csum_diff over the header in the packet, the header also copied
 * with bpf_skb_load_bytes and summed by hand over 16-bit words.
 * csum_check answers 1 for a good checksum, 2 for a bad one, 3 if the two
 * sums disagree, 0 for other packets.
 */
#include "verif_common.h"

static __always_inline __u16 fold(__u64 sum)
{
	int i;

	for (i = 0; i < 4; i++)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

SEC("tc")
int csum_check(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u16 words[10];
	__u64 sum = 0;
	__s64 diff;
	int i;

	if ((void *)(ip + 1) > end || ip->ihl != 5)
		return 0;
	diff = bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0);
	if (diff < 0)
		return 0;
	if (bpf_skb_load_bytes(skb, sizeof(struct ethhdr), words,
			       sizeof(words)))
		return 0;
	for (i = 0; i < 10; i++)
		sum += words[i];
	if (fold(sum) != fold(diff))
		return 3;
	return fold(sum) ? 2 : 1;
}

char _license[] SEC("license") = "GPL";
