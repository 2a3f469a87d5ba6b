// SPDX-License-Identifier: GPL-2.0
/*
 * Rewrites after verification (kernel/bpf/fixup*.c), seen in the loaded
 * program (BPF_OBJ_GET_INFO_BY_FD's xlated_prog_insns) and in its results,
 * through both backends.  Where the rewrite is Linux's (dead code removed,
 * branches hard-wired, nops removed, ARRAY lookups inlined,
 * BPF_F_TEST_RND_HI32's random upper halves, the cmpxchg zero extension)
 * bpf64's xlated program must be Linux's, field by field, except
 * immediates that are addresses or Linux's call numbers (helper calls,
 * map references) and, in "loose" instructions a case names, offsets into
 * internal layouts (the context, the array object).
 *
 * Unprivileged rewrites and the zero extension a JIT may ask for cannot be
 * reached through bpf() (bpf64 has no unprivileged mode yet, this kernel
 * refuses unprivileged bpf(), and x86 JITs want no zero extension): those
 * go through bpf64_fixup() itself, with their Linux side reported skipped.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/bpf64/fixup.h>
#include <linux/bpf64/jit.h>
#include <linux/bpf64/prog.h>

#include "backend_util.h"
#include "insn_build.h"

#define LEN(a)		((__u32)(sizeof(a) / sizeof((a)[0])))
#define MAX_XLATED	256
#define NR_KEYS		32	/* array entries: skb->len is the key */
#define ETH_HLEN	14	/* not in skb->len */
#define SMALL_PKT	40	/* skb->len 26: in the array */
#define LARGE_PKT	64	/* skb->len 50: past its end */

#define R0	BPF_REG_0
#define R1	BPF_REG_1
#define R2	BPF_REG_2
#define R3	BPF_REG_3
#define R6	BPF_REG_6
#define FP	BPF_REG_10

struct xlated {
	__u32 len;
	struct bpf_insn insns[MAX_XLATED];
	char log[8192];
};

static int load(const struct bpf64_backend *be, const struct bpf_insn *insns,
		__u32 len, __u32 flags, struct xlated *x)
{
	struct bpf64_load_opts opts = {
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
		.prog_flags = flags,
		.log_buf = x->log, .log_size = sizeof(x->log), .log_level = 1,
	};
	struct bpf_prog_info info = { };
	__u32 info_len = sizeof(info);
	int fd, err;

	memset(x, 0, sizeof(*x));
	fd = bpf64_prog_load(be, insns, len, &opts);
	if (fd < 0)
		return fd;
	info.xlated_prog_len = sizeof(x->insns);
	info.xlated_prog_insns = (__u64)(unsigned long)x->insns;
	err = bpf64_obj_get_info(be, fd, &info, &info_len);
	x->len = info.xlated_prog_len / sizeof(struct bpf_insn);
	if (err || x->len > MAX_XLATED) {
		be->close(fd);
		return err ? err : -E2BIG;
	}
	return fd;
}

/* r0 of a run on a zeroed packet of @size bytes, or -errno. */
static long long run(const struct bpf64_backend *be, int fd, __u32 size)
{
	unsigned char pkt[LARGE_PKT] = { 0 };
	struct bpf64_test_opts t = {
		.data_in = pkt, .data_size_in = size, .repeat = 1,
	};
	int err = bpf64_prog_test_run(be, fd, &t);

	if (err)
		return err;
	return t.retval;
}

static bool is_ldimm64_slot(const struct xlated *x, __u32 i)
{
	const __u8 ld = BPF_LD | BPF_IMM | BPF_DW;

	return x->insns[i].code == ld || (i > 0 && x->insns[i - 1].code == ld);
}

/* May instruction @i of the two differ in its immediate or offset? */
static bool loose(const struct xlated *x, __u32 i, __u32 loose_mask)
{
	return x->insns[i].code == (BPF_JMP | BPF_CALL) ||
	       is_ldimm64_slot(x, i) || (i < 32 && (loose_mask >> i & 1));
}

/*
 * BPF_F_TEST_RND_HI32's three instructions after a definition of @r: in
 * Linux "ax = rnd; ax <<= 32; r |= ax" through its hidden register AX
 * (r11); in bpf64, which has none, "r = bswap64 r; r ^= rnd; r = bswap64
 * r".  Either is one random upper half of @r: the comparison takes both
 * out and compares what they stand for.
 */
#define BPF_REG_AX	11

static int rnd_hi32_at(const struct bpf_insn *p, __u32 left)
{
	if (left < 3)
		return -1;
	if (p[0].code == (BPF_ALU64 | BPF_MOV | BPF_K) &&
	    p[0].dst_reg == BPF_REG_AX && p[1].dst_reg == BPF_REG_AX &&
	    p[2].code == (BPF_ALU64 | BPF_OR | BPF_X))
		return p[2].dst_reg;
	if (p[0].code == (BPF_ALU64 | BPF_END | BPF_K) && p[0].imm == 64 &&
	    p[1].code == (BPF_ALU64 | BPF_XOR | BPF_K) &&
	    p[2].code == p[0].code && p[0].dst_reg == p[1].dst_reg &&
	    p[1].dst_reg == p[2].dst_reg)
		return p[0].dst_reg;
	return -1;
}

/*
 * @x with each random upper half replaced by one marker instruction
 * "r = r" of 64 bits (which neither backend emits), jumps re-aimed.
 */
static void strip_rnd_hi32(struct xlated *x)
{
	__u32 map[MAX_XLATED + 1], i, q = 0;
	struct bpf_insn out[MAX_XLATED];
	int r;
	__s32 t;

	for (i = 0; i < x->len; i++) {
		map[i] = q;
		r = rnd_hi32_at(&x->insns[i], x->len - i);
		if (r < 0) {
			out[q++] = x->insns[i];
			continue;
		}
		out[q++] = (struct bpf_insn)BPF64_MOV64_REG(r, r);
		map[i + 1] = map[i + 2] = q;
		i += 2;
	}
	map[x->len] = q;
	for (i = 0; i < x->len; i++) {
		const struct bpf_insn *p = &x->insns[i];

		if (BPF_CLASS(p->code) != BPF_JMP && BPF_CLASS(p->code) != BPF_JMP32)
			continue;
		if (BPF_OP(p->code) == BPF_CALL || BPF_OP(p->code) == BPF_EXIT)
			continue;
		t = (__s32)i + 1 + p->off;
		if (t >= 0 && t <= (__s32)x->len)
			out[map[i]].off = (__s32)map[t] - (__s32)map[i] - 1;
	}
	memcpy(x->insns, out, q * sizeof(*out));
	x->len = q;
}

static bool same_xlated(const struct xlated *a, const struct xlated *b,
			__u32 loose_mask)
{
	__u32 i;

	if (a->len != b->len)
		return false;
	for (i = 0; i < a->len; i++) {
		const struct bpf_insn *p = &a->insns[i], *q = &b->insns[i];

		if (p->code != q->code || p->dst_reg != q->dst_reg ||
		    p->src_reg != q->src_reg)
			return false;
		if ((p->off != q->off || p->imm != q->imm) &&
		    !loose(a, i, loose_mask))
			return false;
	}
	return true;
}

static void dump(const char *who, const struct xlated *x)
{
	__u32 i;

	for (i = 0; i < x->len; i++)
		tu_diag("%s %2u: code %02x dst %u src %u off %d imm %d", who, i,
			x->insns[i].code, x->insns[i].dst_reg,
			x->insns[i].src_reg, x->insns[i].off, x->insns[i].imm);
}

/* ---- the cases through bpf() ---- */

struct fix_case {
	const char *name;
	const struct bpf_insn *insns;
	__u32 len;
	__u32 flags;
	__u32 want_len;		/* xlated instructions */
	long long want_small;	/* r0 on a SMALL_PKT packet */
	long long want_large;	/* r0 on a LARGE_PKT one */
	__u32 value_size;	/* != 0: insn 0 loads an ARRAY map of these */
	__u32 loose;		/* xlated insns whose off and imm may differ */
};

#define CASE(n, ...)	.name = n, .insns = (const struct bpf_insn[]){ __VA_ARGS__ }, \
			.len = LEN(((const struct bpf_insn[]){ __VA_ARGS__ }))

/* An ARRAY of NR_KEYS: element k's first u32 is k * 3 + 1. */
static int make_array(const struct bpf64_backend *be, __u32 value_size)
{
	unsigned char value[64] = { 0 };
	__u32 key, v;
	int fd;

	fd = bpf64_map_create(be, BPF_MAP_TYPE_ARRAY, "fixup", 4, value_size,
			      NR_KEYS, 0);
	for (key = 0; fd >= 0 && key < NR_KEYS; key++) {
		v = key * 3 + 1;
		memcpy(value, &v, sizeof(v));
		if (bpf64_map_update(be, fd, &key, value, BPF_ANY)) {
			be->close(fd);
			return -EIO;
		}
	}
	return fd;
}

static struct xlated xl[2];	/* bpf64's, Linux's */

/* Load and run @c through @be; its xlated program in @x.  Loaded? */
static bool case_on(const struct fix_case *c, const struct bpf64_backend *be,
		    struct xlated *x)
{
	struct bpf_insn insns[64];
	long long small, large;
	int map = -1, fd;

	memcpy(insns, c->insns, c->len * sizeof(*insns));
	if (c->value_size) {
		map = make_array(be, c->value_size);
		insns[0].imm = map;
	}
	fd = map < -1 ? map : load(be, insns, c->len, c->flags, x);
	TU_CHECK(fd >= 0, "%s: %s: loads", be->name, c->name);
	if (fd < 0) {
		tu_diag("%d: %s", fd, x->log);
		if (map >= 0)
			be->close(map);
		return false;
	}
	small = run(be, fd, SMALL_PKT);
	large = run(be, fd, LARGE_PKT);
	TU_CHECK(small == c->want_small && large == c->want_large &&
		 x->len == c->want_len,
		 "%s: %s: r0 %lld and %lld, %u insns", be->name, c->name,
		 small, large, x->len);
	if (x->len != c->want_len)
		dump(be->name, x);
	be->close(fd);
	if (map >= 0)
		be->close(map);
	return true;
}

static void check_case(const struct fix_case *c)
{
	const struct bpf64_backend *be;
	bool loaded[2] = { false, false };
	int i;

	for_each_backend(be) {
		i = be != &bpf64_backend_hosted;
		loaded[i] = case_on(c, be, &xl[i]);
	}
	if (!loaded[0] || !loaded[1])
		return;
	if (c->flags & BPF_F_TEST_RND_HI32) {
		strip_rnd_hi32(&xl[0]);
		strip_rnd_hi32(&xl[1]);
	}
	TU_CHECK(same_xlated(&xl[0], &xl[1], c->loose),
		 "%s: the xlated program is Linux's", c->name);
	if (!same_xlated(&xl[0], &xl[1], c->loose)) {
		dump("bpf64", &xl[0]);
		dump("linux", &xl[1]);
	}
}

/* skb->len, the key of the ARRAY cases: a context load of one insn. */
#define LD_SKB_LEN(dst)	BPF64_LDX_MEM(BPF_W, dst, R1, 0)

/*
 *	r7 = map; *(u32 *)(fp - 4) = skb->len; r0 = lookup(r7, fp - 4)
 *	return r0 ? *(u32 *)r0 : 7
 * Xlated insn 2 loads skb->len, 7 adds the values' offset: loose.
 */
#define ARRAY_PROG							\
	BPF64_LD_MAP_FD(BPF_REG_7, 0),					\
	LD_SKB_LEN(R3),							\
	BPF64_STX_MEM(BPF_W, FP, R3, -4),				\
	BPF64_MOV64_REG(R2, FP),					\
	BPF64_ALU64_IMM(BPF_ADD, R2, -4),				\
	BPF64_MOV64_REG(R1, BPF_REG_7),					\
	BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),			\
	BPF64_JMP_IMM(BPF_JEQ, R0, 0, 2),				\
	BPF64_LDX_MEM(BPF_W, R0, R0, 0),				\
	BPF64_EXIT_INSN(),						\
	BPF64_MOV64_IMM(R0, 7),						\
	BPF64_EXIT_INSN()
#define ARRAY_LOOSE	(1 << 2 | 1 << 7)

static void test_cases(void)
{
	const struct fix_case cases[] = {
		{ CASE("an always-taken branch: it and its fall-through go",
		       BPF64_MOV64_IMM(R0, 0),
		       BPF64_JMP_IMM(BPF_JEQ, R0, 0, 1),
		       BPF64_MOV64_IMM(R0, 1),
		       BPF64_EXIT_INSN()),
		  .want_len = 2, .want_small = 0, .want_large = 0 },
		{ CASE("a never-taken branch: it and its target go",
		       BPF64_MOV64_IMM(R0, 1),
		       BPF64_JMP_IMM(BPF_JEQ, R0, 0, 2),
		       BPF64_MOV64_IMM(R0, 2),
		       BPF64_EXIT_INSN(),
		       BPF64_MOV64_IMM(R0, 3),
		       BPF64_EXIT_INSN()),
		  .want_len = 3, .want_small = 2, .want_large = 2 },
		{ CASE("a loop with dead code inside: the back jump re-aimed",
		       BPF64_MOV64_IMM(R0, 0),
		       BPF64_MOV64_IMM(R6, 3),
		       BPF64_ALU64_REG(BPF_ADD, R0, R6),
		       BPF64_JMP_IMM(BPF_JLT, R6, 100, 1),
		       BPF64_MOV64_IMM(R0, 77),
		       BPF64_ALU64_IMM(BPF_SUB, R6, 1),
		       BPF64_JMP_IMM(BPF_JNE, R6, 0, -5),
		       BPF64_EXIT_INSN()),
		  .want_len = 6, .want_small = 6, .want_large = 6 },
		{ CASE("dead code before and inside a subprogram",
		       BPF64_MOV64_IMM(R6, 0),
		       BPF64_JMP_IMM(BPF_JEQ, R6, 0, 1),
		       BPF64_MOV64_IMM(R6, 9),
		       BPF64_MOV64_IMM(R1, 5),
		       BPF64_CALL_REL(1),
		       BPF64_EXIT_INSN(),
		       BPF64_MOV64_REG(R0, R1),
		       BPF64_JMP_IMM(BPF_JEQ, R0, 5, 1),
		       BPF64_MOV64_IMM(R0, 0),
		       BPF64_ALU64_IMM(BPF_MUL, R0, 2),
		       BPF64_EXIT_INSN()),
		  .want_len = 7, .want_small = 10, .want_large = 10 },
		{ CASE("a goto +0 of the program's own goes",
		       BPF64_MOV64_IMM(R0, 4),
		       BPF64_JMP_A(0),
		       BPF64_EXIT_INSN()),
		  .want_len = 2, .want_small = 4, .want_large = 4 },
		{ CASE("a branch on the packet's length stays",
		       LD_SKB_LEN(R2),
		       BPF64_MOV64_IMM(R0, 1),
		       BPF64_JMP_IMM(BPF_JGT, R2, 30, 1),
		       BPF64_MOV64_IMM(R0, 2),
		       BPF64_EXIT_INSN()),
		  .want_len = 5, .want_small = 2, .want_large = 1,
		  .loose = 1 << 0 },
		{ CASE("ARRAY lookup of 8-byte values inlined: a shift",
		       ARRAY_PROG),
		  .value_size = 8, .want_len = 19,
		  .want_small = (SMALL_PKT - ETH_HLEN) * 3 + 1, .want_large = 7,
		  .loose = ARRAY_LOOSE },
		{ CASE("ARRAY lookup of 20-byte values inlined: a multiply",
		       ARRAY_PROG),
		  .value_size = 20, .want_len = 19,
		  .want_small = (SMALL_PKT - ETH_HLEN) * 3 + 1, .want_large = 7,
		  .loose = ARRAY_LOOSE },
		{ CASE("BPF_F_TEST_RND_HI32: an upper half never read is random",
		       BPF64_MOV32_IMM(R2, 5),
		       BPF64_MOV32_REG(R0, R2),
		       BPF64_EXIT_INSN()),
		  .flags = BPF_F_TEST_RND_HI32,
		  .want_len = 6, .want_small = 5, .want_large = 5 },
		{ CASE("BPF_F_TEST_RND_HI32: an upper half read stays zero",
		       BPF64_MOV32_IMM(R2, -1),
		       BPF64_MOV64_REG(R0, R2),
		       BPF64_ALU64_IMM(BPF_RSH, R0, 32),
		       BPF64_EXIT_INSN()),
		  .flags = BPF_F_TEST_RND_HI32,
		  .want_len = 4, .want_small = 0, .want_large = 0 },
		{ CASE("BPF_F_TEST_RND_HI32: loads, a loop, a 32-bit compare",
		       BPF64_ST_MEM(BPF_DW, FP, -8, -1),
		       BPF64_LDX_MEM(BPF_W, R2, FP, -8),	/* rnd */
		       BPF64_LDX_MEM(BPF_H, R3, FP, -8),	/* rnd */
		       BPF64_MOV64_IMM(R0, 0),
		       BPF64_ALU32_IMM(BPF_ADD, R0, 1),		/* zext */
		       BPF64_ALU32_IMM(BPF_SUB, R3, 0x1000),	/* rnd */
		       BPF64_JMP32_IMM(BPF_JSGT, R3, 0, -3),
		       BPF64_ALU64_REG(BPF_ADD, R0, R0),
		       BPF64_EXIT_INSN()),
		  .flags = BPF_F_TEST_RND_HI32,
		  .want_len = 18, .want_small = 32, .want_large = 32 },
		{ CASE("a 32-bit cmpxchg's r0 is zero-extended for every JIT",
		       BPF64_ST_MEM(BPF_DW, FP, -8, 3),
		       BPF64_MOV64_IMM(R0, 3),
		       BPF64_MOV64_IMM(R1, 4),
		       BPF64_ATOMIC_OP(BPF_W, BPF_CMPXCHG, FP, R1, -8),
		       BPF64_EXIT_INSN()),
		  /* Linux marks its zero extension with imm 1, for JITs */
		  .want_len = 6, .want_small = 3, .want_large = 3,
		  .loose = 1 << 4 },
	};
	__u32 i;

	for (i = 0; i < LEN(cases); i++)
		check_case(&cases[i]);
}

/*
 * Without the JIT a program keeps its helper calls, as Linux's without
 * jit_requested: interpreted, the inlined lookup costs more than the call.
 * (Linux's side would need net.core.bpf_jit_enable off.)
 */
static void test_interpreted_keeps_call(void)
{
	const struct fix_case c = {
		CASE("no JIT: the ARRAY lookup stays a call", ARRAY_PROG),
		.value_size = 8, .want_len = 13,
		.want_small = (SMALL_PKT - ETH_HLEN) * 3 + 1, .want_large = 7,
	};
	int saved = bpf64_jit_enable;
	bool has_call = false;
	__u32 i;

	bpf64_jit_enable = 0;
	if (case_on(&c, &bpf64_backend_hosted, &xl[0]))
		for (i = 0; i < xl[0].len; i++)
			has_call |= xl[0].insns[i].code == (BPF_JMP | BPF_CALL);
	bpf64_jit_enable = saved;
	TU_CHECK(has_call, "no JIT: the helper call is still there");
}

/* ---- through bpf64_fixup() itself ---- */

struct direct {
	int err;
	__u32 len;
	struct bpf_insn *insns;	/* after the rewrites */
	__u64 r0;
	double fixup_ms;
	char log[512];
};

static struct direct *fix_direct(const struct bpf_insn *insns, __u32 len,
				 const struct bpf64_fixup_opts *opts)
{
	static struct direct d;
	struct bpf64_log log = { .buf = d.log, .size = sizeof(d.log) };
	struct bpf64_insn_aux *aux = NULL;
	struct bpf64_prog *prog = NULL;
	struct bpf64_run r = { };
	struct timespec t0, t1;

	free(d.insns);
	memset(&d, 0, sizeof(d));
	d.err = bpf64_prog_create(&prog, insns, len,
				  bpf64_prog_type_ops(BPF_PROG_TYPE_SOCKET_FILTER),
				  &log);
	if (!d.err)
		d.err = bpf64_verify_aux(prog, &log, &aux);
	if (!d.err) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		d.err = bpf64_fixup(prog, aux, opts, &log);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		d.fixup_ms = (t1.tv_sec - t0.tv_sec) * 1e3 +
			     (t1.tv_nsec - t0.tv_nsec) / 1e6;
	}
	bpf64_free(aux);
	if (!d.err) {
		d.len = prog->len;
		d.insns = malloc(d.len * sizeof(*d.insns));
		memcpy(d.insns, prog->insns, d.len * sizeof(*d.insns));
		d.err = bpf64_interp_prepare(prog, BPF64_RUN_CHECKED, &log);
	}
	if (!d.err)
		d.err = bpf64_interp_run(prog, &r, &d.r0);
	if (prog)
		bpf64_prog_free(prog);
	return &d;
}

static bool insn_eq(const struct bpf_insn *a, const struct bpf_insn *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/*
 * Linux's side of the traps, loaded by a caller without privileges, is
 * compared instruction for instruction in test_verifier_unpriv.
 */
static void test_unpriv_dead_code(void)
{
	static const struct bpf_insn prog[] = {
		BPF64_MOV64_IMM(R0, 1),
		BPF64_JMP_IMM(BPF_JEQ, R0, 0, 2),
		BPF64_MOV64_IMM(R0, 2),
		BPF64_EXIT_INSN(),
		BPF64_LD_IMM64(R0, 3),
		BPF64_EXIT_INSN(),
	};
	const struct bpf_insn trap = BPF64_JMP_A(-1);
	const struct bpf64_fixup_opts unpriv = { .unpriv = true };
	const struct bpf64_fixup_opts priv = { };
	struct direct *d = fix_direct(prog, LEN(prog), &unpriv);

	TU_CHECK(!d->err && d->r0 == 2 && d->len == LEN(prog) &&
		 !memcmp(d->insns, prog, 4 * sizeof(*prog)) &&
		 insn_eq(&d->insns[4], &trap) && insn_eq(&d->insns[5], &trap) &&
		 insn_eq(&d->insns[6], &trap),
		 "unprivileged: each dead slot a 'ja -1' trap, the rest as it was");
	if (d->err)
		tu_diag("%d: %s", d->err, d->log);
	d = fix_direct(prog, LEN(prog), &priv);
	TU_CHECK(!d->err && d->r0 == 2 && d->len == 3,
		 "privileged: the same program loses its branch and dead code (%u insns)",
		 d->len);
}

static void test_zext(void)
{
	static const struct bpf_insn read_hi[] = {
		BPF64_MOV32_IMM(R2, -1),
		BPF64_MOV64_REG(R0, R2),
		BPF64_ALU64_IMM(BPF_RSH, R0, 32),
		BPF64_EXIT_INSN(),
	};
	static const struct bpf_insn low_only[] = {
		BPF64_MOV32_IMM(R2, 5),
		BPF64_MOV32_REG(R0, R2),
		BPF64_EXIT_INSN(),
	};
	const struct bpf_insn zext2 = BPF64_MOV32_REG(R2, R2);
	const struct bpf_insn zext0 = BPF64_MOV32_REG(R0, R0);
	const struct bpf64_fixup_opts zext = { .zext = true };
	const struct bpf64_fixup_opts both = { .zext = true, .rnd_hi32 = true };
	struct direct *d = fix_direct(read_hi, LEN(read_hi), &zext);

	TU_CHECK(!d->err && d->r0 == 0 && d->len == 5 &&
		 insn_eq(&d->insns[1], &zext2),
		 "zext: after a 32-bit def whose upper half is read");
	d = fix_direct(low_only, LEN(low_only), &zext);
	TU_CHECK(!d->err && d->r0 == 5 && d->len == 4 &&
		 insn_eq(&d->insns[2], &zext0),
		 "zext: not after one whose upper half is never read");
	d = fix_direct(low_only, LEN(low_only), &both);
	TU_CHECK(!d->err && d->r0 == 5 && d->len == 7 &&
		 d->insns[1].code == (BPF_ALU64 | BPF_END | BPF_K) &&
		 insn_eq(&d->insns[5], &zext0),
		 "zext and BPF_F_TEST_RND_HI32: random where unread, zero where read");
	tu_skip("linux: zext for a JIT that needs it # SKIP x86-64's JIT needs none");
}

/*
 * Many 32-bit definitions, half with their upper half read later, and
 * branches the verifier decides: every rewrite at once, in linear time.
 */
static void test_large(void)
{
	const struct bpf64_fixup_opts opts = { .zext = true, .rnd_hi32 = true };
	__u32 n = 50000, i = 0, k;
	struct bpf_insn *p = calloc(n * 6 + 3, sizeof(*p));
	struct direct *d;

	p[i++] = BPF64_MOV64_IMM(R0, 0);
	for (k = 0; k < n; k++) {
		p[i++] = BPF64_MOV32_IMM(R2, k);		/* rnd */
		p[i++] = BPF64_MOV32_REG(R3, R2);		/* zext */
		p[i++] = BPF64_ALU64_REG(BPF_ADD, R0, R3);
		p[i++] = BPF64_JMP_IMM(BPF_JGE, R0, 0, 1);	/* always */
		p[i++] = BPF64_MOV64_IMM(R0, 1);		/* dead */
		p[i++] = BPF64_ALU64_IMM(BPF_AND, R0, 0xffff);
	}
	p[i++] = BPF64_EXIT_INSN();
	d = fix_direct(p, i, &opts);
	TU_CHECK(!d->err && d->len == i + 3 * n + n - 2 * n &&
		 d->r0 == ((__u64)n * (n - 1) / 2 & 0xffff),
		 "%u insns with %u random upper halves, %u zero extensions, %u dead branches: %u insns in %.1f ms",
		 i, n, n, n, d->len, d->fixup_ms);
	if (d->err)
		tu_diag("%d: %s", d->err, d->log);
	free(p);
}

int main(void)
{
	test_cases();
	test_interpreted_keeps_call();
	test_unpriv_dead_code();
	test_zext();
	test_large();
	return tu_exit();
}
