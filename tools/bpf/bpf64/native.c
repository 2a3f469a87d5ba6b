// SPDX-License-Identifier: GPL-2.0
/*
 * Native code as text: the JIT's image goes through a temporary file to
 * binutils' objdump (raw binary input, x86-64), or failing that to LLVM's
 * llvm-mc-19 as hex bytes (it has no offsets but disassembles the same).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf64.h"

bool parse_jit_opt(const char *opt, struct jit_opts *j)
{
	if (!strcmp(opt, "--jit"))
		j->mode = JIT_FORCE;
	else if (!strcmp(opt, "--no-jit"))
		j->mode = JIT_OFF;
	else if (!strcmp(opt, "--blind"))
		j->blind = true;
	else if (!strcmp(opt, "--jited"))
		j->show = true;
	else
		return false;
	return true;
}

/* Run @argv with stdin from @in (or inherited); 127: not installed. */
static int run_tool(char *const argv[], const char *in)
{
	int status, fd;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (in) {
			fd = open(in, O_RDONLY);
			if (fd < 0 || dup2(fd, 0) < 0)
				_exit(126);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int write_temp(char *path, const void *buf, size_t len)
{
	int fd = mkstemp(path);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* "0x55 0x48 ..." for llvm-mc --disassemble. */
static char *hex_text(const __u8 *code, __u32 len)
{
	char *s = malloc(len * 5 + 2);
	__u32 i;

	for (i = 0; s && i < len; i++)
		sprintf(s + i * 5, "0x%02x ", code[i]);
	if (s)
		strcpy(s + len * 5, "\n");
	return s;
}

int print_native_code(const __u8 *code, __u32 len)
{
	char bin[] = "/tmp/bpf64-jited.XXXXXX", txt[] = "/tmp/bpf64-jited.XXXXXX";
	char *objdump[] = { "objdump", "-D", "-b", "binary", "-mi386:x86-64",
			    bin, NULL };
	char *mc[] = { "llvm-mc-19", "--disassemble", "-triple=x86_64",
		       "-show-encoding", NULL };
	char *hex = hex_text(code, len);
	int ret = -ENOMEM;

	if (!hex)
		return ret;
	ret = write_temp(bin, code, len);
	if (!ret) {
		ret = run_tool(objdump, NULL);
		unlink(bin);
	}
	if (ret == 127 && !(ret = write_temp(txt, hex, strlen(hex)))) {
		ret = run_tool(mc, txt);
		unlink(txt);
	}
	free(hex);
	if (ret == 127)
		fprintf(stderr, "bpf64: no disassembler for native code: install binutils (objdump) or llvm-19 (llvm-mc-19)\n");
	else if (ret)
		fprintf(stderr, "bpf64: disassembling native code failed (%d)\n",
			ret);
	return ret ? -ENOENT : 0;
}
