/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Random programs over what links numbers (copies, constant moves in 64
 * and 32 bits, stores to the stack of every size and loads back, checks
 * of every kind), ending in a stack read at an offset one of them gives:
 * a SYSCALL program reading three numbers from its context.  Each is
 * loaded through both backends, whose verdicts must agree; bpf64's
 * accepted ones run in the checked interpreter on random contexts and
 * must never fault.  The generator is seeded: the same programs each run.
 */
#include "bpf64/raw.h"

#define RND_INSNS	48

static unsigned long long rnd_state = 0x9e3779b97f4a7c15ULL;

static unsigned int rnd_below(unsigned int n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state % n;
}

static const __u8 rnd_sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
static const __u8 rnd_jops[] = {
	BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT, BPF_JSLT, BPF_JEQ,
	BPF_JNE,
};

/* One step on r6..r8; jumps have off 0x7fff until the exit is known. */
static __u32 rnd_step(struct bpf_insn *in)
{
	__u8 a = R6 + rnd_below(3), b = R6 + rnd_below(3);
	__s32 k = (__s32)rnd_below(40) - 8;
	__s16 slot = -8 * (1 + (__s16)rnd_below(3));

	switch (rnd_below(9)) {
	case 0:
		in[0] = (struct bpf_insn)BPF64_MOV64_REG(a, b);
		return 1;
	case 1:
		in[0] = (struct bpf_insn)BPF64_MOV32_REG(a, b);
		return 1;
	case 2:
		in[0] = (struct bpf_insn)BPF64_ALU64_IMM(rnd_below(2) ? BPF_ADD :
							 BPF_SUB, a, k);
		return 1;
	case 3:
		in[0] = (struct bpf_insn)BPF64_ALU32_IMM(rnd_below(2) ? BPF_ADD :
							 BPF_SUB, a, k);
		return 1;
	case 4:
		in[0] = (struct bpf_insn)BPF64_ALU64_IMM(BPF_AND, a,
							 rnd_below(2) ? 0xff : 0x3f);
		return 1;
	case 5:
		in[0] = (struct bpf_insn)BPF64_STX_MEM(rnd_sizes[rnd_below(4)],
						       R10, a, slot +
						       (rnd_below(4) ? 0 : 4));
		return 1;
	case 6:
		in[0] = (struct bpf_insn)BPF64_ST_MEM(BPF_DW, R10, slot,
						      (__s32)rnd_below(50));
		return 1;
	case 7:
		in[0] = (struct bpf_insn)BPF64_LDX_MEM(rnd_sizes[rnd_below(4)],
						       a, R10, slot);
		return 1;
	default:
		in[0] = (struct bpf_insn)BPF64_JMP_IMM(rnd_jops[rnd_below(8)], a,
						       (__s32)rnd_below(70) - 4,
						       0x7fff);
		if (rnd_below(2))
			in[0].code = BPF_JMP32 | BPF_OP(in[0].code) | BPF_K;
		return 1;
	}
}

static __u32 rnd_program(struct bpf_insn *in)
{
	__u32 n = 0, steps = 4 + rnd_below(14), exit_at, i;

	in[n++] = (struct bpf_insn)BPF64_LDX_MEM(BPF_DW, R6, R1, 0);
	in[n++] = (struct bpf_insn)BPF64_LDX_MEM(BPF_DW, R7, R1, 8);
	in[n++] = (struct bpf_insn)BPF64_LDX_MEM(BPF_W, R8, R1, 16);
	while (steps--)
		n += rnd_step(&in[n]);
	in[n++] = (struct bpf_insn)BPF64_MOV64_REG(R2, R10);
	in[n++] = (struct bpf_insn)BPF64_ALU64_IMM(BPF_ADD, R2, -64);
	in[n++] = (struct bpf_insn)BPF64_ALU64_REG(BPF_ADD, R2,
						   R6 + rnd_below(3));
	in[n++] = (struct bpf_insn)BPF64_LDX_MEM(BPF_B, R0, R2, 0);
	in[n++] = (struct bpf_insn)BPF64_EXIT_INSN();
	exit_at = n;
	in[n++] = (struct bpf_insn)BPF64_MOV64_IMM(R0, 0);
	in[n++] = (struct bpf_insn)BPF64_EXIT_INSN();
	for (i = 0; i < n; i++)
		if (in[i].off == 0x7fff)
			in[i].off = exit_at - i - 1;
	return n;
}

static int rnd_load(const struct bpf64_backend *be,
		    const struct bpf_insn *in, __u32 n)
{
	struct bpf64_load_opts o = {
		.prog_type = BPF_PROG_TYPE_SYSCALL,
		.prog_flags = BPF_F_SLEEPABLE,	/* Linux wants it */
		.name = "random",
	};
	int fd = bpf64_prog_load(be, in, n, &o);

	if (fd >= 0)
		be->close(fd);
	return fd >= 0;
}

/* Run in the checked interpreter on random contexts: 0 or the fault. */
static int rnd_run_checked(const struct bpf_insn *in, __u32 n)
{
	struct bpf64_raw_opts o = {
		.mode = BPF64_RUN_CHECKED, .ops = &bpf64_syscall_prog_ops,
	};
	struct bpf64_raw_result res;
	unsigned char ctx[64];
	char err[160];
	int i, j, ret;

	for (i = 0; i < 16; i++) {
		static const unsigned char fixed[3] = { 0, 0xff, 0x80 };

		/* all zeros, all ones, all 0x80, then random bytes */
		for (j = 0; j < (int)sizeof(ctx); j++)
			ctx[j] = i < 3 ? fixed[i] :
				 rnd_below(4) ? rnd_below(256) : 0xff;
		ret = bpf64_run_raw(in, n, ctx, sizeof(ctx), &o, &res, err,
				    sizeof(err));
		if (ret) {
			tu_diag("fault: %s", err);
			return ret;
		}
	}
	return 0;
}

static void test_random(int count, bool with_linux)
{
	struct bpf_insn in[RND_INSNS];
	int accepted = 0, differ = 0, faults = 0;

	for (int i = 0; i < count; i++) {
		__u32 n = rnd_program(in);
		int ours = rnd_load(&bpf64_backend_hosted, in, n);

		if (with_linux && ours != rnd_load(&bpf64_backend_linux, in, n))
			differ++;
		if (!ours)
			continue;
		accepted++;
		faults += rnd_run_checked(in, n) != 0;
	}
	TU_CHECK(!faults && accepted > count / 10,
		 "random links: %d programs, %d accepted, none faulting (%d)",
		 count, accepted, faults);
	/* a few corners where bpf64's ranges differ from Linux's remain */
	if (with_linux)
		TU_CHECK(differ * 1000 <= count,
			 "random links: %d of %d verdicts as Linux's",
			 count - differ, count);
	else
		tu_skip("# SKIP linux: random links");
}
