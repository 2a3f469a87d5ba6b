// SPDX-License-Identifier: GPL-2.0
/*
 * The verifier benchmark: the same programs loaded through bpf64's
 * BPF_PROG_LOAD and through the running kernel's bpf(), comparing the
 * instructions each verifier processed ("processed N insns" of the
 * BPF_LOG_STATS log) and the wall time of the load.  Not a test: it prints
 * a table and asserts nothing.
 *
 *	bench_verifier [--samples N] [-v] [--log NAME] [--group NAME]
 *
 * Groups of programs:
 *  - corpus: the cases of test_verifier's corpus that Linux accepts;
 *  - progen-N: progen's random programs (SYSCALL, sleepable) with bodies
 *    of about N instructions;
 *  - clang: every program of the clang-compiled objects in build/progs
 *    (or $BPF64_PROGS), clang-bench: those of bench_jit, in progs/bench.
 * A program counts only if both verifiers accept it; the others are
 * counted apart.  Each time is the best of --samples loads.  -v prints
 * each program's figures, --log the level 2 logs of programs whose name
 * has NAME in it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpf64/backend.h"
#include "bpf64/elf.h"
#include "insn_build.h"
#include "verifier/macros.h"
#include "verifier/fill.h"
#include "progen.c"

#define LOG_SIZE	(1u << 20)
#define STATS_LOG_SIZE	4096
#define FILL_MAX	(1u << 20)
#define DEFAULT_SAMPLES	3
#define PROGEN_COUNT	100

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

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
};

static char *log_buf;
static struct bpf_insn *fill_buf;
static unsigned int samples = DEFAULT_SAMPLES;
static bool verbose, have_linux;
static const char *show;	/* --log NAME: level 2 logs of NAME */
static const char *only;	/* --group NAME: that group alone */

/* One backend's totals for a group. */
struct side {
	unsigned long long insns;
	double ns;
};

struct group {
	const char *name;
	unsigned int progs, refused;	/* refused: by either verifier */
	struct side side[2];		/* 0: linux, 1: bpf64 */
};

/* What one load of a program needs besides its instructions. */
struct load {
	const char *name;
	struct bpf64_load_opts opts;
	const struct bpf_insn *insns;
	__u32 len;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Load @l samples times: the best time, processed insns, or -errno. */
static int measure(const struct bpf64_backend *be, const struct load *l,
		   struct side *out)
{
	struct bpf64_load_opts opts = l->opts;
	const char *p;
	double best = 0, t;
	int fd = 0;

	/*
	 * Enough for the statistics: bpf64's BPF_PROG_LOAD zeroes a
	 * buffer of log_size bytes, which would dominate small loads.
	 */
	opts.log_buf = log_buf;
	opts.log_size = STATS_LOG_SIZE;
	opts.log_level = VLOG_STATS;
	for (unsigned int i = 0; i < samples; i++) {
		log_buf[0] = '\0';
		t = now_ns();
		fd = bpf64_prog_load(be, l->insns, l->len, &opts);
		t = now_ns() - t;
		if (fd < 0)
			return fd;
		be->close(fd);
		if (!i || t < best)
			best = t;
	}
	p = strstr(log_buf, "processed ");
	if (!p)
		return -ENOENT;
	out->insns = strtoull(p + strlen("processed "), NULL, 10);
	out->ns = best;
	if (show && strstr(l->name, show)) {
		opts.log_level = 2;
		opts.log_size = LOG_SIZE;
		fd = bpf64_prog_load(be, l->insns, l->len, &opts);
		if (fd >= 0)
			be->close(fd);
		printf("# %s: %s, level 2:\n%s\n", be->name, l->name,
		       log_buf);
	}
	return 0;
}

static void add(struct group *g, const struct load *l)
{
	static const struct bpf64_backend *const be[2] = {
		&bpf64_backend_linux, &bpf64_backend_hosted,
	};
	struct side s[2] = { };
	int err[2] = { -ENOSYS, 0 };

	for (int i = !have_linux; i < 2; i++)
		err[i] = measure(be[i], l, &s[i]);
	if ((have_linux && err[0]) || err[1]) {
		g->refused++;
		if (verbose)
			printf("#   %s: %s refused (linux %d, bpf64 %d)\n",
			       g->name, l->name, err[0], err[1]);
		return;
	}
	g->progs++;
	for (int i = 0; i < 2; i++) {
		g->side[i].insns += s[i].insns;
		g->side[i].ns += s[i].ns;
	}
	if (verbose)
		printf("#   %s: %-50.50s linux %6llu insns %8.0f ns, bpf64 %6llu insns %8.0f ns\n",
		       g->name, l->name, s[0].insns, s[0].ns, s[1].insns,
		       s[1].ns);
}

/* ---- the corpus ---- */

static __u32 case_len(const struct vcase *c)
{
	static const struct bpf_insn zero;
	__u32 n = VMAX_INSNS;

	while (n && !memcmp(&c->insns[n - 1], &zero, sizeof(zero)))
		n--;
	return c->len ?: n;
}

/* The case's maps in both backends; LD_IMM64 indexes become fds. */
static bool case_maps(const struct bpf64_backend *be, const struct vcase *c,
		      int *fds)
{
	bool ok = true;

	for (int i = 0; i < VMAX_MAPS; i++) {
		const struct vmap *m = &c->maps[i];

		fds[i] = -1;
		if (m->type)
			fds[i] = bpf64_map_create(be, m->type, "vmap",
						  m->key_size, m->value_size,
						  m->max_entries, m->flags);
		ok &= !m->type || fds[i] >= 0;
	}
	return ok;
}

static void set_map_fds(struct bpf_insn *insns, __u32 len, const int *fds)
{
	for (__u32 i = 0; i + 1 < len; i++) {
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

static void close_fds(const struct bpf64_backend *be, const int *fds,
		      int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			be->close(fds[i]);
}

/* A case in one backend, with its own maps there. */
static int case_side(const struct bpf64_backend *be, const struct vcase *c,
		     struct side *s)
{
	struct bpf_insn *insns = fill_buf;
	struct load l = {
		.name = c->name,
		.opts = {
			.prog_type = c->prog_type ?: BPF_PROG_TYPE_SOCKET_FILTER,
			.expected_attach_type = c->attach_type,
			.name = "vcase",
			.license = c->license,
			.prog_flags = c->prog_flags,
		},
		.insns = insns,
	};
	int fds[VMAX_MAPS], err = -ENOMEM;

	if (c->fill) {
		l.len = c->fill(insns, FILL_MAX);
	} else {
		l.len = case_len(c);
		memcpy(insns, c->insns, l.len * sizeof(*insns));
	}
	if (case_maps(be, c, fds)) {
		set_map_fds(insns, l.len, fds);
		err = measure(be, &l, s);
	}
	close_fds(be, fds, VMAX_MAPS);
	return err;
}

static void bench_corpus(struct group *g)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct vcase *c = &cases[i];
		struct side s[2] = { };
		int err[2] = { 0, 0 };

		if (c->result != ACCEPT)
			continue;
		if (have_linux)
			err[0] = case_side(&bpf64_backend_linux, c, &s[0]);
		err[1] = case_side(&bpf64_backend_hosted, c, &s[1]);
		if (err[0] || err[1]) {
			g->refused++;
			if (verbose)
				printf("#   corpus: %s refused (linux %d, bpf64 %d)\n",
				       c->name, err[0], err[1]);
			continue;
		}
		g->progs++;
		for (int k = 0; k < 2; k++) {
			g->side[k].insns += s[k].insns;
			g->side[k].ns += s[k].ns;
		}
		if (verbose)
			printf("#   corpus: %-50.50s linux %6llu insns %8.0f ns, bpf64 %6llu insns %8.0f ns\n",
			       c->name, s[0].insns, s[0].ns, s[1].insns,
			       s[1].ns);
	}
}

/* ---- progen ---- */

static void bench_progen(struct group *g, __u32 body_len)
{
	struct progen_opts o;
	char name[32];

	progen_default_opts(&o);
	o.body_len = body_len;
	for (__u64 seed = 1; seed <= PROGEN_COUNT; seed++) {
		struct progen_prog p = { };
		struct load l = {
			.name = name,
			.opts = {
				.prog_type = BPF_PROG_TYPE_SYSCALL,
				.prog_flags = BPF_F_SLEEPABLE,
			},
		};

		if (progen_generate(&p, seed, &o))
			continue;
		snprintf(name, sizeof(name), "seed %llu",
			 (unsigned long long)seed);
		l.insns = p.insns;
		l.len = p.len;
		add(g, &l);
		progen_release(&p);
	}
}

/* ---- clang objects ---- */

/*
 * A program of an object loaded in @be (its maps exist): its own load,
 * with the object's map indexes turned into those maps' fds.
 */
static int obj_prog_side(const struct bpf64_backend *be,
			 struct bpf64_object *obj, struct bpf64_program *p,
			 struct side *s)
{
	struct load l = {
		.name = p->name,
		.opts = {
			.prog_type = p->type,
			.expected_attach_type = p->expected_attach_type,
			.prog_flags = p->prog_flags,
			.license = bpf64_object_license(obj),
		},
		.insns = fill_buf,
		.len = p->insn_cnt,
	};

	if (p->insn_cnt > FILL_MAX)
		return -E2BIG;
	memcpy(fill_buf, p->insns, p->insn_cnt * sizeof(*fill_buf));
	for (__u32 i = 0; i + 1 < l.len; i++) {
		struct bpf_insn *in = &fill_buf[i];

		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (in->src_reg == BPF_PSEUDO_MAP_IDX ||
		    in->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
			in->src_reg = in->src_reg == BPF_PSEUDO_MAP_IDX ?
				      BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
			in->imm = bpf64_object_map(obj, in->imm)->fd;
		}
		i++;
	}
	return measure(be, &l, s);
}

static struct bpf64_object *obj_load(const struct bpf64_backend *be,
				     const char *path)
{
	char err[256];
	struct bpf64_object *obj = bpf64_object_open_file(path, err,
							  sizeof(err));

	if (obj && bpf64_object_load(obj, be, NULL, 0)) {
		bpf64_object_close(obj);
		obj = NULL;
	}
	return obj;
}

static void bench_object(struct group *g, const char *path)
{
	struct bpf64_object *obj[2];
	u32 n;

	obj[0] = have_linux ? obj_load(&bpf64_backend_linux, path) : NULL;
	obj[1] = obj_load(&bpf64_backend_hosted, path);
	n = obj[1] ? bpf64_object_nr_programs(obj[1]) : 0;
	if (!obj[1] || (have_linux && !obj[0]))
		g->refused++;
	for (u32 i = 0; obj[1] && (obj[0] || !have_linux) && i < n; i++) {
		struct side s[2] = { };
		int err[2] = { 0, 0 };

		if (have_linux)
			err[0] = obj_prog_side(&bpf64_backend_linux, obj[0],
					       bpf64_object_program(obj[0], i),
					       &s[0]);
		err[1] = obj_prog_side(&bpf64_backend_hosted, obj[1],
				       bpf64_object_program(obj[1], i), &s[1]);
		if (err[0] || err[1]) {
			g->refused++;
			continue;
		}
		g->progs++;
		for (int k = 0; k < 2; k++) {
			g->side[k].insns += s[k].insns;
			g->side[k].ns += s[k].ns;
		}
		if (verbose)
			printf("#   clang: %s %s: linux %llu insns, bpf64 %llu insns\n",
			       path, bpf64_object_program(obj[1], i)->name,
			       s[0].insns, s[1].insns);
	}
	for (int k = 0; k < 2; k++)
		if (obj[k])
			bpf64_object_close(obj[k]);
}

static void bench_objects(struct group *g, const char *dir)
{
	struct dirent *e;
	char path[512];
	DIR *d = opendir(dir);

	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n < 3 || strcmp(e->d_name + n - 2, ".o"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		bench_object(g, path);
	}
	if (d)
		closedir(d);
}

/* ---- the table ---- */

static double ratio(double a, double b)
{
	return b ? a / b : 0;
}

static void print_group(const struct group *g)
{
	const struct side *l = &g->side[0], *b = &g->side[1];

	printf("%-12s %5u %4u %10llu %10llu %6.2f %10.2f %10.2f %6.2f\n",
	       g->name, g->progs, g->refused, l->insns, b->insns,
	       ratio(b->insns, l->insns), l->ns / 1e6, b->ns / 1e6,
	       ratio(b->ns, l->ns));
}

int main(int argc, char **argv)
{
	static const __u32 sizes[] = { 32, 96, 512 };
	const char *progs = getenv("BPF64_PROGS") ?: "build/progs";
	struct group groups[3 + ARRAY_SIZE(sizes)] = {
		{ .name = "corpus" },
		{ .name = "clang" },
		{ .name = "clang-bench" },
	};
	char dir[512];
	char why[128];
	size_t i;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-v"))
			verbose = true;
		else if (!strcmp(argv[a], "--group") && a + 1 < argc)
			only = argv[++a];
		else if (!strcmp(argv[a], "--log") && a + 1 < argc)
			show = argv[++a];
		else if (!strcmp(argv[a], "--samples") && a + 1 < argc)
			samples = strtoul(argv[++a], NULL, 0) ?: 1;
	}
	log_buf = malloc(LOG_SIZE);
	fill_buf = calloc(FILL_MAX, sizeof(*fill_buf));
	if (!log_buf || !fill_buf)
		return 1;
	have_linux = bpf64_linux_available(why, sizeof(why));
	if (!have_linux)
		printf("# linux: not available (%s): bpf64 only\n", why);
	if (!only || !strcmp(only, "corpus"))
		bench_corpus(&groups[0]);
	if (!only || !strcmp(only, "clang"))
		bench_objects(&groups[1], progs);
	snprintf(dir, sizeof(dir), "%s/bench", progs);
	if (!only || !strcmp(only, "clang-bench"))
		bench_objects(&groups[2], dir);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		static char names[ARRAY_SIZE(sizes)][16];

		snprintf(names[i], sizeof(names[i]), "progen-%u", sizes[i]);
		groups[3 + i].name = names[i];
		if (!only || !strcmp(only, names[i]))
			bench_progen(&groups[3 + i], sizes[i]);
	}
	printf("# processed insns and load time (ms, best of %u), programs both accept\n",
	       samples);
	printf("%-12s %5s %4s %10s %10s %6s %10s %10s %6s\n", "group", "progs",
	       "skip", "linux", "bpf64", "ratio", "linux ms", "bpf64 ms",
	       "ratio");
	for (i = 0; i < ARRAY_SIZE(groups); i++)
		print_group(&groups[i]);
	free(fill_buf);
	free(log_buf);
	return 0;
}
