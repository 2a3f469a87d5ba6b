// SPDX-License-Identifier: GPL-2.0
/*
 * A subprogram passed by address (bpf_loop's callback): an LD_IMM64 of a
 * static function in .text, which the loader turns into BPF_PSEUDO_FUNC.
 * callback_socket answers 0 + 1 + ... + 9 = 45.  (clang only: GCC 12 has
 * no bpf_loop.)
 */
#include "elf_common.h"

static int add_index(__u32 i, void *ctx)
{
	*(__u32 *)ctx += i;
	return 0;
}

SEC("socket")
int callback_socket(struct __sk_buff *skb)
{
	__u32 sum = 0;

	bpf_loop(10, add_index, &sum, 0);
	return sum;
}

char _license[] SEC("license") = "GPL";
