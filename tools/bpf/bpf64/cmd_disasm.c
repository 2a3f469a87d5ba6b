// SPDX-License-Identifier: GPL-2.0
/*
 * bpf64 disasm: raw little-endian instructions to one line of text each;
 * with --jited, the native code the JIT makes of them or of an ELF
 * object's program.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/disasm.h>
#include <linux/bpf64/jit.h>
#include "bpf64.h"
#include "bpf64/raw.h"

static int usage(FILE *f)
{
	fprintf(f,
		"usage: bpf64 disasm [--kernel] [--no-index] FILE|-\n"
		"       bpf64 disasm --jited [--blind] [--section NAME] FILE|OBJ\n"
		"\n"
		"Print the raw instructions in FILE (\"-\" for standard input;\n"
		"8 bytes each, little-endian) one per line after their index:\n"
		"\n"
		"  (default)  the bpf_conformance suite's assembly, which\n"
		"             'bpf64 asm' reads back\n"
		"  --kernel   Linux's verifier-log syntax, with the opcode,\n"
		"             as bpftool prints it: \"   0: (b7) r0 = 1\"\n"
		"  --no-index the text alone, e.g. to pipe to 'bpf64 asm -'\n"
		"\n"
		"An instruction that does not decode is reported by index on\n"
		"standard error, and the exit status is 1.\n"
		"\n"
		"  --jited    the x86-64 code bpf64's JIT makes of FILE, or of the\n"
		"             program of an ELF object OBJ as loaded (verified,\n"
		"             context rewritten), through objdump or llvm-mc-19;\n"
		"             the exit status is 1 with the reason if the JIT\n"
		"             refuses the program\n"
		"  --blind    with --jited: constants blinded\n"
		"  --section NAME  with OBJ: this section's program\n");
	return f == stderr ? 2 : 0;
}

static void decode_insn(const unsigned char *raw, struct bpf_insn *insn)
{
	insn->code = raw[0];
	insn->dst_reg = raw[1] & 0xf;
	insn->src_reg = raw[1] >> 4;
	insn->off = (__s16)(raw[2] | raw[3] << 8);
	insn->imm = (__s32)((__u32)raw[4] | (__u32)raw[5] << 8 |
			    (__u32)raw[6] << 16 | (__u32)raw[7] << 24);
}

static int print_insns(const struct bpf_insn *insns, __u32 len,
		       enum bpf64_disasm_style style, bool index)
{
	char text[256];
	__u32 i;
	int n;

	for (i = 0; i < len; i += n) {
		n = bpf64_disasm_insn(insns, len, i, style, text, sizeof(text));
		if (n < 0) {
			fflush(stdout);
			fprintf(stderr, "bpf64 disasm: insn %u: %s\n", i, text);
			return 1;
		}
		if (index)
			printf("%4u: ", i);
		if (style == BPF64_DISASM_KERNEL)
			printf("(%02x) %s\n", insns[i].code, text);
		else
			printf("%s\n", text);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "bpf64 disasm: writing output: %s\n",
			strerror(errno));
		return 1;
	}
	return 0;
}

/* --jited on raw instructions: no program type, so no helpers. */
static int raw_jited(const struct bpf_insn *insns, __u32 len, bool blind)
{
	char err[256];
	__u8 *code;
	__u32 size;
	int ret;

	ret = bpf64_raw_jit_code(insns, len, NULL,
				 blind ? BPF64_JIT_F_BLIND : 0, &code, &size,
				 err, sizeof(err));
	if (ret) {
		fprintf(stderr, "bpf64 disasm: %s\n", err);
		return 1;
	}
	ret = print_native_code(code, size);
	free(code);
	return !!ret;
}

int cmd_disasm(int argc, char **argv)
{
	struct jit_opts jit = { };
	const char *section = NULL;
	enum bpf64_disasm_style style = BPF64_DISASM_ASM;
	struct bpf_insn *insns;
	const char *path = NULL;
	bool index = true;
	char *raw;
	size_t size, i;
	int ret, a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h"))
			return usage(stdout);
		if (parse_jit_opt(argv[a], &jit) && jit.mode == JIT_DEFAULT)
			continue;
		if (!strcmp(argv[a], "--section") && a + 1 < argc)
			section = argv[++a];
		else if (!strcmp(argv[a], "--kernel"))
			style = BPF64_DISASM_KERNEL;
		else if (!strcmp(argv[a], "--no-index"))
			index = false;
		else if (!path && (argv[a][0] != '-' || !argv[a][1]))
			path = argv[a];
		else
			return usage(stderr);
	}
	if (!path || (!jit.show && (jit.blind || section)))
		return usage(stderr);
	if (jit.show && is_elf_file(path))
		return disasm_object_jited(path, section, &jit);
	ret = read_input(path, &raw, &size);
	if (ret) {
		fprintf(stderr, "bpf64 disasm: %s: %s\n", path, strerror(-ret));
		return 1;
	}
	if (size % 8 || size / 8 > 0xffffffffu) {
		fprintf(stderr, "bpf64 disasm: %s: %zu bytes is not a whole number of 8-byte instructions\n",
			path, size);
		free(raw);
		return 1;
	}
	insns = calloc(size / 8 ? size / 8 : 1, sizeof(*insns));
	if (!insns) {
		fprintf(stderr, "bpf64 disasm: %s\n", strerror(ENOMEM));
		free(raw);
		return 1;
	}
	for (i = 0; i < size / 8; i++)
		decode_insn((unsigned char *)raw + 8 * i, &insns[i]);
	free(raw);
	ret = jit.show ? raw_jited(insns, size / 8, jit.blind) :
			 print_insns(insns, size / 8, style, index);
	free(insns);
	return ret;
}
