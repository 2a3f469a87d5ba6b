// SPDX-License-Identifier: GPL-2.0
/*
 * The verifier's memory checks: every load, store and atomic against the
 * region its pointer may reach (stack, map value, context, packet, ringbuf
 * record), with fixed and variable offsets; stack slots keep spilled
 * registers; helper arguments that point to memory (check_helper_mem).
 */
#include "verifier.h"

#define MAX_VAR_OFF	(1 << 29)

/* What an access does (for the messages), and whether a helper does it. */
enum { ACC_READ = 0, ACC_WRITE = 1, ACC_HELPER = 2 };

static const u8 atomic_ok_sizes = (1 << (BPF_W >> 3)) | (1 << (BPF_DW >> 3));

/* A number loaded as @size bytes: its low bytes, zero-extended. */
static void truncate_to(struct vreg *reg, u32 size)
{
	struct bpf64_scalar mask;
	struct bpf_insn and = { .code = BPF_ALU64 | BPF_K | BPF_AND };

	if (size == 4) {
		bpf64_scalar_zext32(&reg->var);
	} else if (size < 4) {
		bpf64_scalar_const(&mask, (1ULL << (size * 8)) - 1);
		bpf64_scalar_alu(&reg->var, &mask, &and);
	}
}

/* An unknown number of @size bytes, zero-extended. */
static void mark_unknown_size(struct vreg *reg, u32 size)
{
	mark_unknown(reg);
	bpf64_scalar_unknown_bytes(&reg->var, size);
}

/* ---- the stack ---- */

static struct vframe *stack_frame(struct venv *env, const struct vreg *reg)
{
	return env->cur->frame[reg->frameno];
}

static void note_depth(struct venv *env, const struct vreg *reg, s64 off)
{
	struct vframe *f = stack_frame(env, reg);
	u32 sp = f->subprog;

	if ((u32)-off > env->subprog[sp].stack_depth)
		env->subprog[sp].stack_depth = -off;
}

static const char *const acc_extra[] = {
	[ACC_READ] = " read from", [ACC_WRITE] = " write to",
};

/*
 * Linux: a variable offset below the stack is -EACCES, past the frame
 * pointer -EINVAL (a constant one is -EACCES either way).
 */
static int stack_range_err(s64 min)
{
	return min < -BPF64_MAX_STACK ? -EACCES : -EINVAL;
}

static int check_stack_range(struct venv *env, u32 regno,
			     const struct vreg *reg, s32 insn_off, s32 size,
			     int acc, s64 *minp, s64 *maxp)
{
	const struct bpf64_scalar *v = &reg->var;
	s64 off = (s64)reg->off + insn_off;
	bool unseen;
	char tn[48];

	if (bpf64_scalar_is_const(v)) {
		*minp = *maxp = off + (s64)v->var_off.value;
		unseen = vpriv_stack_unseen(env, reg, *minp, acc & ACC_WRITE);
		if (*minp < -BPF64_MAX_STACK || *maxp + size > 0 || size < 0 ||
		    unseen) {
			vlog(env, "invalid%s stack R%u off=%lld size=%d\n",
			     acc_extra[acc & ACC_WRITE], regno,
			     (long long)*minp, size);
			return acc & ACC_HELPER && !unseen ?
			       stack_range_err(*minp) : -EACCES;
		}
		return 0;
	}
	if (v->smax >= MAX_VAR_OFF || v->smin <= -MAX_VAR_OFF) {
		vlog(env, "invalid unbounded variable-offset%s stack R%u\n",
		     acc_extra[acc & ACC_WRITE], regno);
		return -EACCES;
	}
	*minp = off + v->smin;
	*maxp = off + v->smax;
	unseen = vpriv_stack_unseen(env, reg, *minp, acc & ACC_WRITE);
	if (*minp < -BPF64_MAX_STACK || *maxp + size > 0 || size < 0 ||
	    unseen) {
		tnum_strn(tn, sizeof(tn), v->var_off);
		vlog(env, "invalid variable-offset%s stack R%u var_off=%s off=%d size=%d\n",
		     acc_extra[acc & ACC_WRITE], regno, tn, (int)off, size);
		return unseen ? -EACCES : stack_range_err(*minp);
	}
	return 0;
}

/*
 * The lowest and highest start offsets of an access from @reg into its
 * frame's stack, both inside the stack with @size bytes, or an error.
 * The frame then has room for the slots the access reaches.
 */
static int stack_range(struct venv *env, u32 regno, const struct vreg *reg,
		       s32 insn_off, s32 size, int acc, s64 *minp, s64 *maxp)
{
	int err = check_stack_range(env, regno, reg, insn_off, size, acc,
				    minp, maxp);

	return err ? err : vframe_reserve(stack_frame(env, reg),
					  (-*minp + 7) / 8);
}

static struct vslot *slot_at(struct vframe *f, s64 off)
{
	u32 i = (-off - 1) / 8;

	f->nslots = max(f->nslots, i + 1);
	return &f->stack[i];
}

static u8 *byte_kind(struct vframe *f, s64 off)
{
	return &slot_at(f, off)->kind[(off + BPF64_MAX_STACK) % 8];
}

/* Bytes [off, off + size) become @kind; a spill they touch is gone. */
static void stack_mark(struct vframe *f, s64 off, u32 size, u8 kind)
{
	u32 i, j;

	for (i = 0; i < size; i++) {
		struct vslot *s = slot_at(f, off + i);

		if (s->kind[0] == SLOT_SPILL) {
			for (j = 0; j < 8; j++)
				s->kind[j] = SLOT_MISC;
			mark_not_init(&s->spilled);
		}
		*byte_kind(f, off + i) = kind;
	}
}

/*
 * A write somewhere in [min, max + size): no byte is known written, so
 * never-written bytes stay so; the others and any spill become MISC.
 */
static void stack_write_var(struct vframe *f, s64 min, s64 max, u32 size)
{
	s64 o;

	for (o = min; o < max + size; o++) {
		u8 *k = byte_kind(f, o);

		if (slot_at(f, o)->kind[0] == SLOT_SPILL)
			stack_mark(f, o, 1, SLOT_MISC);
		else if (*k != SLOT_INVALID)
			*k = SLOT_MISC;
	}
}

/* Every byte of [min, max + size) was written. */
static int stack_init_check(struct venv *env, u32 regno,
			    const struct vreg *reg, s64 min, s64 max,
			    u32 size, bool helper)
{
	struct vframe *f = stack_frame(env, reg);
	char tn[48];
	s64 o;

	mark_stack_read(env, reg->frameno, min, max + size);
	for (o = min; o < max + size; o++) {
		const struct vslot *s = slot_at(f, o);

		/* unprivileged: no helper sees a spilled pointer's bits */
		if (s->kind[0] == SLOT_SPILL ?
		    !(helper && vpriv_is_leak(env, &s->spilled)) :
		    *byte_kind(f, o) != SLOT_INVALID)
			continue;
		if (env->allow_uninit_stack) {
			env->read_uninit_stack = true;
			continue;
		}
		/* Linux 6.18 names no register for insns, no "indirect" */
		if (min == max && !helper) {
			vlog(env, "invalid read from stack off %lld+%lld size %u\n",
			     (long long)min, (long long)(o - min), size);
		} else if (min == max) {
			vlog(env, "invalid read from stack R%u off %lld+%lld size %u\n",
			     regno, (long long)min, (long long)(o - min), size);
		} else {
			tnum_strn(tn, sizeof(tn), reg->var.var_off);
			vlog(env, "invalid read from stack R%u var_off %s+%lld size %u\n",
			     regno, tn, (long long)(o - min), size);
		}
		return -EACCES;
	}
	return 0;
}

/* Bytes of the slot, from its start, that hold a spilled register. */
static u32 spill_size(const struct vslot *s)
{
	u32 n = 0;

	while (n < 8 && s->kind[n] == SLOT_SPILL)
		n++;
	return n;
}

/*
 * A register stored at the start of a slot (a pointer: all 8 bytes).  As
 * Linux, a number keeps its state when stored in fewer bytes too: a load
 * of at most that many bytes from there gets it back, truncated.  The
 * slot's other bytes hold something.
 */
static void spill(struct venv *env, struct vframe *f, s64 off, u32 size,
		  struct vreg *val)
{
	struct vslot *s = slot_at(f, off);
	bool fits = size == 8 || !(val->var.umax >> (size * 8));
	u32 i;

	if (s->kind[0] == SLOT_SPILL)
		stack_mark(f, off, 8, SLOT_MISC);
	for (i = 0; i < 8; i++) {
		if (i < size)
			s->kind[i] = SLOT_SPILL;
		else if (s->kind[i] == SLOT_INVALID)
			s->kind[i] = SLOT_MISC;
	}
	/*
	 * The stored number stays linked to the register (Linux 6.18: a
	 * load of it then teaches the register), unless it does not fit.
	 */
	if (fits)
		link_before_copy(env, val);
	s->spilled = *val;
	if (!fits) {
		s->spilled.id = 0;
		s->spilled.off = 0;
	}
}

static int stack_write(struct venv *env, u32 regno, s32 insn_off, u32 size,
		       struct vreg *val)
{
	struct vreg *reg = &cur_regs(env)[regno];
	struct vframe *f = stack_frame(env, reg);
	s64 off, max;
	int err;

	err = stack_range(env, regno, reg, insn_off, size, ACC_WRITE, &off,
			  &max);
	if (err)
		return err;
	note_depth(env, reg, off);
	if (off == max) {
		err = vpriv_stack_store(env, slot_at(f, off), off, size, val);
		if (err)
			return err;
	}
	if (val && reg_is_ptr(val) && size != 8) {
		vlog(env, "invalid size of register spill\n");
		return -EACCES;
	}
	if (val && val->type == PTR_TO_STACK && f != cur_frame(env)) {
		vlog(env, "cannot spill pointers to stack into stack frame of the caller\n");
		return -EINVAL;
	}
	if (off != max) {
		stack_write_var(f, off, max, size);
		return 0;
	}
	mark_stack_written(env, reg->frameno, off, size);
	/* without CAP_BPF, Linux keeps no number spilled */
	if (!(off % 8) && val &&
	    (val->type != SCALAR_VALUE || env->bpf_capable)) {
		spill(env, f, off, size, val);
		note_stack_slot(env, reg->frameno, off);
		return 0;
	}
	if (val && val->type == SCALAR_VALUE &&
	    bpf64_scalar_is_const(&val->var) && !val->var.var_off.value) {
		/* zero bytes record what the register held: it matters */
		if (BPF_CLASS(env->insns[env->insn_idx].code) == BPF_STX)
			mark_precise(env, env->insns[env->insn_idx].src_reg);
		stack_mark(f, off, size, SLOT_ZERO);
	} else {
		stack_mark(f, off, size, SLOT_MISC);
	}
	return 0;
}

/* As Linux: bytes all known zero, or all of a spilled zero. */
static bool reads_zero(struct vframe *f, s64 off, u32 size)
{
	const struct vreg *sp = &slot_at(f, off)->spilled;
	u32 i, zeros = 0, spilled = 0;

	for (i = 0; i < size; i++) {
		zeros += *byte_kind(f, off + i) == SLOT_ZERO;
		spilled += *byte_kind(f, off + i) == SLOT_SPILL;
	}
	return zeros == size ||
	       (spilled == size && sp->type == SCALAR_VALUE &&
		bpf64_scalar_is_const(&sp->var) && !sp->var.var_off.value);
}

static int stack_read(struct venv *env, u32 regno, s32 insn_off, u32 size,
		      struct vreg *dst)
{
	struct vreg *reg = &cur_regs(env)[regno];
	struct vframe *f = stack_frame(env, reg);
	struct vslot *s;
	s64 off, max;
	int err;

	err = stack_range(env, regno, reg, insn_off, size, ACC_READ, &off,
			  &max);
	if (!err)
		err = stack_init_check(env, regno, reg, off, max, size, false);
	if (err)
		return err;
	note_depth(env, reg, off);	/* root may read what was never written */
	s = slot_at(f, off);
	if (off == max && spill_size(s) == 8 && size == 8 && !(off % 8)) {
		if (dst)
			*dst = s->spilled;
		note_stack_slot(env, reg->frameno, off);
		if (dst || !vpriv_is_leak(env, &s->spilled))
			return 0;
		/* an atomic would use a pointer as a number */
		vlog(env, "leaking pointer from stack off %lld\n",
		     (long long)off);
		return -EACCES;
	}
	if (off == max && s->kind[0] == SLOT_SPILL && reg_is_ptr(&s->spilled)) {
		vlog(env, "invalid size of register fill\n");
		return -EACCES;
	}
	/*
	 * The low bytes of a spilled number: it, truncated (Linux too), and
	 * still linked to its copies if it fits.
	 */
	if (off == max && size <= spill_size(s) && !(off % 8)) {
		note_stack_slot(env, reg->frameno, off);
		if (dst) {
			*dst = s->spilled;
			if (size < 8 && dst->var.umax >> (size * 8)) {
				dst->id = 0;
				dst->off = 0;
			}
			truncate_to(dst, size);
		}
		return 0;
	}
	if (!dst)
		return 0;
	if (off == max && reads_zero(f, off, size)) {
		/* a spilled zero's bytes: what the register held matters */
		if (s->kind[0] == SLOT_SPILL)
			note_stack_slot(env, reg->frameno, off);
		mark_const(dst, 0);
	} else {
		mark_unknown_size(dst, size);
	}
	return 0;
}

/* ---- regions with bounds: map values, records, packets ---- */

static void region_msg(struct venv *env, u32 regno, const struct vreg *reg,
		       s64 off, s32 size, u32 mem)
{
	switch (reg->type) {
	case PTR_TO_MAP_VALUE:
		vlog(env, "invalid access to map value, value_size=%u off=%lld size=%d\n",
		     mem, (long long)off, size);
		break;
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
		vlog(env, "invalid access to packet, off=%lld size=%d, R%u(id=%u,off=%d,r=%u)\n",
		     (long long)off, size, regno, reg->id, (int)off, mem);
		break;
	default:
		vlog(env, "invalid access to memory, mem_size=%u off=%lld size=%d\n",
		     mem, (long long)off, size);
	}
}

/* [off + var, off + var + size) inside [0, mem) for every var. */
static int region_access(struct venv *env, u32 regno, const struct vreg *reg,
			 s32 insn_off, s32 size, u32 mem, bool zero_ok)
{
	s64 off = (s64)insn_off + reg->off;
	const struct bpf64_scalar *v = &reg->var;
	bool size_ok = size > 0 || (!size && zero_ok);

	if (v->smin < 0 && (v->smin == VS64_MIN || off + v->smin < 0)) {
		vlog(env, "R%u min value is negative, either use unsigned index or do a if (index >=0) check.\n",
		     regno);
		return -EACCES;
	}
	if (!size_ok || off + v->smin < 0 ||
	    off + v->smin + size > (s64)mem) {
		region_msg(env, regno, reg, off + v->smin, size, mem);
		vlog(env, "R%u min value is outside of the allowed memory range\n",
		     regno);
		return -EACCES;
	}
	if (v->umax >= MAX_VAR_OFF) {
		vlog(env, "R%u unbounded memory access, make sure to bounds check any such access\n",
		     regno);
		return -EACCES;
	}
	if (off + (s64)v->umax + size > (s64)mem) {
		region_msg(env, regno, reg, off + v->umax, size, mem);
		vlog(env, "R%u max value is outside of the allowed memory range\n",
		     regno);
		return -EACCES;
	}
	return 0;
}

/*
 * A packet range is proven for the pointer with its variable part (all
 * copies with the same id share it): only the fixed offset is checked.
 */
static int pkt_access(struct venv *env, u32 regno, const struct vreg *reg,
		      s32 insn_off, s32 size, bool zero_ok)
{
	s64 off = (s64)insn_off + reg->off;

	if (reg->var.smin < 0) {
		vlog(env, "R%u min value is negative, either use unsigned index or do a if (index >=0) check.\n",
		     regno);
		return -EACCES;
	}
	if (off >= 0 && (size > 0 || (!size && zero_ok)) &&
	    off + size <= reg->range)
		return 0;
	region_msg(env, regno, reg, off, size, reg->range);
	vlog(env, "R%u offset is outside of the packet\n", regno);
	return -EACCES;
}

static bool pkt_writable(const struct venv *env)
{
	switch (env->prog->type) {
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_XDP:
		return true;
	}
	return false;
}

/* ---- the context ---- */

static int ctx_access(struct venv *env, u32 regno, const struct vreg *reg,
		      s32 insn_off, u32 size, bool write, u32 idx,
		      struct vreg *dst)
{
	struct bpf64_ctx_access info = { };
	const struct bpf64_prog_ops *ops = env->prog->ops;
	s32 off = insn_off + reg->off;

	if (reg->off) {
		vlog(env, "dereference of modified ctx ptr R%u off=%d disallowed\n",
		     regno, reg->off);
		return -EACCES;
	}
	if (!bpf64_scalar_is_const(&reg->var) || reg->var.var_off.value) {
		char tn[48];

		tnum_strn(tn, sizeof(tn), reg->var.var_off);
		vlog(env, "variable ctx access var_off=%s disallowed\n", tn);
		return -EACCES;
	}
	if (!ops->is_valid_access ||
	    !ops->is_valid_access(off, size, write, env->prog, &info) ||
	    (BPF_MODE(env->insns[idx].code) == BPF_MEMSX && info.reg_type)) {
		vlog(env, "invalid bpf_context access off=%d size=%u\n", off,
		     size);
		return -EACCES;
	}
	env->aux[idx].ctx = info;
	if (env->prog->max_ctx_offset < (u32)off + size)
		env->prog->max_ctx_offset = off + size;
	if (!dst)
		return 0;
	switch (info.reg_type) {
	case BPF64_PTR_TO_PACKET:
	case BPF64_PTR_TO_PACKET_META:
	case BPF64_PTR_TO_PACKET_END:
		mark_const(dst, 0);
		dst->type = info.reg_type == BPF64_PTR_TO_PACKET ?
			    PTR_TO_PACKET : info.reg_type ==
			    BPF64_PTR_TO_PACKET_META ? PTR_TO_PACKET_META :
			    PTR_TO_PACKET_END;
		break;
	default:
		mark_unknown_size(dst, size);
	}
	return 0;
}

/*
 * Root may read the map object (Linux: its struct, bpf_array, bpf_htab...,
 * through BTF, which the messages name).  Here it is struct bpf64_map, and
 * every field reads as a number: Linux's pointer fields (ops,
 * inner_map_meta) give typed BTF pointers that bpf64 has no types for.
 */
static const char *map_struct_name(u32 map_type)
{
	switch (map_type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		return "bpf_array";
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return "bpf_htab";
	case BPF_MAP_TYPE_LPM_TRIE:
		return "lpm_trie";
	case BPF_MAP_TYPE_RINGBUF:
		return "bpf_ringbuf_map";
	}
	return "bpf_map";
}

static int map_ptr_access(struct venv *env, u32 regno, s32 off, u32 size,
			  bool write, struct vreg *dst)
{
	const char *name =
		map_struct_name(cur_regs(env)[regno].map->map_type);

	if (!env->allow_ptr_leaks) {
		vlog(env, "'struct %s' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN\n",
		     name);
		return -EACCES;
	}
	if (off < 0) {
		vlog(env, "R%u is %s invalid negative access: off=%d\n", regno,
		     name, off);
		return -EACCES;
	}
	if (write) {
		vlog(env, "only read from %s is supported\n", name);
		return -EACCES;
	}
	if ((u32)off + size > sizeof(struct bpf64_map)) {
		vlog(env, "access beyond struct %s at off %u size %u\n", name,
		     off, size);
		return -EACCES;
	}
	if (dst)
		mark_unknown_size(dst, size);
	return 0;
}

static u8 mem_kind_of(u8 type)
{
	switch (type) {
	case PTR_TO_CTX: return BPF64_MEM_CTX;
	case PTR_TO_STACK: return BPF64_MEM_STACK;
	case PTR_TO_MAP_VALUE: return BPF64_MEM_MAP_VALUE;
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META: return BPF64_MEM_PACKET;
	case PTR_TO_MEM: return BPF64_MEM_ALLOC;
	}
	return BPF64_MEM_NONE;
}

/*
 * Stack accesses are always aligned (spill tracking relies on it), the
 * rest only for atomics, as Linux's check_ptr_alignment without
 * BPF_F_STRICT_ALIGNMENT.
 */
static int check_alignment(struct venv *env, const struct vreg *reg,
			   s32 insn_off, u32 size, bool strict)
{
	struct tnum t;
	char tn[48];

	strict |= reg->type == PTR_TO_STACK;
	if (!strict || size == 1)
		return 0;
	t = tnum_add(reg->var.var_off, tnum_const((s64)reg->off + insn_off));
	if (tnum_is_aligned(t, size))
		return 0;
	/* Linux 6.18 prints a constant variable part as its number */
	if (tnum_is_const(reg->var.var_off))
		snprintf(tn, sizeof(tn), "%lld",
			 (long long)reg->var.var_off.value);
	else
		tnum_strn(tn, sizeof(tn), reg->var.var_off);
	vlog(env, "misaligned %saccess off %s+%d+%d size %u\n",
	     reg->type == PTR_TO_STACK ? "stack " :
	     reg->type == PTR_TO_CTX ? "context " :
	     reg->type == PTR_TO_MAP_VALUE ? "value " :
	     reg_is_pkt(reg) ? "packet " : "", tn, reg->off, insn_off, size);
	return -EACCES;
}

/* Linux refuses one insn reaching the context and something else. */
static int note_kind(struct venv *env, u32 idx, u8 type)
{
	u8 k = mem_kind_of(type), *prev = &env->aux[idx].mem_kind;

	if (*prev != BPF64_MEM_NONE && *prev != k &&
	    (*prev == BPF64_MEM_CTX || k == BPF64_MEM_CTX)) {
		vlog(env, "same insn cannot be used with different pointers\n");
		return -EINVAL;
	}
	*prev = k;
	return 0;
}

/*
 * One access of @size bytes at insn_off from register @regno; @val is
 * what a store writes (NULL: an immediate or unknown), @dst where a load
 * goes (NULL: none).
 */
static int mem_access(struct venv *env, u32 idx, u32 regno, s32 insn_off,
		      u32 size, bool write, struct vreg *val,
		      struct vreg *dst)
{
	struct vreg *reg = &cur_regs(env)[regno];
	u32 mem;
	int err;

	err = note_kind(env, idx, reg->type);
	if (!err)
		err = check_alignment(env, reg, insn_off, size,
				      BPF_MODE(env->insns[idx].code) ==
				      BPF_ATOMIC);
	if (!err)
		err = vpriv_store(env, idx, reg->type, write ? val : NULL);
	if (err)
		return err;
	switch (reg->type) {
	case PTR_TO_STACK:
		return write ? stack_write(env, regno, insn_off, size, val) :
			       stack_read(env, regno, insn_off, size, dst);
	case PTR_TO_CTX:
		return ctx_access(env, regno, reg, insn_off, size, write, idx,
				  dst);
	case PTR_TO_MAP_VALUE:
		mem = reg->map->value_size;
		if (reg->map->map_flags &
		    (write ? BPF_F_RDONLY_PROG : BPF_F_WRONLY_PROG)) {
			vlog(env, "%s map forbidden, value_size=%u off=%d size=%u\n",
			     write ? "write into" : "read from", mem,
			     insn_off + reg->off, size);
			return -EACCES;
		}
		break;
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
		if (write && !pkt_writable(env)) {
			vlog(env, "cannot write into packet\n");
			return -EACCES;
		}
		err = pkt_access(env, regno, reg, insn_off, size, false);
		if (!err && dst)
			mark_unknown_size(dst, size);
		return err;
	case PTR_TO_MEM:
		mem = reg->range;
		break;
	case CONST_PTR_TO_MAP:
		return map_ptr_access(env, regno, insn_off, size, write, dst);
	default:
		vlog(env, "R%u invalid mem access '%s'\n", regno,
		     vreg_type_str(reg->type));
		return -EACCES;
	}
	err = region_access(env, regno, reg, insn_off, size, mem, false);
	if (!err && dst)
		mark_unknown_size(dst, size);
	return err;
}

static int check_atomic(struct venv *env, const struct bpf_insn *insn,
			u32 idx)
{
	struct vreg *regs = cur_regs(env), *ptr = &regs[insn->dst_reg];
	u32 size = bpf64_size_bytes(insn->code);
	u32 fetch_reg = insn->imm == BPF_CMPXCHG ? BPF_REG_0 : insn->src_reg;
	int err;

	if (!(atomic_ok_sizes & (1 << (BPF_SIZE(insn->code) >> 3)))) {
		vlog(env, "invalid atomic operand size\n");
		return -EINVAL;
	}
	err = check_reg_read(env, insn->src_reg);
	if (!err)
		err = check_reg_read(env, insn->dst_reg);
	if (!err && insn->imm == BPF_CMPXCHG)
		err = check_reg_read(env, BPF_REG_0);
	if (!err && insn->imm == BPF_CMPXCHG)
		err = vpriv_leak(env, BPF_REG_0, "into mem");
	if (!err)
		err = vpriv_leak(env, insn->src_reg, "into mem");
	if (err)
		return err;
	if (ptr->type == PTR_TO_CTX || reg_is_pkt(ptr)) {
		vlog(env, "BPF_ATOMIC stores into R%u %s is not allowed\n",
		     insn->dst_reg, vreg_type_str(ptr->type));
		return -EACCES;
	}
	err = mem_access(env, idx, insn->dst_reg, insn->off, size, false,
			 NULL, NULL);
	if (!err)
		err = mem_access(env, idx, insn->dst_reg, insn->off, size,
				 true, NULL, NULL);
	if (err || !(insn->imm & BPF_FETCH))
		return err;
	err = check_reg_write(env, fetch_reg);
	if (!err)
		mark_unknown_size(&regs[fetch_reg], size);
	return err;
}

/*
 * A sign-extending load: the number loaded, its low @size bytes
 * sign-extended as Linux's coerce_reg_to_size_sx does (a filled constant
 * stays one), a number of its own.
 */
static void sign_extend(struct vreg *reg, u32 size)
{
	const struct bpf_insn movsx = {
		.code = BPF_ALU64 | BPF_MOV | BPF_X, .off = size * 8,
	};
	struct bpf64_scalar v = reg->var;

	if (reg->type != SCALAR_VALUE || size >= 8) {
		mark_unknown(reg);
		return;
	}
	mark_unknown(reg);
	bpf64_scalar_alu(&reg->var, &v, &movsx);
}

int check_mem_insn(struct venv *env, const struct bpf_insn *insn, u32 idx)
{
	struct vreg *regs = cur_regs(env), val, loaded;
	u32 size = bpf64_size_bytes(insn->code);
	int err;

	switch (BPF_CLASS(insn->code)) {
	case BPF_LDX:
		err = check_reg_read(env, insn->src_reg);
		if (!err)
			err = check_reg_write(env, insn->dst_reg);
		if (!err)
			err = mem_access(env, idx, insn->src_reg, insn->off,
					 size, false, NULL, &loaded);
		if (err)
			return err;
		if (BPF_MODE(insn->code) == BPF_MEMSX)
			sign_extend(&loaded, size);
		regs[insn->dst_reg] = loaded;
		return 0;
	case BPF_STX:
		if (BPF_MODE(insn->code) == BPF_ATOMIC)
			return check_atomic(env, insn, idx);
		err = check_reg_read(env, insn->src_reg);
		if (!err)
			err = check_reg_read(env, insn->dst_reg);
		if (err)
			return err;
		/* the register itself: a spill may link it to the slot */
		return mem_access(env, idx, insn->dst_reg, insn->off, size,
				  true, &regs[insn->src_reg], NULL);
	default:	/* BPF_ST */
		err = check_reg_read(env, insn->dst_reg);
		if (err)
			return err;
		mark_const(&val, (u64)(s64)insn->imm);
		return mem_access(env, idx, insn->dst_reg, insn->off, size,
				  true, &val, NULL);
	}
}

/* ---- helper arguments ---- */

static int stack_helper(struct venv *env, u32 regno, const struct vreg *reg,
			s32 size, bool write)
{
	struct vframe *f = stack_frame(env, reg);
	s64 off, max;
	int err;

	if (!size) {
		vlog(env, "invalid zero-sized read\n");
		return -EACCES;
	}
	err = stack_range(env, regno, reg, 0, size,
			  ACC_HELPER | (write ? ACC_WRITE : ACC_READ), &off,
			  &max);
	if (err)
		return err;
	note_depth(env, reg, off);
	if (!write)
		return stack_init_check(env, regno, reg, off, max, size, true);
	if (off == max)
		stack_mark(f, off, size, SLOT_MISC);
	else
		stack_write_var(f, off, max, size);
	return 0;
}

int check_helper_mem(struct venv *env, u32 regno, s64 size, bool write,
		     bool zero_ok)
{
	struct vreg *reg = &cur_regs(env)[regno];
	u32 mem;

	if (!size && zero_ok)
		return 0;
	switch (reg->type) {
	case PTR_TO_STACK:
		return stack_helper(env, regno, reg, size, write);
	case PTR_TO_MAP_VALUE:
		if (write && (reg->map->map_flags & BPF_F_RDONLY_PROG)) {
			vlog(env, "write into map forbidden, value_size=%u off=%d size=%lld\n",
			     reg->map->value_size, reg->off, (long long)size);
			return -EACCES;
		}
		mem = reg->map->value_size;
		break;
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
		if (write && !pkt_writable(env)) {
			vlog(env, "cannot write into packet\n");
			return -EACCES;
		}
		return pkt_access(env, regno, reg, 0, size, zero_ok);
	case PTR_TO_MEM:
		mem = reg->range;
		break;
	default:
		/* (a NULL some helpers allow, with a size: as Linux says) */
		vlog(env, "R%u type=%s expected=fp\n", regno,
		     vreg_type_str(reg->type));
		return -EACCES;
	}
	return region_access(env, regno, reg, 0, size, mem, zero_ok);
}

/*
 * Linux's get_constant_map_key: the value of a @size-byte map key at
 * @key, if the stack holds a known number there: bytes all known zero, or
 * a number stored at the slot's start in exactly @size bytes.  -1: not
 * known.
 */
s64 stack_const_key(struct venv *env, const struct vreg *key, u32 size)
{
	struct vframe *f = stack_frame(env, key);
	const struct vslot *s;
	s64 off;
	u32 i;

	if (key->type != PTR_TO_STACK || !bpf64_scalar_is_const(&key->var))
		return -1;
	off = key->off + (s64)key->var.var_off.value;
	if (off >= 0 || off < -BPF64_MAX_STACK ||
	    vframe_reserve(f, (-off + 7) / 8))
		return -1;
	s = slot_at(f, off);
	/* bytes known zero from the key on, within its slot */
	for (i = 0; i < size; i++)
		if ((i && !((off + i) % 8)) ||
		    *byte_kind(f, off + i) != SLOT_ZERO)
			break;
	if (i == size)
		return 0;
	if (off % 8 || spill_size(s) != size ||
	    s->spilled.type != SCALAR_VALUE ||
	    !bpf64_scalar_is_const(&s->spilled.var))
		return -1;
	/* a constant relied on: it may not prune as any number */
	mark_precise_slot(env, key->frameno, off);
	return s->spilled.var.var_off.value;
}

/* ---- LD_ABS / LD_IND ---- */

int check_ld_abs(struct venv *env, const struct bpf_insn *insn)
{
	struct vreg *regs = cur_regs(env);
	u32 i;
	int err;

	if (!env->prog->ops->has_ld_abs) {
		vlog(env, "BPF_LD_[ABS|IND] instructions not allowed for this program type\n");
		return -EINVAL;
	}
	err = check_reference_leak(env, "BPF_LD_[ABS|IND]");
	if (!err)
		err = check_reg_read(env, BPF_REG_6);
	if (!err && BPF_MODE(insn->code) == BPF_IND)
		err = check_reg_read(env, insn->src_reg);
	if (err)
		return err;
	if (regs[BPF_REG_6].type != PTR_TO_CTX) {
		vlog(env, "at the time of BPF_LD_ABS|IND R6 != pointer to skb\n");
		return -EINVAL;
	}
	for (i = BPF_REG_1; i <= BPF_REG_5; i++)
		mark_not_init(&regs[i]);
	mark_unknown_size(&regs[BPF_REG_0], bpf64_size_bytes(insn->code));
	return 0;
}
