/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading BPF programs from relocatable ELF objects, as clang (-target bpf,
 * any -mcpu) and GCC's BPF backend write them, with libbpf's conventions:
 *
 *  - programs are the global functions of executable sections; the section
 *    name gives the program type ("socket", "xdp", "kprobe/FN", ...: the
 *    table in elf.c follows libbpf's section_defs); functions in .text are
 *    subprograms, appended to every program that calls them;
 *  - maps come from the legacy "maps" section (struct bpf_map_def), from
 *    BTF-defined ".maps" (__uint, __type, __array: map-in-map inner maps and
 *    initial values, prog-array initial values, pinning by name), and from
 *    global data: .data*, .rodata* and .bss* each become a one-element
 *    ARRAY named as libbpf names it ("objname.data"; .rodata is
 *    BPF_F_RDONLY_PROG and frozen after its contents are written);
 *  - "license" and "version" sections.
 *
 * Opening parses and relocates; it needs no backend, so it can be tested
 * and fuzzed alone.  Every offset, size, index, symbol and relocation in
 * the object is checked: bad input gives NULL and a message in @err, never
 * a crash.  Loading creates the maps and loads the programs through a
 * backend (tools/lib/bpf64/backend.h): bpf64's own bpf() or Linux's.
 *
 * An object is not thread-safe; use one from one thread at a time.
 */
#ifndef _BPF64_ELF_H
#define _BPF64_ELF_H

#include <stddef.h>
#include <linux/bpf64/platform.h>
#include "btf_ext.h"

struct bpf64_backend;
struct bpf64_object;

enum bpf64_map_kind {
	BPF64_MAP_LEGACY,	/* struct bpf_map_def in "maps" */
	BPF64_MAP_BTF,		/* BTF-defined, in ".maps" */
	BPF64_MAP_INNER,	/* the inner-map template of a map-in-map */
	BPF64_MAP_DATA,		/* .data, .data.* */
	BPF64_MAP_RODATA,	/* .rodata, .rodata.* */
	BPF64_MAP_BSS,		/* .bss, .bss.* */
};

/* __uint(pinning, ...): libbpf's LIBBPF_PIN_* values. */
enum bpf64_pin {
	BPF64_PIN_NONE,
	BPF64_PIN_BY_NAME,	/* BPF64_PIN_ROOT "/" name, reused if there */
};

#define BPF64_PIN_ROOT	"/sys/fs/bpf"

struct bpf64_map_def {
	u32 type;		/* enum bpf_map_type */
	u32 key_size;
	u32 value_size;
	u32 max_entries;
	u32 map_flags;
	u32 numa_node;
	u64 map_extra;
};

struct bpf64_elf_map {
	const char *name;	/* the symbol's, or "objname.data" etc. */
	const char *section;	/* the ELF section it comes from */
	enum bpf64_map_kind kind;
	struct bpf64_map_def def;
	enum bpf64_pin pinning;
	int inner;		/* index of the inner-map template, or -1 */
	/*
	 * Initial contents: DATA and RODATA have def.value_size bytes in
	 * @data (BSS: NULL, all zeros).  A map-in-map or prog array may
	 * have initial elements: @slots[i] is the index of the map (of the
	 * program) to put at key i, or -1.
	 */
	const u8 *data;
	int *slots;
	u32 nr_slots;
	int fd;			/* after load; -1 before */
};

struct bpf64_program {
	const char *name;	/* the function's */
	const char *section;
	/* From the section name; may be changed before loading. */
	u32 type;		/* enum bpf_prog_type; 0: the name says none */
	u32 expected_attach_type;
	u32 prog_flags;		/* BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS */
	/*
	 * Relocated instructions, with the subprograms the program calls
	 * appended.  Map references are BPF_PSEUDO_MAP_IDX (the map) and
	 * BPF_PSEUDO_MAP_IDX_VALUE (an offset into a global-data map in the
	 * second slot's imm), their imm the map's index in the object;
	 * loading hands the kernel a copy with the maps' fds instead.
	 */
	struct bpf_insn *insns;
	u32 insn_cnt;
	/*
	 * Source lines (clang -g): lines[i] holds from instruction
	 * lines[i].insn of insns on; sorted.  A refused load's verifier log
	 * names them, as Linux's does for a loader that passes BTF.
	 */
	struct bpf64_btf_ext_line *lines;
	u32 nr_lines;
	u32 sec_off;		/* where the function starts, in bytes */
	int fd;			/* after load; -1 before */
};

/*
 * Parse and relocate an object.  @name names the object (libbpf takes the
 * file name up to its first '.'); it prefixes the global-data maps' names.
 * NULL on error, with the reason in @err (always NUL-terminated).
 */
struct bpf64_object *bpf64_object_open_mem(const void *buf, size_t size,
					   const char *name, char *err,
					   size_t err_size);
struct bpf64_object *bpf64_object_open_file(const char *path, char *err,
					    size_t err_size);
/* Closes every fd the object holds (through the backend it was loaded
 * with) and frees it.  NULL is a no-op.
 */
void bpf64_object_close(struct bpf64_object *obj);

const char *bpf64_object_name(const struct bpf64_object *obj);
const char *bpf64_object_license(const struct bpf64_object *obj); /* "" */
u32 bpf64_object_kversion(const struct bpf64_object *obj);

u32 bpf64_object_nr_programs(const struct bpf64_object *obj);
struct bpf64_program *bpf64_object_program(struct bpf64_object *obj, u32 i);
struct bpf64_program *bpf64_object_find_program(struct bpf64_object *obj,
						const char *name);
/* The first program of the section. */
struct bpf64_program *
bpf64_object_find_program_by_section(struct bpf64_object *obj,
				     const char *section);

/* In creation order: an inner-map template comes before its outer map. */
u32 bpf64_object_nr_maps(const struct bpf64_object *obj);
struct bpf64_elf_map *bpf64_object_map(struct bpf64_object *obj, u32 i);
struct bpf64_elf_map *bpf64_object_find_map(struct bpf64_object *obj,
					    const char *name);

/*
 * Create the maps (writing global data, freezing .rodata, pinning), load
 * every program, then fill map-in-map and prog-array slots.  Returns 0, or
 * -errno with the reason (and the verifier's log when a program was
 * refused) in @log.  On failure everything created is closed again; an
 * object is loaded at most once.
 */
int bpf64_object_load(struct bpf64_object *obj,
		      const struct bpf64_backend *be, char *log,
		      size_t log_size);

/*
 * libbpf's section-name conventions: the program type, expected attach
 * type and prog_flags for a section.  -ENOENT if the name says none.
 */
int bpf64_section_prog_type(const char *section, u32 *type,
			    u32 *expected_attach_type, u32 *prog_flags);

#endif /* _BPF64_ELF_H */
