// SPDX-License-Identifier: GPL-2.0
/*
 * The interpreter: decode once into threaded code, then jump from handler to
 * handler (computed goto).  The loop itself is kernel/bpf/interp_loop.h,
 * instantiated here as a trusted and a checked variant.
 */
#include <linux/bpf64/helpers.h>
#include <linux/bpf64/insn.h>
#include <linux/bpf64/map.h>
#include <linux/bpf64/prog.h>
#include "interp.h"

struct interp_run {
	struct bpf64_run *run;
	const struct bpf64_interp_image *img;
	const void *const *table;	/* out: a loop's handler table */
	u64 budget;			/* checked: instructions left */
	u32 depth;			/* frame of the running function */
	bool stopped;			/* a fault ended the program */
	u64 stack_lo[BPF64_MAX_CALL_FRAMES];	/* checked: live stacks */
};

/* Memory accesses of any alignment, as Linux allows them on these hosts. */
static __always_inline u64 load1(u64 a)
{
	return *(u8 *)(unsigned long)a;
}

static __always_inline u64 load2(u64 a)
{
	u16 v;

	memcpy(&v, (void *)(unsigned long)a, sizeof(v));
	return v;
}

static __always_inline u64 load4(u64 a)
{
	u32 v;

	memcpy(&v, (void *)(unsigned long)a, sizeof(v));
	return v;
}

static __always_inline u64 load8(u64 a)
{
	u64 v;

	memcpy(&v, (void *)(unsigned long)a, sizeof(v));
	return v;
}

static __always_inline void store1(u64 a, u64 v)
{
	*(u8 *)(unsigned long)a = v;
}

static __always_inline void store2(u64 a, u64 v)
{
	u16 x = v;

	memcpy((void *)(unsigned long)a, &x, sizeof(x));
}

static __always_inline void store4(u64 a, u64 v)
{
	u32 x = v;

	memcpy((void *)(unsigned long)a, &x, sizeof(x));
}

static __always_inline void store8(u64 a, u64 v)
{
	memcpy((void *)(unsigned long)a, &v, sizeof(v));
}

static u64 fault(struct interp_run *ir, const struct bpf64_iinsn *ii, int err)
{
	ir->stopped = true;
	ir->run->fault.err = err;
	ir->run->fault.insn = ii - ir->img->insns;
	return 0;
}

/* Record a refused memory access; returns false for the caller to pass on. */
static bool fault_mem(struct interp_run *ir, const struct bpf64_iinsn *ii,
		      u64 addr, u32 size, bool write, bool misaligned)
{
	struct bpf64_fault *f = &ir->run->fault;

	fault(ir, ii, -EFAULT);
	f->addr = addr;
	f->size = size;
	f->write = write;
	f->misaligned = misaligned;
	return false;
}

static bool addr_within(u64 addr, u32 size, u64 start, u64 len)
{
	return len >= size && addr - start <= len - size;
}

static bool in_regions(const struct bpf64_region *r, u32 nr, u64 addr,
		       u32 size, bool write)
{
	u32 i;

	for (i = 0; i < nr; i++)
		if (r[i].size && addr_within(addr, size, r[i].start, r[i].size) &&
		    (!write || r[i].writable))
			return true;
	return false;
}

/*
 * Checked mode: is [addr, addr + size) inside a live stack, a region of the
 * run, a map value or ringbuf record the program was handed, or failing
 * those any value a live map hands out?
 */
static bool mem_allowed(const struct interp_run *ir, u64 addr, u32 size,
			bool write)
{
	const struct bpf64_run *run = ir->run;
	u32 i;

	for (i = 0; i <= ir->depth; i++)
		if (addr_within(addr, size, ir->stack_lo[i], BPF64_MAX_STACK))
			return true;
	/* Most accesses go to the value the last lookup returned. */
	return in_regions(&run->windows[(run->next_window - 1) %
					BPF64_RUN_MAX_WINDOWS], 1,
			  addr, size, write) ||
	       in_regions(run->regions, min(run->nr_regions,
					    (u32)BPF64_RUN_MAX_REGIONS),
			  addr, size, write) ||
	       in_regions(run->windows, BPF64_RUN_MAX_WINDOWS, addr, size,
			  write) ||
	       in_regions(run->allocs, BPF64_RUN_MAX_ALLOCS, addr, size,
			  write) ||
	       bpf64_map_mem_ok(addr, size, write);
}

static bool mem_ok(struct interp_run *ir, const struct bpf64_iinsn *ii,
		   u64 addr, u32 size, bool write)
{
	if (mem_allowed(ir, addr, size, write))
		return true;
	return fault_mem(ir, ii, addr, size, write, false);
}

/* Atomics also need natural alignment, everywhere. */
static bool atomic_ok(struct interp_run *ir, const struct bpf64_iinsn *ii,
		      u64 addr, u32 size)
{
	if (addr & (size - 1))
		return fault_mem(ir, ii, addr, size, true, true);
	return mem_ok(ir, ii, addr, size, true);
}

/* ---- checked helper calls: the prototype's promises, at run time ---- */

static bool bad_arg(struct interp_run *ir, const struct bpf64_iinsn *ii,
		    u32 arg, const char *why)
{
	fault(ir, ii, -EINVAL);
	ir->run->fault.addr = arg + 1;
	ir->run->fault.why = why;
	return false;
}

/* The index of @p in the program's used maps, or -1. */
static int used_map_index(const struct bpf64_prog *prog, u64 p)
{
	u32 i;

	for (i = 0; prog && i < prog->nr_used_maps; i++)
		if ((unsigned long)prog->used_maps[i] == p)
			return i;
	return -1;
}

/*
 * May the helper in @slot take @map?  The program's own maps were paired
 * with each helper when the image was built; others (inner maps) now.
 */
static bool map_fits_helper(const struct bpf64_interp_image *img, u32 slot,
			    const struct bpf64_map *map, int used)
{
	if (used >= 0 && used < 64)
		return img->maps_ok[slot] >> used & 1;
	return bpf64_map_func_compatible(map->map_type, img->func_ids[slot]);
}

static struct bpf64_region *find_alloc(struct bpf64_run *run, u64 addr)
{
	u32 i;

	for (i = 0; i < BPF64_RUN_MAX_ALLOCS; i++)
		if (addr && run->allocs[i].start == addr)
			return &run->allocs[i];
	return NULL;
}

static struct bpf64_region *free_alloc_slot(struct bpf64_run *run)
{
	u32 i;

	for (i = 0; i < BPF64_RUN_MAX_ALLOCS; i++)
		if (!run->allocs[i].start)
			return &run->allocs[i];
	return NULL;
}

/* Check one argument; @map is the map argument seen so far. */
static bool check_arg(struct interp_run *ir, const struct bpf64_iinsn *ii,
		      const struct bpf64_func_proto *fn, u32 arg,
		      const u64 *args, struct bpf64_map **map)
{
	u64 v = args[arg];
	u8 next = arg < 4 ? fn->arg_type[arg + 1] : BPF64_ARG_DONTCARE;

	switch (fn->arg_type[arg]) {
	case BPF64_ARG_CONST_MAP_PTR: {
		int used = used_map_index(ir->img->prog, v);

		if (used < 0 && !bpf64_map_ptr_valid(v))
			return bad_arg(ir, ii, arg, "not a map");
		*map = (struct bpf64_map *)(unsigned long)v;
		if (!map_fits_helper(ir->img, ii->imm, *map, used))
			return bad_arg(ir, ii, arg, "a map of a type this helper does not take");
		return true;
	}
	case BPF64_ARG_PTR_TO_MAP_KEY:
		if (!*map || !mem_allowed(ir, v, (*map)->key_size, false))
			return bad_arg(ir, ii, arg, "not a readable key of the map's key_size");
		return true;
	case BPF64_ARG_PTR_TO_MAP_VALUE:
		if (!*map || !mem_allowed(ir, v, (*map)->value_size, false))
			return bad_arg(ir, ii, arg, "not a readable value of the map's value_size");
		return true;
	case BPF64_ARG_PTR_TO_MEM:
	case BPF64_ARG_PTR_TO_UNINIT_MEM:
		if (arg == 4 || (next != BPF64_ARG_CONST_SIZE &&
				 next != BPF64_ARG_CONST_SIZE_OR_ZERO))
			return bad_arg(ir, ii, arg, "memory without a size");
		if (!args[arg + 1])
			return next == BPF64_ARG_CONST_SIZE_OR_ZERO ||
			       bad_arg(ir, ii, arg + 1, "zero size");
		if (args[arg + 1] > (u32)-1 ||
		    !mem_allowed(ir, v, args[arg + 1],
				 fn->arg_type[arg] == BPF64_ARG_PTR_TO_UNINIT_MEM))
			return bad_arg(ir, ii, arg, "memory the program may not touch");
		return true;
	case BPF64_ARG_PTR_TO_CTX:
		if (v != ir->run->ctx)
			return bad_arg(ir, ii, arg, "not the program's context");
		return true;
	case BPF64_ARG_PTR_TO_ALLOC_MEM:
		if (!find_alloc(ir->run, v))
			return bad_arg(ir, ii, arg, "not a live ringbuf record");
		return true;
	}
	return true;	/* scalars and sizes checked with their memory */
}

static bool is_map_of_maps(const struct bpf64_map *map)
{
	return map->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       map->map_type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* What the helper returned becomes memory the program may touch. */
static void grant_ret(struct interp_run *ir, const struct bpf64_func_proto *fn,
		      const u64 *args, struct bpf64_map *map, u64 r0)
{
	struct bpf64_run *run = ir->run;
	struct bpf64_region *slot;

	if (!r0)
		return;
	/* A write-only value gets no window: map_mem_ok refuses its reads. */
	if (fn->ret_type == BPF64_RET_PTR_TO_MAP_VALUE_OR_NULL && map &&
	    !is_map_of_maps(map) && !(map->map_flags & BPF_F_WRONLY_PROG)) {
		slot = &run->windows[run->next_window++ % BPF64_RUN_MAX_WINDOWS];
		*slot = (struct bpf64_region){
			.start = r0, .size = map->value_size,
			.writable = !(map->map_flags & BPF_F_RDONLY_PROG),
		};
	} else if (fn->ret_type == BPF64_RET_PTR_TO_ALLOC_MEM_OR_NULL) {
		slot = free_alloc_slot(run);
		if (slot)
			*slot = (struct bpf64_region){ r0, args[1], true };
	}
}

static bool call_checked(struct interp_run *ir, const struct bpf64_iinsn *ii,
			 u64 *regs)
{
	const struct bpf64_func_proto *fn = ir->img->protos[ii->imm];
	struct bpf64_map *map = NULL;
	struct bpf64_region *rec = NULL;
	u32 i;

	for (i = 0; i < 5; i++) {
		if (!check_arg(ir, ii, fn, i, &regs[BPF_REG_1], &map))
			return false;
		if (fn->arg_type[i] == BPF64_ARG_PTR_TO_ALLOC_MEM)
			rec = find_alloc(ir->run, regs[BPF_REG_1 + i]);
	}
	if (fn->ret_type == BPF64_RET_PTR_TO_ALLOC_MEM_OR_NULL &&
	    !free_alloc_slot(ir->run)) {
		fault(ir, ii, -ENOSPC);
		ir->run->fault.why = "too many ringbuf records held at once";
		return false;
	}
	regs[BPF_REG_0] = fn->func(regs[1], regs[2], regs[3], regs[4], regs[5]);
	if (rec)
		*rec = (struct bpf64_region){ };	/* released */
	grant_ret(ir, fn, &regs[BPF_REG_1], map, regs[BPF_REG_0]);
	return true;
}

struct bpf64_prog *bpf64_tail_call_get(const struct bpf64_run *run,
				      struct bpf64_map *map, u64 index)
{
	if ((u32)index >= map->max_entries ||
	    run->tail_calls >= BPF64_MAX_TAIL_CALL_CNT)
		return NULL;
	return bpf64_prog_array_get(map, index);
}

/*
 * bpf_tail_call(ctx, map, index): on success the program at @index runs in
 * this frame in place of the current one and never comes back; otherwise
 * execution goes on after the call.  At most BPF64_MAX_TAIL_CALL_CNT tail
 * calls happen in one run, as in Linux.  The programs stay held until the
 * run ends.
 */
static const struct bpf64_interp_image *
tail_call_target(struct interp_run *ir, const struct bpf64_iinsn *ii,
		 const u64 *regs)
{
	struct bpf64_run *run = ir->run;
	struct bpf64_map *map;
	struct bpf64_prog *prog;
	u64 index = regs[BPF_REG_3];

	map = (struct bpf64_map *)(unsigned long)regs[BPF_REG_2];
	if (ir->img->mode == BPF64_RUN_CHECKED) {
		if (regs[BPF_REG_1] != run->ctx)
			return bad_arg(ir, ii, 0, "not the program's context"), NULL;
		if ((used_map_index(ir->img->prog, regs[BPF_REG_2]) < 0 &&
		     !bpf64_map_ptr_valid(regs[BPF_REG_2])) ||
		    map->map_type != BPF_MAP_TYPE_PROG_ARRAY)
			return bad_arg(ir, ii, 1, "not a prog array"), NULL;
	}
	prog = bpf64_tail_call_get(run, map, index);
	if (!prog)
		return NULL;
	if (!prog->interp || prog->interp->mode != ir->img->mode) {
		bpf64_prog_put(prog);
		return NULL;
	}
	run->tail_progs[run->tail_calls++] = prog;
	return prog->interp;
}

/* callx: the helper id is in dst (RFC 9669; Linux has no callx). */
static bool call_indirect(struct interp_run *ir, const struct bpf64_iinsn *ii,
			  u64 *regs)
{
	const struct bpf64_prog_ops *ops = ir->img->ops;
	const struct bpf64_func_proto *h = NULL;
	u64 id = regs[ii->dst];

	if (ops && ops->get_func_proto && id <= (u32)-1)
		h = ops->get_func_proto(id, ir->img->prog);
	if (!h) {
		fault(ir, ii, -ENOENT);
		ir->run->fault.addr = id;
		return false;
	}
	regs[BPF_REG_0] = h->func(regs[1], regs[2], regs[3], regs[4], regs[5]);
	return true;
}

/* SKF_NET_OFF and SKF_LL_OFF (Linux's <linux/filter.h>) */
#define BPF64_SKF_NET_OFF	(-0x100000)
#define BPF64_SKF_LL_OFF	(-0x200000)

bool bpf64_load_packet(const struct bpf64_run *run, s32 off, u32 size,
		       u64 *r0)
{
	const u8 *base = run->pkt;
	u64 v = 0;
	u32 i;

	if (off < 0 && off >= BPF64_SKF_NET_OFF) {
		base = run->pkt_net;
		off -= BPF64_SKF_NET_OFF;
	} else if (off < 0 && off >= BPF64_SKF_LL_OFF) {
		base = run->pkt_mac;
		off -= BPF64_SKF_LL_OFF;
	} else if (off < 0) {
		return false;
	}
	if (!base || !run->pkt || base > run->pkt + run->pkt_len ||
	    (u64)off + size > (u64)(run->pkt + run->pkt_len - base))
		return false;
	for (i = 0; i < size; i++)
		v = v << 8 | base[off + i];
	*r0 = v;
	return true;
}

#define INTERP_FN	interp_trusted
#define INTERP_CHECKED	0
#include "interp_loop.h"
#undef INTERP_FN
#undef INTERP_CHECKED

#define INTERP_FN	interp_checked
#define INTERP_CHECKED	1
#include "interp_loop.h"
#undef INTERP_FN
#undef INTERP_CHECKED

/* Each instruction jumps to the next through a label address. */
BPF64_NON_STANDARD_FRAME(interp_trusted);
BPF64_NON_STANDARD_FRAME(interp_checked);

/* Decode: raw instruction to handler, with its variant resolved. */

static const u8 alu_ops[16] = {
	[BPF_ADD >> 4] = OP_ADD64_X,	[BPF_SUB >> 4] = OP_SUB64_X,
	[BPF_MUL >> 4] = OP_MUL64_X,	[BPF_DIV >> 4] = OP_DIV64_X,
	[BPF_OR >> 4] = OP_OR64_X,	[BPF_AND >> 4] = OP_AND64_X,
	[BPF_LSH >> 4] = OP_LSH64_X,	[BPF_RSH >> 4] = OP_RSH64_X,
	[BPF_MOD >> 4] = OP_MOD64_X,	[BPF_XOR >> 4] = OP_XOR64_X,
	[BPF_MOV >> 4] = OP_MOV64_X,	[BPF_ARSH >> 4] = OP_ARSH64_X,
};

static const u8 jmp_ops[16] = {
	[BPF_JEQ >> 4] = OP_JEQ64_X,	[BPF_JNE >> 4] = OP_JNE64_X,
	[BPF_JGT >> 4] = OP_JGT64_X,	[BPF_JGE >> 4] = OP_JGE64_X,
	[BPF_JLT >> 4] = OP_JLT64_X,	[BPF_JLE >> 4] = OP_JLE64_X,
	[BPF_JSGT >> 4] = OP_JSGT64_X,	[BPF_JSGE >> 4] = OP_JSGE64_X,
	[BPF_JSLT >> 4] = OP_JSLT64_X,	[BPF_JSLE >> 4] = OP_JSLE64_X,
	[BPF_JSET >> 4] = OP_JSET64_X,
};

static int form(u8 code)
{
	return (BPF_SRC(code) == BPF_K ? INTERP_FORM_K : 0) +
	       (BPF_CLASS(code) == BPF_ALU || BPF_CLASS(code) == BPF_JMP32 ?
		INTERP_FORM_32 : 0);
}

/* Size field to 0..3 for B, H, W, DW. */
static int size_index(u8 code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B:
		return 0;
	case BPF_H:
		return 1;
	case BPF_W:
		return 2;
	}
	return 3;
}

/* Constant divisors Linux defines specially: 0 always, -1 when signed. */
static int decode_const_div(const struct bpf_insn *insn, bool is64, s32 *imm)
{
	bool mod = BPF_OP(insn->code) == BPF_MOD;

	if (insn->imm == 0) {
		if (!mod) {
			*imm = 0;
			return OP_MOV64_K;		/* x / 0 = 0 */
		}
		return is64 ? OP_NOP : OP_ZEXT32;	/* x % 0 = x */
	}
	if (!mod)
		return is64 ? OP_NEG64 : OP_NEG32;	/* x s/ -1 = -x */
	*imm = 0;
	return OP_MOV64_K;				/* x s% -1 = 0 */
}

static int decode_end(const struct bpf_insn *insn)
{
	static const u8 swap[] = { OP_BSWAP16, OP_BSWAP32, OP_BSWAP64 };
	static const u8 keep[] = { OP_ZEXT16, OP_ZEXT32, OP_NOP };
	int w = insn->imm == 16 ? 0 : insn->imm == 32 ? 1 : 2;
	bool to_be = BPF_SRC(insn->code) == BPF_TO_BE;

	if (BPF_CLASS(insn->code) == BPF_ALU64)		/* BSWAP */
		return swap[w];
	return to_be == BPF64_LITTLE_ENDIAN ? swap[w] : keep[w];
}

static int decode_alu(const struct bpf_insn *insn, s32 *imm)
{
	bool is64 = BPF_CLASS(insn->code) == BPF_ALU64;
	bool k = BPF_SRC(insn->code) == BPF_K;
	int op = alu_ops[BPF_OP(insn->code) >> 4];

	switch (BPF_OP(insn->code)) {
	case BPF_NEG:
		return is64 ? OP_NEG64 : OP_NEG32;
	case BPF_END:
		return decode_end(insn);
	case BPF_MOV:
		if (k || !insn->off)
			break;
		if (insn->off == 8)
			return is64 ? OP_MOVSX64_8 : OP_MOVSX32_8;
		if (insn->off == 16)
			return is64 ? OP_MOVSX64_16 : OP_MOVSX32_16;
		return OP_MOVSX64_32;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		*imm &= is64 ? 63 : 31;
		break;
	case BPF_DIV:
	case BPF_MOD:
		if (k && (insn->imm == 0 ||
			  (insn->off == BPF64_OFF_SIGNED && insn->imm == -1)))
			return decode_const_div(insn, is64, imm);
		if (insn->off == BPF64_OFF_SIGNED)
			op = BPF_OP(insn->code) == BPF_DIV ? OP_SDIV64_X :
							     OP_SMOD64_X;
		break;
	}
	return op + form(insn->code);
}

static int decode_jmp(const struct bpf_insn *insn, s32 *imm)
{
	switch (BPF_OP(insn->code)) {
	case BPF_JA:
		if (BPF_CLASS(insn->code) == BPF_JMP)
			*imm = insn->off;
		return OP_JA;
	case BPF_CALL:
		if (BPF_SRC(insn->code) == BPF_X)
			return OP_CALLX;
		return insn->src_reg == BPF_PSEUDO_CALL ? OP_CALL_LOCAL :
							  OP_CALL_HELPER;
	case BPF_EXIT:
		return OP_EXIT;
	}
	return jmp_ops[BPF_OP(insn->code) >> 4] + form(insn->code);
}

static int decode_atomic(const struct bpf_insn *insn)
{
	static const u8 ops32[] = {
		OP_ATOMIC32_ADD, OP_ATOMIC32_AND, OP_ATOMIC32_OR, OP_ATOMIC32_XOR,
		OP_ATOMIC32_FETCH_ADD, OP_ATOMIC32_FETCH_AND,
		OP_ATOMIC32_FETCH_OR, OP_ATOMIC32_FETCH_XOR,
		OP_ATOMIC32_XCHG, OP_ATOMIC32_CMPXCHG,
	};
	int delta = OP_ATOMIC64_ADD - OP_ATOMIC32_ADD;
	int i;

	switch (insn->imm & ~BPF_FETCH) {
	case BPF_ADD:
		i = 0;
		break;
	case BPF_AND:
		i = 1;
		break;
	case BPF_OR:
		i = 2;
		break;
	case BPF_XOR:
		i = 3;
		break;
	default:	/* the checker let only XCHG and CMPXCHG through */
		i = insn->imm == BPF_XCHG ? 8 : 9;
		break;
	}
	if (i < 4 && (insn->imm & BPF_FETCH))
		i += 4;
	return ops32[i] + (BPF_SIZE(insn->code) == BPF_DW ? delta : 0);
}

static int decode(const struct bpf_insn *insn, s32 *imm)
{
	int sz = size_index(insn->code);

	*imm = insn->imm;
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return decode_alu(insn, imm);
	case BPF_JMP:
	case BPF_JMP32:
		return decode_jmp(insn, imm);
	case BPF_LD:
		if (BPF_MODE(insn->code) == BPF_IMM)
			return OP_LD_IMM64;
		return (BPF_MODE(insn->code) == BPF_ABS ? OP_LD_ABS_B :
			OP_LD_IND_B) + sz;
	case BPF_LDX:
		return (BPF_MODE(insn->code) == BPF_MEMSX ? OP_LDXS_B :
			OP_LDX_B) + sz;
	case BPF_ST:
		if (BPF_MODE(insn->code) == BPF64_NOSPEC)
			return OP_NOSPEC;
		return OP_ST_B + sz;
	default:	/* BPF_STX */
		if (BPF_MODE(insn->code) == BPF_ATOMIC)
			return decode_atomic(insn);
		return OP_STX_B + sz;
	}
}

static u32 count_helper_calls(const struct bpf64_prog *prog)
{
	u32 i, n = 0;

	for (i = 0; i < prog->len; i++)
		n += prog->insns[i].code == (BPF_JMP | BPF_CALL) &&
		     prog->insns[i].src_reg == 0;
	return n;
}

/* Resolve a helper call to a slot of img->helpers. */
static int bind_helper(struct bpf64_interp_image *img, u32 i, s32 *imm,
		       u32 *nr_bound, struct bpf64_log *log)
{
	const struct bpf64_func_proto *h = NULL;
	u32 m;

	if (img->ops && img->ops->get_func_proto)
		h = img->ops->get_func_proto(*imm, img->prog);
	if (!h) {
		bpf64_log(log, "insn %u: unknown helper %d for program type %s\n",
			  i, *imm, img->ops ? img->ops->name : "raw");
		return -EINVAL;
	}
	img->helpers[*nr_bound] = h->func;
	img->protos[*nr_bound] = h;
	img->func_ids[*nr_bound] = *imm;
	for (m = 0; img->prog && m < img->prog->nr_used_maps && m < 64; m++)
		if (bpf64_map_func_compatible(img->prog->used_maps[m]->map_type,
					      *imm))
			img->maps_ok[*nr_bound] |= 1ULL << m;
	*imm = (*nr_bound)++;
	return 0;
}

void bpf64_interp_image_free(struct bpf64_interp_image *img)
{
	if (!img)
		return;
	bpf64_free(img->helpers);
	bpf64_free(img->protos);
	bpf64_free(img->func_ids);
	bpf64_free(img->maps_ok);
	bpf64_free(img);
}

static const void *const *loop_table(enum bpf64_run_mode mode)
{
	struct interp_run ir = { };

	if (mode == BPF64_RUN_TRUSTED)
		interp_trusted(NULL, NULL, &ir);
	else
		interp_checked(NULL, NULL, &ir);
	return ir.table;
}

static int decode_image(struct bpf64_interp_image *img,
			const struct bpf64_prog *prog, struct bpf64_log *log)
{
	const void *const *table = loop_table(img->mode);
	u32 i, nr_bound = 0;
	int op, err;
	s32 imm;

	for (i = 0; i < prog->len; i++) {
		const struct bpf_insn *insn = &prog->insns[i];
		struct bpf64_iinsn *ii = &img->insns[i];

		op = decode(insn, &imm);
		if (op == OP_CALLX && img->mode == BPF64_RUN_TRUSTED) {
			bpf64_log(log, "insn %u: callx runs only in checked mode\n", i);
			return -EINVAL;
		}
		if (op == OP_CALL_HELPER) {
			if (insn->imm == BPF_FUNC_tail_call)
				op = OP_TAIL_CALL;
			err = bind_helper(img, i, &imm, &nr_bound, log);
			if (err)
				return err;
		}
		*ii = (struct bpf64_iinsn) {
			.code = table[op], .dst = insn->dst_reg,
			.src = insn->src_reg, .off = insn->off, .imm = imm,
		};
		if (op == OP_LD_IMM64) {	/* the tail is data, never run */
			img->insns[i + 1].imm = insn[1].imm;
			i++;
		}
	}
	return 0;
}

int bpf64_interp_prepare(struct bpf64_prog *prog, enum bpf64_run_mode mode,
			 struct bpf64_log *log)
{
	struct bpf64_interp_image *img;
	u32 nr_calls = count_helper_calls(prog);
	int err;

	img = bpf64_zalloc(sizeof(*img) +
			   (size_t)prog->len * sizeof(struct bpf64_iinsn));
	if (!img)
		return -ENOMEM;
	img->mode = mode;
	img->len = prog->len;
	img->ops = prog->ops;
	img->prog = prog;
	if (nr_calls) {
		img->helpers = bpf64_zalloc_array(nr_calls, sizeof(*img->helpers));
		img->protos = bpf64_zalloc_array(nr_calls, sizeof(*img->protos));
		img->func_ids = bpf64_zalloc_array(nr_calls,
						   sizeof(*img->func_ids));
		img->maps_ok = bpf64_zalloc_array(nr_calls,
						  sizeof(*img->maps_ok));
		if (!img->helpers || !img->protos || !img->func_ids ||
		    !img->maps_ok) {
			bpf64_free(img->helpers);
			bpf64_free(img->protos);
			bpf64_free(img->func_ids);
			bpf64_free(img->maps_ok);
			bpf64_free(img);
			return -ENOMEM;
		}
	}
	err = decode_image(img, prog, log);
	if (err) {
		bpf64_interp_image_free(img);
		return err;
	}
	bpf64_interp_image_free(prog->interp);
	prog->interp = img;
	return 0;
}

/* Global data (.data, .rodata, .bss) is the program's from the start. */
static void grant_global_data(const struct bpf64_prog *prog,
			      struct bpf64_run *run)
{
	u32 i;

	for (i = 0; i < prog->nr_used_maps; i++) {
		const struct bpf64_map *map = prog->used_maps[i];
		u64 addr;

		if (!map->ops->map_direct_value_addr ||
		    map->ops->map_direct_value_addr(map, &addr, 0))
			continue;
		run->windows[run->next_window++ % BPF64_RUN_MAX_WINDOWS] =
			(struct bpf64_region){
				.start = addr, .size = map->value_size,
				.writable = !(map->map_flags & BPF_F_RDONLY_PROG),
			};
	}
}

/* A record reserved and never submitted: discard it, and say so. */
static void check_released(struct interp_run *ir)
{
	struct bpf64_run *run = ir->run;
	u32 i;

	for (i = 0; i < BPF64_RUN_MAX_ALLOCS; i++) {
		if (!run->allocs[i].start)
			continue;
		bpf64_ringbuf_discard_proto.func(run->allocs[i].start, 0, 0, 0, 0);
		run->allocs[i] = (struct bpf64_region){ };
		if (!run->fault.err) {
			run->fault.err = -ENOSPC;
			run->fault.insn = ir->img->len - 1;
			run->fault.why = "a ringbuf record was neither submitted nor discarded";
		}
	}
}

static void run_end(struct bpf64_run *run)
{
	while (run->tail_calls)
		bpf64_prog_put(run->tail_progs[--run->tail_calls]);
}

int bpf64_interp_run(const struct bpf64_prog *prog, struct bpf64_run *run,
		     u64 *r0)
{
	const struct bpf64_interp_image *img = prog->interp;
	struct interp_run ir = { .run = run, .img = img };
	u64 budget = run->budget ? run->budget : BPF64_RUN_DEFAULT_BUDGET;

	memset(&run->fault, 0, sizeof(run->fault));
	run->executed = 0;
	run->tail_calls = 0;
	if (!img)
		return -EINVAL;
	if (img->mode == BPF64_RUN_TRUSTED) {
		*r0 = interp_trusted(img->insns, run->args, &ir);
		run_end(run);
		return 0;
	}
	memset(run->windows, 0, sizeof(run->windows));
	memset(run->allocs, 0, sizeof(run->allocs));
	run->next_window = 0;
	grant_global_data(prog, run);
	ir.budget = budget;
	*r0 = interp_checked(img->insns, run->args, &ir);
	run->executed = budget - ir.budget;
	if (!run->fault.err)
		check_released(&ir);
	run_end(run);
	return run->fault.err;
}

void bpf64_fault_log(const struct bpf64_fault *f, struct bpf64_log *log)
{
	switch (f->err) {
	case 0:
		break;
	case -EFAULT:
		if (f->misaligned)
			bpf64_log(log, "insn %u: misaligned %u-byte atomic access at 0x%llx\n",
				  f->insn, f->size, (unsigned long long)f->addr);
		else
			bpf64_log(log, "insn %u: invalid %s of %u bytes at 0x%llx: outside the stack and the program's memory\n",
				  f->insn, f->write ? "write" : "read", f->size,
				  (unsigned long long)f->addr);
		break;
	case -ELOOP:
		bpf64_log(log, "insn %u: instruction budget exhausted\n", f->insn);
		break;
	case -E2BIG:
		bpf64_log(log, "insn %u: the call stack of %d frames is too deep\n",
			  f->insn, BPF64_MAX_CALL_FRAMES + 1);
		break;
	case -ENOENT:
		bpf64_log(log, "insn %u: callx to unknown helper %llu\n",
			  f->insn, (unsigned long long)f->addr);
		break;
	case -EINVAL:
		bpf64_log(log, "insn %u: helper argument %llu: %s\n", f->insn,
			  (unsigned long long)f->addr, f->why);
		break;
	case -ENOSPC:
		bpf64_log(log, "insn %u: %s\n", f->insn, f->why);
		break;
	default:
		bpf64_log(log, "insn %u: error %d\n", f->insn, f->err);
		break;
	}
}
