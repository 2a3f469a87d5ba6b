// SPDX-License-Identifier: GPL-2.0
/*
 * The JIT benchmark: programs written in C (progs/bench/, see bench.h),
 * each run four ways on the same 1514-byte packet:
 *
 *   bpf64 JIT     the object loaded into bpf64 (verified, JITed), run by
 *                 BPF_PROG_TEST_RUN with repeat: the duration field
 *   Linux JIT     the same object through the running kernel's bpf(),
 *                 BPF_PROG_TEST_RUN with repeat: the duration field
 *   native        the same C compiled by clang -O2 for the host, called
 *                 in a loop of as many runs and timed around it
 *   interpreter   bpf64 with its JIT off, for reference
 *
 * Each figure is the best of --samples samples, taken in turns (a sample
 * of each way, then the next); a sample is as many runs as take about
 * --sample-us on bpf64's JIT (the interpreter does a tenth of them).
 * Samples are short and many: Linux's test-run timer leaves out the time
 * the task was rescheduled, and bpf64's reads the thread's CPU time, but
 * on a busy machine a long sample is still rarely a clean one.  All four must return the same
 * value, or the table says so and the exit status is 1.  Also measured:
 * the JIT's compile time per 1000 instructions (best of 2000 compiles),
 * and the size of both JITs' code.
 * Not a test: nothing is asserted about time.
 *
 *	bench_jit [--dir DIR] [--samples N] [--sample-us N] [FILTER]
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/bpf64/jit.h>
#include <linux/bpf64/prog.h>
#include <linux/bpf64/syscall.h>
#include "bpf64/backend.h"
#include "bpf64/elf.h"

#ifndef BENCH_PROGS_DIR
#define BENCH_PROGS_DIR	"build/progs/bench"
#endif

#define PKT_LEN		1514
#define FRAMES		16	/* as flow.c */
#define FRAME_LEN	64
#define LOG_SIZE	(1U << 20)
#define COMPILE_REPEAT	2000

typedef __u32 (*native_fn)(__u8 *data, __u8 *end);

/* name, what it is; the native function is bench_native_<name>. */
#define BENCH_PROGS(X)							\
	X(loop,     "counted loop, 64-bit ALU (xorshift)")		\
	X(fnv,      "FNV-1a hash, 1024 bytes")				\
	X(jhash,    "jhash2 (lookup3), 255 words")			\
	X(csum,     "Internet checksum, 1024 bytes")			\
	X(crc32,    "CRC-32 bit by bit, 512 bytes")			\
	X(flow,     "flow dissector, 64 frames")			\
	X(div,      "32/64-bit div and mod, 255 rounds")		\
	X(calls,    "bpf-to-bpf calls, 256x2 nested")			\
	X(copy,     "memory copies via the stack, 1 KB")		\
	X(dispatch, "switch dispatch, 512 opcodes")			\
	X(sort,     "sorting network, 8 x 16 words")			\
	X(fsm,      "table-driven state machine, 1 KB")

#define DECLARE(name, what) __u32 bench_native_##name(__u8 *data, __u8 *end);
BENCH_PROGS(DECLARE)

static const struct bench {
	const char *name, *what;
	native_fn native;
} benches[] = {
#define ENTRY(name, what) { #name, what, bench_native_##name },
	BENCH_PROGS(ENTRY)
};

struct options {
	const char *dir;
	const char *filter;
	int samples;
	int sample_us;
};

/* What one program measured; 0 ns: not measured (see why). */
struct result {
	double jit_ns, linux_ns, native_ns, interp_ns;
	__u32 jit_r0, linux_r0, native_r0, interp_r0;
	__u32 insns;		/* bpf64's, after load-time rewriting */
	__u32 jit_bytes, linux_bytes;
	double compile_us;	/* per 1000 instructions */
	char why[160];
};

static __u8 packet[PKT_LEN] __attribute__((aligned(8)));

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static __u64 rng_state = 0x9e3779b97f4a7c15ULL;

static __u32 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state >> 32;
}

static void put16(__u8 *p, __u16 v)	/* network order */
{
	p[0] = v >> 8;
	p[1] = v;
}

/*
 * The packet: random bytes, except the first 1 KB holds 16 frames of
 * headers for flow.c: IPv4/TCP, IPv4/UDP with options, VLAN-tagged IPv4,
 * IPv6/TCP, a later IPv4 fragment, ARP (each kind more than once).
 */
static void build_packet(void)
{
	__u8 *f, *l3;
	int i, kind;

	for (i = 0; i < PKT_LEN; i++)
		packet[i] = rng();
	for (i = 0; i < FRAMES; i++) {
		f = packet + i * FRAME_LEN;
		kind = i % 6;
		l3 = f + 14;
		put16(f + 12, kind == 2 ? 0x8100 : kind == 3 ? 0x86dd :
			      kind == 5 ? 0x0806 : 0x0800);
		if (kind == 2) {
			put16(f + 16, 0x0800);
			l3 += 4;
		}
		if (kind == 3) {
			l3[0] = 0x60;
			l3[6] = 6;
			continue;
		}
		l3[0] = kind == 1 ? 0x46 : 0x45;
		l3[9] = kind == 1 ? 17 : 6;
		put16(l3 + 6, kind == 4 ? 0x00b9 : 0x4000);
	}
}

/* The log's last line, where the verdict is. */
static const char *last_line(char *log)
{
	size_t n = strlen(log);
	char *p;

	while (n && log[n - 1] == '\n')
		log[--n] = '\0';
	p = strrchr(log, '\n');
	return p ? p + 1 : log;
}

/* ---- the four ways ---- */

static int load(const struct options *o, const struct bench *b,
		const struct bpf64_backend *be, struct bpf64_object **objp,
		char *log, struct result *res)
{
	char path[4096];
	int err;

	snprintf(path, sizeof(path), "%s/%s.o", o->dir, b->name);
	*objp = bpf64_object_open_file(path, log, LOG_SIZE);
	if (!*objp) {
		snprintf(res->why, sizeof(res->why), "%.40s: %.100s", b->name, log);
		return -EINVAL;
	}
	err = bpf64_object_load(*objp, be, log, LOG_SIZE);
	if (err) {
		snprintf(res->why, sizeof(res->why), "%s refused %s: %.80s",
			 be->name, b->name, last_line(log));
		return err;
	}
	return bpf64_object_program(*objp, 0)->fd;
}

/* One BPF_PROG_TEST_RUN of @repeat runs: *ns becomes the best so far. */
static int time_test_run(const struct bpf64_backend *be, int fd, __u32 repeat,
			 double *ns, __u32 *r0)
{
	struct bpf64_test_opts t = {
		.data_in = packet, .data_size_in = PKT_LEN, .repeat = repeat,
	};
	int err;

	err = bpf64_prog_test_run(be, fd, &t);
	if (err)
		return err;
	if (!*ns || t.duration < *ns)
		*ns = t.duration;
	*r0 = t.retval;
	return 0;
}

/*
 * The native function, timed as a test run is: @repeat calls in a loop.
 * It is called through a pointer the compiler cannot see through, and
 * memory is clobbered between calls, so no call is hoisted or merged.
 */
static void time_native(native_fn fn, __u32 repeat, double *ns, __u32 *r0)
{
	native_fn volatile call = fn;
	double t;
	__u32 i;

	t = now_ns();
	for (i = 0; i < repeat; i++) {
		*r0 = call(packet, packet + PKT_LEN);
		__asm__ volatile("" : : : "memory");
	}
	t = (now_ns() - t) / repeat;
	if (!*ns || t < *ns)
		*ns = t;
}

/* bpf64's image of @fd: instructions, code size, best compile time. */
static void jit_facts(int fd, struct result *res)
{
	struct bpf64_prog *p = bpf64_prog_from_fd(fd);
	struct bpf64_jit_image *img;
	double t, best = 0;
	int i;

	if (!p)
		return;
	res->insns = p->len;
	if (p->jit)
		bpf64_jit_code(p->jit, &res->jit_bytes);
	for (i = 0; i < COMPILE_REPEAT; i++) {
		img = NULL;
		t = now_ns();
		if (bpf64_jit_compile(p, 0, NULL, &img))
			break;
		t = now_ns() - t;
		bpf64_jit_image_free(img);
		if (!i || t < best)
			best = t;
	}
	if (i == COMPILE_REPEAT)
		res->compile_us = best / 1000 / p->len * 1000;
	bpf64_prog_put(p);
}

static __u32 linux_code_size(int fd)
{
	struct bpf_prog_info info = { };
	__u32 len = sizeof(info);

	if (bpf64_obj_get_info(&bpf64_backend_linux, fd, &info, &len))
		return 0;
	return info.jited_prog_len;
}

/* Runs for a sample of about @us microseconds at @ns per run. */
static __u32 runs_for(double ns, int us)
{
	double n = us * 1000.0 / (ns > 1 ? ns : 1);

	return n < 10 ? 10 : n > 1000000 ? 1000000 : (__u32)n;
}

/*
 * Samples go round the ways in turn, so that a slow moment of the machine
 * spoils one sample of each rather than every sample of one.
 */
static int time_all(const struct options *o, const struct bench *b,
		    const int fd[3], struct result *res)
{
	double calib = 0;
	__u32 repeat;
	int s, err;

	err = time_test_run(&bpf64_backend_hosted, fd[0], 100, &calib,
			    &res->jit_r0);
	repeat = runs_for(calib, o->sample_us);
	for (s = 0; s < o->samples && !err; s++) {
		err = time_test_run(&bpf64_backend_hosted, fd[0], repeat,
				    &res->jit_ns, &res->jit_r0);
		time_native(b->native, repeat, &res->native_ns,
			    &res->native_r0);
		if (!err && fd[2] >= 0)
			err = time_test_run(&bpf64_backend_linux, fd[2], repeat,
					    &res->linux_ns, &res->linux_r0);
		if (!err)
			err = time_test_run(&bpf64_backend_hosted, fd[1],
					    repeat / 10 + 1, &res->interp_ns,
					    &res->interp_r0);
	}
	return err;
}

/* Load @b JITed and interpreted into bpf64 and into Linux; time them. */
static int bench_one(const struct options *o, const struct bench *b,
		     bool with_linux, struct result *res, char *log)
{
	struct bpf64_object *obj[3] = { };
	int fd[3] = { -1, -1, -1 }, err;

	bpf64_jit_enable = 1;
	fd[0] = load(o, b, &bpf64_backend_hosted, &obj[0], log, res);
	err = fd[0] < 0 ? fd[0] : 0;
	if (!err) {
		jit_facts(fd[0], res);
		if (!res->jit_bytes) {
			snprintf(res->why, sizeof(res->why),
				 "bpf64 did not JIT %s", b->name);
			err = -EOPNOTSUPP;
		}
	}
	if (!err) {
		bpf64_jit_enable = 0;
		fd[1] = load(o, b, &bpf64_backend_hosted, &obj[1], log, res);
		bpf64_jit_enable = 1;
		err = fd[1] < 0 ? fd[1] : 0;
	}
	if (!err && with_linux) {
		fd[2] = load(o, b, &bpf64_backend_linux, &obj[2], log, res);
		err = fd[2] < 0 ? fd[2] : 0;
		if (!err)
			res->linux_bytes = linux_code_size(fd[2]);
	}
	if (!err)
		err = time_all(o, b, fd, res);
	if (err && !res->why[0])
		snprintf(res->why, sizeof(res->why), "%s", strerror(-err));
	bpf64_object_close(obj[0]);
	bpf64_object_close(obj[1]);
	bpf64_object_close(obj[2]);
	return err;
}

/* ---- the table ---- */

static bool same_results(const struct result *r, bool with_linux)
{
	return r->jit_r0 == r->native_r0 && r->jit_r0 == r->interp_r0 &&
	       (!with_linux || r->jit_r0 == r->linux_r0);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	int i;

	o->dir = BENCH_PROGS_DIR;
	o->samples = 25;
	o->sample_us = 1000;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			o->dir = argv[++i];
		else if (!strcmp(argv[i], "--samples") && i + 1 < argc)
			o->samples = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--sample-us") && i + 1 < argc)
			o->sample_us = atoi(argv[++i]);
		else if (argv[i][0] != '-' && !o->filter)
			o->filter = argv[i];
		else
			return -EINVAL;
	}
	return o->samples > 0 && o->sample_us > 0 ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	double log_lx = 0, log_nat = 0, worst = 0;
	struct options o = { };
	struct result res;
	char why[256], *logbuf;
	int i, nr = 0, nr_lx = 0, bad = 0;
	bool with_linux;

	if (parse_args(argc, argv, &o)) {
		fprintf(stderr, "usage: %s [--dir DIR] [--samples N] [--sample-us N] [FILTER]\n",
			argv[0]);
		return 2;
	}
	logbuf = malloc(LOG_SIZE);
	if (!logbuf)
		return 1;
	build_packet();
	with_linux = bpf64_linux_available(why, sizeof(why));
	printf("ns per run, best of %d samples of ~%d us; a %d-byte packet (XDP test run)\n",
	       o.samples, o.sample_us, PKT_LEN);
	if (!with_linux)
		printf("Linux JIT column skipped: %s\n", why);
	printf("\n%-9s %6s %7s %7s %10s %10s %9s %10s %9s %9s %8s\n",
	       "program", "insns", "bpf64 B", "Linux B", "bpf64 JIT",
	       "Linux JIT", "native", "interp", "JIT/Linux", "JIT/native",
	       "us/1k");
	for (i = 0; i < (int)(sizeof(benches) / sizeof(benches[0])); i++) {
		const struct bench *b = &benches[i];

		if (o.filter && !strstr(b->name, o.filter))
			continue;
		memset(&res, 0, sizeof(res));
		if (bench_one(&o, b, with_linux, &res, logbuf)) {
			printf("%-9s failed: %s\n", b->name, res.why);
			bad++;
			continue;
		}
		nr++;
		log_nat += log(res.jit_ns / res.native_ns);
		printf("%-9s %6u %7u %7u %10.1f %10.1f %9.1f %10.1f ",
		       b->name, res.insns, res.jit_bytes, res.linux_bytes,
		       res.jit_ns, res.linux_ns, res.native_ns, res.interp_ns);
		if (with_linux) {
			nr_lx++;
			log_lx += log(res.jit_ns / res.linux_ns);
			if (res.jit_ns / res.linux_ns > worst)
				worst = res.jit_ns / res.linux_ns;
			printf("%8.2fx ", res.jit_ns / res.linux_ns);
		} else {
			printf("%9s ", "-");
		}
		printf("%8.2fx %8.1f%s\n", res.jit_ns / res.native_ns,
		       res.compile_us, same_results(&res, with_linux) ? "" :
		       "  RESULTS DIFFER");
		if (!same_results(&res, with_linux)) {
			printf("# r0: bpf64 JIT %#x, Linux %#x, native %#x, interpreter %#x\n",
			       res.jit_r0, res.linux_r0, res.native_r0,
			       res.interp_r0);
			bad++;
		}
	}
	if (nr)
		printf("%-9s %6s %7s %7s %10s %10s %9s %10s %8.2fx %8.2fx\n",
		       "geomean", "", "", "", "", "", "", "",
		       nr_lx ? exp(log_lx / nr_lx) : 0, exp(log_nat / nr));
	if (nr_lx)
		printf("\nbpf64 JIT / Linux JIT: geomean %.2f (goal <= 1.0, stretch 0.9), worst %.2f (goal <= 1.1)\n",
		       exp(log_lx / nr_lx), worst);
	free(logbuf);
	return bad ? 1 : 0;
}
