// SPDX-License-Identifier: GPL-2.0
/*
 * A map pinned by name (libbpf's LIBBPF_PIN_BY_NAME): the first load pins
 * it at /sys/fs/bpf/elf_pin_counts, later loads reuse it.  pin_socket
 * answers the u32 at key 0 and counts its runs there.
 */
#include "elf_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, 1);		/* LIBBPF_PIN_BY_NAME */
} elf_pin_counts SEC(".maps");

SEC("socket")
int pin_socket(struct __sk_buff *skb)
{
	__u32 k = 0, *v = bpf_map_lookup_elem(&elf_pin_counts, &k);

	if (!v)
		return 0;
	*v += 1;
	return *v;
}

char _license[] SEC("license") = "GPL";
