// SPDX-License-Identifier: GPL-2.0
/*
 * Stack buffers: a histogram on the stack indexed by masked packet bytes
 * (variable-offset stack writes and reads), a loop with continue, a
 * struct copied whole into a map value, a kernel read of a bounded
 * variable size into the stack.  stack_hist answers the most frequent low
 * nibble among the first 32 bytes (the smallest on ties), plus 16 times
 * its count.
 */
#include "verif_common.h"

struct report {
	__u8 hist[16];
	__u64 sum;
	__u32 top, len;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct report);
} stack_reports SEC(".maps");

SEC("xdp")
int stack_hist(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	struct report r = { }, *out;
	__u8 copy[64];
	__u32 zero = 0, i, best = 0, n;

	for (i = 0; i < 32; i++) {
		if (data + i + 1 > end)
			break;
		r.hist[data[i] & 15]++;
	}
	for (i = 0; i < 16; i++) {
		if (!r.hist[i])
			continue;
		if (r.hist[i] > r.hist[best])
			best = i;
		r.sum += r.hist[i] * i;
	}
	r.top = best;
	r.len = end - data;
	n = r.len & 63;
	if (n && bpf_probe_read_kernel(copy, n, data) == 0)
		r.sum += copy[0];
	out = bpf_map_lookup_elem(&stack_reports, &zero);
	if (!out)
		return 0;
	__builtin_memcpy(out, &r, sizeof(r));
	return best + 16 * r.hist[best];
}

char _license[] SEC("license") = "GPL";
