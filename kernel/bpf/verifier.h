/* SPDX-License-Identifier: GPL-2.0 */
/* The verifier's internal state, shared by kernel/bpf/verifier*.c. */
#ifndef _KERNEL_BPF_VERIFIER_H
#define _KERNEL_BPF_VERIFIER_H

#include <linux/bpf64/verifier.h>
#include <linux/bpf64/insn.h>
#include <linux/bpf64/map.h>
#include <linux/bpf64/scalar.h>

/* log_level bits, as Linux's BPF_LOG_LEVEL1, _LEVEL2 and _STATS */
#define VLOG_LEVEL1	1
#define VLOG_LEVEL2	2
#define VLOG_STATS	4

#define VS64_MIN	((s64)(-0x7fffffffffffffffLL - 1))
#define NR_SLOTS		(BPF64_MAX_STACK / 8)
#define MAX_REFS		32
#define MAX_STATES_PER_INSN	64	/* kept for pruning at one insn */

enum vreg_type {
	NOT_INIT = 0,
	SCALAR_VALUE,
	PTR_TO_CTX,
	CONST_PTR_TO_MAP,
	PTR_TO_MAP_VALUE,
	PTR_TO_MAP_VALUE_OR_NULL,
	PTR_TO_STACK,
	PTR_TO_PACKET_META,
	PTR_TO_PACKET,
	PTR_TO_PACKET_END,
	PTR_TO_MEM,
	PTR_TO_MEM_OR_NULL,
	NR_VREG_TYPES,
};

/*
 * A register: its type, and for pointers a fixed offset plus a variable
 * part (var; for scalars var is the value).  id ties copies together for
 * null checks and packet ranges; ref_obj_id names an acquired reference.
 */
struct vreg {
	u8 type;
	u8 frameno;		/* PTR_TO_STACK: whose stack */
	s32 off;
	u32 id;
	u32 ref_obj_id;
	u32 range;		/* packet: bytes proven readable; mem: size */
	struct bpf64_map *map;	/* map pointer and map value */
	struct bpf64_scalar var;
	/*
	 * In a stored state, a scalar whose value some path from there
	 * relied on (verifier_precise.c); the others prune as any number.
	 */
	bool precise;
};

enum slot_kind {
	SLOT_INVALID = 0,	/* never written */
	SLOT_MISC,		/* some bytes */
	SLOT_ZERO,		/* known zero */
	SLOT_SPILL,		/* a spilled register (8 bytes) */
};

struct vslot {
	u8 kind[8];		/* per byte */
	struct vreg spilled;	/* SLOT_SPILL */
};

struct vframe {
	u32 callsite;		/* insn of the call that made this frame */
	u32 subprog;
	u32 depth;		/* stack the path touched (allocated_stack) */
	/* stack slot liveness (verifier_live.c), one bit per slot */
	u32 fid;		/* which frame: unique per call */
	u64 written;		/* slots written whole since the checkpoint */
	u64 read;		/* stored state: slots read before written */
	/* slots from nslots on were never touched: all zero (copies skip) */
	u32 nslots;
	/*
	 * The slots, slot i at fp - 8 * (i + 1), as many as the path's
	 * accesses reached (vframe_reserve), as Linux's allocated_stack:
	 * most frames are far smaller than the 64 slots of 512 bytes.
	 */
	u32 cap;
	struct vslot *stack;
	struct vframe *next_free;	/* env->free_frames */
	struct vreg regs[BPF64_NR_REGS];
};

struct vref {
	u32 id;
	u32 insn;
};

/* What pruning looks at first comes first: one cache line. */
struct vstate {
	u32 branches;		/* live paths below a stored checkpoint */
	u32 curframe;
	u32 nr_refs;
	/* only a mispredicted branch takes this path (verifier_unpriv.c) */
	bool speculative;
	struct vframe *frame[BPF64_MAX_CALL_FRAMES];
	/* pruning and loop detection */
	struct vstate *parent;	/* the checkpoint this path came from */
	u32 insn_idx;		/* a stored checkpoint's insn */
	u32 path_len;		/* the path's length here (env->path) */
	bool all_precise;	/* every scalar, and so in the parents */
	bool unlisted;		/* evicted from its list while paths ran below */
	struct vref refs[MAX_REFS];
};

struct vstate_list {
	struct vstate *st;
	struct vstate_list *next;
	u32 hit, miss;		/* how often it pruned, or failed to */
	/*
	 * A register of the top frame that made a comparison fail, a
	 * precise constant (it stays one): a state whose register differs
	 * fails without a look at the stored one.  key_reg NO_KEY: none.
	 */
	u8 key_frame, key_reg;
	u64 key_val;
};

#define NO_KEY	0xff

/*
 * The current path, for backtracking and the log, as runs of instructions
 * that ran one after the other (idx, idx + 1, ...) in one frame: a
 * straight program is one run.  A run whose last instruction spilled to
 * or filled from a whole stack slot says so, and ends there.
 */
struct vhist {
	u32 idx;		/* the run's first insn */
	u32 pos;		/* and its position on the path */
	u8 frame;		/* the frame it ran in */
	u8 stack;		/* the last insn's whole-slot access: 1 + frame */
	u8 spi;			/* and its slot */
};

struct vstack_elem {
	struct vstate *st;
	u32 insn;
	struct vstack_elem *next;
};

struct vsubprog {
	u32 start;
	u32 stack_depth;
};

#define MAX_SUBPROGS	256
#define IDMAP_SIZE	(MAX_REFS * 4)

#define MAX_PRECISE_IDS	16

/* Ids of an old and a current state that name the same thing. */
struct idmap {
	u32 old[IDMAP_SIZE], cur[IDMAP_SIZE];
	u32 n;
	u32 tmp;		/* fresh ids standing for a current id 0 */
	bool all_precise;	/* Linux's unprivileged mode */
	/* ids of the old state's precise scalars (all: too many) */
	const struct vstate *old_state;	/* not collected yet */
	u32 precise_ids[MAX_PRECISE_IDS];
	u32 nr_precise_ids;
	bool all_ids;
};

/* The deepest chain of calls from a subprogram: bytes and frames. */
struct vchain {
	u32 depth;
	u32 frames;		/* 0: not computed yet */
};

struct venv {
	struct bpf64_prog *prog;
	const struct bpf_insn *insns;
	u32 len;
	struct bpf64_log *log;
	struct vstate *cur;
	struct vstack_elem *stack;
	u32 stack_size;
	struct vframe *free_frames;	/* for copies, slots past nslots zero */
	/*
	 * Prune points, a bit per insn; what is kept per prune point is
	 * indexed densely (prune_slot()), with prune_rank the prune points
	 * before each word of prune_bits.
	 */
	u64 *prune_bits;
	u32 *prune_rank;
	u32 nr_prune;
	struct vstate_list **explored;	/* per prune point */
	u16 *live_in;			/* per prune point: registers read later */
	bool live_done;			/* live_in computed */
	struct vchain (*chain)[BPF64_MAX_CALL_FRAMES];	/* per subprog, level */
	struct bpf64_insn_aux *aux;
	struct vhist *path;		/* the current path's runs */
	u32 nr_runs, path_cap;
	u32 path_len;			/* its instructions */
	struct vsubprog subprog[MAX_SUBPROGS + 1];
	u32 nr_subprogs;
	bool local_calls;		/* the program has some */
	u32 nr_jmp_insns;		/* insns of the jump classes */
	u32 id_gen;
	u32 fid_gen;			/* vframe.fid */
	u32 insn_idx;
	/* root may read never-written stack (Linux's allow_uninit_stack) */
	bool allow_uninit_stack;
	bool read_uninit_stack;		/* and this program does */
	/* statistics */
	u32 processed;
	u32 jmps;			/* jumps, calls and exits processed */
	u8 miss_reg;			/* the last comparison's key, or NO_KEY */
	u64 miss_val;
	u32 last_processed, last_jmps;	/* at the last state stored */
	u32 total_states, peak_states, cur_states, max_states_per_insn;
	struct idmap idmap;
	char buf[320];
	/* privileges, as Linux's (verifier_unpriv.c) */
	bool allow_ptr_leaks;
	bool bypass_spec_v1, bypass_spec_v4;
	bool bpf_capable;
	bool explore_alu_limits;	/* no pruning but on equal states */
	u32 spec_log_pos;		/* the log before a speculative insn */
};

extern bool bpf64_verifier_exhaustive;

__printf(2, 3) void vlog(struct venv *env, const char *fmt, ...);

/* Level 2: every instruction with the registers. */
static inline bool vlog_all(const struct venv *env)
{
	return env->log && (env->log->level & VLOG_LEVEL2);
}

/* Level 1 alone: the error after the path that led to it. */
static inline bool vlog_path(const struct venv *env)
{
	return env->log && (env->log->level & (VLOG_LEVEL1 | VLOG_LEVEL2)) ==
			   VLOG_LEVEL1;
}

static inline struct vframe *cur_frame(struct venv *env)
{
	return env->cur->frame[env->cur->curframe];
}

static inline struct vreg *cur_regs(struct venv *env)
{
	return cur_frame(env)->regs;
}

static inline bool vbit_test(const u64 *bits, u32 i)
{
	return bits[i / 64] >> (i % 64) & 1;
}

static inline void vbit_set(u64 *bits, u32 i)
{
	bits[i / 64] |= 1ULL << (i % 64);
}

static inline bool is_prune_point(const struct venv *env, u32 idx)
{
	return vbit_test(env->prune_bits, idx);
}

/* The index of prune point @idx among the prune points. */
u32 prune_slot(const struct venv *env, u32 idx);

/* The instruction at position @pos of the path, in run @run, as @h. */
void path_step(const struct venv *env, u32 run, u32 pos, struct vhist *h);
/* The run holding position @pos of the path. */
u32 path_run(const struct venv *env, u32 pos);

const char *vreg_type_str(u8 type);
void mark_unknown(struct vreg *reg);
void mark_not_init(struct vreg *reg);
void mark_const(struct vreg *reg, u64 val);
bool reg_is_pkt(const struct vreg *reg);
bool reg_is_ptr(const struct vreg *reg);
bool reg_maybe_null(const struct vreg *reg);
int check_reg_read(struct venv *env, u32 regno);
int check_reg_write(struct venv *env, u32 regno);
/* A copy of the current state to explore later from @insn. */
int vpush_branch(struct venv *env, u32 insn, struct vstate **out);
struct vframe *vframe_new(struct venv *env);
void vframe_put(struct venv *env, struct vframe *f);
int vframe_reserve(struct vframe *f, u32 nslots);
const struct vslot *vframe_slot(const struct vframe *f, u32 i);
u32 vsubprog_of(const struct venv *env, u32 idx);
u32 vjump_successors(const struct venv *env, u32 i, u32 succ[2]);

/* Where control may go after insn @i: up to two, into @succ; the count. */
static inline u32 vsuccessors(const struct venv *env, u32 i, u32 succ[2])
{
	const struct bpf_insn *insn = &env->insns[i];

	if (bpf64_is_jmp_class(insn->code))
		return vjump_successors(env, i, succ);
	succ[0] = i + (bpf64_is_ldimm64(insn) ? 2 : 1);
	return 1;
}
/* Do ids @old and @cur name the same thing so far in @map (or now on)? */
bool ids_match(struct idmap *map, u32 old, u32 cur);

/* verifier_live.c */
/*
 * Room for the registers live at each prune point, computed when a state
 * is first compared with another (a program may never compare one).
 */
int alloc_liveness(struct venv *env);
void compute_liveness(struct venv *env);
u16 live_regs(const struct venv *env, const struct vstate *st, u32 f,
	      u32 idx);
/* The current path reads stack bytes [lo, hi) of frame @f (lo < hi <= 0). */
void mark_stack_read(struct venv *env, u32 f, s64 lo, s64 hi);
/* ... writes [off, off + size): whole slots are written. */
void mark_stack_written(struct venv *env, u32 f, s64 off, u32 size);
/* A stored state's reads, now also the current path's. */
void propagate_stack_reads(struct venv *env, const struct vstate *old);

/* verifier_precise.c */
/*
 * The value of scalar register @regno matters to the current instruction's
 * safety: it becomes precise, with what it came from.
 */
void mark_precise(struct venv *env, u32 regno);
/* The same for the scalar spilled at @off of frame @f. */
void mark_precise_slot(struct venv *env, u32 f, s64 off);
/* The current instruction spills to or fills from slot @off of frame @f. */
void note_stack_slot(struct venv *env, u32 f, s64 off);
/* The current state is pruned by @old: old's precise scalars matter. */
void propagate_precision(struct venv *env, const struct vstate *old);
/* Is @old, of the old state, a scalar that prunes as any number? */
bool scalar_is_any(struct idmap *map, const struct vreg *old);
/* Are @old's and @cur's scalars interchangeable for pruning? */
bool scalar_safe(struct idmap *map, const struct vreg *old,
		 const struct vreg *cur);
/* A comparison with @old starts; without CAP_BPF every scalar is precise. */
void start_compare(struct idmap *map, const struct vstate *old,
		   bool all_precise);

/* verifier_alu.c */
int check_alu(struct venv *env, const struct bpf_insn *insn);
int check_cond_jmp(struct venv *env, const struct bpf_insn *insn,
		   u32 *insn_idx);
int check_ld_imm64(struct venv *env, const struct bpf_insn *insn);
/* Before a copy of @src (a move or a spill): @src's id, for both. */
void link_before_copy(struct venv *env, struct vreg *src);

/* verifier_mem.c */
int check_mem_insn(struct venv *env, const struct bpf_insn *insn, u32 idx);
int check_helper_mem(struct venv *env, u32 regno, s64 size, bool write,
		     bool zero_ok);
int check_ld_abs(struct venv *env, const struct bpf_insn *insn);
s64 stack_const_key(struct venv *env, const struct vreg *key, u32 size);

/* verifier_call.c */
int check_helper_call(struct venv *env, const struct bpf_insn *insn, u32 idx);
int check_local_call(struct venv *env, const struct bpf_insn *insn,
		     u32 *insn_idx);
int check_exit(struct venv *env, u32 *insn_idx, bool *done);
int release_reference(struct venv *env, u32 ref_obj_id);
int check_subprog_exits(struct venv *env);
int check_reference_leak(struct venv *env, const char *what);

/* verifier_unpriv.c: what a caller without CAP_PERFMON may not do */
struct vsanitize {
	u8 alu_state;		/* BPF64_ALU_*, 0: nothing to mask */
	u32 alu_limit;
	bool mask_to_left;
};

int vpriv_init(struct venv *env);
bool vpriv_spec_stop(struct venv *env, u32 idx);
int vpriv_spec_error(struct venv *env, int err, bool *done);
int vpriv_spec_branch(struct venv *env, const struct bpf_insn *insn,
		      u32 target);
int vpriv_check_cfg(struct venv *env);
bool vpriv_stack_unseen(struct venv *env, const struct vreg *reg, s64 min,
			bool write);
bool vpriv_is_leak(const struct venv *env, const struct vreg *reg);
int vpriv_leak(struct venv *env, u32 regno, const char *where);
int vpriv_store(struct venv *env, u32 idx, u8 ptr_type,
		const struct vreg *val);
int vpriv_stack_store(struct venv *env, const struct vslot *slot, s64 off,
		      u32 size, const struct vreg *val);
int vpriv_alu_ptr(struct venv *env, const struct bpf_insn *insn);
int vpriv_ptr_alu_pre(struct venv *env, const struct bpf_insn *insn,
		      const struct vreg *ptr, const struct vreg *off,
		      struct vsanitize *san);
int vpriv_ptr_alu_post(struct venv *env, const struct bpf_insn *insn,
		       const struct vsanitize *san);
int vpriv_scalar_alu(struct venv *env, const struct bpf_insn *insn);
int vpriv_cmp(struct venv *env, u32 regno);
bool vpriv_helper_ok(const struct venv *env, u32 func_id);
int vpriv_var_size_write(struct venv *env, u32 mem_regno,
			 const struct vreg *size, bool zero_ok);

#endif /* _KERNEL_BPF_VERIFIER_H */
