// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel home's side of include/linux/bpf64/platform.h: what the
 * portable core needs from its home, implemented with kernel APIs.
 *
 * Sizes reach these functions from untrusted input (program lengths, map
 * sizes), so an oversized request fails quietly with NULL (__GFP_NOWARN)
 * instead of warning in the kernel log; kvmalloc falls back to vmalloc for
 * large ones.  A zero-sized request returns ZERO_SIZE_PTR, which is not
 * NULL and may be freed, like the hosted home's one-byte allocation.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include <linux/bpf64/platform.h>

#define BPF64_GFP	(GFP_KERNEL | __GFP_NOWARN)

void *bpf64_zalloc(size_t size)
{
	return kvzalloc(size, BPF64_GFP);
}

void *bpf64_zalloc_array(size_t n, size_t size)
{
	/* kvcalloc() returns NULL when n * size overflows. */
	return kvcalloc(n, size, BPF64_GFP);
}

void bpf64_free(void *p)
{
	kvfree(p);
}
