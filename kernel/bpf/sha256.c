// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 (FIPS 180-4), for program tags: Linux names a program by the
 * first 8 bytes of the SHA-256 of its instructions (SHA-1 before 6.18), and
 * tools compare tags across kernels.  Streaming, so that a program's
 * instructions can be hashed as they are patched, without a copy.
 */
#include <linux/bpf64/sha256.h>

const u32 bpf64_sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline u32 sha_ror32(u32 x, unsigned int n)
{
	return x >> n | x << (32 - n);
}

#define SHA_S0(x)	(sha_ror32(x, 2) ^ sha_ror32(x, 13) ^ sha_ror32(x, 22))
#define SHA_S1(x)	(sha_ror32(x, 6) ^ sha_ror32(x, 11) ^ sha_ror32(x, 25))
#define SHA_CH(x, y, z)	((x & y) ^ (~x & z))
#define SHA_MAJ(x, y, z) ((x & y) ^ (x & z) ^ (y & z))

/*
 * One round; the eight working variables rotate by renaming, one step per
 * round, so eight rounds bring them back to their places.
 */
#define SHA_ROUND(a, b, c, d, e, f, g, h, i) do {			\
		u32 t1 = h + SHA_S1(e) + SHA_CH(e, f, g) +		\
			 bpf64_sha256_k[i] + w[i];			\
		d += t1;						\
		h = t1 + SHA_S0(a) + SHA_MAJ(a, b, c);			\
	} while (0)

static void sha256_block(u32 st[8], const u8 *p)
{
	u32 w[64], a, b, c, d, e, f, g, h;
	unsigned int i;

	for (i = 0; i < 16; i++)
		w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 |
		       (u32)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = w[i - 16] + w[i - 7] +
		       (sha_ror32(w[i - 15], 7) ^ sha_ror32(w[i - 15], 18) ^
			w[i - 15] >> 3) +
		       (sha_ror32(w[i - 2], 17) ^ sha_ror32(w[i - 2], 19) ^
			w[i - 2] >> 10);
	a = st[0]; b = st[1]; c = st[2]; d = st[3];
	e = st[4]; f = st[5]; g = st[6]; h = st[7];
	for (i = 0; i < 64; i += 8) {
		SHA_ROUND(a, b, c, d, e, f, g, h, i);
		SHA_ROUND(h, a, b, c, d, e, f, g, i + 1);
		SHA_ROUND(g, h, a, b, c, d, e, f, i + 2);
		SHA_ROUND(f, g, h, a, b, c, d, e, i + 3);
		SHA_ROUND(e, f, g, h, a, b, c, d, i + 4);
		SHA_ROUND(d, e, f, g, h, a, b, c, i + 5);
		SHA_ROUND(c, d, e, f, g, h, a, b, i + 6);
		SHA_ROUND(b, c, d, e, f, g, h, a, i + 7);
	}
	st[0] += a; st[1] += b; st[2] += c; st[3] += d;
	st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

/* Whole blocks: the home's SHA instructions where it has them. */
static void sha256_blocks(u32 st[8], const u8 *p, size_t nblocks)
{
	if (bpf64_sha256_blocks_arch(st, p, nblocks))
		return;
	for (; nblocks; nblocks--, p += 64)
		sha256_block(st, p);
}

void bpf64_sha256_init(struct bpf64_sha256 *ctx)
{
	static const u32 iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(ctx->h, iv, sizeof(iv));
	ctx->len = 0;
}

void bpf64_sha256_update(struct bpf64_sha256 *ctx, const void *data,
			 size_t len)
{
	const u8 *p = data;
	size_t fill = ctx->len % 64, n;

	ctx->len += len;
	if (fill) {
		n = min(len, 64 - fill);
		memcpy(ctx->buf + fill, p, n);
		p += n;
		len -= n;
		if (fill + n < 64)
			return;
		sha256_blocks(ctx->h, ctx->buf, 1);
	}
	n = len / 64;
	sha256_blocks(ctx->h, p, n);
	memcpy(ctx->buf, p + 64 * n, len % 64);
}

void bpf64_sha256_final(struct bpf64_sha256 *ctx,
			u8 digest[BPF64_SHA256_SIZE])
{
	static const u8 pad[64] = { 0x80 };
	u64 bits = ctx->len * 8;
	u8 be_bits[8];
	unsigned int i;

	for (i = 0; i < 8; i++)
		be_bits[i] = bits >> (56 - 8 * i);
	/* 0x80, zeros up to 56 bytes into a block, the length in bits */
	bpf64_sha256_update(ctx, pad, 1 + (119 - ctx->len % 64) % 64);
	bpf64_sha256_update(ctx, be_bits, sizeof(be_bits));
	for (i = 0; i < BPF64_SHA256_SIZE; i++)
		digest[i] = ctx->h[i / 4] >> (24 - 8 * (i % 4));
}

void bpf64_sha256(const void *data, size_t len,
		  u8 digest[BPF64_SHA256_SIZE])
{
	struct bpf64_sha256 ctx;

	bpf64_sha256_init(&ctx);
	bpf64_sha256_update(&ctx, data, len);
	bpf64_sha256_final(&ctx, digest);
}
