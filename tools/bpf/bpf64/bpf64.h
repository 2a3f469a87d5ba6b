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

/* Does PATH start like an ELF file? */
bool is_elf_file(const char *path);

/*
 * Read all of FILE ("-" for stdin) into a malloc'ed, NUL-terminated buffer.
 * Returns 0 or -errno; prints nothing.
 */
int read_input(const char *path, char **bufp, size_t *lenp);

#endif /* _BPF64_TOOL_H */
