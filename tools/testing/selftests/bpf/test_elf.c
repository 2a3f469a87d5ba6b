// SPDX-License-Identifier: GPL-2.0
/*
 * The ELF loader (tools/lib/bpf64/elf.c) on real objects and hostile ones.
 *
 * The objects are progs/elf_*.c, built by clang at -mcpu=v1..v4 (make
 * progs) and by GCC's BPF backend (NAME.gcc.o; compiled here into a
 * temporary directory if the build has none).  For each:
 *
 *  - parsing: programs, sections, types and maps as the sources define
 *    them; relocations checked against the object's own symbol table (read
 *    here, independently): each global variable's LD_IMM64 carries the map
 *    of its section and its offset, calls land on appended subprograms;
 *  - libbpf (libbpf.so.1, when present) as a second opinion on program
 *    types and map definitions;
 *  - loading into both backends and running with BPF_PROG_TEST_RUN: the
 *    answers the sources state, which hold only if every relocation, every
 *    global's initial value and every initial map element is right;
 *  - hostile inputs: truncations, broken headers, indexes, symbols and
 *    relocations give errors that say what is wrong, and random mutations
 *    never crash (this file runs under ASan/UBSan in make check too).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "backend_util.h"
#include "bpf64/btf.h"
#include "bpf64/elf.h"

#define ERR_SIZE	512
#define LOG_SIZE	(1u << 16)
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static char progs_dir[4096];
static char gcc_dir[64];	/* a temporary directory, if we compiled */

/* ---- files and a small ELF reader of our own ---- */

static int read_file(const char *path, unsigned char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	*buf = NULL;
	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	*buf = malloc(n + 1);
	if (!*buf || fread(*buf, 1, n, f) != (size_t)n) {
		free(*buf);
		*buf = NULL;
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*len = n;
	return 0;
}

struct image {
	unsigned char *buf;
	size_t len;
	char path[4200];
};

static Elf64_Ehdr *ehdr(const struct image *im)
{
	return (Elf64_Ehdr *)im->buf;
}

static Elf64_Shdr *shdr(const struct image *im, unsigned int i)
{
	return (Elf64_Shdr *)(im->buf + ehdr(im)->e_shoff) + i;
}

static const char *sec_name(const struct image *im, unsigned int i)
{
	return (const char *)im->buf +
	       shdr(im, ehdr(im)->e_shstrndx)->sh_offset + shdr(im, i)->sh_name;
}

static int find_sec(const struct image *im, const char *name)
{
	unsigned int i;

	for (i = 1; i < ehdr(im)->e_shnum; i++)
		if (!strcmp(sec_name(im, i), name))
			return i;
	return -1;
}

static int symtab(const struct image *im)
{
	unsigned int i;

	for (i = 1; i < ehdr(im)->e_shnum; i++)
		if (shdr(im, i)->sh_type == SHT_SYMTAB)
			return i;
	return -1;
}

static Elf64_Sym *find_sym(const struct image *im, const char *name)
{
	Elf64_Shdr *st = shdr(im, symtab(im));
	Elf64_Sym *syms = (Elf64_Sym *)(im->buf + st->sh_offset);
	const char *strs = (const char *)im->buf + shdr(im, st->sh_link)->sh_offset;
	size_t i;

	for (i = 1; i < st->sh_size / sizeof(*syms); i++)
		if (ELF64_ST_TYPE(syms[i].st_info) != STT_SECTION &&
		    !strcmp(strs + syms[i].st_name, name))
			return &syms[i];
	return NULL;
}

static bool load_image(struct image *im, const char *path)
{
	snprintf(im->path, sizeof(im->path), "%s", path);
	return !read_file(path, &im->buf, &im->len);
}

/* ---- where the objects are ---- */

struct variant {
	const char *suffix;	/* "v1" .. "v4", "gcc" */
	bool gcc;
};

static const struct variant variants[] = {
	{ "v1" }, { "v2" }, { "v3" }, { "v4" }, { "gcc", true },
};

static const char *const gcc_progs[] = {
	"elf_globals", "elf_maps", "elf_legacy", "elf_pin",
};

static void object_path(char *buf, size_t size, const char *name,
			const struct variant *v)
{
	const char *dir = v->gcc && gcc_dir[0] ? gcc_dir : progs_dir;

	snprintf(buf, size, "%s/%s.%s.o", dir, name, v->suffix);
}

/* GCC's objects: the build's if it made them, else compiled here. */
static bool have_gcc_objects(void)
{
	char path[4200], cmd[8192];
	unsigned int i;

	snprintf(path, sizeof(path), "%s/elf_globals.gcc.o", progs_dir);
	if (!access(path, R_OK))
		return true;
	if (system("bpf-gcc --version >/dev/null 2>&1")) {
		tu_skip("# SKIP GCC objects: no %s and no bpf-gcc (apt install gcc-bpf)",
			path);
		return false;
	}
	strcpy(gcc_dir, "/tmp/test_elf.XXXXXX");
	if (!mkdtemp(gcc_dir)) {
		gcc_dir[0] = '\0';
		return false;
	}
	for (i = 0; i < ARRAY_LEN(gcc_progs); i++) {
		snprintf(cmd, sizeof(cmd),
			 "bpf-gcc -O2 -gbtf -Wall -Werror -Itools/testing/selftests/bpf/progs -c tools/testing/selftests/bpf/progs/%s.c -o %s/%s.gcc.o",
			 gcc_progs[i], gcc_dir, gcc_progs[i]);
		if (system(cmd)) {
			TU_CHECK(0, "bpf-gcc compiles %s.c", gcc_progs[i]);
			return false;
		}
	}
	return true;
}

static void remove_gcc_objects(void)
{
	char path[4200];
	unsigned int i;

	if (!gcc_dir[0])
		return;
	for (i = 0; i < ARRAY_LEN(gcc_progs); i++) {
		snprintf(path, sizeof(path), "%s/%s.gcc.o", gcc_dir, gcc_progs[i]);
		unlink(path);
	}
	rmdir(gcc_dir);
}

static struct bpf64_object *open_obj(const char *path)
{
	char err[ERR_SIZE];
	struct bpf64_object *obj = bpf64_object_open_file(path, err, sizeof(err));

	TU_CHECK(obj, "%s: opens%s%s", path, obj ? "" : ": ", obj ? "" : err);
	return obj;
}

static int map_index(struct bpf64_object *obj, const char *name)
{
	u32 i;

	for (i = 0; i < bpf64_object_nr_maps(obj); i++)
		if (!strcmp(bpf64_object_map(obj, i)->name, name))
			return i;
	return -1;
}

static int prog_index(struct bpf64_object *obj, const char *name)
{
	u32 i;

	for (i = 0; i < bpf64_object_nr_programs(obj); i++)
		if (!strcmp(bpf64_object_program(obj, i)->name, name))
			return i;
	return -1;
}

/* ---- section names ---- */

struct sec_case {
	const char *sec;
	int err;
	u32 type;
	u32 attach;
	u32 flags;
};

static const struct sec_case sec_cases[] = {
	{ "socket", 0, BPF_PROG_TYPE_SOCKET_FILTER },
	{ "socket/x", -ENOENT },
	{ "xdp", 0, BPF_PROG_TYPE_XDP, BPF_XDP },
	{ "xdp.frags", 0, BPF_PROG_TYPE_XDP, BPF_XDP, BPF_F_XDP_HAS_FRAGS },
	{ "xdp/devmap", 0, BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP },
	{ "xdp/foo", -ENOENT },
	{ "tc", 0, BPF_PROG_TYPE_SCHED_CLS },
	{ "tc/ingress", 0, BPF_PROG_TYPE_SCHED_CLS, 46 /* BPF_TCX_INGRESS */ },
	{ "classifier", 0, BPF_PROG_TYPE_SCHED_CLS },
	{ "action", 0, BPF_PROG_TYPE_SCHED_ACT },
	{ "kprobe", 0, BPF_PROG_TYPE_KPROBE },
	{ "kprobe/do_sys_open", 0, BPF_PROG_TYPE_KPROBE },
	{ "kprobe.multi/x*", 0, BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI },
	{ "kprobex", -ENOENT },
	{ "kretprobe/do_sys_open", 0, BPF_PROG_TYPE_KPROBE },
	{ "uprobe.s/bin:f", 0, BPF_PROG_TYPE_KPROBE, 0, BPF_F_SLEEPABLE },
	{ "tracepoint/syscalls/sys_enter_openat", 0, BPF_PROG_TYPE_TRACEPOINT },
	{ "tp/sched/sched_switch", 0, BPF_PROG_TYPE_TRACEPOINT },
	{ "tp", 0, BPF_PROG_TYPE_TRACEPOINT },
	{ "raw_tp/sys_enter", 0, BPF_PROG_TYPE_RAW_TRACEPOINT },
	{ "syscall", 0, BPF_PROG_TYPE_SYSCALL, 0, BPF_F_SLEEPABLE },
	{ "sk_skb/stream_verdict", 0, BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT },
	{ "sk_skb", 0, BPF_PROG_TYPE_SK_SKB },
	{ "cgroup_skb/egress", 0, BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS },
	{ "cgroup/connect4", 0, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT },
	{ "fentry/do_unlinkat", 0, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY },
	{ "lsm.s/file_open", 0, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, BPF_F_SLEEPABLE },
	{ "sk_lookup", 0, BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP },
	{ ".text", -ENOENT },
	{ "", -ENOENT },
};

/* libbpf.so.1, if installed, for a second opinion. */
static struct {
	void *dl;
	typeof(&libbpf_prog_type_by_name) prog_type_by_name;
	typeof(&libbpf_set_print) set_print;
	typeof(&bpf_object__open_mem) open_mem;
	typeof(&bpf_object__close) close;
	typeof(&bpf_object__next_program) next_program;
	typeof(&bpf_object__next_map) next_map;
	typeof(&bpf_program__name) prog_name;
	typeof(&bpf_program__section_name) prog_section;
	typeof(&bpf_program__type) prog_type;
	typeof(&bpf_program__expected_attach_type) prog_attach;
	typeof(&bpf_map__name) map_name;
	typeof(&bpf_map__type) map_type;
	typeof(&bpf_map__key_size) map_key_size;
	typeof(&bpf_map__value_size) map_value_size;
	typeof(&bpf_map__max_entries) map_max_entries;
	typeof(&bpf_map__map_flags) map_flags;
	typeof(&bpf_map__inner_map) inner_map;
} lb;

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

#define LB_SYM(field, sym)	(lb.field = dlsym(lb.dl, #sym))

static bool libbpf_open(void)
{
	lb.dl = dlopen("libbpf.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!lb.dl)
		return false;
	if (!LB_SYM(prog_type_by_name, libbpf_prog_type_by_name) ||
	    !LB_SYM(set_print, libbpf_set_print) ||
	    !LB_SYM(open_mem, bpf_object__open_mem) ||
	    !LB_SYM(close, bpf_object__close) ||
	    !LB_SYM(next_program, bpf_object__next_program) ||
	    !LB_SYM(next_map, bpf_object__next_map) ||
	    !LB_SYM(prog_name, bpf_program__name) ||
	    !LB_SYM(prog_section, bpf_program__section_name) ||
	    !LB_SYM(prog_type, bpf_program__type) ||
	    !LB_SYM(prog_attach, bpf_program__expected_attach_type) ||
	    !LB_SYM(map_name, bpf_map__name) ||
	    !LB_SYM(map_type, bpf_map__type) ||
	    !LB_SYM(map_key_size, bpf_map__key_size) ||
	    !LB_SYM(map_value_size, bpf_map__value_size) ||
	    !LB_SYM(map_max_entries, bpf_map__max_entries) ||
	    !LB_SYM(map_flags, bpf_map__map_flags) ||
	    !LB_SYM(inner_map, bpf_map__inner_map)) {
		dlclose(lb.dl);
		lb.dl = NULL;
		return false;
	}
	lb.set_print(quiet);
	return true;
}

static void test_section_types(void)
{
	unsigned int i, agree = 0, known = 0;

	for (i = 0; i < ARRAY_LEN(sec_cases); i++) {
		const struct sec_case *c = &sec_cases[i];
		u32 type, attach, flags;
		int err = bpf64_section_prog_type(c->sec, &type, &attach, &flags);

		TU_CHECK(err == c->err && type == c->type && attach == c->attach &&
			 flags == c->flags,
			 "section '%s': %d type %u attach %u flags 0x%x (expected %d %u %u 0x%x)",
			 c->sec, err, type, attach, flags, c->err, c->type,
			 c->attach, c->flags);
	}
	if (!lb.dl) {
		tu_skip("# SKIP section names against libbpf: no libbpf.so.1");
		return;
	}
	/* libbpf 1.1 knows fewer names than 6.12's; where it knows, agree */
	for (i = 0; i < ARRAY_LEN(sec_cases); i++) {
		enum bpf_attach_type lattach;
		enum bpf_prog_type ltype;
		u32 type, attach, flags;

		if (lb.prog_type_by_name(sec_cases[i].sec, &ltype, &lattach))
			continue;
		known++;
		bpf64_section_prog_type(sec_cases[i].sec, &type, &attach, &flags);
		if (type == ltype && attach == lattach)
			agree++;
		else
			tu_diag("'%s': libbpf says type %u attach %u, we %u %u",
				sec_cases[i].sec, ltype, lattach, type, attach);
	}
	TU_CHECK(known > 15 && agree == known,
		 "libbpf agrees on the program type of %u of the %u section names it knows",
		 agree, known);
}

/* ---- elf_globals: global data, subprograms, section conventions ---- */

struct exp_prog {
	const char *name;
	const char *sec;
	u32 type;
	u32 attach;
	u32 flags;
};

static const struct exp_prog globals_progs[] = {
	{ "globals_socket", "socket", BPF_PROG_TYPE_SOCKET_FILTER },
	{ "globals_xdp", "xdp", BPF_PROG_TYPE_XDP, BPF_XDP },
	{ "globals_tc", "tc", BPF_PROG_TYPE_SCHED_CLS },
	{ "globals_classifier", "classifier", BPF_PROG_TYPE_SCHED_CLS },
	{ "globals_kprobe", "kprobe/do_nanosleep", BPF_PROG_TYPE_KPROBE },
	{ "globals_kretprobe", "kretprobe/do_nanosleep", BPF_PROG_TYPE_KPROBE },
	{ "globals_tracepoint", "tracepoint/syscalls/sys_enter_nanosleep",
	  BPF_PROG_TYPE_TRACEPOINT },
	{ "globals_tp", "tp/sched/sched_switch", BPF_PROG_TYPE_TRACEPOINT },
	{ "globals_syscall", "syscall", BPF_PROG_TYPE_SYSCALL, 0, BPF_F_SLEEPABLE },
};

static void check_programs(struct bpf64_object *obj, const char *path,
			   const struct exp_prog *exp, unsigned int n)
{
	unsigned int i, ok = 0;

	for (i = 0; i < n; i++) {
		struct bpf64_program *p = bpf64_object_find_program(obj, exp[i].name);

		if (p && !strcmp(p->section, exp[i].sec) && p->type == exp[i].type &&
		    p->expected_attach_type == exp[i].attach &&
		    p->prog_flags == exp[i].flags && p->fd == -1 &&
		    bpf64_object_find_program_by_section(obj, exp[i].sec) == p)
			ok++;
		else
			tu_diag("program %s: %s", exp[i].name,
				p ? "wrong section, type or flags" : "missing");
	}
	TU_CHECK(ok == n && bpf64_object_nr_programs(obj) == n,
		 "%s: %u programs with the sections, types and flags of the source (%u right)",
		 path, bpf64_object_nr_programs(obj), ok);
}

/* The map holding global data of section @sec, as libbpf names it. */
static struct bpf64_elf_map *data_map(struct bpf64_object *obj,
				      const char *sec, int *idx)
{
	u32 i;

	for (i = 0; i < bpf64_object_nr_maps(obj); i++) {
		struct bpf64_elf_map *m = bpf64_object_map(obj, i);

		if (m->kind >= BPF64_MAP_DATA && !strcmp(m->section, sec)) {
			*idx = i;
			return m;
		}
	}
	return NULL;
}

static void check_data_maps(struct bpf64_object *obj, const struct image *im)
{
	static const struct {
		const char *sec;
		const char *name;
		enum bpf64_map_kind kind;
		u32 flags;
	} secs[] = {
		{ ".data", "elf_glob.data", BPF64_MAP_DATA, 0 },
		{ ".rodata", "elf_glob.rodata", BPF64_MAP_RODATA, BPF_F_RDONLY_PROG },
		{ ".bss", "elf_glob.bss", BPF64_MAP_BSS, 0 },
	};
	unsigned int i, n = 0, ok = 0;

	for (i = 0; i < ARRAY_LEN(secs); i++) {
		int s = find_sec(im, secs[i].sec), idx;
		struct bpf64_elf_map *m = data_map(obj, secs[i].sec, &idx);
		const u8 *init;

		if (s < 0 || !shdr(im, s)->sh_size) {
			ok += !m;
			continue;
		}
		n++;
		init = shdr(im, s)->sh_type == SHT_NOBITS ? NULL :
		       im->buf + shdr(im, s)->sh_offset;
		if (m && !strcmp(m->name, secs[i].name) && m->kind == secs[i].kind &&
		    m->def.type == BPF_MAP_TYPE_ARRAY && m->def.key_size == 4 &&
		    m->def.value_size == shdr(im, s)->sh_size &&
		    m->def.max_entries == 1 && m->def.map_flags == secs[i].flags &&
		    (init ? m->data && !memcmp(m->data, init, m->def.value_size) :
			    !m->data))
			ok++;
		else
			tu_diag("%s: map %s is not as expected", im->path, secs[i].sec);
	}
	TU_CHECK(ok == ARRAY_LEN(secs) && bpf64_object_nr_maps(obj) == n,
		 "%s: one ARRAY map per global-data section, named, sized, flagged and filled as libbpf does (%u)",
		 im->path, n);
}

/* Did some LD_IMM64 of @p load the address of variable @var? */
static bool loads_var(struct bpf64_object *obj, const struct bpf64_program *p,
		      const struct image *im, const char *var)
{
	const Elf64_Sym *sym = find_sym(im, var);
	int idx;
	u32 i;

	if (!sym || !data_map(obj, sec_name(im, sym->st_shndx), &idx))
		return false;
	for (i = 0; i + 1 < p->insn_cnt; i++)
		if (p->insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    p->insns[i].src_reg == BPF_PSEUDO_MAP_IDX_VALUE &&
		    p->insns[i].imm == idx &&
		    (u32)p->insns[i + 1].imm == sym->st_value)
			return true;
	return false;
}

static u64 func_insns(const struct image *im, const char *name)
{
	const Elf64_Sym *sym = find_sym(im, name);

	return sym ? sym->st_size / 8 : 0;
}

/* Every pseudo call lands on the first instruction of an appended copy. */
static bool calls_resolved(const struct bpf64_program *p, const u32 *starts,
			   unsigned int nr_starts)
{
	unsigned int i, j, calls = 0;

	for (i = 0; i < p->insn_cnt; i++) {
		const struct bpf_insn *insn = &p->insns[i];
		s64 t = (s64)i + insn->imm + 1;

		if (insn->code != (BPF_JMP | BPF_CALL) ||
		    insn->src_reg != BPF_PSEUDO_CALL)
			continue;
		for (j = 0; j < nr_starts && starts[j] != t; j++)
			;
		if (j == nr_starts)
			return false;
		calls++;
	}
	return calls > 0;
}

static void check_globals(const char *path)
{
	struct bpf64_object *obj = open_obj(path);
	struct bpf64_program *p;
	struct image im;
	u32 own, scaled, add;

	if (!obj)
		return;
	if (!load_image(&im, path)) {
		TU_CHECK(0, "%s: readable", path);
		bpf64_object_close(obj);
		return;
	}
	TU_CHECK(!strcmp(bpf64_object_license(obj), "GPL") &&
		 !strcmp(bpf64_object_name(obj), "elf_globals"),
		 "%s: license '%s', object name '%s'", path,
		 bpf64_object_license(obj), bpf64_object_name(obj));
	check_programs(obj, path, globals_progs, ARRAY_LEN(globals_progs));
	check_data_maps(obj, &im);
	p = bpf64_object_find_program(obj, "globals_socket");
	if (p) {
		TU_CHECK(loads_var(obj, p, &im, "counter") &&
			 loads_var(obj, p, &im, "bias") &&
			 loads_var(obj, p, &im, "factor") &&
			 loads_var(obj, p, &im, "zeroed"),
			 "%s: globals_socket's LD_IMM64s carry the map and offset of counter, bias (static), factor and zeroed",
			 path);
		own = func_insns(&im, "globals_socket");
		add = func_insns(&im, "add_global");
		scaled = func_insns(&im, "scaled");
		{
			u32 starts[] = { own, own + add };

			TU_CHECK(p->insn_cnt == own + add + scaled &&
				 calls_resolved(p, starts, ARRAY_LEN(starts)),
				 "%s: globals_socket (%u insns) has add_global (%u) and scaled (%u) appended once, every call on one of them (%u total)",
				 path, own, add, scaled, p->insn_cnt);
		}
	}
	p = bpf64_object_find_program(obj, "globals_classifier");
	TU_CHECK(p && p->insn_cnt == func_insns(&im, "globals_classifier"),
		 "%s: a program that calls nothing gets nothing appended", path);
	free(im.buf);
	bpf64_object_close(obj);
}

/* ---- elf_maps: BTF-defined maps, map-in-map, prog array ---- */

struct exp_map {
	const char *name;
	enum bpf64_map_kind kind;
	u32 type, key_size, value_size, max_entries, flags;
};

static const struct exp_map btf_maps[] = {
	{ "btf_hash", BPF64_MAP_BTF, BPF_MAP_TYPE_HASH, 12, 24, 8, BPF_F_NO_PREALLOC },
	{ "sized", BPF64_MAP_BTF, BPF_MAP_TYPE_ARRAY, 4, 16, 2, 0 },
	{ "inner_a", BPF64_MAP_BTF, BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0 },
	{ "inner_b", BPF64_MAP_BTF, BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0 },
	{ "outer", BPF64_MAP_BTF, BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0 },
	{ "outer.inner", BPF64_MAP_INNER, BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0 },
	{ "jumps", BPF64_MAP_BTF, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2, 0 },
};

static const struct exp_map legacy_maps[] = {
	{ "legacy_hash", BPF64_MAP_LEGACY, BPF_MAP_TYPE_HASH, 4, 8, 16, 0 },
	{ "legacy_array", BPF64_MAP_LEGACY, BPF_MAP_TYPE_ARRAY, 4, 4, 2, 0 },
};

static void check_maps_defs(struct bpf64_object *obj, const char *path,
			    const struct exp_map *exp, unsigned int n)
{
	unsigned int i, ok = 0;

	for (i = 0; i < n; i++) {
		int idx = map_index(obj, exp[i].name);
		struct bpf64_elf_map *m = idx >= 0 ? bpf64_object_map(obj, idx) : NULL;

		if (m && m->kind == exp[i].kind && m->def.type == exp[i].type &&
		    m->def.key_size == exp[i].key_size &&
		    m->def.value_size == exp[i].value_size &&
		    m->def.max_entries == exp[i].max_entries &&
		    m->def.map_flags == exp[i].flags && m->fd == -1)
			ok++;
		else
			tu_diag("map %s: %s", exp[i].name,
				m ? "definition differs" : "missing");
	}
	TU_CHECK(ok == n, "%s: %u map definitions as the source has them", path, ok);
}

/* Does some LD_IMM64 of @p load map @name? */
static bool loads_map(struct bpf64_object *obj, const struct bpf64_program *p,
		      const char *name)
{
	int idx = map_index(obj, name);
	u32 i;

	for (i = 0; p && idx >= 0 && i + 1 < p->insn_cnt; i++)
		if (p->insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    p->insns[i].src_reg == BPF_PSEUDO_MAP_IDX &&
		    p->insns[i].imm == idx && !p->insns[i + 1].imm)
			return true;
	return false;
}

static void check_maps(const char *path)
{
	struct bpf64_object *obj = open_obj(path);
	struct bpf64_elf_map *outer, *jumps;
	struct bpf64_program *main_p;

	if (!obj)
		return;
	check_maps_defs(obj, path, btf_maps, ARRAY_LEN(btf_maps));
	outer = bpf64_object_find_map(obj, "outer");
	jumps = bpf64_object_find_map(obj, "jumps");
	TU_CHECK(outer && outer->inner == map_index(obj, "outer.inner") &&
		 outer->inner < map_index(obj, "outer") && outer->nr_slots == 3 &&
		 outer->slots[0] == map_index(obj, "inner_a") &&
		 outer->slots[1] == -1 &&
		 outer->slots[2] == map_index(obj, "inner_b"),
		 "%s: outer has its inner template first and elements { [0] = inner_a, [2] = inner_b }",
		 path);
	TU_CHECK(jumps && jumps->inner == -1 && jumps->nr_slots == 2 &&
		 jumps->slots[0] == -1 &&
		 jumps->slots[1] == prog_index(obj, "maps_tail"),
		 "%s: jumps has element [1] = maps_tail", path);
	main_p = bpf64_object_find_program(obj, "maps_main");
	TU_CHECK(loads_map(obj, main_p, "btf_hash") &&
		 loads_map(obj, main_p, "sized") && loads_map(obj, main_p, "jumps") &&
		 loads_map(obj, bpf64_object_find_program(obj, "maps_tail"), "outer"),
		 "%s: map references are BPF_PSEUDO_MAP_IDX of the right maps", path);
	bpf64_object_close(obj);
}

static void check_legacy(const char *path)
{
	struct bpf64_object *obj = open_obj(path);
	struct bpf64_program *p;

	if (!obj)
		return;
	check_maps_defs(obj, path, legacy_maps, ARRAY_LEN(legacy_maps));
	p = bpf64_object_find_program(obj, "legacy_socket");
	TU_CHECK(bpf64_object_kversion(obj) == 0x060c00 &&
		 loads_map(obj, p, "legacy_hash") &&
		 loads_map(obj, p, "legacy_array"),
		 "%s: version 0x%x; legacy maps referenced", path,
		 bpf64_object_kversion(obj));
	bpf64_object_close(obj);
}

static void check_pin(const char *path)
{
	struct bpf64_object *obj = open_obj(path);
	struct bpf64_elf_map *m;

	if (!obj)
		return;
	m = bpf64_object_find_map(obj, "elf_pin_counts");
	TU_CHECK(m && m->pinning == BPF64_PIN_BY_NAME && m->def.max_entries == 1,
		 "%s: elf_pin_counts is pinned by name", path);
	bpf64_object_close(obj);
}

static void check_callback(const char *path)
{
	struct bpf64_object *obj = open_obj(path);
	struct bpf64_program *p;
	struct image im;
	u32 i, own, cb;
	bool found = false;

	if (!obj)
		return;
	p = bpf64_object_find_program(obj, "callback_socket");
	if (p && load_image(&im, path)) {
		own = func_insns(&im, "callback_socket");
		cb = func_insns(&im, "add_index");
		for (i = 0; i + 1 < p->insn_cnt; i++)
			if (p->insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
			    p->insns[i].src_reg == BPF_PSEUDO_FUNC &&
			    i + p->insns[i].imm + 1 == own && !p->insns[i + 1].imm)
				found = true;
		TU_CHECK(found && p->insn_cnt == own + cb,
			 "%s: the callback's address is BPF_PSEUDO_FUNC to its appended copy",
			 path);
		free(im.buf);
	} else {
		TU_CHECK(0, "%s: callback_socket found", path);
	}
	bpf64_object_close(obj);
}

/* ---- libbpf's view of the same objects ---- */

static void compare_with_libbpf(const char *path, const char *name)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name);
	unsigned int progs = 0, maps = 0, bad = 0;
	struct bpf64_object *obj;
	struct bpf_program *lp;
	struct bpf_object *lo;
	struct bpf_map *lm;
	struct image im;

	if (!lb.dl || !load_image(&im, path))
		return;
	obj = bpf64_object_open_mem(im.buf, im.len, name, NULL, 0);
	lo = lb.open_mem(im.buf, im.len, &opts);
	if (!obj || !lo) {
		TU_CHECK(0, "%s: both open (bpf64 %p, libbpf %p)", path, obj, lo);
		goto out;
	}
	for (lp = lb.next_program(lo, NULL); lp; lp = lb.next_program(lo, lp)) {
		struct bpf64_program *p = bpf64_object_find_program(obj, lb.prog_name(lp));

		progs++;
		bad += !p || strcmp(p->section, lb.prog_section(lp)) ||
		       p->type != lb.prog_type(lp) ||
		       p->expected_attach_type != lb.prog_attach(lp);
	}
	for (lm = lb.next_map(lo, NULL); lm; lm = lb.next_map(lo, lm)) {
		struct bpf64_elf_map *m = bpf64_object_find_map(obj, lb.map_name(lm));
		struct bpf_map *li = lb.inner_map(lm);

		maps++;
		/* libbpf makes global data mmapable; we have no mmap */
		bad += !m || m->def.type != lb.map_type(lm) ||
		       m->def.key_size != lb.map_key_size(lm) ||
		       m->def.value_size != lb.map_value_size(lm) ||
		       m->def.max_entries != lb.map_max_entries(lm) ||
		       m->def.map_flags != (lb.map_flags(lm) & ~BPF_F_MMAPABLE) ||
		       (li && (m->inner < 0 ||
			       bpf64_object_map(obj, m->inner)->def.type != lb.map_type(li) ||
			       bpf64_object_map(obj, m->inner)->def.max_entries !=
			       lb.map_max_entries(li)));
		if (m && m->inner >= 0)
			maps++;		/* libbpf does not list inner templates */
	}
	TU_CHECK(!bad && progs == bpf64_object_nr_programs(obj) &&
		 maps == bpf64_object_nr_maps(obj),
		 "%s: libbpf sees the same %u programs and %u maps (%u differ)",
		 path, progs, maps, bad);
out:
	if (lo)
		lb.close(lo);
	bpf64_object_close(obj);
	free(im.buf);
}

/* ---- loading and running ---- */

static bool can_load(const struct bpf64_backend *be)
{
	static const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf64_load_opts o = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER };
	int fd = bpf64_prog_load(be, ret0, 2, &o);

	if (fd < 0) {
		tu_skip("# SKIP %s: loading objects: the backend cannot load a socket filter yet (%s)",
			be->name, strerror(-fd));
		return false;
	}
	be->close(fd);
	return true;
}

static struct bpf64_object *load_obj(const struct bpf64_backend *be,
				     const char *path)
{
	struct bpf64_object *obj = open_obj(path);
	char *log = calloc(1, LOG_SIZE);
	bool all = true;
	u32 i;
	int err;

	if (!obj || !log) {
		free(log);
		bpf64_object_close(obj);
		return NULL;
	}
	err = bpf64_object_load(obj, be, log, LOG_SIZE);
	for (i = 0; !err && i < bpf64_object_nr_programs(obj); i++)
		all &= bpf64_object_program(obj, i)->fd >= 0;
	for (i = 0; !err && i < bpf64_object_nr_maps(obj); i++) {
		struct bpf64_elf_map *m = bpf64_object_map(obj, i);

		all &= m->kind == BPF64_MAP_INNER ? m->fd < 0 : m->fd >= 0;
	}
	TU_CHECK(!err && all, "%s: %s loads every map and program%s%s",
		 be->name, path, err ? ": " : "", err ? strerror(-err) : "");
	if (err)
		tu_diag("%s", log);
	free(log);
	if (err) {
		bpf64_object_close(obj);
		return NULL;
	}
	return obj;
}

/*
 * A refusal's log names the source line of the instructions on the path
 * (from .BTF.ext, for either backend), the callee's lines included, each
 * once, before its first instruction.
 */
static void check_source_lines(const char *path)
{
	const struct bpf64_backend *be;
	char *log = calloc(1, LOG_SIZE);
	struct bpf64_object *obj;
	struct bpf64_program *p;
	const char *call, *load, *err;
	int ret;

	for_each_backend(be) {
		obj = log ? open_obj(path) : NULL;
		if (!obj)
			break;
		p = bpf64_object_program(obj, 0);
		TU_CHECK(p && p->nr_lines >= 3 && p->lines[0].insn == 0 &&
			 p->lines[0].line > 20,
			 "%s: %u source lines, the first at insn 0", path,
			 p ? p->nr_lines : 0);
		ret = bpf64_object_load(obj, be, log, LOG_SIZE);
		call = strstr(log, "; return first_byte(ctx) == 1 ? 1 : XDP_PASS; @ lines_refused.c:24\n");
		load = strstr(log, "; return data[0];\t/* never checked against data_end */ @ lines_refused.c:18\n");
		err = strstr(log, "invalid access to packet");
		TU_CHECK(ret == -EACCES && call && load && err && call < load &&
			 load < err && !strstr(load + 1, "; return data[0];"),
			 "%s: %s: the refusal names the source lines (%d)",
			 be->name, path, ret);
		if (!(call && load && err))
			tu_diag("%s", log);
		bpf64_object_close(obj);
	}
	free(log);
}

static int run(const struct bpf64_backend *be, struct bpf64_program *p,
	       u32 *retval)
{
	static unsigned char pkt[64] = { [12] = 0x08 };	/* IPv4 */
	struct bpf64_test_opts t = { .data_in = pkt, .data_size_in = sizeof(pkt) };
	int err = bpf64_prog_test_run(be, p->fd, &t);

	*retval = t.retval;
	return err;
}

static void run_globals(const struct bpf64_backend *be, const char *path)
{
	struct bpf64_object *obj = load_obj(be, path);
	struct bpf64_elf_map *data, *bss, *ro;
	u32 r1 = 0, r2 = 0, key = 0, one = 1;
	int e1, e2, idx, err;
	unsigned char *val;
	struct image im;
	const Elf64_Sym *counter;

	if (!obj)
		return;
	e1 = run(be, bpf64_object_find_program(obj, "globals_socket"), &r1);
	e2 = run(be, bpf64_object_find_program(obj, "globals_socket"), &r2);
	TU_CHECK(!e1 && !e2 && r1 == 23 && r2 == 24,
		 "%s: %s globals_socket answers 2*3+11+6 = 23, then 24 (%d %u, %d %u)",
		 be->name, path, e1, r1, e2, r2);
	e1 = run(be, bpf64_object_find_program(obj, "globals_xdp"), &r1);
	TU_CHECK(!e1 && r1 == XDP_PASS, "%s: %s globals_xdp passes (%d %u)",
		 be->name, path, e1, r1);
	data = data_map(obj, ".data", &idx);
	bss = data_map(obj, ".bss", &idx);
	val = calloc(1, 4096);
	if (data && bss && val && load_image(&im, path)) {
		counter = find_sym(&im, "counter");
		e1 = bpf64_map_lookup(be, data->fd, &key, val, 0);
		r1 = 0;
		if (counter && !e1)
			memcpy(&r1, val + counter->st_value, 4);
		e2 = bpf64_map_lookup(be, bss->fd, &key, val, 0);
		memcpy(&r2, val, 4);
		TU_CHECK(!e1 && !e2 && r1 == 7 && r2 == 4,
			 "%s: %s after two runs counter (.data) is 7, zeroed (.bss) 4 (%u %u)",
			 be->name, path, r1, r2);
		free(im.buf);
	}
	ro = data_map(obj, ".rodata", &idx);
	if (ro) {
		err = bpf64_map_update(be, ro->fd, &key, &one, 0);
		TU_CHECK(err == -EPERM, "%s: %s .rodata is frozen: update gives %d",
			 be->name, path, err);
	}
	free(val);
	bpf64_object_close(obj);
}

static void run_maps(const struct bpf64_backend *be, const char *path)
{
	struct bpf64_object *obj = load_obj(be, path);
	struct bpf64_elf_map *inner_b;
	u32 key = 0, two = 2, r = 0;
	int err;

	if (!obj)
		return;
	inner_b = bpf64_object_find_map(obj, "inner_b");
	err = inner_b ? bpf64_map_update(be, inner_b->fd, &key, &two, 0) : -ENOENT;
	if (!err)
		err = run(be, bpf64_object_find_program(obj, "maps_main"), &r);
	TU_CHECK(!err && r == 42,
		 "%s: %s maps_main tail-calls maps_tail through jumps[1], which reads outer[2] = inner_b: 42 (%d %u)",
		 be->name, path, err, r);
	bpf64_object_close(obj);
}

static void run_legacy(const struct bpf64_backend *be, const char *path)
{
	struct bpf64_object *obj = load_obj(be, path);
	struct bpf64_elf_map *arr, *hash;
	u32 key = 0, v = 37, r = 0;
	u64 runs = 0;
	int err;

	if (!obj)
		return;
	arr = bpf64_object_find_map(obj, "legacy_array");
	hash = bpf64_object_find_map(obj, "legacy_hash");
	err = arr && hash ? bpf64_map_update(be, arr->fd, &key, &v, 0) : -ENOENT;
	if (!err)
		err = run(be, bpf64_object_find_program(obj, "legacy_socket"), &r);
	if (!err)
		err = bpf64_map_lookup(be, hash->fd, &key, &runs, 0);
	TU_CHECK(!err && r == 42 && runs == 1,
		 "%s: %s legacy_socket reads legacy_array (42) and counts in legacy_hash (%d %u %llu)",
		 be->name, path, err, r, (unsigned long long)runs);
	bpf64_object_close(obj);
}

#define PIN_PATH	BPF64_PIN_ROOT "/elf_pin_counts"

/* Three loads share the pinned map, the pin outliving the objects. */
static void run_pin(const struct bpf64_backend *be, const char *path)
{
	struct bpf64_object *a, *b, *c = NULL;
	u32 r1 = 0, r2 = 0, r3 = 0;
	int e1 = -1, e2 = -1, e3 = -1;

	be->unpin(PIN_PATH);	/* a leftover of an interrupted run */
	a = load_obj(be, path);
	b = a ? load_obj(be, path) : NULL;
	if (a && b) {
		e1 = run(be, bpf64_object_find_program(a, "pin_socket"), &r1);
		e2 = run(be, bpf64_object_find_program(b, "pin_socket"), &r2);
	}
	bpf64_object_close(a);
	bpf64_object_close(b);
	if (a && b)
		c = load_obj(be, path);
	if (c)
		e3 = run(be, bpf64_object_find_program(c, "pin_socket"), &r3);
	TU_CHECK(!e1 && !e2 && !e3 && r1 == 1 && r2 == 2 && r3 == 3,
		 "%s: %s three loads count 1, 2, 3 in the map pinned at %s (%u %u %u)",
		 be->name, path, PIN_PATH, r1, r2, r3);
	bpf64_object_close(c);
	TU_CHECK(!be->unpin(PIN_PATH), "%s: %s unpinned", be->name, PIN_PATH);
}

/* A map pinned under the name that is not what the object defines. */
static void run_pin_mismatch(const struct bpf64_backend *be, const char *path)
{
	struct bpf64_object *obj = open_obj(path);
	char log[512] = "";
	int fd, err = 0;

	be->unpin(PIN_PATH);
	fd = bpf64_map_create(be, BPF_MAP_TYPE_ARRAY, "other", 4, 8, 1, 0);
	if (fd >= 0)
		err = bpf64_obj_pin(be, fd, PIN_PATH);
	if (obj && fd >= 0 && !err)
		err = bpf64_object_load(obj, be, log, sizeof(log));
	TU_CHECK(fd >= 0 && err == -EINVAL && strstr(log, "does not match"),
		 "%s: a map of another value size pinned at %s is refused: %s",
		 be->name, PIN_PATH, log);
	if (fd >= 0)
		be->close(fd);
	be->unpin(PIN_PATH);
	bpf64_object_close(obj);
}

static void test_load_and_run(bool gcc)
{
	const struct bpf64_backend *be;
	char path[4200];
	unsigned int i;

	for_each_backend(be) {
		if (!can_load(be))
			continue;
		for (i = 0; i < ARRAY_LEN(variants); i++) {
			const struct variant *v = &variants[i];

			if (v->gcc && !gcc)
				continue;
			object_path(path, sizeof(path), "elf_globals", v);
			run_globals(be, path);
			object_path(path, sizeof(path), "elf_maps", v);
			run_maps(be, path);
			object_path(path, sizeof(path), "elf_legacy", v);
			run_legacy(be, path);
			object_path(path, sizeof(path), "elf_pin", v);
			run_pin(be, path);
		}
		object_path(path, sizeof(path), "elf_pin", &variants[0]);
		run_pin_mismatch(be, path);
	}
}

/* ---- hostile inputs ---- */

static bool open_fails(const void *buf, size_t len, const char *want,
		       char *err)
{
	struct bpf64_object *obj = bpf64_object_open_mem(buf, len, "h", err,
							 ERR_SIZE);

	bpf64_object_close(obj);
	return !obj && err[0] && (!want || strstr(err, want));
}

static void test_truncated(const struct image *im)
{
	char err[ERR_SIZE];
	size_t len, bad = 0, n = 0;

	for (len = 0; len < im->len; len += len < 256 ? 1 : 13, n++)
		if (!open_fails(im->buf, len, NULL, err)) {
			if (!bad++)
				tu_diag("%zu bytes: %s", len, err[0] ? err : "opened");
		}
	TU_CHECK(!bad, "%s: %zu truncations all fail with a message (%zu did not)",
		 im->path, n, bad);
}

/* A fresh copy of the object to break one thing in. */
struct mut {
	struct image im;
	const struct image *orig;
};

static void mut_reset(struct mut *m)
{
	memcpy(m->im.buf, m->orig->buf, m->orig->len);
}

static Elf64_Rel *first_rel(const struct image *im, const char *sec)
{
	int s = find_sec(im, sec);

	return s < 0 ? NULL : (Elf64_Rel *)(im->buf + shdr(im, s)->sh_offset);
}

/* An LD_IMM64 with a relocation against a section symbol (a static). */
static Elf64_Rel *static_data_rel(const struct image *im, const char *sec,
				  struct bpf_insn **insn)
{
	int rs = find_sec(im, sec), st = symtab(im), target;
	Elf64_Sym *syms = (Elf64_Sym *)(im->buf + shdr(im, st)->sh_offset);
	Elf64_Rel *rel;
	size_t i;

	if (rs < 0)
		return NULL;
	target = shdr(im, rs)->sh_info;
	rel = (Elf64_Rel *)(im->buf + shdr(im, rs)->sh_offset);
	for (i = 0; i < shdr(im, rs)->sh_size / sizeof(*rel); i++) {
		Elf64_Sym *sym = &syms[ELF64_R_SYM(rel[i].r_info)];

		*insn = (struct bpf_insn *)(im->buf + shdr(im, target)->sh_offset +
					    rel[i].r_offset);
		if (ELF64_ST_TYPE(sym->st_info) == STT_SECTION &&
		    (*insn)->code == (BPF_LD | BPF_IMM | BPF_DW))
			return &rel[i];
	}
	return NULL;
}

struct hostile {
	const char *what;
	const char *want;	/* in the message */
	bool (*apply)(struct image *im);
};

static bool h_magic(struct image *im)
{
	im->buf[1] = 'X';
	return true;
}

static bool h_class(struct image *im)
{
	im->buf[EI_CLASS] = ELFCLASS32;
	return true;
}

static bool h_endian(struct image *im)
{
	im->buf[EI_DATA] = ELFDATA2MSB;
	return true;
}

static bool h_type(struct image *im)
{
	ehdr(im)->e_type = ET_EXEC;
	return true;
}

static bool h_machine(struct image *im)
{
	ehdr(im)->e_machine = EM_X86_64;
	return true;
}

static bool h_shoff(struct image *im)
{
	ehdr(im)->e_shoff = im->len - 8;
	return true;
}

static bool h_shnum(struct image *im)
{
	ehdr(im)->e_shnum = 0xfff0;
	return true;
}

static bool h_shstrndx(struct image *im)
{
	ehdr(im)->e_shstrndx = ehdr(im)->e_shnum;
	return true;
}

static bool h_sec_offset(struct image *im)
{
	shdr(im, find_sec(im, ".text"))->sh_offset = (u64)-64;
	return true;
}

static bool h_sec_size(struct image *im)
{
	shdr(im, find_sec(im, "socket"))->sh_size = im->len;
	return true;
}

static bool h_sec_name(struct image *im)
{
	shdr(im, 2)->sh_name = 0x7fffffff;
	return true;
}

static bool h_prog_size(struct image *im)
{
	shdr(im, find_sec(im, "socket"))->sh_size -= 4;
	return true;
}

static bool h_sym_shndx(struct image *im)
{
	find_sym(im, "globals_socket")->st_shndx = ehdr(im)->e_shnum + 3;
	return true;
}

static bool h_sym_name(struct image *im)
{
	find_sym(im, "globals_socket")->st_name = 0x7ffffff0;
	return true;
}

static bool h_func_size(struct image *im)
{
	find_sym(im, "globals_socket")->st_size = 0x100000;
	return true;
}

static bool h_func_static(struct image *im)
{
	Elf64_Sym *s = find_sym(im, "globals_socket");

	s->st_info = ELF64_ST_INFO(STB_LOCAL, STT_FUNC);
	return true;
}

static bool h_symtab_entsize(struct image *im)
{
	shdr(im, symtab(im))->sh_entsize = 16;
	return true;
}

static bool h_rel_sym(struct image *im)
{
	Elf64_Rel *r = first_rel(im, ".relsocket");

	r->r_info = ELF64_R_INFO(0xffffff, ELF64_R_TYPE(r->r_info));
	return true;
}

static bool h_rel_offset(struct image *im)
{
	first_rel(im, ".relsocket")->r_offset = 0x7ffffff8;
	return true;
}

static bool h_rel_unaligned(struct image *im)
{
	first_rel(im, ".relsocket")->r_offset += 1;
	return true;
}

static bool h_rel_type(struct image *im)
{
	Elf64_Rel *r = first_rel(im, ".relsocket");

	r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), 3);
	return true;
}

static bool h_rel_target(struct image *im)
{
	shdr(im, find_sec(im, ".relsocket"))->sh_info = 0xfffff;
	return true;
}

static bool h_rel_on_alu(struct image *im)
{
	Elf64_Rel *r = first_rel(im, ".relsocket");

	r->r_offset += 16;	/* past the LD_IMM64 */
	return true;
}

static bool h_static_off(struct image *im)
{
	struct bpf_insn *insn;
	Elf64_Rel *r = static_data_rel(im, ".rel.text", &insn);

	if (!r)
		return false;
	insn->imm = 0x10000;	/* far past .data */
	return true;
}

static bool h_rel_to_undef(struct image *im)
{
	find_sym(im, "counter")->st_shndx = SHN_UNDEF;
	return true;
}

/* The call of add_global relocated against a variable instead. */
static bool h_call_not_text(struct image *im)
{
	int rs = find_sec(im, ".relsocket");
	Elf64_Rel *rel = first_rel(im, ".relsocket");
	Elf64_Sym *syms = (Elf64_Sym *)(im->buf + shdr(im, symtab(im))->sh_offset);
	size_t i, counter = find_sym(im, "counter") - syms;

	for (i = 0; i < shdr(im, rs)->sh_size / sizeof(*rel); i++) {
		if (ELF64_R_TYPE(rel[i].r_info) != R_BPF_64_32)
			continue;
		rel[i].r_info = ELF64_R_INFO(counter, R_BPF_64_32);
		return true;
	}
	return false;
}

static const struct hostile globals_hostile[] = {
	{ "bad magic", "not an ELF file", h_magic },
	{ "32-bit class", "not a 64-bit", h_class },
	{ "big-endian data", "byte order", h_endian },
	{ "ET_EXEC", "not a relocatable object", h_type },
	{ "x86 machine", "is not BPF", h_machine },
	{ "section headers past the end", "section headers", h_shoff },
	{ "too many sections", "run past the end", h_shnum },
	{ "section name table index out of range", "section name table index", h_shstrndx },
	{ "section offset out of the file", "outside the", h_sec_offset },
	{ "section size out of the file", "outside the", h_sec_size },
	{ "section name out of range", "name offset", h_sec_name },
	{ "program section of 4.5 instructions", "no whole number of instructions", h_prog_size },
	{ "symbol of a section that is not there", "section index", h_sym_shndx },
	{ "symbol name out of range", "name offset", h_sym_name },
	{ "function past its section", "runs past", h_func_size },
	{ "static program", "is static", h_func_static },
	{ "symbol table entry size", "symbol table", h_symtab_entsize },
	{ "relocation's symbol out of range", "symbol index", h_rel_sym },
	{ "relocation past the section", "offset outside", h_rel_offset },
	{ "relocation between instructions", "no instruction boundary", h_rel_unaligned },
	{ "data relocation type on an instruction", "no instruction relocation", h_rel_type },
	{ "relocation of a section that is not there", "past the", h_rel_target },
	{ "relocation of an ALU instruction", "does not fit instruction", h_rel_on_alu },
	{ "static variable's offset past its section", "outside the", h_static_off },
	{ "LD_IMM64 of an extern", "extern", h_rel_to_undef },
	{ "call of a function outside .text", "subprograms must be in .text", h_call_not_text },
};

static bool h_maps_sym_size(struct image *im)
{
	find_sym(im, "sized")->st_size = 12;
	return true;
}

static bool h_maps_var_name(struct image *im)
{
	/* the symbol no longer names a BTF variable */
	Elf64_Shdr *st = shdr(im, symtab(im));
	char *name = (char *)im->buf + shdr(im, st->sh_link)->sh_offset +
		     find_sym(im, "sized")->st_name;

	name[0] = 'S';
	return true;
}

static bool h_btf_magic(struct image *im)
{
	im->buf[shdr(im, find_sec(im, ".BTF"))->sh_offset] ^= 0xff;
	return true;
}

static bool h_btf_type_ref(struct image *im)
{
	const Elf64_Shdr *sh = shdr(im, find_sec(im, ".BTF"));
	unsigned char *types;
	struct btf_header hdr;
	struct btf_type t;

	/* the first type, if it refers to another: to one far past the end */
	memcpy(&hdr, im->buf + sh->sh_offset, sizeof(hdr));
	types = im->buf + sh->sh_offset + hdr.hdr_len + hdr.type_off;
	memcpy(&t, types, sizeof(t));
	switch (BTF_INFO_KIND(t.info)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_FUNC:
		t.type = 0xfffffff;
		memcpy(types, &t, sizeof(t));
		return true;
	}
	return false;
}

static bool h_btf_strings(struct image *im)
{
	const Elf64_Shdr *sh = shdr(im, find_sec(im, ".BTF"));
	struct btf_header hdr;

	memcpy(&hdr, im->buf + sh->sh_offset, sizeof(hdr));
	hdr.str_len += 0x1000;
	memcpy(im->buf + sh->sh_offset, &hdr, sizeof(hdr));
	return true;
}

static bool h_maps_rel_slot(struct image *im)
{
	Elf64_Rel *r = first_rel(im, ".rel.maps");

	r->r_offset += 4;	/* between two elements */
	return true;
}

static const struct hostile maps_hostile[] = {
	{ "map symbol smaller than its definition", "is not a map definition", h_maps_sym_size },
	{ "map symbol without a BTF variable", "has no BTF variable", h_maps_var_name },
	{ "BTF magic", "BTF: bad magic", h_btf_magic },
	{ "BTF type referring past the last type", "refers to a type past", h_btf_type_ref },
	{ "BTF strings past the section", "past the", h_btf_strings },
	{ ".maps relocation between elements", "'values'", h_maps_rel_slot },
};

static bool h_legacy_size(struct image *im)
{
	find_sym(im, "legacy_array")->st_size = 12;
	return true;
}

static bool h_legacy_extra(struct image *im)
{
	Elf64_Sym *s = find_sym(im, "legacy_hash");

	/* 24 bytes, the last ones (legacy_array's type) non-zero */
	s->st_size = 24;
	return true;
}

static const struct hostile legacy_hostile[] = {
	{ "legacy map of 12 bytes", "is not a map definition", h_legacy_size },
	{ "legacy map with non-zero bytes past bpf_map_def", "non-zero bytes", h_legacy_extra },
};

static void test_hostile(const char *name, const struct hostile *h,
			 unsigned int n)
{
	char path[4200], err[ERR_SIZE];
	const struct variant v3 = { "v3" };
	struct image orig;
	struct mut m;
	unsigned int i;

	object_path(path, sizeof(path), name, &v3);
	if (!load_image(&orig, path)) {
		TU_CHECK(0, "%s readable", path);
		return;
	}
	m.orig = &orig;
	m.im = orig;
	m.im.buf = malloc(orig.len);
	if (!m.im.buf)
		goto out;
	if (!strcmp(name, "elf_globals"))
		test_truncated(&orig);
	for (i = 0; i < n; i++) {
		mut_reset(&m);
		if (!h[i].apply(&m.im)) {
			TU_CHECK(0, "%s: %s: nothing to break", path, h[i].what);
			continue;
		}
		TU_CHECK(open_fails(m.im.buf, m.im.len, h[i].want, err),
			 "%s, %s: fails with \"%s\"", name, h[i].what, err);
	}
	free(m.im.buf);
out:
	free(orig.buf);
}

/* Random damage: never a crash, and a failure always says why. */
static void test_mutations(const char *name, unsigned int rounds)
{
	char path[4200], err[ERR_SIZE];
	const struct variant v2 = { "v2" };
	unsigned int i, j, opened = 0, silent = 0;
	struct image orig;
	unsigned char *buf;
	u64 seed = 0x5eed;

	object_path(path, sizeof(path), name, &v2);
	if (!load_image(&orig, path)) {
		TU_CHECK(0, "%s readable", path);
		return;
	}
	buf = malloc(orig.len);
	for (i = 0; buf && i < rounds; i++) {
		struct bpf64_object *obj;

		memcpy(buf, orig.buf, orig.len);
		for (j = 0; j < 1 + i % 4; j++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			buf[(seed >> 33) % orig.len] ^= 1u << ((seed >> 20) & 7);
		}
		obj = bpf64_object_open_mem(buf, orig.len, name, err, sizeof(err));
		if (obj)
			opened++;
		else
			silent += !err[0];
		bpf64_object_close(obj);
	}
	TU_CHECK(buf && !silent,
		 "%s: %u random bit flips: no crash, %u still open, every failure says why",
		 path, rounds, opened);
	free(buf);
	free(orig.buf);
}

/* ---- BTF reader ---- */

static void test_btf(void)
{
	/* [1] int, [2] typedef t -> 1, [3] array of 5 t, [4] const -> 3 */
	static const u32 blob[] = {
		0xeB9F | 1 << 16, 24, 0, 64, 64, 8,
		/* [1] INT "int" size 4 */
		1, BTF_KIND_INT << 24, 4, 32,
		/* [2] TYPEDEF "t" -> 1 */
		5, BTF_KIND_TYPEDEF << 24, 1,
		/* [3] ARRAY of 5 [2] */
		0, BTF_KIND_ARRAY << 24, 0, 2, 1, 5,
		/* [4] CONST -> 3 */
		0, BTF_KIND_CONST << 24, 3,
		/* strings: "\0int\0t\0\0" */
		0x746e6900, 0x00007400,
	};
	unsigned char copy[sizeof(blob)];
	struct bpf64_btf *btf;
	char err[128];
	u32 size = 0;
	int ret;

	ret = bpf64_btf_parse(blob, sizeof(blob), &btf, err, sizeof(err));
	TU_CHECK(!ret, "BTF: a small blob parses (%s)", ret ? err : "ok");
	if (ret)
		return;
	ret = bpf64_btf_resolve_size(btf, 4, &size);
	TU_CHECK(bpf64_btf_nr_types(btf) == 5 && !ret && size == 20 &&
		 bpf64_btf_find(btf, "t", BTF_KIND_TYPEDEF) == 2 &&
		 bpf64_btf_skip_mods(btf, 2, NULL) == bpf64_btf_type(btf, 1),
		 "BTF: 5 types, const array of 5 typedef'd ints is %u bytes", size);
	bpf64_btf_free(btf);
	memcpy(copy, blob, sizeof(copy));
	copy[24 + 4 * 4 + 8] = 2;	/* [2] typedef -> itself */
	ret = bpf64_btf_parse(copy, sizeof(copy), &btf, err, sizeof(err));
	TU_CHECK(!ret && bpf64_btf_resolve_size(btf, 2, &size) == -EINVAL &&
		 !bpf64_btf_skip_mods(btf, 2, NULL),
		 "BTF: a typedef cycle resolves to an error, not a hang");
	bpf64_btf_free(ret ? NULL : btf);
	memcpy(copy, blob, sizeof(copy));
	copy[sizeof(copy) - 1] = 'x';	/* strings not NUL-terminated */
	ret = bpf64_btf_parse(copy, sizeof(copy), &btf, err, sizeof(err));
	TU_CHECK(ret == -EINVAL && strstr(err, "NUL"),
		 "BTF: unterminated strings are refused: %s", err);
	ret = bpf64_btf_parse(blob, 30, &btf, err, sizeof(err));
	TU_CHECK(ret == -EINVAL, "BTF: a cut blob is refused: %s", err);
}

int main(int argc, char **argv)
{
	char exe[4096], path[4200];
	unsigned int i;
	bool gcc;

	snprintf(exe, sizeof(exe), "%s", argv[0]);
	snprintf(progs_dir, sizeof(progs_dir), "%s/../progs", dirname(exe));
	libbpf_open();
	test_section_types();
	test_btf();
	gcc = have_gcc_objects();
	for (i = 0; i < ARRAY_LEN(variants); i++) {
		const struct variant *v = &variants[i];

		if (v->gcc && !gcc)
			continue;
		object_path(path, sizeof(path), "elf_globals", v);
		check_globals(path);
		compare_with_libbpf(path, "elf_globals");
		object_path(path, sizeof(path), "elf_maps", v);
		check_maps(path);
		compare_with_libbpf(path, "elf_maps");
		object_path(path, sizeof(path), "elf_legacy", v);
		check_legacy(path);
		object_path(path, sizeof(path), "elf_pin", v);
		check_pin(path);
		if (v->gcc)
			continue;
		object_path(path, sizeof(path), "elf_callback", v);
		check_callback(path);
		object_path(path, sizeof(path), "lines_refused", v);
		check_source_lines(path);
	}
	test_hostile("elf_globals", globals_hostile, ARRAY_LEN(globals_hostile));
	test_hostile("elf_maps", maps_hostile, ARRAY_LEN(maps_hostile));
	test_hostile("elf_legacy", legacy_hostile, ARRAY_LEN(legacy_hostile));
	test_mutations("elf_globals", 3000);
	test_mutations("elf_maps", 3000);
	test_load_and_run(gcc);
	remove_gcc_objects();
	if (lb.dl)
		dlclose(lb.dl);
	return tu_exit();
}
