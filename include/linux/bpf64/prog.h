/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Program objects and how they run.
 *
 * A program is created from raw instructions that passed bpf64_check_insns().
 * It runs in the interpreter in one of two modes, chosen when it is prepared:
 *
 *  - BPF64_RUN_CHECKED, for programs no verifier has seen: every memory access
 *    is checked against the regions the caller gave the run (plus the stack),
 *    executed instructions are counted against a budget and local calls
 *    against BPF64_MAX_CALL_FRAMES.  A violation stops the run with a fault
 *    that names the instruction; it never touches memory outside the regions.
 *  - BPF64_RUN_TRUSTED, for programs whose safety was proven (by the verifier,
 *    or by Linux's verifier in the differential tests): no checks at all.
 */
#ifndef _LINUX_BPF64_PROG_H
#define _LINUX_BPF64_PROG_H

#include <linux/bpf64/platform.h>
#include <linux/bpf64/log.h>

struct bpf64_prog;
struct bpf64_map;

typedef u64 (*bpf64_helper_fn)(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5);

/*
 * What a helper takes, as Linux's bpf_func_proto says it.  The verifier
 * checks these statically; until a program is verified, the interpreter's
 * checked mode checks them at each call (kernel/bpf/interp.c).
 */
enum bpf64_arg_type {
	BPF64_ARG_DONTCARE = 0,		/* unused argument */
	BPF64_ARG_ANYTHING,		/* any value */
	BPF64_ARG_CONST_MAP_PTR,	/* a map */
	BPF64_ARG_PTR_TO_MAP_KEY,	/* key_size readable bytes of that map */
	BPF64_ARG_PTR_TO_MAP_VALUE,	/* value_size readable bytes */
	BPF64_ARG_PTR_TO_MEM,		/* readable, size in the next argument */
	BPF64_ARG_PTR_TO_UNINIT_MEM,	/* writable, size in the next argument */
	BPF64_ARG_CONST_SIZE,		/* size of the previous argument, > 0 */
	BPF64_ARG_CONST_SIZE_OR_ZERO,	/* the same, may be 0 */
	BPF64_ARG_PTR_TO_CTX,		/* the program's context */
	BPF64_ARG_PTR_TO_ALLOC_MEM,	/* a ringbuf record; released by the call */
	BPF64_ARG_CONST_ALLOC_SIZE_OR_ZERO, /* size of the record to reserve */
};

enum bpf64_ret_type {
	BPF64_RET_INTEGER = 0,
	BPF64_RET_VOID,
	BPF64_RET_PTR_TO_MAP_VALUE_OR_NULL,	/* value of the map in arg 1 */
	BPF64_RET_PTR_TO_ALLOC_MEM_OR_NULL,	/* record of the size in arg 2 */
};

struct bpf64_func_proto {
	bpf64_helper_fn func;
	const char *name;		/* "bpf_map_lookup_elem" */
	bool gpl_only;
	u8 ret_type;			/* enum bpf64_ret_type */
	u8 arg_type[5];			/* enum bpf64_arg_type */
};

/* Linux's helper names by id, "bpf_map_lookup_elem" (NULL past the end). */
const char *bpf64_func_name(u32 func_id);

/*
 * Context accesses.  A program type says which offsets of its context a
 * program may touch, and rewrites each access to its internal layout at
 * load time, as Linux's is_valid_access / convert_ctx_access do.
 */
enum bpf64_reg_type {
	BPF64_SCALAR = 0,		/* loads give a number */
	BPF64_PTR_TO_PACKET,
	BPF64_PTR_TO_PACKET_META,
	BPF64_PTR_TO_PACKET_END,
};

struct bpf64_ctx_access {
	u32 ctx_field_size;	/* set when a narrower load of the field is OK */
	/*
	 * Bytes the converted load really reads (the internal field's width;
	 * 0: ctx_field_size).  As in Linux, a narrow load is shifted and
	 * masked only when it is narrower than this.
	 */
	u8 target_size;
	u8 reg_type;		/* enum bpf64_reg_type of what a load gives */
};

#define BPF64_MAX_CTX_PATCH	16	/* instructions one rewrite may produce */

struct bpf64_test_run;

/* What a program type offers its programs. */
struct bpf64_prog_ops {
	const char *name;
	/* The helper with Linux's id @id, or NULL if this type lacks it. */
	const struct bpf64_func_proto *(*get_func_proto)(u32 func_id,
							 const struct bpf64_prog *prog);
	/* May a program access [off, off + size) of its context?  NULL: no
	 * context fields at all.
	 */
	bool (*is_valid_access)(int off, int size, bool write,
				const struct bpf64_prog *prog,
				struct bpf64_ctx_access *info);
	/* Rewrite one valid access @si into @out; the count written, 0 if the
	 * access stays as it is.
	 */
	u32 (*convert_ctx_access)(bool write, const struct bpf_insn *si,
				  struct bpf_insn *out,
				  const struct bpf64_prog *prog);
	/* BPF_PROG_TEST_RUN for this type (kernel/bpf/test_run.c helps). */
	int (*test_run)(struct bpf64_prog *prog, const union bpf_attr *attr,
			struct bpf64_test_run *res);
	bool has_ld_abs;	/* LD_ABS / LD_IND allowed (socket buffers) */
};

enum bpf64_run_mode {
	BPF64_RUN_CHECKED,
	BPF64_RUN_TRUSTED,
};

struct bpf64_interp_image;

/* Why a run stopped early. err is 0 when it did not. */
struct bpf64_fault {
	int err;		/* -EFAULT memory, -ELOOP budget, -E2BIG frames,
				 * -ENOENT unknown helper, -EINVAL a helper
				 * argument, -ENOSPC unreleased records */
	u32 insn;		/* index of the instruction that faulted */
	u64 addr;		/* -EFAULT: the address; -ENOENT: the helper id;
				 * -EINVAL: the argument number (1..5) */
	u32 size;		/* -EFAULT: access size in bytes */
	bool write;		/* -EFAULT: a store */
	bool misaligned;	/* -EFAULT: an atomic off its natural alignment */
	const char *why;	/* -EINVAL, -ENOSPC: what was wrong */
};

struct bpf64_map;
struct bpf64_jit_image;

struct bpf64_prog {
	u32 len;				/* instructions */
	const struct bpf64_prog_ops *ops;
	struct bpf_insn *insns;			/* after load-time rewriting */
	struct bpf64_interp_image *interp;	/* threaded code, once prepared */
	struct bpf64_jit_image *jit;		/* native code, runs instead */
	/*
	 * The verifier let the program read stack it never wrote (root may,
	 * as in Linux): its frames start zeroed so the read is defined.
	 */
	bool zero_stack;
	/*
	 * Set by a successful verify: the most stack any of the program's
	 * functions touches, in bytes (the JIT reserves it rounded up to 8).
	 */
	bool stack_verified;
	u32 stack_depth;
	u32 max_ctx_offset;	/* the furthest context byte accessed, + 1 */
	/* set by BPF_PROG_LOAD (kernel/bpf/syscall.c) */
	u32 type;				/* enum bpf_prog_type */
	u32 expected_attach_type;
	u32 id;
	u64 refcnt;				/* atomic */
	bool gpl_compatible;
	char name[BPF_OBJ_NAME_LEN];
	u64 load_time;				/* boot ns */
	struct bpf64_map **used_maps;		/* referenced by LD_IMM64 */
	u32 nr_used_maps;
	u32 orig_len;				/* as loaded, before rewriting */
	u8 tag[BPF_TAG_SIZE];
	struct bpf64_fault last_fault;		/* of the last test run */
};

/* A piece of memory a checked run may touch, besides its stack. */
struct bpf64_region {
	u64 start;
	u64 size;
	bool writable;
};

#define BPF64_RUN_MAX_REGIONS	4
#define BPF64_RUN_DEFAULT_BUDGET (1ULL << 26)	/* executed instructions */

#define BPF64_RUN_MAX_WINDOWS	16	/* map values a checked run was given */
#define BPF64_RUN_MAX_ALLOCS	32	/* ringbuf records held at once */
#define BPF64_MAX_TAIL_CALL_CNT	33	/* as Linux's MAX_TAIL_CALL_CNT */

struct bpf64_run {
	u64 args[5];		/* r1..r5 on entry */
	/*
	 * What LD_ABS / LD_IND read: pkt_len bytes at pkt; negative offsets
	 * from SKF_NET_OFF and SKF_LL_OFF read from the network and link
	 * headers (NULL: none), which lie between pkt_mac and pkt + pkt_len.
	 */
	const u8 *pkt;
	u32 pkt_len;
	const u8 *pkt_mac;
	const u8 *pkt_net;
	/* checked mode only */
	u64 ctx;		/* what BPF64_ARG_PTR_TO_CTX must be */
	struct bpf64_region regions[BPF64_RUN_MAX_REGIONS];
	u32 nr_regions;
	u64 budget;		/* 0: BPF64_RUN_DEFAULT_BUDGET */
	/* state while running (checked): map values and records handed out */
	struct bpf64_region windows[BPF64_RUN_MAX_WINDOWS];
	u32 next_window;
	struct bpf64_region allocs[BPF64_RUN_MAX_ALLOCS];
	u32 tail_calls;
	struct bpf64_prog *tail_progs[BPF64_MAX_TAIL_CALL_CNT];	/* held */
	/* results */
	u64 executed;		/* checked mode: instructions executed */
	struct bpf64_fault fault;
};

int bpf64_prog_create(struct bpf64_prog **progp, const struct bpf_insn *insns,
		      u32 len, const struct bpf64_prog_ops *ops,
		      struct bpf64_log *log);
void bpf64_prog_free(struct bpf64_prog *prog);

/* References to loaded programs (kernel/bpf/syscall.c). */
void bpf64_prog_get(struct bpf64_prog *prog);
void bpf64_prog_put(struct bpf64_prog *prog);

/* Build the interpreter's threaded code for @mode (kernel/bpf/interp.c). */
int bpf64_interp_prepare(struct bpf64_prog *prog, enum bpf64_run_mode mode,
			 struct bpf64_log *log);

/*
 * Run a prepared program.  Returns 0 with r0 in *r0, or the fault's error
 * (also in run->fault).  In trusted mode it cannot fault.
 */
int bpf64_interp_run(const struct bpf64_prog *prog, struct bpf64_run *run,
		     u64 *r0);

/*
 * LD_ABS / LD_IND, for the interpreter and the JIT alike: a big-endian
 * load of @size bytes at @off of the run's packet into *val.  Offsets from
 * SKF_NET_OFF and SKF_LL_OFF read from the network and link headers, as
 * Linux's bpf_internal_load_pointer_neg_helper(); anything else below 0
 * misses (false), and so does any byte past the packet's end.
 */
bool bpf64_load_packet(const struct bpf64_run *run, s32 off, u32 size,
		       u64 *val);

/*
 * A tail call, for the interpreter and the JIT alike: the program at
 * @index of PROG_ARRAY @map, referenced, when the call may happen (an
 * index below max_entries, fewer than BPF64_MAX_TAIL_CALL_CNT calls so
 * far, a program in the slot), else NULL.  The caller holds it in
 * run->tail_progs until the run ends, or puts it.
 */
struct bpf64_prog *bpf64_tail_call_get(const struct bpf64_run *run,
				      struct bpf64_map *map, u64 index);

/* Say what a fault was, as "insn N: ..." in the log. */
void bpf64_fault_log(const struct bpf64_fault *fault, struct bpf64_log *log);

/*
 * BPF_PROG_TEST_RUN's common part (kernel/bpf/test_run.c).  A program type's
 * test_run builds its context and the run's regions, then calls
 * bpf64_test_run_repeat(), which runs the program attr->test.repeat times
 * (at least once) and records the last r0 and the mean duration.  The
 * outputs go back to the caller's attr from @res.
 */
struct bpf64_test_run {
	u32 retval;
	u32 duration;		/* ns per run */
	u32 data_size_out;
	u32 ctx_size_out;
};

/* The attr checks every type's test run shares (ctx_in/out pairing...). */
int bpf64_test_attr_check(const union bpf_attr *attr);
int bpf64_test_run_repeat(struct bpf64_prog *prog, struct bpf64_run *run,
			  u32 repeat, struct bpf64_test_run *res);
/* Copy @size bytes to the caller's data_out/ctx_out: -ENOSPC if cut short,
 * as Linux's bpf_test_finish; the full size goes to *size_out either way.
 */
int bpf64_test_copy_out(u64 uptr, u32 usize, const void *buf, u32 size,
			u32 *size_out);
/* data_in / ctx_in: a zeroed buffer of @size bytes with @headroom and
 * @tailroom around the caller's bytes; or NULL with *err set.
 */
void *bpf64_test_data_in(const union bpf_attr *attr, u32 headroom,
			 u32 tailroom, int *err);
void *bpf64_test_ctx_in(const union bpf_attr *attr, u32 max_size, int *err);

/* The program types (net/core/, kernel/trace/, kernel/bpf/) by number. */
const struct bpf64_prog_ops *bpf64_prog_type_ops(u32 prog_type);
extern const struct bpf64_prog_ops bpf64_sk_filter_prog_ops;
extern const struct bpf64_prog_ops bpf64_tc_cls_act_prog_ops;
extern const struct bpf64_prog_ops bpf64_xdp_prog_ops;
extern const struct bpf64_prog_ops bpf64_kprobe_prog_ops;
extern const struct bpf64_prog_ops bpf64_tracepoint_prog_ops;
extern const struct bpf64_prog_ops bpf64_syscall_prog_ops;

/* Helpers every type may offer (kernel/bpf/helpers.c), or NULL. */
const struct bpf64_func_proto *bpf64_base_func_proto(u32 func_id,
						     const struct bpf64_prog *prog);

#endif /* _LINUX_BPF64_PROG_H */
