// SPDX-License-Identifier: GPL-2.0
/*
 * The verifier's core: the program's structure (reachability, subprograms),
 * register state, path exploration with a stack of pending branches, state
 * pruning at jump targets, and the log.
 *
 * Exploration is a depth-first walk of every path.  At prune points
 * (Linux's: conditional jumps and their targets, jump targets, calls and
 * the instruction after them) the current state is compared with the
 * states already explored there: if one of them is at least as general
 * (every register and stack slot allows everything the current one does),
 * the current path is safe and stops.  The current state is stored there
 * in turn when the path went through 2 jumps and 8 instructions since it
 * last stored one (Linux's heuristic).
 * A stored state whose paths are still being explored (branches > 0) is
 * not used for pruning; if the current state equals it exactly, the path
 * came back to where it was with nothing changed: an infinite loop.
 */
#include <linux/bpf64/disasm.h>
#include "verifier.h"

#define PROCESSED_LIMIT		1000000

/*
 * Tests only: prune nothing (loops are still detected), so that a test
 * can check that pruning never changes a verdict.
 */
bool bpf64_verifier_exhaustive;

void vlog(struct venv *env, const char *fmt, ...)
{
	va_list ap;

	if (!env->log || !env->log->level)
		return;
	va_start(ap, fmt);
	bpf64_vlog(env->log, fmt, ap);
	va_end(ap);
}

/* ---- registers ---- */

const char *vreg_type_str(u8 type)
{
	static const char *const str[NR_VREG_TYPES] = {
		[NOT_INIT] = "?",
		[SCALAR_VALUE] = "scalar",
		[PTR_TO_CTX] = "ctx",
		[CONST_PTR_TO_MAP] = "map_ptr",
		[PTR_TO_MAP_VALUE] = "map_value",
		[PTR_TO_MAP_VALUE_OR_NULL] = "map_value_or_null",
		[PTR_TO_STACK] = "fp",
		[PTR_TO_PACKET_META] = "pkt_meta",
		[PTR_TO_PACKET] = "pkt",
		[PTR_TO_PACKET_END] = "pkt_end",
		[PTR_TO_MEM] = "ringbuf_mem",
		[PTR_TO_MEM_OR_NULL] = "ringbuf_mem_or_null",
	};

	return type < NR_VREG_TYPES ? str[type] : "?";
}

/*
 * Everything but var, which the caller writes whole: two memsets of
 * known sizes become a few stores, where one of the whole register is a
 * slow "rep stos" on x86.
 */
static void clear_but_var(struct vreg *reg)
{
	const size_t end = offsetof(struct vreg, var) + sizeof(reg->var);

	memset(reg, 0, offsetof(struct vreg, var));
	memset((u8 *)reg + end, 0, sizeof(*reg) - end);
}

void mark_not_init(struct vreg *reg)
{
	clear_but_var(reg);
	bpf64_scalar_unknown(&reg->var);
}

void mark_unknown(struct vreg *reg)
{
	mark_not_init(reg);
	reg->type = SCALAR_VALUE;
}

void mark_const(struct vreg *reg, u64 val)
{
	clear_but_var(reg);
	reg->type = SCALAR_VALUE;
	bpf64_scalar_const(&reg->var, val);
}

bool reg_is_pkt(const struct vreg *reg)
{
	return reg->type == PTR_TO_PACKET || reg->type == PTR_TO_PACKET_META;
}

bool reg_maybe_null(const struct vreg *reg)
{
	return reg->type == PTR_TO_MAP_VALUE_OR_NULL ||
	       reg->type == PTR_TO_MEM_OR_NULL;
}

bool reg_is_ptr(const struct vreg *reg)
{
	return reg->type != NOT_INIT && reg->type != SCALAR_VALUE;
}

int check_reg_read(struct venv *env, u32 regno)
{
	if (regno >= BPF64_NR_REGS) {
		vlog(env, "R%u is invalid\n", regno);
		return -EINVAL;
	}
	if (cur_regs(env)[regno].type == NOT_INIT) {
		vlog(env, "R%u !read_ok\n", regno);
		return -EACCES;
	}
	return 0;
}

int check_reg_write(struct venv *env, u32 regno)
{
	if (regno >= BPF64_NR_REGS) {
		vlog(env, "R%u is invalid\n", regno);
		return -EINVAL;
	}
	if (regno == BPF64_REG_FP) {
		vlog(env, "frame pointer is read only\n");
		return -EACCES;
	}
	return 0;
}

/* ---- states ---- */

/*
 * *@arr, @len of its *@cap elements of @size in use, as a zeroed array of
 * @cap_new with those copied.
 */
static int grow_array(void **arr, u32 *cap, u32 len, u32 cap_new,
		      size_t size)
{
	void *n = bpf64_zalloc_array(cap_new, size);

	if (!n)
		return -ENOMEM;
	if (len)
		memcpy(n, *arr, (size_t)len * size);
	bpf64_free(*arr);
	*arr = n;
	*cap = cap_new;
	return 0;
}

/*
 * Frames are kept for reuse, their slots with them: slots from nslots on
 * are zero in a frame on the free list as in a live one.
 */
void vframe_put(struct venv *env, struct vframe *f)
{
	f->next_free = env->free_frames;
	env->free_frames = f;
}

/* A frame of the free list, or a new one, its slots as @src's. */
static struct vframe *frame_take(struct venv *env, const struct vframe *src)
{
	struct vframe *f = env->free_frames;
	struct vslot *stack;
	u32 dirty, cap;

	if (!f) {
		f = bpf64_zalloc(sizeof(*f));
		if (!f)
			return NULL;
	} else {
		env->free_frames = f->next_free;
	}
	if (vframe_reserve(f, src->nslots)) {
		vframe_put(env, f);
		return NULL;
	}
	stack = f->stack;
	cap = f->cap;
	dirty = f->nslots;
	*f = *src;
	f->stack = stack;
	f->cap = cap;
	memcpy(stack, src->stack, src->nslots * sizeof(*stack));
	if (dirty > src->nslots)
		memset(&stack[src->nslots], 0,
		       (dirty - src->nslots) * sizeof(*stack));
	return f;
}

/* An empty frame: no registers, no slots. */
struct vframe *vframe_new(struct venv *env)
{
	static const struct vframe empty;

	return frame_take(env, &empty);
}

/*
 * Room for slots [0, @nslots): the path's accesses reach that far (every
 * stack access checks its range first, stack_range()).  The slots grow
 * as Linux's allocated_stack does, zeroed.
 */
int vframe_reserve(struct vframe *f, u32 nslots)
{
	u32 cap = max(max(f->cap * 2, nslots), 4U);

	if (nslots <= f->cap)
		return 0;
	return grow_array((void **)&f->stack, &f->cap, f->nslots,
			  min(cap, (u32)NR_SLOTS), sizeof(*f->stack));
}

/* Slot @i as a comparison reads it: past the frame's room, never written. */
const struct vslot *vframe_slot(const struct vframe *f, u32 i)
{
	static const struct vslot never_written;

	return i < f->cap ? &f->stack[i] : &never_written;
}

static void free_state(struct venv *env, struct vstate *st)
{
	u32 i;

	if (!st)
		return;
	for (i = 0; i <= st->curframe; i++)
		if (st->frame[i])
			vframe_put(env, st->frame[i]);
	bpf64_free(st);
}

static struct vstate *copy_state(struct venv *env, const struct vstate *src)
{
	struct vstate *st = bpf64_zalloc(sizeof(*st));
	u32 i;

	if (!st)
		return NULL;
	*st = *src;
	for (i = 0; i <= src->curframe; i++) {
		st->frame[i] = frame_take(env, src->frame[i]);
		if (!st->frame[i]) {
			while (++i <= src->curframe)
				st->frame[i] = NULL;	/* still src's */
			free_state(env, st);
			return NULL;
		}
	}
	st->parent = src->parent;
	st->branches = 0;
	return st;
}

/* ---- state comparison for pruning and loop detection ---- */

/* Ids are names: two states agree if the names map one to one. */
bool ids_match(struct idmap *map, u32 old, u32 cur)
{
	u32 i;

	if (!old || !cur)
		return old == cur;
	for (i = 0; i < map->n; i++) {
		if (map->old[i] == old)
			return map->cur[i] == cur;
		if (map->cur[i] == cur)
			return false;
	}
	if (map->n == IDMAP_SIZE)
		return false;
	map->old[map->n] = old;
	map->cur[map->n++] = cur;
	return true;
}

static bool scalar_eq(const struct bpf64_scalar *a,
		      const struct bpf64_scalar *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static bool var_ok(const struct bpf64_scalar *old,
		   const struct bpf64_scalar *cur, bool exact)
{
	return exact ? scalar_eq(old, cur) : bpf64_scalar_within(old, cur);
}

static bool regsafe(const struct vreg *old, const struct vreg *cur,
		    struct idmap *map, bool exact)
{
	if (old->type == NOT_INIT)
		return exact ? cur->type == NOT_INIT : true;
	if (old->type == SCALAR_VALUE && !exact)
		return scalar_safe(map, old, cur);
	if (old->type != cur->type)
		return false;
	if (old->type == SCALAR_VALUE)
		/* old's copies learnt together: cur's must too, as far apart */
		return (!old->id || (ids_match(map, old->id, cur->id) &&
				     old->off == cur->off)) &&
		       var_ok(&old->var, &cur->var, exact);
	if (old->off != cur->off || old->map != cur->map ||
	    old->frameno != cur->frameno ||
	    !ids_match(map, old->id, cur->id) ||
	    !ids_match(map, old->ref_obj_id, cur->ref_obj_id))
		return false;
	/* More proven packet bytes in cur is fine; less is not. */
	if (reg_is_pkt(old) ? (exact ? old->range != cur->range :
			       old->range > cur->range) :
	    old->range != cur->range)
		return false;
	return var_ok(&old->var, &cur->var, exact);
}

/*
 * Bytes the program may read as any number: written with something, or
 * never written when root may read those (Linux's allow_uninit_stack).
 */
static bool byte_any(const struct venv *env, u8 kind)
{
	return kind == SLOT_MISC ||
	       (kind == SLOT_INVALID && env->allow_uninit_stack);
}

/* A slot read whole as a scalar: one spilled in 8 bytes, or any number. */
static const struct vreg *slot_scalar(const struct venv *env,
				      const struct vslot *s, struct vreg *any)
{
	static const u8 spill8[8] = {
		SLOT_SPILL, SLOT_SPILL, SLOT_SPILL, SLOT_SPILL,
		SLOT_SPILL, SLOT_SPILL, SLOT_SPILL, SLOT_SPILL,
	};
	u32 i;

	if (s->kind[0] == SLOT_SPILL)
		return !memcmp(s->kind, spill8, 8) &&
		       s->spilled.type == SCALAR_VALUE ? &s->spilled : NULL;
	for (i = 0; i < 8; i++)
		if (!byte_any(env, s->kind[i]))
			return NULL;
	mark_unknown(any);
	return any;
}

/*
 * The old slot's bytes as pruning sees them: a spilled number that is
 * imprecise (its value mattered to no path) is any number, whatever its
 * size.
 */
static void old_kinds(struct venv *env, const struct vslot *old, u8 k[8])
{
	u32 i;

	memcpy(k, old->kind, 8);
	if (old->kind[0] != SLOT_SPILL ||
	    !scalar_is_any(&env->idmap, &old->spilled))
		return;
	for (i = 0; i < 8; i++)
		if (k[i] == SLOT_SPILL)
			k[i] = SLOT_MISC;
}

/* Linux's stacksafe for one slot that the old state's paths read. */
static bool slot_safe(struct venv *env, const struct vslot *old,
		      const struct vslot *cur)
{
	const struct vreg *o, *c;
	struct vreg any_old, any_cur;
	bool any = true;
	u8 k[8];
	u32 i;

	old_kinds(env, old, k);
	for (i = 0; i < 8; i++)
		any &= k[i] == SLOT_INVALID ||
		       (k[i] == SLOT_MISC && env->allow_uninit_stack);
	if (any) {
		/* what old read as a number, cur may not have written */
		for (i = 0; i < 8; i++)
			if (cur->kind[i] == SLOT_INVALID && k[i] == SLOT_MISC)
				env->read_uninit_stack = true;
		return true;
	}
	o = slot_scalar(env, old, &any_old);
	c = slot_scalar(env, cur, &any_cur);
	if (o && c)
		return regsafe(o, c, &env->idmap, false);
	/* a spill that matters: the same bytes spilled (fewer than 8 too) */
	if (k[0] == SLOT_SPILL)
		return !memcmp(old->kind, cur->kind, 8) &&
		       regsafe(&old->spilled, &cur->spilled, &env->idmap,
			       false);
	/* what old read as any number cur may hold as zero or a number */
	for (i = 0; i < 8; i++)
		if (k[i] != cur->kind[i] && k[i] != SLOT_INVALID &&
		    !(k[i] == SLOT_MISC && (cur->kind[i] == SLOT_ZERO ||
		      (cur->kind[i] == SLOT_SPILL &&
		       cur->spilled.type == SCALAR_VALUE))))
			return false;
	return true;
}

/* The same slot for loop detection: nothing may differ. */
static bool slot_exact(const struct vslot *old, const struct vslot *cur,
		       struct idmap *map)
{
	if (memcmp(old->kind, cur->kind, sizeof(old->kind)))
		return false;
	return old->kind[0] != SLOT_SPILL ||
	       regsafe(&old->spilled, &cur->spilled, map, true);
}

/*
 * Registers are compared where they are live; stack slots where a path
 * from the old state read them (not needed for loop detection, whose
 * old states are still being explored).
 */
static bool frames_safe(struct venv *env, const struct vframe *old,
			const struct vframe *cur, bool exact, u16 live,
			bool top)
{
	struct idmap *map = &env->idmap;
	const struct vreg *r;
	u32 i;

	if (old->callsite != cur->callsite)
		return false;
	for (i = 0; i < BPF64_NR_REGS; i++) {
		r = &old->regs[i];
		if (!(live & (1U << i)) || regsafe(r, &cur->regs[i], map, exact))
			continue;
		if (top && r->type == SCALAR_VALUE &&
		    (r->precise || map->all_precise) &&
		    bpf64_scalar_is_const(&r->var)) {
			env->miss_reg = i;
			env->miss_val = r->var.var_off.value;
		}
		return false;
	}
	/* slots past both nslots are equal; past old's, old allows all */
	for (i = 0; i < (exact ? max(old->nslots, cur->nslots) : old->nslots);
	     i++) {
		if (exact ? !slot_exact(vframe_slot(old, i),
					vframe_slot(cur, i), map) :
		    (old->read & (1ULL << i)) &&
		    !slot_safe(env, vframe_slot(old, i), vframe_slot(cur, i)))
			return false;
	}
	return true;
}

static bool states_safe(struct venv *env, const struct vstate *old,
			const struct vstate *cur, bool exact)
{
	struct idmap *map = &env->idmap;
	bool ok = true;
	u32 i;

	if (old->curframe != cur->curframe || old->nr_refs != cur->nr_refs ||
	    (old->speculative && !cur->speculative))
		return false;
	start_compare(map, old, !env->bpf_capable);
	for (i = 0; ok && i < old->nr_refs; i++)
		ok = ids_match(map, old->refs[i].id, cur->refs[i].id);
	for (i = 0; ok && i <= old->curframe; i++)
		ok = frames_safe(env, old->frame[i], cur->frame[i], exact,
				 live_regs(env, cur, i, env->insn_idx),
				 i == old->curframe);
	return ok;
}

/* ---- the path ---- */

/* Position @pos of the path: the insn, its frame, the slot it accessed. */
void path_step(const struct venv *env, u32 run, u32 pos, struct vhist *h)
{
	const struct vhist *r = &env->path[run];
	u32 end = run + 1 < env->nr_runs ? r[1].pos : env->path_len;

	*h = *r;
	h->idx = r->idx + (pos - r->pos);
	h->pos = pos;
	if (pos + 1 != end)
		h->stack = 0;
}

u32 path_run(const struct venv *env, u32 pos)
{
	u32 lo = 0, hi = env->nr_runs - 1, mid;

	while (lo < hi) {
		mid = hi - (hi - lo) / 2;
		if (env->path[mid].pos <= pos)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* Insn @idx runs next on the path: the same run, or a new one. */
static int path_add(struct venv *env, u32 idx)
{
	struct vhist *r = env->nr_runs ? &env->path[env->nr_runs - 1] : NULL;

	if (r && !r->stack && r->frame == env->cur->curframe &&
	    r->idx + (env->path_len - r->pos) == idx) {
		env->path_len++;
		return 0;
	}
	if (env->nr_runs == env->path_cap &&
	    grow_array((void **)&env->path, &env->path_cap, env->nr_runs,
		       env->path_cap ? env->path_cap * 2 : 256,
		       sizeof(*env->path)))
		return -ENOMEM;
	env->path[env->nr_runs++] = (struct vhist){
		.idx = idx, .pos = env->path_len,
		.frame = env->cur->curframe };
	env->path_len++;
	return 0;
}

/* Back to the path's first @len insns (a pushed branch's). */
static void path_cut(struct venv *env, u32 len)
{
	u32 end = env->path_len;

	while (env->nr_runs && env->path[env->nr_runs - 1].pos >= len)
		end = env->path[--env->nr_runs].pos;
	/* the last run lost its last insn: not its stack access either */
	if (env->nr_runs && len < end)
		env->path[env->nr_runs - 1].stack = 0;
	env->path_len = len;
}

/* ---- exploration ---- */

int vpush_branch(struct venv *env, u32 insn, struct vstate **out)
{
	struct vstack_elem *e;

	if (env->stack_size >= 8192) {
		vlog(env, "The sequence of %d jumps is too complex.\n",
		     env->stack_size);
		return -E2BIG;
	}
	e = bpf64_zalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->st = copy_state(env, env->cur);
	if (!e->st) {
		bpf64_free(e);
		return -ENOMEM;
	}
	if (e->st->parent)
		e->st->parent->branches++;
	e->insn = insn;
	e->st->path_len = env->path_len;
	e->next = env->stack;
	env->stack = e;
	env->stack_size++;
	*out = e->st;
	return 0;
}

/* A path ended: the checkpoints it came through may now be complete. */
static void path_done(struct venv *env, struct vstate *st)
{
	struct vstate *p = st->parent, *up;

	while (p && p->branches && !--p->branches) {
		up = p->parent;
		if (p->unlisted)
			free_state(env, p);	/* nothing refers to it now */
		p = up;
	}
}

static bool pop_stack(struct venv *env, u32 *insn)
{
	struct vstack_elem *e = env->stack;

	path_done(env, env->cur);
	free_state(env, env->cur);
	env->cur = NULL;
	if (!e)
		return false;
	env->stack = e->next;
	env->stack_size--;
	env->cur = e->st;
	*insn = e->insn;
	path_cut(env, e->st->path_len);
	bpf64_free(e);
	return true;
}

/*
 * Linux's heuristic: a stored state that keeps failing to prune goes,
 * once every path from it has ended (nothing refers to it then).  Linux
 * lets it miss 3 times per hit; more here: in a loop whose iterations
 * differ in a precise counter, each stored iteration misses against all
 * the others and, at 3, went before its twin came (verif_stackbuf).
 */
#define DROP_MISSES	32

static bool drop_state(const struct vstate_list *l)
{
	/* (the counts first: they are at hand, the state may not be) */
	return l->miss > (l->hit + 1) * DROP_MISSES && !l->st->branches;
}

/* The current state becomes the parent of what follows. */
static void checkpoint(struct venv *env, struct vstate *st, u32 idx)
{
	struct vstate *cur = env->cur;
	u32 f;

	st->branches = 1;
	st->insn_idx = idx;
	st->path_len = env->path_len;
	/* st keeps the writes since its parent; cur starts counting anew */
	for (f = 0; f <= cur->curframe; f++) {
		st->frame[f]->read = 0;
		cur->frame[f]->written = 0;
	}
	cur->parent = st;
}

/*
 * A full list drops its oldest state (states are added at the head): in a
 * long loop the recent ones are those the other paths of an iteration
 * meet.  One with paths still below it stays, unlisted, for them (freed
 * when they end).
 */
static void evict_oldest(struct venv *env, struct vstate_list **pl)
{
	struct vstate_list *l = *pl;

	*pl = NULL;
	if (l->st->branches)
		l->st->unlisted = true;
	else
		free_state(env, l->st);
	bpf64_free(l);
	env->cur_states--;
}

/* @cur cannot equal @l's state: its key register differs. */
static bool key_differs(const struct vstate_list *l,
			const struct vstate *cur)
{
	const struct vreg *r;

	if (l->key_reg == NO_KEY)
		return false;
	if (cur->curframe != l->key_frame)
		return true;
	r = &cur->frame[cur->curframe]->regs[l->key_reg];
	return r->type != SCALAR_VALUE || !bpf64_scalar_is_const(&r->var) ||
	       r->var.var_off.value != l->key_val;
}

/* 1: the current path is covered by an explored state; 0: go on. */
static int is_state_visited(struct venv *env, u32 idx)
{
	struct vstate_list **pl, **last = NULL, *l, *n;
	struct vstate *cur = env->cur, *st;
	u32 count = 0;
	/*
	 * Linux's heuristic: store a state only after 2 jumps and 8 insns
	 * since the last one (fewer states to compare, hardly more paths);
	 * misses count only where a state would be stored.
	 */
	bool add = env->jmps - env->last_jmps >= 2 &&
		   env->processed - env->last_processed >= 8;
	struct vstate_list **head = &env->explored[prune_slot(env, idx)];

	if (*head)
		compute_liveness(env);	/* comparisons need it */
	for (pl = head; (l = *pl);) {
		st = l->st;
		if (key_differs(l, cur))
			goto miss;
		env->miss_reg = NO_KEY;
		if (st->branches &&
		    states_safe(env, st, cur, true)) {
			vlog(env, "infinite loop detected at insn %u\n", idx);
			return -EINVAL;
		}
		/* unprivileged masking compares every path (Linux) */
		if (!st->branches && !bpf64_verifier_exhaustive &&
		    states_safe(env, st, cur, env->explore_alu_limits)) {
			/* what mattered after old matters after cur */
			propagate_stack_reads(env, st);
			propagate_precision(env, st);
			l->hit++;
			return 1;
		}
		if (env->miss_reg != NO_KEY) {
			l->key_frame = st->curframe;
			l->key_reg = env->miss_reg;
			l->key_val = env->miss_val;
		}
miss:
		l->miss += add;
		if (drop_state(l)) {
			*pl = l->next;
			free_state(env, st);
			bpf64_free(l);
			env->cur_states--;
			continue;
		}
		last = pl;
		pl = &l->next;
		count++;
	}
	if (!add)
		return 0;
	if (count >= MAX_STATES_PER_INSN) {
		evict_oldest(env, last);
		count--;
	}
	st = copy_state(env, cur);
	n = bpf64_zalloc(sizeof(*n));
	if (!st || !n) {
		free_state(env, st);
		bpf64_free(n);
		return -ENOMEM;
	}
	checkpoint(env, st, idx);
	n->key_reg = NO_KEY;
	env->last_jmps = env->jmps;
	env->last_processed = env->processed;
	n->st = st;
	n->next = *head;
	*head = n;
	env->total_states++;
	env->cur_states++;
	env->peak_states = max(env->peak_states, env->cur_states);
	env->max_states_per_insn = max(env->max_states_per_insn, count + 1);
	return 0;
}

/* ---- the log ---- */

/* A register as Linux's log prints it: "fp-8", "pkt(off=14,r=14)". */
static void print_reg(struct venv *env, const char *name,
		      const struct vreg *reg)
{
	char *b = env->buf;
	const char *sep = "";

	if (reg->type == SCALAR_VALUE) {
		bpf64_scalar_strn(b, sizeof(env->buf), &reg->var);
		vlog(env, " %s=%s", name, b);
		return;
	}
	if (reg->type == PTR_TO_STACK && bpf64_scalar_is_const(&reg->var)) {
		vlog(env, " %s=fp%d", name,
		     reg->off + (s32)reg->var.var_off.value);
		return;
	}
	vlog(env, " %s=%s(", name, vreg_type_str(reg->type));
#define FIELD(cond, ...) do {						\
		if (cond) {						\
			vlog(env, "%s", sep);				\
			vlog(env, __VA_ARGS__);				\
			sep = ",";					\
		}							\
	} while (0)
	FIELD(reg->id, "id=%u", reg->id);
	FIELD(reg->ref_obj_id, "ref_obj_id=%u", reg->ref_obj_id);
	FIELD(reg->off, "off=%d", reg->off);
	FIELD(reg_is_pkt(reg), "r=%u", reg->range);
	FIELD(reg->type == PTR_TO_MEM || reg->type == PTR_TO_MEM_OR_NULL,
	      "sz=%u", reg->range);
	FIELD(reg->map, "ks=%u,vs=%u", reg->map->key_size,
	      reg->map->value_size);
	if (!bpf64_scalar_is_const(&reg->var) || reg->var.var_off.value) {
		bpf64_scalar_strn(b, sizeof(env->buf), &reg->var);
		FIELD(true, "var=%s", b);
	}
#undef FIELD
	vlog(env, ")");
}

static void print_state(struct venv *env)
{
	const struct vframe *f = cur_frame(env);
	u32 i;

	char name[16];

	vlog(env, "%u:", env->insn_idx);
	if (env->cur->curframe)
		vlog(env, " frame%u:", env->cur->curframe);
	for (i = 0; i < BPF64_NR_REGS; i++) {
		if (f->regs[i].type == NOT_INIT)
			continue;
		snprintf(name, sizeof(name), "R%u", i);
		print_reg(env, name, &f->regs[i]);
	}
	for (i = 0; i < f->nslots; i++) {
		if (f->stack[i].kind[0] == SLOT_SPILL) {
			snprintf(name, sizeof(name), "fp-%u", (i + 1) * 8);
			print_reg(env, name, &f->stack[i].spilled);
		}
	}
	vlog(env, "\n");
}

static void print_insn(struct venv *env, u32 idx)
{
	bpf64_disasm_insn(env->insns, env->len, idx, BPF64_DISASM_KERNEL,
			  env->buf, sizeof(env->buf));
	vlog(env, "%u: (%02x) %s\n", idx, env->insns[idx].code, env->buf);
}

/* ---- structure ---- */

static bool is_local_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) &&
	       insn->src_reg == BPF_PSEUDO_CALL;
}

static bool is_exit_or_ja(const struct bpf_insn *insn)
{
	u8 op = BPF_OP(insn->code);

	return bpf64_is_jmp_class(insn->code) &&
	       (op == BPF_EXIT || op == BPF_JA);
}

static int add_subprog(struct venv *env, u32 start)
{
	u32 i;

	for (i = 0; i < env->nr_subprogs; i++)
		if (env->subprog[i].start == start)
			return 0;
	if (env->nr_subprogs >= MAX_SUBPROGS) {
		vlog(env, "too many subprograms\n");
		return -E2BIG;
	}
	for (i = env->nr_subprogs; i && env->subprog[i - 1].start > start; i--)
		env->subprog[i] = env->subprog[i - 1];
	env->subprog[i].start = start;
	env->subprog[i].stack_depth = 0;
	env->nr_subprogs++;
	return 0;
}

u32 vsubprog_of(const struct venv *env, u32 idx)
{
	u32 i = env->nr_subprogs;

	while (i > 1 && env->subprog[i - 1].start > idx)
		i--;
	return i - 1;
}

/* Subprograms, jumps inside them, each ending in EXIT or JA. */
static int check_subprogs(struct venv *env)
{
	u32 i, s;
	s32 off;
	int err;

	env->nr_subprogs = 0;
	err = add_subprog(env, 0);
	for (i = 0; !err && i < env->len; i++) {
		if (!is_local_call(&env->insns[i]))
			continue;
		env->local_calls = true;
		err = add_subprog(env, i + env->insns[i].imm + 1);
	}
	if (err)
		return err;
	env->subprog[env->nr_subprogs].start = env->len;
	for (i = 0, s = 0; i < env->len; i++) {
		const struct bpf_insn *insn = &env->insns[i];

		while (i >= env->subprog[s + 1].start)
			s++;
		env->nr_jmp_insns += bpf64_is_jmp_class(insn->code);
		if (bpf64_is_jmp_class(insn->code) &&
		    bpf64_insn_jump_offset(insn, &off) &&
		    vsubprog_of(env, i + 1 + off) != s) {
			vlog(env, "jump out of range from insn %u to %d\n", i,
			     (int)(i + 1 + off));
			return -EINVAL;
		}
		if (i + 1 == env->subprog[s + 1].start &&
		    !is_exit_or_ja(insn)) {
			vlog(env, "last insn is not an exit or jmp\n");
			return -EINVAL;
		}
	}
	return 0;
}

u32 vjump_successors(const struct venv *env, u32 i, u32 succ[2])
{
	const struct bpf_insn *insn = &env->insns[i];
	u32 n = 0;
	s32 off;

	if (BPF_OP(insn->code) == BPF_EXIT)
		return 0;
	if (bpf64_insn_jump_offset(insn, &off)) {
		succ[n++] = i + 1 + off;
		if (BPF_OP(insn->code) == BPF_JA)
			return n;
	}
	succ[n++] = i + 1;
	return n;
}

/*
 * Linux's prune points: a conditional jump (before the path splits) and
 * its target, a jump's target, a call (a local one: the call too) and
 * the insn after it.  Not a conditional jump's fall-through.
 */
static void mark_prune_points(struct venv *env, u32 i, u32 n,
			      const u32 succ[2])
{
	const struct bpf_insn *insn = &env->insns[i];
	bool call = bpf64_is_jmp_class(insn->code) &&
		    BPF_OP(insn->code) == BPF_CALL;
	u32 k;

	if (n == 2)
		vbit_set(env->prune_bits, i);
	for (k = 0; k < n; k++)
		if (succ[k] < env->len && (succ[k] != i + 1 || call))
			vbit_set(env->prune_bits, succ[k]);
}

/*
 * Every instruction reachable from the entry or a called subprogram
 * (Linux's check_cfg); also marks the prune points.  The walk goes on
 * with an instruction's first new successor and keeps the other, for a
 * conditional jump, in @work: room for the subprograms and the jumps.
 */
static int check_cfg(struct venv *env)
{
	u32 *work, nr = 0, i, next, succ[2], n, k;
	u64 *seen;
	int err = 0;

	work = bpf64_zalloc_array(env->nr_subprogs + env->nr_jmp_insns,
				  sizeof(*work));
	seen = bpf64_zalloc_array(env->len / 64 + 1, sizeof(*seen));
	if (!work || !seen) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < env->nr_subprogs; i++) {
		work[nr++] = env->subprog[i].start;
		vbit_set(seen, env->subprog[i].start);
		vbit_set(env->prune_bits, env->subprog[i].start);
	}
	for (next = env->len; nr || next < env->len;) {
		i = next < env->len ? next : work[--nr];
		n = vsuccessors(env, i, succ);
		mark_prune_points(env, i, n, succ);
		for (next = env->len, k = 0; k < n; k++) {
			if (succ[k] >= env->len)
				continue;	/* checked structurally */
			if (vbit_test(seen, succ[k]))
				continue;
			vbit_set(seen, succ[k]);
			if (next < env->len)
				work[nr++] = succ[k];
			else
				next = succ[k];
		}
	}
	for (i = 0; i < env->len; i++) {
		if (!vbit_test(seen, i)) {
			vlog(env, "unreachable insn %u\n", i);
			err = -EINVAL;
			goto out;
		}
		if (bpf64_is_ldimm64(&env->insns[i]))
			i++;
	}
out:
	bpf64_free(work);
	bpf64_free(seen);
	return err;
}

/* A bit's count in a word (no popcount builtin: kernel modules). */
static u32 bits_set(u64 x)
{
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

u32 prune_slot(const struct venv *env, u32 idx)
{
	u64 below = (1ULL << (idx % 64)) - 1;

	return env->prune_rank[idx / 64] +
	       bits_set(env->prune_bits[idx / 64] & below);
}

/* The prune points counted, and room for what each keeps. */
static int index_prune_points(struct venv *env)
{
	u32 w, words = env->len / 64 + 1;

	env->prune_rank = bpf64_zalloc_array(words, sizeof(u32));
	if (!env->prune_rank)
		return -ENOMEM;
	for (w = 0; w < words; w++) {
		env->prune_rank[w] = env->nr_prune;
		env->nr_prune += bits_set(env->prune_bits[w]);
	}
	env->explored = bpf64_zalloc_array(env->nr_prune + 1,
					   sizeof(*env->explored));
	return env->explored ? 0 : -ENOMEM;
}

/*
 * Linux's check_max_stack_depth: each frame's stack rounded up to 16
 * bytes (as with its JIT on; the interpreter would round to 32), summed
 * along every chain of local calls.  The deepest chain from each
 * subprogram at each call level is computed once, so that call-heavy
 * programs stay linear.
 */
static struct vchain stack_chain(struct venv *env, u32 sp, u32 level)
{
	struct vchain *memo = &env->chain[sp][level], sub;
	u32 d = round_up(env->subprog[sp].stack_depth, 16), i;

	if (memo->frames)
		return *memo;
	memo->depth = d;
	memo->frames = 1;
	for (i = env->subprog[sp].start;
	     level + 1 < BPF64_MAX_CALL_FRAMES && env->local_calls &&
	     i < env->subprog[sp + 1].start; i++) {
		if (!is_local_call(&env->insns[i]))
			continue;
		sub = stack_chain(env, vsubprog_of(env, i + env->insns[i].imm + 1),
				  level + 1);
		if (d + sub.depth > memo->depth) {
			memo->depth = d + sub.depth;
			memo->frames = sub.frames + 1;
		}
	}
	return *memo;
}

static int check_stack_chain(struct venv *env)
{
	struct vchain c;

	env->chain = bpf64_zalloc_array(env->nr_subprogs, sizeof(*env->chain));
	if (!env->chain)
		return -ENOMEM;
	c = stack_chain(env, 0, 0);
	if (c.depth <= BPF64_MAX_STACK)
		return 0;
	vlog(env, "combined stack size of %u calls is %u. Too large\n",
	     c.frames, c.depth);
	return -EACCES;
}

/* ---- the main loop ---- */

static int init_state(struct venv *env)
{
	struct vframe *f;
	u32 i;

	env->cur = bpf64_zalloc(sizeof(*env->cur));
	if (!env->cur)
		return -ENOMEM;
	f = vframe_new(env);
	if (!f)
		return -ENOMEM;
	env->cur->frame[0] = f;
	f->fid = ++env->fid_gen;
	for (i = 0; i < BPF64_NR_REGS; i++)
		mark_not_init(&f->regs[i]);
	f->regs[BPF_REG_1].type = PTR_TO_CTX;
	f->regs[BPF64_REG_FP].type = PTR_TO_STACK;
	bpf64_scalar_const(&f->regs[BPF_REG_1].var, 0);
	bpf64_scalar_const(&f->regs[BPF64_REG_FP].var, 0);
	return 0;
}

static int check_jmp(struct venv *env, const struct bpf_insn *insn, u32 *idx,
		     bool *done)
{
	u8 op = BPF_OP(insn->code);
	int err;

	switch (op) {
	case BPF_CALL:
		if (BPF_CLASS(insn->code) == BPF_JMP32 ||
		    insn->src_reg == BPF_PSEUDO_KFUNC_CALL) {
			vlog(env, "unsupported call\n");
			return -EINVAL;
		}
		if (insn->src_reg == BPF_PSEUDO_CALL)
			return check_local_call(env, insn, idx);
		err = check_helper_call(env, insn, *idx);
		(*idx)++;
		return err;
	case BPF_EXIT:
		return check_exit(env, idx, done);
	case BPF_JA:
		*idx += 1 + (BPF_CLASS(insn->code) == BPF_JMP32 ?
			     insn->imm : insn->off);
		return 0;
	default:
		return check_cond_jmp(env, insn, idx);
	}
}

static int do_insn(struct venv *env, u32 *idx, bool *done)
{
	const struct bpf_insn *insn = &env->insns[*idx];
	int err;

	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		err = check_alu(env, insn);
		(*idx)++;
		return err;
	case BPF_LDX:
	case BPF_STX:
	case BPF_ST:
		err = check_mem_insn(env, insn, *idx);
		(*idx)++;
		return err;
	case BPF_LD:
		if (bpf64_is_ldimm64(insn)) {
			err = check_ld_imm64(env, insn);
			*idx += 2;
			return err;
		}
		err = check_ld_abs(env, insn);
		(*idx)++;
		return err;
	default:
		return check_jmp(env, insn, idx, done);
	}
}

#define MAX_PATH_LOG	512

/* The path that led to an error, its last MAX_PATH_LOG insns if long. */
static void log_path(struct venv *env)
{
	struct vhist h;
	u32 i = 0, r;

	if (env->path_len > MAX_PATH_LOG) {
		i = env->path_len - MAX_PATH_LOG;
		vlog(env, "... %u insns of the path before\n", i);
	}
	if (!env->path_len)
		return;
	for (r = path_run(env, i); i < env->path_len; i++) {
		if (r + 1 < env->nr_runs && env->path[r + 1].pos == i)
			r++;
		path_step(env, r, i, &h);
		print_insn(env, h.idx);
	}
}

static int do_check(struct venv *env)
{
	u32 idx = 0;
	bool done;
	int err;

	for (;;) {
		if (++env->processed > PROCESSED_LIMIT) {
			vlog(env, "BPF program is too large. Processed %u insn\n",
			     env->processed);
			return -E2BIG;
		}
		if (idx >= env->len) {
			vlog(env, "invalid insn idx %u insn_cnt %u\n", idx,
			     env->len);
			return -EFAULT;
		}
		env->insn_idx = idx;
		if (is_prune_point(env, idx)) {
			err = is_state_visited(env, idx);
			if (err < 0)
				return err;
			if (err == 1) {
				if (vlog_all(env))
					vlog(env, "%u: safe\n", idx);
				if (!pop_stack(env, &idx))
					return 0;
				continue;
			}
		}
		/* dead code stays dead if only speculation reaches it */
		env->aux[idx].seen |= !env->cur->speculative;
		if (vlog_all(env)) {
			print_state(env);
			print_insn(env, idx);
		}
		err = path_add(env, idx);
		if (err)
			return err;
		env->jmps += bpf64_is_jmp_class(env->insns[idx].code);
		done = vpriv_spec_stop(env, idx);
		if (!done)
			err = do_insn(env, &idx, &done);
		if (err)
			err = vpriv_spec_error(env, err, &done);
		if (err)
			return err;
		if (done) {
			if (vlog_all(env))
				vlog(env, "%u: exit\n", env->insn_idx);
			if (!pop_stack(env, &idx))
				return 0;
		}
	}
}

static void free_env(struct venv *env)
{
	struct vstack_elem *e;
	struct vstate_list *l, *n;
	struct vframe *f;
	u32 i;

	/* an error leaves paths: their unlisted checkpoints go with them */
	if (env->cur)
		path_done(env, env->cur);
	for (e = env->stack; e; e = e->next)
		path_done(env, e->st);
	while ((e = env->stack)) {
		env->stack = e->next;
		free_state(env, e->st);
		bpf64_free(e);
	}
	free_state(env, env->cur);
	for (i = 0; env->explored && i < env->nr_prune; i++) {
		for (l = env->explored[i]; l; l = n) {
			n = l->next;
			free_state(env, l->st);
			bpf64_free(l);
		}
	}
	while ((f = env->free_frames)) {
		env->free_frames = f->next_free;
		bpf64_free(f->stack);
		bpf64_free(f);
	}
	bpf64_free(env->explored);
	bpf64_free(env->prune_bits);
	bpf64_free(env->prune_rank);
	bpf64_free(env->live_in);
	bpf64_free(env->chain);
	bpf64_free(env->path);
}

static int run_verifier(struct venv *env)
{
	int err;

	err = check_subprogs(env);
	if (!err)
		err = check_subprog_exits(env);
	if (!err)
		err = vpriv_check_cfg(env);
	if (!err)
		err = check_cfg(env);
	if (!err)
		err = index_prune_points(env);
	if (!err)
		err = alloc_liveness(env);
	if (!err)
		err = init_state(env);
	if (!err)
		err = do_check(env);
	if (!err)
		err = check_stack_chain(env);
	return err;
}

/*
 * What the JIT reserves: the deepest function's stack, reads of what was
 * never written included; a program that does those gets its frames
 * zeroed (zero_stack).
 */
static void hand_over_stack(struct bpf64_prog *prog, const struct venv *env)
{
	u32 i, depth = 0;

	for (i = 0; i < env->nr_subprogs; i++)
		depth = max(depth, env->subprog[i].stack_depth);
	prog->zero_stack = env->read_uninit_stack;
	prog->stack_depth = depth;
	prog->stack_verified = true;
}

int bpf64_verify_aux(struct bpf64_prog *prog, struct bpf64_log *log,
		     struct bpf64_insn_aux **auxp)
{
	struct bpf64_log quiet = { };
	struct venv *env;
	int err;

	env = bpf64_zalloc(sizeof(*env));
	if (!env)
		return -ENOMEM;
	env->prog = prog;
	env->insns = prog->insns;
	env->len = prog->len;
	env->log = log;
	err = vpriv_init(env);
	if (err) {
		bpf64_free(env);
		return err;
	}
	env->prune_bits = bpf64_zalloc_array(prog->len / 64 + 1, sizeof(u64));
	env->aux = bpf64_zalloc_array(prog->len, sizeof(*env->aux));
	err = -ENOMEM;
	if (env->prune_bits && env->aux) {
		/*
		 * Level 1 wants the path before the error: the error is
		 * logged into a scratch log, then the path, then the error.
		 */
		if (vlog_path(env)) {
			quiet.size = sizeof(env->buf);
			quiet.buf = bpf64_zalloc(quiet.size);
			quiet.level = 1;
			env->log = quiet.buf ? &quiet : log;
		}
		err = run_verifier(env);
		if (env->log == &quiet) {
			env->log = log;
			if (err)
				log_path(env);
			bpf64_log(log, "%s", quiet.buf);
			bpf64_free(quiet.buf);
		}
		bpf64_log(log, "processed %u insns (limit %u) max_states_per_insn %u total_states %u peak_states %u mark_read %u\n",
			  env->processed, PROCESSED_LIMIT,
			  env->max_states_per_insn, env->total_states,
			  env->peak_states, 0U);
	}
	if (!err)
		hand_over_stack(prog, env);
	if (!err && auxp) {
		*auxp = env->aux;
		env->aux = NULL;
	}
	bpf64_free(env->aux);
	free_env(env);
	bpf64_free(env);
	return err;
}

int bpf64_verify(struct bpf64_prog *prog, struct bpf64_log *log)
{
	return bpf64_verify_aux(prog, log, NULL);
}
