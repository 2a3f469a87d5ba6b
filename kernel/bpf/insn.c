// SPDX-License-Identifier: GPL-2.0
/*
 * Structural check of raw instructions.
 *
 * Everything that can be known about a program without following its data
 * flow: opcodes, registers, reserved fields, jump targets, the last
 * instruction.  The interpreter's checked mode relies on it (a program that
 * passed never decodes to garbage); the verifier starts from it.  Messages use
 * Linux's words so users of either recognise them.
 */
#include <linux/bpf64/insn.h>

static __printf(3, 4) int reject(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Linux's instruction table: is this code byte an instruction at all? */
static bool opcode_known(u8 code)
{
	u8 op = BPF_OP(code), mode = BPF_MODE(code), size = BPF_SIZE(code);

	switch (BPF_CLASS(code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op > BPF_END)
			return false;
		if (op == BPF_NEG)
			return BPF_SRC(code) == BPF_K;
		if (op == BPF_END && BPF_CLASS(code) == BPF_ALU64)
			return BPF_SRC(code) == BPF_K;
		return true;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_JCOND || op == 0xf0)
			return false;
		if (op == BPF_JA || op == BPF_EXIT)
			return BPF_SRC(code) == BPF_K &&
			       (op == BPF_JA || BPF_CLASS(code) == BPF_JMP);
		if (op == BPF_CALL)	/* BPF_X is callx, an RFC 9669 extension */
			return BPF_CLASS(code) == BPF_JMP;
		return true;
	case BPF_LD:
		if (mode == BPF_IMM)
			return size == BPF_DW;
		return (mode == BPF_ABS || mode == BPF_IND) && size != BPF_DW;
	case BPF_LDX:
		return mode == BPF_MEM || (mode == BPF_MEMSX && size != BPF_DW);
	case BPF_ST:
		return mode == BPF_MEM;
	case BPF_STX:
		return mode == BPF_MEM ||
		       (mode == BPF_ATOMIC && (size == BPF_W || size == BPF_DW));
	}
	return false;
}

static bool atomic_imm_known(s32 imm)
{
	switch (imm) {
	case BPF_ADD: case BPF_ADD | BPF_FETCH:
	case BPF_AND: case BPF_AND | BPF_FETCH:
	case BPF_OR:  case BPF_OR | BPF_FETCH:
	case BPF_XOR: case BPF_XOR | BPF_FETCH:
	case BPF_XCHG:
	case BPF_CMPXCHG:
		return true;
	}
	return false;
}

static int check_alu_fields(const struct bpf_insn *insn, char *why, size_t sz)
{
	u8 op = BPF_OP(insn->code);
	bool x = BPF_SRC(insn->code) == BPF_X;
	bool alu64 = BPF_CLASS(insn->code) == BPF_ALU64;

	switch (op) {
	case BPF_NEG:
		if (insn->src_reg || insn->off || insn->imm)
			return reject(why, sz, "BPF_NEG uses reserved fields");
		return 0;
	case BPF_END:
		if (insn->src_reg || insn->off ||
		    (insn->imm != 16 && insn->imm != 32 && insn->imm != 64))
			return reject(why, sz, "BPF_END uses reserved fields");
		return 0;
	case BPF_MOV:
		if (!x) {
			if (insn->src_reg || insn->off)
				return reject(why, sz, "BPF_MOV uses reserved fields");
			return 0;
		}
		if (insn->imm || (insn->off != 0 && insn->off != 8 &&
				  insn->off != 16 && (!alu64 || insn->off != 32)))
			return reject(why, sz, "BPF_MOV uses reserved fields");
		return 0;
	}
	if ((x ? insn->imm != 0 : insn->src_reg != 0) ||
	    (insn->off != 0 && insn->off != BPF64_OFF_SIGNED) ||
	    (insn->off == BPF64_OFF_SIGNED && op != BPF_DIV && op != BPF_MOD))
		return reject(why, sz, "BPF_ALU uses reserved fields");
	return 0;
}

static int check_jmp_fields(const struct bpf_insn *insn, char *why, size_t sz)
{
	bool jmp32 = BPF_CLASS(insn->code) == BPF_JMP32;

	switch (BPF_OP(insn->code)) {
	case BPF_CALL:
		if (BPF_SRC(insn->code) == BPF_X) {	/* callx: id in dst */
			if (insn->src_reg || insn->off || insn->imm)
				return reject(why, sz, "BPF_CALL uses reserved fields");
			return 0;
		}
		if (insn->dst_reg || insn->off ||
		    (insn->src_reg != 0 && insn->src_reg != BPF_PSEUDO_CALL))
			return reject(why, sz, "BPF_CALL uses reserved fields");
		return 0;
	case BPF_JA:
		if (insn->src_reg || insn->dst_reg ||
		    (jmp32 ? insn->off != 0 : insn->imm != 0))
			return reject(why, sz, "BPF_JA uses reserved fields");
		return 0;
	case BPF_EXIT:
		if (insn->src_reg || insn->dst_reg || insn->off || insn->imm)
			return reject(why, sz, "BPF_EXIT uses reserved fields");
		return 0;
	}
	if (BPF_SRC(insn->code) == BPF_X ? insn->imm != 0 : insn->src_reg != 0)
		return reject(why, sz, "BPF_JMP/JMP32 uses reserved fields");
	return 0;
}

static int check_fields(const struct bpf_insn *insn, char *why, size_t sz)
{
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return check_alu_fields(insn, why, sz);
	case BPF_JMP:
	case BPF_JMP32:
		return check_jmp_fields(insn, why, sz);
	case BPF_LD:
		if (BPF_MODE(insn->code) == BPF_IMM) {
			if (insn->off)
				return reject(why, sz, "BPF_LD_IMM64 uses reserved fields");
			if (insn->src_reg > BPF_PSEUDO_MAP_IDX_VALUE)
				return reject(why, sz, "unrecognized bpf_ld_imm64 insn");
			return 0;
		}
		if (insn->dst_reg || insn->off ||
		    (BPF_MODE(insn->code) == BPF_ABS && insn->src_reg))
			return reject(why, sz, "BPF_LD_[ABS|IND] uses reserved fields");
		return 0;
	case BPF_LDX:
		if (insn->imm)
			return reject(why, sz, "BPF_LDX uses reserved fields");
		return 0;
	case BPF_ST:
		if (insn->src_reg)
			return reject(why, sz, "BPF_ST uses reserved fields");
		return 0;
	case BPF_STX:
		if (BPF_MODE(insn->code) == BPF_MEM) {
			if (insn->imm)
				return reject(why, sz, "BPF_STX uses reserved fields");
			return 0;
		}
		if (!atomic_imm_known(insn->imm))
			return reject(why, sz, "BPF_ATOMIC uses invalid atomic opcode %02x",
				      (u32)insn->imm);
		return 0;
	}
	return 0;
}

/* Which register, if any, does this instruction write explicitly? */
static int written_reg(const struct bpf_insn *insn)
{
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
	case BPF_LDX:
		return insn->dst_reg;
	case BPF_LD:
		return BPF_MODE(insn->code) == BPF_IMM ? insn->dst_reg : -1;
	case BPF_STX:
		if (BPF_MODE(insn->code) == BPF_ATOMIC &&
		    (insn->imm & BPF_FETCH) && insn->imm != BPF_CMPXCHG)
			return insn->src_reg;
		return -1;
	}
	return -1;
}

int bpf64_check_insn(const struct bpf_insn *insn, char *why, size_t sz)
{
	int err;

	if (!opcode_known(insn->code)) {
		if (BPF_CLASS(insn->code) == BPF_JMP && BPF_OP(insn->code) == BPF_JCOND)
			return reject(why, sz, "may_goto (BPF_JCOND) is not supported");
		return reject(why, sz, "unknown opcode %02x", insn->code);
	}
	err = check_fields(insn, why, sz);
	if (err)
		return err;
	if (insn->dst_reg >= BPF64_NR_REGS)
		return reject(why, sz, "R%u is invalid", insn->dst_reg);
	if (insn->src_reg >= BPF64_NR_REGS)
		return reject(why, sz, "R%u is invalid", insn->src_reg);
	if (written_reg(insn) == BPF64_REG_FP) {	/* Linux: -EACCES */
		reject(why, sz, "frame pointer is read only");
		return -EACCES;
	}
	return 0;
}

bool bpf64_insn_jump_offset(const struct bpf_insn *insn, s32 *off)
{
	u8 op = BPF_OP(insn->code);

	if (!bpf64_is_jmp_class(insn->code) || op == BPF_CALL || op == BPF_EXIT)
		return false;
	*off = BPF_CLASS(insn->code) == BPF_JMP32 && op == BPF_JA ?
	       insn->imm : insn->off;
	return true;
}

static bool is_local_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) &&
	       insn->src_reg == BPF_PSEUDO_CALL;
}

static bool ends_program(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_EXIT) ||
	       insn->code == (BPF_JMP | BPF_JA) ||
	       insn->code == (BPF_JMP32 | BPF_JA);
}

/* Does control go elsewhere than the next instruction, and where? */
static bool branch_target(const struct bpf_insn *insn, u32 i, s64 *target,
			  bool *call)
{
	s32 off;

	*call = is_local_call(insn);
	if (*call)
		off = insn->imm;
	else if (!bpf64_insn_jump_offset(insn, &off))
		return false;
	*target = (s64)i + 1 + off;
	return true;
}

/*
 * Pass 1, control flow alone, in Linux's order: every jump and local call
 * lands inside the program, and the program cannot run off its end.
 */
static int check_flow(const struct bpf_insn *insns, u32 len,
		      struct bpf64_log *log)
{
	bool call;
	s64 t;
	u32 i;

	for (i = 0; i < len; i++) {
		if (!branch_target(&insns[i], i, &t, &call))
			continue;
		if (t < 0 || t >= len) {
			if (call)
				bpf64_log(log, "insn %u: call to invalid destination %lld\n",
					  i, (long long)t);
			else
				bpf64_log(log, "insn %u: jump out of range from insn %u to %lld\n",
					  i, i, (long long)t);
			return -EINVAL;
		}
	}
	if (!ends_program(&insns[len - 1])) {
		bpf64_log(log, "insn %u: last insn is not an exit or jmp\n", len - 1);
		return -EINVAL;
	}
	return 0;
}

static int check_ldimm64_tail(const struct bpf_insn *insns, u32 len, u32 i,
			      struct bpf64_log *log)
{
	const struct bpf_insn *tail = &insns[i + 1];

	if (i + 1 >= len || tail->code || tail->dst_reg || tail->src_reg ||
	    tail->off) {
		bpf64_log(log, "insn %u: invalid bpf_ld_imm64 insn\n", i);
		return -EINVAL;
	}
	return 0;
}

/* Pass 3: no jump lands on the second half of an LD_IMM64. */
static int check_ldimm64_targets(const struct bpf_insn *insns, u32 len,
				 struct bpf64_log *log)
{
	bool call;
	s64 t;
	u32 i;

	for (i = 0; i < len; i++) {
		if (branch_target(&insns[i], i, &t, &call) && t > 0 &&
		    bpf64_is_ldimm64(&insns[t - 1])) {
			bpf64_log(log, "insn %u: jump into the middle of ldimm64 insn %lld\n",
				  i, (long long)t - 1);
			return -EINVAL;
		}
		i += bpf64_is_ldimm64(&insns[i]);
	}
	return 0;
}

int bpf64_check_insns(const struct bpf_insn *insns, u32 len,
		      struct bpf64_log *log)
{
	char why[128];
	u32 i;
	int err;

	if (!len) {
		bpf64_log(log, "empty program: no instructions\n");
		return -EINVAL;
	}
	if (len > BPF64_MAX_INSNS) {
		bpf64_log(log, "program of %u insns is larger than the limit of %u\n",
			  len, BPF64_MAX_INSNS);
		return -E2BIG;
	}
	err = check_flow(insns, len, log);
	if (err)
		return err;
	for (i = 0; i < len; i++) {
		err = bpf64_check_insn(&insns[i], why, sizeof(why));
		if (!err && bpf64_is_ldimm64(&insns[i]))
			err = check_ldimm64_tail(insns, len, i++, log);
		else if (err)
			bpf64_log(log, "insn %u: %s\n", i, why);
		if (err)
			return err;
	}
	return check_ldimm64_targets(insns, len, log);
}
