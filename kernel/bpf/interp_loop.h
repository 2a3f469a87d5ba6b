/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interpreter loop, included twice by interp.c: once as the trusted loop
 * (INTERP_CHECKED 0: no checks, for verified programs) and once as the checked
 * loop (INTERP_CHECKED 1: every memory access against the run's regions, an
 * instruction budget, a call-depth limit).  One body, so the two can never
 * disagree on what an instruction means; the compiler drops the checks from
 * the trusted copy entirely.
 *
 * Local calls recurse: each frame has its own registers and 512-byte stack,
 * so r6-r9 and r10 of the caller come back untouched, as in Linux.
 */

#define INTERP_LABEL(name) [OP_##name] = &&L_##name,
#define INTERP_LABEL_FORMS(name) INTERP_FORMS(INTERP_LABEL, name)

static u64 INTERP_FN(const struct bpf64_iinsn *ii, const u64 *args,
		     struct interp_run *ir)
{
	static const void *const jumptable[NR_INTERP_OPS] = {
		INTERP_ALU_OPS(INTERP_LABEL_FORMS)
		INTERP_JMP_OPS(INTERP_LABEL_FORMS)
		INTERP_SINGLE_OPS(INTERP_LABEL)
	};
	u64 stack[BPF64_MAX_STACK / sizeof(u64)];
	u64 regs[BPF64_NR_REGS + 1];	/* and AX, for rewrites' scratch */
	u64 addr;
	u32 sval;

	if (unlikely(!ii)) {
		ir->table = jumptable;
		return 0;
	}
	if (INTERP_CHECKED) {
		memset(stack, 0, sizeof(stack));
		memset(regs, 0, sizeof(regs));
		ir->stack_lo[ir->depth] = (unsigned long)stack;
	} else if (ir->img->prog->zero_stack) {
		memset(stack, 0, sizeof(stack));
	}
	memcpy(&regs[BPF_REG_1], args, 5 * sizeof(u64));
	regs[BPF64_REG_FP] = (unsigned long)stack + sizeof(stack);

#define DST	regs[ii->dst]
#define SRC	regs[ii->src]
#define IMM	ii->imm
#define SIMM	((u64)(s64)ii->imm)
#if INTERP_CHECKED
#define DISPATCH() do {						\
		if (unlikely(!ir->budget))				\
			return fault(ir, ii, -ELOOP);			\
		ir->budget--;						\
		goto *ii->code;						\
	} while (0)
#define ACCESS(a, size, write)	do {					\
		if (unlikely(!mem_ok(ir, ii, (a), (size), (write))))	\
			return 0;					\
	} while (0)
#define ATOMIC_ACCESS(a, size)	do {					\
		if (unlikely(!atomic_ok(ir, ii, (a), (size))))		\
			return 0;					\
	} while (0)
#else
#define DISPATCH()		goto *ii->code
#define ACCESS(a, size, write)	do { } while (0)
#define ATOMIC_ACCESS(a, size)	do { } while (0)
#endif
#define NEXT	do { ii++; DISPATCH(); } while (0)
#define JUMP(o)	do { ii += (o); NEXT; } while (0)
#define PTR(a)	((void *)(unsigned long)(a))

	DISPATCH();

#define BINOP(name, op)							\
	L_##name##64_X: DST = DST op SRC; NEXT;				\
	L_##name##64_K: DST = DST op SIMM; NEXT;			\
	L_##name##32_X: DST = (u32)DST op (u32)SRC; NEXT;		\
	L_##name##32_K: DST = (u32)DST op (u32)IMM; NEXT;
	BINOP(ADD, +)
	BINOP(SUB, -)
	BINOP(MUL, *)
	BINOP(OR, |)
	BINOP(AND, &)
	BINOP(XOR, ^)
#undef BINOP

	/* Constant shift amounts were masked at decode. */
	L_LSH64_X: DST <<= SRC & 63; NEXT;
	L_LSH64_K: DST <<= IMM; NEXT;
	L_LSH32_X: DST = (u32)DST << (SRC & 31); NEXT;
	L_LSH32_K: DST = (u32)DST << IMM; NEXT;
	L_RSH64_X: DST >>= SRC & 63; NEXT;
	L_RSH64_K: DST >>= IMM; NEXT;
	L_RSH32_X: DST = (u32)DST >> (SRC & 31); NEXT;
	L_RSH32_K: DST = (u32)DST >> IMM; NEXT;
	L_ARSH64_X: DST = (s64)DST >> (SRC & 63); NEXT;
	L_ARSH64_K: DST = (s64)DST >> IMM; NEXT;
	L_ARSH32_X: DST = (u32)((s32)DST >> (SRC & 31)); NEXT;
	L_ARSH32_K: DST = (u32)((s32)DST >> IMM); NEXT;

	L_MOV64_X: DST = SRC; NEXT;
	L_MOV64_K: DST = SIMM; NEXT;
	L_MOV32_X: DST = (u32)SRC; NEXT;
	L_MOV32_K: DST = (u32)IMM; NEXT;

	/*
	 * Division follows Linux: x / 0 = 0, x % 0 = x (truncated to 32 bits
	 * in ALU32), signed x / -1 = -x and x % -1 = 0.  Constant divisors
	 * of 0 and -1 were rewritten at decode, so the K forms divide only.
	 */
	L_DIV64_X: DST = SRC ? DST / SRC : 0; NEXT;
	L_DIV64_K: DST /= SIMM; NEXT;
	L_DIV32_X: DST = (u32)SRC ? (u32)DST / (u32)SRC : 0; NEXT;
	L_DIV32_K: DST = (u32)DST / (u32)IMM; NEXT;
	L_MOD64_X: DST = SRC ? DST % SRC : DST; NEXT;
	L_MOD64_K: DST %= SIMM; NEXT;
	L_MOD32_X: DST = (u32)SRC ? (u32)DST % (u32)SRC : (u32)DST; NEXT;
	L_MOD32_K: DST = (u32)DST % (u32)IMM; NEXT;
	L_SDIV64_X:
		if (SRC == 0)
			DST = 0;
		else if (SRC == (u64)-1)
			DST = -DST;
		else
			DST = (s64)DST / (s64)SRC;
		NEXT;
	L_SDIV64_K: DST = (s64)DST / IMM; NEXT;
	L_SDIV32_X:
		sval = SRC;
		if (sval == 0)
			DST = 0;
		else if (sval == (u32)-1)
			DST = (u32)-(u32)DST;
		else
			DST = (u32)((s32)DST / (s32)sval);
		NEXT;
	L_SDIV32_K: DST = (u32)((s32)DST / IMM); NEXT;
	L_SMOD64_X:
		if (SRC == (u64)-1)
			DST = 0;
		else if (SRC)
			DST = (s64)DST % (s64)SRC;
		NEXT;
	L_SMOD64_K: DST = (s64)DST % IMM; NEXT;
	L_SMOD32_X:
		sval = SRC;
		if (sval == (u32)-1)
			DST = 0;
		else if (sval)
			DST = (u32)((s32)DST % (s32)sval);
		else
			DST = (u32)DST;
		NEXT;
	L_SMOD32_K: DST = (u32)((s32)DST % IMM); NEXT;

	L_NEG64: DST = -DST; NEXT;
	L_NEG32: DST = (u32)-(u32)DST; NEXT;
	L_NOP: NEXT;
	L_NOSPEC: bpf64_barrier_nospec(); NEXT;
	L_ZEXT16: DST = (u16)DST; NEXT;
	L_ZEXT32: DST = (u32)DST; NEXT;
	L_BSWAP16: DST = __builtin_bswap16((u16)DST); NEXT;
	L_BSWAP32: DST = __builtin_bswap32((u32)DST); NEXT;
	L_BSWAP64: DST = __builtin_bswap64(DST); NEXT;
	L_MOVSX64_8: DST = (s8)SRC; NEXT;
	L_MOVSX64_16: DST = (s16)SRC; NEXT;
	L_MOVSX64_32: DST = (s32)SRC; NEXT;
	L_MOVSX32_8: DST = (u32)(s32)(s8)SRC; NEXT;
	L_MOVSX32_16: DST = (u32)(s32)(s16)SRC; NEXT;

#define JCOND(name, op, t64, t32)					\
	L_##name##64_X: if ((t64)DST op (t64)SRC) JUMP(ii->off); NEXT;	\
	L_##name##64_K: if ((t64)DST op (t64)SIMM) JUMP(ii->off); NEXT;	\
	L_##name##32_X: if ((t32)DST op (t32)SRC) JUMP(ii->off); NEXT;	\
	L_##name##32_K: if ((t32)DST op (t32)IMM) JUMP(ii->off); NEXT;
	JCOND(JEQ, ==, u64, u32)
	JCOND(JNE, !=, u64, u32)
	JCOND(JGT, >, u64, u32)
	JCOND(JGE, >=, u64, u32)
	JCOND(JLT, <, u64, u32)
	JCOND(JLE, <=, u64, u32)
	JCOND(JSGT, >, s64, s32)
	JCOND(JSGE, >=, s64, s32)
	JCOND(JSLT, <, s64, s32)
	JCOND(JSLE, <=, s64, s32)
#undef JCOND
	L_JSET64_X: if (DST & SRC) JUMP(ii->off); NEXT;
	L_JSET64_K: if (DST & SIMM) JUMP(ii->off); NEXT;
	L_JSET32_X: if ((u32)DST & (u32)SRC) JUMP(ii->off); NEXT;
	L_JSET32_K: if ((u32)DST & (u32)IMM) JUMP(ii->off); NEXT;
	L_JA: JUMP(IMM);

	L_CALL_HELPER:
#if INTERP_CHECKED
		if (!call_checked(ir, ii, regs))
			return 0;
#else
		regs[BPF_REG_0] = ir->img->helpers[IMM](regs[1], regs[2],
							regs[3], regs[4], regs[5]);
#endif
		NEXT;
	L_TAIL_CALL: {
		const struct bpf64_interp_image *next;

		next = tail_call_target(ir, ii, regs);
		if (!next) {
			if (INTERP_CHECKED && ir->stopped)
				return 0;
			NEXT;
		}
		ir->img = next;
		ii = next->insns;
		if (!INTERP_CHECKED && next->prog->zero_stack)
			memset(stack, 0, sizeof(stack));
		DISPATCH();
	}
	L_CALLX:
		if (!call_indirect(ir, ii, regs))
			return 0;
		NEXT;
	L_CALL_LOCAL:
		if (INTERP_CHECKED && ir->depth + 1 >= BPF64_MAX_CALL_FRAMES)
			return fault(ir, ii, -E2BIG);
		ir->depth++;
		regs[BPF_REG_0] = INTERP_FN(ii + IMM + 1, &regs[BPF_REG_1], ir);
		ir->depth--;
		if (unlikely(ir->stopped))
			return 0;
		NEXT;
	L_EXIT:
		return regs[BPF_REG_0];

#define LDX(name, type, size)						\
	L_##name:							\
		addr = SRC + ii->off;					\
		ACCESS(addr, size, false);				\
		DST = (type)load##size(addr);				\
		NEXT;
	LDX(LDX_B, u8, 1)
	LDX(LDX_H, u16, 2)
	LDX(LDX_W, u32, 4)
	LDX(LDX_DW, u64, 8)
	LDX(LDXS_B, s8, 1)
	LDX(LDXS_H, s16, 2)
	LDX(LDXS_W, s32, 4)
#undef LDX

#define STORE(name, size, val)						\
	L_##name:							\
		addr = DST + ii->off;					\
		ACCESS(addr, size, true);				\
		store##size(addr, val);					\
		NEXT;
	STORE(ST_B, 1, IMM)
	STORE(ST_H, 2, IMM)
	STORE(ST_W, 4, IMM)
	STORE(ST_DW, 8, SIMM)
	STORE(STX_B, 1, SRC)
	STORE(STX_H, 2, SRC)
	STORE(STX_W, 4, SRC)
	STORE(STX_DW, 8, SRC)
#undef STORE

	/* Fetching forms return the old value in src (zero-extended). */
#define ATOMIC(bits, size, OP, op)					\
	L_ATOMIC##bits##_##OP:						\
		addr = DST + ii->off;					\
		ATOMIC_ACCESS(addr, size);				\
		bpf64_atomic_fetch_##op##bits(PTR(addr), SRC);		\
		NEXT;							\
	L_ATOMIC##bits##_FETCH_##OP:					\
		addr = DST + ii->off;					\
		ATOMIC_ACCESS(addr, size);				\
		SRC = bpf64_atomic_fetch_##op##bits(PTR(addr), SRC);	\
		NEXT;
	ATOMIC(32, 4, ADD, add)
	ATOMIC(32, 4, AND, and)
	ATOMIC(32, 4, OR, or)
	ATOMIC(32, 4, XOR, xor)
	ATOMIC(64, 8, ADD, add)
	ATOMIC(64, 8, AND, and)
	ATOMIC(64, 8, OR, or)
	ATOMIC(64, 8, XOR, xor)
#undef ATOMIC
	L_ATOMIC32_XCHG:
		addr = DST + ii->off;
		ATOMIC_ACCESS(addr, 4);
		SRC = bpf64_atomic_xchg32(PTR(addr), (u32)SRC);
		NEXT;
	L_ATOMIC64_XCHG:
		addr = DST + ii->off;
		ATOMIC_ACCESS(addr, 8);
		SRC = bpf64_atomic_xchg64(PTR(addr), SRC);
		NEXT;
	L_ATOMIC32_CMPXCHG:
		addr = DST + ii->off;
		ATOMIC_ACCESS(addr, 4);
		regs[BPF_REG_0] = bpf64_atomic_cmpxchg32(PTR(addr),
				(u32)regs[BPF_REG_0], (u32)SRC);
		NEXT;
	L_ATOMIC64_CMPXCHG:
		addr = DST + ii->off;
		ATOMIC_ACCESS(addr, 8);
		regs[BPF_REG_0] = bpf64_atomic_cmpxchg64(PTR(addr),
				regs[BPF_REG_0], SRC);
		NEXT;

	L_LD_IMM64:
		DST = (u64)(u32)IMM | (u64)(u32)ii[1].imm << 32;
		ii++;
		NEXT;

	/*
	 * Legacy packet loads, network byte order.  A load outside the packet
	 * ends the current function with r0 = 0, as Linux's rewrite does.
	 */
#define LD_PKT(name, size, offset)					\
	L_##name:							\
		if (!bpf64_load_packet(ir->run, (s32)(offset), size,	\
				       &regs[BPF_REG_0]))			\
			return 0;					\
		NEXT;
	LD_PKT(LD_ABS_B, 1, IMM)
	LD_PKT(LD_ABS_H, 2, IMM)
	LD_PKT(LD_ABS_W, 4, IMM)
	LD_PKT(LD_IND_B, 1, SRC + IMM)
	LD_PKT(LD_IND_H, 2, SRC + IMM)
	LD_PKT(LD_IND_W, 4, SRC + IMM)
#undef LD_PKT

#undef DST
#undef SRC
#undef IMM
#undef SIMM
#undef DISPATCH
#undef ACCESS
#undef ATOMIC_ACCESS
#undef NEXT
#undef JUMP
#undef PTR
}

#undef INTERP_LABEL
#undef INTERP_LABEL_FORMS
