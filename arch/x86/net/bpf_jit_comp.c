// SPDX-License-Identifier: GPL-2.0
/*
 * The x86-64 JIT: BPF instructions to native code.
 *
 * Registers map as in Linux's JIT: r0-r5 onto the System V argument and
 * return registers, r6-r9 onto callee-saved ones, r10 onto rbp; r9, r10
 * and r11 of x86 are scratch (shifts by a register, divisions, fetching
 * atomics).  Every function of the program (the main one and each target
 * of a local call) gets its own prologue: push rbp, a 512-byte frame below
 * it, then only the callee-saved registers that function names.
 *
 * The image is emitted in passes.  Every instruction starts at a generous
 * size estimate; each pass picks jump sizes from the previous pass's
 * layout, so sizes only shrink, until two passes agree; then the last pass
 * writes into the image.
 */
#include <linux/bpf64/insn.h>
#include <linux/bpf64/jit.h>
#include <linux/bpf64/prog.h>

#define JIT_MAX_PASSES	20
#define JIT_EST_PROLOGUE	24	/* bytes: at least what a prologue takes */
#define JIT_FRAME	BPF64_MAX_STACK

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
       R8, R9, R10, R11, R12, R13, R14, R15 };

/* Scratch registers no BPF register lives in. */
#define AUX	R11
#define AUX2	R10
#define AUX3	R9

static const u8 reg_map[MAX_BPF_REG] = {
	[BPF_REG_0] = RAX, [BPF_REG_1] = RDI, [BPF_REG_2] = RSI,
	[BPF_REG_3] = RDX, [BPF_REG_4] = RCX, [BPF_REG_5] = R8,
	[BPF_REG_6] = RBX, [BPF_REG_7] = R13, [BPF_REG_8] = R14,
	[BPF_REG_9] = R15, [BPF_REG_10] = RBP,
};

/* The callee-saved registers a function may need to save, in push order. */
static const u8 saved_regs[] = { BPF_REG_6, BPF_REG_7, BPF_REG_8, BPF_REG_9 };

struct bpf64_jit_image {
	u8 *code;
	u32 len;
	size_t alloc;
};

struct jit_ctx {
	const struct bpf64_prog *prog;
	const struct bpf_insn *insns;
	u32 len;
	u8 *buf;		/* cap bytes; NULL in the first, sizing pass */
	u32 cap;
	u32 pos;
	/* The previous pass's layout, which this pass's jumps are sized by:
	 * off[i] is where insn i starts (its prologue first), body[i] where
	 * its own code starts; new_off / new_body are this pass's.
	 */
	u32 *off, *body, *new_off, *new_body;
	u8 *saves;		/* per insn: saved-register mask of its function */
	bool *entry;		/* insn i starts a function */
	struct bpf64_log *log;
};

/* ---- bytes ---- */

static __always_inline void emit1(struct jit_ctx *c, u8 b)
{
	if (c->pos < c->cap)
		c->buf[c->pos] = b;
	c->pos++;
}

/* Little-endian, as x86 immediates and displacements are. */
static __always_inline void emit4(struct jit_ctx *c, u32 v)
{
	if (c->pos + 4 <= c->cap)
		memcpy(c->buf + c->pos, &v, 4);
	c->pos += 4;
}

static void emit8(struct jit_ctx *c, u64 v)
{
	emit4(c, v);
	emit4(c, v >> 32);
}

static bool is_imm8(s64 v)
{
	return v >= -128 && v <= 127;
}

/* REX with W for 64-bit, R for the reg field, B for the r/m field. */
static void emit_rex(struct jit_ctx *c, bool w, u8 reg, u8 rm, bool force)
{
	u8 rex = 0x40 | (w ? 8 : 0) | (reg & 8 ? 4 : 0) | (rm & 8 ? 1 : 0);

	if (rex != 0x40 || force)
		emit1(c, rex);
}

/*
 * Opcode bytes (1 or 2) with a register-direct ModRM; @byte: an 8-bit
 * operand, which always takes a REX so that 4-7 mean spl..dil.
 */
static void emit_rrb(struct jit_ctx *c, bool w, u16 op, u8 reg, u8 rm,
		     bool byte)
{
	emit_rex(c, w, reg, rm, byte);
	if (op > 0xff)
		emit1(c, op >> 8);
	emit1(c, op);
	emit1(c, 0xc0 | (reg & 7) << 3 | (rm & 7));
}

static void emit_rr(struct jit_ctx *c, bool w, u16 op, u8 reg, u8 rm)
{
	emit_rrb(c, w, op, reg, rm, false);
}

/* ModRM (+ disp) for [base + off]; base is never rsp or r12. */
static void emit_mem_modrm(struct jit_ctx *c, u8 reg, u8 base, s32 off)
{
	if (is_imm8(off)) {
		emit1(c, 0x40 | (reg & 7) << 3 | (base & 7));
		emit1(c, off);
	} else {
		emit1(c, 0x80 | (reg & 7) << 3 | (base & 7));
		emit4(c, off);
	}
}

/* [prefix] REX op ModRM disp: a memory operand instruction. */
static void emit_mem(struct jit_ctx *c, u8 prefix, bool w, u16 op, u8 reg,
		     u8 base, s32 off, bool byte_reg)
{
	if (prefix)
		emit1(c, prefix);
	emit_rex(c, w, reg, base, byte_reg);
	if (op > 0xff)
		emit1(c, op >> 8);
	emit1(c, op);
	emit_mem_modrm(c, reg, base, off);
}

static void emit_mov_rr(struct jit_ctx *c, bool w, u8 dst, u8 src)
{
	emit_rr(c, w, 0x89, src, dst);
}

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

/* op r/m, imm with the group-1 /digit. */
static void emit_alu_imm(struct jit_ctx *c, bool w, u8 digit, u8 dst, s32 imm)
{
	if (is_imm8(imm)) {
		emit_rr(c, w, 0x83, digit, dst);
		emit1(c, imm);
	} else {
		emit_rr(c, w, 0x81, digit, dst);
		emit4(c, imm);
	}
}

/* A short forward jump whose displacement is patched by jmp_here(). */
static u32 emit_jcc8(struct jit_ctx *c, u8 op)
{
	emit1(c, op);
	emit1(c, 0);
	return c->pos;
}

static void jmp_here(struct jit_ctx *c, u32 from)
{
	if (from <= c->cap)
		c->buf[from - 1] = c->pos - from;
}

/* ---- ALU ---- */

struct alu_op {
	u8 rr;		/* op r/m, reg */
	u8 digit;	/* group 1 (0x81) or shift (0xc1) /digit */
	bool shift;
};

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
	u8 src = reg_map[insn->src_reg], d = dst;

	if (BPF_SRC(insn->code) == BPF_K) {
		emit_rr(c, w, 0xc1, digit, dst);
		emit1(c, insn->imm & (w ? 63 : 31));
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
		emit_mov_rr(c, true, AUX, reg_map[insn->src_reg]);
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
	u8 src = reg_map[insn->src_reg];

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
	u8 dst = reg_map[insn->dst_reg], src = reg_map[insn->src_reg];
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

static void emit_ldx(struct jit_ctx *c, const struct bpf_insn *insn)
{
	u8 dst = reg_map[insn->dst_reg], src = reg_map[insn->src_reg];
	bool sx = BPF_MODE(insn->code) == BPF_MEMSX;

	switch (BPF_SIZE(insn->code)) {
	case BPF_B:
		emit_mem(c, 0, sx, 0x0fbe - !sx * 8, dst, src, insn->off, false);
		break;
	case BPF_H:
		emit_mem(c, 0, sx, 0x0fbf - !sx * 8, dst, src, insn->off, false);
		break;
	case BPF_W:
		emit_mem(c, 0, sx, sx ? 0x63 : 0x8b, dst, src, insn->off, false);
		break;
	default:
		emit_mem(c, 0, true, 0x8b, dst, src, insn->off, false);
	}
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
	u8 dst = reg_map[insn->dst_reg];
	u8 size = BPF_SIZE(insn->code);

	switch (size) {
	case BPF_B:
		emit_mem(c, 0, false, 0xc6, 0, dst, insn->off, false);
		emit1(c, insn->imm);
		break;
	case BPF_H:
		emit_mem(c, 0x66, false, 0xc7, 0, dst, insn->off, false);
		emit1(c, insn->imm);
		emit1(c, insn->imm >> 8);
		break;
	default:
		emit_mem(c, 0, size == BPF_DW, 0xc7, 0, dst, insn->off, false);
		emit4(c, insn->imm);
	}
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
	u8 base = reg_map[insn->dst_reg], src = reg_map[insn->src_reg];
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
 * A jump to the body of @target from the end of this instruction, sized
 * from the previous pass's layout (@cond: 0xff for an unconditional one).
 */
static void emit_jump(struct jit_ctx *c, u32 i, u32 target, u8 cond)
{
	s64 rel = (s64)c->body[target] - c->off[i + 1];

	if (is_imm8(rel)) {
		emit1(c, cond == 0xff ? 0xeb : 0x70 | cond);
		emit1(c, rel);
	} else if (cond == 0xff) {
		emit1(c, 0xe9);
		emit4(c, rel);
	} else {
		emit1(c, 0x0f);
		emit1(c, 0x80 | cond);
		emit4(c, rel);
	}
}

static void emit_cond_jump(struct jit_ctx *c, const struct bpf_insn *insn,
			   u32 i)
{
	bool w = BPF_CLASS(insn->code) == BPF_JMP;
	u8 dst = reg_map[insn->dst_reg], src = reg_map[insn->src_reg];
	u8 op = BPF_OP(insn->code);

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
	emit_jump(c, i, i + 1 + insn->off, jcc[op >> 4]);
}

static void emit_prologue(struct jit_ctx *c, u8 saves)
{
	u32 i, n = 0;

	emit1(c, 0x55);					/* push rbp */
	emit_mov_rr(c, true, RBP, RSP);
	for (i = 0; i < ARRAY_SIZE(saved_regs); i++)
		n += saves >> i & 1;
	/* Keep rsp 16-byte aligned at calls: frame + pushes + 8 */
	emit_rr(c, true, 0x81, 5, RSP);			/* sub rsp, imm32 */
	emit4(c, JIT_FRAME + (n & 1) * 8);
	for (i = 0; i < ARRAY_SIZE(saved_regs); i++) {
		if (!(saves >> i & 1))
			continue;
		emit_rex(c, false, 0, reg_map[saved_regs[i]], false);
		emit1(c, 0x50 + (reg_map[saved_regs[i]] & 7));
	}
}

static void emit_epilogue(struct jit_ctx *c, u8 saves)
{
	int i;

	for (i = ARRAY_SIZE(saved_regs) - 1; i >= 0; i--) {
		if (!(saves >> i & 1))
			continue;
		emit_rex(c, false, 0, reg_map[saved_regs[i]], false);
		emit1(c, 0x58 + (reg_map[saved_regs[i]] & 7));
	}
	emit1(c, 0xc9);					/* leave */
	emit1(c, 0xc3);					/* ret */
}

static int emit_call(struct jit_ctx *c, const struct bpf_insn *insn, u32 i)
{
	const struct bpf64_prog_ops *ops = c->prog->ops;
	const struct bpf64_func_proto *fn = NULL;
	const char *name;

	if (insn->src_reg == BPF_PSEUDO_CALL) {
		emit1(c, 0xe8);
		emit4(c, c->off[i + 1 + insn->imm] - c->off[i + 1]);
		return 0;
	}
	if (BPF_SRC(insn->code) == BPF_X || insn->src_reg) {
		bpf64_log(c->log, "insn %u: %s is not supported by the JIT",
			  i, BPF_SRC(insn->code) == BPF_X ? "callx" : "kfunc call");
		return -EOPNOTSUPP;
	}
	if (insn->imm == BPF_FUNC_tail_call) {
		bpf64_log(c->log, "insn %u: tail calls are not supported by the JIT",
			  i);
		return -EOPNOTSUPP;
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
	emit_mov_imm64(c, RAX, (u64)(unsigned long)fn->func);
	emit_rr(c, false, 0xff, 2, RAX);
	return 0;
}

static int emit_jmp_class(struct jit_ctx *c, const struct bpf_insn *insn,
			  u32 i)
{
	u8 op = BPF_OP(insn->code);

	switch (op) {
	case BPF_JA:
		emit_jump(c, i, i + 1 + (BPF_CLASS(insn->code) == BPF_JMP32 ?
					 insn->imm : insn->off), 0xff);
		return 0;
	case BPF_CALL:
		return emit_call(c, insn, i);
	case BPF_EXIT:
		emit_epilogue(c, c->saves[i]);
		return 0;
	case BPF_JCOND:
		bpf64_log(c->log, "insn %u: may_goto is not supported by the JIT",
			  i);
		return -EOPNOTSUPP;
	}
	emit_cond_jump(c, insn, i);
	return 0;
}

static int emit_insn(struct jit_ctx *c, const struct bpf_insn *insn, u32 i)
{
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		emit_alu(c, insn);
		return 0;
	case BPF_LDX:
		emit_ldx(c, insn);
		return 0;
	case BPF_ST:
		emit_st(c, insn);
		return 0;
	case BPF_STX:
		if (BPF_MODE(insn->code) == BPF_ATOMIC)
			return emit_atomic(c, insn);
		emit_stx_op(c, 0, BPF_SIZE(insn->code), 0x89,
			    reg_map[insn->src_reg], reg_map[insn->dst_reg],
			    insn->off);
		return 0;
	case BPF_JMP:
	case BPF_JMP32:
		return emit_jmp_class(c, insn, i);
	}
	if (bpf64_is_ldimm64(insn)) {
		emit_mov_imm64(c, reg_map[insn->dst_reg], (u32)insn[0].imm |
			       (u64)(u32)insn[1].imm << 32);
		return 0;
	}
	bpf64_log(c->log, "insn %u: LD_ABS/LD_IND are not supported by the JIT",
		  i);
	return -EOPNOTSUPP;
}

/* One pass over the program; returns whether the layout changed. */
static int jit_pass(struct jit_ctx *c, bool *changed)
{
	u32 i, n = c->len + 1;
	u32 *t;
	int err;

	c->pos = 0;
	for (i = 0; i < c->len; i++) {
		c->new_off[i] = c->pos;
		if (c->entry[i])
			emit_prologue(c, c->saves[i]);
		c->new_body[i] = c->pos;
		err = emit_insn(c, &c->insns[i], i);
		if (err)
			return err;
		if (bpf64_is_ldimm64(&c->insns[i])) {
			i++;			/* its second half is data */
			c->new_off[i] = c->pos;
			c->new_body[i] = c->pos;
		}
	}
	c->new_off[c->len] = c->pos;
	c->new_body[c->len] = c->pos;
	*changed = memcmp(c->off, c->new_off, n * sizeof(u32)) ||
		   memcmp(c->body, c->new_body, n * sizeof(u32));
	t = c->off;
	c->off = c->new_off;
	c->new_off = t;
	t = c->body;
	c->body = c->new_body;
	c->new_body = t;
	return 0;
}

/* Functions start at insn 0 and at every local call's target. */
static void find_functions(struct jit_ctx *c)
{
	const struct bpf_insn *insn;
	u8 mask = 0;
	u32 i, j;

	c->entry[0] = true;
	for (i = 0; i < c->len; i++) {
		insn = &c->insns[i];
		if (insn->code == (BPF_JMP | BPF_CALL) &&
		    insn->src_reg == BPF_PSEUDO_CALL)
			c->entry[i + 1 + insn->imm] = true;
	}
	/* Each function saves the callee-saved registers it names. */
	for (i = c->len; i-- > 0; ) {
		insn = &c->insns[i];
		for (j = 0; j < ARRAY_SIZE(saved_regs); j++)
			if (insn->dst_reg == saved_regs[j] ||
			    insn->src_reg == saved_regs[j])
				mask |= 1 << j;
		if (c->entry[i]) {
			for (j = i; j < c->len && (j == i || !c->entry[j]); j++)
				c->saves[j] = mask;
			mask = 0;
		}
	}
}

/*
 * At least the bytes @insn emits (with jumps long), for the first layout:
 * from there each pass only shrinks jumps, and close estimates save passes.
 */
static u32 est_size(const struct bpf_insn *insn)
{
	u8 op = BPF_OP(insn->code);

	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_DIV || op == BPF_MOD)
			return 64;
		return BPF_SRC(insn->code) == BPF_X &&
		       alu_ops[op >> 4].shift ? 16 : 10;
	case BPF_LDX:
	case BPF_ST:
		return 12;
	case BPF_STX:
		return BPF_MODE(insn->code) == BPF_ATOMIC ? 40 : 12;
	case BPF_JMP:
	case BPF_JMP32:
		return 16;
	}
	return 12;	/* LD_IMM64 and its data */
}

static void jit_ctx_free(struct jit_ctx *c)
{
	bpf64_free(c->off);
	bpf64_free(c->body);
	bpf64_free(c->new_off);
	bpf64_free(c->new_body);
	bpf64_free(c->saves);
	bpf64_free(c->entry);
	bpf64_free(c->buf);
}

static int jit_ctx_init(struct jit_ctx *c, const struct bpf64_prog *prog,
			struct bpf64_log *log)
{
	u32 n = prog->len + 1, i;

	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->insns = prog->insns;
	c->len = prog->len;
	c->log = log;
	c->off = bpf64_zalloc_array(n, sizeof(u32));
	c->body = bpf64_zalloc_array(n, sizeof(u32));
	c->new_off = bpf64_zalloc_array(n, sizeof(u32));
	c->new_body = bpf64_zalloc_array(n, sizeof(u32));
	c->saves = bpf64_zalloc(n);
	c->entry = bpf64_zalloc_array(n, sizeof(bool));
	if (!c->off || !c->body || !c->new_off || !c->new_body || !c->saves ||
	    !c->entry)
		return -ENOMEM;
	find_functions(c);
	/* Start from an overestimate: then every pass only shrinks jumps. */
	for (i = 0; i < c->len; i++) {
		c->body[i] = c->off[i] + (c->entry[i] ? JIT_EST_PROLOGUE : 0);
		c->off[i + 1] = c->body[i] + est_size(&c->insns[i]);
	}
	c->body[c->len] = c->off[c->len];
	return 0;
}

/* Copy the converged image into executable memory. */
static int jit_finish(struct jit_ctx *c, struct bpf64_jit_image **imgp)
{
	struct bpf64_jit_image *img = bpf64_zalloc(sizeof(*img));
	int err;

	if (!img)
		return -ENOMEM;
	img->len = c->pos;
	img->alloc = img->len;
	img->code = bpf64_jit_alloc(img->alloc);
	if (!img->code) {
		bpf64_free(img);
		bpf64_log(c->log, "no executable memory for the JIT image");
		return -ENOMEM;
	}
	memcpy(img->code, c->buf, img->len);
	err = bpf64_jit_make_exec(img->code, img->alloc);
	if (err) {
		bpf64_jit_image_free(img);
		return err;
	}
	*imgp = img;
	return 0;
}

/*
 * The first pass only sizes; later ones write into a buffer of its size,
 * which they do not outgrow as sizes only shrink.  The pass that leaves
 * the layout as it found it wrote the final image.
 */
int bpf64_jit_compile(const struct bpf64_prog *prog, u32 flags,
		      struct bpf64_log *log, struct bpf64_jit_image **imgp)
{
	bool changed = true, filled = false;
	struct jit_ctx c;
	int err, pass;

	*imgp = NULL;
	if (flags) {
		bpf64_log(log, "JIT flags 0x%x not supported\n", flags);
		return -EOPNOTSUPP;
	}
	err = jit_ctx_init(&c, prog, log);
	for (pass = 0; !err && (changed || !filled) && pass < JIT_MAX_PASSES;
	     pass++) {
		filled = c.buf != NULL;
		err = jit_pass(&c, &changed);
		filled &= c.pos <= c.cap;
		/* Estimates too low would grow the image: grow the buffer. */
		if (!err && c.pos > c.cap) {
			bpf64_free(c.buf);
			c.buf = bpf64_zalloc(c.pos);
			c.cap = c.pos;
			err = c.buf ? 0 : -ENOMEM;
		}
	}
	if (!err && (changed || !filled)) {
		bpf64_log(log, "JIT image did not converge in %d passes", pass);
		err = -E2BIG;
	}
	if (!err)
		err = jit_finish(&c, imgp);
	jit_ctx_free(&c);
	return err;
}

/*
 * clang's -fsanitize=function checks an indirect call by reading a type
 * signature just before the callee, which generated code does not have.
 */
#ifdef __clang__
#define JIT_NO_SANITIZE_CALL __attribute__((no_sanitize("function")))
#else
#define JIT_NO_SANITIZE_CALL
#endif

JIT_NO_SANITIZE_CALL
u64 bpf64_jit_run(const struct bpf64_jit_image *img, const u64 args[5])
{
	u64 (*fn)(u64, u64, u64, u64, u64);

	fn = (u64 (*)(u64, u64, u64, u64, u64))(unsigned long)img->code;
	return fn(args[0], args[1], args[2], args[3], args[4]);
}

const u8 *bpf64_jit_code(const struct bpf64_jit_image *img, u32 *len)
{
	*len = img->len;
	return img->code;
}

void bpf64_jit_image_free(struct bpf64_jit_image *img)
{
	if (!img)
		return;
	bpf64_jit_free(img->code, img->alloc);
	bpf64_free(img);
}
