// SPDX-License-Identifier: GPL-2.0
/*
 * Arbitrary bytes into the ELF loader's open (parse and relocate; nothing
 * is loaded).  Beyond not crashing or reading out of bounds: a failure
 * says why, and what opens is consistent: every map reference names a
 * map of the object, every global-data offset lies inside its value,
 * every call and subprogram address lands inside the program, every
 * initial element names a map or program that exists.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <bpf64/elf.h>

static void fail(const char *what, const char *name, unsigned int i)
{
	fprintf(stderr, "%s: %s (insn/slot %u)\n", name, what, i);
	abort();
}

static void check_prog(struct bpf64_object *obj, const struct bpf64_program *p)
{
	u32 nr_maps = bpf64_object_nr_maps(obj), i;

	for (i = 0; i < p->insn_cnt; i++) {
		const struct bpf_insn *insn = &p->insns[i];
		s64 target = (s64)i + insn->imm + 1;

		if (insn->code == (BPF_JMP | BPF_CALL) &&
		    insn->src_reg == BPF_PSEUDO_CALL &&
		    (target < 0 || target >= p->insn_cnt))
			fail("call out of the program", p->name, i);
		if (insn->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (i + 1 >= p->insn_cnt) {
			if (insn->src_reg)
				fail("relocated LD_IMM64 cut off", p->name, i);
			continue;
		}
		if (insn->src_reg == BPF_PSEUDO_FUNC &&
		    (target < 0 || target >= p->insn_cnt))
			fail("subprogram address out of the program", p->name, i);
		if ((insn->src_reg == BPF_PSEUDO_MAP_IDX ||
		     insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) &&
		    (u32)insn->imm >= nr_maps)
			fail("map index out of range", p->name, i);
		if (insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE &&
		    (u32)insn[1].imm >=
		    bpf64_object_map(obj, insn->imm)->def.value_size)
			fail("global-data offset past the value", p->name, i);
		i++;
	}
	/* source lines: sorted, inside the program, strings readable */
	for (i = 0; i < p->nr_lines; i++) {
		const struct bpf64_btf_ext_line *l = &p->lines[i];

		if (l->insn >= p->insn_cnt ||
		    (i && l->insn < p->lines[i - 1].insn))
			fail("source line outside the program or unsorted",
			     p->name, i);
		if (strlen(l->file) + strlen(l->text) + strlen(l->sec) > (1U << 30))
			fail("source line strings", p->name, i);
	}
}

static void check_map(struct bpf64_object *obj, const struct bpf64_elf_map *m)
{
	u32 limit = m->def.type == BPF_MAP_TYPE_PROG_ARRAY ?
		    bpf64_object_nr_programs(obj) : bpf64_object_nr_maps(obj);
	volatile u8 sink = 0;
	u32 i;

	if (m->inner >= (int)bpf64_object_nr_maps(obj))
		fail("inner template out of range", m->name, 0);
	for (i = 0; i < m->nr_slots; i++)
		if (m->slots[i] >= (int)limit)
			fail("initial element out of range", m->name, i);
	/* ASan checks that the initial value is as long as it says */
	if (m->data && m->def.value_size)
		sink ^= m->data[m->def.value_size - 1];
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpf64_object *obj;
	char err[256];
	u32 i;

	obj = bpf64_object_open_mem(data, size, "fuzz", err, sizeof(err));
	if (!obj) {
		if (!err[0])
			fail("failed without a message", "object", 0);
		return 0;
	}
	for (i = 0; i < bpf64_object_nr_programs(obj); i++)
		check_prog(obj, bpf64_object_program(obj, i));
	for (i = 0; i < bpf64_object_nr_maps(obj); i++)
		check_map(obj, bpf64_object_map(obj, i));
	bpf64_object_close(obj);
	return 0;
}
