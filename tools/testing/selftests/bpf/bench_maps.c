// SPDX-License-Identifier: GPL-2.0
/*
 * The map benchmark: nanoseconds per lookup and per update of a hash map
 * and an array map, in bpf64 and in the running kernel, in the same run.
 * Not a test: it prints a table and asserts nothing about time.
 *
 *	bench_maps [--samples N]
 *
 * Two paths:
 *  - bpf(): BPF_MAP_LOOKUP_ELEM / BPF_MAP_UPDATE_ELEM from userspace, one
 *    call per operation (in bpf64 a function call, in Linux a system call);
 *  - a program: a loop of LOOPS helper calls, loaded as a socket filter
 *    and run with BPF_PROG_TEST_RUN and repeat, so the figure includes the
 *    loop's few instructions around each call.  Both verify the program,
 *    JIT it (where enabled) and inline array lookups.
 *
 * Each map has 4-byte keys and 8-byte values and holds KEYS keys; the
 * operations cycle through them.  Each figure is the best of --samples.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpf64/backend.h"
#include "insn_build.h"

#define KEYS		1024	/* a power of two: programs mask the counter */
#define LOOPS		1000	/* helper calls per program run */
#define CALLS		100000	/* bpf() calls per sample */
#define REPEAT		200	/* program runs per sample */
#define DEFAULT_SAMPLES	7
#define PKT_SIZE	64

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

enum op { OP_LOOKUP, OP_UPDATE };

static const struct bench_case {
	const char *name;
	__u32 map_type;
	enum op op;
} cases[] = {
	{ "hash lookup", BPF_MAP_TYPE_HASH, OP_LOOKUP },
	{ "hash update", BPF_MAP_TYPE_HASH, OP_UPDATE },
	{ "array lookup", BPF_MAP_TYPE_ARRAY, OP_LOOKUP },
	{ "array update", BPF_MAP_TYPE_ARRAY, OP_UPDATE },
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* A map of KEYS elements, all present. */
static int make_map(const struct bpf64_backend *be, __u32 type)
{
	__u64 value = 1;
	__u32 key;
	int fd, err;

	fd = bpf64_map_create(be, type, "bench", 4, 8, KEYS, 0);
	if (fd < 0)
		return fd;
	for (key = 0; key < KEYS; key++) {
		err = bpf64_map_update(be, fd, &key, &value, BPF_ANY);
		if (err) {
			be->close(fd);
			return err;
		}
	}
	return fd;
}

/* ns per bpf() call, best of @samples; negative: an errno. */
static double bench_syscall(const struct bpf64_backend *be, int fd,
			    enum op op, int samples)
{
	double best = 0, t;
	__u64 value = 2;
	__u32 key;
	int s, i, err = 0;

	for (s = 0; s < samples; s++) {
		t = now_ns();
		for (i = 0; i < CALLS && !err; i++) {
			key = i & (KEYS - 1);
			err = op == OP_LOOKUP ?
			      bpf64_map_lookup(be, fd, &key, &value, 0) :
			      bpf64_map_update(be, fd, &key, &value, BPF_ANY);
		}
		if (err)
			return err;
		t = (now_ns() - t) / CALLS;
		if (!s || t < best)
			best = t;
	}
	return best;
}

/*
 *	r9 = LOOPS
 * loop: *(u32 *)(fp - 4) = r9 & (KEYS - 1)
 *	lookup: r0 = map_lookup_elem(map, fp - 4); if r0: r8 += *(u64 *)r0
 *	update: *(u64 *)(fp - 16) = r9; map_update_elem(map, fp - 4, fp - 16, 0)
 *	r9 -= 1; if r9 != 0 goto loop
 *	r0 = r8; exit
 */
static int load_loop(const struct bpf64_backend *be, int map, enum op op,
		     char *log, __u32 log_size)
{
	struct bpf_insn head[] = {
		BPF64_MOV64_IMM(BPF_REG_8, 0),
		BPF64_MOV64_IMM(BPF_REG_9, LOOPS),
		BPF64_MOV64_REG(BPF_REG_1, BPF_REG_9),
		BPF64_ALU64_IMM(BPF_AND, BPF_REG_1, KEYS - 1),
		BPF64_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_1, -4),
		BPF64_LD_MAP_FD(BPF_REG_1, map),
		BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
	};
	struct bpf_insn lookup[] = {
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_8, BPF_REG_1),
	};
	struct bpf_insn update[] = {
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_9, -16),
		BPF64_MOV64_REG(BPF_REG_3, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_3, -16),
		BPF64_MOV64_IMM(BPF_REG_4, BPF_ANY),
		BPF64_CALL_HELPER(BPF_FUNC_map_update_elem),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_8, BPF_REG_0),
	};
	struct bpf_insn tail[] = {
		BPF64_ALU64_IMM(BPF_SUB, BPF_REG_9, 1),
		BPF64_JMP_IMM(BPF_JNE, BPF_REG_9, 0, 0),	/* set below */
		BPF64_MOV64_REG(BPF_REG_0, BPF_REG_8),
		BPF64_EXIT_INSN(),
	};
	struct bpf64_load_opts opts = {
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
		.name = "bench_maps",
		.log_buf = log,
		.log_size = log_size,
	};
	struct bpf_insn insns[64];
	const struct bpf_insn *body = op == OP_LOOKUP ? lookup : update;
	unsigned int body_len = op == OP_LOOKUP ? ARRAY_SIZE(lookup) :
						   ARRAY_SIZE(update);
	unsigned int n = 0, loop = 2;

	memcpy(insns, head, sizeof(head));
	n += ARRAY_SIZE(head);
	memcpy(insns + n, body, body_len * sizeof(*body));
	n += body_len;
	memcpy(insns + n, tail, sizeof(tail));
	insns[n + 1].off = (int)loop - (int)(n + 1) - 1;
	n += ARRAY_SIZE(tail);
	return bpf64_prog_load(be, insns, n, &opts);
}

/* ns per helper call, best of @samples; negative: an errno. */
static double bench_prog(const struct bpf64_backend *be, int fd, enum op op,
			 int samples, char *why, size_t why_size)
{
	static char log[1 << 16];
	unsigned char pkt[PKT_SIZE] = { };
	struct bpf64_test_opts run;
	double best = 0, t;
	int prog, s, err = 0;

	prog = load_loop(be, fd, op, NULL, 0);
	if (prog < 0) {
		/* Once more with a log, for its last line. */
		char *end, *p;

		load_loop(be, fd, op, log, sizeof(log));
		end = log + strlen(log);
		while (end > log && end[-1] == '\n')
			*--end = 0;
		p = strrchr(log, '\n');
		snprintf(why, why_size, "load (%d): %s", prog, p ? p + 1 : log);
		return prog;
	}
	for (s = 0; s < samples && !err; s++) {
		memset(&run, 0, sizeof(run));
		run.data_in = pkt;
		run.data_size_in = sizeof(pkt);
		run.repeat = REPEAT;
		err = bpf64_prog_test_run(be, prog, &run);
		t = (double)run.duration / LOOPS;
		if (!s || t < best)
			best = t;
	}
	be->close(prog);
	if (err)
		snprintf(why, why_size, "test run: %s", strerror(-err));
	return err ? err : best;
}

struct row {
	double ns[2];		/* bpf64, linux; < 0: failed */
	char why[2][160];
};

static void print_row(const char *path, const char *name,
		      const struct row *r, bool linux_ok)
{
	char b[32] = "-", l[32] = "-", ratio[32] = "-";

	if (r->ns[0] >= 0)
		snprintf(b, sizeof(b), "%.1f", r->ns[0]);
	if (linux_ok && r->ns[1] > 0)
		snprintf(l, sizeof(l), "%.1f", r->ns[1]);
	if (r->ns[0] >= 0 && linux_ok && r->ns[1] > 0)
		snprintf(ratio, sizeof(ratio), "%.2fx", r->ns[0] / r->ns[1]);
	printf("%-8s %-14s %10s %10s %8s", path, name, b, l, ratio);
	if (r->ns[0] < 0)
		printf("  bpf64 %s", r->why[0]);
	if (linux_ok && r->ns[1] < 0)
		printf("  linux %s", r->why[1]);
	printf("\n");
}

static int parse_args(int argc, char **argv, int *samples)
{
	if (argc == 1)
		return 0;
	if (argc != 3 || strcmp(argv[1], "--samples"))
		return -EINVAL;
	*samples = atoi(argv[2]);
	return *samples > 0 && *samples <= 1000 ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	const struct bpf64_backend *backends[2] = {
		&bpf64_backend_hosted, &bpf64_backend_linux,
	};
	struct row rows[2][ARRAY_SIZE(cases)];
	int samples = DEFAULT_SAMPLES, status = 0;
	unsigned int c, b;
	char why[128];
	bool linux_ok;
	int fd;

	if (parse_args(argc, argv, &samples)) {
		fprintf(stderr, "usage: %s [--samples N]\n", argv[0]);
		return 2;
	}
	linux_ok = bpf64_linux_available(why, sizeof(why));
	printf("map operations, ns each: bpf64 against Linux (%s); best of %d samples\n",
	       linux_ok ? "bpf() in this run" : "skipped", samples);
	printf("syscall: one bpf() call per operation, %d calls per sample\n",
	       CALLS);
	printf("program: a loop of %d helper calls, %d runs per sample (verified, JITed where enabled)\n",
	       LOOPS, REPEAT);
	printf("%d keys of 4 bytes, 8-byte values, each operation on the next key\n",
	       KEYS);
	if (!linux_ok)
		printf("Linux columns skipped: %s\n", why);
	printf("\n%-8s %-14s %10s %10s %8s\n", "path", "operation", "bpf64",
	       "Linux", "ratio");

	memset(rows, 0, sizeof(rows));
	for (b = 0; b < 2; b++) {
		const struct bpf64_backend *be = backends[b];

		if (b == 1 && !linux_ok)
			break;
		for (c = 0; c < ARRAY_SIZE(cases); c++) {
			struct row *sys = &rows[0][c], *prog = &rows[1][c];

			fd = make_map(be, cases[c].map_type);
			if (fd < 0) {
				sys->ns[b] = prog->ns[b] = fd;
				snprintf(sys->why[b], sizeof(sys->why[b]),
					 "map: %s", strerror(-fd));
				memcpy(prog->why[b], sys->why[b], sizeof(sys->why[b]));
				continue;
			}
			sys->ns[b] = bench_syscall(be, fd, cases[c].op, samples);
			if (sys->ns[b] < 0)
				snprintf(sys->why[b], sizeof(sys->why[b]), "%s",
					 strerror((int)-sys->ns[b]));
			prog->ns[b] = bench_prog(be, fd, cases[c].op, samples,
						 prog->why[b],
						 sizeof(prog->why[b]));
			be->close(fd);
		}
	}
	for (c = 0; c < ARRAY_SIZE(cases); c++)
		print_row("syscall", cases[c].name, &rows[0][c], linux_ok);
	for (c = 0; c < ARRAY_SIZE(cases); c++)
		print_row("program", cases[c].name, &rows[1][c], linux_ok);
	for (b = 0; b < 2; b++)
		for (c = 0; c < ARRAY_SIZE(cases); c++)
			if (rows[b][c].ns[0] < 0 ||
			    (linux_ok && rows[b][c].ns[1] < 0))
				status = 1;
	return status;
}
