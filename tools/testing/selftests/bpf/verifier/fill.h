/* SPDX-License-Identifier: GPL-2.0 */
/* Programs too long to write out in a case: generators. */
#ifndef _BPF64_VERIFIER_FILL_H
#define _BPF64_VERIFIER_FILL_H

#define VLIMIT_INSNS	1000000u

/* LEN insns: moves, then exit. */
static __u32 fill_straight(struct bpf_insn *insns, __u32 room, __u32 len)
{
	if (len > room)
		len = room;
	for (__u32 i = 0; i + 1 < len; i++)
		insns[i] = BPF64_MOV64_IMM(R0, i & 0xff);
	insns[len - 1] = BPF64_EXIT_INSN();
	return len;
}

static __u32 fill_straight_1m(struct bpf_insn *insns, __u32 room)
{
	return fill_straight(insns, room, VLIMIT_INSNS);
}

static __u32 fill_straight_over(struct bpf_insn *insns, __u32 room)
{
	return fill_straight(insns, room, VLIMIT_INSNS + 1);
}

#endif /* _BPF64_VERIFIER_FILL_H */
