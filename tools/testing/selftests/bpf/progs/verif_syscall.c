// SPDX-License-Identifier: GPL-2.0
/*
 * A BPF_PROG_TYPE_SYSCALL program, whose context is the caller's memory:
 * a count and values read from it (in an unrolled loop: the verifier
 * wants constant offsets into a context), a running total kept in a hash
 * map, the answer written back into the context.  sys_sum answers the
 * sum of the first n values, n the context's first byte masked to 7.
 */
#include "verif_common.h"

struct sys_args {
	__u8 n;
	__u8 pad[3];
	__u32 vals[8];
	__u32 out;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} sys_totals SEC(".maps");

SEC("syscall")
int sys_sum(struct sys_args *args)
{
	__u32 n = args->n & 7, sum = 0, key = n, i;
	__u64 *total, init = 0;

	/* unrolled: the context is read at constant offsets only */
#pragma unroll
	for (i = 0; i < 8; i++) {
		if (i >= n)
			break;
		sum += args->vals[i];
	}
	total = bpf_map_lookup_elem(&sys_totals, &key);
	if (!total) {
		bpf_map_update_elem(&sys_totals, &key, &init, BPF_ANY);
		total = bpf_map_lookup_elem(&sys_totals, &key);
		if (!total)
			return -1;
	}
	*total += sum;
	args->out = sum;
	return sum;
}

char _license[] SEC("license") = "GPL";
