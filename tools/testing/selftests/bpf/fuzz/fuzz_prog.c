// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the structural checker, the decoder and the checked
 * interpreter: any bytes are instructions; whatever passes the checker is
 * decoded and run in checked mode over a small region and a small packet,
 * with a small budget.  Nothing may crash or touch memory outside them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/prog.h>
#include "bpf64/conformance.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u8 pkt[] = { 0x45, 0, 0, 40, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct bpf_insn *insns;
	struct bpf64_prog *prog;
	char buf[256];
	struct bpf64_log log = { .buf = buf, .size = sizeof(buf) };
	struct bpf64_run run = { .budget = 10000, .pkt = pkt, .pkt_len = sizeof(pkt) };
	u8 mem[64] = { };
	u32 len = size / sizeof(*insns);
	u64 r0;

	insns = malloc(len * sizeof(*insns) + 1);
	if (!insns)
		return 0;
	memcpy(insns, data, len * sizeof(*insns));
	if (!bpf64_prog_create(&prog, insns, len, &bpf64_conformance_ops, &log)) {
		if (!bpf64_interp_prepare(prog, BPF64_RUN_CHECKED, &log)) {
			run.args[0] = (unsigned long)mem;
			run.args[1] = sizeof(mem);
			run.regions[0] = (struct bpf64_region) {
				(unsigned long)mem, sizeof(mem), true,
			};
			run.nr_regions = 1;
			if (bpf64_interp_run(prog, &run, &r0))
				bpf64_fault_log(&run.fault, &log);
		}
		bpf64_prog_free(prog);
	}
	free(insns);
	return 0;
}
