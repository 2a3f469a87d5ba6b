// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 (kernel/bpf/sha256.c), which names programs (their tag): the
 * FIPS 180-4 example messages, and streaming in every split equal to
 * hashing at once.  test_syscall compares whole tags with Linux's.
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

static void check_vector(const char *name, const void *msg, size_t len,
			 const char *want)
{
	u8 d[BPF64_SHA256_SIZE];
	char got[2 * BPF64_SHA256_SIZE + 1];

	bpf64_sha256(msg, len, d);
	hex(d, got);
	TU_CHECK(!strcmp(got, want), "%s: %s", name, got);
}

/* Every split of a 200-byte message into three updates. */
static void check_streaming(void)
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
	TU_CHECK(!bad, "streaming: %u splits equal hashing at once (%u differ)",
		 n, bad);
}

int main(void)
{
	char *million = malloc(1000000);

	check_vector("\"\"", "", 0,
		     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_vector("\"abc\"", "abc", 3,
		     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_vector("448 bits",
		     "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		     56,
		     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	if (million) {
		memset(million, 'a', 1000000);
		check_vector("a million a", million, 1000000,
			     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
		free(million);
	}
	check_streaming();
	return tu_exit();
}
