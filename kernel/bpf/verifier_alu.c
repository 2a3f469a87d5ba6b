// SPDX-License-Identifier: GPL-2.0
/*
 * The verifier's arithmetic: ALU on scalars (through kernel/bpf/scalar.c),
 * pointer arithmetic as privileged Linux allows it, LD_IMM64, and
 * conditional jumps: branches that cannot be taken are not explored, both
 * branches are narrowed, null checks turn every copy of the pointer into
 * a valid pointer or zero, comparisons with data_end prove packet ranges.
 */
#include "verifier.h"

#define MAX_VAR_OFF	(1 << 29)	/* Linux's BPF_MAX_VAR_OFF */
#define MAX_PACKET_OFF	0xffff
#define LINK_OFF_MIN	(-0x7fffffffLL - 1)
#define LINK_OFF_MAX	0x7fffffffLL

static const char *const alu_str[16] = {
	[BPF_ADD >> 4] = "+=", [BPF_SUB >> 4] = "-=", [BPF_MUL >> 4] = "*=",
	[BPF_DIV >> 4] = "/=", [BPF_OR >> 4] = "|=", [BPF_AND >> 4] = "&=",
	[BPF_LSH >> 4] = "<<=", [BPF_RSH >> 4] = ">>=", [BPF_NEG >> 4] = "neg",
	[BPF_MOD >> 4] = "%=", [BPF_XOR >> 4] = "^=", [BPF_MOV >> 4] = "=",
	[BPF_ARSH >> 4] = "s>>=", [BPF_END >> 4] = "endian",
};

static void imm_scalar(struct vreg *reg, s32 imm)
{
	mark_const(reg, (u64)(s64)imm);
}

/* Linux's check_reg_sane_offset, for the scalar part and the result. */
static bool sane_offset(struct venv *env, const struct vreg *reg, u8 type)
{
	const char *t = vreg_type_str(type);
	s64 val = reg->var.var_off.value;

	if (tnum_is_const(reg->var.var_off) &&
	    (val >= MAX_VAR_OFF || val <= -MAX_VAR_OFF)) {
		vlog(env, "math between %s pointer and %lld is not allowed\n",
		     t, (long long)val);
		return false;
	}
	if (reg->off >= MAX_VAR_OFF || reg->off <= -MAX_VAR_OFF) {
		vlog(env, "%s pointer offset %d is not allowed\n", t, reg->off);
		return false;
	}
	if (reg->var.smin == VS64_MIN) {
		vlog(env, "math between %s pointer and register with unbounded min value is not allowed\n",
		     t);
		return false;
	}
	if (reg->var.smin >= MAX_VAR_OFF || reg->var.smin <= -MAX_VAR_OFF) {
		vlog(env, "value %lld makes %s pointer be out of bounds\n",
		     (long long)reg->var.smin, t);
		return false;
	}
	return true;
}

static int ptr_op_allowed(struct venv *env, const struct bpf_insn *insn,
			  const struct vreg *ptr)
{
	u8 op = BPF_OP(insn->code);

	if (BPF_CLASS(insn->code) != BPF_ALU64) {
		if (op == BPF_SUB)
			return 1;	/* privileged: a meaningless number */
		vlog(env, "R%d 32-bit pointer arithmetic prohibited\n",
		     insn->dst_reg);
		return -EACCES;
	}
	switch (ptr->type) {
	case PTR_TO_MAP_VALUE_OR_NULL:
	case PTR_TO_MEM_OR_NULL:
		vlog(env, "R%d pointer arithmetic on %s prohibited, null-check it first\n",
		     insn->dst_reg, vreg_type_str(ptr->type));
		return -EACCES;
	case CONST_PTR_TO_MAP:
	case PTR_TO_PACKET_END:
		vlog(env, "R%d pointer arithmetic on %s prohibited\n",
		     insn->dst_reg, vreg_type_str(ptr->type));
		return -EACCES;
	}
	if (op == BPF_ADD || op == BPF_SUB)
		return 0;
	if (op == BPF_AND || op == BPF_OR || op == BPF_XOR)
		vlog(env, "R%d bitwise operator %s on pointer prohibited\n",
		     insn->dst_reg, alu_str[op >> 4]);
	else
		vlog(env, "R%d pointer arithmetic with %s operator prohibited\n",
		     insn->dst_reg, alu_str[op >> 4]);
	return -EACCES;
}

/* dst = ptr OP off (ADD or SUB); off a scalar. */
static int ptr_alu(struct venv *env, const struct bpf_insn *insn,
		   const struct vreg *ptr, const struct vreg *off)
{
	struct vreg res = *ptr;
	u8 op = BPF_OP(insn->code);
	struct vsanitize san;
	int err;

	err = ptr_op_allowed(env, insn, ptr);
	if (err == 1) {
		err = vpriv_alu_ptr(env, insn);
		if (!err)
			mark_unknown(&cur_regs(env)[insn->dst_reg]);
		return err;
	}
	if (err)
		return err;
	if (!sane_offset(env, off, ptr->type))
		return -EINVAL;
	err = vpriv_ptr_alu_pre(env, insn, ptr, off, &san);
	if (err)
		return err;
	if (op == BPF_SUB && ptr != &cur_regs(env)[insn->dst_reg]) {
		vlog(env, "R%d tried to subtract pointer from scalar\n",
		     insn->dst_reg);
		return -EACCES;
	}
	if (bpf64_scalar_is_const(&off->var)) {
		s64 v = off->var.smin;

		res.off = op == BPF_ADD ? ptr->off + (s32)v : ptr->off - (s32)v;
	} else {
		struct bpf_insn add = { .code = BPF_ALU64 | BPF_X | op };

		bpf64_scalar_alu(&res.var, &off->var, &add);
		if (reg_is_pkt(&res)) {
			res.id = ++env->id_gen;
			res.range = 0;
		}
	}
	if (!sane_offset(env, &res, ptr->type))
		return -EINVAL;
	cur_regs(env)[insn->dst_reg] = res;
	return vpriv_ptr_alu_post(env, insn, &san);
}

/*
 * Linked numbers: copies share an id (and learn from each other's
 * checks, sync_copies).  As Linux 6.13 on, a copy may then move once by a
 * constant, kept in off: rX = rY; rX += K links rX to rY, K apart.  The
 * id's flags say how it moved (in 32 bits: the values fit in 32 bits).
 */
#define LINK_ADD64	(1U << 31)
#define LINK_ADD32	(1U << 30)
#define LINK_FLAGS	(LINK_ADD64 | LINK_ADD32)

static void unlink(struct vreg *reg)
{
	reg->id = 0;
	reg->off = 0;
}

/*
 * rX = rY: rY's id goes to both.  A moved copy starts a new link (only
 * one constant move per link, as Linux).
 */
void link_before_copy(struct venv *env, struct vreg *src)
{
	if (src->type != SCALAR_VALUE)
		return;
	if (src->id & LINK_FLAGS)
		unlink(src);
	if (!src->id && !bpf64_scalar_is_const(&src->var))
		src->id = ++env->id_gen;
}

/*
 * dst OP= src on numbers: does dst stay linked, and how far moved?  (Not
 * without CAP_BPF, as Linux.)
 */
static void link_alu(struct venv *env, struct vreg *dst,
		     const struct vreg *src, const struct bpf_insn *insn)
{
	bool is32 = BPF_CLASS(insn->code) == BPF_ALU;
	u8 op = BPF_OP(insn->code);
	struct tnum t = is32 ? tnum_subreg(src->var.var_off) :
			src->var.var_off;
	s64 val = is32 ? (s32)t.value : (s64)t.value;

	if (!env->bpf_capable || !dst->id || (dst->id & LINK_FLAGS) ||
	    !tnum_is_const(t) ||
	    (op != BPF_ADD && op != BPF_SUB) ||
	    (!is32 && (val < LINK_OFF_MIN || val > LINK_OFF_MAX)) ||
	    (is32 && dst->var.umax > 0xffffffffULL) ||
	    (op == BPF_SUB && val == LINK_OFF_MIN)) {
		unlink(dst);
		return;
	}
	dst->id |= is32 ? LINK_ADD32 : LINK_ADD64;
	dst->off = op == BPF_SUB ? -val : val;
}

static int check_mov(struct venv *env, const struct bpf_insn *insn)
{
	struct vreg *regs = cur_regs(env);
	struct vreg *dst = &regs[insn->dst_reg];
	struct vreg src;

	if (BPF_SRC(insn->code) == BPF_K) {
		imm_scalar(dst, insn->imm);
		if (BPF_CLASS(insn->code) == BPF_ALU)
			bpf64_scalar_zext32(&dst->var);
		return 0;
	}
	src = regs[insn->src_reg];
	if (BPF_CLASS(insn->code) == BPF_ALU64 && !insn->off) {
		/* copies of a number learn from each other's checks */
		link_before_copy(env, &regs[insn->src_reg]);
		*dst = regs[insn->src_reg];
		return 0;
	}
	if (src.type != SCALAR_VALUE) {
		/* a pointer's bits as a number: privileged only */
		if (vpriv_alu_ptr(env, insn))
			return -EACCES;
		mark_unknown(dst);
		if (BPF_CLASS(insn->code) == BPF_ALU)
			bpf64_scalar_zext32(&dst->var);
		return 0;
	}
	/*
	 * As Linux: a 32-bit copy, or a sign extension, of a number it
	 * does not change is still a copy.
	 */
	if (insn->off ? src.var.umax < 1ULL << (insn->off - 1) :
	    src.var.umax <= 0xffffffffULL) {
		link_before_copy(env, &regs[insn->src_reg]);
		src = regs[insn->src_reg];
	} else {
		unlink(&src);
	}
	*dst = src;
	bpf64_scalar_alu(&dst->var, &src.var, insn);
	return 0;
}

/* Constant divisors and shift amounts Linux refuses outright. */
static int check_imm(struct venv *env, const struct bpf_insn *insn)
{
	u8 op = BPF_OP(insn->code);
	u32 bits = BPF_CLASS(insn->code) == BPF_ALU64 ? 64 : 32;

	if (BPF_SRC(insn->code) != BPF_K)
		return 0;
	if ((op == BPF_DIV || op == BPF_MOD) && !insn->imm) {
		vlog(env, "div by zero\n");
		return -EINVAL;
	}
	if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) &&
	    (u32)insn->imm >= bits) {
		vlog(env, "invalid shift %d\n", insn->imm);
		return -EINVAL;
	}
	return 0;
}

int check_alu(struct venv *env, const struct bpf_insn *insn)
{
	struct vreg *regs = cur_regs(env);
	struct vreg *dst = &regs[insn->dst_reg], src;
	u8 op = BPF_OP(insn->code);
	int err;

	if (BPF_SRC(insn->code) == BPF_X && op != BPF_END && op != BPF_NEG) {
		err = check_reg_read(env, insn->src_reg);
		if (err)
			return err;
	}
	err = check_reg_write(env, insn->dst_reg);
	if (err)
		return err;
	if (op == BPF_MOV)
		return check_mov(env, insn);
	err = check_reg_read(env, insn->dst_reg);
	if (!err)
		err = check_imm(env, insn);
	if (err)
		return err;
	if ((op == BPF_NEG || op == BPF_END) && dst->type != SCALAR_VALUE) {
		err = vpriv_alu_ptr(env, insn);
		if (!err)
			mark_unknown(dst);	/* a pointer's bits: privileged */
		return err;
	}
	if (BPF_SRC(insn->code) == BPF_X && op != BPF_END && op != BPF_NEG)
		src = regs[insn->src_reg];
	else
		imm_scalar(&src, insn->imm);

	if (dst->type == SCALAR_VALUE && src.type == SCALAR_VALUE) {
		link_alu(env, dst, &src, insn);
		bpf64_scalar_alu(&dst->var, &src.var, insn);
		return vpriv_scalar_alu(env, insn);
	}
	if (dst->type != SCALAR_VALUE && src.type != SCALAR_VALUE) {
		if (op == BPF_SUB && env->allow_ptr_leaks) {
			/* ptr - ptr: a number, of any width (Linux too) */
			mark_unknown(dst);
			return 0;
		}
		vlog(env, "R%d pointer %s pointer prohibited\n", insn->dst_reg,
		     alu_str[op >> 4]);
		return -EACCES;
	}
	/* the number moves a pointer: its value matters */
	if (dst->type == SCALAR_VALUE)
		mark_precise(env, insn->dst_reg);
	else if (BPF_SRC(insn->code) == BPF_X)
		mark_precise(env, insn->src_reg);
	if (dst->type != SCALAR_VALUE)
		return ptr_alu(env, insn, dst, &src);
	/* scalar OP pointer */
	{
		struct vreg off = *dst;

		return ptr_alu(env, insn, &src, &off);
	}
}

/* ---- LD_IMM64 ---- */

int check_ld_imm64(struct venv *env, const struct bpf_insn *insn)
{
	struct vreg *dst = &cur_regs(env)[insn->dst_reg];
	u64 imm = (u32)insn[0].imm | (u64)(u32)insn[1].imm << 32;
	struct bpf64_prog *prog = env->prog;
	u32 i;
	int err;

	err = check_reg_write(env, insn->dst_reg);
	if (err)
		return err;
	if (!insn->src_reg) {
		mark_const(dst, imm);
		return 0;
	}
	for (i = 0; i < prog->nr_used_maps; i++) {
		struct bpf64_map *map = prog->used_maps[i];
		u64 base = 0;

		if (insn->src_reg == BPF_PSEUDO_MAP_FD &&
		    imm == (unsigned long)map) {
			mark_const(dst, 0);
			dst->type = CONST_PTR_TO_MAP;
			dst->map = map;
			return 0;
		}
		if (insn->src_reg == BPF_PSEUDO_MAP_VALUE &&
		    map->ops->map_direct_value_addr &&
		    !map->ops->map_direct_value_addr(map, &base, 0) &&
		    imm - base < map->value_size) {
			mark_const(dst, 0);
			dst->type = PTR_TO_MAP_VALUE;
			dst->map = map;
			dst->off = imm - base;
			return 0;
		}
	}
	vlog(env, "invalid bpf_ld_imm64 insn\n");
	return -EINVAL;
}

/* ---- conditional jumps ---- */

static void mark_null_regs(struct vstate *st, u32 id, bool is_null)
{
	u32 f, i;

	for (f = 0; f <= st->curframe; f++) {
		struct vframe *fr = st->frame[f];

		for (i = 0; i < BPF64_NR_REGS + fr->nslots; i++) {
			struct vreg *r = i < BPF64_NR_REGS ? &fr->regs[i] :
				&fr->stack[i - BPF64_NR_REGS].spilled;

			if (i >= BPF64_NR_REGS &&
			    fr->stack[i - BPF64_NR_REGS].kind[0] != SLOT_SPILL)
				continue;
			if (r->id != id || !reg_maybe_null(r))
				continue;
			if (is_null) {
				mark_const(r, 0);
				continue;
			}
			r->type = r->type == PTR_TO_MAP_VALUE_OR_NULL ?
				  PTR_TO_MAP_VALUE : PTR_TO_MEM;
			/* a map of maps holds maps, shaped as its template */
			if (r->type == PTR_TO_MAP_VALUE &&
			    r->map->inner_map_meta) {
				r->type = CONST_PTR_TO_MAP;
				r->map = r->map->inner_map_meta;
			}
			r->id = 0;
		}
	}
}

static void drop_ref(struct vstate *st, u32 id)
{
	u32 i;

	for (i = 0; i < st->nr_refs; i++) {
		if (st->refs[i].id == id) {
			st->refs[i] = st->refs[--st->nr_refs];
			return;
		}
	}
}

/* "if ptr == 0" / "if ptr != 0" on a pointer that may be NULL. */
static int null_check(struct venv *env, const struct bpf_insn *insn,
		      u32 *idx, struct vreg *dst)
{
	bool eq = BPF_OP(insn->code) == BPF_JEQ;
	u32 id = dst->id, ref = dst->ref_obj_id;
	struct vstate *other;
	int err;

	err = vpush_branch(env, *idx + 1 + insn->off, &other);
	if (err)
		return err;
	/* the taken branch is null for JEQ, not null for JNE */
	mark_null_regs(other, id, eq);
	mark_null_regs(env->cur, id, !eq);
	if (ref)
		drop_ref(eq ? other : env->cur, ref);
	(*idx)++;
	return 0;
}

static bool is_const_zero(const struct vreg *reg)
{
	return reg->type == SCALAR_VALUE && bpf64_scalar_is_const(&reg->var) &&
	       reg->var.var_off.value == 0;
}

/* Every packet pointer with @reg's id learns [0, range) is readable. */
static void good_pkt_pointers(struct vstate *st, const struct vreg *reg,
			      bool right_open)
{
	u32 f, i, range;

	if (reg->off < 0 || (reg->off == 0 && right_open))
		return;
	if (reg->var.umax > MAX_PACKET_OFF ||
	    reg->var.umax + reg->off > MAX_PACKET_OFF)
		return;
	range = reg->off + right_open;
	for (f = 0; f <= st->curframe; f++) {
		struct vframe *fr = st->frame[f];

		for (i = 0; i < BPF64_NR_REGS + fr->nslots; i++) {
			struct vreg *r = i < BPF64_NR_REGS ? &fr->regs[i] :
				&fr->stack[i - BPF64_NR_REGS].spilled;

			if (i >= BPF64_NR_REGS &&
			    fr->stack[i - BPF64_NR_REGS].kind[0] != SLOT_SPILL)
				continue;
			if (r->type == reg->type && r->id == reg->id)
				r->range = max(r->range, range);
		}
	}
}

static bool is_init_pkt(const struct vreg *reg)
{
	return reg->type == PTR_TO_PACKET && !reg->off && !reg->id &&
	       bpf64_scalar_is_const(&reg->var) && !reg->var.var_off.value;
}

/* Is @a a packet pointer compared with what bounds it (@b)? */
static bool pkt_bounded_by(const struct vreg *a, const struct vreg *b)
{
	return (a->type == PTR_TO_PACKET && b->type == PTR_TO_PACKET_END) ||
	       (a->type == PTR_TO_PACKET_META && is_init_pkt(b));
}

static u8 flip_op(u8 op)
{
	switch (op) {
	case BPF_JGT: return BPF_JLT;
	case BPF_JLT: return BPF_JGT;
	case BPF_JGE: return BPF_JLE;
	case BPF_JLE: return BPF_JGE;
	}
	return op;
}

/*
 * "if pkt OP end": pkt <= end holds when JGT is not taken or JLE is;
 * pkt < end when JGE is not taken or JLT is.
 */
static int pkt_compare(struct venv *env, const struct bpf_insn *insn,
		       u32 *idx, bool *handled)
{
	struct vreg *regs = cur_regs(env);
	struct vreg *dst = &regs[insn->dst_reg], *src = &regs[insn->src_reg];
	u8 op = BPF_OP(insn->code);
	struct vreg pkt;
	struct vstate *other;
	bool taken_good, open;
	int err;

	*handled = false;
	if (BPF_SRC(insn->code) != BPF_X || BPF_CLASS(insn->code) == BPF_JMP32)
		return 0;
	if (pkt_bounded_by(dst, src)) {
		pkt = *dst;
	} else if (pkt_bounded_by(src, dst)) {
		pkt = *src;
		op = flip_op(op);
	} else {
		return 0;
	}
	if (op != BPF_JGT && op != BPF_JLT && op != BPF_JGE && op != BPF_JLE)
		return 0;
	*handled = true;
	err = vpush_branch(env, *idx + 1 + insn->off, &other);
	if (err)
		return err;
	taken_good = op == BPF_JLT || op == BPF_JLE;
	open = op == BPF_JGE || op == BPF_JLT;
	good_pkt_pointers(taken_good ? other : env->cur, &pkt, open);
	(*idx)++;
	return 0;
}

static bool pkt_any(const struct vreg *reg)
{
	return reg_is_pkt(reg) || reg->type == PTR_TO_PACKET_END;
}

static struct vreg *state_reg(struct vstate *st, u32 regno)
{
	return &st->frame[st->curframe]->regs[regno];
}

/* @val + @k, in 64 bits or as a 32-bit add. */
static void add_const(struct bpf64_scalar *val, s64 k, bool is32)
{
	struct bpf_insn add = { .code = (is32 ? BPF_ALU : BPF_ALU64) |
					BPF_ADD | BPF_K };
	struct bpf64_scalar c;

	bpf64_scalar_const(&c, is32 ? (u32)k : (u64)k);
	bpf64_scalar_alu(val, &c, &add);
}

/*
 * A linked copy @r from what a check taught @reg: back to their common
 * base (which fits 32 bits if either moved in 32 bits), then to @r.
 */
static void sync_linked(struct vreg *r, const struct vreg *reg)
{
	struct bpf64_scalar base = reg->var;

	if (r->off == reg->off && (r->id & LINK_FLAGS) ==
	    (reg->id & LINK_FLAGS)) {
		r->var = reg->var;
		return;
	}
	if (reg->id & LINK_FLAGS)
		add_const(&base, -(s64)reg->off, reg->id & LINK_ADD32);
	if (r->id & LINK_FLAGS)
		add_const(&base, r->off, r->id & LINK_ADD32);
	r->var = base;
}

/* What a check taught @reg holds for every copy of it (same id). */
static void sync_copies(struct vstate *st, const struct vreg *reg)
{
	u32 f, i;

	if (reg->type != SCALAR_VALUE || !reg->id)
		return;
	for (f = 0; f <= st->curframe; f++) {
		struct vframe *fr = st->frame[f];

		for (i = 0; i < BPF64_NR_REGS + fr->nslots; i++) {
			struct vreg *r = i < BPF64_NR_REGS ? &fr->regs[i] :
				&fr->stack[i - BPF64_NR_REGS].spilled;

			if (i >= BPF64_NR_REGS &&
			    fr->stack[i - BPF64_NR_REGS].kind[0] != SLOT_SPILL)
				continue;
			/* (not between a 64-bit and a 32-bit move: Linux) */
			if (r->type == SCALAR_VALUE && r != reg &&
			    (r->id & ~LINK_FLAGS) == (reg->id & ~LINK_FLAGS) &&
			    ((r->id ^ reg->id) & LINK_FLAGS) != LINK_FLAGS)
				sync_linked(r, reg);
		}
	}
}

int check_cond_jmp(struct venv *env, const struct bpf_insn *insn, u32 *idx)
{
	bool is32 = BPF_CLASS(insn->code) == BPF_JMP32;
	bool is_x = BPF_SRC(insn->code) == BPF_X;
	u8 op = BPF_OP(insn->code);
	struct vreg *dst, src_k, *src;
	struct vstate *other;
	bool handled;
	int err, taken = -1;

	err = check_reg_read(env, insn->dst_reg);
	if (!err && is_x)
		err = check_reg_read(env, insn->src_reg);
	if (err)
		return err;
	dst = &cur_regs(env)[insn->dst_reg];
	imm_scalar(&src_k, insn->imm);
	src = is_x ? &cur_regs(env)[insn->src_reg] : &src_k;
	if (is_x && !(pkt_any(dst) && pkt_any(src))) {
		err = vpriv_cmp(env, insn->src_reg);
		if (err)
			return err;
	}

	if (!is32 && !is_x && (op == BPF_JEQ || op == BPF_JNE) && !insn->imm &&
	    reg_maybe_null(dst))
		return null_check(env, insn, idx, dst);
	err = pkt_compare(env, insn, idx, &handled);
	if (err || handled)
		return err;

	if (dst->type == SCALAR_VALUE && src->type == SCALAR_VALUE)
		taken = bpf64_scalar_branch_taken(&dst->var, &src->var, op,
						  is32);
	else if (!is32 && (op == BPF_JEQ || op == BPF_JNE) &&
		 is_const_zero(src) && (dst->type == PTR_TO_MAP_VALUE ||
					 dst->type == PTR_TO_MEM))
		taken = op == BPF_JNE;	/* never NULL, as Linux knows */
	if (taken >= 0) {
		/* a path not explored: what decided it matters */
		mark_precise(env, insn->dst_reg);
		if (is_x)
			mark_precise(env, insn->src_reg);
	}
	if (taken == 1) {
		err = vpriv_spec_branch(env, insn, *idx + 1);
		*idx += 1 + insn->off;
		return err;
	}
	if (taken == 0) {
		err = vpriv_spec_branch(env, insn, *idx + 1 + insn->off);
		(*idx)++;
		return err;
	}
	err = vpriv_cmp(env, insn->dst_reg);
	if (!err)
		err = vpush_branch(env, *idx + 1 + insn->off, &other);
	if (err)
		return err;
	if (dst->type == SCALAR_VALUE && src->type == SCALAR_VALUE) {
		struct vreg *odst = state_reg(other, insn->dst_reg);
		struct vreg osrc_k = src_k;
		struct vreg *osrc = is_x ? state_reg(other, insn->src_reg) :
				    &osrc_k;

		bpf64_scalar_cond_refine(&odst->var, &osrc->var, op, is32,
					 true);
		bpf64_scalar_cond_refine(&dst->var, &src->var, op, is32,
					 false);
		sync_copies(other, odst);
		sync_copies(other, osrc);
		sync_copies(env->cur, dst);
		sync_copies(env->cur, src);
	}
	(*idx)++;
	return 0;
}
