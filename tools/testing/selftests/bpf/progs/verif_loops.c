// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded loops as clang emits them: a for loop with a constant bound
 * over a stack buffer (indexed by the loop variable), a while loop over
 * packet bytes up to data_end, an unrolled loop and one kept rolled.
 *
 * loops_sum (socket): the sum of the first 32 bytes (zeros past the end)
 * plus, for each of 8 rounds, the round's index times the byte at it.
 * loops_scan (xdp): the number of bytes before the first 0xff, at most
 * 200; loops_rolled (xdp): a rolled loop that walks a table in a map.
 */
#include "verif_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32[16]);
} loops_table SEC(".maps");

SEC("socket")
int loops_sum(struct __sk_buff *skb)
{
	__u8 buf[32] = { };
	__u32 sum = 0, len = skb->len;
	int i;

	if (len > sizeof(buf))
		len = sizeof(buf);
	if (len && bpf_skb_load_bytes(skb, 0, buf, len) < 0)
		return 0;
	for (i = 0; i < (int)sizeof(buf); i++)
		sum += buf[i];
#pragma unroll
	for (i = 0; i < 8; i++)
		sum += i * buf[i];
	return sum;
}

SEC("xdp")
int loops_scan(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	__u32 n = 0;

	while (n < 200) {
		if (p + 1 > end || *p == 0xff)
			break;
		p++;
		n++;
	}
	return n;
}

SEC("xdp")
int loops_rolled(struct xdp_md *ctx)
{
	__u32 key = 0, acc = 0, *t;
	int i;

	t = bpf_map_lookup_elem(&loops_table, &key);
	if (!t)
		return 0;
#pragma nounroll
	for (i = 0; i < 16; i++) {
		t[i] += i;
		acc ^= t[i] << (i & 7);
	}
	return acc;
}

char _license[] SEC("license") = "GPL";
