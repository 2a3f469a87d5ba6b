// SPDX-License-Identifier: GPL-2.0
/*
 * The hosted home's side of include/linux/bpf64/platform.h: what the
 * portable core needs from its home, implemented with the C library.
 *
 * The core itself never includes libc headers; this file may.  The string
 * functions platform.h declares (memcpy, memset, memcmp, strlen, vsnprintf,
 * snprintf) are the C library's own and need nothing here.
 */
#include <stdint.h>
#include <stdlib.h>

#include <linux/bpf64/platform.h>

void *bpf64_zalloc(size_t size)
{
	/* calloc(0) may return NULL or a unique pointer; ask for one byte so
	 * that a zero-sized request is never mistaken for a failure.
	 */
	return calloc(1, size ? size : 1);
}

void *bpf64_zalloc_array(size_t n, size_t size)
{
	/* Refuse n * size overflow ourselves rather than trusting calloc. */
	if (size && n > SIZE_MAX / size)
		return NULL;
	return bpf64_zalloc(n * size);
}

void bpf64_free(void *p)
{
	free(p);
}
