// SPDX-License-Identifier: GPL-2.0
/*
 * A VXLAN decapsulating classifier (tc): outer Ethernet, IPv4 with its
 * options, UDP to 4789, the VXLAN header, the inner Ethernet and IPv4
 * with their own options (two variable offsets added up), each checked
 * against data_end; the inner headers copied with bpf_skb_load_bytes, a
 * bounded variable number of bytes, into a per-CPU scratch buffer (a map
 * value, as programs do when the stack is too small).  tunnel_vni
 * answers the VNI's low 16 bits plus 65536 times the inner protocol, 0
 * for no VXLAN.
 */
#include "verif_common.h"

struct vxlanhdr {
	__be32 flags;
	__be32 vni;
};

struct scratch {
	__u8 buf[256];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} tunnel_scratch SEC(".maps");

SEC("tc")
int tunnel_vni(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr), *in_ip;
	struct udphdr *udp;
	struct vxlanhdr *vx;
	struct ethhdr *in_eth;
	struct scratch *sc;
	__u32 zero = 0, off, len;

	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP ||
	    ip->ihl < 5)
		return 0;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end || udp->dest != htons(4789))
		return 0;
	vx = (void *)(udp + 1);
	in_eth = (void *)(vx + 1);
	in_ip = (void *)(in_eth + 1);
	if ((void *)(in_ip + 1) > end || in_ip->ihl < 5)
		return 0;
	if ((void *)in_ip + in_ip->ihl * 4 > end)
		return 0;
	off = (void *)in_eth - data;
	len = (end - (void *)in_eth) & 0xff;
	sc = bpf_map_lookup_elem(&tunnel_scratch, &zero);
	if (!sc)
		return 0;
	if (len && bpf_skb_load_bytes(skb, off, sc->buf, len))
		return 0;
	/* the copy's inner protocol must be the packet's */
	if (sc->buf[sizeof(*in_eth) + 9] != in_ip->protocol)
		return 1;
	return (ntohl(vx->vni) >> 8 & 0xffff) + (in_ip->protocol << 16);
}

char _license[] SEC("license") = "GPL";
