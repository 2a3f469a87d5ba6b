// SPDX-License-Identifier: GPL-2.0
/*
 * The x86-64 JIT: each BPF instruction to native code.
 *
 * Registers map as in Linux's JIT: r0-r5 onto the System V argument and
 * return registers, r6-r9 onto callee-saved ones, r10 onto rbp, the
 * blinding register AX onto r10; r9-r11 of x86 are scratch (shifts by a
 * register, divisions, fetching atomics, packet loads) and r12 holds the
 * run.  Every function of the program (the main one and each target of a
 * local call) gets its own prologue: push rbp, a frame below it of the
 * verifier's stack depth (512 bytes for unverified programs; zeroed when
 * the verifier let the program read stack it never wrote), then only the
 * callee-saved registers that function names.  Leaf functions of programs
 * without stack skip the frame.
 */
#include "bpf_jit.h"

const u8 bpf64_jit_reg_map[MAX_BPF_REG + 1] = {
	[BPF_REG_0] = RAX, [BPF_REG_1] = RDI, [BPF_REG_2] = RSI,
	[BPF_REG_3] = RDX, [BPF_REG_4] = RCX, [BPF_REG_5] = R8,
	[BPF_REG_6] = RBX, [BPF_REG_7] = R13, [BPF_REG_8] = R14,
	[BPF_REG_9] = R15, [BPF_REG_10] = RBP, [BPF64_REG_AX] = R10,
};

/* The callee-saved registers a function may need to save, in push order. */
static const u8 saved_regs[] = { BPF_REG_6, BPF_REG_7, BPF_REG_8, BPF_REG_9 };

/* dst = imm, sign-extended to 64 bits when @w, else zero-extended. */
static void emit_mov_imm(struct jit_ctx *c, bool w, u8 dst, s32 imm)
{
	if (!imm) {
		emit_rr(c, false, 0x31, dst, dst);	/* xor r32, r32 */
	} else if (!w || imm > 0) {
		emit_rex(c, false, 0, dst, false);
		emit1(c, 0xb8 + (dst & 7));
		emit4(c, imm);
	} else {
		emit_rr(c, true, 0xc7, 0, dst);
		emit4(c, imm);
	}
}

static void emit_mov_imm64(struct jit_ctx *c, u8 dst, u64 v)
{
	if (v == (u32)v) {
		emit_mov_imm(c, false, dst, (s32)v);
	} else if ((s64)v == (s32)v) {
		emit_mov_imm(c, true, dst, (s32)v);
	} else {
		emit_rex(c, true, 0, dst, false);
		emit1(c, 0xb8 + (dst & 7));
		emit8(c, v);
	}
}

/*
 * op r/m, imm8 or imm32 with the group-1 /digit; an imm32 with eax / rax
 * has the one-byte-shorter form op*8+5.
 */
static void emit_alu_imm(struct jit_ctx *c, bool w, u8 digit, u8 dst, s32 imm)
{
	bool near = is_imm8(imm);

	if (dst == RAX && !near) {
		emit_rex(c, w, 0, RAX, false);
		emit1(c, digit << 3 | 5);
	} else {
		emit_rr(c, w, near ? 0x83 : 0x81, digit, dst);
	}
	memcpy(c->buf + c->pos, &imm, 4);
	c->pos += near ? 1 : 4;
}

/* ---- ALU ---- */

struct alu_op {
	u8 rr;		/* op r/m, reg */
	u8 digit;	/* group 1 (0x81) or shift (0xc1) /digit */
	bool shift;
};

/* BMI2's shlx, shrx, sarx: the VEX pp field (66, F2, F3) by shift digit */
static const u8 shiftx_pp[8] = { [4] = 1, [5] = 3, [7] = 2 };

static const struct alu_op alu_ops[16] = {
	[BPF_ADD >> 4] = { 0x01, 0 },
	[BPF_SUB >> 4] = { 0x29, 5 },
	[BPF_OR >> 4] = { 0x09, 1 },
	[BPF_AND >> 4] = { 0x21, 4 },
	[BPF_XOR >> 4] = { 0x31, 6 },
	[BPF_LSH >> 4] = { 0, 4, true },
	[BPF_RSH >> 4] = { 0, 5, true },
	[BPF_ARSH >> 4] = { 0, 7, true },
};

static void emit_shift(struct jit_ctx *c, const struct bpf_insn *insn,
		       bool w, u8 dst, u8 digit)
{
	u8 src = jit_reg(insn->src_reg), d = dst;
	u8 count = insn->imm & (w ? 63 : 31);

	if (BPF_SRC(insn->code) == BPF_K) {
		emit_rr(c, w, count == 1 ? 0xd1 : 0xc1, digit, dst);
		if (count != 1)
			emit1(c, count);
		return;
	}
	if (c->bmi2) {
		/* VEX.LZ.pp.0F38.W F7 /r: dst = dst shifted by src */
		emit1(c, 0xc4);
		emit1(c, (~dst & 8) << 4 | 0x40 | (~dst & 8) << 2 | 0x02);
		emit1(c, w << 7 | (~src & 15) << 3 | shiftx_pp[digit]);
		emitn(c, 0xf7 | (0xc0 | (dst & 7) << 3 | (dst & 7)) << 8, 2);
		return;
	}
	if (src == RCX) {
		emit_rr(c, w, 0xd3, digit, dst);
		return;
	}
	/* Keep rcx in AUX; shift AUX itself when rcx is the destination. */
	emit_mov_rr(c, true, AUX, RCX);
	emit_mov_rr(c, true, RCX, src);
	if (dst == RCX)
		d = AUX;
	emit_rr(c, w, 0xd3, digit, d);
	emit_mov_rr(c, true, RCX, AUX);
}

/*
 * Division and modulo as Linux defines them: x / 0 = 0, x % 0 = x, and
 * for signed ones INT_MIN / -1 = INT_MIN, x % -1 = 0, with a test of the
 * divisor rather than a trap.  rax and rdx are kept in AUX2 and AUX3.
 */
static void emit_div(struct jit_ctx *c, const struct bpf_insn *insn, bool w,
		     u8 dst)
{
	bool mod = BPF_OP(insn->code) == BPF_MOD;
	bool sign = insn->off == BPF64_OFF_SIGNED;
	u32 nz, done1, done2 = 0, ndiv = 0;

	if (BPF_SRC(insn->code) == BPF_X)
		emit_mov_rr(c, true, AUX, jit_reg(insn->src_reg));
	else
		emit_mov_imm(c, w, AUX, insn->imm);
	emit_mov_rr(c, true, AUX2, RAX);
	emit_mov_rr(c, true, AUX3, RDX);
	emit_mov_rr(c, true, RAX, dst);
	emit_rr(c, w, 0x85, AUX, AUX);			/* test */
	nz = emit_jcc8(c, 0x75);
	if (mod)
		emit_mov_rr(c, w, AUX, RAX);
	else
		emit_mov_imm(c, false, AUX, 0);
	done1 = emit_jcc8(c, 0xeb);
	jmp_here(c, nz);
	if (sign) {
		emit_alu_imm(c, w, 7, AUX, -1);		/* cmp aux, -1 */
		ndiv = emit_jcc8(c, 0x75);
		if (mod) {
			emit_mov_imm(c, false, AUX, 0);
		} else {
			emit_rr(c, w, 0xf7, 3, RAX);	/* neg */
			emit_mov_rr(c, w, AUX, RAX);
		}
		done2 = emit_jcc8(c, 0xeb);
		jmp_here(c, ndiv);
		if (w)
			emit1(c, 0x48);
		emit1(c, 0x99);				/* cqo / cdq */
		emit_rr(c, w, 0xf7, 7, AUX);		/* idiv */
	} else {
		emit_rr(c, false, 0x31, RDX, RDX);
		emit_rr(c, w, 0xf7, 6, AUX);		/* div */
	}
	emit_mov_rr(c, w, AUX, mod ? RDX : RAX);
	jmp_here(c, done1);
	if (sign)
		jmp_here(c, done2);
	emit_mov_rr(c, true, RAX, AUX2);
	emit_mov_rr(c, true, RDX, AUX3);
	emit_mov_rr(c, true, dst, AUX);
}

static void emit_mov(struct jit_ctx *c, const struct bpf_insn *insn, bool w,
		     u8 dst)
{
	u8 src = jit_reg(insn->src_reg);

	if (BPF_SRC(insn->code) == BPF_K)
		emit_mov_imm(c, w, dst, insn->imm);
	else if (insn->off == 8)
		emit_rrb(c, w, 0x0fbe, dst, src, true);	/* movsx r, r8 */
	else if (insn->off == 16)
		emit_rr(c, w, 0x0fbf, dst, src);	/* movsx r, r16 */
	else if (insn->off == 32)
		emit_rr(c, true, 0x63, dst, src);	/* movsxd */
	else
		emit_mov_rr(c, w, dst, src);
}

/* BPF_END and BPF_ALU64 | BPF_END (bswap); this host is little-endian. */
static void emit_end(struct jit_ctx *c, const struct bpf_insn *insn, u8 dst)
{
	bool swap = BPF_CLASS(insn->code) == BPF_ALU64 ||
		    BPF_SRC(insn->code) == BPF_TO_BE;

	switch (insn->imm) {
	case 16:
		if (swap) {
			emit1(c, 0x66);			/* ror r16, 8 */
			emit_rr(c, false, 0xc1, 1, dst);
			emit1(c, 8);
		}
		emit_rr(c, false, 0x0fb7, dst, dst);	/* movzx r32, r16 */
		break;
	case 32:
		if (swap) {
			emit_rex(c, false, 0, dst, false);
			emit1(c, 0x0f);
			emit1(c, 0xc8 + (dst & 7));
		} else {
			emit_mov_rr(c, false, dst, dst);
		}
		break;
	case 64:
		if (swap) {
			emit_rex(c, true, 0, dst, false);
			emit1(c, 0x0f);
			emit1(c, 0xc8 + (dst & 7));
		}
		break;
	}
}

static void emit_alu(struct jit_ctx *c, const struct bpf_insn *insn)
{
	bool w = BPF_CLASS(insn->code) == BPF_ALU64;
	u8 dst = jit_reg(insn->dst_reg), src = jit_reg(insn->src_reg);
	u8 op = BPF_OP(insn->code);
	const struct alu_op *a = &alu_ops[op >> 4];
	bool k = BPF_SRC(insn->code) == BPF_K;

	switch (op) {
	case BPF_MOV:
		emit_mov(c, insn, w, dst);
		return;
	case BPF_NEG:
		emit_rr(c, w, 0xf7, 3, dst);
		return;
	case BPF_END:
		emit_end(c, insn, dst);
		return;
	case BPF_DIV:
	case BPF_MOD:
		emit_div(c, insn, w, dst);
		return;
	case BPF_MUL:
		if (!k) {
			emit_rr(c, w, 0x0faf, dst, src);
		} else if (is_imm8(insn->imm)) {
			emit_rr(c, w, 0x6b, dst, dst);
			emit1(c, insn->imm);
		} else {
			emit_rr(c, w, 0x69, dst, dst);
			emit4(c, insn->imm);
		}
		return;
	}
	if (a->shift)
		emit_shift(c, insn, w, dst, a->digit);
	else if (k)
		emit_alu_imm(c, w, a->digit, dst, insn->imm);
	else
		emit_rr(c, w, a->rr, src, dst);
}

/* ---- memory ---- */

/*
 * Loads, stores and stores of immediates by BPF_SIZE >> 3 (W, H, B, DW),
 * from tables: the sizes come in no order a branch could predict.
 */
static const u16 ldx_op[2][4] = {
	{ 0x8b, 0x0fb7, 0x0fb6, 0x8b },		/* mov, movzx */
	{ 0x63, 0x0fbf, 0x0fbe, 0x8b },		/* movsxd, movsx */
};
static const u8 imm_len[4] = { 4, 2, 1, 4 };

/* dst = [base + index + off] (index JIT_NO_INDEX: [base + off]). */
static void emit_ldx(struct jit_ctx *c, const struct bpf_insn *insn, u8 base,
		     u8 index)
{
	u8 dst = jit_reg(insn->dst_reg);
	bool sx = BPF_MODE(insn->code) == BPF_MEMSX;
	u8 size = BPF_SIZE(insn->code) >> 3;

	emit_rex_idx(c, sx || size == BPF_DW >> 3, dst, index, base, false);
	emit_op(c, ldx_op[sx][size]);
	emit_mem_modrm_idx(c, dst, base, index, insn->off);
}

/*
 * mov [base + index + off], src: 0x66 for a half word, REX for a byte's
 * sil/dil.
 */
static void emit_stx(struct jit_ctx *c, const struct bpf_insn *insn, u8 base,
		     u8 index)
{
	u8 src = jit_reg(insn->src_reg);
	u8 size = BPF_SIZE(insn->code) >> 3;

	c->buf[c->pos] = 0x66;
	c->pos += size == BPF_H >> 3;
	emit_rex_idx(c, size == BPF_DW >> 3, src, index, base,
		     size == BPF_B >> 3);
	emit1(c, size == BPF_B >> 3 ? 0x88 : 0x89);
	emit_mem_modrm_idx(c, src, base, index, insn->off);
}

/* mov [base + off], reg of BPF_SIZE(code); also the atomics' r/m form. */
static void emit_stx_op(struct jit_ctx *c, u8 prefix, u8 size, u8 op,
			u8 reg, u8 base, s32 off)
{
	switch (size) {
	case BPF_B:
		emit_mem(c, prefix, false, op - 1, reg, base, off, true);
		break;
	case BPF_H:
		if (prefix)
			emit1(c, prefix);
		emit_mem(c, 0x66, false, op, reg, base, off, false);
		break;
	default:
		emit_mem(c, prefix, size == BPF_DW, op, reg, base, off, false);
	}
}

static void emit_st(struct jit_ctx *c, const struct bpf_insn *insn)
{
	u8 dst = jit_reg(insn->dst_reg);
	u8 size = BPF_SIZE(insn->code) >> 3;
	s32 imm = insn->imm;

	c->buf[c->pos] = 0x66;
	c->pos += size == BPF_H >> 3;
	emit_rex(c, size == BPF_DW >> 3, 0, dst, false);
	emit1(c, size == BPF_B >> 3 ? 0xc6 : 0xc7);
	emit_mem_modrm(c, 0, dst, insn->off);
	memcpy(c->buf + c->pos, &imm, 4);
	c->pos += imm_len[size];
}

/* lock op [m], src for the plain read-modify-write atomics. */
static const u8 atomic_rr[16] = {
	[BPF_ADD >> 4] = 0x01, [BPF_OR >> 4] = 0x09,
	[BPF_AND >> 4] = 0x21, [BPF_XOR >> 4] = 0x31,
};

/*
 * AND, OR, XOR with BPF_FETCH have no x86 instruction: a cmpxchg loop on
 * rax, which is kept in AUX2 (and read from there where a BPF operand
 * lived in it).
 */
static void emit_fetch_loop(struct jit_ctx *c, const struct bpf_insn *insn,
			    bool w, u8 base, u8 src)
{
	u8 op = atomic_rr[(insn->imm & ~BPF_FETCH) >> 4];
	u8 b = base == RAX ? AUX2 : base, s = src == RAX ? AUX2 : src;
	u32 loop;

	emit_mov_rr(c, true, AUX2, RAX);
	emit_mem(c, 0, w, 0x8b, RAX, b, insn->off, false);
	loop = c->pos;
	emit_mov_rr(c, true, AUX, RAX);
	emit_rr(c, w, op, s, AUX);
	emit_mem(c, 0xf0, w, 0x0fb1, AUX, b, insn->off, false);
	emit1(c, 0x75);					/* jne loop */
	emit1(c, loop - (c->pos + 1));
	emit_mov_rr(c, w, src, RAX);
	if (src != RAX)
		emit_mov_rr(c, true, RAX, AUX2);
}

static int emit_atomic(struct jit_ctx *c, const struct bpf_insn *insn)
{
	u8 base = jit_reg(insn->dst_reg), src = jit_reg(insn->src_reg);
	bool w = BPF_SIZE(insn->code) == BPF_DW;
	u8 size = BPF_SIZE(insn->code);
	s32 op = insn->imm;

	switch (op) {
	case BPF_ADD:
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		emit_stx_op(c, 0xf0, size, atomic_rr[op >> 4], src, base,
			    insn->off);
		return 0;
	case BPF_ADD | BPF_FETCH:
		emit_mem(c, 0xf0, w, 0x0fc1, src, base, insn->off, false);
		return 0;
	case BPF_AND | BPF_FETCH:
	case BPF_OR | BPF_FETCH:
	case BPF_XOR | BPF_FETCH:
		emit_fetch_loop(c, insn, w, base, src);
		return 0;
	case BPF_XCHG:
		emit_mem(c, 0, w, 0x87, src, base, insn->off, false);
		return 0;
	case BPF_CMPXCHG:
		emit_mem(c, 0xf0, w, 0x0fb1, src, base, insn->off, false);
		if (!w)		/* eax is not written when the values matched */
			emit_mov_rr(c, false, RAX, RAX);
		return 0;
	}
	bpf64_log(c->log, "insn %u: atomic op 0x%x is not supported by the JIT",
		  (u32)(insn - c->insns), op);
	return -EOPNOTSUPP;
}

/* ---- control flow ---- */

/* The jcc condition (low nibble of 0x7x / 0x0f 0x8x) of each BPF jump. */
static const u8 jcc[16] = {
	[BPF_JEQ >> 4] = 0x4, [BPF_JNE >> 4] = 0x5, [BPF_JSET >> 4] = 0x5,
	[BPF_JGT >> 4] = 0x7, [BPF_JGE >> 4] = 0x3, [BPF_JLT >> 4] = 0x2,
	[BPF_JLE >> 4] = 0x6, [BPF_JSGT >> 4] = 0xf, [BPF_JSGE >> 4] = 0xd,
	[BPF_JSLT >> 4] = 0xc, [BPF_JSLE >> 4] = 0xe,
};

/*
 * A jump to the body of @target, or a local call of it (JIT_CALL): the
 * long form, recorded for the layout to shorten, aim and pad at @start
 * (where the compare that fuses with it starts).
 */
static void emit_jump(struct jit_ctx *c, u32 target, u8 kind, u32 start)
{
	struct jit_jump *j = &c->jumps[c->nr_jumps++];

	j->start = start;
	j->at = c->pos;
	j->target = target;
	j->kind = kind;
	if (kind == JIT_JMP || kind == JIT_CALL)
		emit1(c, kind == JIT_JMP ? 0xe9 : 0xe8);
	else
		emitn(c, 0x800f | kind << 8, 2);
	emit4(c, 0);
}

/*
 * A select: a conditional jump over one MOV that no other jump lands on,
 * "if cond goto +1; dst = x", is dst = cond ? dst : x, a cmov on the
 * opposite condition (x86's are pairs that differ in bit 0), with no
 * branch to mispredict.  x comes first into AUX, zero-extended for MOV32
 * (a 32-bit cmov would zero-extend dst even when it does not move).
 * Returns the register that holds x, or 0xff if the pair is no select.
 */
static u8 select_source(struct jit_ctx *c, const struct bpf_insn *insn,
			u32 i)
{
	const struct bpf_insn *mov = insn + 1;
	u8 class = BPF_CLASS(mov->code);

	if (insn->off != 1 || i + 2 >= c->len || c->mark[i + 1] ||
	    (class != BPF_ALU && class != BPF_ALU64) ||
	    BPF_OP(mov->code) != BPF_MOV || mov->off)
		return 0xff;
	if (BPF_SRC(mov->code) == BPF_K) {
		/* before the compare: a mov of 0 is an xor, which sets flags */
		emit_mov_imm(c, class == BPF_ALU64, AUX, mov->imm);
		return AUX;
	}
	if (class == BPF_ALU64)
		return jit_reg(mov->src_reg);
	emit_mov_rr(c, false, AUX, jit_reg(mov->src_reg));
	return AUX;
}

static void emit_cond_jump(struct jit_ctx *c, const struct bpf_insn *insn,
			   u32 i)
{
	bool w = BPF_CLASS(insn->code) == BPF_JMP;
	u8 dst = jit_reg(insn->dst_reg), src = jit_reg(insn->src_reg);
	u8 op = BPF_OP(insn->code);
	u8 sel = select_source(c, insn, i);
	u32 start = c->pos;

	if (BPF_SRC(insn->code) == BPF_X) {
		emit_rr(c, w, op == BPF_JSET ? 0x85 : 0x39, src, dst);
	} else if (op == BPF_JSET) {
		emit_rr(c, w, 0xf7, 0, dst);		/* test r/m, imm32 */
		emit4(c, insn->imm);
	} else if (!insn->imm) {
		emit_rr(c, w, 0x85, dst, dst);
	} else {
		emit_alu_imm(c, w, 7, dst, insn->imm);	/* cmp */
	}
	if (sel == 0xff) {
		emit_jump(c, i + 1 + insn->off, jcc[op >> 4], start);
		return;
	}
	emit_rr(c, true, 0x0f40 | (jcc[op >> 4] ^ 1),	/* cmov */
		jit_reg(insn[1].dst_reg), sel);
	c->fused = 1;
}

/* Zero the frame [rbp - frame, rbp): a loop of 8-byte stores. */
static void emit_zero_frame(struct jit_ctx *c)
{
	emit_mov_imm(c, true, AUX, -(s32)c->frame / 8);
	emit_rr(c, false, 0x31, AUX2, AUX2);		/* xor r10d, r10d */
	emit4(c, 0xdd54894e);		/* mov [rbp + r11 * 8 + 0], r10 */
	emit1(c, 0x00);
	emitn(c, 0xc3ff49, 3);				/* inc r11 */
	emitn(c, 0xf675, 2);			/* jnz back 10 bytes */
}

/*
 * A function that calls nothing and never names r10 in a program without
 * stack has no frame: rbp is neither set nor needed, and rsp need not be
 * aligned for calls it does not make.
 */
static void emit_prologue(struct jit_ctx *c, u8 saves)
{
	u32 i, n = 0;

	if (saves & JIT_SAVE_FRAME) {
		emit1(c, 0x55);				/* push rbp */
		emit_mov_rr(c, true, RBP, RSP);
		for (i = 0; i < ARRAY_SIZE(saved_regs); i++)
			n += saves >> i & 1;
		/* Keep rsp 16-byte aligned at calls: frame + pushes + 8 */
		n = c->frame + ((c->frame / 8 + n) & 1) * 8;
		if (n)
			emit_alu_imm(c, true, 5, RSP, n);	/* sub rsp, n */
		if (c->prog->zero_stack && c->frame)
			emit_zero_frame(c);
	}
	for (i = 0; i < ARRAY_SIZE(saved_regs); i++)
		if (saves >> i & 1)
			emit_push(c, jit_reg(saved_regs[i]));
}

/* Restore the callee-saved registers and rbp; the return is the caller's. */
static void emit_leave(struct jit_ctx *c, u8 saves)
{
	int i;

	for (i = ARRAY_SIZE(saved_regs) - 1; i >= 0; i--)
		if (saves >> i & 1)
			emit_pop(c, jit_reg(saved_regs[i]));
	if (saves & JIT_SAVE_FRAME)
		emit1(c, 0xc9);				/* leave */
}

static void emit_epilogue(struct jit_ctx *c, u8 saves)
{
	emit_leave(c, saves);
	emit1(c, 0xc3);					/* ret */
}

/* Call a C function of the JIT's (bpf_jit_image.c) through rax. */
static void emit_call_abs(struct jit_ctx *c, const void *fn)
{
	emit_mov_imm64(c, RAX, (u64)(unsigned long)fn);
	emit_rr(c, false, 0xff, 2, RAX);
}

/*
 * BPF's r0-r5 around a call into the JIT's C code: six pushes keep rsp
 * aligned.  A failed tail call or packet load leaves them all as they
 * were, as the interpreter does (Linux's verifier lets no program look).
 */
static const u8 kept_regs[] = { RAX, RDI, RSI, RDX, RCX, R8 };

static void emit_keep(struct jit_ctx *c)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(kept_regs); i++)
		emit_push(c, kept_regs[i]);
}

static void emit_restore(struct jit_ctx *c)
{
	u32 i;

	for (i = ARRAY_SIZE(kept_regs); i-- > 0; )
		emit_pop(c, kept_regs[i]);
}

/*
 * bpf_tail_call(ctx, map, index): the C side takes the program out of the
 * slot with a reference and counts the call (bpf64_jit_tail_target());
 * then this function's frame is left as its EXIT would and the target's
 * main function is entered in its place, with the same r1 and the same
 * stack address, returning where this function would have.  On failure
 * execution goes on with every register as it was.
 */
static void emit_tail_call(struct jit_ctx *c, u32 i)
{
	u32 fail;

	emit_keep(c);
	emit_mov_rr(c, true, RDI, RUN);		/* r2, r3 are rsi, rdx */
	emit_call_abs(c, bpf64_jit_tail_target);
	emit_mov_rr(c, true, AUX, RAX);
	emit_restore(c);
	emit_rr(c, true, 0x85, AUX, AUX);
	fail = emit_jcc8(c, 0x74);			/* jz */
	emit_leave(c, c->fn_saves);
	emit_rr(c, false, 0xff, 4, AUX);		/* jmp r11 */
	jmp_here(c, fail);
}

static int emit_call(struct jit_ctx *c, const struct bpf_insn *insn, u32 i)
{
	const struct bpf64_prog_ops *ops = c->prog->ops;
	const struct bpf64_func_proto *fn = NULL;
	const char *name;

	if (insn->src_reg == BPF_PSEUDO_CALL) {
		emit_jump(c, i + 1 + insn->imm, JIT_CALL, c->pos);
		return 0;
	}
	if (BPF_SRC(insn->code) == BPF_X || insn->src_reg) {
		bpf64_log(c->log, "insn %u: %s is not supported by the JIT",
			  i, BPF_SRC(insn->code) == BPF_X ? "callx" : "kfunc call");
		return -EOPNOTSUPP;
	}
	if (insn->imm == BPF_FUNC_tail_call) {
		emit_tail_call(c, i);
		return 0;
	}
	if (ops && ops->get_func_proto && insn->imm >= 0)
		fn = ops->get_func_proto(insn->imm, c->prog);
	if (!fn || !fn->func) {
		name = insn->imm >= 0 ? bpf64_func_name(insn->imm) : NULL;
		bpf64_log(c->log, "insn %u: unknown helper %s#%d", i,
			  name ? name : "", insn->imm);
		return -EINVAL;
	}
	/* The image may lie beyond rel32 of the helpers: call through rax. */
	emit_call_abs(c, fn->func);
	return 0;
}

static int emit_jmp_class(struct jit_ctx *c, const struct bpf_insn *insn,
			  u32 i)
{
	u8 op = BPF_OP(insn->code);

	switch (op) {
	case BPF_JA:
		emit_jump(c, i + 1 + (BPF_CLASS(insn->code) == BPF_JMP32 ?
				      insn->imm : insn->off), JIT_JMP, c->pos);
		return 0;
	case BPF_CALL:
		return emit_call(c, insn, i);
	case BPF_EXIT:
		emit_epilogue(c, c->fn_saves);
		return 0;
	case BPF_JCOND:
		bpf64_log(c->log, "insn %u: may_goto is not supported by the JIT",
			  i);
		return -EOPNOTSUPP;
	}
	emit_cond_jump(c, insn, i);
	return 0;
}

/*
 * LD_ABS / LD_IND: the big-endian byte, half or word at the offset into
 * r0.  The offset is taken as 32 unsigned bits, so that one comparison
 * with the packet's length both bounds it and sends the negative ones
 * (SKF_NET_OFF, SKF_LL_OFF, misses) to the C side, which reads them as
 * the interpreter does.  A miss returns 0 from the function, as Linux's
 * rewrite of these loads does.
 */
static void emit_ld_pkt(struct jit_ctx *c, const struct bpf_insn *insn, u32 i)
{
	u32 size = bpf64_size_bytes(insn->code);
	u32 slow, done, hit;

	if (BPF_MODE(insn->code) == BPF_IND) {
		emit_mov_rr(c, false, AUX, jit_reg(insn->src_reg));
		if (insn->imm)
			emit_alu_imm(c, false, 0, AUX, insn->imm); /* add */
	} else {
		emit_mov_imm(c, false, AUX, insn->imm);
	}
	emit_mem(c, 0, true, 0x8d, AUX2, AUX, size, false);	/* lea */
	emit_mem(c, 0, true, 0x3b, AUX2, RUN,			/* cmp */
		 offsetof(struct jit_run, pkt_len), false);
	slow = emit_jcc8(c, 0x77);				/* ja */
	emit_mem(c, 0, true, 0x03, AUX, RUN,			/* add */
		 offsetof(struct jit_run, pkt), false);
	switch (size) {
	case 1:
		emit_mem(c, 0, false, 0x0fb6, RAX, AUX, 0, false);
		break;
	case 2:
		emit_mem(c, 0, false, 0x0fb7, RAX, AUX, 0, false);
		emit4(c, 0x08c0c166);			/* rol ax, 8 */
		break;
	default:
		emit_mem(c, 0, false, 0x8b, RAX, AUX, 0, false);
		emitn(c, 0xc80f, 2);			/* bswap eax */
	}
	done = emit_jcc8(c, 0xeb);
	jmp_here(c, slow);
	emit_keep(c);
	emit_mov_rr(c, true, RDI, RUN);
	emit_rr(c, true, 0x63, RSI, AUX);		/* movsxd rsi, r11d */
	emit_mov_imm(c, false, RDX, size);
	emit_call_abs(c, bpf64_jit_load_packet);
	emit_mov_rr(c, true, AUX, RAX);
	emit_restore(c);
	emit_mov_rr(c, true, RAX, AUX);
	emit_alu_imm(c, true, 7, RAX, -1);		/* cmp rax, MISS */
	hit = emit_jcc8(c, 0x75);			/* jne */
	emit_rr(c, false, 0x31, RAX, RAX);
	emit_epilogue(c, c->fn_saves);
	jmp_here(c, hit);
	jmp_here(c, done);
}

static int emit_insn(struct jit_ctx *c, const struct bpf_insn *insn, u32 i)
{
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		emit_alu(c, insn);
		return 0;
	case BPF_LDX:
		emit_ldx(c, insn, jit_reg(insn->src_reg), JIT_NO_INDEX);
		return 0;
	case BPF_ST:
		if (BPF_MODE(insn->code) == BPF64_NOSPEC)
			emitn(c, 0xe8ae0f, 3);			/* lfence */
		else
			emit_st(c, insn);
		return 0;
	case BPF_STX:
		if (BPF_MODE(insn->code) == BPF_ATOMIC)
			return emit_atomic(c, insn);
		emit_stx(c, insn, jit_reg(insn->dst_reg), JIT_NO_INDEX);
		return 0;
	case BPF_JMP:
	case BPF_JMP32:
		return emit_jmp_class(c, insn, i);
	}
	if (bpf64_is_ldimm64(insn))
		emit_mov_imm64(c, jit_reg(insn->dst_reg), (u32)insn[0].imm |
			       (u64)(u32)insn[1].imm << 32);
	else
		emit_ld_pkt(c, insn, i);
	return 0;
}

/*
 * A register move may start a run emitted as fewer instructions
 * (bpf_jit_fuse.c): a rotate, or an address computed for one load or
 * store, which takes it as [base + index + off].
 */
static int emit_fused(struct jit_ctx *c, u32 i)
{
	const struct bpf_insn *mem = &c->insns[i + 2];
	u32 n = bpf64_jit_fuse_rotate(c, i);
	u8 base, index;

	if (n) {
		c->fused = n - 1;
		return 0;
	}
	if (!bpf64_jit_fuse_address(c, i, &base, &index))
		return emit_insn(c, &c->insns[i], i);
	if (BPF_CLASS(mem->code) == BPF_LDX)
		emit_ldx(c, mem, base, index);
	else
		emit_stx(c, mem, base, index);
	c->fused = 2;
	return 0;
}

int bpf64_jit_emit_insn(struct jit_ctx *c, u32 i)
{
	struct jit_jump *j;

	if (c->mark[i] & JIT_ENTRY) {
		c->fn_saves = c->saves[i];
		emit_prologue(c, c->fn_saves);
	}
	if (c->mark[i] & JIT_LOOP) {
		j = &c->jumps[c->nr_jumps++];
		j->kind = JIT_ALIGN;
		j->start = j->at = c->pos;
	}
	c->body[i] = c->pos;
	if (c->insns[i].code == (BPF_ALU64 | BPF_MOV | BPF_X) ||
	    c->insns[i].code == (BPF_ALU | BPF_MOV | BPF_X))
		return emit_fused(c, i);
	return emit_insn(c, &c->insns[i], i);
}

/*
 * Functions start at insn 0 and at every local call's target; each saves
 * the callee-saved registers it names (saves[] of its first insn), and
 * has a frame unless it can do without (JIT_SAVE_FRAME).  Jump
 * targets are marked for the fusions, which must not swallow one, and
 * targets of backward jumps (loop heads) for alignment.  Only tail calls
 * and packet loads need the run state, hence the stub.
 */
void bpf64_jit_find_functions(struct jit_ctx *c)
{
	static const u8 save_bit[16] = {
		[BPF_REG_6] = 1, [BPF_REG_7] = 2, [BPF_REG_8] = 4,
		[BPF_REG_9] = 8, [BPF_REG_10] = JIT_SAVE_FRAME,
	};
	const struct bpf_insn *insn;
	u8 mask = 0, op, class;
	u32 i, t;

	c->mark[0] = JIT_ENTRY;
	for (i = 0; i < c->len; i++) {
		insn = &c->insns[i];
		op = BPF_OP(insn->code);
		class = BPF_CLASS(insn->code);
		c->stub |= class == BPF_LD && BPF_MODE(insn->code) != BPF_IMM;
		if (!bpf64_is_jmp_class(insn->code) || op == BPF_EXIT)
			continue;
		if (op == BPF_CALL) {
			if (insn->src_reg == BPF_PSEUDO_CALL)
				c->mark[i + 1 + insn->imm] |= JIT_ENTRY;
			c->stub |= !insn->src_reg &&
				   insn->imm == BPF_FUNC_tail_call;
			continue;
		}
		t = i + 1 + (op == BPF_JA && class == BPF_JMP32 ?
			     insn->imm : insn->off);
		c->mark[t] |= t <= i ? JIT_TARGET | JIT_LOOP : JIT_TARGET;
	}
	for (i = c->len; i-- > 0; ) {
		insn = &c->insns[i];
		class = BPF_CLASS(insn->code);
		mask |= save_bit[insn->dst_reg] | save_bit[insn->src_reg];
		/* calls, and the packet loads' calls into C, need the frame */
		if ((bpf64_is_jmp_class(insn->code) &&
		     BPF_OP(insn->code) == BPF_CALL) ||
		    (class == BPF_LD && BPF_MODE(insn->code) != BPF_IMM) ||
		    c->frame)
			mask |= JIT_SAVE_FRAME;
		if (c->mark[i] & JIT_ENTRY) {
			c->saves[i] = mask;
			mask = 0;
		}
	}
}
