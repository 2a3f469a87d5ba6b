/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verifier (kernel/bpf/verifier*.c): proves a program safe before it
 * runs in the interpreter's trusted mode, with Linux's verdicts and
 * messages.
 *
 * It takes a program after BPF_PROG_LOAD's map resolution (LD_IMM64 map
 * references hold map pointers, prog->used_maps lists the maps, prog->ops
 * is the type) and before context rewriting: the accesses it finds going
 * to the context are recorded per instruction so that a later pass can
 * rewrite them with the type's convert_ctx_access.
 */
#ifndef _LINUX_BPF64_VERIFIER_H
#define _LINUX_BPF64_VERIFIER_H

#include <linux/bpf64/insn.h>
#include <linux/bpf64/prog.h>

/* The pointer type a memory instruction was verified with. */
enum bpf64_mem_kind {
	BPF64_MEM_NONE = 0,	/* not a memory instruction, or never reached */
	BPF64_MEM_CTX,
	BPF64_MEM_STACK,
	BPF64_MEM_MAP_VALUE,
	BPF64_MEM_PACKET,	/* packet or packet meta */
	BPF64_MEM_ALLOC,	/* ringbuf record */
};

/*
 * What the verifier learnt about one instruction (index as loaded).  One
 * entry per instruction, so what only some classes need shares space:
 * ctx is a memory instruction's, map a call's, alu_limit an ALU one's.
 */
struct bpf64_insn_aux {
	u8 mem_kind;		/* enum bpf64_mem_kind */
	bool seen;		/* reached on some path */
	bool map_poisoned;
	/*
	 * Unprivileged programs (kernel/bpf/verifier_sanitize.c): how
	 * pointer arithmetic with a register is masked against Spectre v1
	 * (BPF64_ALU_*, and in alu_limit the bytes the offset may move the
	 * pointer), whether a speculation barrier goes after a stack store
	 * (Spectre v4), and whether one goes before the insn because a
	 * mispredicted path would run it unsafely.
	 */
	u8 alu_state;
	bool nospec_result;
	bool nospec;		/* a barrier before it (Spectre v1) */
	union {
		/* BPF64_MEM_CTX: what the type's is_valid_access said */
		struct bpf64_ctx_access ctx;
		/* a helper call taking a map: the map, if the same on
		 * every path */
		struct bpf64_map *map;
		u32 alu_limit;
	};
};

/* A helper call at @aux was verified with @map (NULL: no map) in r1. */
static inline void bpf64_aux_note_map(struct bpf64_insn_aux *aux,
				      struct bpf64_map *map)
{
	aux->map_poisoned |= aux->map && aux->map != map;
	aux->map = map;
}

/* alu_state, as Linux's BPF_ALU_* */
#define BPF64_ALU_SANITIZE_SRC	(1U << 0)	/* the offset is the source */
#define BPF64_ALU_SANITIZE_DST	(1U << 1)	/* the offset is the dest */
#define BPF64_ALU_NEG_VALUE	(1U << 2)	/* the offset is negative */
#define BPF64_ALU_NON_POINTER	(1U << 3)	/* scalar arithmetic */
#define BPF64_ALU_IMMEDIATE	(1U << 4)	/* the offset is a constant */
#define BPF64_ALU_SANITIZE	(BPF64_ALU_SANITIZE_SRC | \
				 BPF64_ALU_SANITIZE_DST)

/*
 * Linux's privilege checks of bpf() (kernel/bpf/verifier_unpriv.c), over
 * bpf64_capable(); each 0 or -errno, with nothing logged:
 *  - BPF_PROG_LOAD, before anything else: without CAP_BPF, -EPERM while
 *    unprivileged bpf() is disabled, -E2BIG past 4096 instructions (1M
 *    with it), -EPERM for a type other than SOCKET_FILTER and CGROUP_SKB;
 *  - BPF_MAP_CREATE: without CAP_BPF, -EPERM while unprivileged bpf() is
 *    disabled, and for a type other than the arrays, hashes (not LRU),
 *    maps of maps, ring buffers and cgroup storage; the socket and device
 *    maps need CAP_NET_ADMIN;
 *  - the commands that need CAP_SYS_ADMIN: the GET_NEXT_ID and
 *    GET_FD_BY_ID ones, TASK_FD_QUERY, ENABLE_STATS.
 * BPF_OBJ_GET_INFO_BY_FD shows a program's instructions (xlated and
 * jited lengths, func and line info counts) only to CAP_BPF.  The verifier
 * asks bpf64_priv_prog_load() itself; the others are for bpf64_sys_bpf().
 */
int bpf64_priv_prog_load(u32 prog_type, u32 insn_cnt);
int bpf64_priv_map_create(u32 map_type);
int bpf64_priv_cmd(int cmd);

#define BPF64_SANITIZE_MAX	10	/* insns replacing one */

struct bpf64_patch_set;

/*
 * Record into @set, made over the program as verified (prog->insns, with
 * the verifier's @aux for each of them), the rewrites that keep an
 * unprivileged program safe under speculation (Linux applies them when the
 * loader lacks CAP_PERFMON; the verifier records them only then):
 *  - "ptr += reg" and "ptr -= reg" (alu_state): the offset masked through
 *    BPF64_REG_AX to the distance the verifier allowed (alu_limit), or
 *    written in as a constant when it was known;
 *  - instructions marked nospec: a barrier inserted before them (jumps
 *    to them land on it);
 *  - stack stores marked nospec_result: a barrier after them.
 * Instructions never reached are left to fixup.c's traps.  The masked
 * insns and the stores are replaced, so no other pass may replace them
 * (fixup.c replaces context accesses, calls and 32-bit definitions only).
 * Returns the set's error (see patch.h).
 */
int bpf64_sanitize(struct bpf64_patch_set *set,
		   const struct bpf64_insn_aux *aux);

/*
 * Verify @prog.  0, or with the reason in @log (level 1: the error and the
 * path of instructions that led to it; level 2: every instruction with the
 * register states; both end with Linux's statistics line):
 *   -EACCES  an unsafe access (memory, pointer arithmetic, arguments)
 *   -EINVAL  a malformed program (unreachable code, bad call, loop)
 *   -E2BIG   more than 1,000,000 instructions processed
 *   -ENOMEM
 */
int bpf64_verify(struct bpf64_prog *prog, struct bpf64_log *log);

/*
 * The same, handing back the per-instruction facts (prog->len entries, to
 * free with bpf64_free) when @aux is not NULL and verification succeeded.
 */
int bpf64_verify_aux(struct bpf64_prog *prog, struct bpf64_log *log,
		     struct bpf64_insn_aux **aux);

#endif /* _LINUX_BPF64_VERIFIER_H */
