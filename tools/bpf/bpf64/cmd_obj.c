// SPDX-License-Identifier: GPL-2.0
/*
 * bpf64 run OBJ / bpf64 verify OBJ: ELF objects with their maps.
 *
 *   bpf64 run OBJ [--section NAME] [--data FILE] [--ctx FILE] [--repeat N]
 *                 [--dump-maps] [--linux] [--unpriv] [-j|--json]
 *                 [--jit | --no-jit] [--blind] [--jited]
 *   bpf64 verify OBJ [--section NAME] [--linux] [--unpriv] [-j|--json]
 *                    [--jit | --no-jit] [--blind] [--jited]
 *
 * The object is loaded through a backend: bpf64's own bpf() (the default)
 * or, with --linux, the running kernel's.  run then goes through
 * BPF_PROG_TEST_RUN and prints the retval, the mean duration, what the
 * program wrote (trace_printk lines, ring buffer records, the maps).
 *
 * In bpf64, loading JITs the programs as bpf64_jit_enable says (on by
 * default; off with --no-jit) and blinds constants with --blind
 * (bpf64_jit_harden).  A program the JIT refused runs interpreted, and
 * the tool says why on stderr; --jit makes that an error.  --jited prints
 * the program's native code, from bpf64's JIT or (--linux) Linux's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf64/helpers.h>
#include <linux/bpf64/jit.h>
#include <linux/bpf64/platform.h>
#include <linux/bpf64/syscall.h>
#include <uapi/linux/bpf64.h>
#include "bpf64.h"
#include "bpf64/backend.h"
#include "bpf64/elf.h"

#define LOG_SIZE	(1U << 20)
#define MAX_OUT		(64U << 10)

struct obj_args {
	const char *path;
	const char *section;
	const char *data_file;
	const char *ctx_file;
	unsigned int repeat;
	bool dump_maps;
	bool json;
	bool unpriv;
	const struct bpf64_backend *be;
	struct jit_opts jit;
};

static int obj_usage(FILE *f, bool run)
{
	if (run)
		fprintf(f,
			"usage: bpf64 run OBJ [options]\n"
			"  OBJ             an ELF object (clang/gcc -target bpf)\n"
			"  --section NAME  the program of this section (default: the first)\n"
			"  --data FILE     packet bytes (data_in)\n"
			"  --ctx FILE      context bytes (ctx_in)\n"
			"  --repeat N      run N times; the duration is the mean\n"
			"  --dump-maps     print every map's contents after the run\n"
			"  --linux         load into the running kernel instead of bpf64\n"
			"  --unpriv        load as a user without capabilities would\n"
			"  -j, --json      one JSON object on stdout\n"
			JIT_OPTS_HELP
			"  (with --linux only --jited: Linux's own JIT code)\n");
	else
		fprintf(f,
			"usage: bpf64 verify OBJ [options]\n"
			"  load OBJ's maps and programs without running them, print the log\n"
			"  --section NAME  report this section's program\n"
			"  --linux         load into the running kernel instead of bpf64\n"
			"  --unpriv        load as a user without capabilities would: the\n"
			"                  unprivileged verifier (with --linux, as root, the\n"
			"                  tool drops to uid 65534; Linux then refuses all\n"
			"                  unless kernel.unprivileged_bpf_disabled is 0)\n"
			"  -j, --json      one JSON object on stdout\n"
			JIT_OPTS_HELP
			"  (with --linux only --jited: Linux's own JIT code)\n");
	return f == stdout ? 0 : 2;
}

static int parse_obj_args(int argc, char **argv, struct obj_args *a, bool run)
{
	int i;

	a->be = &bpf64_backend_hosted;
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];
		bool has_val = i + 1 < argc;

		if (!strcmp(opt, "--help") || !strcmp(opt, "-h"))
			return obj_usage(stdout, run), 1;
		if (parse_jit_opt(opt, &a->jit))
			continue;
		if (!strcmp(opt, "-j") || !strcmp(opt, "--json"))
			a->json = true;
		else if (!strcmp(opt, "--linux"))
			a->be = &bpf64_backend_linux;
		else if (!strcmp(opt, "--unpriv"))
			a->unpriv = true;
		else if (run && !strcmp(opt, "--dump-maps"))
			a->dump_maps = true;
		else if (has_val && !strcmp(opt, "--section"))
			a->section = argv[++i];
		else if (run && has_val && !strcmp(opt, "--data"))
			a->data_file = argv[++i];
		else if (run && has_val && !strcmp(opt, "--ctx"))
			a->ctx_file = argv[++i];
		else if (run && has_val && !strcmp(opt, "--repeat"))
			a->repeat = strtoul(argv[++i], NULL, 0);
		else if (opt[0] != '-' && !a->path)
			a->path = opt;
		else
			return fprintf(stderr, "bpf64 %s: bad argument '%s'\n",
				       run ? "run" : "verify", opt), -1;
	}
	if (!a->path)
		return fprintf(stderr, "bpf64 %s: no object given\n",
			       run ? "run" : "verify"), -1;
	if (a->be != &bpf64_backend_hosted &&
	    (a->jit.mode != JIT_DEFAULT || a->jit.blind))
		return fprintf(stderr, "bpf64 %s: --jit, --no-jit and --blind are bpf64's; Linux's JIT follows net.core.bpf_jit_enable and bpf_jit_harden\n",
			       run ? "run" : "verify"), -1;
	return 0;
}

bool is_elf_file(const char *path)
{
	unsigned char magic[4] = { };
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	if (fread(magic, 1, 4, f) != 4)
		magic[0] = 0;
	fclose(f);
	return !memcmp(magic, "\177ELF", 4);
}

/* ---- output ---- */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			printf("\\n");
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void hex(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
}

static const char *map_type_name(__u32 type)
{
	static const char *const names[] = {
		[BPF_MAP_TYPE_HASH] = "hash",
		[BPF_MAP_TYPE_ARRAY] = "array",
		[BPF_MAP_TYPE_PROG_ARRAY] = "prog_array",
		[BPF_MAP_TYPE_PERCPU_HASH] = "percpu_hash",
		[BPF_MAP_TYPE_PERCPU_ARRAY] = "percpu_array",
		[BPF_MAP_TYPE_LRU_HASH] = "lru_hash",
		[BPF_MAP_TYPE_LRU_PERCPU_HASH] = "lru_percpu_hash",
		[BPF_MAP_TYPE_LPM_TRIE] = "lpm_trie",
		[BPF_MAP_TYPE_ARRAY_OF_MAPS] = "array_of_maps",
		[BPF_MAP_TYPE_HASH_OF_MAPS] = "hash_of_maps",
		[BPF_MAP_TYPE_RINGBUF] = "ringbuf",
	};

	return type < sizeof(names) / sizeof(names[0]) && names[type] ?
	       names[type] : "other";
}

static const char *prog_type_name(__u32 type)
{
	static const char *const names[] = {
		[BPF_PROG_TYPE_SOCKET_FILTER] = "socket_filter",
		[BPF_PROG_TYPE_KPROBE] = "kprobe",
		[BPF_PROG_TYPE_SCHED_CLS] = "sched_cls",
		[BPF_PROG_TYPE_TRACEPOINT] = "tracepoint",
		[BPF_PROG_TYPE_XDP] = "xdp",
		[BPF_PROG_TYPE_SYSCALL] = "syscall",
	};

	return type < sizeof(names) / sizeof(names[0]) && names[type] ?
	       names[type] : "other";
}

struct ringbuf_print {
	bool json;
	int n;
};

static int print_record(void *ctx, void *data, __u32 size)
{
	struct ringbuf_print *rp = ctx;

	if (rp->json) {
		printf("%s\"", rp->n++ ? "," : "");
		hex(data, size);
		putchar('"');
	} else {
		printf("    record %d (%u bytes): ", rp->n++, size);
		hex(data, size);
		putchar('\n');
	}
	return 0;
}

/* Every key and value of one map, in get_next_key order. */
static void dump_map(const struct bpf64_backend *be, struct bpf64_elf_map *m,
		     bool json)
{
	const struct bpf64_map_def *d = &m->def;
	size_t vsize = d->value_size;
	unsigned char *key, *next, *value;
	int err, n = 0;

	if (json) {
		printf("{\"name\":");
		json_str(m->name);
		printf(",\"type\":\"%s\",\"key_size\":%u,\"value_size\":%u,\"max_entries\":%u,",
		       map_type_name(d->type), d->key_size, d->value_size,
		       d->max_entries);
	} else {
		printf("  %s (%s, key %u, value %u, max %u)\n", m->name,
		       map_type_name(d->type), d->key_size, d->value_size,
		       d->max_entries);
	}
	if (d->type == BPF_MAP_TYPE_RINGBUF) {
		struct ringbuf_print rp = { .json = json };

		if (json)
			printf("\"records\":[");
		be->ringbuf_consume(m->fd, print_record, &rp);
		printf(json ? "]}" : "");
		return;
	}
	if (d->type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	    d->type == BPF_MAP_TYPE_PERCPU_HASH ||
	    d->type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
		vsize = ((d->value_size + 7) & ~7U) * bpf64_num_possible_cpus();
	else if (d->type == BPF_MAP_TYPE_PROG_ARRAY ||
		 d->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
		 d->type == BPF_MAP_TYPE_HASH_OF_MAPS)
		vsize = 4;
	key = calloc(1, d->key_size + 1);
	next = calloc(1, d->key_size + 1);
	value = calloc(1, vsize + 1);
	if (json)
		printf("\"entries\":[");
	for (err = bpf64_map_get_next_key(be, m->fd, NULL, next);
	     !err && key && next && value;
	     err = bpf64_map_get_next_key(be, m->fd, key, next)) {
		memcpy(key, next, d->key_size);
		if (bpf64_map_lookup(be, m->fd, key, value, 0))
			continue;
		if (json) {
			printf("%s{\"key\":\"", n++ ? "," : "");
			hex(key, d->key_size);
			printf("\",\"value\":\"");
			hex(value, d->type == BPF_MAP_TYPE_PERCPU_ARRAY ||
				   d->type == BPF_MAP_TYPE_PERCPU_HASH ||
				   d->type == BPF_MAP_TYPE_LRU_PERCPU_HASH ?
				   d->value_size : vsize);
			printf("\"}");
		} else {
			printf("    key ");
			hex(key, d->key_size);
			printf(" value ");
			hex(value, vsize < d->value_size ? vsize : d->value_size);
			putchar('\n');
		}
	}
	if (json)
		printf("]}");
	free(key);
	free(next);
	free(value);
}

static void dump_maps(const struct bpf64_backend *be, struct bpf64_object *obj,
		      bool json)
{
	u32 i, n = bpf64_object_nr_maps(obj), shown = 0;

	printf(json ? ",\"maps\":[" : "maps:\n");
	for (i = 0; i < n; i++) {
		struct bpf64_elf_map *m = bpf64_object_map(obj, i);

		if (m->fd < 0 || m->kind == BPF64_MAP_INNER)
			continue;
		if (json && shown++)
			putchar(',');
		dump_map(be, m, json);
	}
	printf(json ? "]" : "");
}

static void print_trace(bool json)
{
	static char buf[1 << 16];
	size_t len = bpf64_trace_read(buf, sizeof(buf));
	char *line, *save = NULL;
	int n = 0;

	if (json)
		printf(",\"trace\":[");
	else if (len)
		printf("trace:\n");
	for (line = strtok_r(buf, "\n", &save); line && len;
	     line = strtok_r(NULL, "\n", &save)) {
		if (json) {
			if (n++)
				putchar(',');
			json_str(line);
		} else {
			printf("  %s\n", line);
		}
	}
	if (json)
		putchar(']');
}

/* ---- the JIT ---- */

/*
 * Why bpf64's loading left @p interpreted: compile it again, with a log.
 * Returns 0 (and an empty @why) if it JITs now.
 */
static int jit_refusal(const struct bpf64_prog *p, char *why, size_t size)
{
	struct bpf64_log log = { .buf = why, .size = size };
	struct bpf64_jit_image *img = NULL;
	int err;

	why[0] = '\0';
	if (!bpf64_jit_enable)
		return snprintf(why, size, "the JIT is off (--no-jit)"), -EPERM;
	err = bpf64_jit_compile(p, bpf64_jit_harden ? BPF64_JIT_F_BLIND : 0,
				&log, &img);
	bpf64_jit_image_free(img);
	if (err && !why[0])
		snprintf(why, size, "%s", strerror(-err));
	return err;
}

/*
 * Does bpf64 run @prog JITed?  --jit makes "no" an error (1), the default
 * says so on stderr.  *jited tells the runtime for the output.
 */
static int check_runtime(const struct obj_args *a, struct bpf64_program *prog,
			 const char *cmd, bool *jited)
{
	struct bpf64_prog *p;
	char why[256];

	*jited = false;
	if (a->be != &bpf64_backend_hosted)
		return 0;
	p = bpf64_prog_from_fd(prog->fd);
	if (!p)
		return 1;
	*jited = p->jit;
	if (!p->jit && a->jit.mode != JIT_OFF) {
		jit_refusal(p, why, sizeof(why));
		fprintf(stderr, "bpf64 %s: %s: %s: %s\n", cmd, prog->name,
			a->jit.mode == JIT_FORCE ? "cannot JIT" :
			"not JITed, runs interpreted", why);
	}
	bpf64_prog_put(p);
	return !*jited && a->jit.mode == JIT_FORCE;
}

/* The native code of @fd, from BPF_OBJ_GET_INFO_BY_FD; malloc'ed. */
static int jited_code(const struct bpf64_backend *be, int fd, __u8 **code,
		      __u32 *len)
{
	struct bpf_prog_info info = { };
	__u32 info_len = sizeof(info);
	int err;

	err = bpf64_obj_get_info(be, fd, &info, &info_len);
	if (err)
		return err;
	*len = info.jited_prog_len;
	if (!*len)
		return -ENOENT;
	*code = malloc(*len);
	if (!*code)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.jited_prog_len = *len;
	info.jited_prog_insns = (unsigned long)*code;
	info_len = sizeof(info);
	err = bpf64_obj_get_info(be, fd, &info, &info_len);
	if (err)
		free(*code);
	return err;
}

/* --jited: the native code of the loaded @prog, as bpftool dumps it. */
static int show_jited(const struct obj_args *a, struct bpf64_program *prog,
		      const char *cmd)
{
	__u8 *code = NULL;
	__u32 len = 0;
	int err;

	err = jited_code(a->be, prog->fd, &code, &len);
	if (err) {
		fprintf(stderr, "bpf64 %s: %s: no native code: %s\n", cmd,
			prog->name, err != -ENOENT ? strerror(-err) :
			a->be == &bpf64_backend_hosted ?
			"the program runs interpreted" :
			"not JITed (net.core.bpf_jit_enable=0?)");
		return 1;
	}
	err = print_native_code(code, len);
	free(code);
	return !!err;
}

/* Before loading: bpf64's knobs as the options say. */
static void set_jit_knobs(const struct obj_args *a)
{
	bpf64_jit_enable = a->jit.mode != JIT_OFF;
	bpf64_jit_harden = a->jit.blind;
}

/* ---- the commands ---- */

static struct bpf64_program *pick_program(struct bpf64_object *obj,
					  const char *section)
{
	if (section)
		return bpf64_object_find_program_by_section(obj, section);
	return bpf64_object_nr_programs(obj) ? bpf64_object_program(obj, 0) :
					       NULL;
}

/*
 * --unpriv: bpf64 verifies as for a caller without capabilities; for
 * Linux, root becomes uid and gid 65534 for good (a user without
 * capabilities already is one).
 */
static int drop_privileges(const struct bpf64_backend *be)
{
	if (be == &bpf64_backend_hosted) {
		bpf64_set_privileged(false);
		return 0;
	}
	if (geteuid())
		return 0;
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return -errno;
	return 0;
}

static struct bpf64_object *open_and_load(const struct obj_args *a,
					  char *log, int *err)
{
	struct bpf64_object *obj;

	obj = bpf64_object_open_file(a->path, log, LOG_SIZE);
	if (!obj) {
		*err = -EINVAL;
		return NULL;
	}
	*err = a->unpriv ? drop_privileges(a->be) : 0;
	if (*err)
		snprintf(log, LOG_SIZE, "dropping privileges: %s\n",
			 strerror(-*err));
	else
		*err = bpf64_object_load(obj, a->be, log, LOG_SIZE);
	return obj;
}

static int read_opt_file(const char *path, char **buf, size_t *len)
{
	int err;

	*buf = NULL;
	*len = 0;
	if (!path)
		return 0;
	err = read_input(path, buf, len);
	if (err)
		fprintf(stderr, "bpf64 run: %s: %s\n", path, strerror(-err));
	return err;
}

static int run_loaded(const struct obj_args *a, struct bpf64_object *obj,
		      struct bpf64_program *prog, bool jited)
{
	static unsigned char data_out[MAX_OUT], ctx_out[MAX_OUT];
	struct bpf64_test_opts t = { .repeat = a->repeat };
	char *data = NULL, *ctx = NULL;
	size_t data_len, ctx_len;
	int err;

	if (read_opt_file(a->data_file, &data, &data_len) ||
	    read_opt_file(a->ctx_file, &ctx, &ctx_len)) {
		free(data);
		return 1;
	}
	t.data_in = data;
	t.data_size_in = data_len;
	t.ctx_in = ctx;
	t.ctx_size_in = ctx_len;
	if (data) {
		t.data_out = data_out;
		t.data_size_out = sizeof(data_out);
	}
	/* Tracing programs take a context in but give none back. */
	if (prog->type == BPF_PROG_TYPE_KPROBE ||
	    prog->type == BPF_PROG_TYPE_TRACEPOINT) {
		if (a->be == &bpf64_backend_hosted)
			t.flags |= BPF64_F_TEST_RUN_TRACING;
	} else if (ctx) {
		t.ctx_out = ctx_out;
		t.ctx_size_out = sizeof(ctx_out);
	}
	bpf64_trace_clear();
	err = bpf64_prog_test_run(a->be, prog->fd, &t);
	if (err) {
		fprintf(stderr, "bpf64 run: %s: test run failed: %s\n",
			prog->name, strerror(-err));
	} else if (a->json) {
		printf("{\"program\":");
		json_str(prog->name);
		printf(",\"section\":");
		json_str(prog->section);
		printf(",\"type\":\"%s\",\"backend\":\"%s\",\"retval\":%u,\"duration_ns\":%u",
		       prog_type_name(prog->type), a->be->name, t.retval,
		       t.duration);
		if (a->be == &bpf64_backend_hosted)
			printf(",\"jited\":%s", jited ? "true" : "false");
		if (data) {
			printf(",\"data_out\":\"");
			hex(data_out, t.data_size_out);
			putchar('"');
		}
		if (t.ctx_out) {
			printf(",\"ctx_out\":\"");
			hex(ctx_out, t.ctx_size_out);
			putchar('"');
		}
		if (a->be == &bpf64_backend_hosted)
			print_trace(true);
		if (a->dump_maps)
			dump_maps(a->be, obj, true);
		printf("}\n");
	} else {
		printf("program: %s (%s, section %s, %s%s)\n", prog->name,
		       prog_type_name(prog->type), prog->section, a->be->name,
		       a->be != &bpf64_backend_hosted ? "" :
		       jited ? ", JITed" : ", interpreted");
		printf("retval: %u\nduration: %u ns\n", t.retval, t.duration);
		if (data) {
			printf("data_out: %u bytes: ", t.data_size_out);
			hex(data_out, t.data_size_out);
			putchar('\n');
		}
		if (a->be == &bpf64_backend_hosted)
			print_trace(false);
		if (a->dump_maps)
			dump_maps(a->be, obj, false);
	}
	free(data);
	free(ctx);
	return err ? 1 : 0;
}

int cmd_run_object(int argc, char **argv)
{
	struct obj_args a = { };
	struct bpf64_object *obj;
	struct bpf64_program *prog;
	bool jited;
	char *log;
	int err, ret = 1;

	err = parse_obj_args(argc, argv, &a, true);
	if (err)
		return err > 0 ? 0 : 2;
	log = calloc(1, LOG_SIZE);
	if (!log)
		return 1;
	set_jit_knobs(&a);
	obj = open_and_load(&a, log, &err);
	prog = obj && !err ? pick_program(obj, a.section) : NULL;
	if (!obj || err)
		fprintf(stderr, "bpf64 run: %s: %s\n", a.path, log);
	else if (!prog)
		fprintf(stderr, "bpf64 run: %s: no program%s%s\n", a.path,
			a.section ? " in section " : "",
			a.section ? a.section : "");
	else if (!check_runtime(&a, prog, "run", &jited) &&
		 (!a.jit.show || !show_jited(&a, prog, "run")))
		ret = run_loaded(&a, obj, prog, jited);
	bpf64_object_close(obj);
	free(log);
	return ret;
}

int disasm_object_jited(const char *path, const char *section,
			const struct jit_opts *j)
{
	struct obj_args a = {
		.path = path, .section = section, .jit = *j,
		.be = &bpf64_backend_hosted,
	};
	struct bpf64_program *prog = NULL;
	struct bpf64_object *obj;
	bool jited;
	char *log;
	int err, ret = 1;

	log = calloc(1, LOG_SIZE);
	if (!log)
		return 1;
	a.jit.mode = JIT_FORCE;
	set_jit_knobs(&a);
	obj = open_and_load(&a, log, &err);
	if (obj && !err)
		prog = pick_program(obj, section);
	if (!prog)
		fprintf(stderr, "bpf64 disasm: %s: %s\n", path,
			err ? log : "no such program");
	else if (!check_runtime(&a, prog, "disasm", &jited))
		ret = show_jited(&a, prog, "disasm");
	bpf64_object_close(obj);
	free(log);
	return ret;
}

int cmd_verify(int argc, char **argv)
{
	struct obj_args a = { };
	struct bpf64_object *obj;
	struct bpf64_program *prog = NULL;
	bool jited = false;
	char *log;
	int err, ret;

	err = parse_obj_args(argc, argv, &a, false);
	if (err)
		return err > 0 ? 0 : 2;
	log = calloc(1, LOG_SIZE);
	if (!log)
		return 1;
	set_jit_knobs(&a);
	obj = open_and_load(&a, log, &err);
	if (obj && !err) {
		prog = pick_program(obj, a.section);
		if (!prog)
			err = -ENOENT;
	}
	if (a.json) {
		printf("{\"object\":");
		json_str(a.path);
		printf(",\"backend\":\"%s\",\"verdict\":\"%s\",\"error\":%d,\"log\":",
		       a.be->name, err ? "rejected" : "accepted", err);
		json_str(log);
		if (prog) {
			printf(",\"program\":");
			json_str(prog->name);
			printf(",\"section\":");
			json_str(prog->section);
		}
		printf("}\n");
	} else if (err) {
		printf("%s: rejected (%s)\n%s%s", a.path, strerror(-err), log,
		       log[0] && log[strlen(log) - 1] != '\n' ? "\n" : "");
	} else {
		printf("%s: %s (section %s): accepted by %s\n%s", a.path,
		       prog->name, prog->section, a.be->name, log);
	}
	ret = err ? 1 : check_runtime(&a, prog, "verify", &jited);
	if (!ret && a.jit.show)
		ret = show_jited(&a, prog, "verify");
	bpf64_object_close(obj);
	free(log);
	return ret;
}
