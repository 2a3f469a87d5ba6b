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

static const struct bpf64_helper conformance_helpers[] = {
	[5] = { "unwind", conformance_unwind },
};

static const struct bpf64_helper *conformance_get_helper(u32 id)
{
	if (id >= sizeof(conformance_helpers) / sizeof(conformance_helpers[0]) ||
	    !conformance_helpers[id].fn)
		return NULL;
	return &conformance_helpers[id];
}

const struct bpf64_prog_ops bpf64_conformance_ops = {
	.name = "conformance",
	.get_helper = conformance_get_helper,
};
