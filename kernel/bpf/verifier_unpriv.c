// SPDX-License-Identifier: GPL-2.0
/*
 * The verifier for callers without privileges, as Linux decides them:
 * CAP_PERFMON (or CAP_SYS_ADMIN) lets a program leak pointers, read stack
 * it never wrote and skip the Spectre sanitation; CAP_BPF lets it load
 * any type, loop, call functions and track scalars spilled to the stack.
 * Without them a program may not turn a pointer into a number anywhere it
 * can be seen (a map, the context, a helper, its return value, a
 * comparison), may move pointers only within the object they point to,
 * and has its pointer arithmetic masked so that even a mispredicted
 * branch cannot take a pointer out of bounds (verifier_sanitize.c).
 */
#include "verifier.h"

#define UNPRIV_MAX_INSNS	4096	/* Linux's BPF_MAXINSNS */

static const char sanitize_msg[] =
	"pointer arithmetic with it prohibited for !root";

/* ---- bpf() ---- */

int bpf64_priv_prog_load(u32 prog_type, u32 insn_cnt)
{
	if (bpf64_capable(BPF64_CAP_BPF))
		return 0;
	if (bpf64_unpriv_bpf_disabled())
		return -EPERM;
	if (insn_cnt > UNPRIV_MAX_INSNS)
		return -E2BIG;
	return prog_type == BPF_PROG_TYPE_SOCKET_FILTER ||
	       prog_type == BPF_PROG_TYPE_CGROUP_SKB ? 0 : -EPERM;
}

int bpf64_priv_map_create(u32 map_type)
{
	if (bpf64_capable(BPF64_CAP_BPF))
		return 0;
	if (bpf64_unpriv_bpf_disabled())
		return -EPERM;
	switch (map_type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF:
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		return 0;
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_XSKMAP:
		return bpf64_capable(BPF64_CAP_NET_ADMIN) ? 0 : -EPERM;
	}
	return -EPERM;
}

int bpf64_priv_cmd(int cmd)
{
	switch (cmd) {
	case BPF_PROG_GET_NEXT_ID:
	case BPF_MAP_GET_NEXT_ID:
	case BPF_BTF_GET_NEXT_ID:
	case BPF_LINK_GET_NEXT_ID:
	case BPF_PROG_GET_FD_BY_ID:
	case BPF_MAP_GET_FD_BY_ID:
	case BPF_BTF_GET_FD_BY_ID:
	case BPF_LINK_GET_FD_BY_ID:
	case BPF_TASK_FD_QUERY:
	case BPF_ENABLE_STATS:
		return bpf64_capable(BPF64_CAP_SYS_ADMIN) ? 0 : -EPERM;
	}
	return 0;
}

/* ---- the verifier's privileges ---- */

int vpriv_init(struct venv *env)
{
	bool perfmon = bpf64_capable(BPF64_CAP_PERFMON);

	env->bpf_capable = bpf64_capable(BPF64_CAP_BPF);
	env->allow_ptr_leaks = perfmon;
	env->allow_uninit_stack = perfmon;
	env->bypass_spec_v1 = perfmon;
	env->bypass_spec_v4 = perfmon;
	return bpf64_priv_prog_load(env->prog->type, env->len);
}

/* ---- paths only a misprediction takes (Spectre v1) ---- */

/*
 * Without CAP_PERFMON, Linux also explores what a CPU that guessed wrong
 * would run: the branch a decided jump never takes (with the compared
 * registers unknown), and the path on which masked pointer arithmetic
 * moved nothing.  What would be unsafe there is not refused (since Linux
 * 6.17): a barrier goes before the insn, and the path ends there, as
 * every speculative path that reaches a barrier does.  Such paths never
 * make code "seen": what only they reach stays dead and is trapped.
 */
bool vpriv_spec_stop(struct venv *env, u32 idx)
{
	env->spec_log_pos = env->log ? env->log->len : 0;
	return env->cur->speculative && env->aux[idx].nospec;
}

int vpriv_spec_error(struct venv *env, int err, bool *done)
{
	struct bpf64_insn_aux *aux = &env->aux[env->insn_idx];

	if (!env->cur->speculative ||
	    (err != -EPERM && err != -EACCES && err != -EINVAL))
		return err;
	/* level 1 shows the path to the error: not what was recovered */
	if (vlog_path(env) && env->log->buf && !env->log->truncated) {
		env->log->len = env->spec_log_pos;
		env->log->buf[env->log->len] = 0;
	}
	aux->nospec = true;
	aux->alu_state = 0;	/* the barrier comes first: nothing to mask */
	*done = true;
	return 0;
}

static int spec_push(struct venv *env, u32 target, struct vreg **regs)
{
	struct vstate *other;
	int err;

	err = vpush_branch(env, target, &other);
	if (err)
		return err;
	other->speculative = true;
	*regs = other->frame[other->curframe]->regs;
	return 0;
}

int vpriv_spec_branch(struct venv *env, const struct bpf_insn *insn,
		      u32 target)
{
	struct vreg *regs;
	int err;

	if (env->bypass_spec_v1)
		return 0;
	err = spec_push(env, target, &regs);
	if (err)
		return err;
	mark_unknown(&regs[insn->dst_reg]);
	if (BPF_SRC(insn->code) == BPF_X)
		mark_unknown(&regs[insn->src_reg]);
	return 0;
}

/* ---- structure: no calls, no loops ---- */

/* Successors of @i: up to two, in Linux's DFS order (fall-through first). */
static u32 next_insns(const struct venv *env, u32 i, u32 succ[2])
{
	const struct bpf_insn *insn = &env->insns[i];
	u32 n = 0;
	s32 off;

	if (bpf64_is_jmp_class(insn->code) && BPF_OP(insn->code) == BPF_EXIT)
		return 0;
	if (!bpf64_insn_jump_offset(insn, &off) ||
	    BPF_OP(insn->code) != BPF_JA)
		succ[n++] = i + (bpf64_is_ldimm64(insn) ? 2 : 1);
	if (bpf64_insn_jump_offset(insn, &off))
		succ[n++] = i + 1 + off;
	return n;
}

static int check_calls(struct venv *env)
{
	u32 i;

	for (i = 0; i < env->len; i++) {
		const struct bpf_insn *insn = &env->insns[i];

		if ((insn->code == (BPF_JMP | BPF_CALL) &&
		     insn->src_reg == BPF_PSEUDO_CALL) ||
		    (bpf64_is_ldimm64(insn) &&
		     insn->src_reg == BPF_PSEUDO_FUNC)) {
			vlog(env, "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN\n");
			return -EPERM;
		}
	}
	return 0;
}

enum { WHITE, GREY, BLACK };

/*
 * Linux's check_cfg() without CAP_BPF: a depth-first walk from the entry
 * that finds a jump back to an instruction still on the walk's path.
 */
static int check_back_edges(struct venv *env)
{
	u32 *stack, *next, sp = 0, i, succ[2], n;
	u8 *color;
	int err = 0;

	stack = bpf64_zalloc_array(env->len, sizeof(*stack));
	next = bpf64_zalloc_array(env->len, sizeof(*next));
	color = bpf64_zalloc_array(env->len, sizeof(*color));
	if (!stack || !next || !color) {
		err = -ENOMEM;
		goto out;
	}
	stack[sp++] = 0;
	color[0] = GREY;
	while (sp && !err) {
		i = stack[sp - 1];
		n = next_insns(env, i, succ);
		if (next[i] == n) {
			color[i] = BLACK;
			sp--;
			continue;
		}
		n = succ[next[i]++];
		if (n >= env->len || color[n] == BLACK)
			continue;
		if (color[n] == GREY) {
			vlog(env, "back-edge from insn %u to %u\n", i, n);
			err = -EINVAL;
			break;
		}
		color[n] = GREY;
		stack[sp++] = n;
	}
out:
	bpf64_free(stack);
	bpf64_free(next);
	bpf64_free(color);
	return err;
}

int vpriv_check_cfg(struct venv *env)
{
	int err;

	if (env->bpf_capable)
		return 0;
	err = check_calls(env);
	return err ? err : check_back_edges(env);
}

/* ---- the stack ---- */

/*
 * Linux's allocated_stack: a frame's stack grows with the accesses of the
 * path, and without CAP_PERFMON a read below what it touched so far is
 * refused as out of bounds (frame->depth keeps it, in 8-byte slots).
 */
bool vpriv_stack_unseen(struct venv *env, const struct vreg *reg, s64 min,
			bool write)
{
	struct vframe *f = env->cur->frame[reg->frameno];

	if (!write && !env->allow_uninit_stack && min < -(s64)f->depth)
		return true;
	if (min >= -BPF64_MAX_STACK && -min > (s64)f->depth)
		f->depth = round_up((u32)-min, 8);
	return false;
}

/*
 * A helper may fill a buffer of variable size only partly: without
 * CAP_PERFMON the buffer must be initialised already, over the bounds a
 * write has (Linux turns the helper's raw mode off).
 */
int vpriv_var_size_write(struct venv *env, u32 mem_regno,
			 const struct vreg *size, bool zero_ok)
{
	const struct vreg *mem = &cur_regs(env)[mem_regno];

	if (env->allow_uninit_stack || tnum_is_const(size->var.var_off))
		return 0;
	if (mem->type == PTR_TO_STACK && bpf64_scalar_is_const(&mem->var))
		vpriv_stack_unseen(env, mem,
				   mem->off + (s64)mem->var.var_off.value,
				   true);
	return check_helper_mem(env, mem_regno, size->var.umax, false,
				zero_ok);
}

/* ---- pointers that would become visible numbers ---- */

bool vpriv_is_leak(const struct venv *env, const struct vreg *reg)
{
	return !env->allow_ptr_leaks && reg_is_ptr(reg);
}

int vpriv_leak(struct venv *env, u32 regno, const char *where)
{
	if (!vpriv_is_leak(env, &cur_regs(env)[regno]))
		return 0;
	vlog(env, "R%u leaks addr %s\n", regno, where);
	return -EACCES;
}

/* A store of @val through a pointer of @ptr_type (the stack may hold any). */
int vpriv_store(struct venv *env, u32 idx, u8 ptr_type,
		const struct vreg *val)
{
	static const char *const where[NR_VREG_TYPES] = {
		[PTR_TO_MAP_VALUE] = "into map", [PTR_TO_MEM] = "into mem",
		[PTR_TO_CTX] = "into ctx", [PTR_TO_PACKET] = "into packet",
		[PTR_TO_PACKET_META] = "into packet",
	};

	if (!val || !vpriv_is_leak(env, val) || ptr_type >= NR_VREG_TYPES ||
	    !where[ptr_type])
		return 0;
	vlog(env, "R%u leaks addr %s\n", env->insns[idx].src_reg,
	     where[ptr_type]);
	return -EACCES;
}

/*
 * A store of @size bytes at @off into @slot: a spilled pointer may not be
 * partly overwritten, and (Spectre v4) a store that replaces what was not
 * plain data, or spills a pointer, is followed by a barrier so that no
 * later load can speculatively see the old bytes.
 */
int vpriv_stack_store(struct venv *env, const struct vslot *slot, s64 off,
		      u32 size, const struct vreg *val)
{
	u32 i;
	u8 k;

	if (!env->allow_ptr_leaks && slot->kind[0] == SLOT_SPILL &&
	    slot->spilled.type != SCALAR_VALUE && size != 8) {
		vlog(env, "attempt to corrupt spilled pointer on stack\n");
		return -EACCES;
	}
	if (env->bypass_spec_v4)
		return 0;
	for (i = 0; i < size && !(val && reg_is_ptr(val)); i++) {
		k = slot->kind[(off + i + BPF64_MAX_STACK) % 8];
		if (k != SLOT_MISC && k != SLOT_ZERO)
			break;
	}
	if (i < size)
		env->aux[env->insn_idx].nospec_result = true;
	return 0;
}

/*
 * An operation that turns a pointer into a number: a 32-bit copy or sign
 * extension, NEG or END, a 32-bit subtraction, the difference of two
 * pointers.  Privileged callers get an unknown number.
 */
int vpriv_alu_ptr(struct venv *env, const struct bpf_insn *insn)
{
	u8 op = BPF_OP(insn->code);
	bool is64 = BPF_CLASS(insn->code) == BPF_ALU64;

	if (env->allow_ptr_leaks)
		return 0;
	if (op == BPF_MOV)
		vlog(env, is64 && insn->off ?
		     "R%u sign-extension part of pointer\n" :
		     "R%u partial copy of pointer\n", insn->src_reg);
	else if (op == BPF_NEG || op == BPF_END)
		vlog(env, "R%u pointer arithmetic prohibited\n", insn->dst_reg);
	else if (!is64)
		vlog(env, "R%u 32-bit pointer arithmetic prohibited\n",
		     insn->dst_reg);
	else
		vlog(env, "R%u pointer -= pointer prohibited\n", insn->dst_reg);
	return -EACCES;
}

int vpriv_cmp(struct venv *env, u32 regno)
{
	if (!vpriv_is_leak(env, &cur_regs(env)[regno]))
		return 0;
	vlog(env, "R%u pointer comparison prohibited\n", regno);
	return -EACCES;
}

/* Linux's bpf_base_func_proto() gives these only to CAP_PERFMON. */
bool vpriv_helper_ok(const struct venv *env, u32 func_id)
{
	switch (func_id) {
	case BPF_FUNC_trace_printk:
	case BPF_FUNC_probe_read_user:
	case BPF_FUNC_probe_read_kernel:
	case BPF_FUNC_probe_read_user_str:
	case BPF_FUNC_probe_read_kernel_str:
		return env->allow_ptr_leaks;
	}
	return true;
}

/* ---- pointer arithmetic under speculation (Spectre v1) ---- */

enum {
	REASON_BOUNDS = 1,
	REASON_TYPE,
	REASON_PATHS,
	REASON_LIMIT,
};

/* @ptr_in_dst: the pointer is dst ("ptr += off"), not src ("off += ptr") */
static int sanitize_err(struct venv *env, const struct bpf_insn *insn,
			int reason, bool ptr_in_dst)
{
	const char *op = BPF_OP(insn->code) == BPF_ADD ? "add" : "sub";
	u8 ptr = ptr_in_dst ? insn->dst_reg : insn->src_reg;
	u8 off = ptr_in_dst ? insn->src_reg : insn->dst_reg;

	switch (reason) {
	case REASON_BOUNDS:
		vlog(env, "R%u has unknown scalar with mixed signed bounds, %s\n",
		     off, sanitize_msg);
		break;
	case REASON_TYPE:
		vlog(env, "R%u has pointer with unsupported alu operation, %s\n",
		     ptr, sanitize_msg);
		break;
	case REASON_PATHS:
		vlog(env, "R%u tried to %s from different maps, paths or scalars, %s\n",
		     insn->dst_reg, op, sanitize_msg);
		break;
	default:
		vlog(env, "R%u tried to %s beyond pointer bounds, %s\n",
		     insn->dst_reg, op, sanitize_msg);
	}
	return -EACCES;
}

/*
 * How far @ptr may move towards its object's start (@left) or end: the
 * bytes before it on the stack, or before it or after its furthest
 * position in a map value.  Linux's retrieve_ptr_limit().
 */
static int ptr_limit(const struct vreg *ptr, bool left, u32 *limit)
{
	u32 max, lim;

	switch (ptr->type) {
	case PTR_TO_STACK:
		max = BPF64_MAX_STACK + left;
		lim = -(u32)(ptr->var.var_off.value + ptr->off);
		break;
	case PTR_TO_MAP_VALUE:
		max = ptr->map->value_size;
		lim = (u32)((left ? (u64)ptr->var.smin : ptr->var.umax) +
			    ptr->off);
		break;
	default:
		return REASON_TYPE;
	}
	if (lim >= max)
		return REASON_LIMIT;
	*limit = lim;
	return 0;
}

/* One instruction cannot be masked two ways. */
static int note_alu(struct venv *env, u8 state, u32 limit)
{
	struct bpf64_insn_aux *aux = &env->aux[env->insn_idx];

	if (aux->alu_state &&
	    (aux->alu_state != state || aux->alu_limit != limit))
		return REASON_PATHS;
	aux->alu_state = state;
	aux->alu_limit = limit;
	return 0;
}

static bool needs_sanitize(const struct venv *env, const struct bpf_insn *insn)
{
	u8 op = BPF_OP(insn->code);

	return !env->bypass_spec_v1 && BPF_SRC(insn->code) == BPF_X &&
	       (op == BPF_ADD || op == BPF_SUB);
}

/* Before "dst = ptr +/- off": how the pointer may move. */
int vpriv_ptr_alu_pre(struct venv *env, const struct bpf_insn *insn,
		      const struct vreg *ptr, const struct vreg *off,
		      struct vsanitize *san)
{
	bool neg = off->var.smin < 0, imm = tnum_is_const(off->var.var_off);
	bool add = BPF_OP(insn->code) == BPF_ADD;
	bool in_dst = ptr == &cur_regs(env)[insn->dst_reg];
	int err;

	struct vreg *regs;

	memset(san, 0, sizeof(*san));
	if (!needs_sanitize(env, insn))
		return 0;
	/* a speculative path only looks for what the masking allows */
	if (!env->cur->speculative) {
		if (!imm && neg != (off->var.smax < 0))
			return sanitize_err(env, insn, REASON_BOUNDS, in_dst);
		san->mask_to_left = add == neg;
		err = ptr_limit(ptr, san->mask_to_left, &san->alu_limit);
		if (err)
			return sanitize_err(env, insn, err, in_dst);
		san->alu_state = (neg ? BPF64_ALU_NEG_VALUE : 0) |
				 (imm ? BPF64_ALU_IMMEDIATE : 0) |
				 (in_dst ? BPF64_ALU_SANITIZE_SRC :
				  BPF64_ALU_SANITIZE_DST);
		/*
		 * Every path must reach this insn with the same mask, so a
		 * path is pruned only by an equal one from now on (Linux
		 * compares just the numbers exactly; bpf64 everything).
		 */
		env->explore_alu_limits |= !imm;
	}
	if (imm)
		return 0;	/* written in as a constant: nothing to guess */
	/* the masked offset may be 0: the pointer as it was */
	err = spec_push(env, env->insn_idx + 1, &regs);
	if (!err)
		regs[insn->dst_reg] = *ptr;
	return err;
}

/* The stack pointer a program made must stay a known slot of its frame. */
static int stack_ptr_ok(struct venv *env, u32 regno, const struct vreg *reg)
{
	s64 off = reg->off + (s64)reg->var.var_off.value;
	char tn[48];

	if (!tnum_is_const(reg->var.var_off)) {
		tnum_strn(tn, sizeof(tn), reg->var.var_off);
		vlog(env, "R%u variable stack access prohibited for !root, var_off=%s off=%d\n",
		     regno, tn, (int)off);
		return -EACCES;
	}
	if (off >= 0 || off < -BPF64_MAX_STACK) {
		vlog(env, "R%u stack pointer arithmetic goes out of range, prohibited for !root; off=%d\n",
		     regno, (int)off);
		return -EACCES;
	}
	return 0;
}

/*
 * After it, with the result in dst: the result points into its object
 * (Linux's sanitize_check_bounds), and the insn's mask is the distance
 * the pointer actually moved.
 */
int vpriv_ptr_alu_post(struct venv *env, const struct bpf_insn *insn,
		       const struct vsanitize *san)
{
	const struct vreg *dst = &cur_regs(env)[insn->dst_reg];
	u32 limit;
	s32 moved;
	int err;

	if (env->bypass_spec_v1)
		return 0;
	if (dst->type == PTR_TO_STACK &&
	    stack_ptr_ok(env, insn->dst_reg, dst))
		return -EACCES;
	if (dst->type == PTR_TO_MAP_VALUE &&
	    check_helper_mem(env, insn->dst_reg, 1, false, false)) {
		vlog(env, "R%u pointer arithmetic of map value goes out of range, prohibited for !root\n",
		     insn->dst_reg);
		return -EACCES;
	}
	if (!san->alu_state)
		return 0;
	err = ptr_limit(dst, san->mask_to_left, &limit);
	moved = san->alu_limit - limit;
	if (!err)
		err = note_alu(env, san->alu_state, moved < 0 ? -moved : moved);
	return err ? sanitize_err(env, insn, err, true) : 0;
}

/* Scalar arithmetic: the insn may not be pointer arithmetic elsewhere. */
int vpriv_scalar_alu(struct venv *env, const struct bpf_insn *insn)
{
	if (!needs_sanitize(env, insn) ||
	    !note_alu(env, BPF64_ALU_NON_POINTER, 0))
		return 0;
	return sanitize_err(env, insn, REASON_PATHS, true);
}
