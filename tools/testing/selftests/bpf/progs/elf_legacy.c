// SPDX-License-Identifier: GPL-2.0
/*
 * Legacy map definitions (struct bpf_map_def in section "maps") and a
 * "version" section.  legacy_socket answers 5 + the u32 at key 0 of
 * legacy_array, and counts its runs in legacy_hash.
 */
#include "elf_common.h"

struct legacy_def {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
};

struct legacy_def legacy_hash SEC("maps") = {
	BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(__u64), 16, 0,
};
struct legacy_def legacy_array SEC("maps") = {
	BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u32), 2, 0,
};

SEC("socket")
int legacy_socket(struct __sk_buff *skb)
{
	__u64 one = 1, *runs;
	__u32 k = 0, *v;

	runs = bpf_map_lookup_elem(&legacy_hash, &k);
	if (runs)
		*runs += 1;
	else
		bpf_map_update_elem(&legacy_hash, &k, &one, 0);
	v = bpf_map_lookup_elem(&legacy_array, &k);
	return v ? 5 + *v : 1;
}

char _license[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x060c00;
