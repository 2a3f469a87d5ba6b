// SPDX-License-Identifier: GPL-2.0
/* bpf64 asm: conformance-suite assembly to raw little-endian instructions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf64/asm.h>
#include "bpf64.h"

static int usage(FILE *f)
{
	fprintf(f,
		"usage: bpf64 asm FILE|-\n"
		"\n"
		"Assemble FILE (\"-\" for standard input), written in the\n"
		"bpf_conformance suite's syntax, and write the instructions to\n"
		"standard output: 8 bytes each, little-endian, LD_IMM64 as two.\n"
		"Errors go to standard error with their line number.\n");
	return f == stderr ? 2 : 0;
}

/* The wire format, whatever the host's byte order. */
static void encode_insn(const struct bpf_insn *insn, unsigned char out[8])
{
	__u16 off = (__u16)insn->off;
	__u32 imm = (__u32)insn->imm;

	out[0] = insn->code;
	out[1] = insn->src_reg << 4 | insn->dst_reg;
	out[2] = off & 0xff;
	out[3] = off >> 8;
	out[4] = imm & 0xff;
	out[5] = imm >> 8 & 0xff;
	out[6] = imm >> 16 & 0xff;
	out[7] = imm >> 24;
}

static int write_insns(const struct bpf_insn *insns, __u32 len)
{
	unsigned char raw[8];
	__u32 i;

	for (i = 0; i < len; i++) {
		encode_insn(&insns[i], raw);
		if (fwrite(raw, sizeof(raw), 1, stdout) != 1)
			break;
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "bpf64 asm: writing output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

int cmd_asm(int argc, char **argv)
{
	struct bpf_insn *insns;
	const char *path;
	char err[256], *text;
	size_t size;
	__u32 len;
	int ret;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return usage(stdout);
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1]))
		return usage(stderr);
	path = argv[1];
	ret = read_input(path, &text, &size);
	if (ret) {
		fprintf(stderr, "bpf64 asm: %s: %s\n", path, strerror(-ret));
		return 1;
	}
	if (strlen(text) != size) {
		fprintf(stderr, "bpf64 asm: %s: not text (NUL byte at offset %zu)\n",
			path, strlen(text));
		free(text);
		return 1;
	}
	ret = bpf64_asm(text, &insns, &len, err, sizeof(err));
	free(text);
	if (ret) {
		fprintf(stderr, "bpf64 asm: %s: %s\n", path, err);
		return 1;
	}
	ret = write_insns(insns, len);
	free(insns);
	return ret;
}
