// SPDX-License-Identifier: GPL-2.0
// clang-19 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Itools/lib tools/testing/selftests/bpf/fuzz/fuzz_asm.c tools/lib/bpf64/asm.c kernel/bpf/disasm.c -o build/fuzz/fuzz_asm
/*
 * Arbitrary text into the assembler.  Beyond not crashing: an error names
 * its line, and whatever assembles disassembles again, instruction by
 * instruction, to text that assembles to the very same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf64/asm.h>
#include <linux/bpf64/disasm.h>

static void check_insn(const struct bpf_insn *insns, u32 len, u32 idx,
		       int *slots)
{
	char text[128], err[128];
	struct bpf_insn *again;
	u32 n;

	*slots = bpf64_disasm_insn(insns, len, idx, BPF64_DISASM_ASM, text,
				   sizeof(text));
	if (*slots < 0) {
		fprintf(stderr, "insn %u the assembler made does not decode: %s\n",
			idx, text);
		abort();
	}
	if (bpf64_asm(text, &again, &n, err, sizeof(err))) {
		fprintf(stderr, "insn %u: '%s' does not reassemble: %s\n", idx,
			text, err);
		abort();
	}
	if (n != (u32)*slots || memcmp(again, &insns[idx], n * sizeof(*again))) {
		fprintf(stderr, "insn %u: '%s' reassembles to other bytes\n", idx,
			text);
		abort();
	}
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[128];
	struct bpf_insn *insns;
	u32 len, i;
	int ret, slots;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ret = bpf64_asm(text, &insns, &len, err, sizeof(err));
	free(text);
	if (ret == -EINVAL && strncmp(err, "line ", 5)) {
		fprintf(stderr, "error without a line: '%s'\n", err);
		abort();
	}
	if (ret)
		return 0;
	for (i = 0; i < len; i += slots)
		check_insn(insns, len, i, &slots);
	free(insns);
	return 0;
}
