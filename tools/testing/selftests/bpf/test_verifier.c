// SPDX-License-Identifier: GPL-2.0
/*
 * The verifier corpus: raw-instruction programs, each with the verdict,
 * errno and log words that Linux gives.  Every case is loaded into a
 * backend with log_level 1; accepted cases with an expected retval are
 * also run with BPF_PROG_TEST_RUN.  The running kernel is the oracle, so
 * its results define the table; bpf64 must give the same, refusing at
 * the same instruction, except where a case records why it differs.
 * Then seeded random programs (verifier/random.h) go through both.
 *
 *	test_verifier [-v|-l] [-b linux|bpf64] [name-substring|random]
 *
 * -v prints the end of the log of each failing case, -l of every case.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_util.h"
#include "insn_build.h"
#include "verifier/macros.h"
#include "verifier/fill.h"
#include "verifier/unpriv_run.h"
#include "verifier/random.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define LOG_SIZE	(16u << 20)
#define FILL_MAX	(1u << 20)

static const struct vcase cases[] = {
#include "verifier/structure.h"
#include "verifier/registers.h"
#include "verifier/alu.h"
#include "verifier/bounds.h"
#include "verifier/stack.h"
#include "verifier/map_value.h"
#include "verifier/ctx.h"
#include "verifier/packet.h"
#include "verifier/loops.h"
#include "verifier/helpers.h"
#include "verifier/refs.h"
#include "verifier/subprog.h"
#include "verifier/tail_call.h"
#include "verifier/unpriv.h"
};

static char *log_buf;
static struct bpf_insn *fill_buf;
static bool verbose, log_all;
/* per case: the instruction Linux refused it at (-2: not run) */
static int linux_where[ARRAY_SIZE(cases)];

/*
 * A case's length: the explicit one, or up to its last non-zero slot
 * (the second half of a map fd LD_IMM64 is all zero, but never last).
 */
static __u32 case_len(const struct vcase *c)
{
	static const struct bpf_insn zero;
	__u32 n = VMAX_INSNS;

	if (c->len)
		return c->len;
	while (n && !memcmp(&c->insns[n - 1], &zero, sizeof(zero)))
		n--;
	return n;
}

static int create_maps(const struct bpf64_backend *be, const struct vcase *c,
		       int *fds)
{
	for (int i = 0; i < VMAX_MAPS; i++) {
		const struct vmap *m = &c->maps[i];

		fds[i] = -1;
		if (!m->type)
			continue;
		fds[i] = bpf64_map_create(be, m->type, "vmap", m->key_size,
					  m->value_size, m->max_entries,
					  m->flags);
		if (fds[i] < 0)
			return fds[i];
	}
	return 0;
}

static void close_maps(const struct bpf64_backend *be, int *fds)
{
	for (int i = 0; i < VMAX_MAPS; i++)
		if (fds[i] >= 0)
			be->close(fds[i]);
}

/* LD_IMM64 map references carry the index of a map of the case. */
static void patch_maps(struct bpf_insn *insns, __u32 len, const int *fds)
{
	for (__u32 i = 0; i < len; i++) {
		struct bpf_insn *in = &insns[i];

		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if ((in->src_reg == BPF_PSEUDO_MAP_FD ||
		     in->src_reg == BPF_PSEUDO_MAP_VALUE) &&
		    in->imm >= 0 && in->imm < VMAX_MAPS && fds[in->imm] >= 0)
			in->imm = fds[in->imm];
		i++;
	}
}

static const char *verdict_name(int result)
{
	return result == ACCEPT ? "accept" : "reject";
}

/* Run an accepted program once on a small packet and check r0. */
static bool check_retval(const struct bpf64_backend *be, const struct vcase *c,
			 int prog, char *why, size_t why_size)
{
	unsigned char pkt[64], out[256];
	struct bpf64_test_opts t = {
		.data_out = out, .data_size_out = sizeof(out), .repeat = 1,
	};
	int err;

	for (unsigned int i = 0; i < sizeof(pkt); i++)
		pkt[i] = i;
	/* A syscall program takes no packet, data_out nor repeat. */
	if (c->prog_type == BPF_PROG_TYPE_SYSCALL) {
		t.data_out = NULL;
		t.data_size_out = 0;
		t.repeat = 0;
	} else {
		t.data_in = pkt;
		t.data_size_in = sizeof(pkt);
	}
	err = bpf64_prog_test_run(be, prog, &t);
	if (err) {
		snprintf(why, why_size, "test run failed: %d", err);
		return false;
	}
	if (t.retval != c->retval) {
		snprintf(why, why_size, "retval %u, expected %u", t.retval,
			 c->retval);
		return false;
	}
	return true;
}

static bool check_load(const struct vcase *c, int fd, char *why,
		       size_t why_size)
{
	if (c->result == ACCEPT && fd < 0) {
		snprintf(why, why_size, "rejected (%d), expected accept", fd);
		return false;
	}
	if (c->result == REJECT && fd >= 0) {
		snprintf(why, why_size, "accepted, expected reject -%d",
			 c->err);
		return false;
	}
	if (c->result == REJECT && fd != -c->err) {
		snprintf(why, why_size, "errno %d, expected -%d", fd, c->err);
		return false;
	}
	if (c->result == REJECT && c->msg && !strstr(log_buf, c->msg)) {
		snprintf(why, why_size, "log lacks \"%s\"", c->msg);
		return false;
	}
	return true;
}

/*
 * The verdict to expect from @be: the case's, or where bpf64 deliberately
 * differs, bpf64's refusal (filled into @differs).
 */
static const struct vcase *expected(const struct bpf64_backend *be,
				    const struct vcase *c,
				    struct vcase *differs)
{
	if (be != &bpf64_backend_hosted || !c->bpf64_differs)
		return c;
	differs->bpf64_differs = c->bpf64_differs;
	differs->result = REJECT;
	differs->err = c->bpf64_err;
	differs->msg = c->bpf64_msg;
	return differs;
}

/*
 * The instruction a refusal is about: the last "N: (code) ..." line of the
 * level-1 log, which prints the path up to the error, or bpf64's "insn N:"
 * of a refusal before the walk.  -1: none.
 */
static int failing_insn(void)
{
	int last = -1, n, len;
	char code;

	for (const char *l = log_buf; *l; ) {
		if ((sscanf(l, "%d: (%c%n", &n, &code, &len) == 2 && len > 3) ||
		    sscanf(l, "insn %d:", &n) == 1)
			last = n;
		l = strchr(l, '\n');
		if (!l)
			break;
		l++;
	}
	return last;
}

/*
 * Linux's refusals name an instruction (its path ends there) and their
 * message names the register, what was expected and what was found: the
 * message fragments check the latter, this the former.  @where is the
 * instruction Linux refused at (-2: not known).
 */
static bool check_where(const struct vcase *c, int *where, bool is_linux,
			char *why, size_t why_size)
{
	int at = failing_insn();

	if (c->result != REJECT || c->bpf64_differs)
		return true;
	if (is_linux) {
		*where = at;
		return true;
	}
	/* (after the walk, Linux's log names none: the stack depth) */
	if (*where < 0 || *where == at)
		return true;
	snprintf(why, why_size, "refused at insn %d, Linux at %d", at, *where);
	return false;
}

static void print_log_tail(void)
{
	size_t n = strlen(log_buf);
	const char *p = n > 1500 ? log_buf + n - 1500 : log_buf;

	for (const char *l = p; *l; ) {
		const char *e = strchr(l, '\n');
		int w = e ? (int)(e - l) : (int)strlen(l);

		printf("#   %.*s\n", w, l);
		l += w + (e ? 1 : 0);
	}
}

static void run_case(const struct bpf64_backend *be, const struct vcase *c)
{
	struct bpf64_load_opts opts = {
		.prog_type = c->prog_type ?: BPF_PROG_TYPE_SOCKET_FILTER,
		.expected_attach_type = c->attach_type,
		.name = "vcase",
		.license = c->license,
		.prog_flags = c->prog_flags,
		.log_buf = log_buf,
		.log_size = LOG_SIZE,
		.log_level = 1,
	};
	struct bpf_insn *insns = fill_buf;
	struct vcase differs = { };
	int fds[VMAX_MAPS], fd;
	char why[160] = "";
	bool ok;
	__u32 len;

	if (c->fill) {
		len = c->fill(insns, FILL_MAX);
	} else {
		len = case_len(c);
		memcpy(insns, c->insns, len * sizeof(*insns));
	}
	log_buf[0] = '\0';
	if (c->log_level)
		opts.log_level = c->log_level;
	fd = create_maps(be, c, fds);
	if (fd < 0) {
		tu_result(0, "%s: %s: map creation failed (%d)", be->name,
			  c->name, fd);
		close_maps(be, fds);
		return;
	}
	patch_maps(insns, len, fds);
	fd = bpf64_prog_load(be, insns, len, &opts);
	ok = check_load(expected(be, c, &differs), fd, why, sizeof(why)) &&
	     check_where(c, &linux_where[c - cases],
			 be == &bpf64_backend_linux, why, sizeof(why));
	if (ok && fd >= 0 && c->run)
		ok = check_retval(be, c, fd, why, sizeof(why));
	tu_result(ok, "%s: %s (%s)", be->name, c->name,
		  verdict_name(c->result));
	if (differs.bpf64_differs)
		tu_diag("bpf64 differs: %s", differs.bpf64_differs);
	if (!ok) {
		tu_diag("%s", why);
		if (verbose)
			print_log_tail();
	}
	if (log_all)
		print_log_tail();
	if (fd >= 0)
		be->close(fd);
	close_maps(be, fds);
}

static void run_backend(const struct bpf64_backend *be, const char *filter)
{
	bool unpriv_ok = unpriv_setup(be, cases, ARRAY_SIZE(cases), filter);

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (filter && !strstr(cases[i].name, filter))
			continue;
		if (cases[i].unpriv)
			unpriv_run(be, &cases[i], unpriv_ok, run_case);
		else
			run_case(be, &cases[i]);
	}
	unpriv_restore();
}

int main(int argc, char **argv)
{
	const char *only = NULL, *filter = NULL;
	char why[128];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "-l"))
			log_all = true;
		else if (!strcmp(argv[i], "-b") && i + 1 < argc)
			only = argv[++i];
		else
			filter = argv[i];
	}
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		linux_where[i] = -2;
	log_buf = malloc(LOG_SIZE);
	fill_buf = calloc(FILL_MAX, sizeof(*fill_buf));
	if (!log_buf || !fill_buf)
		return 1;
	if (!only || !strcmp(only, "linux")) {
		if (bpf64_linux_available(why, sizeof(why)))
			run_backend(&bpf64_backend_linux, filter);
		else
			tu_skip("# SKIP linux: %s", why);
	}
	if (!only || !strcmp(only, "bpf64"))
		run_backend(&bpf64_backend_hosted, filter);
	if (!only && (!filter || strstr("random", filter)))
		test_random(4000, bpf64_linux_available(why, sizeof(why)));
	tu_diag("%zu cases", ARRAY_SIZE(cases));
	free(fill_buf);
	free(log_buf);
	return tu_exit();
}
