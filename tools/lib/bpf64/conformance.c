// SPDX-License-Identifier: GPL-2.0
/*
 * The program type of the ISA conformance vectors: plain memory in r1 and r2
 * and the suite's one helper.
 */
#include <stddef.h>

#include "bpf64/conformance.h"

/*
 * The suite's helper 5 ("unwind") returns its argument.  The suite's runtimes
 * also stop the program when it returns 0; the vectors only call it with a
 * non-zero argument, and that part is not modelled here.
 */
static u64 conformance_unwind(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return r1;
}

static const struct bpf64_func_proto conformance_unwind_proto = {
	.func = conformance_unwind,
	.name = "unwind",
	.arg_type = { BPF64_ARG_ANYTHING },
};

static const struct bpf64_func_proto *
conformance_get_func_proto(u32 id, const struct bpf64_prog *prog)
{
	return id == 5 ? &conformance_unwind_proto : NULL;
}

const struct bpf64_prog_ops bpf64_conformance_ops = {
	.name = "conformance",
	.get_func_proto = conformance_get_func_proto,
};
