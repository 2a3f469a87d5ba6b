// SPDX-License-Identifier: GPL-2.0
/*
 * BTF-defined maps in every form the ELF loader reads: sizes through
 * typedefs, modifiers and arrays, explicit key_size/value_size, flags, a
 * map-in-map with its inner definition and initial elements, and a prog
 * array with an initial program.  (Legacy definitions are in elf_legacy.c:
 * libbpf 1.x, which test_elf.c compares with, refuses them.)
 *
 * maps_main answers (test_elf.c states it): the tail call lands in
 * maps_tail, which returns 40 + the u32 at key 0 of inner map 2 of outer
 * (inner_b, which the test sets); without the tail call it would return 1.
 */
#include "elf_common.h"

struct pair {
	__u32 a;
	__u16 b[3];
};					/* 12 bytes */
typedef const volatile struct pair cv_pair;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, cv_pair);
	__type(value, __u64[3]);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} btf_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 16);
	__uint(max_entries, 2);
} sized SEC(".maps");

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

SEC("socket")
int maps_tail(struct __sk_buff *skb)
{
	__u32 k = 2, *v;
	void *inner = bpf_map_lookup_elem(&outer, &k);

	if (!inner)
		return 2;
	k = 0;
	v = bpf_map_lookup_elem(inner, &k);
	return v ? 40 + *v : 3;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jumps SEC(".maps") = {
	.values = { [1] = (void *)&maps_tail },
};

SEC("socket")
int maps_main(struct __sk_buff *skb)
{
	struct pair key = { 1, { 2, 3, 4 } };
	__u64 val[3] = { 5, 6, 7 };
	__u32 k = 0;

	bpf_map_update_elem(&btf_hash, &key, val, 0);
	bpf_map_lookup_elem(&sized, &k);
	bpf_tail_call(skb, &jumps, 1);
	return 1;
}

char _license[] SEC("license") = "GPL";
