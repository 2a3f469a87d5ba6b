// SPDX-License-Identifier: GPL-2.0
/*
 * The x86-64 JIT's layout, images and runs.
 *
 * Layout in one emission: every instruction is emitted once into a
 * buffer, jumps between instructions and local calls in their long form
 * (rel32), each recorded, and so are loop heads.  Relaxation then works
 * on that list alone: all jumps start short; a pass lays the list out
 * (the bytes short jumps save, the padding that aligns loop heads and
 * keeps jumps within 32-byte blocks) and makes long every short one whose
 * displacement does not fit in 8 bits, until a pass changes nothing.  The
 * code is then copied once into the image with the padding and each jump
 * in its final form; code between items moves as a block, so the
 * position-independent short jumps inside one instruction's code stay
 * right.
 *
 * An image is the C function u64 fn(r1, r2, r3, r4, r5, struct jit_run *).
 * Where tail calls or packet loads need the run, it starts with a stub
 * that keeps the run in r12 for the whole run and calls the main
 * function, which tail calls enter directly; otherwise it is the main
 * function.  Images start at a BPF64_JIT_ALIGN boundary, so that the
 * 32-byte alignment of loop heads holds in memory.
 */
#include <linux/bpf64/map.h>
#include "bpf_jit.h"

/* Relaxation passes before every jump is simply made long. */
#define JIT_MAX_RELAX	16

struct bpf64_jit_image {
	u8 *code;
	u32 len;
	u32 main;		/* where the main function starts */
	size_t alloc;
};

/* push r12; mov r12, r9; call main; pop r12; ret */
static const u8 jit_stub[JIT_STUB_LEN] = {
	0x41, 0x54, 0x4d, 0x89, 0xcc, 0xe8, 3, 0, 0, 0, 0x41, 0x5c, 0xc3,
};

static u32 long_len(const struct jit_jump *j)
{
	static const u8 len[3] = { 5, 5, 0 };	/* JIT_JMP, JIT_CALL, JIT_ALIGN */

	return j->kind < JIT_JMP ? 6 : len[j->kind - JIT_JMP];
}

static u32 jump_len(const struct jit_jump *j)
{
	return j->is_short ? 2 : long_len(j);
}

/*
 * Where buffer offset @x (an instruction's start, whose first item is
 * @idx) lands: after the padding of items that pad right there, so that a
 * jump to an aligned loop head lands on the head, not on the NOPs.
 */
static s64 final_pos(const struct jit_ctx *c, u32 x, u32 idx)
{
	const struct jit_jump *j = &c->jumps[idx];
	s64 d = j->delta;

	for (; j->start == x; j++)
		d += j->pad;
	return x + d;
}

/* The displacement of @j in the layout its delta fields describe. */
static s64 jump_rel(const struct jit_ctx *c, const struct jit_jump *j)
{
	u32 t = j->target;
	u32 to = j->kind == JIT_CALL ? c->off[t] : c->body[t];

	return final_pos(c, to, c->nj[t]) -
	       ((s64)j->at + j->delta + j->pad + jump_len(j));
}

/*
 * The padding an item needs where it would start (@pos): a loop head to
 * the next 32-byte boundary; on CPUs with Intel's JCC erratum
 * (ask_jcc_erratum()), a jump with its fused compare (@len bytes) so that
 * it neither crosses nor ends at one, as the assembler's
 * -mbranches-within-32B-boundaries.  Local calls do not need it.
 */
static u32 item_pad(const struct jit_ctx *c, const struct jit_jump *j,
		    s64 pos, u32 len)
{
	u32 gap = -pos & 31;

	if (j->kind == JIT_ALIGN)
		return gap;
	if (!c->jcc_pad || j->kind == JIT_CALL || (pos & 31) + len < 32)
		return 0;
	return gap;
}

/* Each item's padding and delta for the current jump forms. */
static void set_layout(struct jit_ctx *c)
{
	struct jit_jump *j, *end = c->jumps + c->nr_jumps;
	s32 delta = 0;

	for (j = c->jumps; j < end; j++) {
		j->delta = delta;
		j->pad = item_pad(c, j, (s64)j->start + delta,
				  j->at - j->start + jump_len(j));
		delta += j->pad + jump_len(j) - long_len(j);
	}
	end->delta = delta;
}

/*
 * Jumps only ever go from short to long, and the layout (paddings
 * included) is a function of the jump forms, so the passes end; the last
 * one checked every short jump against the final layout.
 */
static void relax(struct jit_ctx *c)
{
	struct jit_jump *j, *end = c->jumps + c->nr_jumps;
	bool changed = true;
	int pass;

	for (j = c->jumps; j < end; j++)
		j->is_short = j->kind < JIT_CALL;
	for (pass = 0; changed && pass < JIT_MAX_RELAX; pass++) {
		set_layout(c);
		changed = false;
		for (j = c->jumps; j < end; j++) {
			if (j->is_short && !is_imm8(jump_rel(c, j))) {
				j->is_short = false;
				changed = true;
			}
		}
	}
	if (changed) {
		for (j = c->jumps; j < end; j++)
			j->is_short = false;
		set_layout(c);
	}
}

/* Intel's recommended NOPs of 1 to 9 bytes. */
static const u8 jit_nops[9][9] = {
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

static u8 *emit_nops(u8 *out, u32 n)
{
	u32 k;

	for (; n; n -= k, out += k) {
		k = min(n, 9U);
		memcpy(out, jit_nops[k - 1], k);
	}
	return out;
}

/* The buffer's code into @out, with padding, jumps in their final form. */
static void copy_out(const struct jit_ctx *c, u8 *out)
{
	const struct jit_jump *j, *end = c->jumps + c->nr_jumps;
	u32 src = 0, n;
	s32 rel;

	for (j = c->jumps; j < end; j++) {
		n = j->start - src;
		memcpy(out, c->buf + src, n);
		out = emit_nops(out + n, j->pad);
		src = j->start;
		if (j->kind == JIT_ALIGN)
			continue;
		n = j->at - src;
		memcpy(out, c->buf + src, n);
		out += n;
		rel = jump_rel(c, j);
		if (j->is_short) {
			*out++ = j->kind == JIT_JMP ? 0xeb : 0x70 | j->kind;
			*out++ = rel;
		} else {
			if (j->kind == JIT_JMP || j->kind == JIT_CALL) {
				*out++ = j->kind == JIT_JMP ? 0xe9 : 0xe8;
			} else {
				*out++ = 0x0f;
				*out++ = 0x80 | j->kind;
			}
			memcpy(out, &rel, 4);
			out += 4;
		}
		src = j->at + long_len(j);
	}
	memcpy(out, c->buf + src, c->pos - src);
}

static int grow_buf(struct jit_ctx *c)
{
	u32 cap = c->cap * 2;
	u8 *buf = bpf64_zalloc(cap);

	if (!buf)
		return -ENOMEM;
	memcpy(buf, c->buf, c->pos);
	bpf64_free(c->buf);
	c->buf = buf;
	c->cap = cap;
	return 0;
}

static int emit_all(struct jit_ctx *c)
{
	u32 i;
	int err;

	if (c->stub) {
		memcpy(c->buf, jit_stub, JIT_STUB_LEN);
		c->pos = JIT_STUB_LEN;
	}
	for (i = 0; i < c->len; i++) {
		if (c->pos + JIT_MAX_INSN_BYTES > c->cap && grow_buf(c))
			return -ENOMEM;
		c->off[i] = c->pos;
		c->nj[i] = c->nr_jumps;
		err = bpf64_jit_emit_insn(c, i);
		if (err)
			return err;
		/* an LD_IMM64's second half is data; fused insns are done */
		c->fused += bpf64_is_ldimm64(&c->insns[i]);
		for (; c->fused; c->fused--) {
			i++;
			c->off[i] = c->body[i] = c->pos;
			c->nj[i] = c->nr_jumps;
		}
	}
	c->off[c->len] = c->body[c->len] = c->pos;
	c->nj[c->len] = c->nr_jumps;
	c->jumps[c->nr_jumps].start = ~0U;	/* the sentinel */
	return 0;
}

static void jit_ctx_free(struct jit_ctx *c)
{
	bpf64_free(c->jumps);
	bpf64_free(c->buf);
}

/* The jump list's room: two items per jump-class insn, and a sentinel. */
static size_t jump_room(const struct bpf_insn *insns, u32 len)
{
	size_t n = 1;
	u32 i;

	for (i = 0; i < len; i++)
		n += 2 * bpf64_is_jmp_class(insns[i].code);
	return n;
}

/* The jump list and the per-instruction arrays in one allocation. */
static int jit_ctx_init(struct jit_ctx *c, const struct bpf64_prog *prog,
			const struct bpf_insn *insns, u32 len,
			struct bpf64_log *log)
{
	size_t n = (size_t)len + 1, nj = jump_room(insns, len);
	u8 *p;

	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->insns = insns;
	c->len = len;
	c->log = log;
	/* unverified programs (tests, raw runs) get Linux's whole stack */
	c->frame = prog->stack_verified ? round_up(prog->stack_depth, 8) :
		   JIT_FRAME;
	c->jumps = bpf64_zalloc(nj * sizeof(struct jit_jump) +
				n * (3 * sizeof(u32) + 2));
	c->cap = len * 12 + 2 * JIT_MAX_INSN_BYTES;
	c->buf = bpf64_zalloc(c->cap);
	if (!c->jumps || !c->buf)
		return -ENOMEM;
	p = (u8 *)(c->jumps + nj);
	c->off = (u32 *)p;
	c->body = c->off + n;
	c->nj = c->body + n;
	c->saves = (u8 *)(c->nj + n);
	c->mark = c->saves + n;
	bpf64_jit_find_functions(c);
	return 0;
}

/*
 * Lay the code out, the last unit's slack filled with traps, in the
 * buffer's free tail where it fits, and put it into executable memory:
 * the image is never writable.
 */
static int jit_finish(struct jit_ctx *c, struct bpf64_jit_image **imgp)
{
	struct bpf64_jit_image *img = bpf64_zalloc(sizeof(*img));
	u8 *out;

	if (!img)
		return -ENOMEM;
	relax(c);
	img->len = c->pos + c->jumps[c->nr_jumps].delta;
	img->main = c->stub ? JIT_STUB_LEN : 0;
	img->alloc = round_up(img->len, BPF64_JIT_ALIGN);
	out = c->cap - c->pos >= img->alloc ? c->buf + c->pos :
	      bpf64_zalloc(img->alloc);
	if (!out) {
		bpf64_free(img);
		return -ENOMEM;
	}
	memset(out + img->len, JIT_TRAP, img->alloc - img->len);
	copy_out(c, out);
	img->code = bpf64_jit_alloc(out, img->alloc);
	if (out != c->buf + c->pos)
		bpf64_free(out);
	if (!img->code) {
		/* the kernel home has none: such programs stay interpreted */
		bpf64_free(img);
		bpf64_log(c->log, "no executable memory for the JIT image");
		return -EOPNOTSUPP;
	}
	*imgp = img;
	return 0;
}

/* eax, ebx, ecx, edx of cpuid @leaf (subleaf 0). */
static void jit_cpuid(u32 leaf, u32 r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]),
				   "=d"(r[3])
			 : "a"(leaf), "c"(0));
}

/* A CPU feature, asked once: *cached is -1 until then. */
static bool jit_cpu_cached(int *cached, bool (*ask)(void))
{
	int v = READ_ONCE(*cached);

	if (v < 0) {
		v = ask();
		WRITE_ONCE(*cached, v);
	}
	return v;
}

/* BMI2: cpuid leaf 7, ebx bit 8. */
static bool ask_bmi2(void)
{
	u32 r[4];

	jit_cpuid(0, r);
	if (r[0] < 7)
		return false;
	jit_cpuid(7, r);
	return r[1] >> 8 & 1;
}

/*
 * Intel's JCC erratum: on Skylake-derived cores (Skylake, Cascade and
 * Cooper Lake, Kaby, Amber, Whiskey, Coffee and Comet Lake) a jump that
 * crosses or ends at a 32-byte boundary leaves the decoded-instruction
 * cache.  Elsewhere the padding that avoids it only costs (flow: 208
 * against 193 ns on a model 207 Xeon).
 */
static bool ask_jcc_erratum(void)
{
	static const u8 models[] = { 0x4e, 0x5e, 0x55, 0x8e, 0x9e, 0xa5, 0xa6 };
	u32 r[4], family, model, i;

	jit_cpuid(0, r);
	/* "GenuineIntel" in ebx, edx, ecx */
	if (r[1] != 0x756e6547 || r[3] != 0x49656e69 || r[2] != 0x6c65746e)
		return false;
	jit_cpuid(1, r);
	family = r[0] >> 8 & 0xf;
	model = (r[0] >> 4 & 0xf) | (r[0] >> 12 & 0xf0);
	for (i = 0; family == 6 && i < ARRAY_SIZE(models); i++)
		if (model == models[i])
			return true;
	return false;
}

int bpf64_jit_compile(const struct bpf64_prog *prog, u32 flags,
		      struct bpf64_log *log, struct bpf64_jit_image **imgp)
{
	const struct bpf_insn *insns = prog->insns;
	struct bpf_insn *blinded = NULL;
	u32 len = prog->len;
	struct jit_ctx c;
	int err;

	*imgp = NULL;
	static int bmi2 = -1, jcc_erratum = -1;

	if (flags & ~(BPF64_JIT_F_BLIND | BPF64_JIT_F_NO_BMI2 |
		      BPF64_JIT_F_JCC_PAD)) {
		bpf64_log(log, "JIT flags 0x%x not supported\n", flags);
		return -EOPNOTSUPP;
	}
	if (flags & BPF64_JIT_F_BLIND) {
		err = bpf64_jit_blind(prog->insns, prog->len, &blinded, &len,
				      log);
		if (err)
			return err;
		insns = blinded;
	}
	err = jit_ctx_init(&c, prog, insns, len, log);
	c.bmi2 = !(flags & BPF64_JIT_F_NO_BMI2) &&
		 jit_cpu_cached(&bmi2, ask_bmi2);
	c.jcc_pad = (flags & BPF64_JIT_F_JCC_PAD) ||
		    jit_cpu_cached(&jcc_erratum, ask_jcc_erratum);
	if (!err)
		err = emit_all(&c);
	if (!err)
		err = jit_finish(&c, imgp);
	jit_ctx_free(&c);
	bpf64_free(blinded);
	return err;
}

/* ---- what JITed code calls back into ---- */

/*
 * The target of a tail call, as the interpreter's tail_call_target(): the
 * index must be below max_entries, at most BPF64_MAX_TAIL_CALL_CNT tail
 * calls happen in one run, the slot must hold a program, and that program
 * must have an image.  Loading keeps JITed and interpreted programs out of
 * each other's PROG_ARRAYs (bpf64_prog_array_compatible), as Linux does;
 * a program compiled outside BPF_PROG_LOAD may still meet one, and its
 * call then fails.  The program is held until the run ends, so it cannot
 * be freed while it runs.
 */
const u8 *bpf64_jit_tail_target(struct jit_run *jr, struct bpf64_map *map,
				u64 index)
{
	struct bpf64_run *run = jr->run;
	struct bpf64_prog *prog;

	prog = bpf64_tail_call_get(run, map, index);
	if (!prog)
		return NULL;
	if (!prog->jit) {
		bpf64_prog_put(prog);
		return NULL;
	}
	run->tail_progs[run->tail_calls++] = prog;
	return prog->jit->code + prog->jit->main;
}

/*
 * What the inline packet load left (offsets below 0, misses): the
 * interpreter's rules.  The value, or JIT_PKT_MISS.
 */
u64 bpf64_jit_load_packet(const struct jit_run *jr, s64 off, u64 size)
{
	u64 v;

	return bpf64_load_packet(jr->run, (s32)off, size, &v) ? v :
								 JIT_PKT_MISS;
}

/*
 * clang's -fsanitize=function checks an indirect call by reading a type
 * signature just before the callee, which generated code does not have.
 */
#ifdef __clang__
#define JIT_NO_SANITIZE_CALL __attribute__((no_sanitize("function")))
#else
#define JIT_NO_SANITIZE_CALL
#endif

typedef u64 (*jit_entry_fn)(u64, u64, u64, u64, u64, struct jit_run *);

JIT_NO_SANITIZE_CALL
u64 bpf64_jit_run(const struct bpf64_jit_image *img, struct bpf64_run *run)
{
	struct jit_run jr = {
		.pkt = run->pkt,
		.pkt_len = run->pkt ? run->pkt_len : 0,
		.run = run,
	};
	jit_entry_fn fn = (jit_entry_fn)(unsigned long)img->code;
	u64 r0;

	run->tail_calls = 0;
	r0 = fn(run->args[0], run->args[1], run->args[2], run->args[3],
		run->args[4], &jr);
	while (run->tail_calls)
		bpf64_prog_put(run->tail_progs[--run->tail_calls]);
	return r0;
}

const u8 *bpf64_jit_code(const struct bpf64_jit_image *img, u32 *len)
{
	*len = img->len;
	return img->code;
}

/*
 * Freed code becomes traps before its memory goes back; memory that could
 * not be cleared is never handed out again.
 */
void bpf64_jit_image_free(struct bpf64_jit_image *img)
{
	u8 *traps;

	if (!img)
		return;
	traps = bpf64_zalloc(img->alloc);
	if (traps) {
		memset(traps, JIT_TRAP, img->alloc);
		if (!bpf64_jit_write(img->code, traps, img->alloc))
			bpf64_jit_free(img->code, img->alloc);
		bpf64_free(traps);
	}
	bpf64_free(img);
}
