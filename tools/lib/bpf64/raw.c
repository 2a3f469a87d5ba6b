// SPDX-License-Identifier: GPL-2.0
/* Raw programs from outside: hex, instruction arrays, one-shot runs. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/insn.h>
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

int bpf64_run_raw(const struct bpf_insn *insns, u32 cnt, void *mem,
		  u32 mem_len, const struct bpf64_raw_opts *opts,
		  struct bpf64_raw_result *res, char *err, size_t err_size)
{
	struct bpf64_log log = { .buf = err, .size = err_size };
	struct bpf64_run run = { };
	struct bpf64_prog *prog;
	int ret;

	if (err_size)
		err[0] = '\0';
	ret = bpf64_prog_create(&prog, insns, cnt, opts->ops, &log);
	if (ret)
		goto out;
	ret = bpf64_interp_prepare(prog, opts->mode, &log);
	if (ret)
		goto out_free;
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
		bpf64_fault_log(&run.fault, &log);
out_free:
	bpf64_prog_free(prog);
out:
	if (ret && err_size) {
		if (!err[0])
			snprintf(err, err_size, "%s", strerror(-ret));
		first_line(err);
	}
	return ret;
}
