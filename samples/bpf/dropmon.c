// SPDX-License-Identifier: GPL-2.0
/*
 * dropmon: count the packets the kernel drops, by the address of the code
 * that dropped them: the seed RFC's in-kernel net_dropmonitor, with today's
 * maps.  Userspace reads the "drops" map and resolves the addresses with
 * /proc/kallsyms; no event is copied to userspace per drop.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/*
 * The start of the skb:kfree_skb record, as
 * /sys/kernel/tracing/events/skb/kfree_skb/format describes it.  Only the
 * fields up to "location" have kept their offsets across kernel versions
 * (rx_sk, protocol and reason moved), so only those are declared.
 */
struct kfree_skb_record {
	__u64 common;		/* common_type, _flags, _preempt_count, _pid */
	__u64 skbaddr;
	__u64 location;		/* the caller of kfree_skb() */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);	/* the location */
	__type(value, __u64);	/* packets dropped there */
} drops SEC(".maps");

SEC("tracepoint/skb/kfree_skb")
int dropmon(struct kfree_skb_record *ctx)
{
	__u64 loc = ctx->location;
	__u64 one = 1;
	__u64 *cnt;

	cnt = bpf_map_lookup_elem(&drops, &loc);
	if (!cnt) {
		/*
		 * First drop seen here.  Another CPU may insert the same key
		 * between the lookup and the update: BPF_NOEXIST makes the
		 * later one fail instead of resetting the count, and that one
		 * then adds to the entry the other CPU made.
		 */
		if (!bpf_map_update_elem(&drops, &loc, &one, BPF_NOEXIST))
			return 0;
		cnt = bpf_map_lookup_elem(&drops, &loc);
		if (!cnt)
			return 0;	/* the map is full */
	}
	__sync_fetch_and_add(cnt, 1);
	return 0;
}

char _license[] SEC("license") = "GPL";
