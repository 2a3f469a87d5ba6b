// SPDX-License-Identifier: GPL-2.0
/*
 * The linear patcher (kernel/bpf/patch.c).
 *
 *  - Random programs of every kind of jump (conditional JMP/JMP32, JA,
 *    gotol, local calls, callback LD_IMM64s) get random patches (replace,
 *    delete, insert, append; at index 0, at the end, on LD_IMM64s) and
 *    the result is checked against a model built the naive way: the
 *    expected sequence of instructions, every original jump landing on
 *    the first instruction emitted at or after its old target, patch
 *    instructions copied as they were, the map, and which error (-ERANGE,
 *    -EINVAL) the first bad jump must give.
 *  - progen's random programs, patched in ways that change nothing they
 *    compute, run in the interpreter to the same results.
 *  - Hand-made cases: where jumps land, LD_IMM64, calls, every error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/insn.h>
#include <linux/bpf64/patch.h>
#include <linux/bpf64/prog.h>

#include "insn_build.h"
#include "test_util.h"
#include "progen.h"
/* The Makefile links each test from its one source, so take progen here. */
#include "progen.c"

#define LEN(a)		((u32)(sizeof(a) / sizeof((a)[0])))
#define MAX_PATCH	5	/* instructions in one random patch, at most */

static struct progen_rng rng;

static u32 rnd(u32 n)
{
	return progen_rng_below(&rng, n);
}

/* ---- the model ---- */

enum jkind { J_NONE, J_OFF, J_IMM };

/* The test's own idea of which field holds a jump's offset. */
static enum jkind jkind(const struct bpf_insn *insn)
{
	u8 cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);

	if (insn->code == (BPF_LD | BPF_IMM | BPF_DW))
		return insn->src_reg == BPF_PSEUDO_FUNC ? J_IMM : J_NONE;
	if (cls != BPF_JMP && cls != BPF_JMP32)
		return J_NONE;
	if (op == BPF_EXIT)
		return J_NONE;
	if (op == BPF_CALL)
		return insn->src_reg == BPF_PSEUDO_CALL ? J_IMM : J_NONE;
	return insn->code == (BPF_JMP32 | BPF_JA) ? J_IMM : J_OFF;
}

struct mpatch {
	u32 idx;
	bool replace;
	u32 n;
	struct bpf_insn insns[MAX_PATCH];
};

struct model {
	const struct bpf_insn *prog;
	u32 len;
	struct mpatch *patches;
	u32 nr;
	/* the expected output */
	const struct bpf_insn **src;	/* what each position copies */
	u32 *origin;			/* the original index it belongs to */
	s64 *old;			/* original index copied there, or -1 */
	u32 out_len;
	u32 *first_ge;			/* first position of origin >= i */
	u32 *second;			/* map of LD_IMM64 second slots, or ~0 */
};

static bool is_ld64(const struct bpf_insn *p, u32 len, u32 i)
{
	return i + 1 < len && p[i].code == (BPF_LD | BPF_IMM | BPF_DW);
}

static void put(struct model *m, const struct bpf_insn *src, u32 origin,
		s64 old)
{
	m->src[m->out_len] = src;
	m->origin[m->out_len] = origin;
	m->old[m->out_len] = old;
	m->out_len++;
}

/*
 * The naive construction: per original unit, its inserts, then it or its
 * replacement.
 */
static void model_build(struct model *m)
{
	u32 cap = m->len + m->nr * MAX_PATCH + 1, i, k, j, w, q;
	const struct mpatch *rep;

	m->src = calloc(cap, sizeof(*m->src));
	m->origin = calloc(cap, sizeof(*m->origin));
	m->old = calloc(cap, sizeof(*m->old));
	m->first_ge = calloc(m->len + 1, sizeof(*m->first_ge));
	m->second = malloc((m->len + 1) * sizeof(*m->second));
	memset(m->second, 0xff, (m->len + 1) * sizeof(*m->second));
	m->out_len = 0;
	for (i = 0; i <= m->len; i += w) {
		rep = NULL;
		for (k = 0; k < m->nr; k++) {
			if (m->patches[k].idx != i)
				continue;
			if (m->patches[k].replace) {
				rep = &m->patches[k];
				continue;
			}
			for (j = 0; j < m->patches[k].n; j++)
				put(m, &m->patches[k].insns[j], i, -1);
		}
		if (i == m->len)
			break;
		w = is_ld64(m->prog, m->len, i) ? 2 : 1;
		if (w == 2)
			m->second[i + 1] = m->out_len + !rep;
		if (rep) {
			for (j = 0; j < rep->n; j++)
				put(m, &rep->insns[j], i, -1);
			continue;
		}
		for (j = 0; j < w; j++)
			put(m, &m->prog[i + j], i, i + j);
	}
	for (i = 0, q = 0; i <= m->len; i++) {
		while (q < m->out_len && m->origin[q] < i)
			q++;
		m->first_ge[i] = q;
	}
}

static void model_free(struct model *m)
{
	free(m->src);
	free(m->origin);
	free(m->old);
	free(m->first_ge);
	free(m->second);
}

/* The error the first original jump that cannot be re-aimed must give. */
static int model_error(const struct model *m)
{
	const struct bpf_insn *insn;
	enum jkind k;
	s64 t, off;
	u32 q;

	for (q = 0; q < m->out_len; q++) {
		insn = m->src[q];
		k = jkind(insn);
		if (m->old[q] < 0 || k == J_NONE)
			continue;
		t = m->old[q] + 1 + (k == J_OFF ? insn->off : insn->imm);
		if (m->first_ge[t] >= m->out_len)
			return -EINVAL;
		off = (s64)m->first_ge[t] - q - 1;
		if (k == J_OFF && off != (s16)off)
			return -ERANGE;
	}
	return 0;
}

/* Compare the patcher's output with the model; say what differs. */
static bool model_check(const struct model *m, const struct bpf_insn *out,
			u32 out_len, const struct bpf64_patch_set *set)
{
	struct bpf_insn want;
	enum jkind k;
	u32 q, i;
	s64 t;

	if (out_len != m->out_len) {
		tu_diag("length %u, want %u", out_len, m->out_len);
		return false;
	}
	for (q = 0; q < out_len; q++) {
		want = *m->src[q];
		k = jkind(&want);
		if (m->old[q] >= 0 && k != J_NONE) {
			t = m->old[q] + 1 + (k == J_OFF ? want.off : want.imm);
			if (k == J_OFF)
				want.off = m->first_ge[t] - q - 1;
			else
				want.imm = m->first_ge[t] - q - 1;
		}
		if (memcmp(&want, &out[q], sizeof(want))) {
			tu_diag("position %u (original %lld, origin %u): %02x off %d imm %d, want %02x off %d imm %d",
				q, (long long)m->old[q], m->origin[q],
				out[q].code, out[q].off, out[q].imm,
				want.code, want.off, want.imm);
			return false;
		}
	}
	for (i = 0; i <= m->len; i++) {
		u32 want_map = m->second[i] != ~0U ? m->second[i] :
			       m->first_ge[i];

		if (bpf64_patch_remap(set, i) != want_map) {
			tu_diag("map[%u] = %u, want %u", i,
				bpf64_patch_remap(set, i), want_map);
			return false;
		}
	}
	return true;
}

/* ---- random programs and patches ---- */

static struct bpf_insn random_plain(void)
{
	static const u8 codes[] = {
		BPF_ALU64 | BPF_MOV | BPF_K, BPF_ALU | BPF_ADD | BPF_K,
		BPF_LDX | BPF_MEM | BPF_W, BPF_JMP | BPF_CALL,
		BPF_JMP | BPF_EXIT,
	};

	return BPF64_RAW_INSN(codes[rnd(LEN(codes))], rnd(10), 0,
			      (s16)rnd(65536), (s32)progen_rng_next(&rng));
}

/*
 * A jump (of a random kind) from @i to @t.  Every field that is not the
 * offset is random too, so that a misplaced copy shows.
 */
static void aim(struct bpf_insn *insn, u32 kind, u32 i, u32 t)
{
	s32 off = (s32)t - (s32)i - 1;

	switch (kind) {
	case 0:
		*insn = BPF64_JMP_IMM(BPF_JNE, rnd(10), (s32)rnd(1000), off);
		break;
	case 1:
		*insn = BPF64_JMP32_REG(BPF_JSLT, rnd(10), rnd(10), off);
		break;
	case 2:
		*insn = BPF64_JMP_A(off);
		break;
	case 3:
		*insn = BPF64_GOTOL(off);
		break;
	default:
		*insn = BPF64_CALL_REL(off);
	}
}

/*
 * A program of @len slots: plain instructions, jumps of each kind, LD_IMM64
 * (plain or callback).  Jumps reach at most @reach instructions away and
 * never a second slot.
 */
static struct bpf_insn *random_prog(u32 len, u32 reach)
{
	struct bpf_insn *p = calloc(len, sizeof(*p));
	bool *second = calloc(len, sizeof(*second));
	u32 i, t, lo, hi;

	for (i = 0; i < len; i++) {
		p[i] = random_plain();
		if (i + 1 < len && !rnd(8)) {
			p[i] = BPF64_RAW_INSN(BPF_LD | BPF_IMM | BPF_DW, rnd(10),
					      rnd(3) ? 0 : BPF_PSEUDO_FUNC, 0,
					      (s32)progen_rng_next(&rng));
			p[i + 1] = BPF64_RAW_INSN(0, 0, 0, 0,
						  (s32)progen_rng_next(&rng));
			second[++i] = true;
		} else if (rnd(3)) {
			p[i].code = 0xff;	/* a jump, aimed below */
		}
	}
	for (i = 0; i < len; i++) {
		if (p[i].code != 0xff && jkind(&p[i]) == J_NONE)
			continue;
		lo = i > reach ? i - reach : 0;
		hi = i + reach < len ? i + reach : len - 1;
		do
			t = lo + rnd(hi - lo + 1);
		while (second[t]);
		if (p[i].code == 0xff)
			aim(&p[i], rnd(5), i, t);
		else
			p[i].imm = (s32)t - (s32)i - 1;	/* callback */
	}
	free(second);
	return p;
}

static u32 random_index(u32 len)
{
	switch (rnd(8)) {
	case 0:
		return 0;
	case 1:
		return len;
	case 2:
		return len - 1;
	}
	return rnd(len + 1);
}

/* Random patches into the model; each unit replaced at most once. */
static void random_patches(struct model *m, u32 count, u32 max_n)
{
	bool *replaced = calloc(m->len + 1, sizeof(*replaced));
	struct mpatch *p;
	u32 k, j, idx;

	m->patches = calloc(count ? count : 1, sizeof(*m->patches));
	for (k = 0; k < count; k++) {
		idx = random_index(m->len);
		if (idx && is_ld64(m->prog, m->len, idx - 1))
			idx--;		/* a second slot: patch the unit */
		p = &m->patches[m->nr++];
		p->idx = idx;
		p->replace = idx < m->len && !replaced[idx] && rnd(2);
		replaced[idx] |= p->replace;
		p->n = rnd(max_n + 1);
		for (j = 0; j < p->n; j++) {
			p->insns[j] = random_plain();
			if (!rnd(4))
				aim(&p->insns[j], rnd(5), 0, rnd(100));
		}
	}
	free(replaced);
}

static int apply_model(const struct model *m, struct bpf64_patch_set *set,
		       struct bpf_insn **out, u32 *out_len, char *buf,
		       u32 size)
{
	static struct bpf64_log log;
	u32 k;
	int err;

	log = (struct bpf64_log) { .buf = buf, .size = size };
	buf[0] = 0;
	bpf64_patch_init(set, m->prog, m->len, &log);
	for (k = 0; k < m->nr; k++) {
		const struct mpatch *p = &m->patches[k];

		err = p->replace ?
		      bpf64_patch_replace(set, p->idx, p->insns, p->n) :
		      bpf64_patch_insert_before(set, p->idx, p->insns, p->n);
		if (err)
			return err;
	}
	return bpf64_patch_apply(set, out, out_len);
}

/* One random case; true if the patcher agreed with the model. */
static bool random_case(u32 len, u32 reach, u32 count, u32 max_n, int *errp)
{
	struct model m = { .len = len };
	struct bpf64_patch_set set;
	struct bpf_insn *out = NULL, *prog;
	u32 out_len = 0;
	char buf[256];
	bool ok;
	int err, want;

	prog = random_prog(len, reach);
	m.prog = prog;
	random_patches(&m, count, max_n);
	model_build(&m);
	want = model_error(&m);
	err = apply_model(&m, &set, &out, &out_len, buf, sizeof(buf));
	ok = err == want;
	if (!ok)
		tu_diag("apply gave %d, want %d (%s)", err, want, buf);
	else if (!err)
		ok = model_check(&m, out, out_len, &set);
	else
		ok = !out && !out_len && strstr(buf, "insn ");
	*errp = err;
	bpf64_patch_release(&set);
	bpf64_free(out);
	model_free(&m);
	free(m.patches);
	free(prog);
	return ok;
}

static void test_random(void)
{
	u32 i, bad = 0, erange = 0, einval = 0;
	int err;

	for (i = 0; i < 3000; i++) {
		u32 len = 1 + rnd(i < 100 ? 4 : 200);

		if (!random_case(len, len, rnd(2 * len + 2), MAX_PATCH, &err)) {
			tu_diag("case %u failed", i);
			if (++bad > 3)
				break;
		}
		einval += err == -EINVAL;
	}
	TU_CHECK(!bad, "3000 random programs and patches match the model (%u deleted-tail jumps)",
		 einval);
	/* Long jumps near the 16-bit limit: some no longer fit. */
	for (i = 0; i < 20 && !bad; i++) {
		if (!random_case(40000, i % 2 ? 31000 : 32767, 300, 4, &err))
			bad++;
		erange += err == -ERANGE;
	}
	TU_CHECK(!bad && erange && erange < 20,
		 "long jumps: out-of-range offsets refused as the model says (%u of 20 -ERANGE)",
		 erange);
}

/* ---- semantics: patched programs compute the same ---- */

static const struct bpf64_func_proto *no_helper(__u32 id,
						 const struct bpf64_prog *prog)
{
	return NULL;
}

static const struct bpf64_prog_ops test_ops = {
	.name = "test_patch",
	.get_func_proto = no_helper,
};

struct result {
	int err;
	u64 r0;
	u8 ctx[PROGEN_CTX_SIZE];
	char msg[256];
};

static void run_prog(const struct bpf_insn *insns, u32 len, u64 seed,
		     u32 ctx_size, u64 arg, struct result *res)
{
	struct bpf64_log log = { .buf = res->msg, .size = sizeof(res->msg) };
	struct bpf64_run run = { };
	struct bpf64_prog *prog;

	progen_fill(res->ctx, ctx_size, seed);
	res->err = bpf64_prog_create(&prog, insns, len, &test_ops, &log);
	if (res->err)
		return;
	res->err = bpf64_interp_prepare(prog, BPF64_RUN_CHECKED, &log);
	if (!res->err) {
		run.args[0] = (u64)(unsigned long)res->ctx;
		run.args[1] = arg;
		run.regions[0] = (struct bpf64_region) {
			(u64)(unsigned long)res->ctx, ctx_size, true,
		};
		run.nr_regions = 1;
		res->err = bpf64_interp_run(prog, &run, &res->r0);
		bpf64_fault_log(&run.fault, &log);
	}
	bpf64_prog_free(prog);
}

/* A patch that changes nothing the program computes, at unit @i. */
static int harmless_patch(struct bpf64_patch_set *set, const struct bpf_insn *p,
			  u32 len, u32 i)
{
	struct bpf_insn buf[4] = {
		BPF64_JMP_A(1), BPF64_MOV64_IMM(BPF_REG_0, 0xbad),
	};
	u32 w = is_ld64(p, len, i) ? 2 : 1;
	bool jump = jkind(&p[i]) != J_NONE;

	switch (rnd(5)) {
	case 0:
		buf[0] = BPF64_JMP_A(0);
		return bpf64_patch_insert_before(set, i, buf, 1);
	case 1:		/* a jump inside the patch, over dead code */
		return bpf64_patch_insert_before(set, i, buf, 2);
	case 2:
		if (jump)
			return 0;
		memcpy(buf + 2, p + i, w * sizeof(*p));
		return bpf64_patch_replace(set, i, buf, 2 + w);
	case 3:
		if (jump)
			return 0;
		return bpf64_patch_replace(set, i, p + i, w);
	}
	buf[0] = BPF64_GOTOL(0);
	return bpf64_patch_insert_before(set, i, buf, 1);
}

static void test_semantics(void)
{
	static const struct bpf_insn tail[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 0xbad), BPF64_EXIT_INSN(),
	};
	struct result *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct bpf64_patch_set set;
	struct progen_prog p;
	struct bpf_insn *out;
	u32 out_len, i, bad = 0, seed, patched = 0;
	int err;

	for (seed = 1; seed <= 300 && bad < 3; seed++) {
		memset(&p, 0, sizeof(p));
		if (progen_generate(&p, seed, NULL))
			break;
		run_prog(p.insns, p.len, seed, p.ctx_size, 0, a);
		bpf64_patch_init(&set, p.insns, p.len, NULL);
		for (i = 0; i < p.len; i += is_ld64(p.insns, p.len, i) ? 2 : 1)
			if (rnd(3))
				harmless_patch(&set, p.insns, p.len, i);
		bpf64_patch_insert_before(&set, p.len, tail, LEN(tail));
		patched += set.nr_patches;
		err = bpf64_patch_apply(&set, &out, &out_len);
		if (!err)
			run_prog(out, out_len, seed, p.ctx_size, 0, b);
		if (err || a->err || b->err || a->r0 != b->r0 ||
		    memcmp(a->ctx, b->ctx, p.ctx_size)) {
			tu_diag("seed %u: apply %d, runs %d/%d (%s / %s), r0 %llx/%llx",
				seed, err, a->err, b->err, a->msg, b->msg,
				(unsigned long long)a->r0,
				(unsigned long long)b->r0);
			bad++;
		}
		bpf64_patch_release(&set);
		bpf64_free(out);
		progen_release(&p);
	}
	TU_CHECK(!bad && seed > 300,
		 "300 progen programs with %u harmless patches compute the same",
		 patched);
	free(a);
	free(b);
}

/* ---- hand-made cases ---- */

/* Patch @insns with one patch, run the result with r2 = @arg. */
static int patch_run(const struct bpf_insn *insns, u32 len, u32 idx,
		     bool replace, const struct bpf_insn *patch, u32 n,
		     u64 arg, u64 *r0)
{
	struct result *res = calloc(1, sizeof(*res));
	struct bpf64_patch_set set;
	struct bpf_insn *out;
	u32 out_len;
	int err;

	bpf64_patch_init(&set, insns, len, NULL);
	err = replace ? bpf64_patch_replace(&set, idx, patch, n) :
			bpf64_patch_insert_before(&set, idx, patch, n);
	if (!err)
		err = bpf64_patch_apply(&set, &out, &out_len);
	bpf64_patch_release(&set);
	if (!err) {
		run_prog(out, out_len, 1, 16, arg, res);
		err = res->err;
		*r0 = res->r0;
		bpf64_free(out);
	}
	free(res);
	return err;
}

static void test_landing(void)
{
	/* r0 = 1; if r2 != 0 goto 3; r0 += 100; 3: r0 *= 3; exit */
	static const struct bpf_insn prog[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 1),
		BPF64_JMP_IMM(BPF_JNE, BPF_REG_2, 0, 1),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_0, 100),
		BPF64_ALU64_IMM(BPF_MUL, BPF_REG_0, 3),
		BPF64_EXIT_INSN(),
	};
	static const struct bpf_insn two[] = {
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_0, 10),
		BPF64_ALU64_IMM(BPF_MUL, BPF_REG_0, 5),
	};
	static const struct bpf_insn one[] = {
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_0, 1000),
	};
	static const struct bpf_insn exit2[] = {
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_0, 5), BPF64_EXIT_INSN(),
	};
	u64 r0 = 0, r1 = 0;
	int err;

	err = patch_run(prog, LEN(prog), 3, true, two, 2, 1, &r0);
	TU_CHECK(!err && r0 == (1 + 10) * 5,
		 "a jump to a replaced insn runs the whole replacement (r0 %llu)",
		 (unsigned long long)r0);
	err = patch_run(prog, LEN(prog), 3, false, one, 1, 1, &r0);
	if (!err)
		err = patch_run(prog, LEN(prog), 3, false, one, 1, 0, &r1);
	TU_CHECK(!err && r0 == 1001 * 3 && r1 == 1101 * 3,
		 "a jump to an insn with an insert runs the insert (r0 %llu, %llu)",
		 (unsigned long long)r0, (unsigned long long)r1);
	err = patch_run(prog, LEN(prog), 2, true, NULL, 0, 0, &r0);
	TU_CHECK(!err && r0 == 3, "a deleted insn is skipped; fall-through goes on");
	err = patch_run(prog, LEN(prog), 1, true, NULL, 0, 1, &r0);
	TU_CHECK(!err && r0 == 303, "a deleted jump falls through");
	err = patch_run(prog, LEN(prog), 0, false, one, 1, 1, &r0);
	TU_CHECK(!err && r0 == 3, "insert at index 0 runs first");
	err = patch_run(prog, LEN(prog), LEN(prog) - 1, true, exit2, 2, 1, &r0);
	TU_CHECK(!err && r0 == 8, "the final exit replaced (r0 %llu)",
		 (unsigned long long)r0);
}

static void test_loop_back_to_zero(void)
{
	/* 0: r2 += 1; if r2 < 5 goto 0; r0 = r2; exit */
	static const struct bpf_insn prog[] = {
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, 1),
		BPF64_JMP_IMM(BPF_JLT, BPF_REG_2, 5, -2),
		BPF64_MOV64_REG(BPF_REG_0, BPF_REG_2),
		BPF64_EXIT_INSN(),
	};
	static const struct bpf_insn prologue[] = {
		BPF64_ALU64_IMM(BPF_MUL, BPF_REG_2, 2),
	};
	u64 r0 = 0;
	int err;

	/* 0 -> 0*2+1 = 1 -> 3 -> 7 */
	err = patch_run(prog, LEN(prog), 0, false, prologue, 1, 0, &r0);
	TU_CHECK(!err && r0 == 7, "a backward jump to index 0 lands on the insert there (r0 %llu)",
		 (unsigned long long)r0);
}

static void test_ldimm64(void)
{
	/* if r2 == 0 goto 3 (over the LD_IMM64); r0 = 7 (2 slots); 3: exit */
	static const struct bpf_insn prog[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 1),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_2, 0, 2),
		BPF64_LD_IMM64(BPF_REG_0, 0x700000007ULL),
		BPF64_EXIT_INSN(),
	};
	static const struct bpf_insn small[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 9),
	};
	struct bpf64_patch_set set;
	struct bpf_insn *out;
	u64 r0 = 0, r1 = 0;
	u32 out_len;
	int err;

	err = patch_run(prog, LEN(prog), 2, true, small, 1, 1, &r0);
	if (!err)
		err = patch_run(prog, LEN(prog), 2, true, small, 1, 0, &r1);
	TU_CHECK(!err && r0 == 9 && r1 == 1,
		 "an LD_IMM64 replaced as one insn; the jump over it re-aimed");
	err = patch_run(prog, LEN(prog), 2, false, small, 1, 1, &r0);
	TU_CHECK(!err && r0 == 0x700000007ULL, "insert before an LD_IMM64");

	bpf64_patch_init(&set, prog, LEN(prog), NULL);
	bpf64_patch_insert_before(&set, 3, small, 1);
	err = bpf64_patch_apply(&set, &out, &out_len);
	TU_CHECK(err == -EINVAL && !out, "a patch of an LD_IMM64's second slot is refused (%d)",
		 err);
	bpf64_patch_release(&set);

	bpf64_patch_init(&set, prog, LEN(prog), NULL);
	bpf64_patch_insert_before(&set, 2, small, 1);
	err = bpf64_patch_apply(&set, &out, &out_len);
	TU_CHECK(!err && bpf64_patch_remap(&set, 2) == 2 &&
		 bpf64_patch_remap(&set, 3) == 4 &&
		 bpf64_patch_remap(&set, 4) == 5 && out_len == 6,
		 "map: an LD_IMM64's second slot follows its first");
	bpf64_patch_release(&set);
	bpf64_free(out);
}

static void test_calls(void)
{
	/* main: r1 = r2; call sub; r0 += 1; exit.  sub: r0 = r1 * 10; exit */
	static const struct bpf_insn prog[] = {
		BPF64_MOV64_REG(BPF_REG_1, BPF_REG_2),
		BPF64_CALL_REL(2),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_0, 1),
		BPF64_EXIT_INSN(),
		BPF64_MOV64_REG(BPF_REG_0, BPF_REG_1),
		BPF64_ALU64_IMM(BPF_MUL, BPF_REG_0, 10),
		BPF64_EXIT_INSN(),
	};
	static const struct bpf_insn pad[] = {
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_1, 1),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_1, 1),
	};
	struct bpf64_patch_set set;
	struct bpf_insn *out = NULL;
	u64 r0 = 0;
	u32 out_len;
	int err;

	err = patch_run(prog, LEN(prog), 2, false, pad, 2, 4, &r0);
	TU_CHECK(!err && r0 == 41, "a local call re-aimed past an insert (r0 %llu)",
		 (unsigned long long)r0);
	err = patch_run(prog, LEN(prog), 4, false, pad, 2, 4, &r0);
	TU_CHECK(!err && r0 == 61, "a call to a subprogram with an insert at its start runs it (r0 %llu)",
		 (unsigned long long)r0);

	bpf64_patch_init(&set, prog, LEN(prog), NULL);
	bpf64_patch_insert_before(&set, 0, pad, 2);
	bpf64_patch_replace(&set, 2, pad, 1);
	err = bpf64_patch_apply(&set, &out, &out_len);
	TU_CHECK(!err && bpf64_patch_remap(&set, 4) == 6 &&
		 bpf64_patch_remap(&set, 7) == 9 && out_len == 9 &&
		 out[3].imm == 2,
		 "remap moves a subprogram start; the call's imm follows");
	bpf64_patch_release(&set);
	bpf64_free(out);
}

static void test_errors(void)
{
	static const struct bpf_insn prog[] = {
		BPF64_JMP_A(1),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
	};
	struct bpf_insn one = BPF64_MOV64_IMM(BPF_REG_0, 1);
	struct bpf_insn *big, *out = (void *)1;
	char buf[256];
	struct bpf64_log log = { .buf = buf, .size = sizeof(buf) };
	struct bpf64_patch_set set;
	u32 out_len = 1, i, n;
	int err, err2;

	bpf64_patch_init(&set, prog, LEN(prog), &log);
	bpf64_patch_replace(&set, 1, &one, 1);
	bpf64_patch_replace(&set, 1, &one, 1);
	err = bpf64_patch_apply(&set, &out, &out_len);
	TU_CHECK(err == -EINVAL && !out && !out_len && strstr(buf, "insn 1: replaced twice"),
		 "two replaces of one insn: -EINVAL");
	bpf64_patch_release(&set);

	buf[0] = 0;
	log.len = 0;
	bpf64_patch_init(&set, prog, LEN(prog), &log);
	err = bpf64_patch_replace(&set, 3, &one, 1);
	err2 = bpf64_patch_insert_before(&set, 0, &one, 1);
	TU_CHECK(err == -EINVAL && err2 == -EINVAL &&
		 bpf64_patch_apply(&set, &out, &out_len) == -EINVAL,
		 "replace past the end: -EINVAL, kept until the apply");
	bpf64_patch_release(&set);

	bpf64_patch_init(&set, prog, LEN(prog), NULL);
	bpf64_patch_replace(&set, 1, NULL, 0);
	bpf64_patch_replace(&set, 2, NULL, 0);
	err = bpf64_patch_apply(&set, &out, &out_len);
	TU_CHECK(err == -EINVAL, "a jump whose target and all after it were deleted: -EINVAL");
	bpf64_patch_release(&set);

	n = BPF64_MAX_INSNS - LEN(prog) + 1;
	big = calloc(n, sizeof(*big));
	for (i = 0; i < n; i++)
		big[i] = BPF64_JMP_A(0);
	bpf64_patch_init(&set, prog, LEN(prog), NULL);
	err = bpf64_patch_insert_before(&set, 0, big, n);
	err2 = bpf64_patch_apply(&set, &out, &out_len);
	TU_CHECK(!err && err2 == -E2BIG, "a result of BPF64_MAX_INSNS + 1 insns: -E2BIG (%d)",
		 err2);
	bpf64_patch_release(&set);
	bpf64_patch_init(&set, prog, LEN(prog), NULL);
	err = bpf64_patch_insert_before(&set, 0, big, n - 1);
	err2 = bpf64_patch_apply(&set, &out, &out_len);
	TU_CHECK(!err && !err2 && out_len == BPF64_MAX_INSNS &&
		 !memcmp(&out[n - 1], &prog[0], sizeof(*out)),
		 "a result of exactly BPF64_MAX_INSNS insns is fine");
	bpf64_free(out);
	bpf64_patch_release(&set);
	bpf64_patch_init(&set, prog, LEN(prog), NULL);
	err = bpf64_patch_insert_before(&set, 0, big, n);
	err2 = bpf64_patch_insert_before(&set, 0, big, n);
	TU_CHECK(!err && err2 == -E2BIG, "patches alone beyond the limit: -E2BIG at once");
	bpf64_patch_release(&set);
	free(big);

	bpf64_patch_init(&set, prog, LEN(prog), NULL);
	err = bpf64_patch_apply(&set, &out, &out_len);
	err2 = bpf64_patch_apply(&set, &big, &n);
	TU_CHECK(!err && err2 == -EINVAL && !big &&
		 !memcmp(out, prog, sizeof(prog)),
		 "a set applies once; with no patches it copies");
	bpf64_patch_release(&set);
	bpf64_free(out);
}

/*
 * 0: a jump of exactly 32767 to the exit at 32768, and one insert at
 * @where: is the jump still representable?
 */
static int erange_case(struct bpf_insn jump, u32 where, char *buf, u32 size)
{
	u32 len = 32769, i, out_len;
	struct bpf_insn *prog = calloc(len, sizeof(*prog)), *out;
	struct bpf_insn one = BPF64_MOV64_IMM(BPF_REG_0, 1);
	struct bpf64_log log = { .buf = buf, .size = size };
	struct bpf64_patch_set set;
	int err;

	for (i = 1; i < len - 1; i++)
		prog[i] = BPF64_MOV64_IMM(BPF_REG_0, 0);
	prog[0] = jump;
	prog[len - 1] = BPF64_EXIT_INSN();
	buf[0] = 0;
	bpf64_patch_init(&set, prog, len, &log);
	bpf64_patch_insert_before(&set, where, &one, 1);
	err = bpf64_patch_apply(&set, &out, &out_len);
	if (!err && (out_len != len + 1 ||
		     out[where ? 0 : 1].code != jump.code))
		err = -EFAULT;
	bpf64_patch_release(&set);
	bpf64_free(out);
	free(prog);
	return err;
}

static void test_erange(void)
{
	char buf[256];
	int err;

	err = erange_case(BPF64_JMP_A(32767), 1, buf, sizeof(buf));
	TU_CHECK(err == -ERANGE &&
		 strstr(buf, "insn 0 cannot be patched due to 16-bit range"),
		 "a JA pushed past 32767: -ERANGE");
	err = erange_case(BPF64_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 32767), 1, buf,
			  sizeof(buf));
	TU_CHECK(err == -ERANGE, "a conditional jump pushed past 32767: -ERANGE");
	err = erange_case(BPF64_JMP_A(32767), 32768, buf, sizeof(buf));
	TU_CHECK(!err, "an insert at the target: the jump lands on it, same offset");
	err = erange_case(BPF64_JMP_A(32767), 0, buf, sizeof(buf));
	TU_CHECK(!err, "an insert before the jump itself keeps its offset");
	err = erange_case(BPF64_GOTOL(32767), 1, buf, sizeof(buf));
	TU_CHECK(!err, "a gotol pushed past 32767 still fits its 32 bits");
}

int main(void)
{
	progen_rng_seed(&rng, 0x9a7c4);
	test_random();
	test_semantics();
	test_landing();
	test_loop_back_to_zero();
	test_ldimm64();
	test_calls();
	test_errors();
	test_erange();
	return tu_exit();
}
