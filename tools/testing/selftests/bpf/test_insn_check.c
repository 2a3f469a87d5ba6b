// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input: every structural rejection names the instruction and the reason,
 * and where Linux rejects the same program, it does so too (same errno, and
 * the same words where Linux says why).  Linux's side runs through the real
 * bpf() as a socket filter; without bpf() those checks are reported skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/insn.h>
#include <linux/bpf64/prog.h>
#include "bpf64/linux_bpf.h"
#include "bpf64/raw.h"
#include "test_util.h"

#define I(c, d, s, o, i) \
	{ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }
#define MOV0		I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0)
#define EXIT		I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LDIMM64(d, v)	I(BPF_LD | BPF_IMM | BPF_DW, d, 0, 0, (s32)(v)), \
			I(0, 0, 0, 0, (s32)((u64)(v) >> 32))

struct bad_case {
	const char *name;
	struct bpf_insn insns[6];
	u32 len;
	int err;
	const char *why;	/* our message, after "insn N: " */
	const char *linux_why;	/* Linux's words; NULL: Linux gives none */
};

static const struct bad_case cases[] = {
	{ "unknown opcode", { I(0xff, 0, 0, 0, 0), MOV0, EXIT }, 3,
	  -EINVAL, "insn 0: unknown opcode ff", "unknown opcode ff" },
	{ "unknown jmp32 op", { MOV0, I(BPF_JMP32 | BPF_CALL, 0, 0, 0, 1), EXIT }, 3,
	  -EINVAL, "insn 1: unknown opcode 86", "unknown opcode 86" },
	{ "ldx dw sign-extending", { I(BPF_LDX | BPF_MEMSX | BPF_DW, 0, 10, -8, 0), EXIT }, 2,
	  -EINVAL, "insn 0: unknown opcode 99", "unknown opcode 99" },
	{ "bad dst register", { I(BPF_ALU64 | BPF_MOV | BPF_K, 11, 0, 0, 0), MOV0, EXIT }, 3,
	  -EINVAL, "insn 0: R11 is invalid", "R11 is invalid" },
	{ "bad src register", { MOV0, I(BPF_ALU64 | BPF_ADD | BPF_X, 0, 12, 0, 0), EXIT }, 3,
	  -EINVAL, "insn 1: R12 is invalid", "R12 is invalid" },
	{ "mov imm with off", { I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 1, 0), EXIT }, 2,
	  -EINVAL, "insn 0: BPF_MOV uses reserved fields", "BPF_MOV uses reserved fields" },
	{ "movsx32 by 32", { MOV0, I(BPF_ALU | BPF_MOV | BPF_X, 0, 0, 32, 0), EXIT }, 3,
	  -EINVAL, "insn 1: BPF_MOV uses reserved fields", "BPF_MOV uses reserved fields" },
	{ "alu reg with imm", { MOV0, I(BPF_ALU64 | BPF_ADD | BPF_X, 0, 0, 0, 5), EXIT }, 3,
	  -EINVAL, "insn 1: BPF_ALU uses reserved fields", "BPF_ALU uses reserved fields" },
	{ "signed add", { MOV0, I(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 1, 5), EXIT }, 3,
	  -EINVAL, "insn 1: BPF_ALU uses reserved fields", "BPF_ALU uses reserved fields" },
	{ "neg with src", { MOV0, I(BPF_ALU64 | BPF_NEG, 0, 1, 0, 0), EXIT }, 3,
	  -EINVAL, "insn 1: BPF_NEG uses reserved fields", "BPF_NEG uses reserved fields" },
	{ "end by 8", { MOV0, I(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 8), EXIT }, 3,
	  -EINVAL, "insn 1: BPF_END uses reserved fields", "BPF_END uses reserved fields" },
	{ "ldx with imm", { I(BPF_LDX | BPF_MEM | BPF_W, 0, 10, -4, 1), EXIT }, 2,
	  -EINVAL, "insn 0: BPF_LDX uses reserved fields", "BPF_LDX uses reserved fields" },
	{ "st with src", { I(BPF_ST | BPF_MEM | BPF_W, 10, 1, -4, 1), MOV0, EXIT }, 3,
	  -EINVAL, "insn 0: BPF_ST uses reserved fields", "BPF_ST uses reserved fields" },
	{ "stx with imm", { I(BPF_STX | BPF_MEM | BPF_W, 10, 1, -4, 1), MOV0, EXIT }, 3,
	  -EINVAL, "insn 0: BPF_STX uses reserved fields", "BPF_STX uses reserved fields" },
	{ "atomic sub", { MOV0, I(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 0, -8, BPF_SUB), EXIT }, 3,
	  -EINVAL, "insn 1: BPF_ATOMIC uses invalid atomic opcode 10", "BPF_ATOMIC uses invalid atomic opcode 10" },
	{ "ja with imm", { MOV0, I(BPF_JMP | BPF_JA, 0, 0, 0, 1), EXIT }, 3,
	  -EINVAL, "insn 1: BPF_JA uses reserved fields", "BPF_JA uses reserved fields" },
	{ "exit with dst", { MOV0, I(BPF_JMP | BPF_EXIT, 1, 0, 0, 0) }, 2,
	  -EINVAL, "insn 1: BPF_EXIT uses reserved fields", "BPF_EXIT uses reserved fields" },
	{ "call with dst", { I(BPF_JMP | BPF_CALL, 1, 0, 0, 5), MOV0, EXIT }, 3,
	  -EINVAL, "insn 0: BPF_CALL uses reserved fields", "BPF_CALL uses reserved fields" },
	{ "jeq imm with src", { MOV0, I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0, 0), EXIT }, 3,
	  -EINVAL, "insn 1: BPF_JMP/JMP32 uses reserved fields", "BPF_JMP/JMP32 uses reserved fields" },
	{ "ld_abs with dst", { I(BPF_LD | BPF_ABS | BPF_W, 1, 0, 0, 0), EXIT }, 2,
	  -EINVAL, "insn 0: BPF_LD_[ABS|IND] uses reserved fields", "BPF_LD_[ABS|IND] uses reserved fields" },
	{ "write to r10", { I(BPF_ALU64 | BPF_MOV | BPF_K, 10, 0, 0, 0), MOV0, EXIT }, 3,
	  -EACCES, "insn 0: frame pointer is read only", "frame pointer is read only" },
	{ "jump past the end", { MOV0, I(BPF_JMP | BPF_JA, 0, 0, 5, 0), EXIT }, 3,
	  -EINVAL, "insn 1: jump out of range from insn 1 to 7", "jump out of range from insn 1 to 7" },
	{ "jump before the start", { MOV0, I(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, -3, 0), EXIT }, 3,
	  -EINVAL, "insn 1: jump out of range from insn 1 to -1", "jump out of range from insn 1 to -1" },
	{ "jump into ldimm64", { MOV0, I(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1, 0), LDIMM64(0, 1), EXIT }, 5,
	  -EINVAL, "insn 1: jump into the middle of ldimm64 insn 2", "jump into the middle of ldimm64 insn 2" },
	{ "ldimm64 cut short", { MOV0, EXIT, I(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1) }, 3,
	  -EINVAL, "insn 2: last insn is not an exit or jmp", "last insn is not an exit or jmp" },
	{ "ldimm64 bad tail", { I(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1), I(0x07, 0, 0, 0, 0), EXIT }, 3,
	  -EINVAL, "insn 0: invalid bpf_ld_imm64 insn", "invalid bpf_ld_imm64 insn" },
	{ "no exit at the end", { MOV0 }, 1,
	  -EINVAL, "insn 0: last insn is not an exit or jmp", "last insn is not an exit or jmp" },
	{ "ldimm64 at the end", { MOV0, LDIMM64(1, 2) }, 3,
	  -EINVAL, "insn 2: last insn is not an exit or jmp", "last insn is not an exit or jmp" },
	{ "empty program", { }, 0,
	  -EINVAL, "empty program", NULL },
};

static void check_linux(const struct bad_case *c, const struct bpf_insn *insns,
			u32 len, int have_bpf)
{
	struct linux_bpf_load_opts opts = {
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
	};
	static char log[65536];
	int fd;

	if (have_bpf) {
		tu_skip("linux rejects: %s # SKIP bpf() unavailable: %s", c->name,
			strerror(-have_bpf));
		return;
	}
	log[0] = '\0';
	opts.log_buf = log;
	opts.log_size = sizeof(log);
	opts.log_level = 1;
	fd = linux_bpf_prog_load(insns, len, &opts);
	if (fd >= 0)
		linux_bpf_close(fd);
	TU_CHECK(fd == c->err && (!c->linux_why || strstr(log, c->linux_why)),
		 "linux rejects: %s", c->name);
	if (fd != c->err || (c->linux_why && !strstr(log, c->linux_why)))
		tu_diag("linux: %d, log: %s", fd, linux_bpf_log_tail(log, 2));
}

static void check_case(const struct bad_case *c, int have_bpf)
{
	char buf[512];
	struct bpf64_log log = { .buf = buf, .size = sizeof(buf) };
	int err;

	buf[0] = '\0';
	err = bpf64_check_insns(c->insns, c->len, &log);
	TU_CHECK(err == c->err && strstr(buf, c->why), "reject: %s", c->name);
	if (err != c->err || !strstr(buf, c->why))
		tu_diag("got %d '%s', want %d '%s'", err, buf, c->err, c->why);
	check_linux(c, c->insns, c->len, have_bpf);
}

/* A program one instruction over the limit: -E2BIG, in both. */
static void check_oversized(int have_bpf)
{
	static const struct bad_case c = {
		.name = "oversized program", .err = -E2BIG,
		.why = "larger than the limit of 1000000",
	};
	u32 len = BPF64_MAX_INSNS + 1, i;
	struct bpf_insn *insns = calloc(len, sizeof(*insns));
	char buf[256];
	struct bpf64_log log = { .buf = buf, .size = sizeof(buf) };
	int err;

	for (i = 0; i < len; i++)
		insns[i] = (struct bpf_insn)MOV0;
	insns[len - 1] = (struct bpf_insn)EXIT;
	err = bpf64_check_insns(insns, len, &log);
	TU_CHECK(err == -E2BIG && strstr(buf, c.why), "reject: %s", c.name);
	check_linux(&c, insns, len, have_bpf);
	free(insns);
}

/* Input before it is instructions: hex text and byte counts. */
static void check_raw_input(void)
{
	const struct bpf_insn *insns;
	char err[256];
	size_t len;
	u8 *bytes;
	u32 cnt;
	int ret;

	ret = bpf64_parse_hex("b7 00 00 00 01 00 00 00 9", &bytes, &len, err, sizeof(err));
	TU_CHECK(ret == -EINVAL && strstr(err, "odd number of hex digits at offset 24"),
		 "reject: odd-length hex (%s)", err);
	ret = bpf64_parse_hex("b7 0g", &bytes, &len, err, sizeof(err));
	TU_CHECK(ret == -EINVAL && strstr(err, "invalid hex character 'g' at offset 4"),
		 "reject: bad hex character (%s)", err);
	ret = bpf64_parse_hex("b7000000 01000000 95", &bytes, &len, err, sizeof(err));
	TU_CHECK(ret == 0 && len == 9, "hex parses whole pairs only");
	ret = bpf64_insns_from_bytes(bytes, len, &insns, &cnt, err, sizeof(err));
	TU_CHECK(ret == -EINVAL && strstr(err, "truncated program: 9 bytes"),
		 "reject: truncated input (%s)", err);
	free(bytes);
}

int main(void)
{
	int have_bpf = linux_bpf_probe();
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i], have_bpf);
	check_oversized(have_bpf);
	check_raw_input();
	return tu_exit();
}
