// SPDX-License-Identifier: GPL-2.0
/*
 * ELF object loader: open (parse, relocate) and load (through a backend).
 *
 * Opening reads a private copy of the file and goes through it in passes,
 * each checking what it reads before it trusts it:
 *
 *  1. the ELF header and section headers: every section's bytes inside the
 *     file, every name inside the section-name table;
 *  2. the symbol table: names inside its string table, section indexes in
 *     range;
 *  3. sections by name and type, as libbpf sorts them: programs, "maps",
 *     ".maps", global data, "license", "version", ".BTF";
 *  4. functions: the FUNC symbols of executable sections, not overlapping;
 *     those of .text are subprograms, the others programs;
 *  5. maps: legacy definitions, BTF definitions (through the BTF reader),
 *     one map per global-data section;
 *  6. relocations of executable sections, each resolved to a map, a
 *     global-data offset or a subprogram; those of ".maps" to initial
 *     elements of map-in-map and prog-array maps; those of other sections
 *     (DWARF, .BTF.ext, data) are not needed and not read;
 *  7. each program's final instructions: its own, with every subprogram
 *     it reaches appended once, calls pointed at the appended copies.
 *
 * Compilers disagree on two things this has to know:
 *
 *  - Relocation numbers.  All agree on 1 for LD_IMM64 and 10 for calls
 *    (R_BPF_64_64 and R_BPF_64_32; binutils 2.40 calls them R_BPF_INSN_64
 *    and R_BPF_INSN_DISP32).  For data they differ: LLVM before 13 reused
 *    1 for 64-bit and 10 for 32-bit data; LLVM 13 on has R_BPF_64_ABS64
 *    (2), R_BPF_64_ABS32 (3) and R_BPF_64_NODYLD32 (4, .BTF and .BTF.ext);
 *    binutils 2.40 has R_BPF_DATA_32 (11) and R_BPF_DATA_64 (12), and its
 *    2..4 are other instruction fields.  So instruction relocations are
 *    read by the instruction they patch and must be 1 (LD_IMM64) or 10
 *    (call), and the only data relocations read, the pointers in ".maps",
 *    may be 2, 12 or the old 1.
 *  - Addends.  Relocations are REL: the addend is the patched field itself.
 *    clang leaves 0 there for a named symbol (the offset for a section
 *    symbol).  GNU as 2.40 (GCC 12's) adds the symbol's value for named
 *    symbols defined in the object: an LD_IMM64 of a variable at offset 4
 *    carries imm 4, a call of a function at byte 0x30 carries 0x30 - 1.
 *    Objects with a "GCC:" .comment get that value taken out again where
 *    the result still lies inside the symbol.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf64/log.h>
#include "backend.h"
#include "btf.h"
#include "btf_ext.h"
#include "elf.h"

#ifndef R_BPF_64_ABS64
#define R_BPF_64_ABS64		2
#endif
#define R_BPF_DATA_64		12	/* binutils 2.40 */

#define INSN_SZ			sizeof(struct bpf_insn)
#define MAX_PROG_INSNS		(1u << 20)	/* BPF_COMPLEXITY_LIMIT_INSNS */
#define MAX_OBJ_INSNS		(1u << 22)	/* all programs of one object */
#define LICENSE_MAX		128
#define LEGACY_DEF_MIN		16		/* type .. max_entries */
#define LEGACY_DEF_SIZE		20		/* with map_flags */
#define NO_FUNC			UINT32_MAX
#define NAME_MAX_LEN		1024		/* of section and symbol names */

/* Attach types newer than the UAPI header we build against (Linux 6.1). */
#define ATTACH_TCX_INGRESS	46
#define ATTACH_TCX_EGRESS	47

enum sec_kind {
	SEC_UNUSED,
	SEC_PROG,		/* executable, with instructions */
	SEC_LEGACY_MAPS,	/* "maps" */
	SEC_BTF_MAPS,		/* ".maps" */
	SEC_DATA,		/* .data*, .rodata*, .bss*: one map each */
};

enum reloc_kind {
	RELOC_NONE,
	RELOC_MAP,		/* LD_IMM64 of a map */
	RELOC_DATA,		/* LD_IMM64 of an address in global data */
	RELOC_CALL,		/* call of a subprogram */
	RELOC_FUNC,		/* LD_IMM64 of a subprogram (callbacks) */
};

struct reloc {
	u8 kind;
	u32 target;		/* map or function index */
	u32 off;		/* RELOC_DATA: offset in the value */
};

/* A map defined at @off of a maps section, for lookups by offset. */
struct map_ref {
	u64 off;
	u32 map;
};

struct elf_sec {
	Elf64_Shdr sh;
	const char *name;
	enum sec_kind kind;
	/* SEC_PROG */
	struct bpf_insn *insns;
	u32 insn_cnt;
	struct reloc *relocs;	/* one per instruction */
	/* SEC_DATA: its map; maps sections: their maps sorted by offset */
	u32 map;
	struct map_ref *refs;
	u32 nr_refs;
};

struct func {
	const char *name;
	u32 sec;
	u32 start;		/* first instruction in the section */
	u32 cnt;
	u32 prog;		/* program index, or NO_FUNC for subprograms */
	u8 bind;
};

struct obj_map {
	struct bpf64_elf_map pub;
	u32 sec;
	u64 off;		/* in its section */
	u64 size;		/* the symbol's */
	u32 values_off;		/* BTF maps with __array(values, ...) */
	bool has_values;
};

struct bpf64_object {
	char *name;
	u8 *image;		/* our copy of the file */
	size_t size;
	struct elf_sec *secs;
	u32 nr_secs;
	Elf64_Sym *syms;
	u32 nr_syms;
	u32 symtab;
	u32 text;		/* .text's index, 0 if none */
	u32 maps_sec;		/* ".maps", 0 if none */
	struct func *funcs;	/* sorted by section and start */
	u32 nr_funcs;
	struct bpf64_program *progs;
	u32 nr_progs;
	struct obj_map *maps;
	u32 nr_maps;
	u32 total_insns;
	struct bpf64_btf *btf;
	u32 btf_ext;		/* .BTF.ext's index, 0 if none */
	struct bpf64_btf_ext_line *ext_lines;	/* by section, instruction */
	u32 nr_ext_lines;
	char license[LICENSE_MAX];
	u32 kversion;
	bool gas_addends;
	const struct bpf64_backend *be;
	bool loaded;
	/* while opening */
	char *err;
	size_t err_size;
};

__printf(2, 3) static int bad(struct bpf64_object *obj, const char *fmt, ...)
{
	va_list ap;

	if (obj->err && obj->err_size) {
		va_start(ap, fmt);
		vsnprintf(obj->err, obj->err_size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int nomem(struct bpf64_object *obj)
{
	bad(obj, "out of memory");
	return -ENOMEM;
}

static bool str_has_pfx(const char *s, const char *pfx)
{
	return !strncmp(s, pfx, strlen(pfx));
}

/* ---- 1. header and sections ---- */

/*
 * The string at @off of string table @idx, or NULL.  A table must end in
 * a NUL, so that every string in it ends inside it.
 */
static const char *sec_str(const struct bpf64_object *obj, u32 idx, u64 off)
{
	const Elf64_Shdr *sh = &obj->secs[idx].sh;
	const char *s = (const char *)obj->image + sh->sh_offset;

	if (sh->sh_type != SHT_STRTAB || off >= sh->sh_size ||
	    s[sh->sh_size - 1])
		return NULL;
	return s + off;
}

/* Names are compared and sorted: keep each comparison short. */
static bool name_ok(const char *name)
{
	return name && strnlen(name, NAME_MAX_LEN + 1) <= NAME_MAX_LEN;
}

static const u8 *sec_data(const struct bpf64_object *obj, u32 idx)
{
	return obj->image + obj->secs[idx].sh.sh_offset;
}

static int read_header(struct bpf64_object *obj, Elf64_Ehdr *eh, u64 *shnum,
		       u32 *shstrndx)
{
	Elf64_Shdr sh0;

	if (obj->size < sizeof(*eh))
		return bad(obj, "%zu bytes: too short for an ELF header",
			   obj->size);
	memcpy(eh, obj->image, sizeof(*eh));
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return bad(obj, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return bad(obj, "not a 64-bit ELF file");
	if (eh->e_ident[EI_DATA] != (BPF64_LITTLE_ENDIAN ? ELFDATA2LSB :
						       ELFDATA2MSB))
		return bad(obj, "object is of the other byte order than this host (-target bpfel / bpfeb)");
	if (eh->e_type != ET_REL)
		return bad(obj, "ELF type %u is not a relocatable object (ET_REL)",
			   eh->e_type);
	if (eh->e_machine != EM_BPF)
		return bad(obj, "ELF machine %u is not BPF (%u)", eh->e_machine,
			   EM_BPF);
	if (eh->e_shentsize != sizeof(Elf64_Shdr))
		return bad(obj, "section header size %u, expected %zu",
			   eh->e_shentsize, sizeof(Elf64_Shdr));
	if (!eh->e_shoff || eh->e_shoff > obj->size ||
	    obj->size - eh->e_shoff < sizeof(sh0))
		return bad(obj, "section headers at 0x%llx lie outside the %zu bytes of the file",
			   (unsigned long long)eh->e_shoff, obj->size);
	/* extended numbering: the real values live in section 0 */
	memcpy(&sh0, obj->image + eh->e_shoff, sizeof(sh0));
	*shnum = eh->e_shnum ? eh->e_shnum : sh0.sh_size;
	*shstrndx = eh->e_shstrndx == SHN_XINDEX ? sh0.sh_link : eh->e_shstrndx;
	if (*shnum > (obj->size - eh->e_shoff) / sizeof(sh0))
		return bad(obj, "%llu section headers at 0x%llx run past the end of the file",
			   (unsigned long long)*shnum,
			   (unsigned long long)eh->e_shoff);
	if (*shstrndx >= *shnum)
		return bad(obj, "section name table index %u out of range (%llu sections)",
			   *shstrndx, (unsigned long long)*shnum);
	return 0;
}

static int read_sections(struct bpf64_object *obj)
{
	u32 shstrndx = 0, i;
	Elf64_Ehdr eh;
	u64 shnum = 0;
	int err;

	err = read_header(obj, &eh, &shnum, &shstrndx);
	if (err)
		return err;
	obj->secs = calloc(shnum, sizeof(*obj->secs));
	if (!obj->secs)
		return nomem(obj);
	obj->nr_secs = shnum;
	for (i = 0; i < shnum; i++) {
		Elf64_Shdr *sh = &obj->secs[i].sh;

		memcpy(sh, obj->image + eh.e_shoff + i * sizeof(*sh), sizeof(*sh));
		/* section 0 may hold extended numbering, not bytes */
		if (sh->sh_type == SHT_NOBITS || !i)
			continue;
		if (sh->sh_offset > obj->size ||
		    sh->sh_size > obj->size - sh->sh_offset)
			return bad(obj, "section %u: bytes 0x%llx+0x%llx lie outside the %zu bytes of the file",
				   i, (unsigned long long)sh->sh_offset,
				   (unsigned long long)sh->sh_size, obj->size);
	}
	if (obj->secs[shstrndx].sh.sh_type != SHT_STRTAB)
		return bad(obj, "section name table (section %u) is not a string table",
			   shstrndx);
	for (i = 1; i < shnum; i++) {
		obj->secs[i].name = sec_str(obj, shstrndx, obj->secs[i].sh.sh_name);
		if (!name_ok(obj->secs[i].name))
			return bad(obj, "section %u: name offset %u is outside the NUL-terminated section name table, or the name is over %u bytes",
				   i, obj->secs[i].sh.sh_name, NAME_MAX_LEN);
	}
	obj->secs[0].name = "";
	return 0;
}

/* ---- 2. symbols ---- */

static const char *sym_name(const struct bpf64_object *obj, u32 idx)
{
	const Elf64_Sym *sym = &obj->syms[idx];

	/* relocations against static functions and data use the section */
	if (ELF64_ST_TYPE(sym->st_info) == STT_SECTION && !sym->st_name &&
	    sym->st_shndx < obj->nr_secs)
		return obj->secs[sym->st_shndx].name;
	return sec_str(obj, obj->secs[obj->symtab].sh.sh_link, sym->st_name);
}

static int read_symbols(struct bpf64_object *obj)
{
	const Elf64_Shdr *sh = NULL;
	u32 i, strtab;

	for (i = 1; i < obj->nr_secs; i++) {
		if (obj->secs[i].sh.sh_type != SHT_SYMTAB)
			continue;
		if (sh)
			return bad(obj, "more than one symbol table");
		sh = &obj->secs[i].sh;
		obj->symtab = i;
	}
	if (!sh)
		return bad(obj, "no symbol table (stripped object?)");
	if (sh->sh_entsize != sizeof(Elf64_Sym) ||
	    sh->sh_size % sizeof(Elf64_Sym))
		return bad(obj, "symbol table: entry size %llu and size %llu do not make %zu-byte symbols",
			   (unsigned long long)sh->sh_entsize,
			   (unsigned long long)sh->sh_size, sizeof(Elf64_Sym));
	strtab = sh->sh_link;
	if (strtab >= obj->nr_secs || obj->secs[strtab].sh.sh_type != SHT_STRTAB)
		return bad(obj, "symbol table: string table index %u is no string table",
			   strtab);
	obj->nr_syms = sh->sh_size / sizeof(Elf64_Sym);
	obj->syms = calloc(obj->nr_syms ? obj->nr_syms : 1, sizeof(*obj->syms));
	if (!obj->syms)
		return nomem(obj);
	memcpy(obj->syms, sec_data(obj, obj->symtab), sh->sh_size);
	for (i = 0; i < obj->nr_syms; i++) {
		const Elf64_Sym *sym = &obj->syms[i];

		if (!name_ok(sym_name(obj, i)))
			return bad(obj, "symbol %u: name offset %u is outside the NUL-terminated string table, or the name is over %u bytes",
				   i, sym->st_name, NAME_MAX_LEN);
		if (sym->st_shndx == SHN_XINDEX)
			return bad(obj, "symbol '%s': extended section indexes are not supported",
				   sym_name(obj, i));
		if (sym->st_shndx < SHN_LORESERVE &&
		    sym->st_shndx >= obj->nr_secs)
			return bad(obj, "symbol '%s': section index %u out of range (%u sections)",
				   sym_name(obj, i), sym->st_shndx, obj->nr_secs);
	}
	return 0;
}

/* ---- 3. sections by name ---- */

static bool is_data_sec(const Elf64_Shdr *sh, const char *name)
{
	if (sh->sh_type == SHT_NOBITS)
		return !strcmp(name, ".bss") || str_has_pfx(name, ".bss.");
	return !strcmp(name, ".data") || str_has_pfx(name, ".data.") ||
	       !strcmp(name, ".rodata") || str_has_pfx(name, ".rodata.");
}

static int read_license(struct bpf64_object *obj, u32 idx)
{
	u64 n = min(obj->secs[idx].sh.sh_size, (u64)LICENSE_MAX - 1);

	if (obj->secs[idx].sh.sh_type == SHT_NOBITS)
		return bad(obj, "section license: no contents");
	memcpy(obj->license, sec_data(obj, idx), n);
	obj->license[n] = '\0';		/* stops at an earlier NUL anyway */
	return 0;
}

static int read_version(struct bpf64_object *obj, u32 idx)
{
	if (obj->secs[idx].sh.sh_size != sizeof(u32) ||
	    obj->secs[idx].sh.sh_type == SHT_NOBITS)
		return bad(obj, "section version: %llu bytes, expected 4",
			   (unsigned long long)obj->secs[idx].sh.sh_size);
	memcpy(&obj->kversion, sec_data(obj, idx), sizeof(u32));
	return 0;
}

static int read_prog_sec(struct bpf64_object *obj, u32 idx)
{
	struct elf_sec *s = &obj->secs[idx];

	if (s->sh.sh_size % INSN_SZ)
		return bad(obj, "section %s: %llu bytes is no whole number of instructions",
			   s->name, (unsigned long long)s->sh.sh_size);
	s->insn_cnt = s->sh.sh_size / INSN_SZ;
	s->insns = malloc(s->sh.sh_size);
	s->relocs = calloc(s->insn_cnt, sizeof(*s->relocs));
	if (!s->insns || !s->relocs)
		return nomem(obj);
	memcpy(s->insns, sec_data(obj, idx), s->sh.sh_size);
	s->kind = SEC_PROG;
	return 0;
}

/* GCC writes "GCC: (version)" into .comment; clang writes nothing there. */
static void detect_gas(struct bpf64_object *obj, u32 idx)
{
	const Elf64_Shdr *sh = &obj->secs[idx].sh;
	static const char tag[] = "GCC: ";
	const u8 *p = sec_data(obj, idx);

	if (sh->sh_type != SHT_PROGBITS || sh->sh_size < sizeof(tag))
		return;
	/* the section starts with a NUL, then the strings */
	if (!memcmp(p, tag, sizeof(tag) - 1) ||
	    !memcmp(p + 1, tag, sizeof(tag) - 1))
		obj->gas_addends = true;
}

static int read_btf(struct bpf64_object *obj, u32 idx)
{
	char msg[160];
	int err;

	if (obj->btf)
		return bad(obj, "more than one .BTF section");
	if (obj->secs[idx].sh.sh_type != SHT_PROGBITS)
		return bad(obj, "section .BTF is not PROGBITS");
	err = bpf64_btf_parse(sec_data(obj, idx), obj->secs[idx].sh.sh_size,
			      &obj->btf, msg, sizeof(msg));
	if (err == -ENOMEM)
		return nomem(obj);
	if (err)
		return bad(obj, "section .BTF: %s", msg);
	return 0;
}

static int legacy_maps_sec(struct bpf64_object *obj, u32 idx)
{
	u32 i;

	for (i = 1; i < idx; i++)
		if (obj->secs[i].kind == SEC_LEGACY_MAPS)
			return bad(obj, "more than one maps section");
	obj->secs[idx].kind = SEC_LEGACY_MAPS;
	return 0;
}

static int classify_sections(struct bpf64_object *obj)
{
	u32 i;
	int err = 0;

	for (i = 1; i < obj->nr_secs && !err; i++) {
		struct elf_sec *s = &obj->secs[i];

		if (!strcmp(s->name, "license"))
			err = read_license(obj, i);
		else if (!strcmp(s->name, "version"))
			err = read_version(obj, i);
		else if (!strcmp(s->name, "maps"))
			err = legacy_maps_sec(obj, i);
		else if (!strcmp(s->name, ".maps"))
			s->kind = SEC_BTF_MAPS;
		else if (!strcmp(s->name, ".BTF"))
			err = read_btf(obj, i);
		else if (!strcmp(s->name, ".BTF.ext"))
			obj->btf_ext = i;
		else if (!strcmp(s->name, ".comment"))
			detect_gas(obj, i);
		else if (s->sh.sh_type == SHT_PROGBITS &&
			 (s->sh.sh_flags & SHF_EXECINSTR) && s->sh.sh_size)
			err = read_prog_sec(obj, i);
		else if (is_data_sec(&s->sh, s->name) && s->sh.sh_size)
			s->kind = SEC_DATA;
		if (s->kind == SEC_PROG && !strcmp(s->name, ".text"))
			obj->text = i;
		if (s->kind == SEC_BTF_MAPS && obj->maps_sec)
			err = bad(obj, "more than one .maps section");
		if (s->kind == SEC_BTF_MAPS)
			obj->maps_sec = i;
	}
	return err;
}

/* ---- 4. functions and programs ---- */

struct sec_def {
	const char *sec;	/* "x": exactly; "x+": x or x/...; "x/": x/... */
	u32 type;
	u32 attach;
	u32 flags;
};

#define SLEEPABLE	BPF_F_SLEEPABLE
#define FRAGS		BPF_F_XDP_HAS_FRAGS

/* libbpf's section_defs (tools/lib/bpf/libbpf.c), in its order. */
static const struct sec_def sec_defs[] = {
	{ "socket",		BPF_PROG_TYPE_SOCKET_FILTER },
	{ "sk_reuseport/migrate", BPF_PROG_TYPE_SK_REUSEPORT,
	  BPF_SK_REUSEPORT_SELECT_OR_MIGRATE },
	{ "sk_reuseport",	BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT },
	{ "kprobe+",		BPF_PROG_TYPE_KPROBE },
	{ "uprobe+",		BPF_PROG_TYPE_KPROBE },
	{ "uprobe.s+",		BPF_PROG_TYPE_KPROBE, 0, SLEEPABLE },
	{ "kretprobe+",		BPF_PROG_TYPE_KPROBE },
	{ "uretprobe+",		BPF_PROG_TYPE_KPROBE },
	{ "uretprobe.s+",	BPF_PROG_TYPE_KPROBE, 0, SLEEPABLE },
	{ "kprobe.multi+",	BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI },
	{ "kretprobe.multi+",	BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI },
	{ "ksyscall+",		BPF_PROG_TYPE_KPROBE },
	{ "kretsyscall+",	BPF_PROG_TYPE_KPROBE },
	{ "usdt+",		BPF_PROG_TYPE_KPROBE },
	{ "usdt.s+",		BPF_PROG_TYPE_KPROBE, 0, SLEEPABLE },
	{ "tc/ingress",		BPF_PROG_TYPE_SCHED_CLS, ATTACH_TCX_INGRESS },
	{ "tc/egress",		BPF_PROG_TYPE_SCHED_CLS, ATTACH_TCX_EGRESS },
	{ "tcx/ingress",	BPF_PROG_TYPE_SCHED_CLS, ATTACH_TCX_INGRESS },
	{ "tcx/egress",		BPF_PROG_TYPE_SCHED_CLS, ATTACH_TCX_EGRESS },
	{ "tc",			BPF_PROG_TYPE_SCHED_CLS },
	{ "classifier",		BPF_PROG_TYPE_SCHED_CLS },
	{ "action",		BPF_PROG_TYPE_SCHED_ACT },
	{ "tracepoint+",	BPF_PROG_TYPE_TRACEPOINT },
	{ "tp+",		BPF_PROG_TYPE_TRACEPOINT },
	{ "raw_tracepoint+",	BPF_PROG_TYPE_RAW_TRACEPOINT },
	{ "raw_tp+",		BPF_PROG_TYPE_RAW_TRACEPOINT },
	{ "raw_tracepoint.w+",	BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE },
	{ "raw_tp.w+",		BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE },
	{ "tp_btf+",		BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP },
	{ "fentry+",		BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY },
	{ "fmod_ret+",		BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN },
	{ "fexit+",		BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT },
	{ "fentry.s+",		BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, SLEEPABLE },
	{ "fmod_ret.s+",	BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, SLEEPABLE },
	{ "fexit.s+",		BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, SLEEPABLE },
	{ "freplace+",		BPF_PROG_TYPE_EXT },
	{ "lsm+",		BPF_PROG_TYPE_LSM, BPF_LSM_MAC },
	{ "lsm.s+",		BPF_PROG_TYPE_LSM, BPF_LSM_MAC, SLEEPABLE },
	{ "lsm_cgroup+",	BPF_PROG_TYPE_LSM, BPF_LSM_CGROUP },
	{ "iter+",		BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER },
	{ "iter.s+",		BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, SLEEPABLE },
	{ "syscall",		BPF_PROG_TYPE_SYSCALL, 0, SLEEPABLE },
	{ "xdp.frags/devmap",	BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, FRAGS },
	{ "xdp/devmap",		BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP },
	{ "xdp.frags/cpumap",	BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, FRAGS },
	{ "xdp/cpumap",		BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP },
	{ "xdp.frags",		BPF_PROG_TYPE_XDP, BPF_XDP, FRAGS },
	{ "xdp",		BPF_PROG_TYPE_XDP, BPF_XDP },
	{ "perf_event",		BPF_PROG_TYPE_PERF_EVENT },
	{ "lwt_in",		BPF_PROG_TYPE_LWT_IN },
	{ "lwt_out",		BPF_PROG_TYPE_LWT_OUT },
	{ "lwt_xmit",		BPF_PROG_TYPE_LWT_XMIT },
	{ "lwt_seg6local",	BPF_PROG_TYPE_LWT_SEG6LOCAL },
	{ "sockops",		BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS },
	{ "sk_skb/stream_parser", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_PARSER },
	{ "sk_skb/stream_verdict", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT },
	{ "sk_skb/verdict",	BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_VERDICT },
	{ "sk_skb",		BPF_PROG_TYPE_SK_SKB },
	{ "sk_msg",		BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT },
	{ "lirc_mode2",		BPF_PROG_TYPE_LIRC_MODE2, BPF_LIRC_MODE2 },
	{ "flow_dissector",	BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR },
	{ "cgroup_skb/ingress",	BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS },
	{ "cgroup_skb/egress",	BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS },
	{ "cgroup/skb",		BPF_PROG_TYPE_CGROUP_SKB },
	{ "cgroup/sock_create",	BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE },
	{ "cgroup/sock_release", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE },
	{ "cgroup/sock",	BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE },
	{ "cgroup/post_bind4",	BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND },
	{ "cgroup/post_bind6",	BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND },
	{ "cgroup/bind4",	BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND },
	{ "cgroup/bind6",	BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND },
	{ "cgroup/connect4",	BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT },
	{ "cgroup/connect6",	BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT },
	{ "cgroup/sendmsg4",	BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG },
	{ "cgroup/sendmsg6",	BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG },
	{ "cgroup/recvmsg4",	BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG },
	{ "cgroup/recvmsg6",	BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG },
	{ "cgroup/getpeername4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME },
	{ "cgroup/getpeername6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME },
	{ "cgroup/getsockname4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME },
	{ "cgroup/getsockname6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETSOCKNAME },
	{ "cgroup/sysctl",	BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL },
	{ "cgroup/getsockopt",	BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT },
	{ "cgroup/setsockopt",	BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT },
	{ "cgroup/dev",		BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE },
	{ "struct_ops+",	BPF_PROG_TYPE_STRUCT_OPS },
	{ "struct_ops.s+",	BPF_PROG_TYPE_STRUCT_OPS, 0, SLEEPABLE },
	{ "sk_lookup",		BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP },
};

static bool sec_def_matches(const char *def, const char *sec)
{
	size_t len = strlen(def);

	if (def[len - 1] == '/')
		return !strncmp(sec, def, len);
	if (def[len - 1] == '+') {
		len--;
		return !strncmp(sec, def, len) &&
		       (sec[len] == '\0' || sec[len] == '/');
	}
	return !strcmp(sec, def);
}

int bpf64_section_prog_type(const char *section, u32 *type,
			    u32 *expected_attach_type, u32 *prog_flags)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sec_defs); i++) {
		if (!sec_def_matches(sec_defs[i].sec, section))
			continue;
		*type = sec_defs[i].type;
		*expected_attach_type = sec_defs[i].attach;
		*prog_flags = sec_defs[i].flags;
		return 0;
	}
	*type = *expected_attach_type = *prog_flags = 0;
	return -ENOENT;
}

static int cmp_func(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int add_func(struct bpf64_object *obj, u32 symi)
{
	const Elf64_Sym *sym = &obj->syms[symi];
	const struct elf_sec *s = &obj->secs[sym->st_shndx];
	struct func *f = &obj->funcs[obj->nr_funcs];
	const char *name = sym_name(obj, symi);

	if (sym->st_value % INSN_SZ || sym->st_size % INSN_SZ || !sym->st_size)
		return bad(obj, "section %s: function '%s' at 0x%llx, %llu bytes, is no whole number of instructions",
			   s->name, name, (unsigned long long)sym->st_value,
			   (unsigned long long)sym->st_size);
	if (sym->st_value > s->sh.sh_size ||
	    sym->st_size > s->sh.sh_size - sym->st_value)
		return bad(obj, "section %s: function '%s' at 0x%llx, %llu bytes, runs past the section's %llu bytes",
			   s->name, name, (unsigned long long)sym->st_value,
			   (unsigned long long)sym->st_size,
			   (unsigned long long)s->sh.sh_size);
	f->bind = ELF64_ST_BIND(sym->st_info);
	if (sym->st_shndx != obj->text && f->bind == STB_LOCAL)
		return bad(obj, "section %s: program '%s' is static; programs must be global",
			   s->name, name);
	f->name = name;
	f->sec = sym->st_shndx;
	f->start = sym->st_value / INSN_SZ;
	f->cnt = sym->st_size / INSN_SZ;
	f->prog = NO_FUNC;
	obj->nr_funcs++;
	return 0;
}

static bool is_func_sym(const struct bpf64_object *obj, const Elf64_Sym *sym)
{
	return ELF64_ST_TYPE(sym->st_info) == STT_FUNC &&
	       sym->st_shndx < obj->nr_secs &&
	       obj->secs[sym->st_shndx].kind == SEC_PROG;
}

static int init_program(struct bpf64_object *obj, struct func *f)
{
	struct bpf64_program *p = &obj->progs[obj->nr_progs];

	f->prog = obj->nr_progs++;
	p->name = f->name;
	p->section = obj->secs[f->sec].name;
	p->sec_off = f->start * INSN_SZ;
	p->fd = -1;
	bpf64_section_prog_type(p->section, &p->type,
				&p->expected_attach_type, &p->prog_flags);
	return 0;
}

static int collect_funcs(struct bpf64_object *obj)
{
	u32 i, n = 0;
	int err;

	for (i = 0; i < obj->nr_syms; i++)
		n += is_func_sym(obj, &obj->syms[i]);
	obj->funcs = calloc(n ? n : 1, sizeof(*obj->funcs));
	obj->progs = calloc(n ? n : 1, sizeof(*obj->progs));
	if (!obj->funcs || !obj->progs)
		return nomem(obj);
	for (i = 0; i < obj->nr_syms; i++) {
		if (!is_func_sym(obj, &obj->syms[i]))
			continue;
		err = add_func(obj, i);
		if (err)
			return err;
	}
	qsort(obj->funcs, obj->nr_funcs, sizeof(*obj->funcs), cmp_func);
	for (i = 0; i < obj->nr_funcs; i++) {
		struct func *f = &obj->funcs[i], *next = f + 1;

		if (i + 1 < obj->nr_funcs && next->sec == f->sec &&
		    next->start < f->start + f->cnt)
			return bad(obj, "section %s: functions '%s' and '%s' overlap",
				   obj->secs[f->sec].name, f->name, next->name);
		if (f->sec != obj->text)
			init_program(obj, f);
	}
	return 0;
}

/* The function of section @sec holding instruction @insn, or NULL. */
static struct func *find_func(struct bpf64_object *obj, u32 sec, u64 insn)
{
	u32 lo = 0, hi = obj->nr_funcs;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		struct func *f = &obj->funcs[mid];

		if (f->sec < sec || (f->sec == sec && f->start + f->cnt <= insn))
			lo = mid + 1;
		else if (f->sec > sec || f->start > insn)
			hi = mid;
		else
			return f;
	}
	return NULL;
}

/* ---- 5. maps ---- */

static struct obj_map *add_map(struct bpf64_object *obj, const char *name,
			       u32 sec, enum bpf64_map_kind kind)
{
	struct obj_map *m = &obj->maps[obj->nr_maps++];

	m->pub.name = name;
	m->pub.section = obj->secs[sec].name;
	m->pub.kind = kind;
	m->pub.inner = -1;
	m->pub.fd = -1;
	m->sec = sec;
	return m;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct map_ref *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* The map at exactly @off of a maps section, or the last one before it. */
static struct obj_map *map_at(struct bpf64_object *obj, u32 sec, u64 off,
			      bool exact)
{
	const struct elf_sec *s = &obj->secs[sec];
	u32 lo = 0, hi = s->nr_refs;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (s->refs[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || (exact && s->refs[lo - 1].off != off))
		return NULL;
	return &obj->maps[s->refs[lo - 1].map];
}

static int index_maps(struct bpf64_object *obj, u32 sec, u32 first)
{
	struct elf_sec *s = &obj->secs[sec];
	u32 i;

	s->refs = calloc(obj->nr_maps - first + 1, sizeof(*s->refs));
	if (!s->refs)
		return nomem(obj);
	for (i = first; i < obj->nr_maps; i++) {
		if (obj->maps[i].sec != sec || obj->maps[i].pub.kind == BPF64_MAP_INNER)
			continue;
		s->refs[s->nr_refs].off = obj->maps[i].off;
		s->refs[s->nr_refs++].map = i;
	}
	qsort(s->refs, s->nr_refs, sizeof(*s->refs), cmp_ref);
	for (i = 1; i < s->nr_refs; i++)
		if (s->refs[i].off < s->refs[i - 1].off +
				     obj->maps[s->refs[i - 1].map].size)
			return bad(obj, "section %s: maps '%s' and '%s' overlap",
				   s->name, obj->maps[s->refs[i - 1].map].pub.name,
				   obj->maps[s->refs[i].map].pub.name);
	return 0;
}

static bool is_map_sym(const Elf64_Sym *sym, u32 sec)
{
	u32 type = ELF64_ST_TYPE(sym->st_info);

	return sym->st_shndx == sec &&
	       (type == STT_OBJECT || type == STT_NOTYPE);
}

static int init_legacy_maps(struct bpf64_object *obj, u32 sec)
{
	const struct elf_sec *s = &obj->secs[sec];
	u32 i, n = 0, first = obj->nr_maps;
	u8 def[LEGACY_DEF_SIZE];
	u64 size, j;

	if (s->sh.sh_type == SHT_NOBITS)
		return bad(obj, "section maps: no contents");
	for (i = 0; i < obj->nr_syms; i++)
		n += is_map_sym(&obj->syms[i], sec);
	for (i = 0; i < obj->nr_syms; i++) {
		const Elf64_Sym *sym = &obj->syms[i];
		const char *name = sym_name(obj, i);
		struct obj_map *m;

		if (!is_map_sym(sym, sec))
			continue;
		/* old compilers gave no sizes: all definitions are alike */
		size = sym->st_size ? sym->st_size : s->sh.sh_size / n;
		if (size < LEGACY_DEF_MIN || sym->st_value > s->sh.sh_size ||
		    size > s->sh.sh_size - sym->st_value)
			return bad(obj, "section maps: symbol '%s' at %llu, %llu bytes, is not a map definition (%u to %u bytes inside the section)",
				   name, (unsigned long long)sym->st_value,
				   (unsigned long long)size, LEGACY_DEF_MIN,
				   LEGACY_DEF_SIZE);
		for (j = LEGACY_DEF_SIZE; j < size; j++)
			if (sec_data(obj, sec)[sym->st_value + j])
				return bad(obj, "section maps: map '%s' has non-zero bytes past struct bpf_map_def's %u",
					   name, LEGACY_DEF_SIZE);
		memset(def, 0, sizeof(def));
		memcpy(def, sec_data(obj, sec) + sym->st_value,
		       min(size, (u64)sizeof(def)));
		m = add_map(obj, name, sec, BPF64_MAP_LEGACY);
		memcpy(&m->pub.def, def, sizeof(def));	/* the same five u32 */
		m->off = sym->st_value;
		m->size = size;
	}
	return index_maps(obj, sec, first);
}

/* __uint(name, N) is "int (*name)[N]": N is the array's length. */
static int map_field_int(struct bpf64_object *obj, const char *map,
			 const struct btf_member *mb, u32 *val)
{
	const struct bpf64_btf *btf = obj->btf;
	const struct btf_type *t = bpf64_btf_skip_mods(btf, mb->type, NULL);
	const struct btf_type *arr;
	const char *name = bpf64_btf_str(btf, mb->name_off);

	if (!t || bpf64_btf_kind(t) != BTF_KIND_PTR)
		return bad(obj, "map '%s': field '%s' is %s, not a pointer to an array (__uint)",
			   map, name, bpf64_btf_kind_str(t));
	arr = bpf64_btf_type(btf, t->type);
	if (!arr || bpf64_btf_kind(arr) != BTF_KIND_ARRAY)
		return bad(obj, "map '%s': field '%s' points to %s, not an array (__uint)",
			   map, name, bpf64_btf_kind_str(arr));
	*val = bpf64_btf_array(arr)->nelems;
	return 0;
}

/* __type(name, T) is "T *name": the size of T. */
static int map_field_size(struct bpf64_object *obj, const char *map,
			  const struct btf_member *mb, u32 *size)
{
	const struct btf_type *t = bpf64_btf_type(obj->btf, mb->type);
	const char *name = bpf64_btf_str(obj->btf, mb->name_off);
	u32 sz;

	if (!t || bpf64_btf_kind(t) != BTF_KIND_PTR)
		return bad(obj, "map '%s': field '%s' is %s, not a pointer (__type)",
			   map, name, bpf64_btf_kind_str(t));
	if (bpf64_btf_resolve_size(obj->btf, t->type, &sz))
		return bad(obj, "map '%s': the size of '%s' (type [%u]) cannot be determined",
			   map, name, t->type);
	if (*size && *size != sz)
		return bad(obj, "map '%s': conflicting %s size %u != %u",
			   map, name, *size, sz);
	*size = sz;
	return 0;
}

static int map_field_size_int(struct bpf64_object *obj, const char *map,
			      const struct btf_member *mb, u32 *size)
{
	u32 sz;
	int err = map_field_int(obj, map, mb, &sz);

	if (err)
		return err;
	if (*size && *size != sz)
		return bad(obj, "map '%s': conflicting %s %u != %u", map,
			   bpf64_btf_str(obj->btf, mb->name_off), *size, sz);
	*size = sz;
	return 0;
}

static bool is_map_in_map(u32 type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

struct btf_map_def {
	struct bpf64_map_def def;
	u32 pinning;
	u32 values_off;			/* bytes into the definition */
	bool has_values;
	bool has_inner;
	const struct btf_type *inner;	/* the inner map's definition */
};

/*
 * __array(values, T) is "T *values[]": a zero-length array of pointers,
 * to struct definitions (map-in-map) or to functions (prog array).
 */
static int map_field_values(struct bpf64_object *obj, const char *map,
			    const struct btf_type *def, u32 i,
			    struct btf_map_def *md)
{
	const struct btf_member *mb = &bpf64_btf_members(def)[i];
	const struct btf_type *t = bpf64_btf_type(obj->btf, mb->type);
	bool mim = is_map_in_map(md->def.type);

	if (i != bpf64_btf_vlen(def) - 1)
		return bad(obj, "map '%s': 'values' must be the last field", map);
	if (!mim && md->def.type != BPF_MAP_TYPE_PROG_ARRAY)
		return bad(obj, "map '%s': 'values' needs a map-in-map or prog array",
			   map);
	if (md->def.value_size && md->def.value_size != 4)
		return bad(obj, "map '%s': conflicting value size %u != 4",
			   map, md->def.value_size);
	md->def.value_size = 4;
	if (!t || bpf64_btf_kind(t) != BTF_KIND_ARRAY ||
	    bpf64_btf_array(t)->nelems)
		return bad(obj, "map '%s': 'values' is not a zero-length array",
			   map);
	t = bpf64_btf_skip_mods(obj->btf, bpf64_btf_array(t)->type, NULL);
	if (!t || bpf64_btf_kind(t) != BTF_KIND_PTR)
		return bad(obj, "map '%s': 'values' holds %s, not pointers",
			   map, bpf64_btf_kind_str(t));
	t = bpf64_btf_skip_mods(obj->btf, t->type, NULL);
	if (!t || bpf64_btf_kind(t) != (mim ? BTF_KIND_STRUCT : BTF_KIND_FUNC_PROTO))
		return bad(obj, "map '%s': 'values' points to %s, expected %s",
			   map, bpf64_btf_kind_str(t),
			   mim ? "a map definition (STRUCT)" : "a program (FUNC_PROTO)");
	md->has_values = true;
	md->values_off = bpf64_btf_member_bit_offset(def, i) / 8;
	if (mim) {
		md->has_inner = true;
		md->inner = t;
	}
	return 0;
}

/* One BTF map definition (a struct of __uint/__type/__array fields). */
static int parse_btf_map_def(struct bpf64_object *obj, const char *map,
			     const struct btf_type *def, bool inner,
			     struct btf_map_def *md)
{
	const struct btf_member *mb = bpf64_btf_members(def);
	u32 i, n = bpf64_btf_vlen(def);
	int err = 0;

	for (i = 0; i < n && !err; i++, mb++) {
		const char *name = bpf64_btf_str(obj->btf, mb->name_off);

		if (!strcmp(name, "type"))
			err = map_field_int(obj, map, mb, &md->def.type);
		else if (!strcmp(name, "max_entries"))
			err = map_field_int(obj, map, mb, &md->def.max_entries);
		else if (!strcmp(name, "map_flags"))
			err = map_field_int(obj, map, mb, &md->def.map_flags);
		else if (!strcmp(name, "numa_node"))
			err = map_field_int(obj, map, mb, &md->def.numa_node);
		else if (!strcmp(name, "key_size"))
			err = map_field_size_int(obj, map, mb, &md->def.key_size);
		else if (!strcmp(name, "value_size"))
			err = map_field_size_int(obj, map, mb, &md->def.value_size);
		else if (!strcmp(name, "key"))
			err = map_field_size(obj, map, mb, &md->def.key_size);
		else if (!strcmp(name, "value"))
			err = map_field_size(obj, map, mb, &md->def.value_size);
		else if (!strcmp(name, "values") && !inner)
			err = map_field_values(obj, map, def, i, md);
		else if (!strcmp(name, "pinning") && !inner)
			err = map_field_int(obj, map, mb, &md->pinning);
		else
			err = bad(obj, "map '%s': unknown field '%s'%s", map, name,
				  inner ? " (inner maps cannot have values or pinning)" : "");
	}
	if (err)
		return err;
	if (md->pinning > BPF64_PIN_BY_NAME)
		return bad(obj, "map '%s': invalid pinning value %u", map,
			   md->pinning);
	if (!md->def.type)
		return bad(obj, "map '%s': no map type", map);
	return 0;
}

/*
 * Each map symbol's BTF variable, matched by name: the symbols of .maps
 * sorted by name (names are short, checked), each variable of DATASEC
 * ".maps" looked up among them.
 */
struct map_sym {
	const char *name;
	u32 symi;
	const struct btf_type *var;
};

static int cmp_map_sym(const void *a, const void *b)
{
	return strcmp(((const struct map_sym *)a)->name,
		      ((const struct map_sym *)b)->name);
}

static int cmp_map_symi(const void *a, const void *b)
{
	u32 x = ((const struct map_sym *)a)->symi;
	u32 y = ((const struct map_sym *)b)->symi;

	return x < y ? -1 : x > y;
}

static bool is_btf_map_sym(const struct bpf64_object *obj, u32 i)
{
	return obj->syms[i].st_shndx == obj->maps_sec &&
	       ELF64_ST_TYPE(obj->syms[i].st_info) == STT_OBJECT;
}

static struct map_sym *match_map_vars(struct bpf64_object *obj,
				      const struct btf_type *dsec, u32 *n)
{
	const struct btf_var_secinfo *vi = bpf64_btf_secinfos(dsec);
	struct map_sym *ms, key, *hit;
	u32 i;

	ms = calloc(obj->nr_syms + 1, sizeof(*ms));
	if (!ms)
		return NULL;
	for (*n = 0, i = 0; i < obj->nr_syms; i++) {
		if (!is_btf_map_sym(obj, i))
			continue;
		ms[*n].name = sym_name(obj, i);
		ms[(*n)++].symi = i;
	}
	qsort(ms, *n, sizeof(*ms), cmp_map_sym);
	for (i = 0; i < bpf64_btf_vlen(dsec); i++) {
		const struct btf_type *v = bpf64_btf_type(obj->btf, vi[i].type);

		if (!v || bpf64_btf_kind(v) != BTF_KIND_VAR)
			continue;
		key.name = bpf64_btf_name(obj->btf, v);
		hit = bsearch(&key, ms, *n, sizeof(*ms), cmp_map_sym);
		if (hit)
			hit->var = v;
	}
	return ms;
}

static int add_btf_map(struct bpf64_object *obj, const struct map_sym *ms)
{
	const Elf64_Sym *sym = &obj->syms[ms->symi];
	const struct btf_type *var = ms->var, *def;
	const char *name = ms->name;
	struct btf_map_def md = {}, imd = {};
	struct obj_map *m;
	char *iname;
	int err;

	if (!var)
		return bad(obj, "section .maps: symbol '%s' has no BTF variable in DATASEC .maps",
			   name);
	if (bpf64_btf_var(var)->linkage != BTF_VAR_GLOBAL_ALLOCATED)
		return bad(obj, "map '%s': static maps are not supported", name);
	def = bpf64_btf_skip_mods(obj->btf, var->type, NULL);
	if (!def || bpf64_btf_kind(def) != BTF_KIND_STRUCT)
		return bad(obj, "map '%s': definition is %s, not a struct",
			   name, bpf64_btf_kind_str(def));
	if (sym->st_value > obj->secs[obj->maps_sec].sh.sh_size ||
	    sym->st_size > obj->secs[obj->maps_sec].sh.sh_size - sym->st_value ||
	    sym->st_size < def->size)
		return bad(obj, "section .maps: symbol '%s' at %llu, size %llu, is not a map definition (%u bytes)",
			   name, (unsigned long long)sym->st_value,
			   (unsigned long long)sym->st_size, def->size);
	err = parse_btf_map_def(obj, name, def, false, &md);
	if (err)
		return err;
	if (md.has_inner) {
		if (asprintf(&iname, "%s.inner", name) < 0)
			return nomem(obj);
		m = add_map(obj, iname, obj->maps_sec, BPF64_MAP_INNER);
		err = parse_btf_map_def(obj, iname, md.inner, true, &imd);
		if (err)
			return err;
		m->pub.def = imd.def;
	}
	m = add_map(obj, name, obj->maps_sec, BPF64_MAP_BTF);
	m->pub.def = md.def;
	m->pub.pinning = md.pinning;
	m->pub.inner = md.has_inner ? (int)obj->nr_maps - 2 : -1;
	m->off = sym->st_value;
	m->size = sym->st_size;
	m->has_values = md.has_values;
	m->values_off = md.values_off;
	return 0;
}

static int init_btf_maps(struct bpf64_object *obj)
{
	const struct btf_type *dsec;
	u32 i, n, first = obj->nr_maps;
	struct map_sym *ms;
	int id, err = 0;

	if (obj->secs[obj->maps_sec].sh.sh_type == SHT_NOBITS)
		return bad(obj, "section .maps: no contents");
	if (!obj->btf)
		return bad(obj, "section .maps needs BTF, and there is no .BTF (compile with -g)");
	id = bpf64_btf_find(obj->btf, ".maps", BTF_KIND_DATASEC);
	if (id < 0)
		return bad(obj, "section .maps: BTF has no DATASEC .maps");
	dsec = bpf64_btf_type(obj->btf, id);
	ms = match_map_vars(obj, dsec, &n);
	if (!ms)
		return nomem(obj);
	/* in symbol order, as the object lists them */
	qsort(ms, n, sizeof(*ms), cmp_map_symi);
	for (i = 0; i < n && !err; i++)
		err = add_btf_map(obj, &ms[i]);
	free(ms);
	return err ? err : index_maps(obj, obj->maps_sec, first);
}

/*
 * libbpf's names for global-data maps: as much of the object's name as
 * fits before the section's (keeping 7 characters for it even when
 * shorter, as ".bss"); sections with a second dot (".rodata.str1.1") go
 * without the object's name.  Characters the kernel refuses become '_'.
 */
static char *data_map_name(const char *obj_name, const char *sec)
{
	size_t sfx = max(strlen(sec), (size_t)7), pfx;
	char buf[BPF_OBJ_NAME_LEN], *p;

	if (sfx >= BPF_OBJ_NAME_LEN)
		sfx = BPF_OBJ_NAME_LEN - 1;
	pfx = strchr(sec + 1, '.') ? 0 :
	      min(BPF_OBJ_NAME_LEN - sfx - 1, strlen(obj_name));
	snprintf(buf, sizeof(buf), "%.*s%.*s", (int)pfx, obj_name, (int)sfx,
		 sec);
	for (p = buf; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '_' && *p != '.')
			*p = '_';
	return strdup(buf);
}

static int init_data_map(struct bpf64_object *obj, u32 sec)
{
	struct elf_sec *s = &obj->secs[sec];
	enum bpf64_map_kind kind;
	struct obj_map *m;
	char *name;

	if (s->sh.sh_size > UINT32_MAX)
		return bad(obj, "section %s: %llu bytes is too large for a map value",
			   s->name, (unsigned long long)s->sh.sh_size);
	name = data_map_name(obj->name, s->name);
	if (!name)
		return nomem(obj);
	kind = s->sh.sh_type == SHT_NOBITS ? BPF64_MAP_BSS :
	       str_has_pfx(s->name, ".rodata") ? BPF64_MAP_RODATA :
	       BPF64_MAP_DATA;
	m = add_map(obj, name, sec, kind);
	m->pub.def = (struct bpf64_map_def) {
		.type = BPF_MAP_TYPE_ARRAY,
		.key_size = sizeof(u32),
		.value_size = s->sh.sh_size,
		.max_entries = 1,
		.map_flags = kind == BPF64_MAP_RODATA ? BPF_F_RDONLY_PROG : 0,
	};
	if (kind != BPF64_MAP_BSS)
		m->pub.data = sec_data(obj, sec);
	m->size = s->sh.sh_size;
	s->map = obj->nr_maps - 1;
	return 0;
}

static bool owns_name(const struct obj_map *m)
{
	return m->pub.kind == BPF64_MAP_INNER || m->pub.kind >= BPF64_MAP_DATA;
}

static int init_maps(struct bpf64_object *obj)
{
	u32 i, n = obj->nr_secs;
	int err = 0;

	/* every map has a symbol or a section; BTF ones may add an inner */
	obj->maps = calloc((u64)obj->nr_syms * 2 + n, sizeof(*obj->maps));
	if (!obj->maps)
		return nomem(obj);
	for (i = 1; i < n && !err; i++)
		if (obj->secs[i].kind == SEC_LEGACY_MAPS)
			err = init_legacy_maps(obj, i);
	if (!err && obj->maps_sec)
		err = init_btf_maps(obj);
	for (i = 1; i < n && !err; i++)
		if (obj->secs[i].kind == SEC_DATA)
			err = init_data_map(obj, i);
	return err;
}

/* ---- 6. relocations ---- */

struct rel {
	u32 rsec;		/* the relocation section */
	u32 i;			/* relocation number in it */
	u64 off;		/* r_offset */
	u32 type;
	u32 symi;
	const Elf64_Sym *sym;
};

__printf(3, 4) static int bad_rel(struct bpf64_object *obj,
				  const struct rel *r, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bad(obj, "section %s, relocation #%u at 0x%llx against '%s': %s",
		   obj->secs[r->rsec].name, r->i, (unsigned long long)r->off,
		   r->sym ? sym_name(obj, r->symi) : "?", msg);
}

static bool is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static bool is_pseudo_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) &&
	       insn->src_reg == BPF_PSEUDO_CALL;
}

/*
 * The addend as clang would have written it (see the top of the file):
 * GNU as 2.40 adds the value of named symbols.
 */
static s64 rel_addend(const struct bpf64_object *obj, const Elf64_Sym *sym,
		      s32 imm, bool call)
{
	u64 v = sym->st_value;	/* untrusted: any 64 bits */

	if (!obj->gas_addends || ELF64_ST_TYPE(sym->st_info) == STT_SECTION ||
	    imm < 0)
		return imm;
	if (call)
		return (u64)imm + 1 == v ? -1 : imm;
	if ((u64)imm >= v && (u64)imm - v < max(sym->st_size, (u64)1))
		return imm - (s64)v;
	return imm;
}

/* The subprogram starting at instruction @insn of .text, or NULL. */
static struct func *subprog_at(struct bpf64_object *obj, s64 insn)
{
	struct func *f;

	if (!obj->text || insn < 0 || insn >= obj->secs[obj->text].insn_cnt)
		return NULL;
	f = find_func(obj, obj->text, insn);
	return f && f->start == insn ? f : NULL;
}

static int rel_call(struct bpf64_object *obj, const struct rel *r,
		    const struct bpf_insn *insn, struct reloc *rc)
{
	const Elf64_Sym *sym = r->sym;
	struct func *f;
	s64 target;

	if (insn->src_reg != BPF_PSEUDO_CALL)
		return bad_rel(obj, r, "relocation of a call that is no subprogram call (src_reg %u)",
			       insn->src_reg);
	if (sym->st_shndx == SHN_UNDEF)
		return bad_rel(obj, r, "calls of extern functions (kfuncs) are not supported");
	if (!obj->text || sym->st_shndx != obj->text)
		return bad_rel(obj, r, "subprograms must be in .text, this one is in section %s",
			       sym->st_shndx < obj->nr_secs ?
			       obj->secs[sym->st_shndx].name : "(special)");
	if (sym->st_value % INSN_SZ)
		return bad_rel(obj, r, "symbol value 0x%llx is no instruction boundary",
			       (unsigned long long)sym->st_value);
	target = sym->st_value / INSN_SZ + rel_addend(obj, sym, insn->imm, true) + 1;
	f = subprog_at(obj, target);
	if (!f)
		return bad_rel(obj, r, "call target, instruction %lld of .text, is no function's start",
			       (long long)target);
	rc->kind = RELOC_CALL;
	rc->target = f - obj->funcs;
	return 0;
}

static int rel_ldimm64_sec(struct bpf64_object *obj, const struct rel *r,
			   u32 shndx, s64 off, struct reloc *rc)
{
	struct elf_sec *s = &obj->secs[shndx];
	struct obj_map *m;
	struct func *f;

	switch (s->kind) {
	case SEC_PROG:
		if (shndx != obj->text || off % INSN_SZ)
			break;
		f = subprog_at(obj, off / (s64)INSN_SZ);
		if (!f)
			return bad_rel(obj, r, "address of .text+%lld, which is no function's start",
				       (long long)off);
		rc->kind = RELOC_FUNC;
		rc->target = f - obj->funcs;
		return 0;
	case SEC_LEGACY_MAPS:
	case SEC_BTF_MAPS:
		m = off >= 0 ? map_at(obj, shndx, off, true) : NULL;
		if (!m)
			return bad_rel(obj, r, "no map at offset %lld of section %s",
				       (long long)off, s->name);
		rc->kind = RELOC_MAP;
		rc->target = m - obj->maps;
		return 0;
	case SEC_DATA:
		if (off < 0 || (u64)off >= s->sh.sh_size)
			return bad_rel(obj, r, "offset %lld is outside the %llu bytes of section %s",
				       (long long)off,
				       (unsigned long long)s->sh.sh_size, s->name);
		rc->kind = RELOC_DATA;
		rc->target = s->map;
		rc->off = off;
		return 0;
	default:
		break;
	}
	return bad_rel(obj, r, "section %s holds no map, global data or subprogram",
		       s->name);
}

static int rel_ldimm64(struct bpf64_object *obj, const struct rel *r,
		       const struct func *f, u32 insn_idx, struct reloc *rc)
{
	const struct bpf_insn *insn = &obj->secs[f->sec].insns[insn_idx];
	const Elf64_Sym *sym = r->sym;

	if (insn_idx + 1 >= f->start + f->cnt)
		return bad_rel(obj, r, "LD_IMM64 cut off by the end of function '%s'",
			       f->name);
	if (insn->src_reg)
		return bad_rel(obj, r, "LD_IMM64 with src_reg %u already set",
			       insn->src_reg);
	if (sym->st_shndx == SHN_UNDEF)
		return bad_rel(obj, r, "extern variables (kconfig, ksyms) are not supported");
	if (sym->st_shndx >= SHN_LORESERVE)
		return bad_rel(obj, r, "symbol in special section 0x%x (an uninitialised global variable?)",
			       sym->st_shndx);
	return rel_ldimm64_sec(obj, r, sym->st_shndx, (s64)sym->st_value +
			       rel_addend(obj, sym, insn->imm, false), rc);
}

static int read_rel(struct bpf64_object *obj, struct rel *r, u64 size)
{
	const Elf64_Shdr *sh = &obj->secs[r->rsec].sh;
	Elf64_Rel rel;

	memcpy(&rel, sec_data(obj, r->rsec) + (u64)r->i * sizeof(rel),
	       sizeof(rel));
	r->off = rel.r_offset;
	r->type = ELF64_R_TYPE(rel.r_info);
	r->symi = ELF64_R_SYM(rel.r_info);
	r->sym = NULL;
	if (!r->symi || r->symi >= obj->nr_syms)
		return bad_rel(obj, r, "symbol index %u out of range (%u symbols)",
			       r->symi, obj->nr_syms);
	r->sym = &obj->syms[r->symi];
	if (r->off >= size)
		return bad_rel(obj, r, "offset outside the %llu bytes of section %s",
			       (unsigned long long)size,
			       obj->secs[sh->sh_info].name);
	return 0;
}

static int prog_reloc(struct bpf64_object *obj, struct rel *r)
{
	u32 sec = obj->secs[r->rsec].sh.sh_info;
	struct elf_sec *s = &obj->secs[sec];
	u32 idx = r->off / INSN_SZ;
	const struct bpf_insn *insn = &s->insns[idx];
	struct func *f;
	int err;

	if (r->off % INSN_SZ)
		return bad_rel(obj, r, "offset is no instruction boundary");
	if (r->type != R_BPF_64_64 && r->type != R_BPF_64_32)
		return bad_rel(obj, r, "type %u is no instruction relocation (R_BPF_64_64, R_BPF_64_32)",
			       r->type);
	f = find_func(obj, sec, idx);
	if (!f)		/* outside every function: never loaded */
		return 0;
	if (s->relocs[idx].kind)
		return bad_rel(obj, r, "a second relocation of instruction %u",
			       idx);
	if (is_ldimm64(insn) && r->type == R_BPF_64_64)
		err = rel_ldimm64(obj, r, f, idx, &s->relocs[idx]);
	else if (insn->code == (BPF_JMP | BPF_CALL) && r->type == R_BPF_64_32)
		err = rel_call(obj, r, insn, &s->relocs[idx]);
	else
		err = bad_rel(obj, r, "type %u does not fit instruction %u (code 0x%02x)",
			      r->type, idx, insn->code);
	return err;
}

static int set_slot(struct bpf64_object *obj, struct obj_map *m, u32 slot,
		    int val)
{
	u32 n = m->pub.nr_slots;
	int *slots;

	if (slot >= n) {
		slots = realloc(m->pub.slots, (slot + 1) * sizeof(*slots));
		if (!slots)
			return nomem(obj);
		for (; n <= slot; n++)
			slots[n] = -1;
		m->pub.slots = slots;
		m->pub.nr_slots = n;
	}
	m->pub.slots[slot] = val;
	return 0;
}

/* A pointer in ".maps": an initial element of a map-in-map or prog array. */
static int maps_reloc(struct bpf64_object *obj, struct rel *r)
{
	const Elf64_Sym *sym = r->sym;
	struct obj_map *m, *t;
	struct func *f;
	u64 at;

	if (r->type != R_BPF_64_ABS64 && r->type != R_BPF_DATA_64 &&
	    r->type != R_BPF_64_64)
		return bad_rel(obj, r, "type %u is no 64-bit data relocation",
			       r->type);
	m = map_at(obj, obj->maps_sec, r->off, false);
	if (!m || r->off + 8 > m->off + m->size)
		return bad_rel(obj, r, "not inside a map definition");
	at = r->off - m->off;
	if (!m->has_values || at < m->values_off || (at - m->values_off) % 8)
		return bad_rel(obj, r, "not an element of map '%s''s 'values'",
			       m->pub.name);
	at = (at - m->values_off) / 8;
	if (at >= m->pub.def.max_entries)
		return bad_rel(obj, r, "element %llu of map '%s' is past its %u entries",
			       (unsigned long long)at, m->pub.name,
			       m->pub.def.max_entries);
	if (is_map_in_map(m->pub.def.type)) {
		t = sym->st_shndx == obj->maps_sec ?
		    map_at(obj, obj->maps_sec, sym->st_value, true) : NULL;
		if (!t)
			return bad_rel(obj, r, "not a map of section .maps");
		if (m->pub.def.type == BPF_MAP_TYPE_HASH_OF_MAPS &&
		    m->pub.def.key_size != sizeof(u32))
			return bad_rel(obj, r, "initial elements of a hash of maps need 4-byte keys");
		return set_slot(obj, m, at, t - obj->maps);
	}
	f = is_func_sym(obj, sym) && !(sym->st_value % INSN_SZ) ?
	    find_func(obj, sym->st_shndx, sym->st_value / INSN_SZ) : NULL;
	if (!f || f->prog == NO_FUNC || f->start * INSN_SZ != sym->st_value)
		return bad_rel(obj, r, "not a program");
	return set_slot(obj, m, at, f->prog);
}

static int read_relocs(struct bpf64_object *obj, u32 rsec)
{
	const Elf64_Shdr *sh = &obj->secs[rsec].sh;
	struct rel r = { .rsec = rsec };
	u32 target = sh->sh_info, n;
	int err;

	if (target >= obj->nr_secs)
		return bad(obj, "section %s: relocates section %u, past the %u sections",
			   obj->secs[rsec].name, target, obj->nr_secs);
	if (obj->secs[target].kind != SEC_PROG && target != obj->maps_sec)
		return 0;	/* DWARF, .BTF, .BTF.ext, data: not needed */
	if (sh->sh_type == SHT_RELA)
		return bad(obj, "section %s: RELA relocations for %s (BPF compilers write REL)",
			   obj->secs[rsec].name, obj->secs[target].name);
	if (sh->sh_entsize != sizeof(Elf64_Rel) ||
	    sh->sh_size % sizeof(Elf64_Rel) || sh->sh_link != obj->symtab)
		return bad(obj, "section %s: not a table of %zu-byte relocations against the symbol table",
			   obj->secs[rsec].name, sizeof(Elf64_Rel));
	n = sh->sh_size / sizeof(Elf64_Rel);
	for (r.i = 0; r.i < n; r.i++) {
		err = read_rel(obj, &r, obj->secs[target].sh.sh_size);
		if (!err)
			err = target == obj->maps_sec ? maps_reloc(obj, &r) :
							prog_reloc(obj, &r);
		if (err)
			return err;
	}
	return 0;
}

static int collect_relocs(struct bpf64_object *obj)
{
	u32 i;
	int err;

	for (i = 1; i < obj->nr_secs; i++) {
		u32 type = obj->secs[i].sh.sh_type;

		if (type != SHT_REL && type != SHT_RELA)
			continue;
		err = read_relocs(obj, i);
		if (err)
			return err;
	}
	return 0;
}

/* ---- 7. programs with their subprograms ---- */

struct builder {
	struct bpf64_program *prog;
	struct bpf_insn *out;
	u32 len;
	u32 cap;
	u32 gen;		/* placed[] entries of this program */
	u32 *placed_gen;
	u32 *placed_at;
	u32 *queue;		/* functions placed, in order */
	u32 nr_queued;
};

static int place(struct bpf64_object *obj, struct builder *b, u32 fi)
{
	const struct func *f = &obj->funcs[fi];
	struct bpf_insn *out;
	u32 cap;

	if (b->len + f->cnt > MAX_PROG_INSNS ||
	    obj->total_insns + f->cnt > MAX_OBJ_INSNS)
		return bad(obj, "program '%s': more than %u instructions with its subprograms (or %u in the object)",
			   b->prog->name, MAX_PROG_INSNS, MAX_OBJ_INSNS);
	if (b->len + f->cnt > b->cap) {
		cap = max(b->cap * 2, b->len + f->cnt);
		out = realloc(b->out, (size_t)cap * INSN_SZ);
		if (!out)
			return nomem(obj);
		b->out = out;
		b->cap = cap;
	}
	memcpy(b->out + b->len, obj->secs[f->sec].insns + f->start,
	       (size_t)f->cnt * INSN_SZ);
	b->placed_gen[fi] = b->gen;
	b->placed_at[fi] = b->len;
	b->queue[b->nr_queued++] = fi;
	b->len += f->cnt;
	obj->total_insns += f->cnt;
	return 0;
}

/*
 * A call without relocation is relative to the caller's section: inside
 * its own function it stays as it is (NO_FUNC), else it must reach a
 * subprogram of .text from .text.
 */
static int local_call(struct bpf64_object *obj, const struct func *f, u32 i,
		      s32 imm, u32 *target)
{
	s64 t = (s64)f->start + i + imm + 1;
	struct func *g;

	*target = NO_FUNC;
	if (t >= f->start && t < f->start + f->cnt)
		return 0;
	g = f->sec == obj->text ? subprog_at(obj, t) : NULL;
	if (!g)
		return bad(obj, "function '%s', instruction %u: call to instruction %lld of section %s, which is no subprogram of .text",
			   f->name, i, (long long)t, obj->secs[f->sec].name);
	*target = g - obj->funcs;
	return 0;
}

/* Patch the copy of function @fi; appends the subprograms it reaches. */
static int link_func(struct bpf64_object *obj, struct builder *b, u32 fi)
{
	const struct func *f = &obj->funcs[fi];
	const struct reloc *rs = obj->secs[f->sec].relocs + f->start;
	u32 base = b->placed_at[fi], i, t;
	struct bpf_insn *insn;
	int err;

	for (i = 0; i < f->cnt; i++) {
		insn = &b->out[base + i];
		switch (rs[i].kind) {
		case RELOC_MAP:
		case RELOC_DATA:
			insn[0].src_reg = rs[i].kind == RELOC_MAP ?
					  BPF_PSEUDO_MAP_IDX :
					  BPF_PSEUDO_MAP_IDX_VALUE;
			insn[0].imm = rs[i].target;
			insn[1].imm = rs[i].off;
			i++;
			continue;
		case RELOC_CALL:
		case RELOC_FUNC:
			t = rs[i].target;
			break;
		default:
			if (is_ldimm64(insn)) {
				/* only relocations make maps and addresses */
				if (insn->src_reg)
					return bad(obj, "function '%s', instruction %u: LD_IMM64 with src_reg %u but no relocation",
						   f->name, i, insn->src_reg);
				i++;
				continue;
			}
			if (!is_pseudo_call(insn))
				continue;
			err = local_call(obj, f, i, insn->imm, &t);
			if (err)
				return err;
			if (t == NO_FUNC)
				continue;
		}
		if (b->placed_gen[t] != b->gen) {
			err = place(obj, b, t);
			if (err)
				return err;
		}
		insn = &b->out[base + i];	/* place() may move out */
		insn->imm = (s64)b->placed_at[t] - (base + i) - 1;
		if (rs[i].kind == RELOC_FUNC) {
			insn[0].src_reg = BPF_PSEUDO_FUNC;
			insn[1].imm = 0;
			i++;
		}
	}
	return 0;
}

/*
 * Line information is optional: like libbpf, an object whose .BTF.ext
 * cannot be read loads without it.
 */
static int read_line_info(struct bpf64_object *obj)
{
	const struct elf_sec *s = &obj->secs[obj->btf_ext];
	char msg[160];
	int err;

	if (!obj->btf_ext || !obj->btf || s->sh.sh_type != SHT_PROGBITS)
		return 0;
	err = bpf64_btf_ext_lines(sec_data(obj, obj->btf_ext), s->sh.sh_size,
				  obj->btf, &obj->ext_lines,
				  &obj->nr_ext_lines, msg, sizeof(msg));
	return err == -ENOMEM ? nomem(obj) : 0;
}

/* The first line record of section @sec at or after instruction @insn. */
static u32 first_line(const struct bpf64_object *obj, const char *sec,
		      u32 insn)
{
	u32 lo = 0, hi = obj->nr_ext_lines;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct bpf64_btf_ext_line *l = &obj->ext_lines[mid];
		int c = strcmp(l->sec, sec);

		if (c < 0 || (!c && l->insn < insn))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int cmp_prog_line(const void *a, const void *b)
{
	const struct bpf64_btf_ext_line *x = a, *y = b;

	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

/* The lines of the functions placed in @b's program, at their new places. */
static int prog_lines(struct bpf64_object *obj, struct builder *b)
{
	struct bpf64_btf_ext_line *out = NULL, *n;
	u32 nr = 0, cap = 0, q, i;

	for (q = 0; q < b->nr_queued; q++) {
		const struct func *f = &obj->funcs[b->queue[q]];
		const char *sec = obj->secs[f->sec].name;

		for (i = first_line(obj, sec, f->start);
		     i < obj->nr_ext_lines &&
		     !strcmp(obj->ext_lines[i].sec, sec) &&
		     obj->ext_lines[i].insn < f->start + f->cnt; i++) {
			if (nr == cap) {
				cap = 2 * cap + 8;
				n = realloc(out, (size_t)cap * sizeof(*out));
				if (!n) {
					free(out);
					return nomem(obj);
				}
				out = n;
			}
			out[nr] = obj->ext_lines[i];
			out[nr++].insn += b->placed_at[b->queue[q]] - f->start;
		}
	}
	if (nr)
		qsort(out, nr, sizeof(*out), cmp_prog_line);
	b->prog->lines = out;
	b->prog->nr_lines = nr;
	return 0;
}

static int build_programs(struct bpf64_object *obj)
{
	struct builder b = { };
	u32 i, q, n = obj->nr_funcs ? obj->nr_funcs : 1;
	int err = 0;

	b.placed_gen = calloc(n, sizeof(u32));
	b.placed_at = calloc(n, sizeof(u32));
	b.queue = calloc(n, sizeof(u32));
	if (!b.placed_gen || !b.placed_at || !b.queue)
		err = nomem(obj);
	for (i = 0; i < obj->nr_funcs && !err; i++) {
		if (obj->funcs[i].prog == NO_FUNC)
			continue;
		b.prog = &obj->progs[obj->funcs[i].prog];
		b.gen++;
		b.out = NULL;
		b.len = b.cap = b.nr_queued = 0;
		err = place(obj, &b, i);
		for (q = 0; q < b.nr_queued && !err; q++)
			err = link_func(obj, &b, b.queue[q]);
		b.prog->insns = b.out;
		b.prog->insn_cnt = b.len;
		if (!err)
			err = prog_lines(obj, &b);
	}
	free(b.placed_gen);
	free(b.placed_at);
	free(b.queue);
	return err;
}

/* ---- opening, closing, looking up ---- */

struct bpf64_object *bpf64_object_open_mem(const void *buf, size_t size,
					   const char *name, char *err,
					   size_t err_size)
{
	struct bpf64_object *obj = calloc(1, sizeof(*obj));
	int ret;

	if (err && err_size)
		err[0] = '\0';
	if (!obj) {
		if (err && err_size)
			snprintf(err, err_size, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	obj->err = err;
	obj->err_size = err_size;
	obj->name = strdup(name ? name : "");
	obj->image = malloc(size ? size : 1);
	if (!obj->name || !obj->image) {
		ret = nomem(obj);
		goto fail;
	}
	if (size)
		memcpy(obj->image, buf, size);
	obj->size = size;
	ret = read_sections(obj);
	if (!ret)
		ret = read_symbols(obj);
	if (!ret)
		ret = classify_sections(obj);
	if (!ret)
		ret = collect_funcs(obj);
	if (!ret)
		ret = init_maps(obj);
	if (!ret)
		ret = collect_relocs(obj);
	if (!ret)
		ret = read_line_info(obj);
	if (!ret)
		ret = build_programs(obj);
	if (ret)
		goto fail;
	obj->err = NULL;
	return obj;
fail:
	bpf64_object_close(obj);
	errno = -ret;
	return NULL;
}

struct bpf64_object *bpf64_object_open_file(const char *path, char *err,
					    size_t err_size)
{
	struct bpf64_object *obj = NULL;
	const char *base = strrchr(path, '/');
	char *buf = NULL, *name;
	size_t len = 0, cap = 0, n;
	FILE *f = fopen(path, "rb");
	int e = errno;

	if (!f)
		goto fail;
	do {
		if (len == cap) {
			char *nbuf = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!nbuf) {
				e = ENOMEM;
				goto fail;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	e = ferror(f) ? EIO : 0;
	if (e)
		goto fail;
	/* libbpf's object name: the file's name up to its first dot */
	name = strdup(base ? base + 1 : path);
	if (!name) {
		e = ENOMEM;
		goto fail;
	}
	name[strcspn(name, ".")] = '\0';
	obj = bpf64_object_open_mem(buf, len, name, err, err_size);
	e = errno;
	free(name);
	if (obj)
		e = 0;
	else if (err && err_size)	/* say which file */
		snprintf(err + strlen(err), err_size - strlen(err), " (%s)",
			 path);
fail:
	if (e && !obj && err && err_size && !err[0])
		snprintf(err, err_size, "%s: %s", path, strerror(e));
	if (f)
		fclose(f);
	free(buf);
	errno = e;
	return obj;
}

static void unload(struct bpf64_object *obj)
{
	u32 i;

	for (i = 0; i < obj->nr_progs; i++) {
		if (obj->progs[i].fd >= 0)
			obj->be->close(obj->progs[i].fd);
		obj->progs[i].fd = -1;
	}
	for (i = 0; i < obj->nr_maps; i++) {
		if (obj->maps[i].pub.fd >= 0)
			obj->be->close(obj->maps[i].pub.fd);
		obj->maps[i].pub.fd = -1;
	}
}

void bpf64_object_close(struct bpf64_object *obj)
{
	u32 i;

	if (!obj)
		return;
	if (obj->be)
		unload(obj);
	for (i = 0; i < obj->nr_secs; i++) {
		free(obj->secs[i].insns);
		free(obj->secs[i].relocs);
		free(obj->secs[i].refs);
	}
	for (i = 0; i < obj->nr_progs; i++) {
		free(obj->progs[i].insns);
		free(obj->progs[i].lines);
	}
	free(obj->ext_lines);
	for (i = 0; i < obj->nr_maps; i++) {
		if (owns_name(&obj->maps[i]))
			free((char *)obj->maps[i].pub.name);
		free(obj->maps[i].pub.slots);
	}
	bpf64_btf_free(obj->btf);
	free(obj->maps);
	free(obj->progs);
	free(obj->funcs);
	free(obj->syms);
	free(obj->secs);
	free(obj->image);
	free(obj->name);
	free(obj);
}

const char *bpf64_object_name(const struct bpf64_object *obj)
{
	return obj->name;
}

const char *bpf64_object_license(const struct bpf64_object *obj)
{
	return obj->license;
}

u32 bpf64_object_kversion(const struct bpf64_object *obj)
{
	return obj->kversion;
}

u32 bpf64_object_nr_programs(const struct bpf64_object *obj)
{
	return obj->nr_progs;
}

struct bpf64_program *bpf64_object_program(struct bpf64_object *obj, u32 i)
{
	return i < obj->nr_progs ? &obj->progs[i] : NULL;
}

struct bpf64_program *bpf64_object_find_program(struct bpf64_object *obj,
						const char *name)
{
	u32 i;

	for (i = 0; i < obj->nr_progs; i++)
		if (!strcmp(obj->progs[i].name, name))
			return &obj->progs[i];
	return NULL;
}

struct bpf64_program *
bpf64_object_find_program_by_section(struct bpf64_object *obj,
				     const char *section)
{
	u32 i;

	for (i = 0; i < obj->nr_progs; i++)
		if (!strcmp(obj->progs[i].section, section))
			return &obj->progs[i];
	return NULL;
}

u32 bpf64_object_nr_maps(const struct bpf64_object *obj)
{
	return obj->nr_maps;
}

struct bpf64_elf_map *bpf64_object_map(struct bpf64_object *obj, u32 i)
{
	return i < obj->nr_maps ? &obj->maps[i].pub : NULL;
}

struct bpf64_elf_map *bpf64_object_find_map(struct bpf64_object *obj,
					    const char *name)
{
	u32 i;

	for (i = 0; i < obj->nr_maps; i++)
		if (!strcmp(obj->maps[i].pub.name, name))
			return &obj->maps[i].pub;
	return NULL;
}

/* ---- loading ---- */

#define VERIFIER_LOG_SIZE	(1u << 20)
#define VERIFIER_LOG_LINES	40

static long sys(const struct bpf64_object *obj, int cmd, union bpf_attr *attr)
{
	return obj->be->sys_bpf(cmd, attr, sizeof(*attr));
}

/* Linux wants a ring buffer's size a power-of-2 number of pages. */
static u32 ringbuf_size(u32 size)
{
	long page = sysconf(_SC_PAGESIZE);
	u64 mul;

	if (!size || (size % page == 0 && !((size / page) & (size / page - 1))))
		return size;
	for (mul = 1; mul * page <= UINT32_MAX; mul <<= 1)
		if (mul * page > size)
			return mul * page;
	return size;
}

static int create_map(struct bpf64_object *obj, struct obj_map *m,
		      struct bpf64_log *log)
{
	const struct bpf64_map_def *d = &m->pub.def;
	union bpf_attr attr = { };
	long fd;

	attr.map_type = d->type;
	attr.key_size = d->key_size;
	attr.value_size = d->value_size;
	attr.max_entries = d->type == BPF_MAP_TYPE_RINGBUF ?
			   ringbuf_size(d->max_entries) : d->max_entries;
	attr.map_flags = d->map_flags;
	attr.numa_node = d->numa_node;
	attr.map_extra = d->map_extra;
	if (m->pub.inner >= 0)
		attr.inner_map_fd = obj->maps[m->pub.inner].pub.fd;
	snprintf(attr.map_name, sizeof(attr.map_name), "%s", m->pub.name);
	fd = sys(obj, BPF_MAP_CREATE, &attr);
	if (fd < 0) {
		bpf64_log(log, "map '%s': BPF_MAP_CREATE (type %u, key %u, value %u, max_entries %u, flags 0x%x): %s\n",
			  m->pub.name, d->type, d->key_size, d->value_size,
			  attr.max_entries, d->map_flags, strerror(-fd));
		return fd;
	}
	m->pub.fd = fd;
	return 0;
}

/* A pinned map is reused if it is what the definition asks for. */
static int reuse_pinned(struct bpf64_object *obj, struct obj_map *m,
			const char *path, int fd, struct bpf64_log *log)
{
	const struct bpf64_map_def *d = &m->pub.def;
	struct bpf_map_info info = { };
	union bpf_attr attr = { };
	int err;

	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (unsigned long)&info;
	err = sys(obj, BPF_OBJ_GET_INFO_BY_FD, &attr);
	if (!err && (info.type != d->type || info.key_size != d->key_size ||
		     info.value_size != d->value_size ||
		     info.max_entries != d->max_entries ||
		     info.map_flags != d->map_flags))
		err = -EINVAL;
	if (err) {
		bpf64_log(log, "map '%s': the map pinned at %s does not match its definition: %s\n",
			  m->pub.name, path, strerror(-err));
		obj->be->close(fd);
		return err;
	}
	m->pub.fd = fd;
	return 0;
}

static int pin_map(struct bpf64_object *obj, struct obj_map *m,
		   struct bpf64_log *log)
{
	union bpf_attr attr = { };
	char path[256];
	long fd;
	int err;

	snprintf(path, sizeof(path), "%s/%s", BPF64_PIN_ROOT, m->pub.name);
	attr.pathname = (unsigned long)path;
	fd = sys(obj, BPF_OBJ_GET, &attr);
	if (fd >= 0)
		return reuse_pinned(obj, m, path, fd, log);
	err = create_map(obj, m, log);
	if (err)
		return err;
	memset(&attr, 0, sizeof(attr));
	attr.bpf_fd = m->pub.fd;
	attr.pathname = (unsigned long)path;
	err = sys(obj, BPF_OBJ_PIN, &attr);
	if (err)
		bpf64_log(log, "map '%s': pinning at %s: %s\n", m->pub.name,
			  path, strerror(-err));
	return err;
}

/* Global data: the section's bytes in, then .rodata frozen. */
static int init_data(struct bpf64_object *obj, struct obj_map *m,
		     struct bpf64_log *log)
{
	union bpf_attr attr = { };
	u32 key = 0;
	int err;

	attr.map_fd = m->pub.fd;
	attr.key = (unsigned long)&key;
	attr.value = (unsigned long)m->pub.data;
	err = sys(obj, BPF_MAP_UPDATE_ELEM, &attr);
	if (!err && m->pub.kind == BPF64_MAP_RODATA) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = m->pub.fd;
		err = sys(obj, BPF_MAP_FREEZE, &attr);
	}
	if (err)
		bpf64_log(log, "map '%s': writing its initial contents: %s\n",
			  m->pub.name, strerror(-err));
	return err;
}

static int load_maps(struct bpf64_object *obj, struct bpf64_log *log)
{
	u32 i;
	int err;

	for (i = 0; i < obj->nr_maps; i++) {
		struct obj_map *m = &obj->maps[i];

		if (m->pub.pinning == BPF64_PIN_BY_NAME)
			err = pin_map(obj, m, log);
		else
			err = create_map(obj, m, log);
		if (!err && m->pub.data)
			err = init_data(obj, m, log);
		if (err)
			return err;
		/* the template has served once its outer map exists */
		if (m->pub.inner >= 0) {
			obj->be->close(obj->maps[m->pub.inner].pub.fd);
			obj->maps[m->pub.inner].pub.fd = -1;
		}
	}
	return 0;
}

/* The kernel's copy: map indexes become the maps' fds. */
static struct bpf_insn *insns_with_fds(const struct bpf64_object *obj,
				       const struct bpf64_program *p)
{
	struct bpf_insn *insns = malloc((size_t)p->insn_cnt * INSN_SZ + 1);
	u32 i;

	if (!insns)
		return NULL;
	memcpy(insns, p->insns, (size_t)p->insn_cnt * INSN_SZ);
	for (i = 0; i + 1 < p->insn_cnt; i++) {
		if (!is_ldimm64(&insns[i]))
			continue;
		if (insns[i].src_reg == BPF_PSEUDO_MAP_IDX) {
			insns[i].src_reg = BPF_PSEUDO_MAP_FD;
			insns[i].imm = obj->maps[insns[i].imm].pub.fd;
		} else if (insns[i].src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
			insns[i].src_reg = BPF_PSEUDO_MAP_VALUE;
			insns[i].imm = obj->maps[insns[i].imm].pub.fd;
		}
		i++;
	}
	return insns;
}

static long prog_load(const struct bpf64_object *obj,
		      const struct bpf64_program *p, const struct bpf_insn *insns,
		      char *vlog, u32 vlog_size)
{
	union bpf_attr attr = { };

	attr.prog_type = p->type;
	attr.expected_attach_type = p->expected_attach_type;
	attr.prog_flags = p->prog_flags;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = p->insn_cnt;
	attr.license = (unsigned long)obj->license;
	attr.kern_version = obj->kversion;
	snprintf(attr.prog_name, sizeof(attr.prog_name), "%s", p->name);
	if (vlog) {
		attr.log_buf = (unsigned long)vlog;
		attr.log_size = vlog_size;
		attr.log_level = 1;
	}
	return sys(obj, BPF_PROG_LOAD, &attr);
}

/* The tail of a verifier log: the lines that say why. */
static const char *log_tail(const char *vlog, int lines)
{
	const char *p = vlog + strlen(vlog);

	while (p > vlog && p[-1] == '\n')
		p--;
	while (p > vlog && lines) {
		p--;
		if (*p == '\n' && !--lines)
			return p + 1;
	}
	return vlog;
}

/* The line record instruction @insn belongs to, or NULL. */
static const struct bpf64_btf_ext_line *
line_of(const struct bpf64_program *p, u32 insn)
{
	u32 lo = 0, hi = p->nr_lines;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (p->lines[mid].insn <= insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &p->lines[lo - 1] : NULL;
}

/*
 * The verifier log with "; source @ file:line" before the first
 * instruction of each new source line, as Linux prints it.  NULL when it
 * does not fit twice the log's size (the caller keeps the log as it is).
 */
static char *annotate_log(const struct bpf64_program *p, const char *vlog)
{
	const struct bpf64_btf_ext_line *last = NULL, *l;
	size_t size = 2 * strlen(vlog) + 4096;
	struct bpf64_log out = { .buf = calloc(1, size), .size = size };
	const char *line = vlog, *nl, *file, *text;
	unsigned long insn;
	char *end;

	while (out.buf && *line && !out.truncated) {
		nl = strchr(line, '\n');
		nl = nl ? nl + 1 : line + strlen(line);
		insn = strtoul(line, &end, 10);
		l = end != line && !strncmp(end, ": (", 3) ?
		    line_of(p, insn) : NULL;
		if (l && l != last) {
			file = strrchr(l->file, '/');
			for (text = l->text; *text == ' ' || *text == '\t';)
				text++;
			bpf64_log(&out, "; %s @ %s:%u\n", text,
				  file ? file + 1 : l->file, l->line);
			last = l;
		}
		bpf64_log(&out, "%.*s", (int)(nl - line), line);
		line = nl;
	}
	if (out.buf && out.truncated) {
		free(out.buf);
		return NULL;
	}
	return out.buf;
}

static int load_prog(struct bpf64_object *obj, struct bpf64_program *p,
		     struct bpf64_log *log)
{
	struct bpf_insn *insns;
	char *vlog = NULL, *src;
	long fd;

	if (!p->type) {
		bpf64_log(log, "program '%s': section '%s' names no program type\n",
			  p->name, p->section);
		return -EINVAL;
	}
	insns = insns_with_fds(obj, p);
	if (!insns)
		return -ENOMEM;
	fd = prog_load(obj, p, insns, NULL, 0);
	if (fd < 0) {
		/* again, for the verifier's reasons */
		vlog = calloc(1, VERIFIER_LOG_SIZE);
		if (vlog)
			prog_load(obj, p, insns, vlog, VERIFIER_LOG_SIZE);
		src = vlog && p->nr_lines ? annotate_log(p, vlog) : NULL;
		if (src) {
			free(vlog);
			vlog = src;
		}
		bpf64_log(log, "program '%s' (section %s): BPF_PROG_LOAD: %s\n%s",
			  p->name, p->section, strerror(-fd),
			  vlog ? log_tail(vlog, VERIFIER_LOG_LINES) : "");
		free(vlog);
	}
	free(insns);
	if (fd < 0)
		return fd;
	p->fd = fd;
	return 0;
}

/* Initial elements of map-in-map and prog-array maps. */
static int fill_slots(struct bpf64_object *obj, struct obj_map *m,
		      struct bpf64_log *log)
{
	bool progs = m->pub.def.type == BPF_MAP_TYPE_PROG_ARRAY;
	union bpf_attr attr = { };
	u32 key, val;
	int err;

	for (key = 0; key < m->pub.nr_slots; key++) {
		if (m->pub.slots[key] < 0)
			continue;
		val = progs ? obj->progs[m->pub.slots[key]].fd :
			      obj->maps[m->pub.slots[key]].pub.fd;
		attr.map_fd = m->pub.fd;
		attr.key = (unsigned long)&key;
		attr.value = (unsigned long)&val;
		err = sys(obj, BPF_MAP_UPDATE_ELEM, &attr);
		if (err) {
			bpf64_log(log, "map '%s': setting element %u: %s\n",
				  m->pub.name, key, strerror(-err));
			return err;
		}
	}
	return 0;
}

int bpf64_object_load(struct bpf64_object *obj,
		      const struct bpf64_backend *be, char *log_buf,
		      size_t log_size)
{
	struct bpf64_log log = {
		.buf = log_buf,
		.size = log_size > UINT32_MAX ? UINT32_MAX : log_size,
	};
	u32 i;
	int err;

	if (log_buf && log_size)
		log_buf[0] = '\0';
	if (obj->be) {
		bpf64_log(&log, "object '%s' is already loaded\n", obj->name);
		return -EBUSY;
	}
	obj->be = be;
	err = load_maps(obj, &log);
	for (i = 0; i < obj->nr_progs && !err; i++)
		err = load_prog(obj, &obj->progs[i], &log);
	for (i = 0; i < obj->nr_maps && !err; i++)
		if (obj->maps[i].pub.nr_slots)
			err = fill_slots(obj, &obj->maps[i], &log);
	if (err)
		unload(obj);
	return err;
}
