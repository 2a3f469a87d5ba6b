/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw programs from outside (files, the conformance runner): hex text to
 * bytes, bytes to instructions, and one call that creates, prepares and runs
 * a program over a piece of memory the way the conformance suite lays it out
 * (r1 = memory, r2 = its length, r10 = a 512-byte stack).
 */
#ifndef _BPF64_RAW_H
#define _BPF64_RAW_H

#include <stddef.h>
#include <linux/bpf64/prog.h>

/*
 * Hex digits in pairs, white space anywhere between pairs, an optional 0x
 * before a pair group.  Returns 0 with a malloc'ed buffer (NULL when empty),
 * or -EINVAL with the offending character's position in @err.
 */
int bpf64_parse_hex(const char *text, u8 **bytesp, size_t *lenp,
		    char *err, size_t err_size);

/* Bytes to instructions: the length must be a whole number of them. */
int bpf64_insns_from_bytes(const u8 *bytes, size_t len,
			   const struct bpf_insn **insnsp, u32 *cntp,
			   char *err, size_t err_size);

struct bpf64_raw_opts {
	enum bpf64_run_mode mode;
	const struct bpf64_prog_ops *ops;	/* NULL: no helpers */
	u64 budget;				/* 0: the default */
	const u8 *pkt;				/* LD_ABS / LD_IND */
	u32 pkt_len;
	/*
	 * Run JITed (bpf64_jit_compile with jit_flags).  Nothing has verified
	 * a raw program, so the checked interpreter runs it first on a copy
	 * of @mem: only a run that stays in bounds and within the budget
	 * goes on to native code, which (helpers of @ops being deterministic)
	 * then makes the same accesses.  Its r0 and memory must equal the
	 * interpreter's: a difference is an error (-EPROTO).
	 */
	bool jit;
	u32 jit_flags;
};

struct bpf64_raw_result {
	u64 r0;
	u64 executed;		/* checked mode, and the check before a JIT run */
	bool jited;		/* r0 came from native code */
	bool jit_refused;	/* the JIT refused the program: see @err */
};

/*
 * Check, prepare and run @insns over @mem.  Returns 0 with the result, or a
 * negative errno with the reason ("insn N: ...") in @err; when the JIT
 * refuses the program, the reason starts with "JIT: ".
 */
int bpf64_run_raw(const struct bpf_insn *insns, u32 cnt, void *mem,
		  u32 mem_len, const struct bpf64_raw_opts *opts,
		  struct bpf64_raw_result *res, char *err, size_t err_size);

/*
 * The native code the JIT makes of @insns (with @jit_flags): a malloc'ed
 * copy in *codep.  Returns 0, or -errno with "JIT: reason" in @err.
 */
int bpf64_raw_jit_code(const struct bpf_insn *insns, u32 cnt,
		       const struct bpf64_prog_ops *ops, u32 jit_flags,
		       u8 **codep, u32 *lenp, char *err, size_t err_size);

#endif /* _BPF64_RAW_H */
