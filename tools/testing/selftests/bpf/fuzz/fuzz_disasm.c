// SPDX-License-Identifier: GPL-2.0
// clang-19 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Itools/lib tools/testing/selftests/bpf/fuzz/fuzz_disasm.c tools/lib/bpf64/asm.c kernel/bpf/disasm.c -o build/fuzz/fuzz_disasm
/*
 * Arbitrary bytes into the disassembler, in both styles and with buffers
 * short and long.  Beyond not crashing or reading past the program: both
 * styles decode the same instructions, the text is always terminated, and
 * what decodes in assembly reassembles to the very same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf64/asm.h>
#include <linux/bpf64/disasm.h>

static void decode(const uint8_t *raw, struct bpf_insn *insn)
{
	insn->code = raw[0];
	insn->dst_reg = raw[1] & 0xf;
	insn->src_reg = raw[1] >> 4;
	insn->off = (s16)(raw[2] | raw[3] << 8);
	insn->imm = (s32)((u32)raw[4] | (u32)raw[5] << 8 | (u32)raw[6] << 16 |
			  (u32)raw[7] << 24);
}

static void reassemble(const struct bpf_insn *insn, int slots,
		       const char *text)
{
	struct bpf_insn *again;
	char err[128];
	u32 n;

	if (bpf64_asm(text, &again, &n, err, sizeof(err))) {
		fprintf(stderr, "'%s' does not reassemble: %s\n", text, err);
		abort();
	}
	if (n != (u32)slots || memcmp(again, insn, n * sizeof(*insn))) {
		fprintf(stderr, "'%s' reassembles to other bytes\n", text);
		abort();
	}
	free(again);
}

static void check(const struct bpf_insn *insns, u32 len, u32 idx,
		  size_t short_size)
{
	char text[128], ktext[128], tiny[16];
	int n, k, t;

	n = bpf64_disasm_insn(insns, len, idx, BPF64_DISASM_ASM, text,
			      sizeof(text));
	k = bpf64_disasm_insn(insns, len, idx, BPF64_DISASM_KERNEL, ktext,
			      sizeof(ktext));
	t = bpf64_disasm_insn(insns, len, idx, BPF64_DISASM_KERNEL, tiny,
			      short_size);
	if ((n < 0) != (k < 0) || (n > 0 && n != k) || t != k ||
	    strlen(text) >= sizeof(text) || strlen(ktext) >= sizeof(ktext) ||
	    (short_size && strlen(tiny) >= short_size)) {
		fprintf(stderr, "insn %u: asm %d '%s', kernel %d '%s', short %d\n",
			idx, n, text, k, ktext, t);
		abort();
	}
	if (n > 0)
		reassemble(&insns[idx], n, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpf_insn *insns;
	size_t short_size;
	u32 len = size / 8, i;

	if (!len)
		return 0;
	/* exactly len, so that a read past the end is caught */
	insns = malloc(len * sizeof(*insns));
	if (!insns)
		return 0;
	for (i = 0; i < len; i++)
		decode(data + 8 * i, &insns[i]);
	short_size = size % 8 ? data[size - 1] % 16 : 0;
	for (i = 0; i < len; i++)
		check(insns, len, i, short_size);
	free(insns);
	return 0;
}
