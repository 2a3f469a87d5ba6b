/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Instruction patching in linear time.
 *
 * Linux once patched one instruction at a time: each patch copied the
 * program and walked every jump, so a pass that patches most instructions
 * of a large program was quadratic (a million patches took well over an
 * hour).  Here a pass records its patches in a set against the original
 * indexes, in any order, and bpf64_patch_apply() builds the new program
 * once, in O(program + patches):
 *
 *	struct bpf64_patch_set set;
 *
 *	bpf64_patch_init(&set, insns, len, log);
 *	bpf64_patch_replace(&set, i, buf, n);		(any number of times)
 *	err = bpf64_patch_apply(&set, &new_insns, &new_len);
 *	new_start = bpf64_patch_remap(&set, old_start);	(subprograms, lines)
 *	bpf64_patch_release(&set);
 *
 * What a patch at original index i means:
 *
 *  - replace: instruction i gives way to the n instructions (n == 0
 *    deletes it).  An LD_IMM64 is one instruction of two slots: replacing
 *    its first slot replaces both; its second slot cannot be patched.
 *    At most one replace per instruction.
 *  - insert_before: the n instructions go before instruction i, which
 *    stays and keeps its jump target if it has one.  Several inserts at
 *    the same index come in the order they were made, all before the
 *    replacement if there is one.  i == len appends at the end.
 *
 * Control that reached original instruction i reaches the first
 * instruction emitted for it: its first insert, else its replacement,
 * else itself; for a deleted instruction with nothing inserted, whatever
 * follows.  Every original jump (JMP and JMP32 conditional jumps, JA,
 * gotol) and every local call (BPF_PSEUDO_CALL, and the BPF_PSEUDO_FUNC
 * LD_IMM64 that names a callback) that was not replaced is re-aimed that
 * way.  Jumps inside patch instructions are relative to their own
 * position and are copied unchanged: they stay inside their patch, or
 * land just after it.
 */
#ifndef _LINUX_BPF64_PATCH_H
#define _LINUX_BPF64_PATCH_H

#include <linux/bpf64/insn.h>

struct bpf64_patch;

struct bpf64_patch_set {
	const struct bpf_insn *insns;	/* the program being patched */
	u32 len;
	struct bpf64_log *log;
	u32 max_len;			/* longest result: BPF64_MAX_INSNS,
					 * unless a benchmark raises it */
	int err;			/* first failure of a patch call */
	struct bpf64_patch *patches;	/* in the order they were made */
	u32 nr_patches, patches_cap;
	struct bpf_insn *pool;		/* their instructions, one after another */
	u32 pool_len, pool_cap;
	/* after bpf64_patch_apply(): len + 1 entries, see bpf64_patch_remap() */
	u32 *map;
};

void bpf64_patch_init(struct bpf64_patch_set *set,
		      const struct bpf_insn *insns, u32 len,
		      struct bpf64_log *log);

/*
 * Record a patch; @insns is copied.  0, -EINVAL (index out of range),
 * -E2BIG (patches beyond max_len) or -ENOMEM.  A failure also sticks to
 * the set: bpf64_patch_apply() then returns it, so a pass may check only
 * the apply.
 */
int bpf64_patch_replace(struct bpf64_patch_set *set, u32 idx,
			const struct bpf_insn *insns, u32 n);
int bpf64_patch_insert_before(struct bpf64_patch_set *set, u32 idx,
			      const struct bpf_insn *insns, u32 n);

/*
 * Build the patched program in a new allocation (the caller frees it with
 * bpf64_free(); the original is untouched) and the index map.  Errors,
 * each logged as "insn N: ..." with N an original index:
 *   -ERANGE  a re-aimed jump no longer fits its offset field (16 bits,
 *            32 for gotol and calls), as Linux's bpf_patch_insn_single()
 *   -E2BIG   the result would exceed max_len instructions
 *   -EINVAL  two replaces of one instruction, a patch of an LD_IMM64's
 *            second slot, a jump that leaves the program or whose target
 *            and everything after it were deleted
 *   -ENOMEM, or the first failure of a patch call.
 * May be called once per set.
 */
int bpf64_patch_apply(struct bpf64_patch_set *set, struct bpf_insn **insns,
		      u32 *len);

/*
 * After a successful apply: where control that reached original index
 * @old (0 <= old <= len) now lands.  remap(len) is where code appended at
 * the end starts, so [remap(a), remap(b)) is what became of [a, b): the
 * way to move subprogram starts and line info.  An LD_IMM64's second slot
 * maps to the new second slot, or, if it was replaced, to its
 * replacement.
 */
static inline u32 bpf64_patch_remap(const struct bpf64_patch_set *set,
				    u32 old)
{
	return set->map[old];
}

/* Free what the set holds (not the program apply returned). */
void bpf64_patch_release(struct bpf64_patch_set *set);

#endif /* _LINUX_BPF64_PATCH_H */
