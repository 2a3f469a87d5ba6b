// SPDX-License-Identifier: GPL-2.0
/*
 * Atomic operations on map values and globals: add (all CPUs), and from
 * -mcpu=v3 fetch-add, and/or/xor, xchg and compare-and-swap whose results
 * are used.  atomic_ops answers the number of times it ran, as counted by
 * a compare-and-swap loop (add on v1/v2).
 */
#include "verif_common.h"

struct counters {
	__u64 runs;
	__u64 bits;
	__u32 last;
	__u32 cas;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counters);
} atomic_vals SEC(".maps");

__u64 atomic_total;

SEC("xdp")
int atomic_ops(struct xdp_md *ctx)
{
	__u32 zero = 0, len = ctx->data_end - ctx->data;
	struct counters *c = bpf_map_lookup_elem(&atomic_vals, &zero);

	if (!c)
		return 0;
	__sync_fetch_and_add(&atomic_total, len);
#if __BPF_CPU_VERSION__ >= 3
	{
		__u32 old, seen;
		int i;

		__sync_fetch_and_or(&c->bits, 1ULL << (len & 63));
		__sync_fetch_and_xor(&c->bits, 0x100);
		__sync_fetch_and_and(&c->bits, ~0x200ULL);
		__sync_lock_test_and_set(&c->last, len);
		for (i = 0; i < 8; i++) {
			old = c->cas;
			seen = __sync_val_compare_and_swap(&c->cas, old,
							   old + 1);
			if (seen == old)
				break;
		}
		return __sync_fetch_and_add(&c->runs, 1) + 1 == old + 1 ?
		       old + 1 : 0xbad;
	}
#else
	__sync_fetch_and_add(&c->runs, 1);
	return c->runs;
#endif
}

char _license[] SEC("license") = "GPL";
