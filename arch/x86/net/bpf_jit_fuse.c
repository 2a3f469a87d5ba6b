// SPDX-License-Identifier: GPL-2.0
/*
 * Fusions: runs of BPF instructions the x86-64 JIT emits as fewer native
 * ones.  Linux's JIT emits each instruction alone.
 *
 * Rotates.  BPF has none, so clang writes rotl(a, n) as shifts of copies
 * and an OR: "t = a; t >>= w - n; a <<= n; a |= t", or with two copies
 * ("t = a; t >>= w - n; u = a; u <<= n; u |= t") as jhash's rol32.
 * Within a run of register moves, shifts by constants and ORs of one
 * width, with no jump landing inside, every register the run writes holds
 * its source A copied, shifted or rotated: an OR of A << n and
 * A >> (w - n) is A rotated by n.  The run is emitted as, for each such
 * register, a copy of A and one shift or rotate, then A's own shift or
 * rotate in place, since the others read A first.  What each register
 * holds after the run is exactly what the BPF instructions leave; the OR
 * and its wait for both shifts are what is saved.
 *
 * Addresses.  An array element or a packet byte is reached as "a = b;
 * a += x; load or store at a + off".  The access takes [b + x + off]
 * itself, and the move and the add are left out.
 *
 * A register either fusion leaves with another value than the BPF
 * instructions would is one nothing reads again (reg_dead_after()).
 */
#include "bpf_jit.h"

/* The longest run looked at: two copies, two shifts, an OR, and room. */
#define ROT_MAX_RUN	8
/* How far reg_dead_after() looks for a write before a read. */
#define DEAD_SCAN	16

/* What a register holds, as a function of the run's source A. */
enum rot_kind { ROT_NONE, ROT_COPY, ROT_SHL, ROT_SHR, ROT_ROL };

struct rot_val {
	u8 kind;
	u8 n;
};

struct rot_run {
	u8 a;				/* the source */
	bool w;				/* 64-bit */
	bool a_written;			/* a 32-bit write zero-extends A */
	struct rot_val val[BPF_REG_10];
};

/* The shift digit of x86's group 2 (0xc1 /digit) for each kind. */
static const u8 rot_digit[] = {
	[ROT_SHL] = 4, [ROT_SHR] = 5, [ROT_ROL] = 0,
};

static bool rot_is_pair(struct rot_val x, struct rot_val y, u8 width)
{
	return x.kind == ROT_SHL && y.kind == ROT_SHR && x.n + y.n == width;
}

/* One instruction of the run applied to @r; false where the run ends. */
static bool rot_step(struct rot_run *r, const struct bpf_insn *insn)
{
	u8 width = r->w ? 64 : 32, d = insn->dst_reg, s = insn->src_reg;
	struct rot_val *vd = &r->val[d];
	bool x = BPF_SRC(insn->code) == BPF_X;

	if (d >= BPF_REG_10 || (x && s >= BPF_REG_10) || insn->off ||
	    BPF_CLASS(insn->code) != (r->w ? BPF_ALU64 : BPF_ALU))
		return false;
	switch (BPF_OP(insn->code)) {
	case BPF_MOV:
		/* w = w zero-extends: not a copy of A */
		if (!x || r->val[s].kind == ROT_NONE || d == s)
			return false;
		*vd = r->val[s];
		break;
	case BPF_LSH:
	case BPF_RSH:
		if (x || vd->kind != ROT_COPY || insn->imm <= 0 ||
		    insn->imm >= width)
			return false;
		vd->kind = BPF_OP(insn->code) == BPF_LSH ? ROT_SHL : ROT_SHR;
		vd->n = insn->imm;
		break;
	case BPF_OR:
		if (!x || d == s)
			return false;
		if (rot_is_pair(r->val[s], *vd, width))
			vd->n = r->val[s].n;
		else if (!rot_is_pair(*vd, r->val[s], width))
			return false;
		vd->kind = ROT_ROL;
		break;
	default:
		return false;
	}
	r->a_written |= d == r->a;
	return true;
}

/* dst = A shifted or rotated as @v says (A itself: in place). */
static void emit_rot_val(struct jit_ctx *c, const struct rot_run *r, u8 reg,
			 struct rot_val v)
{
	u8 dst = jit_reg(reg);

	if (reg != r->a || (!r->w && v.kind == ROT_COPY))
		emit_mov_rr(c, r->w, dst, jit_reg(r->a));
	if (v.kind == ROT_COPY)
		return;
	emit_rr(c, r->w, v.n == 1 ? 0xd1 : 0xc1, rot_digit[v.kind], dst);
	if (v.n != 1)
		emit1(c, v.n);
}

/*
 * Whether @insn reads @reg, or may: jumps and calls are taken as reading
 * every register, and so are packet loads (LD_ABS/LD_IND).  An exit reads
 * r0 alone: r1-r5 die at a return, and r6-r9 come back from the stack.
 */
static bool insn_reads(const struct bpf_insn *insn, u8 reg)
{
	u8 class = BPF_CLASS(insn->code);
	bool alu = class == BPF_ALU || class == BPF_ALU64;

	if (insn->code == (BPF_JMP | BPF_EXIT))
		return reg == BPF_REG_0;
	if (bpf64_is_jmp_class(insn->code) ||
	    (class == BPF_LD && !bpf64_is_ldimm64(insn)))
		return true;
	if (insn->src_reg == reg &&
	    (class == BPF_LDX || class == BPF_STX ||
	     (alu && BPF_SRC(insn->code) == BPF_X)))
		return true;
	/* the base of a store, the operand of an ALU op but MOV */
	return insn->dst_reg == reg && class != BPF_LDX && class != BPF_LD &&
	       !(alu && BPF_OP(insn->code) == BPF_MOV);
}

/*
 * Whether @reg is written before it is read from insn @k on, in the same
 * straight-line code: then what the run leaves in it is never seen.
 */
static bool reg_dead_after(const struct jit_ctx *c, u32 k, u8 reg)
{
	u32 end = k + DEAD_SCAN;

	for (; k < c->len && k < end && !c->mark[k]; k++) {
		if (insn_reads(&c->insns[k], reg))
			return false;
		if (c->insns[k].dst_reg == reg ||
		    c->insns[k].code == (BPF_JMP | BPF_EXIT))
			return true;
	}
	return false;
}

/*
 * At insn @i, a register move: if a run from there holds a rotate, emit
 * the run up to its last one and return how many instructions it took;
 * 0 leaves insn @i to be emitted alone.
 */
u32 bpf64_jit_fuse_rotate(struct jit_ctx *c, u32 i)
{
	const struct bpf_insn *insn = &c->insns[i];
	struct rot_run run = { .a = insn->src_reg }, best;
	u32 k, len = 0;
	u8 reg, op;

	/* most moves start no run: a shift or a second copy comes next */
	if (i + 1 >= c->len ||
	    BPF_CLASS(insn[1].code) != BPF_CLASS(insn->code))
		return 0;
	op = BPF_OP(insn[1].code);
	if ((op != BPF_LSH && op != BPF_RSH && op != BPF_MOV) ||
	    run.a >= BPF_REG_10)
		return 0;
	run.w = BPF_CLASS(insn->code) == BPF_ALU64;
	run.val[run.a].kind = ROT_COPY;
	for (k = i; k < c->len && k - i < ROT_MAX_RUN; k++) {
		if ((k > i && c->mark[k]) || !rot_step(&run, &c->insns[k]))
			break;
		if (run.val[c->insns[k].dst_reg].kind == ROT_ROL &&
		    BPF_OP(c->insns[k].code) == BPF_OR) {
			best = run;
			len = k + 1 - i;
		}
	}
	if (!len)
		return 0;
	for (reg = 0; reg < BPF_REG_10; reg++)
		if (reg != best.a && best.val[reg].kind != ROT_NONE &&
		    (best.val[reg].kind == ROT_ROL ||
		     !reg_dead_after(c, i + len, reg)))
			emit_rot_val(c, &best, reg, best.val[reg]);
	if (best.a_written)
		emit_rot_val(c, &best, best.a, best.val[best.a]);
	return len;
}

/* A load or store whose address is @a + off, that does not store @a. */
static bool mem_at(const struct bpf_insn *mem, u8 a)
{
	u8 mode = BPF_MODE(mem->code);

	if (BPF_CLASS(mem->code) == BPF_LDX)
		return (mode == BPF_MEM || mode == BPF_MEMSX) &&
		       mem->src_reg == a;
	return BPF_CLASS(mem->code) == BPF_STX && mode == BPF_MEM &&
	       mem->dst_reg == a && mem->src_reg != a;
}

/*
 * At insn @i, a register move: whether insns @i to @i + 2 are "a = b;
 * a += x; an access at a + off" after which a is not read, and so the
 * access can take [b + x + off] (@base and @index, x86 registers).
 */
bool bpf64_jit_fuse_address(const struct jit_ctx *c, u32 i, u8 *base,
			    u8 *index)
{
	const struct bpf_insn *mov = &c->insns[i], *add = mov + 1,
			      *mem = mov + 2;
	u8 a = mov->dst_reg;

	if (i + 2 >= c->len || c->mark[i + 1] || c->mark[i + 2] ||
	    mov->code != (BPF_ALU64 | BPF_MOV | BPF_X) || mov->off ||
	    add->code != (BPF_ALU64 | BPF_ADD | BPF_X) || add->dst_reg != a ||
	    mov->src_reg == a || add->src_reg == a || !mem_at(mem, a))
		return false;
	if (!(BPF_CLASS(mem->code) == BPF_LDX && mem->dst_reg == a) &&
	    !reg_dead_after(c, i + 3, a))
		return false;
	*base = jit_reg(mov->src_reg);
	*index = jit_reg(add->src_reg);
	return true;
}
