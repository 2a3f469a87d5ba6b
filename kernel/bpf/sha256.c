// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 (FIPS 180-4), for program tags: Linux names a program by the
 * first 8 bytes of the SHA-256 of its instructions (SHA-1 before 6.18), and
 * tools compare tags across kernels.
 */
#include <linux/bpf64/sha256.h>

static const u32 sha256_k[64] = {
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

static u32 sha_ror32(u32 x, unsigned int n)
{
	return x >> n | x << (32 - n);
}

static void sha256_block(u32 h[8], const u8 *p)
{
	u32 w[64], s[8], t1, t2;
	unsigned int i;

	for (i = 0; i < 16; i++)
		w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 |
		       (u32)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = w[i - 16] + w[i - 7] +
		       (sha_ror32(w[i - 15], 7) ^ sha_ror32(w[i - 15], 18) ^ w[i - 15] >> 3) +
		       (sha_ror32(w[i - 2], 17) ^ sha_ror32(w[i - 2], 19) ^ w[i - 2] >> 10);
	memcpy(s, h, sizeof(s));
	for (i = 0; i < 64; i++) {
		t1 = s[7] + (sha_ror32(s[4], 6) ^ sha_ror32(s[4], 11) ^ sha_ror32(s[4], 25)) +
		     ((s[4] & s[5]) ^ (~s[4] & s[6])) + sha256_k[i] + w[i];
		t2 = (sha_ror32(s[0], 2) ^ sha_ror32(s[0], 13) ^ sha_ror32(s[0], 22)) +
		     ((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));
		memmove(&s[1], &s[0], 7 * sizeof(u32));
		s[4] += t1;
		s[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += s[i];
}

void bpf64_sha256(const void *data, size_t len,
		  u8 digest[BPF64_SHA256_SIZE])
{
	u32 h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const u8 *p = data;
	u8 last[128] = { };
	size_t tail = len % 64, nlast, i;
	u64 bits = (u64)len * 8;

	for (i = 0; i + 64 <= len; i += 64)
		sha256_block(h, p + i);
	/* The tail, 0x80, zeros, and the length in bits: one or two blocks. */
	memcpy(last, p + len - tail, tail);
	last[tail] = 0x80;
	nlast = tail < 56 ? 64 : 128;
	for (i = 0; i < 8; i++)
		last[nlast - 1 - i] = bits >> (8 * i);
	for (i = 0; i < nlast; i += 64)
		sha256_block(h, last + i);
	for (i = 0; i < BPF64_SHA256_SIZE; i++)
		digest[i] = h[i / 4] >> (24 - 8 * (i % 4));
}
