/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86-64 JIT's private view: the compile context, the register map and
 * the byte-level encoders shared by the instruction translation
 * (bpf_jit_comp.c) and the layout (bpf_jit_image.c).
 *
 * Instructions are emitted once, into a buffer that always has room for
 * the longest instruction, so the encoders store without checks.  Jumps
 * between BPF instructions and local calls are emitted in their long form
 * and recorded; the layout then picks short forms and copies the code
 * into the image (bpf_jit_image.c).
 */
#ifndef _ARCH_X86_NET_BPF_JIT_H
#define _ARCH_X86_NET_BPF_JIT_H

#include <linux/bpf64/insn.h>
#include <linux/bpf64/jit.h>
#include <linux/bpf64/prog.h>

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
       R8, R9, R10, R11, R12, R13, R14, R15 };

/*
 * Scratch registers no BPF register lives in.  r10 is also BPF_REG_AX,
 * which only constant blinding uses, and only as the source of the one
 * instruction that follows its setting: every translation reads its
 * source before it uses AUX2.  r12 holds the run (struct jit_run *) for
 * the whole run; no translation writes it.
 */
/* Where each BPF register lives (bpf_jit_comp.c). */
extern const u8 bpf64_jit_reg_map[MAX_BPF_REG + 1];

static __always_inline u8 jit_reg(u8 bpf_reg)
{
	return bpf64_jit_reg_map[bpf_reg];
}

#define AUX	R11
#define AUX2	R10
#define AUX3	R9
#define RUN	R12

#define JIT_FRAME	BPF64_MAX_STACK
/* Bytes one instruction (with its function's prologue) emits at most. */
#define JIT_MAX_INSN_BYTES	256
/*
 * An image that needs the run starts with the stub that C calls
 * (bpf_jit_image.c), then the main function; a tail call enters the main
 * function directly.
 */
#define JIT_STUB_LEN	13
#define JIT_TRAP	0xcc	/* int3: fills what is not code */

/*
 * Kinds of layout items, besides jcc conditions 0x0-0xf: jumps, local
 * calls and the alignment of a loop head.
 */
#define JIT_JMP		0x10
#define JIT_CALL	0x11
#define JIT_ALIGN	0x12

/* What an instruction is besides itself. */
#define JIT_ENTRY	1	/* the first of a function */
#define JIT_TARGET	2	/* a jump lands on it */
#define JIT_LOOP	4	/* a backward jump lands on it */

/* In saves[], besides r6-r9's bits: the function sets up rbp's frame. */
#define JIT_SAVE_FRAME	0x10

/*
 * A layout item.  A jump or local call is emitted long at @at, aimed at
 * insn @target; its padding goes at @start, before the compare that fuses
 * with it.  A JIT_ALIGN pads at @start (= @at) to a 32-byte boundary.
 */
struct jit_jump {
	u32 start;
	u32 at;
	u32 target;
	s32 delta;	/* bytes padding added and short jumps saved before */
	u8 pad;		/* NOP bytes at @start */
	u8 kind;	/* jcc condition, JIT_JMP, JIT_CALL or JIT_ALIGN */
	bool is_short;
};

/* What r12 points to while an image runs. */
struct jit_run {
	const u8 *pkt;		/* the packet and its length (0: none) */
	u64 pkt_len;
	struct bpf64_run *run;
};

struct jit_ctx {
	const struct bpf64_prog *prog;
	const struct bpf_insn *insns;
	u32 len;
	u8 *buf;
	u32 cap;
	u32 pos;
	/*
	 * Per instruction (len + 1): where its code starts (its prologue
	 * first), where its own code starts, how many jumps precede it.
	 */
	u32 *off, *body, *nj;
	u8 *saves;		/* at a function's first insn: its saves */
	u8 *mark;		/* JIT_ENTRY, JIT_TARGET */
	u8 fn_saves;		/* saves of the function being emitted */
	u8 fused;		/* insns after this one emitted with it */
	bool stub;		/* the image starts with the stub (run state) */
	bool bmi2;		/* shlx, shrx, sarx may be used */
	bool jcc_pad;		/* keep jumps off 32-byte boundaries */
	u32 frame;		/* the stack each function reserves */
	/*
	 * Jumps, local calls and loop heads: at most two per jump-class
	 * insn (itself, the loop head it closes), and a sentinel.
	 */
	struct jit_jump *jumps;
	u32 nr_jumps;
	struct bpf64_log *log;
};

/* ---- bytes: the buffer has room (see JIT_MAX_INSN_BYTES) ---- */

static __always_inline void emit1(struct jit_ctx *c, u8 b)
{
	c->buf[c->pos++] = b;
}

/* Up to 4 bytes at once, little-endian (the first byte lowest). */
static __always_inline void emitn(struct jit_ctx *c, u32 bytes, u32 n)
{
	memcpy(c->buf + c->pos, &bytes, 4);
	c->pos += n;
}

/* Little-endian, as x86 immediates and displacements are. */
static __always_inline void emit4(struct jit_ctx *c, u32 v)
{
	memcpy(c->buf + c->pos, &v, 4);
	c->pos += 4;
}

static __always_inline void emit8(struct jit_ctx *c, u64 v)
{
	memcpy(c->buf + c->pos, &v, 8);
	c->pos += 8;
}

static __always_inline bool is_imm8(s64 v)
{
	return v >= -128 && v <= 127;
}

/*
 * REX with W for 64-bit, R for the reg field, X for a SIB index, B for the
 * r/m field or SIB base; left out when it would be 0x40 unless @force.  Written either way and kept
 * or not without a branch: the registers of a program's instructions
 * follow no pattern a branch predictor could learn.
 */
static __always_inline void emit_rex_idx(struct jit_ctx *c, bool w, u8 reg,
					 u8 index, u8 rm, bool force)
{
	u8 rex = 0x40 | w << 3 | (reg & 8) >> 1 | (index & 8) >> 2 |
		 (rm & 8) >> 3;

	c->buf[c->pos] = rex;
	c->pos += (rex != 0x40) | force;
}

/* The same with no index register (X clear). */
static __always_inline void emit_rex(struct jit_ctx *c, bool w, u8 reg,
				     u8 rm, bool force)
{
	emit_rex_idx(c, w, reg, 0, rm, force);
}

/*
 * Opcode bytes (1 or 2) with a register-direct ModRM; @byte: an 8-bit
 * operand, which always takes a REX so that 4-7 mean spl..dil.
 */
static __always_inline void emit_rrb(struct jit_ctx *c, bool w, u16 op,
				     u8 reg, u8 rm, bool byte)
{
	emit_rex(c, w, reg, rm, byte);
	if (op > 0xff)
		emit1(c, op >> 8);
	emitn(c, (op & 0xff) | (0xc0 | (reg & 7) << 3 | (rm & 7)) << 8, 2);
}

static __always_inline void emit_rr(struct jit_ctx *c, bool w, u16 op, u8 reg,
				    u8 rm)
{
	emit_rrb(c, w, op, reg, rm, false);
}

/*
 * ModRM (+ SIB, + disp8 or disp32) for [base + index + off], or
 * [base + off] with index JIT_NO_INDEX; rsp and r12 as a base take a SIB
 * with no index.  There is always a displacement, so rbp and r13 can be
 * bases.
 */
#define JIT_NO_INDEX	RSP	/* SIB index 100: none */

static __always_inline void emit_mem_modrm_idx(struct jit_ctx *c, u8 reg,
					       u8 base, u8 index, s32 off)
{
	bool near = is_imm8(off), sib = (base & 7) == RSP || index != RSP;

	emit1(c, (near ? 0x40 : 0x80) | (reg & 7) << 3 |
		 (sib ? RSP : base & 7));
	c->buf[c->pos] = (index & 7) << 3 | (base & 7);
	c->pos += sib;
	memcpy(c->buf + c->pos, &off, 4);
	c->pos += near ? 1 : 4;
}

static __always_inline void emit_mem_modrm(struct jit_ctx *c, u8 reg, u8 base,
					   s32 off)
{
	emit_mem_modrm_idx(c, reg, base, JIT_NO_INDEX, off);
}

/* A 1- or 2-byte opcode (0x0fXX), without a branch. */
static __always_inline void emit_op(struct jit_ctx *c, u16 op)
{
	bool two = op > 0xff;
	u16 bytes = two ? (u16)(op >> 8 | op << 8) : op;

	memcpy(c->buf + c->pos, &bytes, 2);
	c->pos += 1 + two;
}

/* [prefix] REX op ModRM disp: a memory operand instruction. */
static __always_inline void emit_mem(struct jit_ctx *c, u8 prefix, bool w,
				     u16 op, u8 reg, u8 base, s32 off,
				     bool byte_reg)
{
	if (prefix)
		emit1(c, prefix);
	emit_rex(c, w, reg, base, byte_reg);
	if (op > 0xff)
		emit1(c, op >> 8);
	emit1(c, op);
	emit_mem_modrm(c, reg, base, off);
}

static __always_inline void emit_mov_rr(struct jit_ctx *c, bool w, u8 dst,
					u8 src)
{
	emit_rr(c, w, 0x89, src, dst);
}

static __always_inline void emit_push(struct jit_ctx *c, u8 reg)
{
	emit_rex(c, false, 0, reg, false);
	emit1(c, 0x50 + (reg & 7));
}

static __always_inline void emit_pop(struct jit_ctx *c, u8 reg)
{
	emit_rex(c, false, 0, reg, false);
	emit1(c, 0x58 + (reg & 7));
}

/* A short forward jump whose displacement is patched by jmp_here(). */
static __always_inline u32 emit_jcc8(struct jit_ctx *c, u8 op)
{
	emitn(c, op, 2);
	return c->pos;
}

static __always_inline void jmp_here(struct jit_ctx *c, u32 from)
{
	c->buf[from - 1] = c->pos - from;
}

/* bpf_jit_comp.c: one instruction (and its function's prologue). */
int bpf64_jit_emit_insn(struct jit_ctx *c, u32 i);
void bpf64_jit_find_functions(struct jit_ctx *c);

/* bpf_jit_fuse.c: a rotate written as shifts and an OR, from insn @i. */
u32 bpf64_jit_fuse_rotate(struct jit_ctx *c, u32 i);
/* bpf_jit_fuse.c: "a = b; a += x; load or store at a + off", from @i. */
bool bpf64_jit_fuse_address(const struct jit_ctx *c, u32 i, u8 *base,
			    u8 *index);

/* bpf_jit_image.c: what JITed code calls back into. */
const u8 *bpf64_jit_tail_target(struct jit_run *jr, struct bpf64_map *map,
				u64 index);
u64 bpf64_jit_load_packet(const struct jit_run *jr, s64 off, u64 size);
#define JIT_PKT_MISS	(~0ULL)

#endif /* _ARCH_X86_NET_BPF_JIT_H */
