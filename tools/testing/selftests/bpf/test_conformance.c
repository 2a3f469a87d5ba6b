// SPDX-License-Identifier: GPL-2.0
/*
 * The ISA conformance vectors (the .data files of shared/conformance/tests),
 * run these ways:
 *
 *  - through `bpf64 plugin`, exactly as the public runner drives a plugin
 *    (memory as the first argument, hex program on stdin, r0 in hex on
 *    stdout): the interpreter's checked mode;
 *  - through `bpf64 plugin --jit` the same way: JITed;
 *  - through `bpf64 plugin --jit --blind`: JITed with blinded constants;
 *  - in process, in the trusted mode, so the unchecked loop is held to the
 *    same vectors (callx, which only the checked mode runs, must be refused).
 *
 * usage: test_conformance [--bpf64 PATH] [--dir DIR] [FILTER]
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf64/asm.h"
#include "bpf64/conformance.h"
#include "bpf64/raw.h"
#include "test_util.h"

struct vector {
	char name[256];
	char *asm_text;		/* -- asm */
	char *mem_hex;		/* -- mem, as written */
	char *result;		/* -- result */
	char *error;		/* -- error */
};

static char *append(char *s, const char *line)
{
	size_t n = s ? strlen(s) : 0, m = strlen(line);
	char *r = realloc(s, n + m + 1);

	if (!r) {
		perror("realloc");
		exit(2);
	}
	memcpy(r + n, line, m + 1);
	return r;
}

static int parse_vector(const char *path, struct vector *v)
{
	char line[4096], **section = NULL;
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "-- ", 3)) {
			section = !strncmp(line, "-- asm", 6) ? &v->asm_text :
				  !strncmp(line, "-- mem", 6) ? &v->mem_hex :
				  !strncmp(line, "-- result", 9) ? &v->result :
				  !strncmp(line, "-- error", 8) ? &v->error : NULL;
			continue;
		}
		if (section)
			*section = append(*section, line);
	}
	fclose(f);
	return v->asm_text && (v->result || v->error) ? 0 : -EINVAL;
}

static void free_vector(struct vector *v)
{
	free(v->asm_text);
	free(v->mem_hex);
	free(v->result);
	free(v->error);
}

/* "aa  bb  11  ": two lowercase digits and two spaces a byte, as the runner. */
static char *runner_hex(const u8 *bytes, size_t len)
{
	char *s = malloc(len * 4 + 1);
	size_t i;

	for (i = 0; s && i < len; i++)
		sprintf(s + i * 4, "%02x  ", bytes[i]);
	if (s)
		s[len * 4] = '\0';
	return s;
}

/* The plugin's option sets: the interpreter, the JIT, the blinded JIT. */
enum plugin_mode { PLUGIN_INTERP, PLUGIN_JIT, PLUGIN_BLIND, NR_PLUGIN_MODES };

static const char *const mode_name[] = { "plugin", "plugin --jit",
					 "plugin --jit --blind" };

/* Run the plugin: program on its stdin, its stdout/stderr into out. */
static int run_plugin(const char *bpf64, enum plugin_mode mode,
		      const char *mem_arg, const char *prog_hex, char *out,
		      size_t out_size)
{
	char *argv[6] = { (char *)bpf64, "plugin" };
	int argc = 2;
	int in[2], res[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(in) || pipe(res))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		dup2(in[0], 0);
		dup2(res[1], 1);
		dup2(res[1], 2);
		close(in[1]);
		close(res[0]);
		if (mem_arg)
			argv[argc++] = (char *)mem_arg;
		if (mode != PLUGIN_INTERP)
			argv[argc++] = "--jit";
		if (mode == PLUGIN_BLIND)
			argv[argc++] = "--blind";
		execv(bpf64, argv);
		_exit(127);
	}
	close(in[0]);
	close(res[1]);
	if (write(in[1], prog_hex, strlen(prog_hex)) < 0 || write(in[1], "\n", 1) < 0)
		perror("write");
	close(in[1]);
	while (n + 1 < out_size && (r = read(res[0], out + n, out_size - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	close(res[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The JIT refuses callx, which only the checked interpreter runs. */
static bool has_callx(const struct bpf_insn *insns, u32 cnt)
{
	u32 i;

	for (i = 0; i < cnt; i++)
		if (insns[i].code == (BPF_JMP | BPF_CALL | BPF_X))
			return true;
	return false;
}

static void check_plugin(const char *bpf64, enum plugin_mode mode,
			 const struct vector *v, const struct bpf_insn *insns,
			 u32 cnt, const char *mem_arg, u64 want)
{
	char out[1024], *prog_hex = runner_hex((const u8 *)insns, cnt * 8ul);
	int code = run_plugin(bpf64, mode, mem_arg, prog_hex, out, sizeof(out));
	unsigned long long got = strtoull(out, NULL, 16);
	const char *name = mode_name[mode];

	if (mode != PLUGIN_INTERP && has_callx(insns, cnt)) {
		TU_CHECK(code == 1 && !strncmp(out, "JIT: ", 5) &&
			 strstr(out, "callx"), "%s %s (callx refused)", name,
			 v->name);
	} else if (v->error) {
		TU_CHECK(code != 0 && strstr(out, v->error), "%s %s (error)",
			 name, v->name);
		if (code == 0 || !strstr(out, v->error))
			tu_diag("expected error '%s', got exit %d: %s", v->error, code, out);
	} else {
		TU_CHECK(code == 0 && got == want, "%s %s", name, v->name);
		if (code != 0 || got != want)
			tu_diag("expected 0x%llx, got exit %d: %s",
				(unsigned long long)want, code, out);
	}
	free(prog_hex);
}

static void check_trusted(const struct vector *v, const struct bpf_insn *insns,
			  u32 cnt, const u8 *mem, size_t mem_len, u64 want)
{
	struct bpf64_raw_opts opts = {
		.mode = BPF64_RUN_TRUSTED, .ops = &bpf64_conformance_ops,
	};
	struct bpf64_raw_result res = { };
	u8 *copy = mem_len ? malloc(mem_len) : NULL;
	bool is_callx = has_callx(insns, cnt);
	char err[256];
	int ret;

	if (copy)
		memcpy(copy, mem, mem_len);
	ret = bpf64_run_raw(insns, cnt, copy, mem_len, &opts, &res, err, sizeof(err));
	if (is_callx) {
		TU_CHECK(ret == -EINVAL && strstr(err, "callx runs only in checked mode"),
			 "trusted %s (callx refused)", v->name);
	} else if (v->error) {
		TU_CHECK(ret != 0, "trusted %s (error)", v->name);
	} else {
		TU_CHECK(!ret && res.r0 == want, "trusted %s", v->name);
		if (ret || res.r0 != want)
			tu_diag("expected 0x%llx, got %d 0x%llx %s",
				(unsigned long long)want, ret,
				(unsigned long long)res.r0, err);
	}
	free(copy);
}

static void run_vector(const char *bpf64, const char *dir, const char *file)
{
	enum plugin_mode mode;
	struct vector v = { };
	char path[4096], err[256], *mem_arg = NULL;
	struct bpf_insn *insns = NULL;
	u8 *mem = NULL;
	size_t mem_len = 0;
	u64 want = 0;
	u32 cnt;

	snprintf(v.name, sizeof(v.name), "%.*s", (int)(strlen(file) - 5), file);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (parse_vector(path, &v)) {
		TU_CHECK(0, "parse %s", v.name);
		goto out;
	}
	if (bpf64_asm(v.asm_text, &insns, &cnt, err, sizeof(err))) {
		TU_CHECK(0, "assemble %s", v.name);
		tu_diag("%s", err);
		goto out;
	}
	if (v.mem_hex && bpf64_parse_hex(v.mem_hex, &mem, &mem_len, err, sizeof(err))) {
		TU_CHECK(0, "memory of %s", v.name);
		tu_diag("%s", err);
		goto out;
	}
	if (v.result)
		want = strtoull(v.result, NULL, 16);
	if (v.error)
		v.error[strcspn(v.error, "\r\n")] = '\0';
	mem_arg = mem_len ? runner_hex(mem, mem_len) : NULL;
	for (mode = PLUGIN_INTERP; mode < NR_PLUGIN_MODES; mode++)
		check_plugin(bpf64, mode, &v, insns, cnt, mem_arg, want);
	check_trusted(&v, insns, cnt, mem, mem_len, want);
out:
	free(mem_arg);
	free(mem);
	free(insns);
	free_vector(&v);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_data(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && !strcmp(d->d_name + n - 5, ".data");
}

int main(int argc, char **argv)
{
	const char *bpf64 = "build/bpf64", *dir = "../shared/conformance/tests";
	const char *filter = NULL;
	struct dirent **list;
	int i, n, ran = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--bpf64") && i + 1 < argc)
			bpf64 = argv[++i];
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else
			filter = argv[i];
	}
	n = scandir(dir, &list, is_data, by_name);
	if (n <= 0) {
		TU_CHECK(0, "conformance vectors in %s", dir);
		tu_diag("no .data files found: %s", n < 0 ? strerror(errno) : "empty");
		return tu_exit();
	}
	for (i = 0; i < n; i++) {
		if (!filter || strstr(list[i]->d_name, filter)) {
			run_vector(bpf64, dir, list[i]->d_name);
			ran++;
		}
		free(list[i]);
	}
	free(list);
	if (!filter)
		TU_CHECK(ran == 313, "all 313 vectors ran (%d)", ran);
	return tu_exit();
}
