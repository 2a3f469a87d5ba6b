// SPDX-License-Identifier: GPL-2.0
/* bpf64: assemble, disassemble and run eBPF programs in the hosted home. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf64.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "asm",    cmd_asm,    "assemble conformance-syntax text to raw instructions" },
	{ "disasm", cmd_disasm, "print raw instructions as text, or the JIT's native code (--jited)" },
	{ "run",    cmd_run,    "run an ELF object's program (test run), or raw instructions or assembly; JITed by default" },
	{ "verify", cmd_verify, "load an ELF object's maps and programs and print the log" },
	{ "plugin", cmd_plugin, "the bpf_conformance runner's plugin contract" },
};

static int usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: bpf64 COMMAND [ARGS...]   (bpf64 COMMAND --help)\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	return f == stderr ? 2 : 0;
}

int read_input(const char *path, char **bufp, size_t *lenp)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t len = 0, cap = 4096, n;
	char *buf, *nbuf;
	int err = 0;

	if (!f)
		return -errno;
	buf = malloc(cap + 1);
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			nbuf = realloc(buf, cap + 1);
			if (!nbuf)
				free(buf);
			buf = nbuf;
		}
	}
	if (!buf)
		err = -ENOMEM;
	else if (ferror(f))
		err = -EIO;
	if (f != stdin)
		fclose(f);
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help"))
		return usage(stdout);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "bpf64: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
