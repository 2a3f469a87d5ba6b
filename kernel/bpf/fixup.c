// SPDX-License-Identifier: GPL-2.0
/*
 * Rewrites after verification (include/linux/bpf64/fixup.h).
 *
 * Every rewrite is decided per original instruction, from the verifier's
 * facts about it (struct bpf64_insn_aux), and recorded in one patch set
 * over a working copy of the program, which the patcher lays out once:
 *
 *  - hard-wired branches are changed in the copy itself, so that the JA
 *    they become is an original jump the patcher re-aims;
 *  - what Linux's opt_remove_dead_code and opt_remove_nops would delete
 *    is found with a prefix count of reached instructions: a JA goes when
 *    nothing reached lies between it and its target, which is what
 *    "ja 0" after Linux's removal means.  Linux's nop pass runs forward
 *    once and never returns to a jump that a later removal turns into a
 *    nop; neither does this;
 *  - an access or a call is replaced by its conversion, and each
 *    instruction that comes out gets the zero extension or random upper
 *    half its definition needs (as Linux's opt_subreg_zext_lo32_rnd_hi32
 *    after the other passes: the last instruction of a conversion
 *    inherits the original's verdict, the others zero-extend any 32-bit
 *    definition when the JIT asks).
 *
 * The random upper half is written without a scratch register (bpf64 has
 * no BPF_REG_AX): swap the bytes, put a random non-zero 31-bit number in
 * the lower half, swap back.  Three instructions, as Linux's three.
 */
#include <linux/bpf64/ctx_rewrite.h>
#include <linux/bpf64/patch.h>
#include <linux/bpf64/verifier.h>
#include "fixup.h"

/* One converted instruction's growth: at most 3 per instruction. */
#define CONV_MAX	(BPF64_CTX_PATCH_BUF > FIXUP_INLINE_MAX ? \
			 BPF64_CTX_PATCH_BUF : FIXUP_INLINE_MAX)
#define OUT_MAX		(CONV_MAX * 4)

struct fixup {
	struct bpf64_prog *prog;
	const struct bpf64_insn_aux *aux;
	const struct bpf64_fixup_opts *opts;
	struct bpf64_log *log;
	/* the program, branches hard-wired (a copy once one is) */
	struct bpf_insn *work;
	bool own_work;
	u32 len;
	u32 *seen_before;		/* reached insns in [0, i), or NULL */
	bool *zext_dst;			/* NULL: no 32-bit def needs care */
	bool cmpxchg32;			/* the program has a 32-bit cmpxchg */
	bool sanitize;			/* some insn needs bpf64_sanitize() */
	struct bpf64_patch_set set;
};

static u32 insn_width(const struct fixup *fx, u32 i)
{
	return i + 1 < fx->len && bpf64_is_ldimm64(&fx->work[i]) ? 2 : 1;
}

static bool is_cond_jump(u8 code)
{
	u8 op = BPF_OP(code);

	if (BPF_CLASS(code) == BPF_JMP32)
		return op != BPF_JA;
	return BPF_CLASS(code) == BPF_JMP && op != BPF_JA && op != BPF_EXIT &&
	       op != BPF_CALL;
}

/* The work copy, made when a pass first changes the program. */
static int own_work(struct fixup *fx)
{
	struct bpf_insn *w;

	if (fx->own_work)
		return 0;
	w = bpf64_zalloc_array(fx->len, sizeof(*w));
	if (!w)
		return -ENOMEM;
	memcpy(w, fx->work, (size_t)fx->len * sizeof(*w));
	fx->work = w;
	fx->own_work = true;
	return 0;
}

/*
 * Linux's opt_hard_wire_dead_code_branches: a conditional jump whose
 * fall-through was never reached always jumps, one whose target was
 * never reached never does.
 */
static int hard_wire_branch(struct fixup *fx, u32 i)
{
	const struct bpf_insn ja = { .code = BPF_JMP | BPF_JA };
	struct bpf_insn *insn = &fx->work[i];

	if (!is_cond_jump(insn->code) || !fx->aux[i].seen ||
	    (fx->aux[i + 1].seen && fx->aux[i + 1 + insn->off].seen))
		return 0;
	if (own_work(fx))
		return -ENOMEM;
	insn = &fx->work[i];
	if (!fx->aux[i + 1].seen)
		*insn = (struct bpf_insn){ .code = ja.code, .off = insn->off };
	else
		*insn = ja;
	return 0;
}

/*
 * One walk before the others: the branches of a privileged program
 * hard-wired, and whether a 32-bit cmpxchg is there (Linux zero-extends
 * its r0 for every JIT).
 */
static int scan(struct fixup *fx)
{
	const struct bpf_insn *insn;
	int err = 0;
	u32 i;

	for (i = 0; !err && i < fx->len; i += insn_width(fx, i)) {
		insn = &fx->work[i];
		fx->cmpxchg32 |= insn->code == (BPF_STX | BPF_ATOMIC | BPF_W) &&
				 insn->imm == BPF_CMPXCHG;
		if (!fx->opts->unpriv)
			err = hard_wire_branch(fx, i);
	}
	return err;
}

static int count_seen(struct fixup *fx)
{
	u32 i;

	fx->seen_before = bpf64_zalloc_array((size_t)fx->len + 1,
					     sizeof(u32));
	if (!fx->seen_before)
		return -ENOMEM;
	for (i = 0; i < fx->len; i++)
		fx->seen_before[i + 1] = fx->seen_before[i] + fx->aux[i].seen;
	return 0;
}

/*
 * A JA that leads, once dead code is gone, to the next instruction: 1,
 * else 0 (or -ENOMEM).  The reached insns are counted at the first JA.
 */
static int is_nop_after_removal(struct fixup *fx, u32 i)
{
	const struct bpf_insn *insn = &fx->work[i];
	s64 t = (s64)i + 1 + insn->off;

	if (insn->code != (BPF_JMP | BPF_JA) || insn->dst_reg ||
	    insn->src_reg || insn->imm || t < i + 1)
		return 0;
	if (!fx->seen_before && count_seen(fx))
		return -ENOMEM;
	return fx->seen_before[t] == fx->seen_before[i + 1];
}

/* Instructions whose zero extensions need a look: with some to do. */
static int find_hi32(struct fixup *fx)
{
	if (!fx->opts->zext && !fx->opts->rnd_hi32 && !fx->cmpxchg32)
		return 0;
	fx->zext_dst = bpf64_zalloc_array(fx->len, sizeof(bool));
	if (!fx->zext_dst)
		return -ENOMEM;
	return fixup_hi32_live(fx->work, fx->len, fx->zext_dst);
}

/*
 * What follows @insn, the instruction at @i's conversion (its last one if
 * @last), for its 32-bit definition: into @out, the count.
 */
static u32 hi32_patch(const struct fixup *fx, u32 i,
		      const struct bpf_insn *insn, bool last,
		      struct bpf_insn *out)
{
	int r = fixup_def32(insn);
	u32 k;

	if (r < 0 || !fx->zext_dst)
		return 0;
	if (!last || fx->zext_dst[i]) {
		if (!fx->opts->zext && !(BPF_CLASS(insn->code) == BPF_STX &&
					 insn->imm == BPF_CMPXCHG))
			return 0;
		out[0] = fixup_insn(BPF_ALU | BPF_MOV | BPF_X, r, r, 0, 0);
		return 1;
	}
	/* A context load may really be wider: Linux leaves it alone. */
	if (!fx->opts->rnd_hi32 || (BPF_CLASS(insn->code) == BPF_LDX &&
				    fx->aux[i].mem_kind == BPF64_MEM_CTX))
		return 0;
	k = (bpf64_get_prandom_u32() & 0x7fffffff) | 1;
	out[0] = fixup_insn(BPF_ALU64 | BPF_END | BPF_K, r, 0, 0, 64);
	out[1] = fixup_insn(BPF_ALU64 | BPF_XOR | BPF_K, r, 0, 0, k);
	out[2] = out[0];
	return 3;
}

/*
 * @in (n instructions standing for original @i) with what their 32-bit
 * definitions need after each, into @out: the count.  Jumps inside keep
 * their targets.
 */
static u32 add_hi32(const struct fixup *fx, u32 i, const struct bpf_insn *in,
		    u32 n, struct bpf_insn *out)
{
	u32 pos[CONV_MAX + 1], k, q = 0;
	s32 off;
	s64 t;

	for (k = 0; k < n; k++) {
		pos[k] = q;
		out[q++] = in[k];
		q += hi32_patch(fx, i, &in[k], k == n - 1, out + q);
	}
	pos[n] = q;
	for (k = 0; k < n; k++) {
		if (!bpf64_insn_jump_offset(&in[k], &off))
			continue;
		t = (s64)k + 1 + off;
		if (t >= 0 && t <= n)
			out[pos[k]].off = pos[t] - pos[k] - 1;
	}
	return q;
}

/* Never reached: gone, or for unprivileged programs a trap per slot. */
static int fix_dead(struct fixup *fx, u32 i)
{
	const struct bpf_insn trap[2] = {
		{ .code = BPF_JMP | BPF_JA, .off = -1 },
		{ .code = BPF_JMP | BPF_JA, .off = -1 },
	};

	if (!fx->opts->unpriv)
		return bpf64_patch_replace(&fx->set, i, NULL, 0);
	return bpf64_patch_replace(&fx->set, i, trap, insn_width(fx, i));
}

static bool is_mem(const struct bpf_insn *insn)
{
	u8 cls = BPF_CLASS(insn->code);

	return cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX;
}

/* The conversion of instruction @i into @buf: the count, 0 if none. */
static int convert(struct fixup *fx, u32 i, struct bpf_insn *buf)
{
	const struct bpf_insn *insn = &fx->work[i];
	const struct bpf64_insn_aux *aux = &fx->aux[i];

	if (is_mem(insn) && aux->mem_kind == BPF64_MEM_CTX)
		return bpf64_ctx_convert(fx->prog, insn, &aux->ctx, i, buf,
					 fx->log);
	if (insn->code == (BPF_JMP | BPF_CALL) && fx->opts->jit)
		return fixup_inline_call(fx->prog, insn, aux,
					 fx->opts->unpriv, buf);
	return 0;
}

static int fix_insn(struct fixup *fx, u32 i)
{
	const struct bpf64_insn_aux *aux = &fx->aux[i];
	struct bpf_insn buf[CONV_MAX], out[OUT_MAX];
	int n;
	u32 m;

	fx->sanitize |= aux->nospec || aux->nospec_result || aux->alu_state;
	if (!aux->seen)
		return fix_dead(fx, i);
	n = fx->opts->unpriv ? 0 : is_nop_after_removal(fx, i);
	if (n)
		return n < 0 ? n : bpf64_patch_replace(&fx->set, i, NULL, 0);
	if (insn_width(fx, i) == 2)
		return 0;	/* LD_IMM64 defines all 64 bits */
	n = convert(fx, i, buf);
	if (n < 0)
		return n;
	if (!n && !fx->zext_dst)
		return 0;	/* nothing to convert, nothing to extend */
	if (n) {
		m = add_hi32(fx, i, buf, n, out);
	} else {
		m = add_hi32(fx, i, &fx->work[i], 1, out);
		if (m == 1)
			return 0;
	}
	return bpf64_patch_replace(&fx->set, i, out, m);
}

/* The program the passes work on, and what they need of it. */
static int prepare(struct fixup *fx)
{
	int err;

	fx->work = fx->prog->insns;
	err = scan(fx);
	return err ? err : find_hi32(fx);
}

static int apply(struct fixup *fx)
{
	struct bpf_insn *insns;
	u32 len;
	int err;

	if (!fx->set.nr_patches) {
		if (!fx->own_work)
			return 0;	/* the program as it was */
		insns = fx->work;	/* with hard-wired branches */
		len = fx->len;
		fx->work = NULL;
	} else {
		err = bpf64_patch_apply(&fx->set, &insns, &len);
		if (err)
			return err;
	}
	bpf64_free(fx->prog->insns);
	fx->prog->insns = insns;
	fx->prog->len = len;
	return 0;
}

int bpf64_fixup(struct bpf64_prog *prog, const struct bpf64_insn_aux *aux,
		const struct bpf64_fixup_opts *opts, struct bpf64_log *log)
{
	struct fixup fx = {
		.prog = prog, .aux = aux, .opts = opts, .log = log,
		.len = prog->len,
	};
	int err;
	u32 i;

	err = prepare(&fx);
	bpf64_patch_init(&fx.set, fx.work, fx.len, log);
	for (i = 0; !err && i < fx.len; i += insn_width(&fx, i))
		err = fix_insn(&fx, i);
	/* (nothing to sanitize: Spectre masking is off, or not needed) */
	if (!err && fx.sanitize)
		err = bpf64_sanitize(&fx.set, aux);
	if (!err)
		err = apply(&fx);
	bpf64_patch_release(&fx.set);
	if (fx.own_work)
		bpf64_free(fx.work);
	bpf64_free(fx.seen_before);
	bpf64_free(fx.zext_dst);
	return err;
}
