// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 (kernel/bpf/sha256.c), which names programs (their tag): the
 * FIPS 180-4 example messages, and streaming in every split equal to
 * hashing at once, with the core's C rounds and with the home's SHA
 * instructions (bpf64_sha256_blocks_arch; skipped where the CPU has none),
 * and both giving the same digests for random messages and splits.
 * test_syscall compares whole tags with Linux's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/sha256.h>

#include "test_util.h"

static void hex(const u8 *d, char *out)
{
	for (int i = 0; i < BPF64_SHA256_SIZE; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check_vector(const char *path, const char *name, const void *msg,
			 size_t len, const char *want)
{
	u8 d[BPF64_SHA256_SIZE];
	char got[2 * BPF64_SHA256_SIZE + 1];

	bpf64_sha256(msg, len, d);
	hex(d, got);
	TU_CHECK(!strcmp(got, want), "%s: %s: %s", path, name, got);
}

static void check_vectors(const char *path)
{
	char *million = malloc(1000000);

	check_vector(path, "\"\"", "", 0,
		     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_vector(path, "\"abc\"", "abc", 3,
		     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_vector(path, "448 bits",
		     "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		     56,
		     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check_vector(path, "896 bits",
		     "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		     "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		     112,
		     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	TU_CHECK(million, "%s: a million bytes to hash", path);
	if (million) {
		memset(million, 'a', 1000000);
		check_vector(path, "a million a", million, 1000000,
			     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
		free(million);
	}
}

/* Every split of a 200-byte message into three updates. */
static void check_streaming(const char *path)
{
	u8 msg[200], whole[BPF64_SHA256_SIZE], part[BPF64_SHA256_SIZE];
	struct bpf64_sha256 ctx;
	unsigned int bad = 0, n = 0;

	for (unsigned int i = 0; i < sizeof(msg); i++)
		msg[i] = i * 7 + 3;
	for (size_t len = 0; len <= sizeof(msg); len += 13) {
		bpf64_sha256(msg, len, whole);
		for (size_t a = 0; a <= len; a++) {
			for (size_t b = a; b <= len; b += 5) {
				bpf64_sha256_init(&ctx);
				bpf64_sha256_update(&ctx, msg, a);
				bpf64_sha256_update(&ctx, msg + a, b - a);
				bpf64_sha256_update(&ctx, msg + b, len - b);
				bpf64_sha256_final(&ctx, part);
				bad += !!memcmp(whole, part, sizeof(whole));
				n++;
			}
		}
	}
	TU_CHECK(!bad,
		 "%s: streaming: %u splits equal hashing at once (%u differ)",
		 path, n, bad);
}

static u64 rng_state = 0x9e3779b97f4a7c15ull;	/* fixed: runs repeat */

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* @msg hashed in three updates split at @a and @b. */
static void hash_split(const u8 *msg, size_t len, size_t a, size_t b,
		       u8 d[BPF64_SHA256_SIZE])
{
	struct bpf64_sha256 ctx;

	bpf64_sha256_init(&ctx);
	bpf64_sha256_update(&ctx, msg, a);
	bpf64_sha256_update(&ctx, msg + a, b - a);
	bpf64_sha256_update(&ctx, msg + b, len - b);
	bpf64_sha256_final(&ctx, d);
}

/*
 * Random messages of 0 to 4096 bytes, hashed at once with the C rounds and
 * in three updates split at random with the SHA instructions: the same.
 */
static void check_arch_equals_generic(void)
{
	u8 msg[4096], want[BPF64_SHA256_SIZE], got[BPF64_SHA256_SIZE];
	unsigned int n, bad = 0;

	for (n = 0; n < 3000; n++) {
		size_t len = rng() % (sizeof(msg) + 1), a, b, i;

		for (i = 0; i < len; i++)
			msg[i] = rng();
		a = rng() % (len + 1);
		b = a + rng() % (len - a + 1);
		bpf64_sha256_force_generic(true);
		bpf64_sha256(msg, len, want);
		bpf64_sha256_force_generic(false);
		hash_split(msg, len, a, b, got);
		if (memcmp(want, got, sizeof(want)) && bad++ < 3)
			tu_diag("differs: %zu bytes split at %zu, %zu",
				len, a, b);
	}
	TU_CHECK(!bad,
		 "arch: %u random messages and splits as generic (%u differ)",
		 n, bad);
}

/* Does the home take whole blocks itself (when not forced not to)? */
static bool arch_blocks(void)
{
	u32 st[8] = { 0 };
	u8 block[64] = { 0 };

	return bpf64_sha256_blocks_arch(st, block, 1);
}

int main(void)
{
	bool have_arch = arch_blocks();

	bpf64_sha256_force_generic(true);
	TU_CHECK(!arch_blocks(), "generic: forced, the home takes no blocks");
	check_vectors("generic");
	check_streaming("generic");
	bpf64_sha256_force_generic(false);
	if (!have_arch) {
		tu_skip("arch: # SKIP the home has no SHA instructions here");
		return tu_exit();
	}
	check_vectors("arch");
	check_streaming("arch");
	check_arch_equals_generic();
	return tu_exit();
}
