// SPDX-License-Identifier: GPL-2.0
/*
 * The assembler for the bpf_conformance suite's syntax.
 *
 * One instruction per line; '#' starts a comment anywhere; "name:" defines
 * a label (an instruction may follow it on the same line); the first
 * "exit" also defines the label "exit" unless the program has its own.
 * Operands are separated by commas or blanks; numbers are decimal or 0x
 * hex with an optional sign.  A jump or call target is "+N", "-N" (relative
 * to the next instruction) or a label.
 *
 *   add sub mul div sdiv or and lsh rsh mod smod xor mov arsh  %d, %s|imm
 *   neg  %d                  (each of the above with "32": ALU32)
 *   movsx864 movsx1664 movsx3264 movsx832 movsx1632  %d, %s
 *   le16 le32 le64 be16 be32 be64  %d   (ALU, BPF_END)
 *   bswap16 bswap32 bswap64 (or swap16..)  %d   (ALU64, BPF_END)
 *   ldxb ldxh ldxw ldxdw ldxsb ldxsh ldxsw  %d, [%s+off]
 *   stb sth stw stdw [%d+off], imm      stxb stxh stxw stxdw [%d+off], %s
 *   lddw %d, imm64        lddw %d, KIND imm[, imm2]  (LD_IMM64 src_reg
 *                         map_fd map_value btf_id func map_idx map_idx_value;
 *                         func takes a target, imm2 is the second slot's imm)
 *   ldabsb ldabsh ldabsw imm    ldindb ldindh ldindw %s, imm
 *                         (legacy packet loads, spelled as GNU as does)
 *   ja target   ja32 target (gotol)   may_goto target
 *   jeq jgt jge jset jne jsgt jsge jlt jle jslt jsle[32]  %d, %s|imm, target
 *   call imm | call %r | call helper imm|%r | call local target
 *   call runtime imm      exit
 *   lock [fetch] add|and|or|xor[32] [%d+off], %s
 *   lock xchg|cmpxchg[32] [%d+off], %s
 *
 * Registers are %r0..%r10, and %r11..%r15 which the suite's negative tests
 * use: they assemble and bpf64_check_insn() rejects them.  Where the
 * suite's assembler silently truncates we refuse instead: imm must fit 32
 * bits (signed or unsigned), offsets 16 bits signed, "call local -3" means
 * -3 (theirs gives 65533).  On the suite's programs the bytes are the same.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/disasm.h>
#include "asm.h"

#define ASM_MAX_INSNS	(1u << 24)	/* far above any loadable program */
#define ASM_MAX_TOKS	8		/* "lock fetch add32 [m], %r" is 5 */
#define ASM_MAX_REG	15		/* dst_reg and src_reg are 4 bits */

enum form {
	FORM_ALU,	/* %d, %s|imm */
	FORM_MOVSX,	/* %d, %s */
	FORM_UNARY,	/* %d */
	FORM_LDX,	/* %d, [%s+off] */
	FORM_ST,	/* [%d+off], imm */
	FORM_STX,	/* [%d+off], %s */
	FORM_LDDW,	/* %d, imm64 | %d, kind imm[, imm2] */
	FORM_LDABS,	/* imm */
	FORM_LDIND,	/* %s, imm */
	FORM_JCOND,	/* %d, %s|imm, target */
	FORM_JA,	/* target in off */
	FORM_JA32,	/* target in imm */
	FORM_CALL,	/* imm | %r | helper imm|%r | local target | runtime imm */
	FORM_EXIT,
	FORM_LOCK,	/* [fetch] op [%d+off], %s */
};

struct label {
	const char *name;
	u32 idx;
	unsigned int line;
};

/* A jump or call to a label, resolved once all labels are known. */
struct fixup {
	const char *name;
	u32 idx;
	unsigned int line;
	bool in_imm;	/* ja32, call local, lddw func: imm; else off */
};

struct asm_ctx {
	struct bpf_insn *insns;
	u32 len, cap;
	struct label *labels;
	size_t nlabels, labels_cap;
	struct fixup *fixups;
	size_t nfixups, fixups_cap;
	s64 first_exit;		/* implicit "exit" label, -1 if none */
	unsigned int line;
	const char *mnemonic;
	char *err;
	size_t err_size;
};

/* What a mnemonic stands for: its operand form and the fixed fields. */
struct mnem {
	enum form form;
	u8 code;
	s16 off;
	s32 imm;
};

static const struct {
	int nops;		/* -1: the form counts for itself */
	const char *usage;
} forms[] = {
	[FORM_ALU]	= { 2, "%dst, %src|imm" },
	[FORM_MOVSX]	= { 2, "%dst, %src" },
	[FORM_UNARY]	= { 1, "%dst" },
	[FORM_LDX]	= { 2, "%dst, [%src+off]" },
	[FORM_ST]	= { 2, "[%dst+off], imm" },
	[FORM_STX]	= { 2, "[%dst+off], %src" },
	[FORM_LDDW]	= { -1, "%dst, imm64 or %dst, kind imm[, imm]" },
	[FORM_LDABS]	= { 1, "imm" },
	[FORM_LDIND]	= { 2, "%src, imm" },
	[FORM_JCOND]	= { 3, "%dst, %src|imm, +off|label" },
	[FORM_JA]	= { 1, "+off|label" },
	[FORM_JA32]	= { 1, "+off|label" },
	[FORM_CALL]	= { -1, "imm, %reg, helper imm|%reg, local +off|label or runtime imm" },
	[FORM_EXIT]	= { 0, "no operands" },
	[FORM_LOCK]	= { -1, "[fetch] op [%dst+off], %src" },
};

static const struct {
	const char *name;
	enum form form;
	u8 code;
} fixed_mnems[] = {
	{ "exit",	FORM_EXIT,	BPF_JMP | BPF_EXIT },
	{ "call",	FORM_CALL,	BPF_JMP | BPF_CALL },
	{ "ja",		FORM_JA,	BPF_JMP | BPF_JA },
	{ "ja32",	FORM_JA32,	BPF_JMP32 | BPF_JA },
	{ "may_goto",	FORM_JA,	BPF_JMP | BPF_JCOND },
	{ "lddw",	FORM_LDDW,	BPF_LD | BPF_IMM | BPF_DW },
	{ "lock",	FORM_LOCK,	BPF_STX | BPF_ATOMIC },
};

/* Mnemonics spelled prefix + size ("ldxdw"); sizes is a mask of 1 << size. */
#define SZ(s)		(1u << ((s) >> 3))
#define SZ_ALL		(SZ(BPF_W) | SZ(BPF_H) | SZ(BPF_B) | SZ(BPF_DW))
#define SZ_NO_DW	(SZ(BPF_W) | SZ(BPF_H) | SZ(BPF_B))
static const struct {
	const char *prefix;
	enum form form;
	u8 code;
	unsigned int sizes;
} sized_mnems[] = {
	{ "ldx",	FORM_LDX,	BPF_LDX | BPF_MEM,	SZ_ALL },
	{ "ldxs",	FORM_LDX,	BPF_LDX | BPF_MEMSX,	SZ_NO_DW },
	{ "st",		FORM_ST,	BPF_ST | BPF_MEM,	SZ_ALL },
	{ "stx",	FORM_STX,	BPF_STX | BPF_MEM,	SZ_ALL },
	{ "ldabs",	FORM_LDABS,	BPF_LD | BPF_ABS,	SZ_NO_DW },
	{ "ldind",	FORM_LDIND,	BPF_LD | BPF_IND,	SZ_NO_DW },
};

/* Byte swaps: prefix + 16, 32 or 64, the width going to imm. */
static const struct {
	const char *prefix;
	u8 code;
} swap_mnems[] = {
	{ "le",		BPF_ALU | BPF_END | BPF_TO_LE },
	{ "be",		BPF_ALU | BPF_END | BPF_TO_BE },
	{ "bswap",	BPF_ALU64 | BPF_END | BPF_TO_LE },
	{ "swap",	BPF_ALU64 | BPF_END | BPF_TO_LE },
};

static __printf(2, 3) int fail(struct asm_ctx *a, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!a->err || !a->err_size)
		return -EINVAL;
	n = snprintf(a->err, a->err_size, "line %u: ", a->line);
	if (n >= 0 && (size_t)n < a->err_size) {
		va_start(ap, fmt);
		vsnprintf(a->err + n, a->err_size - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int wrong_count(struct asm_ctx *a, enum form form)
{
	return fail(a, "wrong number of operands for '%s' (expected %s)",
		    a->mnemonic, forms[form].usage);
}

/* Index of name in a table of 16 mnemonics, or -1. */
static int table_find(const char *const *table, const char *name,
		      size_t len)
{
	int i;

	for (i = 0; i < 16; i++)
		if (table[i] && strlen(table[i]) == len &&
		    !memcmp(table[i], name, len))
			return i;
	return -1;
}

/* Strip a "32" (or "64" where allowed) suffix; returns the class it meant. */
static size_t strip_width(const char *name, bool *is32)
{
	size_t len = strlen(name);

	*is32 = len > 2 && !strcmp(name + len - 2, "32");
	return *is32 ? len - 2 : len;
}

static bool lookup_sized(const char *name, struct mnem *m)
{
	size_t i, plen;
	int sz;

	for (i = 0; i < ARRAY_SIZE(sized_mnems); i++) {
		plen = strlen(sized_mnems[i].prefix);
		if (strncmp(name, sized_mnems[i].prefix, plen))
			continue;
		for (sz = 0; sz < 4; sz++) {
			if (!(sized_mnems[i].sizes & (1u << sz)) ||
			    strcmp(name + plen, bpf64_size_names[sz]))
				continue;
			m->form = sized_mnems[i].form;
			m->code = sized_mnems[i].code | sz << 3;
			return true;
		}
	}
	return false;
}

static bool lookup_swap(const char *name, struct mnem *m)
{
	size_t i, plen;

	for (i = 0; i < ARRAY_SIZE(swap_mnems); i++) {
		plen = strlen(swap_mnems[i].prefix);
		if (strncmp(name, swap_mnems[i].prefix, plen))
			continue;
		if (strcmp(name + plen, "16") && strcmp(name + plen, "32") &&
		    strcmp(name + plen, "64"))
			continue;
		m->form = FORM_UNARY;
		m->code = swap_mnems[i].code;
		m->imm = atoi(name + plen);
		return true;
	}
	return false;
}

/* movsx<from><to>: from 8, 16 or 32 bits to 64, from 8 or 16 to 32. */
static bool lookup_movsx(const char *name, struct mnem *m)
{
	static const struct {
		const char *name;
		u8 class;
		s16 off;
	} movsx[] = {
		{ "movsx864", BPF_ALU64, 8 },  { "movsx1664", BPF_ALU64, 16 },
		{ "movsx3264", BPF_ALU64, 32 }, { "movsx832", BPF_ALU, 8 },
		{ "movsx1632", BPF_ALU, 16 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(movsx); i++) {
		if (strcmp(name, movsx[i].name))
			continue;
		m->form = FORM_MOVSX;
		m->code = movsx[i].class | BPF_MOV | BPF_X;
		m->off = movsx[i].off;
		return true;
	}
	return false;
}

static bool lookup_alu_jmp(const char *name, struct mnem *m)
{
	bool is32;
	size_t len = strip_width(name, &is32);
	int op;

	op = table_find(bpf64_alu_names, name, len);
	if (op < 0) {
		op = table_find(bpf64_alu_signed_names, name, len);
		m->off = 1;
	}
	if (op >= 0) {
		m->form = op == BPF_NEG >> 4 ? FORM_UNARY : FORM_ALU;
		m->code = (is32 ? BPF_ALU : BPF_ALU64) | op << 4;
		return true;
	}
	op = table_find(bpf64_jmp_names, name, len);
	if (op < 0)
		return false;
	m->form = FORM_JCOND;
	m->code = (is32 ? BPF_JMP32 : BPF_JMP) | op << 4;
	m->off = 0;
	return true;
}

static bool lookup_mnemonic(const char *name, struct mnem *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < ARRAY_SIZE(fixed_mnems); i++) {
		if (!strcmp(name, fixed_mnems[i].name)) {
			m->form = fixed_mnems[i].form;
			m->code = fixed_mnems[i].code;
			return true;
		}
	}
	return lookup_sized(name, m) || lookup_swap(name, m) ||
	       lookup_movsx(name, m) || lookup_alu_jmp(name, m);
}

/*
 * Numbers: [+-](0x<hex>|<decimal>), checked to lie in [min, max] where
 * max is taken as unsigned so that 32-bit fields take both -1 and
 * 0xffffffff.  *val gets the two's complement value.
 */
static int parse_num(struct asm_ctx *a, const char *s, s64 min, u64 max,
		     const char *what, u64 *val)
{
	const char *p = s;
	bool neg = false;
	u64 mag = 0, digit, base = 10;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		return fail(a, "bad number '%s'", s);
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digit = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			digit = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			digit = *p - 'A' + 10;
		else
			return fail(a, "bad number '%s'", s);
		if (mag > (UINT64_MAX - digit) / base)
			return fail(a, "%s '%s' is out of range", what, s);
		mag = mag * base + digit;
	}
	/* -min as unsigned, without overflowing on INT64_MIN */
	if (neg ? mag > (u64)(-(min + 1)) + 1 : mag > max)
		return fail(a, "%s '%s' is out of range (%lld to %llu)", what, s,
			    (long long)min, (unsigned long long)max);
	*val = neg ? -mag : mag;
	return 0;
}

static int parse_imm32(struct asm_ctx *a, const char *s, s32 *imm)
{
	u64 v;
	int err = parse_num(a, s, INT32_MIN, UINT32_MAX, "immediate", &v);

	if (!err)
		*imm = (s32)(u32)v;
	return err;
}

static bool is_reg(const char *s)
{
	return s[0] == '%';
}

static int parse_reg(struct asm_ctx *a, const char *s, u8 *reg)
{
	unsigned int n = 0;
	const char *p = s + 2;

	if (s[0] != '%' || s[1] != 'r' || !*p || (p[0] == '0' && p[1]))
		return fail(a, "bad register '%s' (expected %%r0..%%r10)", s);
	for (; *p >= '0' && *p <= '9' && n <= ASM_MAX_REG; p++)
		n = n * 10 + (*p - '0');
	if (*p || n > ASM_MAX_REG)
		return fail(a, "bad register '%s' (expected %%r0..%%r10)", s);
	*reg = n;
	return 0;
}

/* "[%r1]", "[%r1+4]", "[%r10-8]", blanks allowed inside the brackets. */
static int parse_mem(struct asm_ctx *a, const char *s, u8 *reg, s16 *off)
{
	char buf[64], *p, *sign;
	size_t i, n = 0;
	u64 v;
	int err;

	for (i = 0; s[i] && n < sizeof(buf) - 1; i++)
		if (s[i] != ' ' && s[i] != '\t')
			buf[n++] = s[i];
	buf[n] = '\0';
	if (s[i] || n < 2 || buf[0] != '[' || buf[n - 1] != ']')
		return fail(a, "bad memory operand '%s' (expected [%%rN+off])", s);
	buf[n - 1] = '\0';
	p = buf + 1;
	sign = strpbrk(p, "+-");
	*off = 0;
	if (sign) {
		err = parse_num(a, sign, INT16_MIN, INT16_MAX, "offset", &v);
		if (err)
			return err;
		*off = (s16)v;
		*sign = '\0';
	}
	return parse_reg(a, p, reg);
}

static bool is_label_name(const char *s)
{
	const char *p = s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	      *p == '_' || *p == '.'))
		return false;
	for (p++; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
			return false;
	return true;
}

static void *grow(void *arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return arr;
	while (ncap < need)
		ncap *= 2;
	p = realloc(arr, ncap * elem);
	if (p)
		*cap = ncap;
	return p;
}

/*
 * "+N" or "-N" relative to the next instruction, or a label resolved later.
 * The instruction being assembled is a->insns[idx].
 */
static int parse_target(struct asm_ctx *a, const char *s, u32 idx,
			bool in_imm, s32 *val)
{
	struct fixup *f;
	u64 v;
	int err;

	if (s[0] == '+' || s[0] == '-') {
		err = in_imm ?
		      parse_num(a, s, INT32_MIN, INT32_MAX, "jump offset", &v) :
		      parse_num(a, s, INT16_MIN, INT16_MAX, "jump offset", &v);
		if (!err)
			*val = (s32)v;
		return err;
	}
	if (!is_label_name(s))
		return fail(a, "bad jump target '%s' (expected +N, -N or a label)",
			    s);
	f = grow(a->fixups, &a->fixups_cap, a->nfixups + 1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	a->fixups = f;
	a->fixups[a->nfixups++] = (struct fixup){
		.name = s, .idx = idx, .line = a->line, .in_imm = in_imm,
	};
	*val = 0;
	return 0;
}

/* The source operand of ALU and jumps: a register (BPF_X) or an imm. */
static int parse_src(struct asm_ctx *a, const char *s, struct bpf_insn *insn)
{
	u8 reg;
	int err;

	if (!is_reg(s))
		return parse_imm32(a, s, &insn->imm);
	err = parse_reg(a, s, &reg);
	insn->code |= BPF_X;
	insn->src_reg = reg;
	return err;
}

static bool is_call_kind(const char *s)
{
	return !strcmp(s, "helper") || !strcmp(s, "local") ||
	       !strcmp(s, "runtime");
}

static int asm_call(struct asm_ctx *a, struct bpf_insn *insn, u32 idx,
		    char **ops, int n)
{
	const char *kind, *target;
	u8 reg;
	int err;

	if (n != 1 && n != 2)
		return wrong_count(a, FORM_CALL);
	if (n == 1 && is_call_kind(ops[0]))
		return wrong_count(a, FORM_CALL);
	kind = n == 2 ? ops[0] : "helper";
	target = ops[n - 1];
	if (!strcmp(kind, "local")) {
		insn->src_reg = BPF_PSEUDO_CALL;
		return parse_target(a, target, idx, true, &insn->imm);
	}
	if (!strcmp(kind, "runtime")) {
		insn->src_reg = BPF_PSEUDO_KFUNC_CALL;
		return parse_imm32(a, target, &insn->imm);
	}
	if (strcmp(kind, "helper"))
		return fail(a, "unknown kind of call '%s' (helper, local or runtime)",
			    kind);
	if (!is_reg(target))
		return parse_imm32(a, target, &insn->imm);
	/* callx keeps its target register in dst_reg, as clang emits it */
	err = parse_reg(a, target, &reg);
	insn->code |= BPF_X;
	insn->dst_reg = reg;
	return err;
}

static int asm_lddw(struct asm_ctx *a, struct bpf_insn *insn, u32 idx,
		    char **ops, int n)
{
	struct bpf_insn *tail = insn + 1;
	u8 reg;
	u64 v;
	int err, kind;

	if (n < 2 || n > 4)
		return wrong_count(a, FORM_LDDW);
	for (kind = BPF64_LD_PSEUDO_MAX; kind > 0; kind--)
		if (!strcmp(ops[1], bpf64_ld_pseudo_names[kind]))
			break;
	if (n == 2 && kind)
		return wrong_count(a, FORM_LDDW);
	if (n > 2 && !kind)
		return fail(a, "unknown kind of lddw '%s'", ops[1]);
	err = parse_reg(a, ops[0], &reg);
	if (err)
		return err;
	insn->dst_reg = reg;
	if (n == 2) {
		err = parse_num(a, ops[1], INT64_MIN, UINT64_MAX, "immediate", &v);
		insn->imm = (s32)(u32)v;
		tail->imm = (s32)(u32)(v >> 32);
		return err;
	}
	insn->src_reg = kind;
	if (n == 4) {
		err = parse_imm32(a, ops[3], &tail->imm);
		if (err)
			return err;
	}
	if (kind == BPF_PSEUDO_FUNC)
		return parse_target(a, ops[2], idx, true, &insn->imm);
	return parse_imm32(a, ops[2], &insn->imm);
}

static int asm_lock(struct asm_ctx *a, struct bpf_insn *insn, char **ops,
		    int n)
{
	bool fetch = n == 4 && !strcmp(ops[0], "fetch"), is32;
	const char *name;
	size_t len;
	u8 reg;
	int op, err;

	if (n != 3 + fetch)
		return wrong_count(a, FORM_LOCK);
	name = ops[fetch];
	len = strip_width(name, &is32);
	op = table_find(bpf64_atomic_names, name, len);
	if (op < 0)
		return fail(a, "unknown atomic operation '%s'", name);
	insn->code |= is32 ? BPF_W : BPF_DW;
	insn->imm = op << 4;
	/* xchg and cmpxchg always fetch; "lock fetch xchg" says no more */
	if (fetch || insn->imm == (BPF_XCHG & 0xf0) ||
	    insn->imm == (BPF_CMPXCHG & 0xf0))
		insn->imm |= BPF_FETCH;
	err = parse_mem(a, ops[fetch + 1], &reg, &insn->off);
	if (err)
		return err;
	insn->dst_reg = reg;
	err = parse_reg(a, ops[fetch + 2], &reg);
	insn->src_reg = reg;
	return err;
}

static int asm_operands(struct asm_ctx *a, const struct mnem *m,
			struct bpf_insn *insn, u32 idx, char **ops, int n)
{
	u8 dst = 0, src = 0;
	int err = 0;

	if (forms[m->form].nops >= 0 && n != forms[m->form].nops)
		return wrong_count(a, m->form);
	switch (m->form) {
	case FORM_ALU:
		err = parse_reg(a, ops[0], &dst) ?: parse_src(a, ops[1], insn);
		break;
	case FORM_MOVSX:
		err = parse_reg(a, ops[0], &dst) ?: parse_reg(a, ops[1], &src);
		insn->src_reg = src;
		break;
	case FORM_UNARY:
		err = parse_reg(a, ops[0], &dst);
		break;
	case FORM_LDX:
		err = parse_reg(a, ops[0], &dst) ?:
		      parse_mem(a, ops[1], &src, &insn->off);
		insn->src_reg = src;
		break;
	case FORM_ST:
		err = parse_mem(a, ops[0], &dst, &insn->off) ?:
		      parse_imm32(a, ops[1], &insn->imm);
		break;
	case FORM_STX:
		err = parse_mem(a, ops[0], &dst, &insn->off) ?:
		      parse_reg(a, ops[1], &src);
		insn->src_reg = src;
		break;
	case FORM_LDABS:
		return parse_imm32(a, ops[0], &insn->imm);
	case FORM_LDIND:
		err = parse_reg(a, ops[0], &src) ?:
		      parse_imm32(a, ops[1], &insn->imm);
		insn->src_reg = src;
		break;
	case FORM_JCOND:
		err = parse_reg(a, ops[0], &dst) ?: parse_src(a, ops[1], insn);
		if (!err) {
			s32 off;

			err = parse_target(a, ops[2], idx, false, &off);
			insn->off = off;
		}
		break;
	case FORM_JA: {
		s32 off;

		err = parse_target(a, ops[0], idx, false, &off);
		insn->off = off;
		return err;
	}
	case FORM_JA32:
		return parse_target(a, ops[0], idx, true, &insn->imm);
	case FORM_CALL:
		return asm_call(a, insn, idx, ops, n);
	case FORM_EXIT:
		if (a->first_exit < 0)
			a->first_exit = idx;
		return 0;
	case FORM_LDDW:
		return asm_lddw(a, insn, idx, ops, n);
	case FORM_LOCK:
		return asm_lock(a, insn, ops, n);
	}
	insn->dst_reg = dst;
	return err;
}

static int asm_insn(struct asm_ctx *a, char **toks, int ntoks)
{
	struct bpf_insn *insns;
	struct mnem m;
	u32 idx = a->len, slots;
	size_t cap = a->cap;

	a->mnemonic = toks[0];
	if (!lookup_mnemonic(toks[0], &m))
		return fail(a, "unknown mnemonic '%s'", toks[0]);
	slots = m.form == FORM_LDDW ? 2 : 1;
	if (a->len + slots > ASM_MAX_INSNS)
		return fail(a, "program too large (more than %u instructions)",
			    ASM_MAX_INSNS);
	insns = grow(a->insns, &cap, a->len + slots, sizeof(*insns));
	if (!insns)
		return -ENOMEM;
	a->insns = insns;
	a->cap = cap;
	memset(&insns[idx], 0, slots * sizeof(*insns));
	insns[idx].code = m.code;
	insns[idx].off = m.off;
	insns[idx].imm = m.imm;
	a->len += slots;
	return asm_operands(a, &m, &insns[idx], idx, toks + 1, ntoks - 1);
}

static int add_label(struct asm_ctx *a, char *name)
{
	struct label *l;

	if (!is_label_name(name))
		return fail(a, "bad label name '%s'", name);
	l = grow(a->labels, &a->labels_cap, a->nlabels + 1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	a->labels = l;
	a->labels[a->nlabels++] = (struct label){
		.name = name, .idx = a->len, .line = a->line,
	};
	return 0;
}

static bool is_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Split a line in place: blanks and commas separate, [...] is one token. */
static int tokenize(struct asm_ctx *a, char *p, char **toks, int *ntoks)
{
	*ntoks = 0;
	for (;;) {
		while (is_sep(*p))
			p++;
		if (!*p)
			return 0;
		if (*ntoks == ASM_MAX_TOKS)
			return fail(a, "too many operands");
		toks[(*ntoks)++] = p;
		if (*p == '[') {
			p = strchr(p, ']');
			if (!p)
				return fail(a, "missing ']'");
		}
		while (*p && !is_sep(*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
}

static int asm_line(struct asm_ctx *a, char *line)
{
	char *toks[ASM_MAX_TOKS], *hash = strchr(line, '#');
	size_t len;
	int n, err;

	if (hash)
		*hash = '\0';
	err = tokenize(a, line, toks, &n);
	if (err || !n)
		return err;
	len = strlen(toks[0]);
	if (toks[0][len - 1] == ':') {
		toks[0][len - 1] = '\0';
		err = add_label(a, toks[0]);
		if (err || n == 1)
			return err;
		return asm_insn(a, toks + 1, n - 1);
	}
	return asm_insn(a, toks, n);
}

static int cmp_label(const void *x, const void *y)
{
	const struct label *l = x, *r = y;
	int c = strcmp(l->name, r->name);

	if (c)
		return c;
	return l->line < r->line ? -1 : l->line > r->line;
}

static int check_labels(struct asm_ctx *a)
{
	size_t i;

	if (a->nlabels)
		qsort(a->labels, a->nlabels, sizeof(*a->labels), cmp_label);
	for (i = 1; i < a->nlabels; i++) {
		if (strcmp(a->labels[i - 1].name, a->labels[i].name))
			continue;
		a->line = a->labels[i].line;
		return fail(a, "duplicate label '%s' (first defined on line %u)",
			    a->labels[i].name, a->labels[i - 1].line);
	}
	return 0;
}

static int cmp_label_name(const void *x, const void *y)
{
	const struct label *l = x, *r = y;

	return strcmp(l->name, r->name);
}

static int resolve(struct asm_ctx *a, const struct fixup *f)
{
	struct label key = { .name = f->name }, *l;
	struct bpf_insn *insn = &a->insns[f->idx];
	s64 target, delta;

	a->line = f->line;
	l = a->nlabels ? bsearch(&key, a->labels, a->nlabels, sizeof(*l),
				 cmp_label_name) : NULL;
	if (l)
		target = l->idx;
	else if (!strcmp(f->name, "exit") && a->first_exit >= 0)
		target = a->first_exit;
	else
		return fail(a, "undefined label '%s'", f->name);
	delta = target - f->idx - 1;
	if (f->in_imm) {
		insn->imm = (s32)delta;	/* programs are far below 2^31 */
		return 0;
	}
	if (delta < INT16_MIN || delta > INT16_MAX)
		return fail(a, "jump to '%s' is out of range (offset %lld)",
			    f->name, (long long)delta);
	insn->off = (s16)delta;
	return 0;
}

static int asm_text(struct asm_ctx *a, char *text)
{
	char *line = text, *nl;
	size_t i;
	int err;

	for (a->line = 1; line; a->line++, line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		err = asm_line(a, line);
		if (err)
			return err;
	}
	err = check_labels(a);
	for (i = 0; !err && i < a->nfixups; i++)
		err = resolve(a, &a->fixups[i]);
	return err;
}

int bpf64_asm(const char *text, struct bpf_insn **insnsp, u32 *lenp,
	      char *err, size_t err_size)
{
	struct asm_ctx a = { .first_exit = -1, .err = err, .err_size = err_size };
	char *copy;
	int ret;

	if (err && err_size)
		err[0] = '\0';
	*insnsp = NULL;
	*lenp = 0;
	copy = strdup(text ? text : "");
	if (!copy)
		return -ENOMEM;
	ret = asm_text(&a, copy);
	if (!ret && !a.insns) {
		a.insns = calloc(1, sizeof(*a.insns));
		if (!a.insns)
			ret = -ENOMEM;
	}
	if (ret == -ENOMEM && err && err_size)
		snprintf(err, err_size, "out of memory");
	free(copy);
	free(a.labels);
	free(a.fixups);
	if (ret) {
		free(a.insns);
		return ret;
	}
	*insnsp = a.insns;
	*lenp = a.len;
	return 0;
}
