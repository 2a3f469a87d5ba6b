// SPDX-License-Identifier: GPL-2.0
/*
 * A tracepoint program reading its record directly (the context is the
 * raw tracepoint record: fields at fixed offsets, read only): a
 * sched_switch-like record's names copied byte by byte in an unrolled
 * loop, its pids compared, a per-CPU counter of switches per state.
 * Loaded, not run (Linux cannot test-run tracepoints).
 */
#include "verif_common.h"

struct switch_record {
	__u64 common;			/* type, flags, preempt count, pid */
	char prev_comm[16];
	__s32 prev_pid, prev_prio;
	__s64 prev_state;
	char next_comm[16];
	__s32 next_pid, next_prio;
};

struct switch_stats {
	char last_next[16];
	__u64 by_state[4];
	__u64 same_name;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct switch_stats);
} tp_switch_stats SEC(".maps");

SEC("tracepoint/sched/sched_switch")
int tp_switch(struct switch_record *rec)
{
	struct switch_stats *st;
	__u32 zero = 0, same = 1;
	int i;

	st = bpf_map_lookup_elem(&tp_switch_stats, &zero);
	if (!st || rec->prev_pid == rec->next_pid)
		return 0;
#pragma unroll
	for (i = 0; i < 16; i++) {
		st->last_next[i] = rec->next_comm[i];
		same &= rec->next_comm[i] == rec->prev_comm[i];
	}
	st->by_state[rec->prev_state & 3]++;
	st->same_name += same;
	return 0;
}

char _license[] SEC("license") = "GPL";
