/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ELF loader's test programs share, for clang and for GCC's BPF
 * backend alike, without the kernel's headers (their <asm/types.h> is not
 * on a BPF compiler's path): the UAPI types and constants they use, and
 * the helpers.  clang takes libbpf's bpf_helpers.h; GCC 12 cannot call
 * through its function pointers and declares helpers by number instead.
 */
#ifndef _ELF_COMMON_H
#define _ELF_COMMON_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

/* enum bpf_map_type, enum xdp_action, map flags (include/uapi/linux/bpf.h) */
#define BPF_MAP_TYPE_HASH		1
#define BPF_MAP_TYPE_ARRAY		2
#define BPF_MAP_TYPE_PROG_ARRAY		3
#define BPF_MAP_TYPE_ARRAY_OF_MAPS	12
#define BPF_MAP_TYPE_HASH_OF_MAPS	13
#define BPF_F_NO_PREALLOC		1
#define XDP_DROP			1
#define XDP_PASS			2

struct __sk_buff;
struct xdp_md;

#if defined(__clang__)
#include <bpf/bpf_helpers.h>
#else
#define SEC(name)		__attribute__((section(name), used))
#define __uint(name, val)	int (*name)[val]
#define __type(name, val)	typeof(val) *name
#define __array(name, val)	typeof(val) *name[]
#define __helper(id)		__attribute__((kernel_helper(id)))
void *bpf_map_lookup_elem(void *map, const void *key) __helper(1);
long bpf_map_update_elem(void *map, const void *key, const void *value,
			 __u64 flags) __helper(2);
long bpf_tail_call(void *ctx, void *prog_array_map, __u32 index) __helper(12);
#endif

#endif /* _ELF_COMMON_H */
