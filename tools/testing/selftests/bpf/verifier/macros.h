/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verifier corpus's case format and the short instruction sequences
 * that many cases share.  A case reads top to bottom:
 *
 *	{
 *		.name = "stack: read of an uninitialised slot",
 *		.insns = {
 *			BPF64_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -8),
 *			BPF64_EXIT_INSN(),
 *		},
 *		.result = REJECT, .err = EACCES,
 *		.msg = "invalid read from stack",
 *	},
 *
 * Maps are declared in .maps; an LD_IMM64 map reference (VMAP_LD) names a
 * map by its index there, and the runner replaces the index by the fd.
 */
#ifndef _BPF64_VERIFIER_MACROS_H
#define _BPF64_VERIFIER_MACROS_H

#include <stdbool.h>
#include <linux/bpf.h>

#define VMAX_INSNS	96
#define VMAX_MAPS	3

enum { ACCEPT = 1, REJECT };

#define VLOG_STATS	4	/* BPF_LOG_STATS */

struct vmap {
	__u32 type;			/* 0: no map in this slot */
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 flags;
};

struct vcase {
	const char *name;
	__u32 prog_type;		/* 0: SOCKET_FILTER */
	__u32 attach_type;
	__u32 prog_flags;
	const char *license;		/* NULL: "GPL" */
	struct bpf_insn insns[VMAX_INSNS];
	__u32 len;			/* 0: up to the last non-zero insn */
	/* Programs too long to write out: writes them, returns the length. */
	__u32 (*fill)(struct bpf_insn *insns, __u32 room);
	struct vmap maps[VMAX_MAPS];
	/*
	 * 0: level 1.  A truncated log turns any verdict into -ENOSPC, and
	 * level 1 logs every insn walked: cases that walk a million insns
	 * ask for VLOG_STATS (messages and statistics only).
	 */
	__u32 log_level;
	int result;			/* ACCEPT or REJECT */
	int err;			/* REJECT: the positive errno */
	const char *msg;		/* REJECT: words of Linux's log */
	bool run;			/* ACCEPT: test-run it ... */
	__u32 retval;			/* ... and expect this r0 */
	bool unpriv;			/* loaded as uid 65534, no capabilities */
	/*
	 * Where bpf64 deliberately differs (Documentation/bpf/verifier.rst
	 * lists each case): why, and bpf64's errno and log words.  bpf64
	 * refuses these; Linux's verdict above is still checked on Linux.
	 */
	const char *bpf64_differs;
	int bpf64_err;
	const char *bpf64_msg;
};

/* Map declarations. */
#define VMAP_ARRAY(VSIZE, N)	{ BPF_MAP_TYPE_ARRAY, 4, VSIZE, N, 0 }
#define VMAP_ARRAY_RO(VSIZE)	{ BPF_MAP_TYPE_ARRAY, 4, VSIZE, 1, BPF_F_RDONLY_PROG }
#define VMAP_ARRAY_WO(VSIZE)	{ BPF_MAP_TYPE_ARRAY, 4, VSIZE, 1, BPF_F_WRONLY_PROG }
#define VMAP_HASH(KSIZE, VSIZE)	{ BPF_MAP_TYPE_HASH, KSIZE, VSIZE, 16, 0 }
#define VMAP_HASH8		VMAP_HASH(8, 8)
#define VMAP_RINGBUF		{ BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0 }
#define VMAP_PROG_ARRAY		{ BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0 }

#define R0	BPF_REG_0
#define R1	BPF_REG_1
#define R2	BPF_REG_2
#define R3	BPF_REG_3
#define R4	BPF_REG_4
#define R5	BPF_REG_5
#define R6	BPF_REG_6
#define R7	BPF_REG_7
#define R8	BPF_REG_8
#define R9	BPF_REG_9
#define R10	BPF_REG_10

/* dst = the case's map number IDX. */
#define VMAP_LD(DST, IDX)	BPF64_LD_MAP_FD(DST, IDX)

#define VRET(IMM)							\
	BPF64_MOV64_IMM(R0, IMM),					\
	BPF64_EXIT_INSN()

/*
 * r0 = bpf_map_lookup_elem(map IDX, &(u32)KEY on fp-8): 6 slots.
 * The result is map_value_or_null.
 */
#define VLOOKUP(IDX, KEY)						\
	BPF64_ST_MEM(BPF_DW, R10, -8, KEY),				\
	BPF64_MOV64_REG(R2, R10),					\
	BPF64_ALU64_IMM(BPF_ADD, R2, -8),				\
	VMAP_LD(R1, IDX),						\
	BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem)

/* The same, returning 0 unless r0 is a value: 8 slots. */
#define VLOOKUP_OR_RET(IDX, KEY)					\
	VLOOKUP(IDX, KEY),						\
	BPF64_JMP_IMM(BPF_JNE, R0, 0, 1),				\
	BPF64_EXIT_INSN()

#endif /* _BPF64_VERIFIER_MACROS_H */
