// SPDX-License-Identifier: GPL-2.0
/*
 * The assembler and the disassembler: the conformance suite's programs,
 * hand-encoded instructions, a round trip over every valid encoding, Linux's
 * verifier-log spelling, and the errors both give.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf64/asm.h>
#include <linux/bpf64/disasm.h>
#include <linux/bpf64/insn.h>

#include "test_util.h"

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })

/* An instruction as the suite's "-- raw" section writes it. */
static u64 insn_word(const struct bpf_insn *insn)
{
	return (u64)insn->code | (u64)insn->dst_reg << 8 |
	       (u64)insn->src_reg << 12 | (u64)(u16)insn->off << 16 |
	       (u64)(u32)insn->imm << 32;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			char *nbuf = realloc(buf, cap + 8192 + 1);

			if (!nbuf) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nbuf;
			cap += 8192;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		buf[len] = '\0';
	} while (n);
	fclose(f);
	return buf;
}

/*
 * The text of section "-- name" of a .data file (malloc'ed), or NULL.
 * Sections run to the next line that starts with "-- ".
 */
static char *data_section(const char *data, const char *name)
{
	size_t nlen = strlen(name);
	const char *p, *next, *start = NULL;

	for (p = data; *p; p = next) {
		next = strchr(p, '\n');
		next = next ? next + 1 : p + strlen(p);
		if (strncmp(p, "-- ", 3))
			continue;
		if (start)
			break;
		if (!strncmp(p + 3, name, nlen) &&
		    (p[3 + nlen] == '\n' || p[3 + nlen] == '\r' || !p[3 + nlen]))
			start = next;
	}
	return start ? strndup(start, p - start) : NULL;
}

static bool same_insns(const struct bpf_insn *a, const struct bpf_insn *b,
		       u32 n)
{
	return !memcmp(a, b, n * sizeof(*a));
}

/*
 * Disassemble every instruction in ASM style, assemble the lines again and
 * compare.  Labels become relative offsets, so the bytes must not change.
 */
static bool program_round_trips(const struct bpf_insn *insns, u32 len,
				char *why, size_t why_size)
{
	size_t cap = (size_t)len * 80 + 1, used = 0;
	char *text = malloc(cap), line[128], err[128];
	struct bpf_insn *again;
	u32 i, n2;
	int n;
	bool ok = false;

	if (!text)
		return false;
	text[0] = '\0';
	for (i = 0; i < len; i += n) {
		n = bpf64_disasm_insn(insns, len, i, BPF64_DISASM_ASM, line,
				      sizeof(line));
		if (n < 0) {
			snprintf(why, why_size, "insn %u: %s", i, line);
			goto out;
		}
		used += snprintf(text + used, cap - used, "%s\n", line);
	}
	if (bpf64_asm(text, &again, &n2, err, sizeof(err))) {
		snprintf(why, why_size, "reassembly: %s", err);
		goto out;
	}
	ok = n2 == len && same_insns(insns, again, len);
	if (!ok)
		snprintf(why, why_size, "reassembled bytes differ");
	free(again);
out:
	free(text);
	return ok;
}

static const char *conformance_dir(void)
{
	static const char *const dirs[] = {
		"tools/testing/selftests/bpf/conformance/tests",
		"../shared/conformance/tests",
		"/work/shared/conformance/tests",
	};
	const char *env = getenv("BPF64_CONFORMANCE_DIR");
	size_t i;
	DIR *d;

	if (env)
		return env;
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		d = opendir(dirs[i]);
		if (d) {
			closedir(d);
			return dirs[i];
		}
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The "-- raw" section: one 64-bit hex word per instruction. */
static bool raw_matches(const char *raw, const struct bpf_insn *insns, u32 len)
{
	const char *p = raw;
	char *end;
	u32 i = 0;
	u64 w;

	for (;;) {
		while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
			p++;
		if (!*p)
			break;
		w = strtoull(p, &end, 16);
		if (end == p || i >= len || w != insn_word(&insns[i])) {
			tu_diag("raw word %u: expected %.18s", i, p);
			return false;
		}
		p = end;
		i++;
	}
	return i == len;
}

static void test_conformance(void)
{
	const char *dir = conformance_dir();
	char **names = NULL, path[4096], why[512], err[256], line[128];
	size_t n = 0, cap = 0, i;
	int assembled = 0, round_trips = 0, kernel_ok = 0, raw_checked = 0;
	bool raw_ok = true;
	struct dirent *de;
	DIR *d;

	d = dir ? opendir(dir) : NULL;
	if (!d) {
		tu_skip("conformance programs # SKIP no conformance directory (set BPF64_CONFORMANCE_DIR)");
		return;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l < 5 || strcmp(de->d_name + l - 5, ".data"))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 512;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				exit(2);
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);

	for (i = 0; i < n; i++) {
		struct bpf_insn *insns;
		char *data, *text, *raw;
		u32 len, j;
		int k;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		data = read_file(path);
		text = data ? data_section(data, "asm") : NULL;
		if (!text || bpf64_asm(text, &insns, &len, err, sizeof(err))) {
			tu_diag("%s: %s", names[i], text ? err : "no -- asm section");
			goto next;
		}
		assembled++;
		raw = data_section(data, "raw");
		if (raw) {
			raw_checked++;
			raw_ok &= raw_matches(raw, insns, len);
			free(raw);
		}
		if (program_round_trips(insns, len, why, sizeof(why)))
			round_trips++;
		else
			tu_diag("%s: round trip: %s", names[i], why);
		for (j = 0; j < len; j += k) {
			k = bpf64_disasm_insn(insns, len, j, BPF64_DISASM_KERNEL,
					      line, sizeof(line));
			if (k < 0)
				break;
		}
		if (j >= len)
			kernel_ok++;
		else
			tu_diag("%s: insn %u: %s", names[i], j, line);
		free(insns);
next:
		free(text);
		free(data);
		free(names[i]);
	}
	free(names);
	TU_CHECK(n > 0 && assembled == (int)n,
		 "conformance: %d of %zu programs assemble", assembled, n);
	TU_CHECK(raw_checked == 1 && raw_ok,
		 "conformance: the -- raw section (lddw.data) matches byte for byte");
	TU_CHECK(n > 0 && round_trips == (int)n,
		 "conformance: %d of %zu programs disassemble and reassemble to the same bytes",
		 round_trips, n);
	TU_CHECK(n > 0 && kernel_ok == (int)n,
		 "conformance: %d of %zu programs disassemble in kernel style",
		 kernel_ok, n);
}

/*
 * Encodings worked out by hand from the ISA (RFC 9669, Linux) and the
 * suite's assembler's rules, as 64-bit words in the "-- raw" layout.
 */
static const struct {
	const char *text;
	u64 words[3];
	u32 len;
} encodings[] = {
	{ "mov %r1, -1", { 0xffffffff000001b7 }, 1 },
	{ "mov32 %r0, 0x80000000", { 0x80000000000000b4 }, 1 },
	{ "add %r0, %r1", { 0x000000000000100f }, 1 },
	{ "sub32 %r9, -0x10", { 0xfffffff000000914 }, 1 },
	{ "neg %r1", { 0x0000000000000187 }, 1 },
	{ "neg32 %r1", { 0x0000000000000184 }, 1 },
	{ "sdiv %r1, 3", { 0x0000000300010137 }, 1 },
	{ "smod32 %r1, %r2", { 0x000000000001219c }, 1 },
	{ "arsh32 %r3, 4", { 0x00000004000003c4 }, 1 },
	{ "movsx1632 %r0, %r1", { 0x00000000001010bc }, 1 },
	{ "movsx3264 %r2, %r3", { 0x00000000002032bf }, 1 },
	{ "movsx864 %r4, %r5", { 0x00000000000854bf }, 1 },
	{ "le16 %r0", { 0x00000010000000d4 }, 1 },
	{ "be64 %r3", { 0x00000040000003dc }, 1 },
	{ "bswap32 %r1", { 0x00000020000001d7 }, 1 },
	{ "swap16 %r1", { 0x00000010000001d7 }, 1 },
	{ "ldxw %r0, [%r1+4]", { 0x0000000000041061 }, 1 },
	{ "ldxsb %r0, [%r10-1]", { 0x00000000ffffa091 }, 1 },
	{ "ldxsh %r0, [%r10-2]", { 0x00000000fffea089 }, 1 },
	{ "ldxsw %r0, [%r10-4]", { 0x00000000fffca081 }, 1 },
	{ "ldxdw %r2, [%r1]", { 0x0000000000001279 }, 1 },
	{ "stb [%r10-8], 0x7f", { 0x0000007ffff80a72 }, 1 },
	{ "stdw [%r1+0x10], -1", { 0xffffffff0010017a }, 1 },
	{ "stxdw [%r10-8], %r1", { 0x00000000fff81a7b }, 1 },
	{ "stxh [ %r2 + 6 ], %r3", { 0x000000000006326b }, 1 },
	{ "lock add [%r10-8], %r1", { 0x00000000fff81adb }, 1 },
	{ "lock fetch add32 [%r10-4], %r1", { 0x00000001fffc1ac3 }, 1 },
	{ "lock fetch xor [%r10-8], %r3", { 0x000000a1fff83adb }, 1 },
	{ "lock and32 [%r10-4], %r1", { 0x00000050fffc1ac3 }, 1 },
	{ "lock xchg [%r10-8], %r1", { 0x000000e1fff81adb }, 1 },
	{ "lock cmpxchg32 [%r10-8], %r1", { 0x000000f1fff81ac3 }, 1 },
	{ "ja +3", { 0x0000000000030005 }, 1 },
	{ "ja32 -2", { 0xfffffffe00000006 }, 1 },
	{ "jeq %r1, 5, +2", { 0x0000000500020115 }, 1 },
	{ "jsle32 %r1, %r2, -1", { 0x00000000ffff21de }, 1 },
	{ "jset %r1, 0x80000000, +0", { 0x8000000000000145 }, 1 },
	{ "call 5", { 0x0000000500000085 }, 1 },
	{ "call helper 5", { 0x0000000500000085 }, 1 },
	{ "call %r2", { 0x000000000000028d }, 1 },
	{ "call local +3", { 0x0000000300001085 }, 1 },
	{ "call runtime 7", { 0x0000000700002085 }, 1 },
	{ "exit", { 0x0000000000000095 }, 1 },
	{ "lddw %r0, 0x1122334455667788",
	  { 0x5566778800000018, 0x1122334400000000 }, 2 },
	{ "lddw %r1, -1", { 0xffffffff00000118, 0xffffffff00000000 }, 2 },
	{ "lddw %r1, map_value 3, 16",
	  { 0x0000000300002118, 0x0000001000000000 }, 2 },
	{ "ldabsh 12", { 0x0000000c00000028 }, 1 },
	{ "ldindb %r3, 4", { 0x0000000400003050 }, 1 },
	{ "may_goto +4", { 0x00000000000400e5 }, 1 },
	/* labels, forward and backward, and the implicit "exit" */
	{ "ja L\nmov %r0, 1\nL: exit",
	  { 0x0000000000010005, 0x00000001000000b7, 0x95 }, 3 },
	{ "jeq %r1, 0, exit # taken\nmov %r0, 1\nexit",
	  { 0x0000000000010115, 0x00000001000000b7, 0x95 }, 3 },
	{ "ja +1\nf:\nexit\ncall local f",
	  { 0x0000000000010005, 0x95, 0xfffffffe00001085 }, 3 },
	{ "ja32 end\nexit\nend: exit",
	  { 0x0000000100000006, 0x95, 0x95 }, 3 },
	{ "exit\nexit:\nja exit",	/* an explicit label wins */
	  { 0x95, 0x00000000ffff0005 }, 2 },
	{ "\tmov\t%r1,%r2\r\n\n# only a comment\n", { 0x00000000000021bf }, 1 },
};

static void test_encodings(void)
{
	char err[256];
	size_t i;
	int bad = 0;

	for (i = 0; i < ARRAY_SIZE(encodings); i++) {
		struct bpf_insn *insns;
		u32 len, j;
		bool ok;

		if (bpf64_asm(encodings[i].text, &insns, &len, err, sizeof(err))) {
			tu_diag("'%s': %s", encodings[i].text, err);
			bad++;
			continue;
		}
		ok = len == encodings[i].len;
		for (j = 0; ok && j < len; j++)
			ok = insn_word(&insns[j]) == encodings[i].words[j];
		if (!ok) {
			tu_diag("'%s': got %u insns, first 0x%016llx", encodings[i].text,
				len, len ? (unsigned long long)insn_word(insns) : 0ull);
			bad++;
		}
		free(insns);
	}
	TU_CHECK(!bad, "asm: %zu hand-encoded instructions and label cases (%d wrong)",
		 ARRAY_SIZE(encodings), bad);
}

/* Representative field values: boundaries, and every special meaning. */
static const u8 regs_dst[] = { 0, 1, 10, 11 };
static const u8 regs_src[] = { 0, 1, 2, 15 };
static const s16 offs[] = { 0, 1, 8, 16, 32, -1, 4, -8, 0x7fff, -0x8000 };
static const s32 imms[] = {
	0, 1, -1, 5, 16, 32, 64, 0x7fffffff, INT32_MIN, 0x12345678,
	BPF_ADD | BPF_FETCH, BPF_OR, BPF_OR | BPF_FETCH, BPF_AND,
	BPF_AND | BPF_FETCH, BPF_XOR, BPF_XOR | BPF_FETCH, BPF_XCHG,
	BPF_CMPXCHG, 0xe0, 0x02,
};
static const s32 tail_imms[] = { 0, 1, -1, 0x11223344 };

#define NR_VARIANTS	(ARRAY_SIZE(regs_dst) * ARRAY_SIZE(regs_src) * \
			 ARRAY_SIZE(offs) * ARRAY_SIZE(imms))

/* Variant v of code: every combination of the values above. */
static struct bpf_insn variant(u8 code, size_t v)
{
	size_t i = v % ARRAY_SIZE(imms), o, s, d;

	v /= ARRAY_SIZE(imms);
	o = v % ARRAY_SIZE(offs);
	v /= ARRAY_SIZE(offs);
	s = v % ARRAY_SIZE(regs_src);
	d = v / ARRAY_SIZE(regs_src);
	return INSN(code, regs_dst[d], regs_src[s], offs[o], imms[i]);
}

struct rt_stats {
	u8 valid[256];		/* some variant passes bpf64_check_insn() */
	u8 broken[256];		/* a valid variant did not round-trip */
	u8 decoded[256];	/* some variant decodes */
	int rt_failures, kern_failures;
};

/* One encoding: decode it, reassemble it, compare. */
static void round_trip_one(const struct bpf_insn *insn, struct rt_stats *st)
{
	char text[128], ktext[128], why[128], err[256];
	u32 slots = bpf64_is_ldimm64(insn) ? 2 : 1, len;
	bool valid = !bpf64_check_insn(insn, why, sizeof(why));
	struct bpf_insn *again;
	int n, k;

	n = bpf64_disasm_insn(insn, slots, 0, BPF64_DISASM_ASM, text,
			      sizeof(text));
	k = bpf64_disasm_insn(insn, slots, 0, BPF64_DISASM_KERNEL, ktext,
			      sizeof(ktext));
	if (valid)
		st->valid[insn->code] = 1;
	if (n > 0)
		st->decoded[insn->code] = 1;
	if ((n > 0) != (k > 0) || (k > 0 && !ktext[0])) {
		if (st->kern_failures++ < 5)
			tu_diag("0x%016llx: asm style %d, kernel style %d '%s'",
				(unsigned long long)insn_word(insn), n, k, ktext);
	}
	if (n < 0) {
		if (valid) {
			st->broken[insn->code] = 1;
			if (st->rt_failures++ < 5)
				tu_diag("valid 0x%016llx does not decode: %s",
					(unsigned long long)insn_word(insn), text);
		}
		return;
	}
	if (bpf64_asm(text, &again, &len, err, sizeof(err))) {
		again = NULL;
		len = 0;
	}
	if (n != (int)slots || len != slots || !same_insns(insn, again, slots)) {
		st->broken[insn->code] = 1;
		if (st->rt_failures++ < 5)
			tu_diag("0x%016llx -> '%s' -> %s",
				(unsigned long long)insn_word(insn), text,
				again ? "other bytes" : err);
	}
	free(again);
}

static int count(const u8 *set)
{
	int i, n = 0;

	for (i = 0; i < 256; i++)
		n += set[i] != 0;
	return n;
}

static void test_round_trip(void)
{
	static const char *const class_names[8] = {
		"ld", "ldx", "st", "stx", "alu", "jmp", "jmp32", "alu64",
	};
	struct rt_stats st = { 0 };
	struct bpf_insn insn[2];
	size_t v, tails;
	int code, cls, valid, ok, invalid_decoded = 0;

	for (code = 0; code < 256; code++) {
		tails = code == (BPF_LD | BPF_IMM | BPF_DW) ? ARRAY_SIZE(tail_imms) : 1;
		for (v = 0; v < NR_VARIANTS * tails; v++) {
			insn[0] = variant(code, v / tails);
			insn[1] = INSN(0, 0, 0, 0, tail_imms[v % tails]);
			round_trip_one(insn, &st);
		}
	}
	for (cls = 0; cls < 8; cls++) {
		valid = ok = 0;
		for (code = cls; code < 256; code += 8) {
			valid += st.valid[code];
			ok += st.valid[code] && !st.broken[code];
		}
		TU_CHECK(valid && ok == valid,
			 "round trip: %s, every variant of %d of %d valid opcodes",
			 class_names[cls], ok, valid);
	}
	/*
	 * Linux 6.12's opcodes (alu 27, alu64 26, jmp 25, jmp32 23, ld 7,
	 * ldx 7, st 4, stx 6) plus callx (0x8d), without may_goto (0xe5),
	 * which bpf64_check_insn() does not take yet.  A change here means
	 * the checker learnt or forgot an opcode: update the count.
	 */
	TU_CHECK(count(st.valid) == 126,
		 "round trip: %d valid opcode bytes found, 126 expected",
		 count(st.valid));
	TU_CHECK(!st.rt_failures,
		 "round trip: every decodable variant reassembles to its bytes (%d failures)",
		 st.rt_failures);
	TU_CHECK(!st.kern_failures,
		 "kernel style decodes exactly what asm style decodes (%d differences)",
		 st.kern_failures);
	for (code = 0; code < 256; code++)
		if (!st.valid[code] && st.decoded[code] &&
		    code != (BPF_JMP | BPF_JCOND))
			invalid_decoded++;
	TU_CHECK(!invalid_decoded && st.decoded[BPF_JMP | BPF_JCOND],
		 "disasm: no opcode outside the valid set decodes but may_goto (%d do)",
		 invalid_decoded);
}

static const struct {
	struct bpf_insn insn[2];
	const char *text;
} kernel_lines[] = {
	{ { INSN(0xb7, 0, 0, 0, 1) }, "r0 = 1" },
	{ { INSN(0xb4, 1, 0, 0, -1) }, "w1 = -1" },
	{ { INSN(0xbf, 6, 1, 0, 0) }, "r6 = r1" },
	{ { INSN(0x0f, 1, 2, 0, 0) }, "r1 += r2" },
	{ { INSN(0x0c, 1, 2, 0, 0) }, "w1 += w2" },
	{ { INSN(0x17, 3, 0, 0, 7) }, "r3 -= 7" },
	{ { INSN(0x27, 1, 0, 0, 3) }, "r1 *= 3" },
	{ { INSN(0x3f, 1, 2, 0, 0) }, "r1 /= r2" },
	{ { INSN(0x3f, 1, 2, 1, 0) }, "r1 s/= r2" },
	{ { INSN(0x97, 1, 0, 1, 5) }, "r1 s%= 5" },
	{ { INSN(0x94, 1, 0, 0, 5) }, "w1 %= 5" },
	{ { INSN(0x4f, 1, 2, 0, 0) }, "r1 |= r2" },
	{ { INSN(0x54, 1, 0, 0, 255) }, "w1 &= 255" },
	{ { INSN(0x67, 1, 0, 0, 32) }, "r1 <<= 32" },
	{ { INSN(0x7c, 1, 2, 0, 0) }, "w1 >>= w2" },
	{ { INSN(0xc7, 1, 0, 0, 3) }, "r1 s>>= 3" },
	{ { INSN(0xaf, 1, 2, 0, 0) }, "r1 ^= r2" },
	{ { INSN(0x87, 1, 0, 0, 0) }, "r1 = -r1" },
	{ { INSN(0x84, 1, 0, 0, 0) }, "w1 = -w1" },
	{ { INSN(0xbf, 0, 1, 8, 0) }, "r0 = (s8)r1" },
	{ { INSN(0xbc, 0, 1, 16, 0) }, "w0 = (s16)w1" },
	{ { INSN(0xbf, 2, 3, 32, 0) }, "r2 = (s32)r3" },
	{ { INSN(0xdc, 1, 0, 0, 16) }, "r1 = be16 r1" },
	{ { INSN(0xd4, 1, 0, 0, 64) }, "r1 = le64 r1" },
	{ { INSN(0xd7, 1, 0, 0, 64) }, "r1 = bswap64 r1" },
	{ { INSN(0x61, 0, 1, 0, 0) }, "r0 = *(u32 *)(r1 +0)" },
	{ { INSN(0x79, 2, 10, -8, 0) }, "r2 = *(u64 *)(r10 -8)" },
	{ { INSN(0x89, 2, 1, 4, 0) }, "r2 = *(s16 *)(r1 +4)" },
	{ { INSN(0x91, 3, 1, -1, 0) }, "r3 = *(s8 *)(r1 -1)" },
	{ { INSN(0x81, 3, 1, 2, 0) }, "r3 = *(s32 *)(r1 +2)" },
	{ { INSN(0x7b, 10, 1, -8, 0) }, "*(u64 *)(r10 -8) = r1" },
	{ { INSN(0x73, 1, 2, 3, 0) }, "*(u8 *)(r1 +3) = r2" },
	{ { INSN(0x62, 1, 0, 4, 5) }, "*(u32 *)(r1 +4) = 5" },
	{ { INSN(0x6a, 10, 0, -2, -1) }, "*(u16 *)(r10 -2) = -1" },
	{ { INSN(0xdb, 10, 1, -8, BPF_ADD) }, "lock *(u64 *)(r10 -8) += r1" },
	{ { INSN(0xc3, 10, 1, -4, BPF_OR) }, "lock *(u32 *)(r10 -4) |= r1" },
	{ { INSN(0xdb, 10, 0, -8, BPF_ADD | BPF_FETCH) },
	  "r0 = atomic64_fetch_add((u64 *)(r10 -8), r0)" },
	{ { INSN(0xc3, 1, 2, 0, BPF_AND | BPF_FETCH) },
	  "r2 = atomic_fetch_and((u32 *)(r1 +0), r2)" },
	{ { INSN(0xdb, 10, 1, -8, BPF_XCHG) },
	  "r1 = atomic64_xchg((u64 *)(r10 -8), r1)" },
	{ { INSN(0xdb, 10, 1, -8, BPF_CMPXCHG) },
	  "r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r1)" },
	{ { INSN(0xc3, 10, 1, -8, BPF_CMPXCHG) },
	  "r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r1)" },
	{ { INSN(0x18, 1, 0, 0, 0x55667788), INSN(0, 0, 0, 0, 0x11223344) },
	  "r1 = 0x1122334455667788" },
	{ { INSN(0x18, 0, 0, 0, 5), INSN(0, 0, 0, 0, 0) }, "r0 = 0x5" },
	{ { INSN(0x18, 1, BPF_PSEUDO_MAP_FD, 0, 3) }, "r1 = map[fd:3]" },
	{ { INSN(0x18, 1, BPF_PSEUDO_MAP_VALUE, 0, 3), INSN(0, 0, 0, 0, 16) },
	  "r1 = map[fd:3][0]+16" },
	{ { INSN(0x18, 2, BPF_PSEUDO_FUNC, 0, 5) }, "r2 = subprog[+5]" },
	{ { INSN(0x20, 0, 0, 0, 12) }, "r0 = *(u32 *)skb[12]" },
	{ { INSN(0x28, 0, 0, 0, 12) }, "r0 = *(u16 *)skb[12]" },
	{ { INSN(0x50, 0, 3, 0, 4) }, "r0 = *(u8 *)skb[r3 + 4]" },
	{ { INSN(0x05, 0, 0, 3, 0) }, "goto pc+3" },
	{ { INSN(0x05, 0, 0, -1, 0) }, "goto pc-1" },
	{ { INSN(0x06, 0, 0, 0, 100) }, "gotol pc+100" },
	{ { INSN(0x25, 1, 0, 3, 5) }, "if r1 > 0x5 goto pc+3" },
	{ { INSN(0xce, 1, 2, -2, 0) }, "if w1 s< w2 goto pc-2" },
	{ { INSN(0x15, 1, 0, 0, -1) }, "if r1 == 0xffffffff goto pc+0" },
	{ { INSN(0x4d, 1, 2, 1, 0) }, "if r1 & r2 goto pc+1" },
	{ { INSN(0x5e, 3, 4, 2, 0) }, "if w3 != w4 goto pc+2" },
	{ { INSN(0xb5, 1, 0, 1, 16) }, "if r1 <= 0x10 goto pc+1" },
	{ { INSN(0x76, 1, 0, 7, 0) }, "if w1 s>= 0x0 goto pc+7" },
	{ { INSN(0x6d, 1, 2, 1, 0) }, "if r1 s> r2 goto pc+1" },
	{ { INSN(0x85, 0, BPF_PSEUDO_CALL, 0, 5) }, "call pc+5" },
	{ { INSN(0x85, 0, BPF_PSEUDO_CALL, 0, -3) }, "call pc-3" },
	{ { INSN(0x85, 0, 0, 0, 1) }, "call bpf_map_lookup_elem#1" },
	{ { INSN(0x85, 0, 0, 0, 5) }, "call bpf_ktime_get_ns#5" },
	{ { INSN(0x85, 0, 0, 0, 100000) }, "call unknown#100000" },
	{ { INSN(0x85, 0, BPF_PSEUDO_KFUNC_CALL, 0, 7) },
	  "call kernel-function#7" },
	{ { INSN(0x8d, 2, 0, 0, 0) }, "callx r2" },
	{ { INSN(0x95, 0, 0, 0, 0) }, "exit" },
	{ { INSN(0xe5, 0, 0, 3, 0) }, "may_goto pc+3" },
};

static void test_kernel_style(void)
{
	char text[128];
	size_t i;
	int bad = 0, n;

	for (i = 0; i < ARRAY_SIZE(kernel_lines); i++) {
		const struct bpf_insn *insn = kernel_lines[i].insn;

		n = bpf64_disasm_insn(insn, 2, 0, BPF64_DISASM_KERNEL, text,
				      sizeof(text));
		if (n != (bpf64_is_ldimm64(insn) ? 2 : 1) ||
		    strcmp(text, kernel_lines[i].text)) {
			tu_diag("0x%016llx: got '%s' (%d), expected '%s'",
				(unsigned long long)insn_word(insn), text, n,
				kernel_lines[i].text);
			bad++;
		}
	}
	TU_CHECK(!bad && ARRAY_SIZE(kernel_lines) >= 40,
		 "disasm: %zu lines in Linux's verifier-log syntax (%d wrong)",
		 ARRAY_SIZE(kernel_lines), bad);
}

/*
 * One of each family, every instruction reachable, for the running
 * kernel's verifier to print: a level 2 log lists the whole program
 * before checking it ("Live regs before insn:", Linux 6.15 and later).
 */
static const struct bpf_insn oracle_prog[] = {
	INSN(0xb7, 0, 0, 0, 1), INSN(0xb4, 1, 0, 0, -1), INSN(0xbf, 6, 1, 0, 0),
	INSN(0x0f, 1, 2, 0, 0), INSN(0x0c, 1, 2, 0, 0), INSN(0x17, 3, 0, 0, 7),
	INSN(0x27, 1, 0, 0, 3), INSN(0x3f, 1, 2, 0, 0), INSN(0x3f, 1, 2, 1, 0),
	INSN(0x97, 1, 0, 1, 5), INSN(0x94, 1, 0, 0, 5), INSN(0x4f, 1, 2, 0, 0),
	INSN(0x54, 1, 0, 0, 255), INSN(0x67, 1, 0, 0, 32), INSN(0x7c, 1, 2, 0, 0),
	INSN(0xc7, 1, 0, 0, 3), INSN(0xaf, 1, 2, 0, 0), INSN(0x87, 1, 0, 0, 0),
	INSN(0x84, 1, 0, 0, 0), INSN(0xbf, 0, 1, 8, 0), INSN(0xbc, 0, 1, 16, 0),
	INSN(0xbf, 2, 3, 32, 0), INSN(0xdc, 1, 0, 0, 16), INSN(0xd4, 1, 0, 0, 64),
	INSN(0xd7, 1, 0, 0, 32), INSN(0x61, 0, 1, 0, 0), INSN(0x79, 2, 10, -8, 0),
	INSN(0x89, 2, 1, 4, 0), INSN(0x91, 3, 1, -1, 0), INSN(0x81, 3, 1, 2, 0),
	INSN(0x7b, 10, 1, -8, 0), INSN(0x73, 1, 2, 3, 0), INSN(0x62, 1, 0, 4, 5),
	INSN(0x6a, 10, 0, -2, -1), INSN(0xdb, 10, 1, -8, BPF_ADD),
	INSN(0xc3, 10, 1, -4, BPF_OR), INSN(0xc3, 10, 1, -8, BPF_XOR),
	INSN(0xdb, 10, 0, -8, BPF_ADD | BPF_FETCH),
	INSN(0xc3, 1, 2, 0, BPF_AND | BPF_FETCH),
	INSN(0xdb, 10, 1, -8, BPF_XOR | BPF_FETCH),
	INSN(0xdb, 10, 1, -8, BPF_XCHG), INSN(0xdb, 10, 1, -8, BPF_CMPXCHG),
	INSN(0xc3, 10, 1, -8, BPF_CMPXCHG),
	INSN(0x18, 1, 0, 0, 0x55667788), INSN(0, 0, 0, 0, 0x11223344),
	INSN(0x18, 0, 0, 0, 5), INSN(0, 0, 0, 0, 0),
	INSN(0x20, 0, 0, 0, 12), INSN(0x28, 0, 0, 0, 12), INSN(0x50, 0, 3, 0, 4),
	INSN(0x40, 0, 3, 0, -4), INSN(0x05, 0, 0, 0, 0), INSN(0x06, 0, 0, 0, 0),
	INSN(0x25, 1, 0, 0, 5), INSN(0xce, 1, 2, 0, 0), INSN(0x15, 1, 0, 0, -1),
	INSN(0x4d, 1, 2, 0, 0), INSN(0x5e, 3, 4, 0, 0), INSN(0xb5, 1, 0, 0, 16),
	INSN(0x76, 1, 0, 0, 0), INSN(0x6d, 1, 2, 0, 0), INSN(0x85, 0, 0, 0, 1),
	INSN(0x85, 0, 0, 0, 5), INSN(0x85, 0, 0, 0, 100000),
	INSN(0xe5, 0, 0, 0, 0), INSN(0x85, 0, BPF_PSEUDO_CALL, 0, 1),
	INSN(0x95, 0, 0, 0, 0), INSN(0xb7, 0, 0, 0, 0), INSN(0x95, 0, 0, 0, 0),
};

/* The kernel's listing of insn idx: "(b7) r0 = 1", or NULL. */
static const char *kernel_listing(const char *list, u32 idx, char *out,
				  size_t size)
{
	const char *p = list, *nl;
	char *end;

	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			return NULL;
		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			return NULL;	/* the listing is over */
		if (strtoul(p, &end, 10) != idx || end[0] != ':' ||
		    end[1] != ' ')
			continue;
		p = strchr(end + 2, ' ');	/* past the liveness mask */
		if (!p || p > nl)
			return NULL;
		snprintf(out, size, "%.*s", (int)(nl - p - 1), p + 1);
		return out;
	}
	return NULL;
}

static void test_linux_oracle(void)
{
	static char log[1 << 20];
	union bpf_attr attr;
	const char *list;
	char mine[160], text[128], theirs[160];
	u32 len = ARRAY_SIZE(oracle_prog), i;
	int fd, n, bad = 0, seen = 0;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)oracle_prog;
	attr.insn_cnt = len;
	attr.license = (unsigned long)"GPL";
	attr.log_buf = (unsigned long)log;
	attr.log_size = sizeof(log);
	attr.log_level = 2;
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd >= 0)
		close(fd);
	list = strstr(log, "Live regs before insn:\n");
	if (!list) {
		tu_skip("disasm: kernel style against the running kernel's verifier log # SKIP %s",
			fd < 0 && !log[0] ? strerror(errno) :
			"this kernel lists no program (Linux 6.15 or later does)");
		return;
	}
	list += strlen("Live regs before insn:\n");
	for (i = 0; i < len; i += n) {
		n = bpf64_disasm_insn(oracle_prog, len, i, BPF64_DISASM_KERNEL,
				      text, sizeof(text));
		if (n < 0)
			break;
		snprintf(mine, sizeof(mine), "(%02x) %s", oracle_prog[i].code,
			 text);
		if (!kernel_listing(list, i, theirs, sizeof(theirs)))
			snprintf(theirs, sizeof(theirs), "(nothing)");
		else
			seen++;
		if (strcmp(mine, theirs) && bad++ < 5)
			tu_diag("insn %u: Linux '%s', ours '%s'", i, theirs, mine);
	}
	TU_CHECK(i == len && seen && !bad,
		 "disasm: kernel style of %d instructions matches the running kernel's verifier log (%d differ)",
		 seen, bad);
}

static const struct {
	struct bpf_insn insn[2];
	const char *text;
} asm_lines[] = {
	{ { INSN(0xb7, 1, 0, 0, -1) }, "mov %r1, -1" },
	{ { INSN(0x79, 2, 10, -8, 0) }, "ldxdw %r2, [%r10-8]" },
	{ { INSN(0x61, 0, 1, 0, 0) }, "ldxw %r0, [%r1]" },
	{ { INSN(0x72, 1, 0, 4, 9) }, "stb [%r1+4], 9" },
	{ { INSN(0xdb, 10, 1, -8, BPF_XOR | BPF_FETCH) },
	  "lock fetch xor [%r10-8], %r1" },
	{ { INSN(0xc3, 10, 1, -8, BPF_CMPXCHG) }, "lock cmpxchg32 [%r10-8], %r1" },
	{ { INSN(0x1d, 1, 2, -3, 0) }, "jeq %r1, %r2, -3" },
	{ { INSN(0x36, 1, 0, 0, 7) }, "jge32 %r1, 7, +0" },
	{ { INSN(0x06, 0, 0, 0, -70000) }, "ja32 -70000" },
	{ { INSN(0x85, 0, BPF_PSEUDO_CALL, 0, -2) }, "call local -2" },
	{ { INSN(0xbc, 1, 2, 8, 0) }, "movsx832 %r1, %r2" },
	{ { INSN(0xd7, 1, 0, 0, 16) }, "bswap16 %r1" },
	{ { INSN(0x9c, 1, 2, 1, 0) }, "smod32 %r1, %r2" },
	{ { INSN(0x18, 1, 0, 0, -1), INSN(0, 0, 0, 0, -1) },
	  "lddw %r1, 0xffffffffffffffff" },
	{ { INSN(0x18, 1, BPF_PSEUDO_MAP_VALUE, 0, 3), INSN(0, 0, 0, 0, 16) },
	  "lddw %r1, map_value 3, 16" },
	{ { INSN(0x18, 1, BPF_PSEUDO_FUNC, 0, 4) }, "lddw %r1, func +4" },
	{ { INSN(0x30, 0, 0, 0, 23) }, "ldabsb 23" },
	{ { INSN(0x48, 0, 7, 0, -4) }, "ldindh %r7, -4" },
};

static void test_asm_style(void)
{
	char text[128];
	size_t i;
	int bad = 0;

	for (i = 0; i < ARRAY_SIZE(asm_lines); i++) {
		bpf64_disasm_insn(asm_lines[i].insn, 2, 0, BPF64_DISASM_ASM,
				  text, sizeof(text));
		if (strcmp(text, asm_lines[i].text)) {
			tu_diag("got '%s', expected '%s'", text, asm_lines[i].text);
			bad++;
		}
	}
	TU_CHECK(!bad, "disasm: %zu lines in the suite's assembly syntax (%d wrong)",
		 ARRAY_SIZE(asm_lines), bad);
}

static const struct {
	const char *text;
	const char *error;	/* the message starts with this */
} asm_errors[] = {
	{ "mov %r0, 1\nfoo %r1\n", "line 2: unknown mnemonic 'foo'" },
	{ "# comment\n\n  mov %r0, 1 # fine\n\tbar\n", "line 4: unknown mnemonic 'bar'" },
	{ "mov %r16, 1", "line 1: bad register '%r16'" },
	{ "mov %r1, %x1", "line 1: bad register '%x1'" },
	{ "mov r1, 1", "line 1: bad register 'r1'" },
	{ "mov %r1, 12x", "line 1: bad number '12x'" },
	{ "mov %r1, 0x", "line 1: bad number '0x'" },
	{ "mov %r1, 0x100000000", "line 1: immediate '0x100000000' is out of range" },
	{ "mov %r1, -2147483649", "line 1: immediate '-2147483649' is out of range" },
	{ "lddw %r1, 0x10000000000000000", "line 1: immediate '0x10000000000000000' is out of range" },
	{ "ja nowhere\nexit", "line 1: undefined label 'nowhere'" },
	{ "exit\nL:\nexit\nL:\nexit", "line 4: duplicate label 'L' (first defined on line 2)" },
	{ "1abc:\nexit", "line 1: bad label name '1abc'" },
	{ "add %r1", "line 1: wrong number of operands for 'add'" },
	{ "exit %r0", "line 1: wrong number of operands for 'exit'" },
	{ "jeq %r1, 0", "line 1: wrong number of operands for 'jeq'" },
	{ "call", "line 1: wrong number of operands for 'call'" },
	{ "call local", "line 1: wrong number of operands for 'call'" },
	{ "lddw %r1, map_fd", "line 1: wrong number of operands for 'lddw'" },
	{ "lock add [%r1]", "line 1: wrong number of operands for 'lock'" },
	{ "jeq %r1, 0, 3", "line 1: bad jump target '3'" },
	{ "ja +32768", "line 1: jump offset '+32768' is out of range" },
	{ "ja -32769", "line 1: jump offset '-32769' is out of range" },
	{ "ldxw %r0, [%r1+4", "line 1: missing ']'" },
	{ "ldxw %r0, %r1", "line 1: bad memory operand '%r1'" },
	{ "stxw [%r1+70000], %r2", "line 1: offset '+70000' is out of range" },
	{ "call foo 3", "line 1: unknown kind of call 'foo'" },
	{ "call helper foo", "line 1: bad number 'foo'" },
	{ "lock nand [%r1], %r2", "line 1: unknown atomic operation 'nand'" },
	{ "lddw %r1, map_thing 3", "line 1: unknown kind of lddw 'map_thing'" },
	{ "movsx3232 %r1, %r2", "line 1: unknown mnemonic 'movsx3232'" },
	{ "ldxsdw %r1, [%r2]", "line 1: unknown mnemonic 'ldxsdw'" },
	{ "ldabsdw 4", "line 1: unknown mnemonic 'ldabsdw'" },
	{ "neg %r1, 1", "line 1: wrong number of operands for 'neg'" },
	{ "le8 %r1", "line 1: unknown mnemonic 'le8'" },
	{ "exit32", "line 1: unknown mnemonic 'exit32'" },
	{ "a b c d e f g h i", "line 1: too many operands" },
};

static void test_asm_errors(void)
{
	char err[256];
	struct bpf_insn *insns;
	u32 len;
	size_t i;
	int bad = 0, ret;

	for (i = 0; i < ARRAY_SIZE(asm_errors); i++) {
		ret = bpf64_asm(asm_errors[i].text, &insns, &len, err, sizeof(err));
		if (ret != -EINVAL || strncmp(err, asm_errors[i].error,
					      strlen(asm_errors[i].error))) {
			tu_diag("'%s': %d '%s', expected '%s'", asm_errors[i].text,
				ret, err, asm_errors[i].error);
			bad++;
			if (!ret)
				free(insns);
		}
	}
	TU_CHECK(!bad, "asm: %zu malformed programs rejected naming line and problem (%d wrong)",
		 ARRAY_SIZE(asm_errors), bad);
}

static void test_asm_edges(void)
{
	char err[256], why[128], *text;
	struct bpf_insn *insns;
	size_t i, n = 40000;
	u32 len;
	int ret;

	/* a jump over 40000 instructions does not fit in off */
	text = malloc(n * 11 + 64);
	if (!text)
		exit(2);
	memcpy(text, "ja far\nja32 far\n", 17);
	for (i = 0; i < n; i++)
		strcat(text + 16 + i * 11, "mov %r0, 0\n");
	strcat(text, "far: exit\n");
	ret = bpf64_asm(text, &insns, &len, err, sizeof(err));
	TU_CHECK(ret == -EINVAL &&
		 !strcmp(err, "line 1: jump to 'far' is out of range (offset 40001)"),
		 "asm: a label out of a 16-bit jump's reach is an error: %s", err);
	text[0] = '#';	/* ja32 reaches it */
	ret = bpf64_asm(text, &insns, &len, err, sizeof(err));
	TU_CHECK(!ret && len == n + 2 && insns[0].imm == (s32)n,
		 "asm: ja32 reaches 40000 instructions ahead");
	if (!ret)
		free(insns);
	free(text);

	/* the suite's negative tests use %r11..%r15: they assemble */
	ret = bpf64_asm("mov %r11, 1\nexit", &insns, &len, err, sizeof(err));
	TU_CHECK(!ret && len == 2 && insns[0].dst_reg == 11 &&
		 bpf64_check_insn(&insns[0], why, sizeof(why)) == -EINVAL,
		 "asm: %%r11 assembles and the checker rejects it (%s)",
		 ret ? err : why);
	if (!ret)
		free(insns);

	ret = bpf64_asm("", &insns, &len, err, sizeof(err));
	TU_CHECK(!ret && len == 0 && insns, "asm: an empty program is no instructions");
	if (!ret)
		free(insns);

	ret = bpf64_asm("bogus", &insns, &len, NULL, 0);
	TU_CHECK(ret == -EINVAL && !insns && !len,
		 "asm: no error buffer needed, nothing returned on error");

	ret = bpf64_asm("bogus", &insns, &len, err, 8);
	TU_CHECK(ret == -EINVAL && !strcmp(err, "line 1:"),
		 "asm: a short error buffer truncates the message: '%s'", err);
}

static void test_disasm_errors(void)
{
	struct bpf_insn *one = malloc(sizeof(*one)), insns[2];
	char text[128];
	int n;

	if (!one)
		exit(2);
	/* heap-exact, so that the sanitizers see a read past the end */
	*one = INSN(0x18, 1, 0, 0, 1);
	n = bpf64_disasm_insn(one, 1, 0, BPF64_DISASM_ASM, text, sizeof(text));
	TU_CHECK(n == -EINVAL && strstr(text, "truncated"),
		 "disasm: truncated ld_imm64 is -EINVAL: %s", text);
	n = bpf64_disasm_insn(one, 1, 0, BPF64_DISASM_KERNEL, text, sizeof(text));
	TU_CHECK(n == -EINVAL, "disasm: truncated ld_imm64 in kernel style too");
	free(one);

	insns[0] = INSN(0x18, 1, 0, 0, 1);
	insns[1] = INSN(0x18, 0, 0, 0, 0);
	n = bpf64_disasm_insn(insns, 2, 0, BPF64_DISASM_ASM, text, sizeof(text));
	TU_CHECK(n == -EINVAL, "disasm: ld_imm64 with an opcode in its second half: %s",
		 text);

	insns[0] = INSN(0xff, 0, 0, 0, 0);
	n = bpf64_disasm_insn(insns, 1, 0, BPF64_DISASM_ASM, text, sizeof(text));
	TU_CHECK(n == -EINVAL && !strcmp(text, "unknown opcode 0xff"),
		 "disasm: unknown opcode is -EINVAL: %s", text);

	insns[0] = INSN(0x0f, 1, 2, 0, 1);
	n = bpf64_disasm_insn(insns, 1, 0, BPF64_DISASM_KERNEL, text, sizeof(text));
	TU_CHECK(n == -EINVAL && !strcmp(text, "opcode 0x0f: unused imm is 1, not 0"),
		 "disasm: a set reserved field is -EINVAL: %s", text);

	insns[0] = INSN(0xd4, 1, 0, 0, 8);
	n = bpf64_disasm_insn(insns, 1, 0, BPF64_DISASM_ASM, text, sizeof(text));
	TU_CHECK(n == -EINVAL, "disasm: byte swap of 8 bits is -EINVAL: %s", text);

	insns[0] = INSN(0xdb, 10, 1, 0, 0x02);
	n = bpf64_disasm_insn(insns, 1, 0, BPF64_DISASM_ASM, text, sizeof(text));
	TU_CHECK(n == -EINVAL, "disasm: unknown atomic operation is -EINVAL: %s", text);

	insns[0] = INSN(0xbc, 1, 2, 32, 0);
	n = bpf64_disasm_insn(insns, 1, 0, BPF64_DISASM_ASM, text, sizeof(text));
	TU_CHECK(n == -EINVAL, "disasm: 32-bit movsx from 32 bits is -EINVAL: %s", text);

	insns[0] = INSN(0x95, 0, 0, 0, 0);
	n = bpf64_disasm_insn(insns, 1, 1, BPF64_DISASM_ASM, text, sizeof(text));
	TU_CHECK(n == -EINVAL, "disasm: an index past the end is -EINVAL: %s", text);

	insns[0] = INSN(0xdb, 10, 1, -8, BPF_ADD | BPF_FETCH);
	n = bpf64_disasm_insn(insns, 1, 0, BPF64_DISASM_ASM, text, 10);
	TU_CHECK(n == 1 && !strcmp(text, "lock fetc"),
		 "disasm: a short buffer truncates the line: '%s'", text);
	n = bpf64_disasm_insn(insns, 1, 0, BPF64_DISASM_ASM, NULL, 0);
	TU_CHECK(n == 1, "disasm: no buffer still decodes");
}

int main(void)
{
	test_conformance();
	test_encodings();
	test_round_trip();
	test_kernel_style();
	test_linux_oracle();
	test_asm_style();
	test_asm_errors();
	test_asm_edges();
	test_disasm_errors();
	return tu_exit();
}
