// SPDX-License-Identifier: GPL-2.0
/*
 * Moving the packet in XDP: a VLAN tag popped with bpf_xdp_adjust_head
 * (the MAC addresses moved first), metadata reserved in front with
 * bpf_xdp_adjust_meta and written through data_meta, every pointer
 * loaded again after each helper; then a tail call through a prog array
 * into a second program, which reads the metadata back.  adjust_entry
 * answers 1000 + the VLAN id for a tagged packet whose tail call failed
 * (never: the array holds adjust_tail), adjust_tail 2000 + the VLAN id it
 * finds in the metadata, or the EtherType's low byte when there was none.
 */
#include "verif_common.h"

struct meta {
	__u32 vlan;
};

SEC("xdp")
int adjust_tail(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct meta *m = (void *)(long)ctx->data_meta;
	struct ethhdr *eth = data;

	if ((void *)(m + 1) > data)
		return (void *)(eth + 1) > end ? 0 : ntohs(eth->h_proto) & 0xff;
	return 2000 + m->vlan;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} adjust_jumps SEC(".maps") = {
	.values = { [1] = (void *)&adjust_tail },
};

SEC("xdp")
int adjust_entry(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vlan_hdr *vh = (void *)(eth + 1);
	__u8 macs[2 * ETH_ALEN];
	struct meta *m;
	__u32 vlan;
	int i;

	if ((void *)(vh + 1) > end || eth->h_proto != htons(ETH_P_8021Q)) {
		bpf_tail_call(ctx, &adjust_jumps, 1);
		return 0;
	}
	vlan = ntohs(vh->tci) & 0xfff;
	for (i = 0; i < 2 * ETH_ALEN; i++)
		macs[i] = ((__u8 *)eth)[i];
	if (bpf_xdp_adjust_head(ctx, sizeof(*vh)))
		return 1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > end)
		return 2;
	for (i = 0; i < 2 * ETH_ALEN; i++)
		((__u8 *)eth)[i] = macs[i];
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return 3;
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return 4;
	m->vlan = vlan;
	bpf_tail_call(ctx, &adjust_jumps, 1);
	return 1000 + vlan;
}

char _license[] SEC("license") = "GPL";
