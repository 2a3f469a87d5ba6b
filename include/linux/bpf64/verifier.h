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

/* What the verifier learnt about one instruction (index as loaded). */
struct bpf64_insn_aux {
	u8 mem_kind;		/* enum bpf64_mem_kind */
	bool seen;		/* reached on some path */
	/* BPF64_MEM_CTX: what the type's is_valid_access said */
	struct bpf64_ctx_access ctx;
	/* a helper call taking a map: the map, if the same on every path */
	struct bpf64_map *map;
	bool map_poisoned;
};

/* A helper call at @aux was verified with @map (NULL: no map) in r1. */
static inline void bpf64_aux_note_map(struct bpf64_insn_aux *aux,
				      struct bpf64_map *map)
{
	aux->map_poisoned |= aux->map && aux->map != map;
	aux->map = map;
}

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
