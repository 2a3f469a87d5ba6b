// SPDX-License-Identifier: GPL-2.0
/*
 * TCP options walked as kernels do: a bounded loop whose cursor advances
 * by each option's length (a byte of the packet), checked against
 * data_end before every read; the MSS option's value kept, and the
 * option bytes copied into a map value at a variable, bounded offset.
 * tcp_mss answers the MSS, 1 when there is none, 0 for no TCP.
 */
#include "verif_common.h"

struct opt_log {
	__u32 n;
	__u8 bytes[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct opt_log);
} tcp_opt_log SEC(".maps");

SEC("xdp")
int tcp_mss(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	struct opt_log *log;
	__u8 *opt, *opts_end;
	__u32 zero = 0, mss = 1, n;
	int i;

	if ((void *)(tcp + 1) > end || eth->h_proto != htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
		return 0;
	opt = (void *)(tcp + 1);
	opts_end = (__u8 *)tcp + tcp->doff * 4;
	log = bpf_map_lookup_elem(&tcp_opt_log, &zero);
	for (i = 0; i < 10; i++) {
		if (opt >= opts_end || opt + 1 > (__u8 *)end || *opt == 0)
			break;
		if (*opt == 1) {
			opt++;
			continue;
		}
		if (opt + 2 > (__u8 *)end || opt[1] < 2)
			break;
		if (*opt == 2 && opt[1] == 4 && opt + 4 <= (__u8 *)end)
			mss = opt[2] << 8 | opt[3];
		if (log) {
			n = log->n & 63;
			log->bytes[n] = *opt;
			log->n = n + 1;
		}
		opt += opt[1];
	}
	return mss;
}

char _license[] SEC("license") = "GPL";
