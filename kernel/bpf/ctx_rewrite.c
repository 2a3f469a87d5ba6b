// SPDX-License-Identifier: GPL-2.0
/*
 * Context accesses rewritten at load (include/linux/bpf64/ctx_rewrite.h).
 *
 * This pass stands in for the verifier's pointer tracking until the
 * verifier of issue 4 exists; that verifier will know the type of every
 * register on every path and will reuse the program types'
 * convert_ctx_access and the patcher (kernel/bpf/patch.c) the way this
 * pass does.  Here a forward dataflow over the control-flow graph finds
 * which loads and stores go through the context pointer:
 *
 *  - For each register and for each 8-byte stack slot that a spill may
 *    reach, a value is the set of what it may hold over all paths: the
 *    context pointer plus an offset (known, or "variable" once anything
 *    but a constant moved it), this frame's stack pointer plus a known
 *    offset, a scalar (or nothing written yet), or another pointer or a
 *    value it cannot tell.  Sets only grow, and each offset only goes
 *    from known to variable, so the fixpoint comes after a few visits of
 *    each block.
 *  - States are kept at block leaders only (the entry, jump and call
 *    targets); a worklist walks blocks from them, merging into the
 *    leaders they reach.  r1 holds the context at entry; MOV copies;
 *    64-bit ADD/SUB of a constant move an offset; an 8-byte spill and
 *    fill through the stack keep a value; helper calls, LD_ABS/LD_IND
 *    and local calls clobber r0-r5; a local call's callee starts from
 *    the merge of r1-r5 at all its call sites, with r6-r9 and the stack
 *    kept across the call in the caller.
 *  - Then each access through a register that may hold the context is
 *    judged as Linux's verifier judges it (same messages and errnos), and
 *    one through exactly the context is checked with is_valid_access and
 *    replaced by what convert_ctx_access gives, narrow loads widened to
 *    the field and shifted and masked back, as Linux's
 *    convert_ctx_accesses() does.
 *
 * Not followed, as Linux would: a context pointer stored into the caller's
 * stack by a callee through a pointer argument, and stack writes at
 * variable offsets (Linux refuses to use what they overwrite as a pointer).
 * Stack slots are followed only where an 8-byte spill of the context can
 * happen: those through r10, and those found through other stack pointers
 * while analysing (the analysis then starts again with them).
 */
#include <linux/bpf64/ctx_rewrite.h>
#include <linux/bpf64/insn.h>
#include <linux/bpf64/patch.h>

/* What a value may be, over all paths: a set of these. */
enum {
	V_CTX = 1,	/* the context pointer, + off unless var */
	V_FP = 2,	/* this frame's stack pointer + off (alone or a scalar) */
	V_SCALAR = 4,	/* a number, or nothing written yet */
	V_OTHER = 8,	/* another pointer, or a value we cannot tell */
};

struct val {
	s32 off;
	u8 kinds;
	bool var;	/* V_CTX at an offset that is not known */
};

#define NR_SLOTS	(BPF64_MAX_STACK / 8)
#define PATCH_BUF	(BPF64_MAX_CTX_PATCH + 3)	/* + shift, mask, movsx */

struct ctx_an {
	const struct bpf64_prog *prog;
	const struct bpf_insn *insns;
	u32 len;
	struct bpf64_log *log;
	u64 tracked;		/* stack slots followed, bit (off + 512) / 8 */
	u64 missed;		/* slots a spill of the context needs */
	u32 nvals;		/* registers, then the tracked slots */
	u32 *leader;		/* per insn: 1 + its leader number, or 0 */
	u32 *leader_insn;	/* per leader: its insn */
	u32 nr_leaders;
	struct val *states;	/* per leader: nvals values */
	bool *reached;
	bool *queued;
	u32 *work;
	u32 nr_work;
	struct val *cur;	/* the state being walked */
	struct val *entry;	/* a callee's entry state being built */
	struct bpf64_patch_set *set;
};

static u32 insn_width(const struct ctx_an *an, u32 i)
{
	return i + 1 < an->len && bpf64_is_ldimm64(&an->insns[i]) ? 2 : 1;
}

static bool is_local_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) &&
	       insn->src_reg == BPF_PSEUDO_CALL;
}

static u32 size_bytes(u8 code)
{
	static const u8 bytes[] = { 4, 2, 1, 8 };	/* W, H, B, DW */

	return bytes[BPF_SIZE(code) >> 3];
}

static struct val v_of(u8 kinds, s32 off)
{
	return (struct val){ .kinds = kinds, .off = off };
}

/*
 * The canonical form: FP only alone or with a scalar, offsets only where
 * they mean something.
 */
static void normalize(struct val *v)
{
	if ((v->kinds & V_FP) && (v->kinds & (V_CTX | V_OTHER)))
		v->kinds = (v->kinds & ~V_FP) | V_OTHER;
	if (!(v->kinds & (V_CTX | V_FP)) || v->var) {
		v->off = 0;
		v->var = v->var && (v->kinds & V_CTX);
	}
}

/* *a = a merged with b; true if *a changed. */
static bool merge_val(struct val *a, const struct val *b)
{
	struct val r = *a;

	r.kinds |= b->kinds;
	if (r.kinds & V_CTX) {
		if (!(a->kinds & V_CTX)) {
			r.off = b->off;
			r.var = b->var;
		} else if (b->kinds & V_CTX) {
			r.var |= b->var || a->off != b->off;
		}
	} else if (r.kinds & V_FP) {
		if (!(a->kinds & V_FP))
			r.off = b->off;
		else if ((b->kinds & V_FP) && a->off != b->off)
			r.kinds = (r.kinds & ~V_FP) | V_OTHER;
	}
	normalize(&r);
	if (r.kinds == a->kinds && r.off == a->off && r.var == a->var)
		return false;
	*a = r;
	return true;
}

/* ---- the stack ---- */

/* Set bits of @x (the kernel home has no libgcc for the builtin). */
static u32 nr_bits(u64 x)
{
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

static int slot_of(s64 off)
{
	if (off < -BPF64_MAX_STACK || off >= 0 || off % 8)
		return -1;
	return (off + BPF64_MAX_STACK) / 8;
}

/* The value of tracked slot @s in @state, or NULL if not tracked. */
static struct val *slot_val(const struct ctx_an *an, struct val *state, int s)
{
	if (s < 0 || !(an->tracked & (1ULL << s)))
		return NULL;
	return &state[BPF64_NR_REGS + nr_bits(an->tracked & ((1ULL << s) - 1))];
}

/*
 * A store of @size bytes at @off from this frame's stack pointer: an
 * aligned 8-byte one of register @src (or -1: an immediate) is a spill;
 * anything else leaves the slots it touches holding what we cannot tell.
 */
static void store_stack(struct ctx_an *an, s64 off, u32 size, int src,
			bool spill)
{
	s64 o;
	struct val *v;

	if (spill && size == 8 && slot_of(off) >= 0) {
		v = slot_val(an, an->cur, slot_of(off));
		if (v)
			*v = src >= 0 ? an->cur[src] : v_of(V_SCALAR, 0);
		else if (src >= 0 && (an->cur[src].kinds & V_CTX))
			an->missed |= 1ULL << slot_of(off);
		return;
	}
	for (o = off & ~7LL; o < off + size; o += 8) {
		v = slot_val(an, an->cur, slot_of(o));
		if (v)
			*v = v_of(V_OTHER, 0);
	}
}

/* ---- one instruction's effect on the state ---- */

static s64 ptr_off(const struct val *base, s16 off)
{
	return (s64)base->off + off;
}

/* A value after an operation other than a constant move of its offset. */
static struct val modified(struct val v)
{
	if (v.kinds & V_FP)
		v.kinds = (v.kinds & ~V_FP) | V_OTHER;
	v.var = v.kinds & V_CTX;
	normalize(&v);
	return v;
}

/* 64-bit ADD or SUB of @delta: pointers keep a known offset. */
static void move_off(struct val *v, s64 delta)
{
	s64 off = v->off + delta;

	if ((v->kinds & V_CTX) && !v->var && off == (s32)off)
		v->off = off;
	else if (v->kinds & V_CTX)
		v->var = true;
	else if ((v->kinds & V_FP) && off >= -BPF64_MAX_STACK && off <= 0)
		v->off = off;
	else if (v->kinds & V_FP)
		v->kinds = (v->kinds & ~V_FP) | V_OTHER;
	normalize(v);
}

static void do_alu(struct ctx_an *an, const struct bpf_insn *insn)
{
	struct val *d = &an->cur[insn->dst_reg];
	const struct val *s = &an->cur[insn->src_reg];
	bool x = BPF_SRC(insn->code) == BPF_X;
	bool is64 = BPF_CLASS(insn->code) == BPF_ALU64;
	u8 op = BPF_OP(insn->code), all;
	struct val r = { };

	if (op == BPF_MOV) {
		if (!x)
			*d = v_of(V_SCALAR, 0);
		else if (is64 && !insn->off)
			*d = *s;
		else		/* a 32-bit or sign-extending copy */
			*d = modified(*s);
		return;
	}
	if (is64 && !x && (op == BPF_ADD || op == BPF_SUB)) {
		move_off(d, op == BPF_ADD ? insn->imm : -(s64)insn->imm);
		return;
	}
	/* Over every pair of what each operand may be. */
	all = d->kinds | (x ? s->kinds : V_SCALAR);
	if (all & V_CTX)
		r.kinds |= V_CTX;
	if (all & (V_FP | V_OTHER))
		r.kinds |= V_OTHER;
	if ((d->kinds & V_SCALAR) && (!x || (s->kinds & V_SCALAR)))
		r.kinds |= V_SCALAR;
	*d = modified(r);
}

/* Registers a call leaves unset. */
static void clobber_args(struct ctx_an *an)
{
	int r;

	for (r = BPF_REG_1; r <= BPF_REG_5; r++)
		an->cur[r] = v_of(V_SCALAR, 0);
}

static void do_helper_call(struct ctx_an *an, const struct bpf_insn *insn)
{
	const struct bpf64_prog_ops *ops = an->prog->ops;
	const struct bpf64_func_proto *fn = NULL;

	if (BPF_SRC(insn->code) == BPF_K && ops->get_func_proto)
		fn = ops->get_func_proto(insn->imm, an->prog);
	an->cur[BPF_REG_0] = v_of(fn && (fn->ret_type == BPF64_RET_INTEGER ||
					fn->ret_type == BPF64_RET_VOID) ?
				  V_SCALAR : V_OTHER, 0);
	clobber_args(an);
}

/* What a load through @base at @off gives. */
static struct val load_val(struct ctx_an *an, const struct bpf_insn *insn,
			   const struct val *base)
{
	struct bpf64_ctx_access info = { };
	u32 size = size_bytes(insn->code);
	s64 off = ptr_off(base, insn->off);
	struct val *v;

	if (base->kinds == V_CTX && !base->var && !base->off) {
		if (an->prog->ops->is_valid_access(insn->off, size, false,
						   an->prog, &info) &&
		    info.reg_type == BPF64_SCALAR)
			return v_of(V_SCALAR, 0);
		return v_of(V_OTHER, 0);
	}
	if (base->kinds != V_FP)
		return v_of(V_SCALAR, 0);
	if (size != 8 || BPF_MODE(insn->code) != BPF_MEM)
		return v_of(V_SCALAR, 0);
	v = slot_val(an, an->cur, slot_of(off));
	return v ? *v : v_of(V_OTHER, 0);
}

static void do_mem(struct ctx_an *an, const struct bpf_insn *insn)
{
	u8 cls = BPF_CLASS(insn->code);
	const struct val *base;
	bool spill;

	if (cls == BPF_LDX) {
		base = &an->cur[insn->src_reg];
		an->cur[insn->dst_reg] = load_val(an, insn, base);
		return;
	}
	base = &an->cur[insn->dst_reg];
	spill = BPF_MODE(insn->code) == BPF_MEM;
	if (base->kinds == V_FP)
		store_stack(an, ptr_off(base, insn->off),
			    size_bytes(insn->code),
			    cls == BPF_STX ? insn->src_reg : -1, spill);
	if (cls == BPF_STX && !spill && (insn->imm & BPF_FETCH))
		an->cur[insn->imm == BPF_CMPXCHG ? BPF_REG_0 : insn->src_reg] =
			v_of(V_SCALAR, 0);
}

static void do_ld(struct ctx_an *an, const struct bpf_insn *insn)
{
	if (bpf64_is_ldimm64(insn)) {
		an->cur[insn->dst_reg] = v_of(insn->src_reg ? V_OTHER : V_SCALAR,
					      0);
		return;
	}
	an->cur[BPF_REG_0] = v_of(V_SCALAR, 0);	/* LD_ABS, LD_IND */
	clobber_args(an);
}

/* ---- the dataflow ---- */

static struct val *leader_state(const struct ctx_an *an, u32 lid)
{
	return &an->states[(size_t)lid * an->nvals];
}

static void enqueue(struct ctx_an *an, u32 lid)
{
	if (!an->queued[lid]) {
		an->queued[lid] = true;
		an->work[an->nr_work++] = lid;
	}
}

/* Merge @state into the leader at insn @t. */
static void propagate(struct ctx_an *an, u32 t, const struct val *state)
{
	u32 lid = an->leader[t] - 1, k;
	struct val *s = leader_state(an, lid);
	bool changed = !an->reached[lid];

	if (changed) {
		memcpy(s, state, an->nvals * sizeof(*s));
		an->reached[lid] = true;
	}
	for (k = 0; k < an->nvals; k++)
		changed |= merge_val(&s[k], &state[k]);
	if (changed)
		enqueue(an, lid);
}

/* A fresh frame: r1-r5 as given, nothing else written, r10 its stack. */
static void frame_entry(struct ctx_an *an, struct val *state)
{
	u32 k;

	for (k = 0; k < an->nvals; k++)
		if (k < BPF_REG_1 || k > BPF_REG_5)
			state[k] = v_of(V_SCALAR, 0);
	state[BPF64_REG_FP] = v_of(V_FP, 0);
}

/* A local call to @t: in the analysis (@flow), its callee's entry too. */
static void do_local_call(struct ctx_an *an, u32 t, bool flow)
{
	struct val *v;
	int r;

	for (r = BPF_REG_1; r <= BPF_REG_5 && flow; r++) {
		v = &an->entry[r];
		*v = an->cur[r];
		if (v->kinds & V_FP)	/* the caller's stack, not the callee's */
			*v = v_of((v->kinds & ~V_FP) | V_OTHER, 0);
	}
	if (flow) {
		frame_entry(an, an->entry);
		propagate(an, t, an->entry);
	}
	an->cur[BPF_REG_0] = v_of(V_SCALAR, 0);
	clobber_args(an);
}

/*
 * The effect of insn @i on an->cur, and in the analysis (@flow) what it
 * passes to the leaders it jumps or calls to.  True if the block goes on
 * to the next instruction.
 */
static bool step(struct ctx_an *an, u32 i, bool flow)
{
	const struct bpf_insn *insn = &an->insns[i];
	u8 op = BPF_OP(insn->code);
	s32 off;

	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		do_alu(an, insn);
		return true;
	case BPF_LD:
		do_ld(an, insn);
		return true;
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		do_mem(an, insn);
		return true;
	}
	if (op == BPF_EXIT)
		return false;
	if (is_local_call(insn)) {
		do_local_call(an, i + 1 + insn->imm, flow);
		return true;
	}
	if (op == BPF_CALL) {
		do_helper_call(an, insn);
		return true;
	}
	bpf64_insn_jump_offset(insn, &off);
	if (flow)
		propagate(an, i + 1 + off, an->cur);
	return op != BPF_JA;
}

/* ---- judging and rewriting an access ---- */

static bool is_access(const struct bpf_insn *insn)
{
	switch (BPF_CLASS(insn->code)) {
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return true;
	}
	return false;
}

static int misconfigured(struct ctx_an *an, u32 i, const char *what)
{
	bpf64_log(an->log, "insn %u: program type %s: %s\n", i,
		  an->prog->ops->name, what);
	return -EINVAL;
}

/* Is a conversion's output something the interpreter can run? */
static bool patch_ok(const struct bpf_insn *buf, u32 cnt)
{
	char why[128];
	s32 off;
	u32 j;

	for (j = 0; j < cnt; j++) {
		u8 op = BPF_OP(buf[j].code);

		if (bpf64_check_insn(&buf[j], why, sizeof(why)) ||
		    bpf64_is_ldimm64(&buf[j]) ||
		    (bpf64_is_jmp_class(buf[j].code) &&
		     (op == BPF_CALL || op == BPF_EXIT)))
			return false;
		if (bpf64_insn_jump_offset(&buf[j], &off) &&
		    ((s64)j + 1 + off < 0 || (s64)j + 1 + off > cnt))
			return false;
	}
	return true;
}

static u8 size_code(u32 bytes)
{
	return bytes == 8 ? BPF_DW : bytes == 4 ? BPF_W : BPF_H;
}

/*
 * A narrow load of @size bytes at @off, from a field of @fs bytes loaded
 * whole into @dst: shift the bytes wanted down and mask the rest off.
 */
static u32 narrow(struct bpf_insn *buf, u32 cnt, u8 dst, int off, u32 size,
		  u32 fs)
{
	u32 shift = off & (fs - 1);

	if (!BPF64_LITTLE_ENDIAN)
		shift = fs - shift - size;
	shift *= 8;
	if (shift)
		buf[cnt++] = (struct bpf_insn){
			.code = (fs == 8 ? BPF_ALU64 : BPF_ALU) | BPF_RSH | BPF_K,
			.dst_reg = dst, .imm = shift };
	buf[cnt++] = (struct bpf_insn){
		.code = BPF_ALU | BPF_AND | BPF_K, .dst_reg = dst,
		.imm = (u32)((1ULL << size * 8) - 1) };
	return cnt;
}

static int convert(struct ctx_an *an, u32 i, const struct bpf_insn *insn)
{
	const struct bpf64_prog_ops *ops = an->prog->ops;
	bool write = BPF_CLASS(insn->code) != BPF_LDX;
	bool memsx = BPF_MODE(insn->code) == BPF_MEMSX;
	u32 size = size_bytes(insn->code), fs, cnt;
	struct bpf64_ctx_access info = { };
	struct bpf_insn si = *insn, buf[PATCH_BUF];
	bool narrow_load;

	/*
	 * Linux's types refuse a sign-extending load (info->is_ldsx) of
	 * exactly the fields that give pointers; here that is one rule.
	 */
	if (!ops->is_valid_access(insn->off, size, write, an->prog, &info) ||
	    (memsx && info.reg_type != BPF64_SCALAR)) {
		bpf64_log(an->log, "insn %u: invalid bpf_context access off=%d size=%u\n",
			  i, insn->off, size);
		return -EACCES;
	}
	if (!ops->convert_ctx_access)
		return 0;
	fs = info.ctx_field_size;
	narrow_load = fs && size < fs;
	if (narrow_load && (write || (fs != 2 && fs != 4 && fs != 8)))
		return misconfigured(an, i, "narrow ctx access misconfigured");
	if (narrow_load) {
		si.off = insn->off & ~(fs - 1);
		si.code = BPF_LDX | BPF_MEM | size_code(fs);
	} else if (memsx) {
		si.code = BPF_LDX | BPF_MEM | BPF_SIZE(insn->code);
	}
	cnt = ops->convert_ctx_access(write, &si, buf, an->prog);
	if (!cnt)
		return 0;	/* the same layout: the access stays */
	if (cnt > BPF64_MAX_CTX_PATCH || !patch_ok(buf, cnt))
		return misconfigured(an, i, "convert_ctx_access gave invalid code");
	/* Linux shifts and masks only below the width really loaded. */
	if (narrow_load && size < (info.target_size ? info.target_size : fs))
		cnt = narrow(buf, cnt, insn->dst_reg, insn->off, size, fs);
	if (memsx)
		buf[cnt++] = (struct bpf_insn){
			.code = BPF_ALU64 | BPF_MOV | BPF_X,
			.dst_reg = insn->dst_reg, .src_reg = insn->dst_reg,
			.off = size * 8 };
	return bpf64_patch_replace(an->set, i, buf, cnt);
}

/* An access at @i through a register that may hold the context. */
static int judge(struct ctx_an *an, u32 i)
{
	const struct bpf_insn *insn = &an->insns[i];
	u8 reg = BPF_CLASS(insn->code) == BPF_LDX ? insn->src_reg :
						    insn->dst_reg;
	const struct val *base = &an->cur[reg];

	if (!is_access(insn) || !(base->kinds & V_CTX))
		return 0;
	if (BPF_CLASS(insn->code) == BPF_STX &&
	    BPF_MODE(insn->code) == BPF_ATOMIC) {
		bpf64_log(an->log, "insn %u: BPF_ATOMIC stores into R%u ctx is not allowed\n",
			  i, reg);
		return -EACCES;
	}
	if (base->kinds & V_SCALAR) {
		bpf64_log(an->log, "insn %u: R%u invalid mem access 'scalar'\n",
			  i, reg);
		return -EACCES;
	}
	if (base->kinds != V_CTX) {
		bpf64_log(an->log, "insn %u: same insn cannot be used with different pointers\n",
			  i);
		return -EINVAL;
	}
	if (base->var) {
		bpf64_log(an->log, "insn %u: R%u variable ctx access disallowed\n",
			  i, reg);
		return -EACCES;
	}
	if (base->off) {
		bpf64_log(an->log, "insn %u: %s ctx ptr R%u off=%d disallowed\n",
			  i, base->off < 0 ? "negative offset" :
			  "dereference of modified", reg, base->off);
		return -EACCES;
	}
	return convert(an, i, insn);
}

/*
 * Walk the block of leader @lid from its state: in the analysis, merging
 * into the leaders it reaches; afterwards (@judging), judging its
 * accesses.
 */
static int walk(struct ctx_an *an, u32 lid, bool judging)
{
	u32 i = an->leader_insn[lid];
	int err;

	memcpy(an->cur, leader_state(an, lid), an->nvals * sizeof(*an->cur));
	for (;;) {
		if (judging) {
			err = judge(an, i);
			if (err)
				return err;
		}
		if (!step(an, i, !judging))
			return 0;
		i += insn_width(an, i);
		if (i >= an->len)
			return 0;
		if (an->leader[i]) {
			if (!judging)
				propagate(an, i, an->cur);
			return 0;
		}
	}
}

/* ---- setting up ---- */

static int mark_target(struct ctx_an *an, u32 i, s64 t)
{
	if (t < 0 || t >= an->len) {
		bpf64_log(an->log, "insn %u: jump out of range from insn %u to %lld\n",
			  i, i, (long long)t);
		return -EINVAL;
	}
	an->leader[t] = 1;
	return 0;
}

/* Leaders, the stack slots spilled through r10, and sane operands. */
static int scan(struct ctx_an *an)
{
	const struct bpf_insn *insn;
	u32 i, n = 0;
	s32 off;
	int err = 0;

	an->leader[0] = 1;
	for (i = 0; i < an->len; i += insn_width(an, i)) {
		insn = &an->insns[i];
		if (insn->dst_reg >= BPF64_NR_REGS ||
		    insn->src_reg >= BPF64_NR_REGS) {
			bpf64_log(an->log, "insn %u: invalid register\n", i);
			return -EINVAL;
		}
		if (is_local_call(insn))
			err = mark_target(an, i, (s64)i + 1 + insn->imm);
		else if (bpf64_insn_jump_offset(insn, &off))
			err = mark_target(an, i, (s64)i + 1 + off);
		else if (insn->code == (BPF_STX | BPF_MEM | BPF_DW) &&
			 insn->dst_reg == BPF64_REG_FP &&
			 slot_of(insn->off) >= 0)
			an->tracked |= 1ULL << slot_of(insn->off);
		if (err)
			return err;
	}
	for (i = 0; i < an->len; i++)
		if (an->leader[i])
			an->leader[i] = ++n;
	an->nr_leaders = n;
	return 0;
}

static void free_states(struct ctx_an *an)
{
	bpf64_free(an->states);
	bpf64_free(an->cur);
	bpf64_free(an->entry);
	an->states = an->cur = an->entry = NULL;
}

/* The fixpoint, for the slots in an->tracked. */
static int analyse(struct ctx_an *an)
{
	u32 i;

	an->nvals = BPF64_NR_REGS + nr_bits(an->tracked);
	an->states = bpf64_zalloc_array((size_t)an->nr_leaders * an->nvals,
					sizeof(struct val));
	an->cur = bpf64_zalloc_array(an->nvals, sizeof(struct val));
	an->entry = bpf64_zalloc_array(an->nvals, sizeof(struct val));
	if (!an->states || !an->cur || !an->entry)
		return -ENOMEM;
	memset(an->reached, 0, an->nr_leaders * sizeof(*an->reached));
	an->missed = 0;
	frame_entry(an, an->entry);
	for (i = BPF_REG_2; i <= BPF_REG_5; i++)
		an->entry[i] = v_of(V_SCALAR, 0);
	an->entry[BPF_REG_1] = v_of(V_CTX, 0);
	propagate(an, 0, an->entry);
	while (an->nr_work) {
		i = an->work[--an->nr_work];
		an->queued[i] = false;
		walk(an, i, false);
	}
	return 0;
}

static int judge_all(struct ctx_an *an)
{
	u32 lid;
	int err;

	for (lid = 0; lid < an->nr_leaders; lid++) {
		if (!an->reached[lid])
			continue;
		err = walk(an, lid, true);
		if (err)
			return err;
	}
	return 0;
}

static int rewrite(struct ctx_an *an, struct bpf64_prog *prog)
{
	struct bpf64_patch_set set;
	struct bpf_insn *insns;
	u32 len;
	int err;

	bpf64_patch_init(&set, prog->insns, prog->len, an->log);
	an->set = &set;
	err = judge_all(an);
	if (!err && set.nr_patches) {
		err = bpf64_patch_apply(&set, &insns, &len);
		if (!err) {
			bpf64_free(prog->insns);
			prog->insns = insns;
			prog->len = len;
		}
	}
	bpf64_patch_release(&set);
	return err;
}

int bpf64_rewrite_ctx(struct bpf64_prog *prog, struct bpf64_log *log)
{
	struct ctx_an an = {
		.prog = prog, .insns = prog->insns, .len = prog->len,
		.log = log,
	};
	int err = -ENOMEM;
	u32 i;

	if (!prog->ops || !prog->ops->is_valid_access || !prog->len)
		return 0;
	an.leader = bpf64_zalloc_array(an.len, sizeof(u32));
	if (!an.leader)
		return -ENOMEM;
	err = scan(&an);
	if (err)
		goto out;
	err = -ENOMEM;
	an.leader_insn = bpf64_zalloc_array(an.nr_leaders, sizeof(u32));
	an.reached = bpf64_zalloc_array(an.nr_leaders, sizeof(bool));
	an.queued = bpf64_zalloc_array(an.nr_leaders, sizeof(bool));
	an.work = bpf64_zalloc_array(an.nr_leaders, sizeof(u32));
	if (!an.leader_insn || !an.reached || !an.queued || !an.work)
		goto out;
	for (i = 0; i < an.len; i++)
		if (an.leader[i])
			an.leader_insn[an.leader[i] - 1] = i;
	do {
		an.tracked |= an.missed;
		free_states(&an);
		err = analyse(&an);
	} while (!err && an.missed);
	if (!err)
		err = rewrite(&an, prog);
out:
	free_states(&an);
	bpf64_free(an.leader);
	bpf64_free(an.leader_insn);
	bpf64_free(an.reached);
	bpf64_free(an.queued);
	bpf64_free(an.work);
	return err;
}
