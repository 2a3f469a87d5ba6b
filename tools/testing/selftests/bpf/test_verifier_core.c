// SPDX-License-Identifier: GPL-2.0
/*
 * The verifier's core (kernel/bpf/verifier*.c), called directly: small
 * programs with their expected verdict and message fragment, the log
 * levels, the per-instruction facts, and soundness: progen's programs
 * (which Linux accepts) must be accepted, and every program the verifier
 * accepts, mutated ones included, must run in the interpreter's checked
 * mode without a memory fault.
 *
 * Programs that use maps name them with BPF64_LD_MAP_FD(reg, n), n an
 * index into this test's maps; the helper resolves them the way
 * BPF_PROG_LOAD does (map pointer in the LD_IMM64, prog->used_maps).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/disasm.h>
#include <linux/bpf64/helpers.h>
#include <linux/bpf64/insn.h>
#include <linux/bpf64/map.h>
#include <linux/bpf64/prog.h>
#include <linux/bpf64/syscall.h>
#include <linux/bpf64/verifier.h>

#include "backend_util.h"
#include "insn_build.h"
#include "test_util.h"
#include "progen.c"

extern bool bpf64_verifier_exhaustive;	/* kernel/bpf/verifier.c: tests */

#define MAX_INSNS	64
#define LOG_SIZE	65536
#define CTX_SIZE	0x10000

enum { M_HASH, M_RDONLY, M_RINGBUF, M_ARRAY, M_OUTER, NR_MAPS };

static struct bpf64_map *maps[NR_MAPS];
static int map_fds[NR_MAPS];
static char logbuf[LOG_SIZE];

struct vtest {
	const char *name;
	const struct bpf64_prog_ops *ops;
	struct bpf_insn insns[MAX_INSNS];
	int err;		/* expected: 0 or -errno */
	const char *msg;	/* expected in the log at level 1 */
	bool non_gpl;
	/* Linux's verdict differs on purpose: why (Documentation/bpf/) */
	const char *linux_differs;
};

static u32 insns_len(const struct bpf_insn *insns)
{
	u32 n = MAX_INSNS;

	while (n && !insns[n - 1].code)
		n--;
	return n;
}

static int create_map_in(u32 type, u32 key, u32 value, u32 entries,
			 u32 flags, int inner_fd)
{
	union bpf_attr attr = { };

	attr.map_type = type;
	attr.key_size = key;
	attr.value_size = value;
	attr.max_entries = entries;
	attr.map_flags = flags;
	attr.inner_map_fd = inner_fd;
	return bpf64_sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
}

static int create_map(u32 type, u32 key, u32 value, u32 entries, u32 flags)
{
	return create_map_in(type, key, value, entries, flags, 0);
}

/* Key 0 is in the hash map, so lookups in the fuzz runs find a value. */
static int update_key0(int fd)
{
	union bpf_attr attr = { };
	u32 key = 0;
	u64 value = 0;

	attr.map_fd = fd;
	attr.key = (unsigned long)&key;
	attr.value = (unsigned long)&value;
	return bpf64_sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr));
}

static int setup_maps(void)
{
	int fds[NR_MAPS], i, err;

	fds[M_HASH] = create_map(BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	fds[M_RDONLY] = create_map(BPF_MAP_TYPE_ARRAY, 4, 8, 4,
				   BPF_F_RDONLY_PROG);
	fds[M_RINGBUF] = create_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
	fds[M_ARRAY] = create_map(BPF_MAP_TYPE_ARRAY, 4, 48, 1, 0);
	fds[M_OUTER] = create_map_in(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1, 0,
				     fds[M_HASH]);
	for (i = 0; i < NR_MAPS; i++) {
		if (fds[i] < 0)
			return fds[i];
		maps[i] = bpf64_map_get_by_fd(fds[i], &err);
		if (!maps[i])
			return err;
		map_fds[i] = fds[i];
	}
	return update_key0(fds[M_HASH]);
}

/* A program as BPF_PROG_LOAD would hand it to the verifier. */
static int make_prog(struct bpf64_prog **progp, const struct bpf_insn *in,
		     u32 len, const struct bpf64_prog_ops *ops, bool gpl)
{
	struct bpf_insn insns[MAX_INSNS];
	bool is_map[MAX_INSNS] = { }, is_used[NR_MAPS] = { };
	struct bpf64_prog *prog;
	u32 i;
	int err;

	memcpy(insns, in, len * sizeof(*in));
	for (i = 0; i < len; i++) {
		if (bpf64_is_ldimm64(&insns[i]) &&
		    insns[i].src_reg == BPF_PSEUDO_MAP_FD) {
			insns[i].src_reg = 0;
			is_map[i] = true;
		}
	}
	err = bpf64_prog_create(&prog, insns, len, ops, NULL);
	if (err)
		return err;
	prog->used_maps = calloc(NR_MAPS, sizeof(*prog->used_maps));
	for (i = 0; i < len; i++) {
		u64 addr;

		if (!is_map[i])
			continue;
		addr = (unsigned long)maps[in[i].imm];
		prog->insns[i].src_reg = BPF_PSEUDO_MAP_FD;
		prog->insns[i].imm = (u32)addr;
		prog->insns[i + 1].imm = addr >> 32;
		if (!is_used[in[i].imm]) {
			is_used[in[i].imm] = true;
			prog->used_maps[prog->nr_used_maps++] = maps[in[i].imm];
		}
	}
	prog->gpl_compatible = gpl;
	prog->type = ops == &bpf64_xdp_prog_ops ? BPF_PROG_TYPE_XDP :
		     ops == &bpf64_sk_filter_prog_ops ?
		     BPF_PROG_TYPE_SOCKET_FILTER : BPF_PROG_TYPE_SYSCALL;
	*progp = prog;
	return 0;
}

static void free_prog(struct bpf64_prog *prog)
{
	free(prog->used_maps);
	bpf64_prog_free(prog);
}

static int verify(const struct bpf_insn *insns, u32 len,
		  const struct bpf64_prog_ops *ops, bool gpl, u32 level,
		  struct bpf64_insn_aux **aux)
{
	struct bpf64_log log = { .buf = logbuf, .size = sizeof(logbuf),
				 .level = level };
	struct bpf64_prog *prog;
	int err;

	logbuf[0] = 0;
	err = make_prog(&prog, insns, len, ops, gpl);
	if (err)
		return err;
	err = bpf64_verify_aux(prog, &log, aux);
	free_prog(prog);
	return err;
}

#define SYS	(&bpf64_syscall_prog_ops)
#define XDP	(&bpf64_xdp_prog_ops)
#define SKF	(&bpf64_sk_filter_prog_ops)
#define KPR	(&bpf64_kprobe_prog_ops)

/* r2 = fp - 8 with a zeroed key there, r1 = map n */
#define KEY_AND_MAP(n)							\
	BPF64_ST_MEM(BPF_W, BPF_REG_10, -8, 0),				\
	BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),				\
	BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, -8),			\
	BPF64_LD_MAP_FD(BPF_REG_1, n)

/*
 * Two paths give r2 different constants, then meet at insn 9 (the first
 * path long enough, 8 insns and 2 jumps, to store a state there).
 */
#define TWO_CONSTANTS							\
	BPF64_MOV64_IMM(BPF_REG_3, 0),					\
	BPF64_MOV64_IMM(BPF_REG_4, 0),					\
	BPF64_MOV64_IMM(BPF_REG_5, 0),					\
	BPF64_MOV64_IMM(BPF_REG_6, 0),					\
	BPF64_CALL_HELPER(BPF_FUNC_get_prandom_u32),			\
	BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),			\
	BPF64_MOV64_IMM(BPF_REG_2, 1),					\
	BPF64_JMP_A(1),							\
	BPF64_MOV64_IMM(BPF_REG_2, 2)

static const struct vtest tests[] = {
	/* the second path stops at insn 9: r2 is imprecise there */
	{ "precision: a number nothing relies on prunes", SYS, {
		TWO_CONSTANTS,
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, 0, "processed 12 insns" },
	/* ... but not when r2 moves a pointer */
	{ "precision: a pointer offset does not prune", SYS, {
		TWO_CONSTANTS,
		BPF64_MOV64_REG(BPF_REG_3, BPF_REG_10),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_3, BPF_REG_2),
		BPF64_ST_MEM(BPF_B, BPF_REG_3, -16, 0),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, 0, "processed 19 insns" },
	/* ... nor when r2 decided a branch (after which it may: insn 10) */
	{ "precision: a decided branch does not prune", SYS, {
		TWO_CONSTANTS,
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_2, 3, 1),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, 0, "processed 17 insns" },
	/* a sign-extending fill of a spilled constant gives the constant */
	{ "sign-extending fill of a constant", SYS, {
		BPF64_MOV64_IMM(BPF_REG_1, -1),
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -8),
		BPF64_LDX_MEMSX(BPF_W, BPF_REG_7, BPF_REG_10, -8),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_7, -1, 1),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_9, 0),	/* dead */
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	/* Linux 6.18: a constant key inside an array gives a value */
	{ "array lookup with key 0 is never NULL", SYS, {
		KEY_AND_MAP(M_ARRAY),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "hash lookup with key 0 may be NULL", SYS, {
		KEY_AND_MAP(M_HASH),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES,
		"invalid mem access 'map_value_or_null'" },
	{ "return 0", SYS, {
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, 0, "processed 2 insns" },
	{ "r0 not set at exit", SYS, {
		BPF64_EXIT_INSN() }, -EACCES, "R0 !read_ok" },
	{ "unreachable", SYS, {
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
		BPF64_MOV64_IMM(BPF_REG_0, 1),
		BPF64_EXIT_INSN() }, -EINVAL, "unreachable insn 2" },
	{ "uninit register", SYS, {
		BPF64_MOV64_REG(BPF_REG_0, BPF_REG_3),
		BPF64_EXIT_INSN() }, -EACCES, "R3 !read_ok" },
	{ "uninit stack", SYS, {
		BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "partly written stack", SYS, {
		BPF64_ST_MEM(BPF_W, BPF_REG_10, -8, 0),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "stack out of range", SYS, {
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -520, 0),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES,
		"invalid write to stack R10 off=-520 size=8" },
	{ "spill and fill keep ctx", SKF, {
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -8),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_10, -8),
		BPF64_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_2, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "partial overwrite of a spill", SKF, {
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -8),
		BPF64_ST_MEM(BPF_B, BPF_REG_10, -7, 0),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_10, -8),
		BPF64_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_2, 0),
		BPF64_EXIT_INSN() }, -EACCES, "R2 invalid mem access 'scalar'" },
	{ "pointer spilled in 4 bytes", SKF, {
		BPF64_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_1, -8),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES, "invalid size of register spill" },
	{ "bad ctx offset", SKF, {
		BPF64_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_1, 1000),
		BPF64_EXIT_INSN() }, -EACCES,
		"invalid bpf_context access off=1000 size=4" },
	{ "modified ctx", SKF, {
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_1, 4),
		BPF64_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_1, 0),
		BPF64_EXIT_INSN() }, -EACCES,
		"dereference of modified ctx ptr R1 off=4 disallowed" },
	{ "lookup without null check", SYS, {
		KEY_AND_MAP(M_HASH),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES,
		"R0 invalid mem access 'map_value_or_null'" },
	{ "lookup with null check", SYS, {
		KEY_AND_MAP(M_HASH),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_MOV64_REG(BPF_REG_6, BPF_REG_0),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),
		/* the copy in r6 is checked too */
		BPF64_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_6, 4),
		BPF64_EXIT_INSN(),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "map value out of bounds", SYS, {
		KEY_AND_MAP(M_HASH),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 1),
		BPF64_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_0, 6),
		BPF64_EXIT_INSN() }, -EACCES,
		"invalid access to map value, value_size=8 off=6 size=4" },
	{ "map value variable offset, bounded", SYS, {
		KEY_AND_MAP(M_HASH),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 5),
		BPF64_LDX_MEM(BPF_W, BPF_REG_1, BPF_REG_0, 0),
		BPF64_JMP_IMM(BPF_JGT, BPF_REG_1, 7, 3),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1),
		BPF64_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "map value variable offset, unbounded", SYS, {
		KEY_AND_MAP(M_HASH),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 3),
		BPF64_LDX_MEM(BPF_W, BPF_REG_1, BPF_REG_0, 0),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1),
		BPF64_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_0, 0),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES, "R0 unbounded memory access" },
	{ "variable offset one too far", SYS, {
		KEY_AND_MAP(M_HASH),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 4),
		BPF64_LDX_MEM(BPF_W, BPF_REG_1, BPF_REG_0, 0),
		BPF64_JMP_IMM(BPF_JGT, BPF_REG_1, 8, 2),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1),
		BPF64_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_0, 0),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES,
		"invalid access to map value, value_size=8 off=8 size=1" },
	{ "map of maps: inner lookup", SYS, {
		KEY_AND_MAP(M_OUTER),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 7),
		BPF64_MOV64_REG(BPF_REG_1, BPF_REG_0),
		BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, -8),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_0, 8),
		BPF64_EXIT_INSN(),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES,
		"invalid access to map value, value_size=8 off=8 size=8" },
	{ "map of maps: lookup result unchecked", SYS, {
		KEY_AND_MAP(M_OUTER),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_MOV64_REG(BPF_REG_1, BPF_REG_0),
		BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, -8),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES,
		"R1 type=map_value_or_null expected=map_ptr" },
	{ "read-only map written", SYS, {
		KEY_AND_MAP(M_RDONLY),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 1),
		BPF64_ST_MEM(BPF_W, BPF_REG_0, 0, 1),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES, "write into map forbidden" },
	{ "arithmetic before null check", SYS, {
		KEY_AND_MAP(M_HASH),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_0, 4),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES,
		"R0 pointer arithmetic on map_value_or_null prohibited, null-check it first" },
	{ "helper arg type", SYS, {
		BPF64_MOV64_IMM(BPF_REG_1, 0),
		BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_EXIT_INSN() }, -EACCES, "R1 type=scalar expected=map_ptr" },
	{ "helper key not initialised", SYS, {
		BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, -8),
		BPF64_LD_MAP_FD(BPF_REG_1, M_HASH),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "r1-r5 clobbered by a call", SYS, {
		BPF64_CALL_HELPER(BPF_FUNC_ktime_get_ns),
		BPF64_MOV64_REG(BPF_REG_0, BPF_REG_1),
		BPF64_EXIT_INSN() }, -EACCES, "R1 !read_ok" },
	{ "GPL-only helper", KPR, {
		BPF64_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_1, -8),
		BPF64_MOV64_IMM(BPF_REG_2, 8),
		BPF64_MOV64_IMM(BPF_REG_3, 0),
		BPF64_CALL_HELPER(BPF_FUNC_probe_read_kernel),
		BPF64_EXIT_INSN() }, -EINVAL,
		"cannot call GPL-restricted function from non-GPL compatible program",
		true },
	{ "ringbuf record leaked", SYS, {
		BPF64_LD_MAP_FD(BPF_REG_1, M_RINGBUF),
		BPF64_MOV64_IMM(BPF_REG_2, 8),
		BPF64_MOV64_IMM(BPF_REG_3, 0),
		BPF64_CALL_HELPER(BPF_FUNC_ringbuf_reserve),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EINVAL,
		"Unreleased reference id=2 alloc_insn=4" },
	{ "ringbuf record submitted", SYS, {
		BPF64_LD_MAP_FD(BPF_REG_1, M_RINGBUF),
		BPF64_MOV64_IMM(BPF_REG_2, 8),
		BPF64_MOV64_IMM(BPF_REG_3, 0),
		BPF64_CALL_HELPER(BPF_FUNC_ringbuf_reserve),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 4),
		BPF64_ST_MEM(BPF_DW, BPF_REG_0, 0, 7),
		BPF64_MOV64_REG(BPF_REG_1, BPF_REG_0),
		BPF64_MOV64_IMM(BPF_REG_2, 0),
		BPF64_CALL_HELPER(BPF_FUNC_ringbuf_submit),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "ringbuf record past its size", SYS, {
		BPF64_LD_MAP_FD(BPF_REG_1, M_RINGBUF),
		BPF64_MOV64_IMM(BPF_REG_2, 8),
		BPF64_MOV64_IMM(BPF_REG_3, 0),
		BPF64_CALL_HELPER(BPF_FUNC_ringbuf_reserve),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 4),
		BPF64_ST_MEM(BPF_DW, BPF_REG_0, 4, 7),
		BPF64_MOV64_REG(BPF_REG_1, BPF_REG_0),
		BPF64_MOV64_IMM(BPF_REG_2, 0),
		BPF64_CALL_HELPER(BPF_FUNC_ringbuf_submit),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES,
		"invalid access to memory, mem_size=8 off=4 size=8" },
	{ "packet access within range", XDP, {
		BPF64_LDX_MEM(BPF_W, BPF_REG_2, BPF_REG_1, 0),
		BPF64_LDX_MEM(BPF_W, BPF_REG_3, BPF_REG_1, 4),
		BPF64_MOV64_REG(BPF_REG_4, BPF_REG_2),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_4, 14),
		BPF64_JMP_REG(BPF_JGT, BPF_REG_4, BPF_REG_3, 1),
		BPF64_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_2, 13),
		BPF64_MOV64_IMM(BPF_REG_0, 2),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "packet access past range", XDP, {
		BPF64_LDX_MEM(BPF_W, BPF_REG_2, BPF_REG_1, 0),
		BPF64_LDX_MEM(BPF_W, BPF_REG_3, BPF_REG_1, 4),
		BPF64_MOV64_REG(BPF_REG_4, BPF_REG_2),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_4, 14),
		BPF64_JMP_REG(BPF_JGT, BPF_REG_4, BPF_REG_3, 1),
		BPF64_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_2, 14),
		BPF64_MOV64_IMM(BPF_REG_0, 2),
		BPF64_EXIT_INSN() }, -EACCES,
		"invalid access to packet, off=14 size=1, R2(id=0,off=14,r=14)" },
	{ "packet pointer arithmetic on pkt_end", XDP, {
		BPF64_LDX_MEM(BPF_W, BPF_REG_3, BPF_REG_1, 4),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_3, 1),
		BPF64_MOV64_IMM(BPF_REG_0, 2),
		BPF64_EXIT_INSN() }, -EACCES,
		"R3 pointer arithmetic on pkt_end prohibited" },
	{ "impossible branch not explored", SYS, {
		BPF64_MOV64_IMM(BPF_REG_1, 5),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_1, 5, 1),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "both branches narrowed", SYS, {
		BPF64_LDX_MEM(BPF_W, BPF_REG_2, BPF_REG_1, 0),
		BPF64_JMP_IMM(BPF_JGT, BPF_REG_2, 3, 3),
		/* r2 <= 3 here: 4 is impossible */
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_2, 4, 1),
		BPF64_JMP_A(1),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "variable stack read, written", SYS, {
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -8, 0),
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -16, 0),
		BPF64_LDX_MEM(BPF_W, BPF_REG_2, BPF_REG_1, 0),
		BPF64_ALU64_IMM(BPF_AND, BPF_REG_2, 8),
		BPF64_MOV64_REG(BPF_REG_3, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_3, -16),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_3, BPF_REG_2),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_3, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "variable stack read, partly written", SYS, {
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -8, 0),
		BPF64_LDX_MEM(BPF_W, BPF_REG_2, BPF_REG_1, 0),
		BPF64_ALU64_IMM(BPF_AND, BPF_REG_2, 8),
		BPF64_MOV64_REG(BPF_REG_3, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_3, -16),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_3, BPF_REG_2),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_3, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "a copy's check bounds the original", SYS, {
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -8, 0),
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -16, 0),
		BPF64_LDX_MEM(BPF_B, BPF_REG_1, BPF_REG_1, 0),
		BPF64_MOV64_REG(BPF_REG_2, BPF_REG_1),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_JMP_IMM(BPF_JGT, BPF_REG_2, 8, 4),
		BPF64_MOV64_REG(BPF_REG_3, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_3, -16),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_3, BPF_REG_1),
		BPF64_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_3, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "bounded loop", SYS, {
		BPF64_MOV64_IMM(BPF_REG_1, 0),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_1, 1),
		BPF64_JMP_IMM(BPF_JLT, BPF_REG_1, 100, -2),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "infinite loop", SYS, {
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_JMP_A(-1) }, -EINVAL, "infinite loop detected at insn 1" },
	{ "loop out of budget", SYS, {
		BPF64_MOV64_IMM(BPF_REG_1, 0),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_1, 1),
		BPF64_JMP_IMM(BPF_JLT, BPF_REG_1, 2000000, -2),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -E2BIG,
		"BPF program is too large. Processed 1000001 insn" },
	{ "bpf-to-bpf call", SYS, {
		BPF64_MOV64_IMM(BPF_REG_6, 7),
		BPF64_MOV64_IMM(BPF_REG_1, 1),
		BPF64_CALL_REL(2),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_6),
		BPF64_EXIT_INSN(),
		BPF64_MOV64_REG(BPF_REG_0, BPF_REG_1),
		BPF64_MOV64_IMM(BPF_REG_6, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "callee reads caller r6", SYS, {
		BPF64_MOV64_IMM(BPF_REG_6, 7),
		BPF64_CALL_REL(2),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
		BPF64_MOV64_REG(BPF_REG_0, BPF_REG_6),
		BPF64_EXIT_INSN() }, -EACCES, "R6 !read_ok" },
	{ "call stack too deep", SYS, {
		BPF64_CALL_REL(2),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
		BPF64_CALL_REL(-1),
		BPF64_EXIT_INSN() }, -E2BIG,
		"the call stack of 9 frames is too deep" },
	{ "combined stack too large", SYS, {
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -304, 0),
		BPF64_CALL_REL(2),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -256, 0),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES,
		"combined stack size of 2 calls is 560. Too large" },
	{ "callee writes caller stack", SYS, {
		BPF64_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_1, -8),
		BPF64_CALL_REL(2),
		BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
		BPF64_EXIT_INSN(),
		BPF64_ST_MEM(BPF_DW, BPF_REG_1, 0, 3),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, 0, NULL },
	{ "subprogram returns a pointer", SYS, {
		BPF64_CALL_REL(2),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
		BPF64_MOV64_REG(BPF_REG_0, BPF_REG_10),
		BPF64_EXIT_INSN() }, -EINVAL,
		"cannot return stack pointer to the caller" },
	{ "stack pointer into the caller's stack", SYS, {
		BPF64_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_1, -8),
		BPF64_CALL_REL(2),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
		BPF64_STX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, 0),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EINVAL,
		"cannot spill pointers to stack into stack frame of the caller" },
	{ "jump into another subprogram", SYS, {
		BPF64_CALL_REL(2),
		BPF64_JMP_A(2),
		BPF64_EXIT_INSN(),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EINVAL, "jump out of range from insn 1 to 4" },
	{ "pointer arithmetic with *=", SYS, {
		BPF64_ALU64_IMM(BPF_MUL, BPF_REG_1, 2),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES,
		"R1 pointer arithmetic with *= operator prohibited" },
	{ "32-bit pointer arithmetic", SYS, {
		BPF64_ALU32_IMM(BPF_ADD, BPF_REG_1, 2),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EACCES,
		"R1 32-bit pointer arithmetic prohibited" },
	{ "unbounded scalar added to a pointer", SYS, {
		BPF64_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_1, 0),
		BPF64_ALU64_REG(BPF_ADD, BPF_REG_1, BPF_REG_2),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN() }, -EINVAL,
		"math between ctx pointer and register with unbounded min value is not allowed" },
};

static void test_table(void)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		const struct vtest *t = &tests[i];
		int err = verify(t->insns, insns_len(t->insns), t->ops,
				 !t->non_gpl, 1, NULL);
		bool ok = err == t->err && (!t->msg || strstr(logbuf, t->msg));

		TU_CHECK(ok, "%s: %d%s%s", t->name, err, t->msg ? ", " : "",
			 t->msg ? t->msg : "");
		if (!ok)
			tu_diag("expected %d; log ends:\n%s", t->err,
				logbuf + (strlen(logbuf) > 2000 ?
					  strlen(logbuf) - 2000 : 0));
	}
}

static const struct vtest *find_test(const char *name)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(tests); i++)
		if (!strcmp(tests[i].name, name))
			return &tests[i];
	abort();
}

/* ---- the same table against the running kernel ---- */

static u32 linux_prog_type(const struct bpf64_prog_ops *ops)
{
	if (ops == XDP)
		return BPF_PROG_TYPE_XDP;
	if (ops == SKF)
		return BPF_PROG_TYPE_SOCKET_FILTER;
	if (ops == KPR)
		return BPF_PROG_TYPE_KPROBE;
	return BPF_PROG_TYPE_SYSCALL;
}

static int linux_maps(const struct bpf64_backend *be, int *fds)
{
	u32 key = 0;
	u64 value = 0;

	fds[M_HASH] = bpf64_map_create(be, BPF_MAP_TYPE_HASH, "h", 4, 8, 16, 0);
	fds[M_RDONLY] = bpf64_map_create(be, BPF_MAP_TYPE_ARRAY, "ro", 4, 8,
					 4, BPF_F_RDONLY_PROG);
	fds[M_RINGBUF] = bpf64_map_create(be, BPF_MAP_TYPE_RINGBUF, "rb", 0,
					  0, 4096, 0);
	fds[M_ARRAY] = bpf64_map_create(be, BPF_MAP_TYPE_ARRAY, "a", 4, 48,
					1, 0);
	fds[M_OUTER] = bpf64_map_create_inner(be, BPF_MAP_TYPE_ARRAY_OF_MAPS,
					      "o", 4, 4, 1, 0, fds[M_HASH]);
	if (fds[M_HASH] < 0 || fds[M_RDONLY] < 0 || fds[M_RINGBUF] < 0 ||
	    fds[M_ARRAY] < 0 || fds[M_OUTER] < 0)
		return -1;
	return bpf64_map_update(be, fds[M_HASH], &key, &value, 0);
}

/* Linux's verdict, errno and log for one table entry. */
static int linux_verdict(const struct bpf64_backend *be, const int *fds,
			 const struct vtest *t)
{
	struct bpf_insn insns[MAX_INSNS];
	struct bpf64_load_opts opts = { };
	u32 len = insns_len(t->insns), i;
	int fd;

	memcpy(insns, t->insns, sizeof(insns));
	for (i = 0; i < len; i++)
		if (bpf64_is_ldimm64(&insns[i]) &&
		    insns[i].src_reg == BPF_PSEUDO_MAP_FD)
			insns[i].imm = fds[t->insns[i].imm];
	opts.prog_type = linux_prog_type(t->ops);
	opts.prog_flags = opts.prog_type == BPF_PROG_TYPE_SYSCALL ?
			  BPF_F_SLEEPABLE : 0;
	opts.license = t->non_gpl ? "Proprietary" : "GPL";
	opts.log_buf = logbuf;
	opts.log_size = sizeof(logbuf);
	opts.log_level = 1;
	logbuf[0] = 0;
	fd = bpf64_prog_load(be, insns, len, &opts);
	if (fd == -ENOSPC) {
		/* the log's tail is kept; the errno comes without a log */
		opts.log_buf = NULL;
		opts.log_size = 0;
		opts.log_level = 0;
		fd = bpf64_prog_load(be, insns, len, &opts);
	}
	if (fd >= 0) {
		be->close(fd);
		return 0;
	}
	return fd;
}

static void test_linux(void)
{
	const struct bpf64_backend *be = bu_backend(1, "verifier table");
	int fds[NR_MAPS], err;
	u32 i;

	if (!be)
		return;
	if (linux_maps(be, fds)) {
		TU_CHECK(0, "linux: maps");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		const struct vtest *t = &tests[i];
		bool ok;

		err = linux_verdict(be, fds, t);
		if (t->linux_differs) {
			TU_CHECK(!err, "linux: %s: accepted (%s)", t->name,
				 t->linux_differs);
			continue;
		}
		ok = err == t->err &&
		     (!t->msg || err == 0 || strstr(logbuf, t->msg));
		TU_CHECK(ok, "linux: %s: %d%s%s", t->name, err,
			 t->msg && err ? ", " : "", t->msg && err ? t->msg : "");
		if (!ok)
			tu_diag("expected %d; log ends:\n%s", t->err,
				logbuf + (strlen(logbuf) > 1500 ?
					  strlen(logbuf) - 1500 : 0));
	}
	for (i = 0; i < NR_MAPS; i++)
		be->close(fds[i]);
}

/* Level 1: the path then the error; level 2: states; both the stats. */
static void test_log_levels(void)
{
	const struct vtest *t = find_test("stack out of range");
	static const struct bpf_insn ok[] = {
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
	};
	char *path, *err;
	int e;

	verify(t->insns, insns_len(t->insns), t->ops, true, 1, NULL);
	path = strstr(logbuf, "0: (7a) *(u64 *)(r10 -520) = 0");
	err = strstr(logbuf, "invalid write to stack");
	TU_CHECK(path && err && path < err &&
		 strstr(logbuf, "processed 1 insns (limit 1000000)"),
		 "level 1: path, error, stats");
	if (!(path && err))
		tu_diag("%s", logbuf);
	e = verify(ok, ARRAY_SIZE(ok), SYS, true, 2, NULL);
	TU_CHECK(!e && strstr(logbuf, "R1=ctx(") && strstr(logbuf, "R0=0") &&
		 strstr(logbuf, "processed 2 insns"),
		 "level 2: every insn with its registers");
	if (e || !strstr(logbuf, "R0=0"))
		tu_diag("%s", logbuf);
}

static void test_aux(void)
{
	const struct vtest *t = find_test("spill and fill keep ctx");
	struct bpf64_insn_aux *aux = NULL;
	int err;

	err = verify(t->insns, insns_len(t->insns), t->ops, true, 0, &aux);
	TU_CHECK(!err && aux && aux[0].mem_kind == BPF64_MEM_STACK &&
		 aux[2].mem_kind == BPF64_MEM_CTX &&
		 aux[3].mem_kind == BPF64_MEM_NONE,
		 "aux: which insns reach the context");
	bpf64_free(aux);
}

/* ---- soundness ---- */

static u8 ctx_buf[CTX_SIZE];

static void dump(const struct bpf_insn *insns, u32 len)
{
	char buf[128];
	u32 i;

	for (i = 0; i < len; i++) {
		bpf64_disasm_insn(insns, len, i, BPF64_DISASM_KERNEL, buf,
				  sizeof(buf));
		tu_diag("%u: %s", i, buf);
	}
}

/* Run an accepted program in checked mode: a memory fault is a bug. */
static int run_checked(struct bpf64_prog *prog, u64 seed)
{
	struct bpf64_run run = { };
	u64 r0;
	int err;

	err = bpf64_interp_prepare(prog, BPF64_RUN_CHECKED, NULL);
	if (err)
		return 0;
	progen_fill(ctx_buf, sizeof(ctx_buf), seed);
	run.args[0] = (unsigned long)ctx_buf;
	run.ctx = (unsigned long)ctx_buf;
	run.regions[0] = (struct bpf64_region){
		.start = (unsigned long)ctx_buf, .size = sizeof(ctx_buf),
		.writable = true };
	run.nr_regions = 1;
	run.budget = 1 << 22;
	err = bpf64_interp_run(prog, &run, &r0);
	if (err && err != -ELOOP) {
		char buf[256];
		struct bpf64_log log = { .buf = buf, .size = sizeof(buf) };

		bpf64_fault_log(&run.fault, &log);
		tu_diag("seed %llu: accepted, then %s", (unsigned long long)seed,
			buf);
		if (getenv("VERIFIER_DUMP"))
			dump(prog->insns, prog->len);
		return err;
	}
	return 0;
}

/* Change one field: a register, the offset or a bit of the immediate. */
static void mutate_insn(struct bpf_insn *insn, struct progen_rng *rng)
{
	switch (progen_rng_below(rng, 4)) {
	case 0:
		insn->dst_reg = progen_rng_below(rng, 11);
		break;
	case 1:
		insn->src_reg = progen_rng_below(rng, 11);
		break;
	case 2:
		insn->off += (s16)(progen_rng_below(rng, 33) - 16);
		break;
	default:
		insn->imm ^= 1U << progen_rng_below(rng, 32);
	}
}

static void test_progen(u32 count, bool mutate)
{
	u32 i, accepted = 0, tried = 0, faults = 0, refused = 0;
	struct progen_rng rng;
	u64 seed;

	progen_rng_seed(&rng, mutate ? 77 : 42);
	for (seed = 1; seed <= count; seed++) {
		struct progen_prog p = { };
		struct bpf64_prog *prog;
		struct bpf64_log log = { .buf = logbuf, .size = 4096,
					 .level = 1 };
		int err;

		if (progen_generate(&p, seed, NULL))
			continue;
		for (i = 0; mutate && i < 3; i++)
			mutate_insn(&p.insns[progen_rng_below(&rng, p.len)],
				    &rng);
		err = bpf64_prog_create(&prog, p.insns, p.len, SYS, NULL);
		progen_release(&p);
		if (err)
			continue;
		tried++;
		logbuf[0] = 0;
		err = bpf64_verify(prog, &log);
		if (!err) {
			accepted++;
			if (run_checked(prog, seed))
				faults++;
		} else if (!mutate && refused++ < 3) {
			tu_diag("seed %llu refused (%d): %s",
				(unsigned long long)seed, err,
				strstr(logbuf, "\n") ? logbuf : logbuf);
		}
		bpf64_prog_free(prog);
	}
	if (mutate)
		TU_CHECK(!faults, "mutated progen: %u tried, %u accepted, %u faults",
			 tried, accepted, faults);
	else
		TU_CHECK(accepted == tried && !faults,
			 "progen (Linux accepts all): %u tried, %u accepted, %u faults",
			 tried, accepted, faults);
}

/*
 * Pointer-heavy random programs for XDP: packet pointers moved and
 * compared with data_end, map values looked up, offsets added and masked,
 * loads and stores through all of them.  Each one the verifier accepts is
 * loaded through BPF_PROG_LOAD (checked mode) and test-run on a packet:
 * a memory fault would be a soundness bug.
 */
#define PF_LEN	40

static u32 rnd(struct progen_rng *rng, u32 n)
{
	return progen_rng_below(rng, n);
}

#define PF_EXIT	(-32768)	/* jump offset placeholder: to the exit */

/* A base register that likely holds a pointer: pkt, value, fp, moved. */
static u8 pf_base(struct progen_rng *rng)
{
	static const u8 bases[] = { BPF_REG_2, BPF_REG_7, BPF_REG_10,
				    BPF_REG_4, BPF_REG_5 };

	return bases[rnd(rng, ARRAY_SIZE(bases))];
}

static u32 pf_emit(struct bpf_insn *out, struct progen_rng *rng, u32 left)
{
	static const u8 sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	static const u8 jops[] = { BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE,
				   BPF_JEQ, BPF_JNE, BPF_JSGT, BPF_JSLT };
	u8 b = pf_base(rng), v = BPF_REG_8 + rnd(rng, 2);
	s16 off = b == BPF_REG_10 ? -(s16)rnd(rng, 33) :
		  (s16)rnd(rng, 56) - 4;

	switch (rnd(rng, 16)) {
	case 12:	/* two paths meet, the number narrowed on one */
		out[1] = (struct bpf_insn)BPF64_ALU64_IMM(BPF_AND, v,
							  rnd(rng, 16));
		goto diamond;
	case 13:	/* ... copied on one */
		out[1] = (struct bpf_insn)BPF64_MOV64_REG(v, BPF_REG_8 +
							  (v == BPF_REG_8));
		goto diamond;
	case 14:	/* ... spilled on one */
		out[1] = (struct bpf_insn)BPF64_STX_MEM(BPF_DW, BPF_REG_10, v,
							-8 * (1 + rnd(rng, 4)));
		goto diamond;
	case 15:	/* ... filled on one */
		out[1] = (struct bpf_insn)BPF64_LDX_MEM(BPF_DW, v, BPF_REG_10,
							-8 * (1 + rnd(rng, 4)));
diamond:
		out[0] = (struct bpf_insn)BPF64_JMP_IMM(jops[rnd(rng, 8)], v,
							rnd(rng, 80), 1);
		return 2;
	case 9:		/* a number through the stack */
		out[0] = (struct bpf_insn)BPF64_STX_MEM(BPF_DW, BPF_REG_10, v,
							-8 * (1 + rnd(rng, 4)));
		out[1] = (struct bpf_insn)BPF64_LDX_MEM(BPF_DW,
			BPF_REG_8 + rnd(rng, 2), BPF_REG_10,
			-8 * (1 + rnd(rng, 4)));
		return 2;
	case 10:	/* numbers from numbers */
		out[0] = (struct bpf_insn)BPF64_ALU64_REG(
			rnd(rng, 2) ? BPF_ADD : BPF_SUB, v,
			BPF_REG_8 + rnd(rng, 2));
		out[1] = (struct bpf_insn)BPF64_ALU64_IMM(
			rnd(rng, 2) ? BPF_RSH : BPF_LSH, v, rnd(rng, 4));
		return 2;
	case 11:	/* numbers bounded by each other */
		if (left < 2)
			return 0;
		out[0] = (struct bpf_insn)BPF64_JMP_REG(jops[rnd(rng, 8)], v,
			BPF_REG_8 + rnd(rng, 2), rnd(rng, 2) ? PF_EXIT :
			(s16)rnd(rng, left - 1));
		return 1;
	case 0:		/* prove a packet range */
		out[0] = (struct bpf_insn)BPF64_MOV64_REG(BPF_REG_4, BPF_REG_2);
		out[1] = (struct bpf_insn)BPF64_ALU64_IMM(BPF_ADD, BPF_REG_4,
							  rnd(rng, 72));
		out[2] = (struct bpf_insn)BPF64_JMP_REG(jops[rnd(rng, 2)],
							BPF_REG_4, BPF_REG_3,
							PF_EXIT);
		return 3;
	case 1:
		out[0] = (struct bpf_insn)BPF64_LDX_MEM(sizes[rnd(rng, 4)], v,
							b, off);
		return 1;
	case 2:
		out[0] = (struct bpf_insn)BPF64_STX_MEM(sizes[rnd(rng, 4)], b,
							v, off);
		return 1;
	case 3:
		out[0] = (struct bpf_insn)BPF64_ST_MEM(sizes[rnd(rng, 4)], b,
						       off, rnd(rng, 256));
		return 1;
	case 4:		/* a pointer moved by a number */
		out[0] = (struct bpf_insn)BPF64_MOV64_REG(BPF_REG_5,
			rnd(rng, 2) ? BPF_REG_2 : BPF_REG_7);
		out[1] = (struct bpf_insn)BPF64_ALU64_REG(BPF_ADD, BPF_REG_5, v);
		return 2;
	case 5:
		out[0] = (struct bpf_insn)BPF64_ALU64_IMM(BPF_AND, v,
							  rnd(rng, 128));
		return 1;
	case 6:
		if (left < 2)
			return 0;
		out[0] = (struct bpf_insn)BPF64_JMP_IMM(jops[rnd(rng, 8)], v,
							rnd(rng, 80),
							rnd(rng, 2) ? PF_EXIT :
							(s16)rnd(rng, left - 1));
		return 1;
	case 7:
		out[0] = (struct bpf_insn)BPF64_ALU64_IMM(BPF_ADD, b,
							  (s32)rnd(rng, 24) - 8);
		return 1;
	default:
		out[0] = (struct bpf_insn)BPF64_MOV64_REG(v, BPF_REG_8 +
							  rnd(rng, 2));
		return 1;
	}
}

/* A random program; the LD_MAP_FD markers name test maps by index. */
static u32 pf_generate(struct bpf_insn *insns, struct progen_rng *rng)
{
	static const struct bpf_insn head[] = {
		BPF64_MOV64_REG(BPF_REG_6, BPF_REG_1),
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -16, 0),
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -24, 0),
		BPF64_ST_MEM(BPF_DW, BPF_REG_10, -32, 0),
		KEY_AND_MAP(M_ARRAY),
		BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPF64_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, PF_EXIT),
		BPF64_MOV64_REG(BPF_REG_7, BPF_REG_0),
		BPF64_LDX_MEM(BPF_W, BPF_REG_2, BPF_REG_6, 0),
		BPF64_LDX_MEM(BPF_W, BPF_REG_3, BPF_REG_6, 4),
		BPF64_MOV64_REG(BPF_REG_4, BPF_REG_2),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_4, 40),
		BPF64_JMP_REG(BPF_JGT, BPF_REG_4, BPF_REG_3, PF_EXIT),
		BPF64_MOV64_REG(BPF_REG_5, BPF_REG_2),
		BPF64_LDX_MEM(BPF_B, BPF_REG_8, BPF_REG_7, 0),
		BPF64_LDX_MEM(BPF_B, BPF_REG_9, BPF_REG_7, 1),
	};
	u32 n = ARRAY_SIZE(head), i;

	memcpy(insns, head, sizeof(head));
	while (n < MAX_INSNS - 8) {
		n += pf_emit(&insns[n], rng, MAX_INSNS - 8 - n);
		if (n > PF_LEN && !rnd(rng, 8))
			break;
	}
	insns[n++] = (struct bpf_insn)BPF64_MOV64_IMM(BPF_REG_0, XDP_PASS);
	insns[n++] = (struct bpf_insn)BPF64_EXIT_INSN();
	/* forward jumps stay inside; PF_EXIT ones go to the exit */
	for (i = 0; i < n; i++) {
		if (BPF_CLASS(insns[i].code) != BPF_JMP ||
		    BPF_OP(insns[i].code) == BPF_CALL ||
		    BPF_OP(insns[i].code) == BPF_EXIT)
			continue;
		if (insns[i].off == PF_EXIT || i + 1 + insns[i].off >= n)
			insns[i].off = n - 2 - i - 1;
	}
	return n;
}

/* Load through bpf() (checked mode) and run once on a 64-byte packet. */
static int pf_run(const struct bpf_insn *in, u32 len)
{
	struct bpf_insn insns[MAX_INSNS];
	union bpf_attr attr = { };
	u8 pkt[64] = { 1, 2, 3 };
	int fd, err;
	u32 i;

	memcpy(insns, in, len * sizeof(*in));
	for (i = 0; i < len; i++)
		if (bpf64_is_ldimm64(&insns[i]) &&
		    insns[i].src_reg == BPF_PSEUDO_MAP_FD)
			insns[i].imm = map_fds[in[i].imm];
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = len;
	attr.license = (unsigned long)"GPL";
	fd = bpf64_sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0)
		return 0;	/* what the load refuses cannot fault */
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.data_in = (unsigned long)pkt;
	attr.test.data_size_in = sizeof(pkt);
	err = bpf64_sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr));
	bpf64_close(fd);
	return err == -EFAULT ? err : 0;
}

static void test_pointer_fuzz(u32 count)
{
	u32 i, accepted = 0, faults = 0;
	struct progen_rng rng;

	progen_rng_seed(&rng, 4);
	for (i = 0; i < count; i++) {
		struct bpf_insn insns[MAX_INSNS] = { };
		u32 len = pf_generate(insns, &rng);

		if (verify(insns, len, XDP, true, 1, NULL))
			continue;
		accepted++;
		if (pf_run(insns, len)) {
			faults++;
			tu_diag("program %u accepted, then faulted:", i);
			if (getenv("VERIFIER_DUMP"))
				dump(insns, len);
		}
	}
	TU_CHECK(!faults && accepted > count / 50,
		 "pointer fuzz (XDP): %u tried, %u accepted, %u faults",
		 count, accepted, faults);
}

/*
 * Pruning must never change a verdict: each program is verified again
 * with no pruning at all (kernel/bpf/verifier.c's test switch), which
 * must refuse exactly what the pruned run refuses.  Programs whose
 * unpruned walk is too long do not count.  One exception, Linux's too:
 * its sanity limit on a pointer's offset refuses a number whose smallest
 * value is huge (or a huge constant) but not a wider range that starts
 * lower, so a path pruned by a wider state may have been refused there;
 * such a path could not have used the pointer (the wider one could not).
 */
static bool sanity_limit(const char *log)
{
	return (strstr(log, "pointer be out of bounds") &&
		!strstr(log, "value -")) ||
	       (strstr(log, "math between") && strstr(log, "is not allowed") &&
		!strstr(log, "unbounded min value"));
}

static int prune_differs(struct bpf64_prog *prog, u32 *compared,
			 u32 *accepted, u32 *limits)
{
	struct bpf64_log log = { .buf = logbuf, .size = sizeof(logbuf),
				 .level = 1 };
	int pruned, all;

	pruned = bpf64_verify(prog, NULL);
	bpf64_verifier_exhaustive = true;
	all = bpf64_verify(prog, NULL);
	if (pruned != all) {
		logbuf[0] = 0;
		bpf64_verify(prog, &log);
	}
	bpf64_verifier_exhaustive = false;
	if (all == -E2BIG)
		return 0;
	(*compared)++;
	*accepted += !pruned;
	if (pruned == all)
		return 0;
	if (!pruned && all == -EINVAL && sanity_limit(logbuf)) {
		(*limits)++;
		return 0;
	}
	tu_diag("pruned verdict %d, unpruned %d", pruned, all);
	if (getenv("VERIFIER_DUMP")) {
		dump(prog->insns, prog->len);
		tu_diag("unpruned: %s", logbuf);
	}
	return 1;
}

static void test_pruning(u32 count)
{
	u32 i, compared = 0, accepted = 0, differ = 0, limits = 0;
	struct progen_opts o;
	struct progen_rng rng;

	progen_rng_seed(&rng, 9);
	for (i = 0; i < count; i++) {
		struct bpf_insn insns[MAX_INSNS] = { };
		u32 len = pf_generate(insns, &rng);
		struct bpf64_prog *prog;

		if (make_prog(&prog, insns, len, XDP, true))
			continue;
		differ += prune_differs(prog, &compared, &accepted,
					&limits);
		free_prog(prog);
	}
	progen_default_opts(&o);
	o.body_len = 40;
	for (i = 0; i < count / 8; i++) {
		struct progen_prog p = { };
		struct bpf64_prog *prog;
		u32 k;

		if (progen_generate(&p, i + 1, &o))
			continue;
		for (k = 0; i % 2 && k < 3; k++)
			mutate_insn(&p.insns[progen_rng_below(&rng, p.len)],
				    &rng);
		if (!bpf64_prog_create(&prog, p.insns, p.len, SYS, NULL)) {
			differ += prune_differs(prog, &compared, &accepted,
						&limits);
			bpf64_prog_free(prog);
		}
		progen_release(&p);
	}
	TU_CHECK(!differ && accepted > compared / 20,
		 "pruning vs none: %u compared, %u accepted, %u verdicts differ (and %u by the offset sanity limit)",
		 compared, accepted, differ, limits);
}

int main(void)
{
	int err = setup_maps();

	if (err) {
		TU_CHECK(0, "map setup: %d", err);
		return tu_exit();
	}
	test_table();
	test_linux();
	test_log_levels();
	test_aux();
	test_progen(200, false);
	test_progen(600, true);
	/* VERIFIER_FUZZ=N: a longer soundness run */
	test_pointer_fuzz(getenv("VERIFIER_FUZZ") ?
			  strtoul(getenv("VERIFIER_FUZZ"), NULL, 0) : 3000);
	test_pruning(getenv("VERIFIER_FUZZ") ?
		     strtoul(getenv("VERIFIER_FUZZ"), NULL, 0) : 2000);
	return tu_exit();
}
