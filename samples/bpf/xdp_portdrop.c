// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_portdrop: drop IPv4 TCP packets to one destination port, pass the
 * rest, and count the verdicts by action.
 *
 * The port is a read-only global (.rodata): a loader may set it before
 * loading the object (libbpf's skeletons do, through rodata); its default
 * is 80.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_MF		0x2000
#define IP_OFFSET	0x1fff

const volatile __u16 drop_port = 80;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDP_REDIRECT + 1);
	__type(key, __u32);	/* enum xdp_action */
	__type(value, __u64);	/* packets */
} verdicts SEC(".maps");

/* Is this a TCP segment to drop_port?  Every header is bounds-checked. */
static __always_inline int is_dropped(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct tcphdr *tcp;

	if ((void *)(eth + 1) > data_end ||
	    eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl < 5 ||
	    ip->protocol != IPPROTO_TCP)
		return 0;
	/* Only the first fragment carries the TCP header. */
	if (ip->frag_off & bpf_htons(IP_OFFSET))
		return 0;
	tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > data_end)
		return 0;
	return tcp->dest == bpf_htons(drop_port);
}

SEC("xdp")
int xdp_portdrop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 action = is_dropped(data, data_end) ? XDP_DROP : XDP_PASS;
	__u64 *cnt;

	cnt = bpf_map_lookup_elem(&verdicts, &action);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	return action;
}

char _license[] SEC("license") = "GPL";
