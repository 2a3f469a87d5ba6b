// SPDX-License-Identifier: GPL-2.0
/*
 * The verifier's calls: helper arguments checked against the helper's
 * prototype, r0 set from its return type, references acquired by ringbuf
 * reserve and released by submit or discard; bpf-to-bpf calls with a new
 * frame, and exits (back to the caller, or from the program with every
 * reference released).
 */
#include <linux/bpf64/helpers.h>
#include "verifier.h"

/* Helpers after which no packet pointer may be trusted (Linux's list). */
static bool changes_pkt_data(u32 func_id)
{
	static const u32 ids[] = {
		BPF_FUNC_clone_redirect, BPF_FUNC_l3_csum_replace,
		BPF_FUNC_l4_csum_replace, BPF_FUNC_lwt_push_encap,
		BPF_FUNC_lwt_seg6_action, BPF_FUNC_lwt_seg6_adjust_srh,
		BPF_FUNC_lwt_seg6_store_bytes, BPF_FUNC_msg_pop_data,
		BPF_FUNC_msg_pull_data, BPF_FUNC_msg_push_data,
		BPF_FUNC_skb_adjust_room, BPF_FUNC_skb_change_head,
		BPF_FUNC_skb_change_proto, BPF_FUNC_skb_change_tail,
		BPF_FUNC_skb_pull_data, BPF_FUNC_skb_store_bytes,
		BPF_FUNC_skb_vlan_pop, BPF_FUNC_skb_vlan_push,
		BPF_FUNC_store_hdr_opt, BPF_FUNC_xdp_adjust_head,
		BPF_FUNC_xdp_adjust_meta, BPF_FUNC_xdp_adjust_tail,
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		if (ids[i] == func_id)
			return true;
	return false;
}

/* Every register and spill of the state for which @match is true. */
static void for_each_reg(struct vstate *st,
			 bool (*match)(const struct vreg *, u32), u32 arg)
{
	u32 f, i;

	for (f = 0; f <= st->curframe; f++) {
		struct vframe *fr = st->frame[f];

		for (i = 0; i < BPF64_NR_REGS; i++)
			if (match(&fr->regs[i], arg))
				mark_unknown(&fr->regs[i]);
		for (i = 0; i < fr->nslots; i++)
			if (fr->stack[i].kind[0] == SLOT_SPILL &&
			    match(&fr->stack[i].spilled, arg))
				mark_unknown(&fr->stack[i].spilled);
	}
}

static bool is_pkt_any(const struct vreg *reg, u32 unused)
{
	return reg_is_pkt(reg) || reg->type == PTR_TO_PACKET_END;
}

static bool is_stack_of(const struct vreg *reg, u32 frameno)
{
	return reg->type == PTR_TO_STACK && reg->frameno == frameno;
}

static bool has_ref(const struct vreg *reg, u32 ref)
{
	return reg->ref_obj_id == ref;
}

int release_reference(struct venv *env, u32 ref)
{
	struct vstate *st = env->cur;
	u32 i;

	for (i = 0; i < st->nr_refs; i++) {
		if (st->refs[i].id == ref) {
			st->refs[i] = st->refs[--st->nr_refs];
			for_each_reg(st, has_ref, ref);
			return 0;
		}
	}
	return -EINVAL;
}

static int acquire_reference(struct venv *env, u32 insn)
{
	struct vstate *st = env->cur;

	if (st->nr_refs == MAX_REFS) {
		vlog(env, "too many references held\n");
		return -EINVAL;
	}
	st->refs[st->nr_refs].id = ++env->id_gen;
	st->refs[st->nr_refs++].insn = insn;
	return env->id_gen;
}

struct call_meta {
	struct bpf64_map *map;
	s64 const_key;		/* a map key known at load, or -1 */
	u32 mem_regno;		/* the PTR_TO_MEM argument before a size */
	bool mem_write;
	u64 alloc_size;
	u32 release_ref;
};

static int type_mismatch(struct venv *env, u32 regno, const char *expected)
{
	vlog(env, "R%u type=%s expected=%s\n", regno,
	     vreg_type_str(cur_regs(env)[regno].type), expected);
	return -EACCES;
}

static int check_size_arg(struct venv *env, u32 regno, u8 type,
			  struct call_meta *meta)
{
	const struct vreg *reg = &cur_regs(env)[regno];
	bool zero_ok = type == BPF64_ARG_CONST_SIZE_OR_ZERO;

	if (reg->type != SCALAR_VALUE)
		return type_mismatch(env, regno, "scalar");
	if (reg->var.smin < 0) {
		vlog(env, "R%u min value is negative, either use unsigned or 'var &= const'\n",
		     regno);
		return -EACCES;
	}
	if (!reg->var.umin && !zero_ok) {
		vlog(env, "R%u invalid zero-sized read: u64=[%llu,%llu]\n",
		     regno, (unsigned long long)reg->var.umin,
		     (unsigned long long)reg->var.umax);
		return -EACCES;
	}
	if (reg->var.umax >= (1 << 29)) {
		vlog(env, "R%u unbounded memory access, use 'var &= const' or 'if (var < const)'\n",
		     regno);
		return -EACCES;
	}
	mark_precise(env, regno);
	if (meta->mem_write) {
		int err = vpriv_var_size_write(env, meta->mem_regno, reg,
					       zero_ok && !reg->var.umin);

		if (err)
			return err;
	}
	return check_helper_mem(env, meta->mem_regno, reg->var.umax,
				meta->mem_write, zero_ok && !reg->var.umin);
}

/* What Linux lists for an argument that points to memory. */
static const char mem_types[] = "fp, pkt, pkt_meta, map_key, map_value, "
				"mem, ringbuf_mem, buf, trusted_ptr_";

static bool is_mem_ptr(const struct vreg *reg)
{
	return reg->type == PTR_TO_STACK || reg->type == PTR_TO_MAP_VALUE ||
	       reg_is_pkt(reg) || reg->type == PTR_TO_MEM;
}

/*
 * Linux's ARG_PTR_TO_MEM | PTR_MAYBE_NULL among the helpers bpf64 has:
 * NULL passes the type check (with a size of zero only, which the size
 * argument's check sees).
 */
static bool arg_may_be_null(u32 func_id, u32 regno)
{
	static const struct {
		u32 func_id;
		u32 regno;
	} args[] = {
		{ BPF_FUNC_csum_diff, BPF_REG_1 },
		{ BPF_FUNC_csum_diff, BPF_REG_3 },
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(args); i++)
		if (args[i].func_id == func_id && args[i].regno == regno)
			return true;
	return false;
}

static bool is_null(const struct vreg *reg)
{
	return reg->type == SCALAR_VALUE && bpf64_scalar_is_const(&reg->var) &&
	       !reg->var.var_off.value;
}

static int check_arg(struct venv *env, u32 regno, u8 type,
		     struct call_meta *meta, u32 func_id)
{
	struct vreg *reg = &cur_regs(env)[regno];
	int err;

	if (type == BPF64_ARG_DONTCARE)
		return 0;
	err = check_reg_read(env, regno);
	if (err)
		return err;
	switch (type) {
	case BPF64_ARG_CONST_MAP_PTR:
		if (reg->type != CONST_PTR_TO_MAP)
			return type_mismatch(env, regno, "map_ptr");
		meta->map = reg->map;
		return 0;
	case BPF64_ARG_PTR_TO_MAP_KEY:
	case BPF64_ARG_PTR_TO_MAP_VALUE:
		if (!is_mem_ptr(reg))
			return type_mismatch(env, regno, mem_types);
		if (!meta->map) {
			vlog(env, "invalid map_ptr to access map->%s\n",
			     type == BPF64_ARG_PTR_TO_MAP_KEY ? "key" :
			     "value");
			return -EACCES;
		}
		err = check_helper_mem(env, regno,
				       type == BPF64_ARG_PTR_TO_MAP_KEY ?
				       meta->map->key_size :
				       meta->map->value_size, false, false);
		if (!err && type == BPF64_ARG_PTR_TO_MAP_KEY)
			meta->const_key = stack_const_key(env, reg,
							  meta->map->key_size);
		return err;
	case BPF64_ARG_PTR_TO_MEM:
	case BPF64_ARG_PTR_TO_UNINIT_MEM:
		if (!is_mem_ptr(reg) && !(arg_may_be_null(func_id, regno) &&
					  is_null(reg)))
			return type_mismatch(env, regno, mem_types);
		meta->mem_regno = regno;
		meta->mem_write = type == BPF64_ARG_PTR_TO_UNINIT_MEM;
		return 0;
	case BPF64_ARG_CONST_SIZE:
	case BPF64_ARG_CONST_SIZE_OR_ZERO:
		return check_size_arg(env, regno, type, meta);
	case BPF64_ARG_PTR_TO_CTX:
		if (reg->type != PTR_TO_CTX)
			return type_mismatch(env, regno, "ctx");
		if (reg->off || !bpf64_scalar_is_const(&reg->var) ||
		    reg->var.var_off.value) {
			vlog(env, "dereference of modified ctx ptr R%u off=%d disallowed\n",
			     regno, reg->off);
			return -EACCES;
		}
		return 0;
	case BPF64_ARG_PTR_TO_ALLOC_MEM:
		if (reg->type != PTR_TO_MEM)
			return type_mismatch(env, regno, "ringbuf_mem");
		if (reg->off || !bpf64_scalar_is_const(&reg->var) ||
		    reg->var.var_off.value) {
			vlog(env, "R%u must have zero offset when passed to release func or trusted arg to kfunc\n",
			     regno);
			return -EINVAL;
		}
		if (!reg->ref_obj_id) {
			vlog(env, "R%u must be referenced when passed to release function\n",
			     regno);
			return -EINVAL;
		}
		meta->release_ref = reg->ref_obj_id;
		return 0;
	case BPF64_ARG_CONST_ALLOC_SIZE_OR_ZERO:
		if (reg->type != SCALAR_VALUE ||
		    !bpf64_scalar_is_const(&reg->var)) {
			vlog(env, "R%u is not a known constant'\n", regno);
			return -EACCES;
		}
		meta->alloc_size = reg->var.var_off.value;
		mark_precise(env, regno);
		return 0;
	default:	/* BPF64_ARG_ANYTHING */
		return vpriv_leak(env, regno, "into helper function");
	}
}

/*
 * As Linux (6.13 on, with CAP_BPF): a lookup in an array (per-CPU or
 * not) with a key known at load and below max_entries finds its element;
 * r0 needs no null check.  Only for the program's own maps: an inner
 * map's template need not have the size of the map found at run time.
 */
static bool lookup_cannot_fail(const struct venv *env,
			       const struct call_meta *meta, u32 func_id)
{
	const struct bpf64_prog *prog = env->prog;
	u32 i;

	if (!env->bpf_capable || func_id != BPF_FUNC_map_lookup_elem ||
	    meta->const_key < 0 ||
	    meta->const_key >= meta->map->max_entries ||
	    (meta->map->map_type != BPF_MAP_TYPE_ARRAY &&
	     meta->map->map_type != BPF_MAP_TYPE_PERCPU_ARRAY))
		return false;
	for (i = 0; i < prog->nr_used_maps; i++)
		if (prog->used_maps[i] == meta->map)
			return true;
	return false;
}

static int set_ret(struct venv *env, const struct bpf64_func_proto *fn,
		   struct call_meta *meta, u32 idx, u32 func_id)
{
	struct vreg *r0 = &cur_regs(env)[BPF_REG_0];
	int ref;

	switch (fn->ret_type) {
	case BPF64_RET_VOID:
		mark_not_init(r0);
		return 0;
	case BPF64_RET_PTR_TO_MAP_VALUE_OR_NULL:
		if (!meta->map) {
			vlog(env, "kernel subsystem misconfigured verifier\n");
			return -EINVAL;
		}
		mark_const(r0, 0);
		r0->map = meta->map;
		r0->type = PTR_TO_MAP_VALUE;
		if (!lookup_cannot_fail(env, meta, func_id)) {
			r0->type = PTR_TO_MAP_VALUE_OR_NULL;
			r0->id = ++env->id_gen;
		}
		return 0;
	case BPF64_RET_PTR_TO_ALLOC_MEM_OR_NULL:
		/* Linux numbers the null check, then the reference */
		++env->id_gen;
		ref = acquire_reference(env, idx);
		if (ref < 0)
			return ref;
		mark_const(r0, 0);
		r0->type = PTR_TO_MEM_OR_NULL;
		r0->range = meta->alloc_size;
		r0->id = ref;
		r0->ref_obj_id = ref;
		return 0;
	default:
		mark_unknown(r0);
		return 0;
	}
}

/* Linux pairs maps and helpers after checking every argument. */
static int check_map_func(struct venv *env, const struct call_meta *meta,
			  u32 func_id)
{
	if (!meta->map ||
	    bpf64_map_func_compatible(meta->map->map_type, func_id))
		return 0;
	if (func_id == BPF_FUNC_tail_call)
		vlog(env, "expected prog array map for tail call\n");
	else
		vlog(env, "cannot pass map_type %u into func %s#%u\n",
		     meta->map->map_type, bpf64_func_name(func_id), func_id);
	return -EINVAL;
}

int check_helper_call(struct venv *env, const struct bpf_insn *insn, u32 idx)
{
	const struct bpf64_func_proto *fn = NULL;
	const char *name = bpf64_func_name(insn->imm);
	struct call_meta meta = { .const_key = -1 };
	struct vreg *regs;
	u32 i;
	int err;

	if (name && vpriv_helper_ok(env, insn->imm))
		fn = env->prog->ops->get_func_proto(insn->imm, env->prog);
	if (!name || !fn) {
		if (name)
			vlog(env, "program of this type cannot use helper %s#%d\n",
			     name, insn->imm);
		else
			vlog(env, "invalid func unknown#%d\n", insn->imm);
		return -EINVAL;
	}
	if (fn->gpl_only && !env->prog->gpl_compatible) {
		vlog(env, "cannot call GPL-restricted function from non-GPL compatible program\n");
		return -EINVAL;
	}
	for (i = 0; i < 5; i++) {
		err = check_arg(env, BPF_REG_1 + i, fn->arg_type[i], &meta,
				insn->imm);
		if (err)
			return err;
	}
	err = check_map_func(env, &meta, insn->imm);
	if (err)
		return err;
	bpf64_aux_note_map(&env->aux[idx], meta.map);
	if (insn->imm == BPF_FUNC_tail_call) {
		err = check_reference_leak(env, "tail_call");
		if (err)
			return err;
	}
	if (meta.release_ref && release_reference(env, meta.release_ref)) {
		vlog(env, "func %s#%d reference has not been acquired before\n",
		     name, insn->imm);
		return -EINVAL;
	}
	regs = cur_regs(env);
	for (i = BPF_REG_1; i <= BPF_REG_5; i++)
		mark_not_init(&regs[i]);
	err = set_ret(env, fn, &meta, idx, insn->imm);
	if (!err && changes_pkt_data(insn->imm))
		for_each_reg(env->cur, is_pkt_any, 0);
	return err;
}

/* ---- bpf-to-bpf calls ---- */

static bool is_ld_abs(const struct bpf_insn *insn)
{
	return BPF_CLASS(insn->code) == BPF_LD &&
	       (BPF_MODE(insn->code) == BPF_ABS ||
		BPF_MODE(insn->code) == BPF_IND);
}

static bool is_tail_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && !insn->src_reg &&
	       insn->imm == BPF_FUNC_tail_call;
}

/*
 * Linux's check_abnormal_return: without BTF (bpf64 has none) a
 * subprogram other than the main one may not use LD_ABS nor tail calls,
 * which leave the program from inside it.  Checked before the walk.
 */
int check_subprog_exits(struct venv *env)
{
	u32 i = env->nr_subprogs > 1 ? env->subprog[1].start : env->len;

	for (; i < env->len; i++) {
		if (is_ld_abs(&env->insns[i])) {
			vlog(env, "LD_ABS is not allowed in subprogs without BTF\n");
			return -EINVAL;
		}
		if (is_tail_call(&env->insns[i])) {
			vlog(env, "tail_call is not allowed in subprogs without BTF\n");
			return -EINVAL;
		}
	}
	return 0;
}

int check_local_call(struct venv *env, const struct bpf_insn *insn,
		     u32 *insn_idx)
{
	struct vstate *st = env->cur;
	u32 target = *insn_idx + insn->imm + 1, i;
	struct vframe *caller = cur_frame(env), *callee;

	if (st->curframe + 1 >= BPF64_MAX_CALL_FRAMES) {
		vlog(env, "the call stack of %u frames is too deep\n",
		     st->curframe + 2);
		return -E2BIG;
	}
	callee = vframe_new(env);
	if (!callee)
		return -ENOMEM;
	for (i = 0; i < BPF64_NR_REGS; i++)
		mark_not_init(&callee->regs[i]);
	for (i = BPF_REG_1; i <= BPF_REG_5; i++)
		callee->regs[i] = caller->regs[i];
	callee->regs[BPF64_REG_FP].type = PTR_TO_STACK;
	callee->regs[BPF64_REG_FP].frameno = st->curframe + 1;
	bpf64_scalar_const(&callee->regs[BPF64_REG_FP].var, 0);
	callee->callsite = *insn_idx;
	callee->fid = ++env->fid_gen;
	callee->subprog = vsubprog_of(env, target);
	st->frame[++st->curframe] = callee;
	*insn_idx = target;
	return 0;
}

/* Every reference still held, then what would leak them (Linux's log). */
int check_reference_leak(struct venv *env, const char *what)
{
	const struct vstate *st = env->cur;
	u32 i;

	if (!st->nr_refs)
		return 0;
	for (i = 0; i < st->nr_refs; i++)
		vlog(env, "Unreleased reference id=%u alloc_insn=%u\n",
		     st->refs[i].id, st->refs[i].insn);
	vlog(env, "%s would lead to reference leak\n", what);
	return -EINVAL;
}

int check_exit(struct venv *env, u32 *insn_idx, bool *done)
{
	struct vstate *st = env->cur;
	struct vframe *callee = cur_frame(env), *caller;
	struct vreg *r0 = &callee->regs[BPF_REG_0];
	u32 i;
	int err;

	if (!st->curframe) {
		/* Linux looks for leaks first */
		err = check_reference_leak(env,
					   "BPF_EXIT instruction in main prog");
		if (!err)
			err = check_reg_read(env, BPF_REG_0);
		if (!err)
			err = vpriv_leak(env, BPF_REG_0, "as return value");
		*done = !err;
		return err;
	}
	/* a subprogram returns r0 as it is, even unset (void functions) */
	if (r0->type == PTR_TO_STACK && r0->frameno == st->curframe) {
		vlog(env, "cannot return stack pointer to the caller\n");
		return -EINVAL;
	}
	caller = st->frame[st->curframe - 1];
	caller->regs[BPF_REG_0] = *r0;
	/* pointers into the frame that goes away are numbers now */
	for_each_reg(st, is_stack_of, st->curframe);
	for (i = BPF_REG_1; i <= BPF_REG_5; i++)
		mark_not_init(&caller->regs[i]);
	*insn_idx = callee->callsite + 1;
	vframe_put(env, callee);
	st->frame[st->curframe--] = NULL;
	return 0;
}
