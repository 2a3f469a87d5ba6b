// SPDX-License-Identifier: GPL-2.0
/*
 * progen: random programs that Linux's verifier accepts.  See progen.h for
 * the shape of a program; this file is about keeping the verifier happy:
 *
 *  - Every instruction is reachable in the control-flow graph (Linux
 *    rejects unreachable code), so jumps only come in structured forms:
 *    "if (cond) { block }", "if (cond) { block } else { block }" and
 *    loops.  A block never jumps out of itself.
 *  - Loops count r9 down from a small constant the verifier knows, so it
 *    explores every iteration within its budget; loops do not nest.
 *  - Immediates Linux rejects are never generated: division or modulo by a
 *    zero constant, shifts by a constant of the operand's width or more.
 *  - Memory accesses are aligned to their size: Linux insists on the stack
 *    and the syscall context checks "off % size" too.  Atomics are only
 *    allowed on the stack.
 *
 * And it steers around two bugs of the verifier of Linux 6.18 (the
 * kernel this was developed on), which would otherwise show up as
 * mismatches that are Linux's fault (opts->linux_bugs brings them back):
 *
 *  - Precision backtracking does not see that an atomic fetch (fetch-op,
 *    xchg, cmpxchg) defines its register from the stack slot, so the slot
 *    is never marked precise: a path where the slot held another constant
 *    is pruned as equivalent, and a branch on the fetched value is then
 *    compiled as if it always went one way.  So atomics only touch the top
 *    PROGEN_ATOMIC_SIZE bytes of the stack, which the prologue fills from
 *    the context (one load per slot) and nothing but atomics reads or
 *    writes: the verifier never knows anything about what is in them, not
 *    even through a register linked to a slot by a load and then narrowed
 *    by a branch, so all paths look alike there and pruning stays sound.
 *  - A 32-bit cmpxchg must zero-extend r0, and x86's CMPXCHG leaves the
 *    upper half of RAX alone when the comparison succeeds, so the verifier
 *    inserts a zero-extension after it when r0 is later read as 64 bits;
 *    when the path is pruned before that read, it does not.  So every
 *    32-bit cmpxchg is followed by "w0 = w0", which changes nothing.
 *
 * Everything else (division by a zero register, shifts by large register
 * amounts, INT_MIN / -1) is defined by Linux and generated on purpose.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "insn_build.h"
#include "progen.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Instructions one nested block may take, at most. */
#define PROGEN_BLOCK_MAX	16
#define PROGEN_MAX_DEPTH	3

/* ---- the PRNG: splitmix64 to seed, xoshiro256** to draw ---- */

static __u64 splitmix64(__u64 *x)
{
	__u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void progen_rng_seed(struct progen_rng *rng, __u64 seed)
{
	int i;

	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&seed);
}

static __u64 rotl(__u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

__u64 progen_rng_next(struct progen_rng *rng)
{
	__u64 *s = rng->s;
	__u64 res = rotl(s[1] * 5, 7) * 9;
	__u64 t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

__u32 progen_rng_below(struct progen_rng *rng, __u32 n)
{
	/* Multiply-shift: the bias is below 2^-32, irrelevant here. */
	return (__u32)(((progen_rng_next(rng) >> 32) * n) >> 32);
}

void progen_fill(void *buf, size_t len, __u64 seed)
{
	struct progen_rng rng;
	__u8 *p = buf;
	size_t i, j, n;
	__u64 v;

	/* A different stream from the program's, though the seed is shared. */
	progen_rng_seed(&rng, seed ^ 0x6374785f66696c6cULL);
	for (i = 0; i < len; i += 8) {
		n = len - i < 8 ? len - i : 8;
		/* A quarter small numbers, so that compares with them hit. */
		if (!progen_rng_below(&rng, 4))
			v = progen_rng_below(&rng, 8);
		else
			v = progen_rng_next(&rng);
		/* Byte by byte: the same bytes on hosts of either order. */
		for (j = 0; j < n; j++)
			p[i + j] = v >> (8 * j);
	}
}

/* ---- the generator ---- */

struct gen {
	struct progen_rng rng;
	struct progen_prog *prog;
	const struct progen_opts *opts;
	int err;
	bool in_loop;
};

/* Registers the body writes; PROGEN_REG_LOOP may only be read. */
static const __u8 dst_regs[] = {
	BPF_REG_0, BPF_REG_2, BPF_REG_3, BPF_REG_4,
	BPF_REG_5, BPF_REG_6, BPF_REG_7, BPF_REG_8,
};

static __u32 below(struct gen *g, __u32 n)
{
	return progen_rng_below(&g->rng, n);
}

static bool chance(struct gen *g, __u32 in)
{
	return !below(g, in);
}

static __u32 emit(struct gen *g, struct bpf_insn insn)
{
	struct progen_prog *p = g->prog;

	if (p->len == p->cap) {
		__u32 cap = p->cap ? p->cap * 2 : 256;
		struct bpf_insn *n = realloc(p->insns, cap * sizeof(*n));

		if (!n) {
			g->err = -ENOMEM;
			return p->len;	/* later writes go nowhere */
		}
		p->insns = n;
		p->cap = cap;
	}
	p->insns[p->len] = insn;
	return p->len++;
}

static struct bpf_insn *insn_at(struct gen *g, __u32 idx)
{
	static struct bpf_insn sink;

	/* After a failed allocation the index may be one past the end. */
	return idx < g->prog->len ? &g->prog->insns[idx] : &sink;
}

static __u8 pick_dst(struct gen *g)
{
	return dst_regs[below(g, ARRAY_SIZE(dst_regs))];
}

static __u8 pick_src(struct gen *g)
{
	if (chance(g, ARRAY_SIZE(dst_regs) + 1))
		return PROGEN_REG_LOOP;
	return pick_dst(g);
}

/* Immediates that exercise the edges: signs, widths, powers of two. */
static __s32 gen_imm(struct gen *g)
{
	static const __s32 special[] = {
		0, 1, -1, 2, 7, 8, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x7fff,
		0x8000, 0xffff, 0x7fffffff, (__s32)0x80000000, (__s32)0x80000001,
		-2, -8, -64, -0x8000,
	};

	switch (below(g, 6)) {
	case 0:
		return (__s32)below(g, 33) - 16;
	case 1:
	case 2:
		return special[below(g, ARRAY_SIZE(special))];
	case 3:
		return (__s32)((1U << below(g, 32)) + below(g, 3) - 1);
	default:
		return (__s32)progen_rng_next(&g->rng);
	}
}

static __u64 gen_imm64(struct gen *g)
{
	static const __u64 special[] = {
		0x8000000000000000ULL, 0x7fffffffffffffffULL,
		0xffffffffffffffffULL, 0x00000000ffffffffULL,
		0x0000000080000000ULL, 0x0000000100000000ULL,
		0xffffffff80000000ULL, 0xffffffff00000000ULL,
		0x8000000000000001ULL, 0x00000000fffffffeULL,
	};

	switch (below(g, 4)) {
	case 0:
		return special[below(g, ARRAY_SIZE(special))];
	case 1:
		return (__u64)(__s64)gen_imm(g);
	default:
		return progen_rng_next(&g->rng);
	}
}

static void gen_lddw(struct gen *g, __u8 dst)
{
	__u64 v = gen_imm64(g);
	struct bpf_insn ld[] = { BPF64_LD_IMM64(dst, v) };

	emit(g, ld[0]);
	emit(g, ld[1]);
}

/* ---- ALU ---- */

static void gen_alu_div(struct gen *g, __u8 cls, __u8 op, __u8 dst)
{
	__s16 off = below(g, 2) ? 1 : 0;	/* 1: signed (cpu v4) */
	__s32 imm;

	if (below(g, 2)) {
		emit(g, BPF64_RAW_INSN(cls | op | BPF_X, dst, pick_src(g),
				       off, 0));
		return;
	}
	imm = gen_imm(g);
	if (!imm)	/* "div by zero" is a verifier error for constants */
		imm = below(g, 2) ? -1 : 3;
	emit(g, BPF64_RAW_INSN(cls | op | BPF_K, dst, 0, off, imm));
}

static void gen_alu_shift(struct gen *g, __u8 cls, __u8 op, __u8 dst)
{
	__u32 width = cls == BPF_ALU64 ? 64 : 32;

	if (below(g, 2))
		emit(g, BPF64_RAW_INSN(cls | op | BPF_X, dst, pick_src(g), 0, 0));
	else
		emit(g, BPF64_RAW_INSN(cls | op | BPF_K, dst, 0, 0,
				       below(g, width)));
}

static void gen_alu_mov(struct gen *g, __u8 cls, __u8 dst)
{
	static const __s16 sx64[] = { 8, 16, 32 }, sx32[] = { 8, 16 };

	switch (below(g, 4)) {
	case 0:
		emit(g, BPF64_RAW_INSN(cls | BPF_MOV | BPF_X, dst, pick_src(g),
				       0, 0));
		break;
	case 1:
		emit(g, BPF64_RAW_INSN(cls | BPF_MOV | BPF_K, dst, 0, 0,
				       gen_imm(g)));
		break;
	default:	/* movsx (cpu v4) */
		emit(g, BPF64_RAW_INSN(cls | BPF_MOV | BPF_X, dst, pick_src(g),
				       cls == BPF_ALU64 ?
				       sx64[below(g, ARRAY_SIZE(sx64))] :
				       sx32[below(g, ARRAY_SIZE(sx32))], 0));
		break;
	}
}

static void gen_alu_end(struct gen *g, __u8 dst)
{
	static const __s32 bits[] = { 16, 32, 64 };
	__s32 imm = bits[below(g, ARRAY_SIZE(bits))];

	switch (below(g, 3)) {
	case 0:
		emit(g, BPF64_ENDIAN(BPF_TO_LE, dst, imm));
		break;
	case 1:
		emit(g, BPF64_ENDIAN(BPF_TO_BE, dst, imm));
		break;
	default:
		emit(g, BPF64_BSWAP(dst, imm));
		break;
	}
}

static void gen_alu(struct gen *g)
{
	static const __u8 plain_ops[] = {
		BPF_ADD, BPF_SUB, BPF_MUL, BPF_OR, BPF_AND, BPF_XOR,
	};
	__u8 cls = below(g, 2) ? BPF_ALU64 : BPF_ALU;
	__u8 dst = pick_dst(g);
	__u8 op;

	switch (below(g, 10)) {
	case 0:
	case 1:
	case 2:
		op = plain_ops[below(g, ARRAY_SIZE(plain_ops))];
		if (below(g, 2))
			emit(g, BPF64_RAW_INSN(cls | op | BPF_X, dst,
					       pick_src(g), 0, 0));
		else
			emit(g, BPF64_RAW_INSN(cls | op | BPF_K, dst, 0, 0,
					       gen_imm(g)));
		break;
	case 3:
		gen_alu_div(g, cls, below(g, 2) ? BPF_DIV : BPF_MOD, dst);
		break;
	case 4:
	case 5: {
		static const __u8 shifts[] = { BPF_LSH, BPF_RSH, BPF_ARSH };

		gen_alu_shift(g, cls, shifts[below(g, 3)], dst);
		break;
	}
	case 6:
		emit(g, BPF64_RAW_INSN(cls | BPF_NEG | BPF_K, dst, 0, 0, 0));
		break;
	case 7:
	case 8:
		gen_alu_mov(g, cls, dst);
		break;
	default:
		gen_alu_end(g, dst);
		break;
	}
}

/* ---- memory ---- */

static const __u8 sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };

static __u32 size_bytes(__u8 size)
{
	switch (size) {
	case BPF_B:
		return 1;
	case BPF_H:
		return 2;
	case BPF_W:
		return 4;
	default:
		return 8;
	}
}

/*
 * Aligned offsets from r10 inside the stack the prologue filled: plain
 * loads and stores stay below the atomics' area, atomics inside it.
 */
static __s16 stack_off(struct gen *g, __u32 bytes, __u32 lo, __u32 hi)
{
	return -(__s16)(lo + bytes * (1 + below(g, (hi - lo) / bytes)));
}

static __s16 plain_off(struct gen *g, __u32 bytes)
{
	return stack_off(g, bytes, g->opts->linux_bugs ? 0 : PROGEN_ATOMIC_SIZE,
			 g->opts->stack_size);
}

static __s16 atomic_off(struct gen *g, __u32 bytes)
{
	return stack_off(g, bytes, 0, g->opts->linux_bugs ?
			 g->opts->stack_size : PROGEN_ATOMIC_SIZE);
}

static __s16 ctx_off(struct gen *g, __u32 bytes)
{
	return (__s16)(bytes * below(g, g->opts->ctx_size / bytes));
}

static void gen_mem(struct gen *g)
{
	__u8 size = sizes[below(g, ARRAY_SIZE(sizes))];
	__u32 bytes = size_bytes(size);
	bool on_stack = below(g, 3);
	__u8 base = on_stack ? BPF_REG_10 : BPF_REG_1;
	__s16 off;

	switch (below(g, 4)) {
	case 0:
		off = on_stack ? plain_off(g, bytes) : ctx_off(g, bytes);
		emit(g, BPF64_LDX_MEM(size, pick_dst(g), base, off));
		break;
	case 1:
		off = on_stack ? plain_off(g, bytes) : ctx_off(g, bytes);
		if (size == BPF_DW)	/* no 64-bit sign extension */
			emit(g, BPF64_LDX_MEM(size, pick_dst(g), base, off));
		else
			emit(g, BPF64_LDX_MEMSX(size, pick_dst(g), base, off));
		break;
	case 2:
		off = on_stack ? plain_off(g, bytes) : ctx_off(g, bytes);
		emit(g, BPF64_STX_MEM(size, base, pick_src(g), off));
		break;
	default:
		off = on_stack ? plain_off(g, bytes) : ctx_off(g, bytes);
		emit(g, BPF64_ST_MEM(size, base, off, gen_imm(g)));
		break;
	}
}

static void gen_atomic(struct gen *g)
{
	static const __s32 ops[] = {
		BPF_ADD, BPF_AND, BPF_OR, BPF_XOR,
		BPF_ADD | BPF_FETCH, BPF_AND | BPF_FETCH,
		BPF_OR | BPF_FETCH, BPF_XOR | BPF_FETCH,
		BPF_XCHG, BPF_CMPXCHG,
	};
	__u8 size = below(g, 2) ? BPF_DW : BPF_W;
	__s32 op = ops[below(g, ARRAY_SIZE(ops))];
	/* Fetching ops write their source: keep them off the counter. */
	__u8 src = op & BPF_FETCH ? pick_dst(g) : pick_src(g);

	emit(g, BPF64_ATOMIC_OP(size, op, BPF_REG_10, src,
				atomic_off(g, size_bytes(size))));
	if (op == BPF_CMPXCHG && size == BPF_W && !g->opts->linux_bugs)
		emit(g, BPF64_MOV32_REG(BPF_REG_0, BPF_REG_0));
}

/* ---- control flow ---- */

static const __u8 jmp_ops[] = {
	BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSET,
	BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE,
};

/* A conditional jump whose offset is patched once the target is known. */
static __u32 gen_cond(struct gen *g)
{
	__u8 cls = below(g, 2) ? BPF_JMP : BPF_JMP32;
	__u8 op = jmp_ops[below(g, ARRAY_SIZE(jmp_ops))];
	__u8 dst = pick_src(g);

	g->prog->nr_branches++;
	if (below(g, 2))
		return emit(g, BPF64_RAW_INSN(cls | op | BPF_X, dst,
					      pick_src(g), 0, 0));
	return emit(g, BPF64_RAW_INSN(cls | op | BPF_K, dst, 0, 0,
				      gen_imm(g)));
}

/* Point the jump at @idx to the next instruction to be emitted. */
static void patch_to_here(struct gen *g, __u32 idx)
{
	struct bpf_insn *insn = insn_at(g, idx);
	__s32 off = (__s32)g->prog->len - (__s32)idx - 1;

	if (insn->code == (BPF_JMP32 | BPF_JA))
		insn->imm = off;
	else
		insn->off = (__s16)off;
}

static void gen_block(struct gen *g, __u32 budget, int depth);

static __u32 inner_budget(struct gen *g, __u32 budget)
{
	__u32 max = budget < PROGEN_BLOCK_MAX ? budget : PROGEN_BLOCK_MAX;

	return below(g, max + 1);
}

static void gen_if(struct gen *g, __u32 budget, int depth)
{
	__u32 j = gen_cond(g);

	gen_block(g, inner_budget(g, budget), depth + 1);
	patch_to_here(g, j);
}

static void gen_if_else(struct gen *g, __u32 budget, int depth)
{
	__u32 j = gen_cond(g), ja;

	gen_block(g, inner_budget(g, budget / 2), depth + 1);
	/* JA carries its offset in off, gotol (cpu v4) in imm. */
	ja = emit(g, below(g, 2) ? BPF64_JMP_A(0) : BPF64_GOTOL(0));
	patch_to_here(g, j);
	gen_block(g, inner_budget(g, budget / 2), depth + 1);
	patch_to_here(g, ja);
}

/*
 *	r9 = trips
 * head:
 *	body
 *	r9 -= 1
 *	if r9 != 0 goto head	(in one of several spellings)
 */
static void gen_loop(struct gen *g, __u32 budget, int depth)
{
	static const __u8 tests[] = { BPF_JNE, BPF_JGT, BPF_JSGT };
	__u8 cls = below(g, 2) ? BPF_ALU64 : BPF_ALU;
	__u8 jcls = below(g, 2) ? BPF_JMP : BPF_JMP32;
	__u32 head;

	g->prog->nr_loops++;
	emit(g, BPF64_RAW_INSN(cls | BPF_MOV | BPF_K, PROGEN_REG_LOOP, 0, 0,
			       1 + below(g, PROGEN_MAX_TRIPS)));
	head = g->prog->len;
	g->in_loop = true;
	gen_block(g, 1 + inner_budget(g, budget), depth + 1);
	g->in_loop = false;
	if (below(g, 2))
		emit(g, BPF64_RAW_INSN(cls | BPF_SUB | BPF_K, PROGEN_REG_LOOP,
				       0, 0, 1));
	else
		emit(g, BPF64_RAW_INSN(cls | BPF_ADD | BPF_K, PROGEN_REG_LOOP,
				       0, 0, -1));
	emit(g, BPF64_RAW_INSN(jcls | tests[below(g, ARRAY_SIZE(tests))] |
			       BPF_K, PROGEN_REG_LOOP, 0,
			       (__s16)((__s32)head - (__s32)g->prog->len - 1),
			       0));
}

/* One construct; returns nothing, the caller watches prog->len. */
static void gen_one(struct gen *g, __u32 budget, int depth)
{
	__u32 pick = below(g, 100);
	bool nest = depth < PROGEN_MAX_DEPTH && budget > 2;

	if (pick < 48)
		gen_alu(g);
	else if (pick < 72)
		gen_mem(g);
	else if (pick < 79)
		gen_atomic(g);
	else if (pick < 82)
		gen_lddw(g, pick_dst(g));
	else if (pick < 90 && nest)
		gen_if(g, budget, depth);
	else if (pick < 95 && nest)
		gen_if_else(g, budget, depth);
	else if (pick < 98 && nest && !g->in_loop)
		gen_loop(g, budget, depth);
	else if (pick < 99)	/* a jump to the next instruction */
		emit(g, below(g, 2) ? BPF64_JMP_A(0) : BPF64_GOTOL(0));
	else
		gen_alu(g);
}

static void gen_block(struct gen *g, __u32 budget, int depth)
{
	__u32 start = g->prog->len;

	while (!g->err && g->prog->len - start < budget)
		gen_one(g, budget - (g->prog->len - start), depth);
}

static void gen_prologue(struct gen *g)
{
	static const __u8 regs[] = {
		BPF_REG_0, BPF_REG_2, BPF_REG_3, BPF_REG_4, BPF_REG_5,
		BPF_REG_6, BPF_REG_7, BPF_REG_8, BPF_REG_9,
	};
	__u32 i, off;

	/* The atomics' area: what the verifier cannot know, through r0. */
	for (off = 8; off <= PROGEN_ATOMIC_SIZE; off += 8) {
		emit(g, BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1,
				      ctx_off(g, 8)));
		emit(g, BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_0,
				      -(__s16)off));
	}
	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		switch (below(g, 3)) {
		case 0:
			emit(g, BPF64_MOV64_IMM(regs[i], gen_imm(g)));
			break;
		case 1:
			emit(g, BPF64_MOV32_IMM(regs[i], gen_imm(g)));
			break;
		default:
			gen_lddw(g, regs[i]);
			break;
		}
	}
	/* Linux lets root read uninitialised stack; never let it matter. */
	for (off = PROGEN_ATOMIC_SIZE + 8; off <= g->opts->stack_size;
	     off += 8) {
		if (below(g, 2))
			emit(g, BPF64_STX_MEM(BPF_DW, BPF_REG_10,
					      regs[below(g, ARRAY_SIZE(regs))],
					      -(__s16)off));
		else
			emit(g, BPF64_ST_MEM(BPF_DW, BPF_REG_10, -(__s16)off,
					     gen_imm(g)));
	}
}

static void gen_epilogue(struct gen *g)
{
	__u8 reg;

	for (reg = BPF_REG_0; reg <= BPF_REG_9; reg++) {
		if (reg == BPF_REG_1)
			continue;
		emit(g, BPF64_STX_MEM(BPF_DW, BPF_REG_1, reg,
				      PROGEN_OUT_OFF(reg)));
	}
	emit(g, BPF64_EXIT_INSN());
}

void progen_default_opts(struct progen_opts *opts)
{
	opts->body_len = PROGEN_BODY_LEN;
	opts->ctx_size = PROGEN_CTX_SIZE;
	opts->stack_size = PROGEN_STACK_SIZE;
	opts->linux_bugs = false;
}

static bool opts_valid(const struct progen_opts *o)
{
	return o->body_len <= PROGEN_MAX_BODY_LEN &&
	       o->ctx_size % 8 == 0 && o->ctx_size >= PROGEN_OUT_SIZE &&
	       o->ctx_size < 0xffff &&
	       o->stack_size % 8 == 0 &&
	       o->stack_size >= 2 * PROGEN_ATOMIC_SIZE &&
	       o->stack_size <= 512;
}

int progen_generate(struct progen_prog *prog, __u64 seed,
		    const struct progen_opts *opts)
{
	struct progen_opts defaults;
	struct gen g = { .prog = prog };

	if (!opts) {
		progen_default_opts(&defaults);
		opts = &defaults;
	}
	if (!opts_valid(opts))
		return -EINVAL;

	memset(prog, 0, sizeof(*prog));
	prog->ctx_size = opts->ctx_size;
	prog->stack_size = opts->stack_size;
	g.opts = opts;
	progen_rng_seed(&g.rng, seed);

	gen_prologue(&g);
	prog->prologue_len = prog->len;
	gen_block(&g, opts->body_len, 0);
	gen_epilogue(&g);
	if (g.err) {
		progen_release(prog);
		return g.err;
	}
	return 0;
}

void progen_release(struct progen_prog *prog)
{
	free(prog->insns);
	memset(prog, 0, sizeof(*prog));
}
