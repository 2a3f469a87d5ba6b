// SPDX-License-Identifier: GPL-2.0
/* Raw programs from outside: hex, instruction arrays, one-shot runs. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/insn.h>
#include <linux/bpf64/jit.h>
#include "bpf64/raw.h"

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int bpf64_parse_hex(const char *text, u8 **bytesp, size_t *lenp,
		    char *err, size_t err_size)
{
	size_t n = strlen(text), len = 0, i;
	u8 *bytes = malloc(n / 2 + 1);
	int hi, lo;

	if (!bytes)
		return -ENOMEM;
	for (i = 0; i < n; ) {
		if (isspace((unsigned char)text[i])) {
			i++;
			continue;
		}
		if (text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
			i += 2;
			continue;
		}
		hi = hex_value((unsigned char)text[i]);
		lo = hi < 0 ? -1 : hex_value((unsigned char)text[i + 1]);
		if (hi < 0 || lo < 0) {
			if (hi >= 0 && (!text[i + 1] || isspace((unsigned char)text[i + 1])))
				snprintf(err, err_size, "odd number of hex digits at offset %zu", i);
			else
				snprintf(err, err_size, "invalid hex character '%c' at offset %zu",
					 hi < 0 ? text[i] : text[i + 1],
					 hi < 0 ? i : i + 1);
			free(bytes);
			return -EINVAL;
		}
		bytes[len++] = hi << 4 | lo;
		i += 2;
	}
	if (!len) {
		free(bytes);
		bytes = NULL;
	}
	*bytesp = bytes;
	*lenp = len;
	return 0;
}

int bpf64_insns_from_bytes(const u8 *bytes, size_t len,
			   const struct bpf_insn **insnsp, u32 *cntp,
			   char *err, size_t err_size)
{
	if (len % sizeof(struct bpf_insn)) {
		snprintf(err, err_size,
			 "truncated program: %zu bytes is not a whole number of 8-byte instructions",
			 len);
		return -EINVAL;
	}
	if (len / sizeof(struct bpf_insn) > BPF64_MAX_INSNS) {
		snprintf(err, err_size,
			 "program of %zu insns is larger than the limit of %u",
			 len / sizeof(struct bpf_insn), BPF64_MAX_INSNS);
		return -E2BIG;
	}
	*insnsp = (const struct bpf_insn *)bytes;
	*cntp = len / sizeof(struct bpf_insn);
	return 0;
}

/* The log keeps the first line only: that is the reason. */
static void first_line(char *s)
{
	char *nl = strchr(s, '\n');

	if (nl)
		*nl = '\0';
}

/* The interpreter, in @opts->mode (@mode overrides it when checking). */
static int interp_raw(struct bpf64_prog *prog, enum bpf64_run_mode mode,
		      void *mem, u32 mem_len, const struct bpf64_raw_opts *opts,
		      struct bpf64_raw_result *res, struct bpf64_log *log)
{
	struct bpf64_run run = { };
	int ret;

	ret = bpf64_interp_prepare(prog, mode, log);
	if (ret)
		return ret;
	run.args[0] = (unsigned long)mem;
	run.args[1] = mem_len;
	if (mem && mem_len) {
		run.regions[0] = (struct bpf64_region) {
			.start = (unsigned long)mem, .size = mem_len,
			.writable = true,
		};
		run.nr_regions = 1;
	}
	run.budget = opts->budget;
	run.pkt = opts->pkt;
	run.pkt_len = opts->pkt_len;
	ret = bpf64_interp_run(prog, &run, &res->r0);
	res->executed = run.executed;
	if (ret)
		bpf64_fault_log(&run.fault, log);
	return ret;
}

/* Compile; the JIT's reason goes to @log after "JIT: ". */
static int jit_compile_raw(const struct bpf64_prog *prog, u32 flags,
			   struct bpf64_log *log, struct bpf64_jit_image **imgp)
{
	char why[256] = "";
	struct bpf64_log jlog = { .buf = why, .size = sizeof(why) };
	int ret;

	ret = bpf64_jit_compile(prog, flags, &jlog, imgp);
	if (ret) {
		first_line(why);
		bpf64_log(log, "JIT: %s", why[0] ? why : strerror(-ret));
	}
	return ret;
}

/* The checked interpreter on a copy of @mem, then native code on @mem. */
static int jit_raw(struct bpf64_prog *prog, void *mem, u32 mem_len,
		   const struct bpf64_raw_opts *opts,
		   struct bpf64_raw_result *res, struct bpf64_log *log)
{
	struct bpf64_jit_image *img = NULL;
	struct bpf64_run run = {
		.args = { (unsigned long)mem, mem_len },
		.pkt = opts->pkt, .pkt_len = opts->pkt_len,
	};
	u8 *copy = NULL;
	u64 r0;
	int ret;

	ret = jit_compile_raw(prog, opts->jit_flags, log, &img);
	res->jit_refused = ret && ret != -ENOMEM;
	if (ret)
		return ret;
	copy = mem_len ? malloc(mem_len) : NULL;
	if (mem_len && !copy) {
		ret = -ENOMEM;
		goto out;
	}
	if (mem_len)
		memcpy(copy, mem, mem_len);
	ret = interp_raw(prog, BPF64_RUN_CHECKED, copy, mem_len, opts, res,
			 log);
	if (ret)
		goto out;
	r0 = bpf64_jit_run(img, &run);
	res->jited = true;
	if (r0 != res->r0 || (mem_len && memcmp(copy, mem, mem_len))) {
		bpf64_log(log, "JIT and interpreter disagree: r0 0x%llx and 0x%llx%s",
			  (unsigned long long)r0, (unsigned long long)res->r0,
			  r0 == res->r0 ? ", memory differs" : "");
		ret = -EPROTO;
	}
	res->r0 = r0;
out:
	free(copy);
	bpf64_jit_image_free(img);
	return ret;
}

int bpf64_run_raw(const struct bpf_insn *insns, u32 cnt, void *mem,
		  u32 mem_len, const struct bpf64_raw_opts *opts,
		  struct bpf64_raw_result *res, char *err, size_t err_size)
{
	struct bpf64_log log = { .buf = err, .size = err_size };
	struct bpf64_prog *prog;
	int ret;

	if (err_size)
		err[0] = '\0';
	res->jited = false;
	res->jit_refused = false;
	ret = bpf64_prog_create(&prog, insns, cnt, opts->ops, &log);
	if (ret)
		goto out;
	if (opts->jit)
		ret = jit_raw(prog, mem, mem_len, opts, res, &log);
	else
		ret = interp_raw(prog, opts->mode, mem, mem_len, opts, res,
				 &log);
	bpf64_prog_free(prog);
out:
	if (ret && err_size) {
		if (!err[0])
			snprintf(err, err_size, "%s", strerror(-ret));
		first_line(err);
	}
	return ret;
}

int bpf64_raw_jit_code(const struct bpf_insn *insns, u32 cnt,
		       const struct bpf64_prog_ops *ops, u32 jit_flags,
		       u8 **codep, u32 *lenp, char *err, size_t err_size)
{
	struct bpf64_log log = { .buf = err, .size = err_size };
	struct bpf64_jit_image *img = NULL;
	struct bpf64_prog *prog = NULL;
	const u8 *code;
	int ret;

	if (err_size)
		err[0] = '\0';
	ret = bpf64_prog_create(&prog, insns, cnt, ops, &log);
	if (!ret)
		ret = jit_compile_raw(prog, jit_flags, &log, &img);
	if (!ret) {
		code = bpf64_jit_code(img, lenp);
		*codep = malloc(*lenp ? *lenp : 1);
		if (*codep)
			memcpy(*codep, code, *lenp);
		else
			ret = -ENOMEM;
	}
	bpf64_jit_image_free(img);
	bpf64_prog_free(prog);
	if (ret && err_size && !err[0])
		snprintf(err, err_size, "%s", strerror(-ret));
	return ret;
}
