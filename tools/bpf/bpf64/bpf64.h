/* SPDX-License-Identifier: GPL-2.0 */
/* The bpf64 command: one function per subcommand, one file per subcommand. */
#ifndef _BPF64_TOOL_H
#define _BPF64_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>

int cmd_asm(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_plugin(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_run_object(int argc, char **argv);	/* cmd_obj.c */
int cmd_verify(int argc, char **argv);

/*
 * How programs run: JITed where the JIT takes them (the default), JITed
 * or an error (--jit), interpreted (--no-jit); --blind hardens the JIT's
 * constants; --jited prints the native code.
 */
enum jit_mode { JIT_DEFAULT, JIT_FORCE, JIT_OFF };

struct jit_opts {
	enum jit_mode mode;
	bool blind;
	bool show;
};

/* Take OPT if it is one of the options above: true when taken. */
bool parse_jit_opt(const char *opt, struct jit_opts *j);

/* The text for --help. */
#define JIT_OPTS_HELP \
	"  --jit           run JITed, or fail with the JIT's reason\n" \
	"  --no-jit        run in the interpreter\n" \
	"                  (default: JITed where the JIT takes the program,\n" \
	"                  else interpreted with a note on stderr)\n" \
	"  --blind         blind the JIT's constants (as bpf_jit_harden=2)\n" \
	"  --jited         print the native code (objdump or llvm-mc-19)\n"

/* Disassemble x86-64 code to stdout; 0 or -errno, the reason printed. */
int print_native_code(const __u8 *code, __u32 len);

/* bpf64 disasm --jited OBJ: the native code of OBJ's program. */
int disasm_object_jited(const char *path, const char *section,
			const struct jit_opts *j);

/* Does PATH start like an ELF file? */
bool is_elf_file(const char *path);

/*
 * Read all of FILE ("-" for stdin) into a malloc'ed, NUL-terminated buffer.
 * Returns 0 or -errno; prints nothing.
 */
int read_input(const char *path, char **bufp, size_t *lenp);

#endif /* _BPF64_TOOL_H */
