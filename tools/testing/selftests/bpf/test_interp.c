// SPDX-License-Identifier: GPL-2.0
/*
 * The interpreter's checked mode keeps unverified programs inside the memory
 * they were given, within an instruction budget and a call depth, and says
 * which instruction broke which rule.  Also: LD_ABS/LD_IND as Linux runs them
 * (checked against a real socket filter through bpf() where it is allowed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/prog.h>
#include "bpf64/conformance.h"
#include "bpf64/linux_bpf.h"
#include "bpf64/raw.h"
#include "insn_build.h"
#include "test_util.h"

#define LEN(a)	((u32)(sizeof(a) / sizeof((a)[0])))

struct outcome {
	int err;
	u64 r0;
	u64 executed;
	char msg[256];
};

/* Run checked over @mem (given @writable), as a user of the library would. */
static struct outcome run(const struct bpf_insn *insns, u32 len, void *mem,
			  u32 mem_len, bool writable, u64 budget,
			  const u8 *pkt, u32 pkt_len)
{
	struct bpf64_log log = { };
	struct bpf64_run r = { .budget = budget, .pkt = pkt, .pkt_len = pkt_len };
	struct outcome o = { };
	struct bpf64_prog *prog;

	log.buf = o.msg;
	log.size = sizeof(o.msg);
	o.err = bpf64_prog_create(&prog, insns, len, &bpf64_conformance_ops, &log);
	if (o.err)
		return o;
	o.err = bpf64_interp_prepare(prog, BPF64_RUN_CHECKED, &log);
	if (!o.err) {
		r.args[0] = (unsigned long)mem;
		r.args[1] = mem_len;
		r.regions[0] = (struct bpf64_region) {
			(unsigned long)mem, mem_len, writable,
		};
		r.nr_regions = mem ? 1 : 0;
		o.err = bpf64_interp_run(prog, &r, &o.r0);
		o.executed = r.executed;
		bpf64_fault_log(&r.fault, &log);
	}
	bpf64_prog_free(prog);
	return o;
}

#define EXPECT_FAULT(o, e, text, name)					\
	do {								\
		TU_CHECK((o).err == (e) && strstr((o).msg, text), name); \
		if ((o).err != (e) || !strstr((o).msg, text))		\
			tu_diag("got %d '%s', want %d '%s'", (o).err,	\
				(o).msg, e, text);			\
	} while (0)

static void test_memory(void)
{
	u8 mem[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct bpf_insn past_end[] = {
		BPF64_LDX_MEM(BPF_DW, 0, 1, 1), BPF64_EXIT_INSN(),
	};
	struct bpf_insn last_byte[] = {
		BPF64_LDX_MEM(BPF_B, 0, 1, 7), BPF64_EXIT_INSN(),
	};
	struct bpf_insn before_start[] = {
		BPF64_LDX_MEM(BPF_H, 0, 1, -1), BPF64_EXIT_INSN(),
	};
	struct bpf_insn store[] = {
		BPF64_ST_MEM(BPF_W, 1, 4, 9), BPF64_MOV64_IMM(0, 0),
		BPF64_EXIT_INSN(),
	};
	struct bpf_insn wild[] = {
		BPF64_LD_IMM64(2, 0xdead0000ULL), BPF64_STX_MEM(BPF_DW, 2, 2, 0),
		BPF64_MOV64_IMM(0, 0), BPF64_EXIT_INSN(),
	};
	struct outcome o;

	o = run(past_end, LEN(past_end), mem, sizeof(mem), true, 0, NULL, 0);
	EXPECT_FAULT(o, -EFAULT, "insn 0: invalid read of 8 bytes", "read past the region's end");
	o = run(last_byte, LEN(last_byte), mem, sizeof(mem), true, 0, NULL, 0);
	TU_CHECK(!o.err && o.r0 == 8, "read of the region's last byte");
	o = run(before_start, LEN(before_start), mem, sizeof(mem), true, 0, NULL, 0);
	EXPECT_FAULT(o, -EFAULT, "insn 0: invalid read of 2 bytes", "read before the region");
	o = run(store, LEN(store), mem, sizeof(mem), false, 0, NULL, 0);
	EXPECT_FAULT(o, -EFAULT, "insn 0: invalid write of 4 bytes", "write to a read-only region");
	TU_CHECK(mem[4] == 5, "the refused write changed nothing");
	o = run(store, LEN(store), mem, sizeof(mem), true, 0, NULL, 0);
	TU_CHECK(!o.err && mem[4] == 9, "write to a writable region");
	o = run(wild, LEN(wild), mem, sizeof(mem), true, 0, NULL, 0);
	EXPECT_FAULT(o, -EFAULT, "insn 2: invalid write of 8 bytes at 0xdead0000", "wild store");
	o = run(past_end, LEN(past_end), NULL, 0, true, 0, NULL, 0);
	EXPECT_FAULT(o, -EFAULT, "invalid read of 8 bytes at 0x1", "no memory at all");
}

static void test_stack(void)
{
	struct bpf_insn bottom[] = {
		BPF64_ST_MEM(BPF_DW, 10, -512, 7), BPF64_LDX_MEM(BPF_DW, 0, 10, -512),
		BPF64_EXIT_INSN(),
	};
	struct bpf_insn below[] = {
		BPF64_LDX_MEM(BPF_B, 0, 10, -513), BPF64_EXIT_INSN(),
	};
	struct bpf_insn above[] = {
		BPF64_LDX_MEM(BPF_B, 0, 10, 0), BPF64_EXIT_INSN(),
	};
	/* the callee writes through a pointer to its caller's stack */
	struct bpf_insn callers_stack[] = {
		BPF64_ST_MEM(BPF_DW, 10, -8, 1),
		BPF64_MOV64_REG(1, 10), BPF64_ALU64_IMM(BPF_ADD, 1, -8),
		BPF64_CALL_REL(2),
		BPF64_LDX_MEM(BPF_DW, 0, 10, -8), BPF64_EXIT_INSN(),
		BPF64_ST_MEM(BPF_DW, 1, 0, 42), BPF64_EXIT_INSN(),
	};
	/* a callee's stack is gone once it returns */
	struct bpf_insn dead_frame[] = {
		BPF64_CALL_REL(2),
		BPF64_LDX_MEM(BPF_DW, 0, 0, -8), BPF64_EXIT_INSN(),
		BPF64_MOV64_REG(0, 10), BPF64_EXIT_INSN(),
	};
	struct outcome o;

	o = run(bottom, LEN(bottom), NULL, 0, true, 0, NULL, 0);
	TU_CHECK(!o.err && o.r0 == 7, "stack: 512 bytes below r10");
	o = run(below, LEN(below), NULL, 0, true, 0, NULL, 0);
	EXPECT_FAULT(o, -EFAULT, "insn 0: invalid read of 1 bytes", "stack: below the frame");
	o = run(above, LEN(above), NULL, 0, true, 0, NULL, 0);
	EXPECT_FAULT(o, -EFAULT, "insn 0: invalid read of 1 bytes", "stack: at r10 itself");
	o = run(callers_stack, LEN(callers_stack), NULL, 0, true, 0, NULL, 0);
	TU_CHECK(!o.err && o.r0 == 42, "stack: callee writes its caller's frame");
	o = run(dead_frame, LEN(dead_frame), NULL, 0, true, 0, NULL, 0);
	EXPECT_FAULT(o, -EFAULT, "insn 1: invalid read of 8 bytes", "stack: a returned frame is gone");
}

static void test_limits(void)
{
	struct bpf_insn forever[] = { BPF64_JMP_A(-1) };
	struct bpf_insn recurse[] = { BPF64_CALL_REL(-1), BPF64_EXIT_INSN() };
	/* main plus 7 nested calls is 8 frames, Linux's limit: fine */
	struct bpf_insn deep[] = {
		BPF64_MOV64_IMM(1, 6), BPF64_CALL_REL(1), BPF64_EXIT_INSN(),
		BPF64_MOV64_REG(0, 1),
		BPF64_JMP_IMM(BPF_JEQ, 1, 0, 2),
		BPF64_ALU64_IMM(BPF_ADD, 1, -1), BPF64_CALL_REL(-4),
		BPF64_EXIT_INSN(),
	};
	struct outcome o;

	o = run(forever, LEN(forever), NULL, 0, true, 1000, NULL, 0);
	EXPECT_FAULT(o, -ELOOP, "insn 0: instruction budget exhausted", "budget stops an endless loop");
	TU_CHECK(o.executed == 1000, "budget: exactly 1000 instructions ran (%llu)",
		 (unsigned long long)o.executed);
	o = run(recurse, LEN(recurse), NULL, 0, true, 0, NULL, 0);
	EXPECT_FAULT(o, -E2BIG, "insn 0: the call stack of 9 frames is too deep", "call depth");
	o = run(deep, LEN(deep), NULL, 0, true, 0, NULL, 0);
	TU_CHECK(!o.err && o.r0 == 0, "8 frames are allowed (%d %s)", o.err, o.msg);
	deep[0].imm = 7;
	o = run(deep, LEN(deep), NULL, 0, true, 0, NULL, 0);
	EXPECT_FAULT(o, -E2BIG, "insn 6: the call stack of 9 frames is too deep", "9 frames are not");
}

static void test_calls(void)
{
	struct bpf_insn misaligned[] = {
		BPF64_ST_MEM(BPF_DW, 10, -8, 0), BPF64_MOV64_IMM(1, 1),
		BPF64_ATOMIC_OP(BPF_W, BPF_ADD, 10, 1, -7),
		BPF64_MOV64_IMM(0, 0), BPF64_EXIT_INSN(),
	};
	struct bpf_insn callx[] = {
		BPF64_MOV64_IMM(2, 99),
		BPF64_RAW_INSN(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 0),
		BPF64_EXIT_INSN(),
	};
	struct bpf_insn unknown[] = { BPF64_CALL_HELPER(99), BPF64_EXIT_INSN() };
	struct outcome o;

	o = run(misaligned, LEN(misaligned), NULL, 0, true, 0, NULL, 0);
	EXPECT_FAULT(o, -EFAULT, "insn 2: misaligned 4-byte atomic access", "misaligned atomic");
	o = run(callx, LEN(callx), NULL, 0, true, 0, NULL, 0);
	EXPECT_FAULT(o, -ENOENT, "insn 1: callx to unknown helper 99", "callx to an unknown helper");
	o = run(unknown, LEN(unknown), NULL, 0, true, 0, NULL, 0);
	EXPECT_FAULT(o, -EINVAL, "insn 0: unknown helper 99 for program type conformance",
		     "call of an unknown helper refused at load");
}

/* LD_ABS / LD_IND: big-endian loads; outside the packet, r0 = 0 and exit. */
static const u8 packet[] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc };

static const struct pkt_case {
	const char *name;
	u8 mode, size;
	s32 imm;
	s32 r2;		/* LD_IND's base register */
	u32 want;	/* 0 also where the load misses and the program ends */
} pkt_cases[] = {
	{ "ld_abs w at 0", BPF_ABS, BPF_W, 0, 0, 0x12345678 },
	{ "ld_abs h at 4", BPF_ABS, BPF_H, 4, 0, 0x9abc },
	{ "ld_abs b at 5", BPF_ABS, BPF_B, 5, 0, 0xbc },
	{ "ld_abs w at 3 misses", BPF_ABS, BPF_W, 3, 0, 0 },
	{ "ld_abs b at 6 misses", BPF_ABS, BPF_B, 6, 0, 0 },
	{ "ld_ind h at 1+2", BPF_IND, BPF_H, 2, 1, 0x789a },
	{ "ld_ind w at -1+3", BPF_IND, BPF_W, 3, -1, 0x56789abc },
	{ "ld_ind b at 5-6 misses", BPF_IND, BPF_B, -6, 5, 0 },
};

static void pkt_program(const struct pkt_case *c, struct bpf_insn *p)
{
	p[0] = BPF64_MOV64_REG(6, 1);		/* Linux wants the skb in r6 */
	p[1] = BPF64_MOV64_IMM(2, c->r2);
	p[2] = BPF64_RAW_INSN(BPF_LD | c->mode | c->size, 0,
			      c->mode == BPF_IND ? 2 : 0, 0, c->imm);
	p[3] = BPF64_JMP_IMM(BPF_JNE, 0, 0, 1);	/* a found 0 would look like a miss */
	p[4] = BPF64_MOV64_IMM(0, 0x7777);
	p[5] = BPF64_EXIT_INSN();
}

static void test_packet(int have_bpf)
{
	u8 data[14 + sizeof(packet)] = { };	/* Linux's skb starts after Ethernet */
	struct bpf_insn p[6];
	struct outcome o;
	size_t i;

	memcpy(data + 14, packet, sizeof(packet));
	for (i = 0; i < sizeof(pkt_cases) / sizeof(pkt_cases[0]); i++) {
		const struct pkt_case *c = &pkt_cases[i];
		struct linux_bpf_load_opts lo = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER };
		struct linux_bpf_test_run tr = { .data_in = data, .data_size_in = sizeof(data) };
		int fd;

		pkt_program(c, p);
		o = run(p, 6, NULL, 0, true, 0, packet, sizeof(packet));
		TU_CHECK(!o.err && o.r0 == c->want, "%s: 0x%llx", c->name,
			 (unsigned long long)o.r0);
		if (have_bpf) {
			tu_skip("linux %s # SKIP bpf() unavailable", c->name);
			continue;
		}
		fd = linux_bpf_prog_load(p, 6, &lo);
		if (fd >= 0 && !linux_bpf_prog_test_run(fd, &tr))
			TU_CHECK(tr.retval == c->want, "linux %s: 0x%x", c->name, tr.retval);
		else
			TU_CHECK(0, "linux %s: load or run failed (%d)", c->name, fd);
		if (fd >= 0)
			linux_bpf_close(fd);
	}
}

int main(void)
{
	int have_bpf = linux_bpf_probe();

	test_memory();
	test_stack();
	test_limits();
	test_calls();
	test_packet(have_bpf);
	return tu_exit();
}
