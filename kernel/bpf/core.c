// SPDX-License-Identifier: GPL-2.0
/* Program objects: created from checked instructions, freed with their code. */
#include <linux/bpf64/insn.h>
#include <linux/bpf64/jit.h>
#include <linux/bpf64/prog.h>
#include "interp.h"

int bpf64_jit_enable = 1;
int bpf64_jit_harden;

/* Maps and BTF come only through BPF_PROG_LOAD, never to a raw program. */
static int check_no_pseudo_ldimm64(const struct bpf_insn *insns, u32 len,
				   struct bpf64_log *log)
{
	u32 i;

	for (i = 0; i < len; i++) {
		if (bpf64_is_ldimm64(&insns[i]) && insns[i].src_reg) {
			bpf64_log(log, "insn %u: ld_imm64 pseudo source %u needs maps or BTF, which a raw program has none of\n",
				  i, insns[i].src_reg);
			return -EINVAL;
		}
	}
	return 0;
}

int bpf64_prog_create(struct bpf64_prog **progp, const struct bpf_insn *insns,
		      u32 len, const struct bpf64_prog_ops *ops,
		      struct bpf64_log *log)
{
	struct bpf64_prog *prog;
	int err;

	*progp = NULL;
	err = bpf64_check_insns(insns, len, log);
	if (err)
		return err;
	err = check_no_pseudo_ldimm64(insns, len, log);
	if (err)
		return err;
	prog = bpf64_zalloc(sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	prog->insns = bpf64_zalloc_array(len, sizeof(*insns));
	if (!prog->insns) {
		bpf64_free(prog);
		return -ENOMEM;
	}
	memcpy(prog->insns, insns, (size_t)len * sizeof(*insns));
	prog->len = len;
	prog->ops = ops;
	*progp = prog;
	return 0;
}

void bpf64_prog_free(struct bpf64_prog *prog)
{
	if (!prog)
		return;
	bpf64_interp_image_free(prog->interp);
	bpf64_jit_image_free(prog->jit);
	bpf64_free(prog->insns);
	bpf64_free(prog);
}
