/* SPDX-License-Identifier: GPL-2.0 */
/* SHA-256, for program tags (kernel/bpf/sha256.c). */
#ifndef _LINUX_BPF64_SHA256_H
#define _LINUX_BPF64_SHA256_H

#include <linux/bpf64/platform.h>

#define BPF64_SHA256_SIZE	32

void bpf64_sha256(const void *data, size_t len,
		  u8 digest[BPF64_SHA256_SIZE]);

#endif /* _LINUX_BPF64_SHA256_H */
