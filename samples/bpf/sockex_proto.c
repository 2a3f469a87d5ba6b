// SPDX-License-Identifier: GPL-2.0
/*
 * sockex_proto: a socket filter that counts the packets and bytes it sees
 * per IP protocol, bytes as skb->len counts them (on a packet socket from
 * the link-layer header on, in a test run from the network header on).
 * It keeps every packet: it returns the packet's length.
 *
 * The protocol is read with a classic absolute load relative to the network
 * header (SKF_NET_OFF), so the same program works on a packet socket, where
 * the data starts at the link-layer header, and in BPF_PROG_TEST_RUN, where
 * a socket filter's data starts at the network header.  Non-IPv4 packets
 * count under whatever byte lies where the protocol would be.
 */
#include <stddef.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

struct proto_count {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);	/* the IP protocol number */
	__type(value, struct proto_count);
} proto_count SEC(".maps");

/* BPF_LD | BPF_ABS | BPF_B: the skb must be in r6, as the insn requires. */
unsigned long long load_byte(void *skb, unsigned long long off)
	asm("llvm.bpf.load.byte");

SEC("socket")
int sockex_proto(struct __sk_buff *skb)
{
	__u32 proto = load_byte(skb, SKF_NET_OFF + offsetof(struct iphdr,
							    protocol));
	struct proto_count *c;

	c = bpf_map_lookup_elem(&proto_count, &proto);
	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		__sync_fetch_and_add(&c->bytes, skb->len);
	}
	return skb->len;
}

char _license[] SEC("license") = "GPL";
