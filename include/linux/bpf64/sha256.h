/* SPDX-License-Identifier: GPL-2.0 */
/* SHA-256, for program tags (kernel/bpf/sha256.c). */
#ifndef _LINUX_BPF64_SHA256_H
#define _LINUX_BPF64_SHA256_H

#include <linux/bpf64/platform.h>

#define BPF64_SHA256_SIZE	32

/* A hash in progress: init, update as data comes, final. */
struct bpf64_sha256 {
	u32 h[8];
	u64 len;		/* bytes so far */
	u8 buf[64];		/* the incomplete block */
};

void bpf64_sha256_init(struct bpf64_sha256 *ctx);
void bpf64_sha256_update(struct bpf64_sha256 *ctx, const void *data,
			 size_t len);
void bpf64_sha256_final(struct bpf64_sha256 *ctx,
			u8 digest[BPF64_SHA256_SIZE]);

/* The round constants (FIPS 180-4 4.2.2), for the homes' SHA instructions. */
extern const u32 bpf64_sha256_k[64];

/* All at once. */
void bpf64_sha256(const void *data, size_t len,
		  u8 digest[BPF64_SHA256_SIZE]);

#endif /* _LINUX_BPF64_SHA256_H */
