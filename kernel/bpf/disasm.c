// SPDX-License-Identifier: GPL-2.0
/*
 * The disassembler: one instruction to one line of text, in either the
 * bpf_conformance suite's assembly or Linux's verifier-log syntax.
 *
 * An instruction decodes when every field it carries means something: a
 * known opcode, and zero in each field its opcode does not use.  That is
 * exactly what the assembly syntax can spell, so whatever decodes in
 * BPF64_DISASM_ASM style reassembles to the same bytes (the selftests and
 * fuzzers hold us to that).  Whether a program may run the instruction
 * (registers, targets, ...) is bpf64_check_insn()'s business, not ours.
 */
#include <linux/bpf64/disasm.h>

#ifndef BPF_MAY_GOTO
#define BPF_MAY_GOTO	0	/* src_reg of BPF_JMP | BPF_JCOND */
#endif

const char *const bpf64_alu_names[16] = {
	[BPF_ADD >> 4]	= "add",
	[BPF_SUB >> 4]	= "sub",
	[BPF_MUL >> 4]	= "mul",
	[BPF_DIV >> 4]	= "div",
	[BPF_OR >> 4]	= "or",
	[BPF_AND >> 4]	= "and",
	[BPF_LSH >> 4]	= "lsh",
	[BPF_RSH >> 4]	= "rsh",
	[BPF_NEG >> 4]	= "neg",
	[BPF_MOD >> 4]	= "mod",
	[BPF_XOR >> 4]	= "xor",
	[BPF_MOV >> 4]	= "mov",
	[BPF_ARSH >> 4]	= "arsh",
};

const char *const bpf64_alu_signed_names[16] = {
	[BPF_DIV >> 4]	= "sdiv",
	[BPF_MOD >> 4]	= "smod",
};

const char *const bpf64_jmp_names[16] = {
	[BPF_JEQ >> 4]	= "jeq",
	[BPF_JGT >> 4]	= "jgt",
	[BPF_JGE >> 4]	= "jge",
	[BPF_JSET >> 4]	= "jset",
	[BPF_JNE >> 4]	= "jne",
	[BPF_JSGT >> 4]	= "jsgt",
	[BPF_JSGE >> 4]	= "jsge",
	[BPF_JLT >> 4]	= "jlt",
	[BPF_JLE >> 4]	= "jle",
	[BPF_JSLT >> 4]	= "jslt",
	[BPF_JSLE >> 4]	= "jsle",
};

const char *const bpf64_size_names[4] = {
	[BPF_W >> 3]	= "w",
	[BPF_H >> 3]	= "h",
	[BPF_B >> 3]	= "b",
	[BPF_DW >> 3]	= "dw",
};

const char *const bpf64_atomic_names[16] = {
	[BPF_ADD >> 4]		= "add",
	[BPF_OR >> 4]		= "or",
	[BPF_AND >> 4]		= "and",
	[BPF_XOR >> 4]		= "xor",
	[BPF_XCHG >> 4]		= "xchg",
	[BPF_CMPXCHG >> 4]	= "cmpxchg",
};

const char *const bpf64_ld_pseudo_names[BPF64_LD_PSEUDO_MAX + 1] = {
	[BPF_PSEUDO_MAP_FD]		= "map_fd",
	[BPF_PSEUDO_MAP_VALUE]		= "map_value",
	[BPF_PSEUDO_BTF_ID]		= "btf_id",
	[BPF_PSEUDO_FUNC]		= "func",
	[BPF_PSEUDO_MAP_IDX]		= "map_idx",
	[BPF_PSEUDO_MAP_IDX_VALUE]	= "map_idx_value",
};

/* Linux's spellings, for BPF64_DISASM_KERNEL. */
static const char *const kern_alu_ops[16] = {
	[BPF_ADD >> 4]	= "+=",
	[BPF_SUB >> 4]	= "-=",
	[BPF_MUL >> 4]	= "*=",
	[BPF_DIV >> 4]	= "/=",
	[BPF_OR >> 4]	= "|=",
	[BPF_AND >> 4]	= "&=",
	[BPF_LSH >> 4]	= "<<=",
	[BPF_RSH >> 4]	= ">>=",
	[BPF_MOD >> 4]	= "%=",
	[BPF_XOR >> 4]	= "^=",
	[BPF_MOV >> 4]	= "=",
	[BPF_ARSH >> 4]	= "s>>=",
};

static const char *const kern_alu_signed_ops[16] = {
	[BPF_DIV >> 4]	= "s/=",
	[BPF_MOD >> 4]	= "s%=",
};

static const char *const kern_jmp_ops[16] = {
	[BPF_JEQ >> 4]	= "==",
	[BPF_JGT >> 4]	= ">",
	[BPF_JGE >> 4]	= ">=",
	[BPF_JSET >> 4]	= "&",
	[BPF_JNE >> 4]	= "!=",
	[BPF_JSGT >> 4]	= "s>",
	[BPF_JSGE >> 4]	= "s>=",
	[BPF_JLT >> 4]	= "<",
	[BPF_JLE >> 4]	= "<=",
	[BPF_JSLT >> 4]	= "s<",
	[BPF_JSLE >> 4]	= "s<=",
};

static const char *const kern_sizes[4] = {
	[BPF_W >> 3]	= "u32",
	[BPF_H >> 3]	= "u16",
	[BPF_B >> 3]	= "u8",
	[BPF_DW >> 3]	= "u64",
};

static const char *const kern_sx_sizes[4] = {
	[BPF_W >> 3]	= "s32",
	[BPF_H >> 3]	= "s16",
	[BPF_B >> 3]	= "s8",
};

/* Helper names as Linux prints them: "call bpf_map_lookup_elem#1". */
#define BPF64_HELPER_NAME(x)	[BPF_FUNC_ ## x] = "bpf_" #x
static const char *const helper_names[] = {
	__BPF_FUNC_MAPPER(BPF64_HELPER_NAME)
};
#undef BPF64_HELPER_NAME

struct dis {
	const struct bpf_insn *insn;
	enum bpf64_disasm_style style;
	char *buf;
	size_t size;
};

/* Fields an opcode may leave unused; each must then be zero. */
#define F_DST	0x1
#define F_SRC	0x2
#define F_OFF	0x4
#define F_IMM	0x8

static __printf(2, 3) int emit(struct dis *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->buf, d->size, fmt, ap);
	va_end(ap);
	return 1;
}

static __printf(2, 3) int bad(struct dis *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->buf, d->size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int unknown(struct dis *d)
{
	return bad(d, "unknown opcode 0x%02x", d->insn->code);
}

static int unused_zero(struct dis *d, unsigned int unused)
{
	const struct bpf_insn *insn = d->insn;

	if ((unused & F_DST) && insn->dst_reg)
		return bad(d, "opcode 0x%02x: unused dst_reg is %u, not 0",
			   insn->code, insn->dst_reg);
	if ((unused & F_SRC) && insn->src_reg)
		return bad(d, "opcode 0x%02x: unused src_reg is %u, not 0",
			   insn->code, insn->src_reg);
	if ((unused & F_OFF) && insn->off)
		return bad(d, "opcode 0x%02x: unused off is %d, not 0",
			   insn->code, insn->off);
	if ((unused & F_IMM) && insn->imm)
		return bad(d, "opcode 0x%02x: unused imm is %d, not 0",
			   insn->code, insn->imm);
	return 0;
}

static bool kernel_style(const struct dis *d)
{
	return d->style == BPF64_DISASM_KERNEL;
}

/* A memory operand in assembly: "[%r1+4]", "[%r10-8]", "[%r1]". */
static const char *asm_mem(char *tmp, size_t size, u8 reg, s16 off)
{
	if (off)
		snprintf(tmp, size, "[%%r%u%+d]", reg, off);
	else
		snprintf(tmp, size, "[%%r%u]", reg);
	return tmp;
}

static int dis_end(struct dis *d)
{
	const struct bpf_insn *insn = d->insn;
	bool swap = BPF_CLASS(insn->code) == BPF_ALU64;
	const char *name;
	int err;

	if (swap && BPF_SRC(insn->code) != BPF_K)
		return unknown(d);
	err = unused_zero(d, F_SRC | F_OFF);
	if (err)
		return err;
	if (insn->imm != 16 && insn->imm != 32 && insn->imm != 64)
		return bad(d, "opcode 0x%02x: byte swap of %d bits, not 16, 32 or 64",
			   insn->code, insn->imm);
	if (swap)
		name = "bswap";
	else
		name = BPF_SRC(insn->code) == BPF_TO_BE ? "be" : "le";
	if (kernel_style(d))
		return emit(d, "r%u = %s%d r%u", insn->dst_reg, name, insn->imm,
			    insn->dst_reg);
	return emit(d, "%s%d %%r%u", name, insn->imm, insn->dst_reg);
}

static int dis_neg(struct dis *d, bool is64)
{
	const struct bpf_insn *insn = d->insn;
	char r = is64 ? 'r' : 'w';
	int err;

	if (BPF_SRC(insn->code) != BPF_K)
		return unknown(d);
	err = unused_zero(d, F_SRC | F_OFF | F_IMM);
	if (err)
		return err;
	if (kernel_style(d))
		return emit(d, "%c%u = -%c%u", r, insn->dst_reg, r,
			    insn->dst_reg);
	return emit(d, "neg%s %%r%u", is64 ? "" : "32", insn->dst_reg);
}

/* MOV with off 8, 16 or 32: sign-extending move (cpu v4). */
static int dis_movsx(struct dis *d, bool is64)
{
	const struct bpf_insn *insn = d->insn;
	char r = is64 ? 'r' : 'w';
	int err;

	if (insn->off != 8 && insn->off != 16 && !(is64 && insn->off == 32))
		return bad(d, "opcode 0x%02x: sign extension from %d bits, not 8, 16%s",
			   insn->code, insn->off, is64 ? " or 32" : "");
	err = unused_zero(d, F_IMM);
	if (err)
		return err;
	if (kernel_style(d))
		return emit(d, "%c%u = (s%d)%c%u", r, insn->dst_reg, insn->off,
			    r, insn->src_reg);
	return emit(d, "movsx%d%s %%r%u, %%r%u", insn->off, is64 ? "64" : "32",
		    insn->dst_reg, insn->src_reg);
}

static int dis_alu(struct dis *d)
{
	const struct bpf_insn *insn = d->insn;
	bool is64 = BPF_CLASS(insn->code) == BPF_ALU64;
	bool x = BPF_SRC(insn->code) == BPF_X;
	unsigned int op = BPF_OP(insn->code) >> 4;
	const char *name = bpf64_alu_names[op], *kop = kern_alu_ops[op];
	char r = is64 ? 'r' : 'w';
	int err;

	if (BPF_OP(insn->code) == BPF_END)
		return dis_end(d);
	if (!name)
		return unknown(d);
	if (BPF_OP(insn->code) == BPF_NEG)
		return dis_neg(d, is64);
	if (BPF_OP(insn->code) == BPF_MOV && x && insn->off)
		return dis_movsx(d, is64);
	/* off 1 turns DIV and MOD signed (cpu v4) */
	if (insn->off == 1 && bpf64_alu_signed_names[op]) {
		name = bpf64_alu_signed_names[op];
		kop = kern_alu_signed_ops[op];
	} else if (insn->off) {
		return unused_zero(d, F_OFF);
	}
	err = unused_zero(d, x ? F_IMM : F_SRC);
	if (err)
		return err;
	if (kernel_style(d) && x)
		return emit(d, "%c%u %s %c%u", r, insn->dst_reg, kop, r,
			    insn->src_reg);
	if (kernel_style(d))
		return emit(d, "%c%u %s %d", r, insn->dst_reg, kop, insn->imm);
	if (x)
		return emit(d, "%s%s %%r%u, %%r%u", name, is64 ? "" : "32",
			    insn->dst_reg, insn->src_reg);
	return emit(d, "%s%s %%r%u, %d", name, is64 ? "" : "32",
		    insn->dst_reg, insn->imm);
}

static const char *helper_name(s32 id)
{
	if (id >= 0 && id < (s32)ARRAY_SIZE(helper_names) && helper_names[id])
		return helper_names[id];
	return "unknown";
}

static int dis_call(struct dis *d)
{
	const struct bpf_insn *insn = d->insn;
	bool kern = kernel_style(d);
	int err;

	if (BPF_SRC(insn->code) == BPF_X) {	/* callx: target in dst_reg */
		err = unused_zero(d, F_SRC | F_OFF | F_IMM);
		if (err)
			return err;
		return kern ? emit(d, "callx r%u", insn->dst_reg) :
			      emit(d, "call %%r%u", insn->dst_reg);
	}
	err = unused_zero(d, F_DST | F_OFF);
	if (err)
		return err;
	switch (insn->src_reg) {
	case 0:
		return kern ? emit(d, "call %s#%d", helper_name(insn->imm),
				   insn->imm) :
			      emit(d, "call %d", insn->imm);
	case BPF_PSEUDO_CALL:
		return kern ? emit(d, "call pc%+d", insn->imm) :
			      emit(d, "call local %+d", insn->imm);
	case BPF_PSEUDO_KFUNC_CALL:
		return kern ? emit(d, "call kernel-function#%d", insn->imm) :
			      emit(d, "call runtime %d", insn->imm);
	}
	return bad(d, "opcode 0x%02x: unknown kind of call, src_reg %u",
		   insn->code, insn->src_reg);
}

static int dis_ja(struct dis *d, bool is32)
{
	const struct bpf_insn *insn = d->insn;
	int err;

	if (BPF_SRC(insn->code) != BPF_K)
		return unknown(d);
	/* gotol keeps its 32-bit offset in imm */
	err = unused_zero(d, F_DST | F_SRC | (is32 ? F_OFF : F_IMM));
	if (err)
		return err;
	if (kernel_style(d))
		return is32 ? emit(d, "gotol pc%+d", insn->imm) :
			      emit(d, "goto pc%+d", insn->off);
	return is32 ? emit(d, "ja32 %+d", insn->imm) :
		      emit(d, "ja %+d", insn->off);
}

static int dis_jcond(struct dis *d)
{
	const struct bpf_insn *insn = d->insn;
	int err;

	if (BPF_SRC(insn->code) != BPF_K)
		return unknown(d);
	if (insn->src_reg != BPF_MAY_GOTO)
		return bad(d, "opcode 0x%02x: unknown condition, src_reg %u",
			   insn->code, insn->src_reg);
	err = unused_zero(d, F_DST | F_IMM);
	if (err)
		return err;
	return kernel_style(d) ? emit(d, "may_goto pc%+d", insn->off) :
				 emit(d, "may_goto %+d", insn->off);
}

static int dis_jmp(struct dis *d)
{
	const struct bpf_insn *insn = d->insn;
	bool is32 = BPF_CLASS(insn->code) == BPF_JMP32;
	bool x = BPF_SRC(insn->code) == BPF_X;
	unsigned int op = BPF_OP(insn->code) >> 4;
	char r = is32 ? 'w' : 'r';
	int err;

	switch (BPF_OP(insn->code)) {
	case BPF_JA:
		return dis_ja(d, is32);
	case BPF_CALL:
		return is32 ? unknown(d) : dis_call(d);
	case BPF_EXIT:
		if (is32 || x)
			return unknown(d);
		err = unused_zero(d, F_DST | F_SRC | F_OFF | F_IMM);
		return err ? err : emit(d, "exit");
	case BPF_JCOND:
		return is32 ? unknown(d) : dis_jcond(d);
	}
	if (!bpf64_jmp_names[op])
		return unknown(d);
	err = unused_zero(d, x ? F_IMM : F_SRC);
	if (err)
		return err;
	if (kernel_style(d) && x)
		return emit(d, "if %c%u %s %c%u goto pc%+d", r, insn->dst_reg,
			    kern_jmp_ops[op], r, insn->src_reg, insn->off);
	if (kernel_style(d))
		return emit(d, "if %c%u %s 0x%x goto pc%+d", r, insn->dst_reg,
			    kern_jmp_ops[op], (u32)insn->imm, insn->off);
	if (x)
		return emit(d, "%s%s %%r%u, %%r%u, %+d", bpf64_jmp_names[op],
			    is32 ? "32" : "", insn->dst_reg, insn->src_reg,
			    insn->off);
	return emit(d, "%s%s %%r%u, %d, %+d", bpf64_jmp_names[op],
		    is32 ? "32" : "", insn->dst_reg, insn->imm, insn->off);
}

/* Linux prints pseudo loads as bpftool does, naming what imm refers to. */
static int kern_ld_pseudo(struct dis *d, s32 imm, s32 imm2)
{
	u8 dst = d->insn->dst_reg;

	switch (d->insn->src_reg) {
	case BPF_PSEUDO_MAP_FD:
		return emit(d, "r%u = map[fd:%u]", dst, (u32)imm);
	case BPF_PSEUDO_MAP_VALUE:
		return emit(d, "r%u = map[fd:%u][0]+%u", dst, (u32)imm,
			    (u32)imm2);
	case BPF_PSEUDO_BTF_ID:
		return emit(d, "r%u = btf_id[%u]", dst, (u32)imm);
	case BPF_PSEUDO_FUNC:
		return emit(d, "r%u = subprog[%+d]", dst, imm);
	case BPF_PSEUDO_MAP_IDX:
		return emit(d, "r%u = map[idx:%u]", dst, (u32)imm);
	}
	return emit(d, "r%u = map[idx:%u]+%u", dst, (u32)imm, (u32)imm2);
}

static int asm_ld_pseudo(struct dis *d, s32 imm, s32 imm2)
{
	const struct bpf_insn *insn = d->insn;
	const char *kind = bpf64_ld_pseudo_names[insn->src_reg];
	bool value = insn->src_reg == BPF_PSEUDO_MAP_VALUE ||
		     insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE;

	/* a subprogram's address is pc-relative, like a local call */
	if (insn->src_reg == BPF_PSEUDO_FUNC && !imm2)
		return emit(d, "lddw %%r%u, %s %+d", insn->dst_reg, kind, imm);
	if (insn->src_reg == BPF_PSEUDO_FUNC)
		return emit(d, "lddw %%r%u, %s %+d, %d", insn->dst_reg, kind,
			    imm, imm2);
	if (value || imm2)
		return emit(d, "lddw %%r%u, %s %d, %d", insn->dst_reg, kind,
			    imm, imm2);
	return emit(d, "lddw %%r%u, %s %d", insn->dst_reg, kind, imm);
}

static int dis_ldimm64(struct dis *d, u32 left)
{
	const struct bpf_insn *insn = d->insn, *tail = insn + 1;
	u64 imm64;
	int err;

	err = unused_zero(d, F_OFF);
	if (err)
		return err;
	if (insn->src_reg > BPF64_LD_PSEUDO_MAX)
		return bad(d, "ld_imm64 of unknown kind, src_reg %u",
			   insn->src_reg);
	if (left < 2)
		return bad(d, "ld_imm64 is truncated: its second half is missing");
	if (tail->code || tail->dst_reg || tail->src_reg || tail->off)
		return bad(d, "ld_imm64 second half has code, registers or off set");
	if (insn->src_reg) {
		err = kernel_style(d) ? kern_ld_pseudo(d, insn->imm, tail->imm) :
					asm_ld_pseudo(d, insn->imm, tail->imm);
		return err < 0 ? err : 2;
	}
	imm64 = (u64)(u32)tail->imm << 32 | (u32)insn->imm;
	if (kernel_style(d))
		emit(d, "r%u = 0x%llx", insn->dst_reg, (unsigned long long)imm64);
	else
		emit(d, "lddw %%r%u, 0x%llx", insn->dst_reg,
		     (unsigned long long)imm64);
	return 2;
}

static int dis_ld(struct dis *d, u32 left)
{
	const struct bpf_insn *insn = d->insn;
	const char *size = bpf64_size_names[BPF_SIZE(insn->code) >> 3];
	const char *ksize = kern_sizes[BPF_SIZE(insn->code) >> 3];
	int err;

	if (insn->code == (BPF_LD | BPF_IMM | BPF_DW))
		return dis_ldimm64(d, left);
	if (BPF_SIZE(insn->code) == BPF_DW)
		return unknown(d);
	switch (BPF_MODE(insn->code)) {
	case BPF_ABS:	/* legacy packet loads: the result is always r0 */
		err = unused_zero(d, F_DST | F_SRC | F_OFF);
		if (err)
			return err;
		return kernel_style(d) ?
		       emit(d, "r0 = *(%s *)skb[%d]", ksize, insn->imm) :
		       emit(d, "ldabs%s %d", size, insn->imm);
	case BPF_IND:
		err = unused_zero(d, F_DST | F_OFF);
		if (err)
			return err;
		return kernel_style(d) ?
		       emit(d, "r0 = *(%s *)skb[r%u + %d]", ksize,
			    insn->src_reg, insn->imm) :
		       emit(d, "ldind%s %%r%u, %d", size, insn->src_reg,
			    insn->imm);
	}
	return unknown(d);
}

static int dis_ldx(struct dis *d)
{
	const struct bpf_insn *insn = d->insn;
	unsigned int sz = BPF_SIZE(insn->code) >> 3;
	bool sx = BPF_MODE(insn->code) == BPF_MEMSX;
	char mem[32];
	int err;

	if (BPF_MODE(insn->code) != BPF_MEM && !(sx && kern_sx_sizes[sz]))
		return unknown(d);
	err = unused_zero(d, F_IMM);
	if (err)
		return err;
	if (kernel_style(d))
		return emit(d, "r%u = *(%s *)(r%u %+d)", insn->dst_reg,
			    sx ? kern_sx_sizes[sz] : kern_sizes[sz],
			    insn->src_reg, insn->off);
	return emit(d, "ldx%s%s %%r%u, %s", sx ? "s" : "", bpf64_size_names[sz],
		    insn->dst_reg,
		    asm_mem(mem, sizeof(mem), insn->src_reg, insn->off));
}

static int dis_st(struct dis *d)
{
	const struct bpf_insn *insn = d->insn;
	unsigned int sz = BPF_SIZE(insn->code) >> 3;
	char mem[32];
	int err;

	if (BPF_MODE(insn->code) != BPF_MEM)
		return unknown(d);
	err = unused_zero(d, F_SRC);
	if (err)
		return err;
	if (kernel_style(d))
		return emit(d, "*(%s *)(r%u %+d) = %d", kern_sizes[sz],
			    insn->dst_reg, insn->off, insn->imm);
	return emit(d, "st%s %s, %d", bpf64_size_names[sz],
		    asm_mem(mem, sizeof(mem), insn->dst_reg, insn->off),
		    insn->imm);
}

static int kern_atomic(struct dis *d, const char *name, bool fetch)
{
	const struct bpf_insn *insn = d->insn;
	bool dw = BPF_SIZE(insn->code) == BPF_DW;
	const char *ksize = dw ? "u64" : "u32";
	u8 dst = insn->dst_reg, src = insn->src_reg;
	s16 off = insn->off;

	if (insn->imm == BPF_CMPXCHG)
		return emit(d, "r0 = atomic%s_cmpxchg((%s *)(r%u %+d), r0, r%u)",
			    dw ? "64" : "", ksize, dst, off, src);
	if (insn->imm == BPF_XCHG)
		return emit(d, "r%u = atomic%s_xchg((%s *)(r%u %+d), r%u)",
			    src, dw ? "64" : "", ksize, dst, off, src);
	if (fetch)
		return emit(d, "r%u = atomic%s_fetch_%s((%s *)(r%u %+d), r%u)",
			    src, dw ? "64" : "", name, ksize, dst, off, src);
	return emit(d, "lock *(%s *)(r%u %+d) %s r%u", ksize, dst, off,
		    kern_alu_ops[(insn->imm & 0xf0) >> 4], src);
}

static int dis_atomic(struct dis *d)
{
	const struct bpf_insn *insn = d->insn;
	u32 imm = insn->imm;
	const char *name = imm <= 0xff ? bpf64_atomic_names[imm >> 4] : NULL;
	bool xchg = imm == BPF_XCHG || imm == BPF_CMPXCHG;
	bool fetch = imm & BPF_FETCH;
	char mem[32];

	if (BPF_SIZE(insn->code) != BPF_W && BPF_SIZE(insn->code) != BPF_DW)
		return unknown(d);
	/* xchg and cmpxchg always fetch; the others with BPF_FETCH or not */
	if (!name || (imm & 0x0e) || (!xchg && (imm & 0xf0) >= (BPF_XCHG & 0xf0)))
		return bad(d, "opcode 0x%02x: unknown atomic operation 0x%x",
			   insn->code, imm);
	if (kernel_style(d))
		return kern_atomic(d, name, fetch);
	return emit(d, "lock %s%s%s %s, %%r%u", fetch && !xchg ? "fetch " : "",
		    name, BPF_SIZE(insn->code) == BPF_W ? "32" : "",
		    asm_mem(mem, sizeof(mem), insn->dst_reg, insn->off),
		    insn->src_reg);
}

static int dis_stx(struct dis *d)
{
	const struct bpf_insn *insn = d->insn;
	unsigned int sz = BPF_SIZE(insn->code) >> 3;
	char mem[32];
	int err;

	if (BPF_MODE(insn->code) == BPF_ATOMIC)
		return dis_atomic(d);
	if (BPF_MODE(insn->code) != BPF_MEM)
		return unknown(d);
	err = unused_zero(d, F_IMM);
	if (err)
		return err;
	if (kernel_style(d))
		return emit(d, "*(%s *)(r%u %+d) = r%u", kern_sizes[sz],
			    insn->dst_reg, insn->off, insn->src_reg);
	return emit(d, "stx%s %s, %%r%u", bpf64_size_names[sz],
		    asm_mem(mem, sizeof(mem), insn->dst_reg, insn->off),
		    insn->src_reg);
}

int bpf64_disasm_insn(const struct bpf_insn *insns, u32 len, u32 idx,
		      enum bpf64_disasm_style style, char *buf, size_t size)
{
	struct dis d = { .style = style, .buf = buf, .size = buf ? size : 0 };

	if (d.size)
		buf[0] = '\0';
	if (!insns || idx >= len)
		return bad(&d, "no instruction %u in a program of %u", idx, len);
	if (style != BPF64_DISASM_ASM && style != BPF64_DISASM_KERNEL)
		return bad(&d, "unknown disassembly style %d", style);
	d.insn = &insns[idx];
	switch (BPF_CLASS(d.insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return dis_alu(&d);
	case BPF_JMP:
	case BPF_JMP32:
		return dis_jmp(&d);
	case BPF_LD:
		return dis_ld(&d, len - idx);
	case BPF_LDX:
		return dis_ldx(&d);
	case BPF_ST:
		return dis_st(&d);
	default:	/* BPF_STX: the class is three bits, all eight named */
		return dis_stx(&d);
	}
}
