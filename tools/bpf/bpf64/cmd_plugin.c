// SPDX-License-Identifier: GPL-2.0
/*
 * bpf64 plugin: the public bpf_conformance runner's plugin contract.
 *
 *   bpf64 plugin [MEM] [--jit [--blind]] [--help]
 *
 * MEM (present only when the test has memory, never starting with "--") is
 * the input memory as hex; the program comes on stdin as hex.  r1 points to
 * a private copy of the memory, r2 is its length.  Success prints r0 in hex
 * and exits 0; failure prints the reason on stderr and exits 1.  Programs run
 * in the interpreter's checked mode: no verifier has seen them.  With --jit
 * they run JITed after that checked run (bpf64_run_raw()), and a program
 * the JIT refuses fails with the JIT's reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/jit.h>
#include "bpf64.h"
#include "bpf64/conformance.h"
#include "bpf64/raw.h"

static int plugin_usage(FILE *f)
{
	fprintf(f,
		"usage: bpf64 plugin [MEM] [--jit [--blind]] [--help]\n"
		"  MEM      input memory as hex bytes (\"aa  bb  11  \")\n"
		"  stdin    the program as hex bytes\n"
		"  --jit    run JITed (after a checked run of the interpreter);\n"
		"           fail if the JIT refuses the program\n"
		"  --blind  with --jit: blind the JIT's constants\n"
		"Prints r0 in hex; on failure prints the reason and exits 1.\n");
	return f == stdout ? 0 : 2;
}

int cmd_plugin(int argc, char **argv)
{
	struct bpf64_raw_opts opts = {
		.mode = BPF64_RUN_CHECKED, .ops = &bpf64_conformance_ops,
	};
	struct bpf64_raw_result res;
	const char *mem_hex = NULL;
	u8 *mem = NULL, *code = NULL;
	size_t mem_len = 0, code_len = 0, text_len;
	const struct bpf_insn *insns;
	char err[256], *text;
	int i, ret = 1;
	u32 cnt;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return plugin_usage(stdout);
		if (i == 1 && strncmp(argv[i], "--", 2)) {
			mem_hex = argv[i];
			continue;
		}
		if (!strcmp(argv[i], "--jit")) {
			opts.jit = true;
			continue;
		}
		if (!strcmp(argv[i], "--blind")) {
			opts.jit_flags |= BPF64_JIT_F_BLIND;
			continue;
		}
		if (!strcmp(argv[i], "--elf")) {
			fprintf(stderr, "bpf64 plugin: --elf (ELF input) is not supported yet\n");
			return 1;
		}
		fprintf(stderr, "bpf64 plugin: unknown option '%s'\n", argv[i]);
		return plugin_usage(stderr);
	}
	if (opts.jit_flags && !opts.jit) {
		fprintf(stderr, "bpf64 plugin: --blind needs --jit\n");
		return plugin_usage(stderr);
	}
	if (mem_hex && bpf64_parse_hex(mem_hex, &mem, &mem_len, err, sizeof(err))) {
		fprintf(stderr, "memory: %s\n", err);
		return 1;
	}
	if (read_input("-", &text, &text_len)) {
		fprintf(stderr, "cannot read the program from stdin\n");
		goto out;
	}
	if (bpf64_parse_hex(text, &code, &code_len, err, sizeof(err)) ||
	    bpf64_insns_from_bytes(code, code_len, &insns, &cnt, err, sizeof(err)) ||
	    bpf64_run_raw(insns, cnt, mem, mem_len, &opts, &res, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
	} else {
		printf("0x%llx\n", (unsigned long long)res.r0);
		ret = 0;
	}
	free(text);
out:
	free(code);
	free(mem);
	return ret;
}
