// SPDX-License-Identifier: GPL-2.0
/*
 * bpf64 run: run a program and print r0.
 *
 *   bpf64 run FILE|- [--asm] [--mem HEX | --mem-file F] [--pkt-file F]
 *                    [--budget N] [--disasm [--kernel]]
 *                    [--jit | --no-jit] [--blind] [--jited]
 *
 * An ELF object as the first argument goes to cmd_obj.c instead.
 *
 * FILE holds raw 8-byte instructions, or assembly when it ends in .s/.asm or
 * with --asm.  The program sees r1 = a copy of the memory, r2 = its length.
 *
 * It runs JITed by default: no verifier has seen it, so the checked
 * interpreter runs it first on its own copy of the memory, and only a run
 * without a fault goes on to native code (bpf64_run_raw()).  Where the JIT
 * refuses the program, it runs interpreted and stderr says why; --jit
 * makes that an error, --no-jit runs the checked interpreter alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/disasm.h>
#include <linux/bpf64/jit.h>
#include "bpf64.h"
#include "bpf64/asm.h"
#include "bpf64/raw.h"

struct run_args {
	const char *path;
	const char *mem_hex;
	const char *mem_file;
	const char *pkt_file;
	unsigned long long budget;
	int is_asm;
	int disasm;
	int kernel_style;
	struct jit_opts jit;
};

static int run_usage(FILE *f)
{
	fprintf(f,
		"usage: bpf64 run FILE|- [options]\n"
		"       bpf64 run OBJ [options]   (an ELF object: bpf64 run OBJ --help)\n"
		"  FILE            raw instructions, or assembly (.s, .asm, --asm)\n"
		"  --asm           FILE is assembly in the conformance syntax\n"
		"  --mem HEX       input memory (r1 = its address, r2 = its length)\n"
		"  --mem-file F    input memory from a file\n"
		"  --pkt-file F    packet for LD_ABS/LD_IND\n"
		"  --budget N      stop after N executed instructions\n"
		"  --disasm        print the program before running it\n"
		"  --kernel        with --disasm: Linux verifier-log syntax\n"
		JIT_OPTS_HELP);
	return f == stdout ? 0 : 2;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int parse_run_args(int argc, char **argv, struct run_args *a)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(opt, "--help") || !strcmp(opt, "-h"))
			return run_usage(stdout), 1;
		if (parse_jit_opt(opt, &a->jit))
			continue;
		if (!strcmp(opt, "--asm"))
			a->is_asm = 1;
		else if (!strcmp(opt, "--disasm"))
			a->disasm = 1;
		else if (!strcmp(opt, "--kernel"))
			a->kernel_style = 1;
		else if (val && !strcmp(opt, "--mem"))
			a->mem_hex = argv[++i];
		else if (val && !strcmp(opt, "--mem-file"))
			a->mem_file = argv[++i];
		else if (val && !strcmp(opt, "--pkt-file"))
			a->pkt_file = argv[++i];
		else if (val && !strcmp(opt, "--budget"))
			a->budget = strtoull(argv[++i], NULL, 0);
		else if (opt[0] != '-' || !strcmp(opt, "-")) {
			if (a->path)
				return fprintf(stderr, "bpf64 run: more than one program given\n"), -1;
			a->path = opt;
		} else {
			fprintf(stderr, "bpf64 run: unknown or incomplete option '%s'\n", opt);
			return -1;
		}
	}
	if (!a->path) {
		fprintf(stderr, "bpf64 run: no program given\n");
		return -1;
	}
	if (ends_with(a->path, ".s") || ends_with(a->path, ".asm"))
		a->is_asm = 1;
	return 0;
}

/* The program's instructions, assembled or as read; malloc'ed. */
static int load_program(const struct run_args *a, struct bpf_insn **insnsp,
			u32 *cntp)
{
	const struct bpf_insn *raw;
	char err[256], *text;
	size_t len;
	int ret;

	ret = read_input(a->path, &text, &len);
	if (ret) {
		fprintf(stderr, "bpf64 run: %s: %s\n", a->path, strerror(-ret));
		return ret;
	}
	if (a->is_asm) {
		ret = bpf64_asm(text, insnsp, cntp, err, sizeof(err));
	} else {
		ret = bpf64_insns_from_bytes((u8 *)text, len, &raw, cntp, err,
					     sizeof(err));
		if (!ret) {
			*insnsp = malloc(len ? len : 1);
			if (*insnsp)
				memcpy(*insnsp, raw, len);
			else
				ret = -ENOMEM, snprintf(err, sizeof(err), "out of memory");
		}
	}
	if (ret)
		fprintf(stderr, "bpf64 run: %s: %s\n", a->path, err);
	free(text);
	return ret;
}

static int load_bytes(const char *hex, const char *file, u8 **bytesp,
		      size_t *lenp)
{
	char err[256];
	int ret;

	*bytesp = NULL;
	*lenp = 0;
	if (file) {
		ret = read_input(file, (char **)bytesp, lenp);
		if (ret)
			fprintf(stderr, "bpf64 run: %s: %s\n", file, strerror(-ret));
		return ret;
	}
	if (hex && bpf64_parse_hex(hex, bytesp, lenp, err, sizeof(err))) {
		fprintf(stderr, "bpf64 run: --mem: %s\n", err);
		return -1;
	}
	return 0;
}

static void print_disasm(const struct bpf_insn *insns, u32 cnt, int kernel)
{
	enum bpf64_disasm_style style = kernel ? BPF64_DISASM_KERNEL :
						 BPF64_DISASM_ASM;
	char line[128];
	u32 i = 0;
	int n;

	while (i < cnt) {
		n = bpf64_disasm_insn(insns, cnt, i, style, line, sizeof(line));
		if (n <= 0)
			break;
		printf("%4u: %s\n", i, line);
		i += n;
	}
}

static int show_jited(const struct bpf_insn *insns, u32 cnt, u32 flags)
{
	char err[256];
	u32 len;
	u8 *code;
	int ret;

	ret = bpf64_raw_jit_code(insns, cnt, NULL, flags, &code, &len, err,
				 sizeof(err));
	if (ret) {
		fprintf(stderr, "bpf64 run: --jited: %s\n", err);
		return ret;
	}
	ret = print_native_code(code, len);
	free(code);
	return ret;
}

/* Run as --jit/--no-jit say; a refusal of the JIT falls back by default. */
static int run_with_jit(const struct run_args *a, const struct bpf_insn *insns,
			u32 cnt, u8 *mem, size_t mem_len,
			struct bpf64_raw_opts *opts, struct bpf64_raw_result *res)
{
	char err[256];
	int ret;

	opts->jit = a->jit.mode != JIT_OFF;
	opts->jit_flags = a->jit.blind ? BPF64_JIT_F_BLIND : 0;
	ret = bpf64_run_raw(insns, cnt, mem, mem_len, opts, res, err,
			    sizeof(err));
	if (ret && res->jit_refused && a->jit.mode == JIT_DEFAULT) {
		fprintf(stderr, "bpf64 run: not JITed (%s): interpreted\n", err);
		opts->jit = false;
		ret = bpf64_run_raw(insns, cnt, mem, mem_len, opts, res, err,
				    sizeof(err));
	}
	if (ret)
		fprintf(stderr, "bpf64 run: %s\n", err);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = { };
	struct bpf64_raw_opts opts = { .mode = BPF64_RUN_CHECKED };
	struct bpf64_raw_result res;
	struct bpf_insn *insns = NULL;
	u8 *mem = NULL, *pkt = NULL;
	size_t mem_len, pkt_len;
	int ret = 1;
	u32 cnt;

	if (argc > 1 && argv[1][0] != '-' && is_elf_file(argv[1]))
		return cmd_run_object(argc, argv);
	ret = parse_run_args(argc, argv, &a);
	if (ret)
		return ret > 0 ? 0 : 2;
	ret = 1;
	if (load_program(&a, &insns, &cnt) ||
	    load_bytes(a.mem_hex, a.mem_file, &mem, &mem_len) ||
	    load_bytes(NULL, a.pkt_file, &pkt, &pkt_len))
		goto out;
	if (a.disasm)
		print_disasm(insns, cnt, a.kernel_style);
	if (a.jit.show &&
	    show_jited(insns, cnt, a.jit.blind ? BPF64_JIT_F_BLIND : 0))
		goto out;
	opts.budget = a.budget;
	opts.pkt = pkt;
	opts.pkt_len = pkt_len;
	if (run_with_jit(&a, insns, cnt, mem, mem_len, &opts, &res))
		goto out;
	printf("r0 = 0x%llx (%lld)\n", (unsigned long long)res.r0,
	       (long long)res.r0);
	printf("executed %llu instructions%s\n",
	       (unsigned long long)res.executed,
	       res.jited ? " (checked interpreter), then ran JITed" : "");
	ret = 0;
out:
	free(insns);
	free(mem);
	free(pkt);
	return ret;
}
