// SPDX-License-Identifier: GPL-2.0
/*
 * The generic and tracing helpers, called by programs: maps, time,
 * randomness, the CPU, the current task, bpf_trace_printk and the probe
 * reads.  The programs are BPF_PROG_TYPE_SYSCALL ones, which Linux runs
 * with BPF_PROG_TEST_RUN on the caller's task and whose context goes back
 * to ctx_in: they report what the helpers gave through it.  Every check
 * runs against bpf64 and against the running kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>

#include <linux/bpf64/helpers.h>

#include "backend_util.h"
#include "insn_build.h"

#define R0	BPF_REG_0
#define R1	BPF_REG_1
#define R2	BPF_REG_2
#define R3	BPF_REG_3
#define R4	BPF_REG_4
#define R6	BPF_REG_6
#define R9	BPF_REG_9
#define FP	BPF_REG_10

/* A program built instruction by instruction. */
struct prog {
	struct bpf_insn insns[256];
	int len;
};

static void emit(struct prog *p, struct bpf_insn insn)
{
	if (p->len < (int)(sizeof(p->insns) / sizeof(p->insns[0])))
		p->insns[p->len++] = insn;
}

static void emit_ld64(struct prog *p, int reg, __u64 v)
{
	struct bpf_insn ld[] = { BPF64_LD_IMM64(reg, v) };

	emit(p, ld[0]);
	emit(p, ld[1]);
}

/* reg = fp + off */
static void emit_fp_ptr(struct prog *p, int reg, int off)
{
	emit(p, BPF64_MOV64_REG(reg, FP));
	emit(p, BPF64_ALU64_IMM(BPF_ADD, reg, off));
}

/* @len bytes at fp + off, padded with zeros to 8 (through r9). */
static void emit_stack_bytes(struct prog *p, int off, const void *data,
			     size_t len)
{
	unsigned char buf[256] = { };
	size_t i;
	__u64 v;

	memcpy(buf, data, len < sizeof(buf) ? len : sizeof(buf));
	for (i = 0; i < (len + 7) / 8 * 8 && i < sizeof(buf); i += 8) {
		memcpy(&v, buf + i, 8);
		emit_ld64(p, R9, v);
		emit(p, BPF64_STX_MEM(BPF_DW, FP, R9, off + (int)i));
	}
}

/* *(u64 *)(ctx + off) = r0, with the context kept in r6. */
static void emit_r0_to_ctx(struct prog *p, int off)
{
	emit(p, BPF64_STX_MEM(BPF_DW, R6, R0, off));
}

/* Copy @len (a multiple of 8) bytes from fp + from to ctx + to, via r0. */
static void emit_stack_to_ctx(struct prog *p, int from, int to, int len)
{
	int i;

	for (i = 0; i < len; i += 8) {
		emit(p, BPF64_LDX_MEM(BPF_DW, R0, FP, from + i));
		emit_r0_to_ctx(p, to + i);
	}
}

static void emit_exit0(struct prog *p)
{
	emit(p, BPF64_MOV64_IMM(R0, 0));
	emit(p, BPF64_EXIT_INSN());
}

static char load_log[65536];

static int load_quiet(const struct bpf64_backend *be, const struct prog *p,
		      const char *license)
{
	struct bpf64_load_opts opts = {
		.prog_type = BPF_PROG_TYPE_SYSCALL,
		.prog_flags = BPF_F_SLEEPABLE,	/* Linux requires it */
		.license = license,
		.log_buf = load_log,
		.log_size = sizeof(load_log),
	};

	return bpf64_prog_load(be, p->insns, p->len, &opts);
}

static int load(const struct bpf64_backend *be, const struct prog *p,
		const char *license)
{
	int fd = load_quiet(be, p, license);

	if (fd < 0)
		tu_diag("%s: load: %d: %s", be->name, fd, load_log);
	return fd;
}

/* Run once on @ctx (copied back by the run); 0 or -errno. */
static int run(const struct bpf64_backend *be, int fd, void *ctx,
	       __u32 ctx_size, __u32 *retval)
{
	struct bpf64_test_opts t = {
		.ctx_in = ctx,
		.ctx_size_in = ctx_size,
	};
	int err = bpf64_prog_test_run(be, fd, &t);

	*retval = t.retval;
	return err;
}

static __u64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- names ---- */

static void test_func_names(void)
{
	static const struct { __u32 id; const char *name; } names[] = {
		{ 0, "bpf_unspec" },
		{ BPF_FUNC_map_lookup_elem, "bpf_map_lookup_elem" },
		{ BPF_FUNC_probe_read, "bpf_probe_read" },
		{ BPF_FUNC_trace_printk, "bpf_trace_printk" },
		{ BPF_FUNC_tail_call, "bpf_tail_call" },
		{ BPF_FUNC_probe_read_str, "bpf_probe_read_str" },
		{ BPF_FUNC_probe_read_kernel, "bpf_probe_read_kernel" },
		{ BPF_FUNC_ringbuf_output, "bpf_ringbuf_output" },
		{ BPF_FUNC_ktime_get_coarse_ns, "bpf_ktime_get_coarse_ns" },
	};
	const char *name;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		name = bpf64_func_name(names[i].id);
		TU_CHECK(name && !strcmp(name, names[i].name),
			 "helper #%u is %s (%s)", names[i].id, names[i].name,
			 name ? name : "NULL");
	}
	TU_CHECK(bpf64_func_name(__BPF_FUNC_MAX_ID - 1) != NULL,
		 "the last helper of the UAPI header has a name");
	TU_CHECK(bpf64_func_name(__BPF_FUNC_MAX_ID) == NULL,
		 "past the last helper: no name");
}

/* ---- maps ---- */

/*
 * ctx: key u32 at 0, value u64 at 8, flags u64 at 16; the program writes
 * update's result at 24, the value lookup finds at 32 (or -1), delete's
 * result at 40 and whether a second lookup finds nothing at 48.
 */
struct map_ctx {
	__u32 key, pad;
	__u64 value, flags;
	__s64 update, found, delete, gone;
};

static void build_map_prog(struct prog *p, int map_fd)
{
	emit(p, BPF64_MOV64_REG(R6, R1));
	emit(p, BPF64_LDX_MEM(BPF_W, R0, R6, 0));
	emit(p, BPF64_STX_MEM(BPF_W, FP, R0, -4));
	emit(p, BPF64_LDX_MEM(BPF_DW, R0, R6, 8));
	emit(p, BPF64_STX_MEM(BPF_DW, FP, R0, -16));
	/* update(map, &key, &value, flags) */
	{ struct bpf_insn ld[] = { BPF64_LD_MAP_FD(R1, map_fd) };
	  emit(p, ld[0]); emit(p, ld[1]); }
	emit_fp_ptr(p, R2, -4);
	emit_fp_ptr(p, R3, -16);
	emit(p, BPF64_LDX_MEM(BPF_DW, R4, R6, 16));
	emit(p, BPF64_CALL_HELPER(BPF_FUNC_map_update_elem));
	emit_r0_to_ctx(p, 24);
	/* lookup(map, &key): the value or -1 */
	{ struct bpf_insn ld[] = { BPF64_LD_MAP_FD(R1, map_fd) };
	  emit(p, ld[0]); emit(p, ld[1]); }
	emit_fp_ptr(p, R2, -4);
	emit(p, BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem));
	emit(p, BPF64_JMP_IMM(BPF_JEQ, R0, 0, 2));
	emit(p, BPF64_LDX_MEM(BPF_DW, R0, R0, 0));
	emit(p, BPF64_JMP_A(1));
	emit(p, BPF64_MOV64_IMM(R0, -1));
	emit_r0_to_ctx(p, 32);
	/* delete(map, &key) */
	{ struct bpf_insn ld[] = { BPF64_LD_MAP_FD(R1, map_fd) };
	  emit(p, ld[0]); emit(p, ld[1]); }
	emit_fp_ptr(p, R2, -4);
	emit(p, BPF64_CALL_HELPER(BPF_FUNC_map_delete_elem));
	emit_r0_to_ctx(p, 40);
	/* lookup again: 1 if gone */
	{ struct bpf_insn ld[] = { BPF64_LD_MAP_FD(R1, map_fd) };
	  emit(p, ld[0]); emit(p, ld[1]); }
	emit_fp_ptr(p, R2, -4);
	emit(p, BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem));
	emit(p, BPF64_MOV64_IMM(R1, 1));
	emit(p, BPF64_JMP_IMM(BPF_JEQ, R0, 0, 1));
	emit(p, BPF64_MOV64_IMM(R1, 0));
	emit(p, BPF64_STX_MEM(BPF_DW, R6, R1, 48));
	emit_exit0(p);
}

static void test_map_helpers(void)
{
	const struct bpf64_backend *be;
	struct map_ctx c;
	__u32 retval, key;
	__u64 value;
	int hash, array, fd, err;

	for_each_backend(be) {
		struct prog ph = { }, pa = { };

		hash = bpf64_map_create(be, BPF_MAP_TYPE_HASH, "t_hash", 4, 8, 4, 0);
		array = bpf64_map_create(be, BPF_MAP_TYPE_ARRAY, "t_array", 4, 8, 4, 0);
		TU_CHECK(hash >= 0 && array >= 0, "%s: maps created (%d, %d)",
			 be->name, hash, array);
		if (hash < 0 || array < 0)
			goto close_maps;

		build_map_prog(&ph, hash);
		fd = load(be, &ph, NULL);
		TU_CHECK(fd >= 0, "%s: hash map program loads (%d)", be->name, fd);
		if (fd >= 0) {
			c = (struct map_ctx){ .key = 3, .value = 0x1122334455667788ULL };
			err = run(be, fd, &c, sizeof(c), &retval);
			TU_CHECK(!err && c.update == 0 && c.found == 0x1122334455667788LL &&
				 c.delete == 0 && c.gone == 1,
				 "%s: hash: update 0, lookup finds the value, delete 0, then gone (%d: %lld %llx %lld %lld)",
				 be->name, err, (long long)c.update,
				 (unsigned long long)c.found, (long long)c.delete,
				 (long long)c.gone);
			/* BPF_EXIST on a missing key: -ENOENT, nothing found */
			c = (struct map_ctx){ .key = 1, .value = 5, .flags = BPF_EXIST };
			err = run(be, fd, &c, sizeof(c), &retval);
			TU_CHECK(!err && c.update == -ENOENT && c.found == -1 &&
				 c.delete == -ENOENT,
				 "%s: hash: BPF_EXIST update of a missing key is -ENOENT (%d: %lld %lld %lld)",
				 be->name, err, (long long)c.update,
				 (long long)c.found, (long long)c.delete);
			be->close(fd);
		}

		build_map_prog(&pa, array);
		fd = load(be, &pa, NULL);
		TU_CHECK(fd >= 0, "%s: array map program loads (%d)", be->name, fd);
		if (fd >= 0) {
			c = (struct map_ctx){ .key = 2, .value = 77 };
			err = run(be, fd, &c, sizeof(c), &retval);
			TU_CHECK(!err && c.update == 0 && c.found == 77 &&
				 c.delete == -EINVAL && c.gone == 0,
				 "%s: array: update 0, lookup 77, delete -EINVAL, still there (%d: %lld %lld %lld %lld)",
				 be->name, err, (long long)c.update,
				 (long long)c.found, (long long)c.delete,
				 (long long)c.gone);
			key = 2;
			value = 0;
			err = bpf64_map_lookup(be, array, &key, &value, 0);
			TU_CHECK(!err && value == 77,
				 "%s: array: userspace sees the program's update (%d, %llu)",
				 be->name, err, (unsigned long long)value);
			c = (struct map_ctx){ .key = 4, .value = 1 };
			err = run(be, fd, &c, sizeof(c), &retval);
			TU_CHECK(!err && c.update == -E2BIG && c.found == -1,
				 "%s: array: a key past max_entries: update -E2BIG, lookup NULL (%d: %lld %lld)",
				 be->name, err, (long long)c.update,
				 (long long)c.found);
			be->close(fd);
		}
close_maps:
		if (hash >= 0)
			be->close(hash);
		if (array >= 0)
			be->close(array);
	}
}

/* ---- time, randomness, CPUs ---- */

static void test_ktime(void)
{
	const struct bpf64_backend *be;
	__u64 c[3], mono0, mono1, boot0, boot1;
	__u32 retval;
	int fd, err;

	for_each_backend(be) {
		struct prog p = { };

		emit(&p, BPF64_MOV64_REG(R6, R1));
		emit(&p, BPF64_CALL_HELPER(BPF_FUNC_ktime_get_ns));
		emit_r0_to_ctx(&p, 0);
		emit(&p, BPF64_CALL_HELPER(BPF_FUNC_ktime_get_ns));
		emit_r0_to_ctx(&p, 8);
		emit(&p, BPF64_CALL_HELPER(BPF_FUNC_ktime_get_boot_ns));
		emit_r0_to_ctx(&p, 16);
		emit_exit0(&p);
		fd = load(be, &p, NULL);
		TU_CHECK(fd >= 0, "%s: ktime program loads (%d)", be->name, fd);
		if (fd < 0)
			continue;
		mono0 = clock_ns(CLOCK_MONOTONIC);
		boot0 = clock_ns(CLOCK_BOOTTIME);
		err = run(be, fd, c, sizeof(c), &retval);
		mono1 = clock_ns(CLOCK_MONOTONIC);
		boot1 = clock_ns(CLOCK_BOOTTIME);
		TU_CHECK(!err && mono0 <= c[0] && c[0] <= c[1] && c[1] <= mono1,
			 "%s: ktime_get_ns is CLOCK_MONOTONIC and does not go back (%d: %llu <= %llu <= %llu <= %llu)",
			 be->name, err, (unsigned long long)mono0,
			 (unsigned long long)c[0], (unsigned long long)c[1],
			 (unsigned long long)mono1);
		TU_CHECK(!err && boot0 <= c[2] && c[2] <= boot1,
			 "%s: ktime_get_boot_ns is CLOCK_BOOTTIME (%llu <= %llu <= %llu)",
			 be->name, (unsigned long long)boot0,
			 (unsigned long long)c[2], (unsigned long long)boot1);
		be->close(fd);
	}
}

/* Linux offers it to networking types, not to these: bpf64's own value. */
static void test_ktime_coarse(void)
{
	const struct bpf64_func_proto *fn = &bpf64_ktime_get_coarse_ns_proto;
	__u64 t0 = clock_ns(CLOCK_MONOTONIC_COARSE);
	__u64 t = fn->func(0, 0, 0, 0, 0);
	__u64 t1 = clock_ns(CLOCK_MONOTONIC_COARSE);

	TU_CHECK(t0 <= t && t <= t1 && !fn->gpl_only,
		 "bpf64: ktime_get_coarse_ns is CLOCK_MONOTONIC_COARSE (%llu <= %llu <= %llu)",
		 (unsigned long long)t0, (unsigned long long)t,
		 (unsigned long long)t1);
}

static void test_prandom(void)
{
	const struct bpf64_backend *be;
	__u64 a[4], b[4];
	__u32 retval;
	int fd, err, i, same = 0;

	for_each_backend(be) {
		struct prog p = { };

		emit(&p, BPF64_MOV64_REG(R6, R1));
		for (i = 0; i < 4; i++) {
			emit(&p, BPF64_CALL_HELPER(BPF_FUNC_get_prandom_u32));
			emit_r0_to_ctx(&p, 8 * i);
		}
		emit_exit0(&p);
		fd = load(be, &p, NULL);
		TU_CHECK(fd >= 0, "%s: prandom program loads (%d)", be->name, fd);
		if (fd < 0)
			continue;
		err = run(be, fd, a, sizeof(a), &retval);
		err = err ? err : run(be, fd, b, sizeof(b), &retval);
		for (i = 0; i < 4; i++)
			same += (a[i] == a[0]) + (b[i] == a[0]);
		TU_CHECK(!err && same < 8 && !((a[0] | a[1] | b[2]) >> 32),
			 "%s: get_prandom_u32 gives 32-bit values that vary (%d: %llx %llx %llx %llx)",
			 be->name, err, (unsigned long long)a[0],
			 (unsigned long long)a[1], (unsigned long long)b[0],
			 (unsigned long long)b[1]);
		be->close(fd);
	}
}

static void test_smp_processor_id(void)
{
	const struct bpf64_backend *be;
	unsigned int nr = bu_possible_cpus();
	__u64 c[1];
	__u32 retval;
	int fd, err;

	for_each_backend(be) {
		struct prog p = { };

		emit(&p, BPF64_MOV64_REG(R6, R1));
		emit(&p, BPF64_CALL_HELPER(BPF_FUNC_get_smp_processor_id));
		emit_r0_to_ctx(&p, 0);
		emit_exit0(&p);
		fd = load(be, &p, NULL);
		TU_CHECK(fd >= 0, "%s: smp id program loads (%d)", be->name, fd);
		if (fd < 0)
			continue;
		c[0] = ~0ULL;
		err = run(be, fd, c, sizeof(c), &retval);
		TU_CHECK(!err && c[0] < nr,
			 "%s: get_smp_processor_id is below the %u possible CPUs (%d: %llu)",
			 be->name, nr, err, (unsigned long long)c[0]);
		be->close(fd);
	}
}

/* ---- the current task ---- */

#define COMM	"bpf64-helpers"

static void test_current(void)
{
	const struct bpf64_backend *be;
	struct { __u64 pid_tgid, uid_gid; char comm[32], small[8]; } c;
	__u64 pid_tgid = (__u64)getpid() << 32 | (__u32)gettid();
	__u64 uid_gid = (__u64)getgid() << 32 | getuid();
	__u32 retval;
	int fd, err, padded;
	size_t i;

	prctl(PR_SET_NAME, COMM);
	for_each_backend(be) {
		struct prog p = { };

		emit(&p, BPF64_MOV64_REG(R6, R1));
		emit(&p, BPF64_CALL_HELPER(BPF_FUNC_get_current_pid_tgid));
		emit_r0_to_ctx(&p, 0);
		emit(&p, BPF64_CALL_HELPER(BPF_FUNC_get_current_uid_gid));
		emit_r0_to_ctx(&p, 8);
		/* comm into a stack buffer of 32, copied to ctx + 16 */
		emit_fp_ptr(&p, R1, -32);
		emit(&p, BPF64_MOV64_IMM(R2, 32));
		emit(&p, BPF64_CALL_HELPER(BPF_FUNC_get_current_comm));
		emit_stack_to_ctx(&p, -32, 16, 32);
		/* and into the first 4 of 8 bytes set to 0xff */
		emit(&p, BPF64_ST_MEM(BPF_DW, FP, -40, -1));
		emit_fp_ptr(&p, R1, -40);
		emit(&p, BPF64_MOV64_IMM(R2, 4));
		emit(&p, BPF64_CALL_HELPER(BPF_FUNC_get_current_comm));
		emit(&p, BPF64_MOV64_REG(R9, R0));
		emit_stack_to_ctx(&p, -40, 48, 8);
		emit(&p, BPF64_MOV64_REG(R0, R9));
		emit(&p, BPF64_EXIT_INSN());
		fd = load(be, &p, NULL);
		TU_CHECK(fd >= 0, "%s: current task program loads (%d)", be->name, fd);
		if (fd < 0)
			continue;
		memset(&c, 0xff, sizeof(c));
		err = run(be, fd, &c, sizeof(c), &retval);
		TU_CHECK(!err && c.pid_tgid == pid_tgid,
			 "%s: get_current_pid_tgid is tgid << 32 | tid (%d: %llx, want %llx)",
			 be->name, err, (unsigned long long)c.pid_tgid,
			 (unsigned long long)pid_tgid);
		TU_CHECK(!err && c.uid_gid == uid_gid,
			 "%s: get_current_uid_gid is gid << 32 | uid (%llx, want %llx)",
			 be->name, (unsigned long long)c.uid_gid,
			 (unsigned long long)uid_gid);
		for (padded = 1, i = strlen(COMM); i < 32; i++)
			padded &= !c.comm[i];
		TU_CHECK(!err && !strcmp(c.comm, COMM) && padded,
			 "%s: get_current_comm gives the name, NUL-padded (%.32s)",
			 be->name, c.comm);
		TU_CHECK(!err && retval == 0 && !memcmp(c.small, "bpf", 4) &&
			 (unsigned char)c.small[4] == 0xff,
			 "%s: a 4-byte comm buffer gets \"bpf\" and its NUL, nothing past (%u, %.4s)",
			 be->name, retval, c.small);
		be->close(fd);
	}
}

/* ---- bpf_trace_printk ---- */

/* Arguments: a number, or a pointer to one of the program's strings. */
#define ARG_STR		(1ULL << 63 | 1)	/* "stréing" on the stack */
#define ARG_IP		(1ULL << 63 | 2)	/* 192.168.1.2 */
#define ARG_IP6		(1ULL << 63 | 3)	/* 2001:db8::1 */

static const char str_arg[] = "str\xc3\xa9ing";
static const unsigned char ip_bytes[] = {
	192, 168, 1, 2,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
};

/*
 * What Linux 6.18 prints (read from its trace buffer) and returns: ret, or
 * the text's length when ret is 0.  No text: only the return value is
 * checked.  "#" in a text: any hex digit (%p hashes with a key of its own).
 */
static const struct printk_case {
	const char *fmt;
	__u64 args[3];
	const char *text;
	int ret;
} printk_cases[] = {
	{ "hello %d\n", { 42 }, "hello 42\n" },
	{ "%5d|%-5d|%05d", { -42, 42, -42 }, "  -42|42   |-0042" },
	{ "%+d|% d|%i", { 5, 5, -5 }, "+5| 5|-5" },
	{ "%x %X %lx", { 255, 255, 0x123456789abULL }, "ff FF 123456789ab" },
	{ "%u %lld %llu", { 0xffffffff, -5, -1 },
	  "4294967295 -5 18446744073709551615" },
	{ "%d %u %x", { 0x1ffffffffULL, 0x1ffffffffULL, 0x1ffffffffULL },
	  "-1 4294967295 ffffffff" },
	{ "%-05d|%+u|% x", { 7, 7, 255 }, "7    |7|ff" },
	{ "% 05d|%0+5d|%- 5d|", { 4, 4, 4 }, " 0004|+0004| 4   |" },
	{ "%08X|%-08x|", { 0xab, 0xab }, "000000AB|ab      |" },
	{ "%3c|%-3c|%05c", { 'a', 'b', 'c' }, "  a|b  |    c" },
	{ "a%cb", { 0 }, "a", 3 },		/* the NUL ends the line */
	{ "100%% %%%d", { 3 }, "100% %3" },
	{ "%s|%10s|%-10s|", { ARG_STR, ARG_STR, ARG_STR },
	  "str\xc3\xa9ing|  str\xc3\xa9ing|str\xc3\xa9ing  |" },
	{ "%pks|%s|%s", { ARG_STR, 8, 0xffff800000000000ULL },
	  "str\xc3\xa9ing||" },
	{ "%px|%20px|%-20p|", { 0x1234, 0x1234, 0 },
	  "0000000000001234|                1234|0                   |" },
	{ "%p|%p|%pK", { 0, -14, 0 },
	  "0000000000000000|fffffffffffffff2|0000000000000000" },
	{ "%p.", { 0x1000 }, "00000000########." },
	{ "%pS|%ps|%pB", { 0x1234, 0x7fff00001234ULL, 0x1234 },
	  "0x1234|0x7fff00001234|0x1234" },
	{ "%pI4|%pi4", { ARG_IP, ARG_IP }, "192.168.1.2|192.168.001.002" },
	{ "%pI6|%pi6", { ARG_IP6, ARG_IP6 },
	  "2001:0db8:0000:0000:0000:0000:0000:0001|20010db8000000000000000000000001" },
	{ "%pxabc|%pK2", { 0x10, 0 }, "0000000000000010|0000000000000000" },
	{ "caf\xc3\xa9 \t%d", { 1 }, "caf\xc3\xa9 \t1" },
	{ "%s\xa1|%p\xa0|", { ARG_STR, 0 },
	  "str\xc3\xa9ing\xa1|0000000000000000\xa0|" },
	{ "%pK\xc3\xa9|", { 0 }, "0000000000000000\xa9|" },
	/* the output is cut at 1023 bytes, the return value is not */
	{ "%2000d|", { 3 }, NULL, 2001 },
	{ "%99999999999d", { 1 }, NULL, 8388607 },
	/* refused formats */
	{ "%d %d %d %d", { 1, 2, 3 }, NULL, -EINVAL },
	{ "%5.2d", { 1 }, NULL, -EINVAL },
	{ "%sx", { ARG_STR }, NULL, -EINVAL },
	{ "%#x", { 1 }, NULL, -EINVAL },
	{ "%hd", { 1 }, NULL, -EINVAL },
	{ "%pZ", { 1 }, NULL, -EINVAL },
	{ "%p1", { 1 }, NULL, -EINVAL },
	{ "%lllx", { 1 }, NULL, -EINVAL },
	{ "%5%", { 1 }, NULL, -EINVAL },
	{ "%lu%", { 1 }, NULL, -EINVAL },
	{ "\x01", { }, NULL, -EINVAL },
	{ "\x7f", { }, NULL, -EINVAL },
};

static void emit_printk_arg(struct prog *p, int reg, __u64 arg)
{
	switch (arg) {
	case ARG_STR:
		emit_fp_ptr(p, reg, -128);
		break;
	case ARG_IP:
		emit_fp_ptr(p, reg, -64);
		break;
	case ARG_IP6:
		emit_fp_ptr(p, reg, -60);
		break;
	default:
		emit_ld64(p, reg, arg);
	}
}

/* r0 = bpf_trace_printk(fmt, fmt_size, args...), fmt_size 0: strlen + 1 */
static void build_printk(struct prog *p, const char *fmt, __u32 fmt_size,
			 const __u64 *args)
{
	size_t len = strlen(fmt) + 1;
	int i;

	emit_stack_bytes(p, -256, fmt, len);
	emit_stack_bytes(p, -128, str_arg, sizeof(str_arg));
	emit_stack_bytes(p, -64, ip_bytes, sizeof(ip_bytes));
	emit_fp_ptr(p, R1, -256);
	emit(p, BPF64_MOV64_IMM(R2, fmt_size ? fmt_size : len));
	for (i = 0; i < 3; i++)
		emit_printk_arg(p, R3 + i, args[i]);
	emit(p, BPF64_CALL_HELPER(BPF_FUNC_trace_printk));
	emit(p, BPF64_EXIT_INSN());
}

/* @s with its control and non-ASCII bytes escaped, for test names. */
static const char *esc(const char *s)
{
	static char buf[4][256];
	static int next;
	char *b = buf[next++ % 4], *o = b;

	for (; *s && o < b + sizeof(buf[0]) - 5; s++) {
		unsigned char c = *s;

		if (c == '\n')
			o += sprintf(o, "\\n");
		else if (c < ' ' || c >= 0x7f)
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = c;
	}
	*o = 0;
	return b;
}

static bool text_matches(const char *text, const char *want, size_t n)
{
	size_t i;

	if (strlen(want) != n)
		return false;
	for (i = 0; i < n; i++)
		if (want[i] == '#' ? !strchr("0123456789abcdef", text[i]) || !text[i] :
				     text[i] != want[i])
			return false;
	return true;
}

/*
 * Linux's trace buffer, if tracefs is mounted: the message of the last
 * bpf_trace_printk event that starts with @tag, without the event's own
 * newline.  Other programs may print there too.
 */
static bool linux_trace_find(const char *tag, char *msg, size_t size)
{
	static const char *const paths[] = {
		"/sys/kernel/tracing/trace", "/sys/kernel/debug/tracing/trace",
	};
	const char *event = "bpf_trace_printk: ";
	char line[4096], *m;
	bool found = false;
	FILE *f = NULL;
	size_t i;

	for (i = 0; !f && i < sizeof(paths) / sizeof(paths[0]); i++)
		f = fopen(paths[i], "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		m = strstr(line, event);
		if (!m || strncmp(m + strlen(event), tag, strlen(tag)))
			continue;
		snprintf(msg, size, "%s", m + strlen(event));
		found = true;
	}
	fclose(f);
	msg[found ? strcspn(msg, "\n") : 0] = 0;
	return found;
}

/* The text a case prints, after its tag, compared with what it should. */
static void check_printk_text(const struct bpf64_backend *be,
			      const struct printk_case *pc, const char *tag)
{
	char text[2048], want[256];
	size_t n;

	snprintf(want, sizeof(want), "%s%s", tag, pc->text);
	want[strcspn(want, "\n")] = 0;
	if (!strcmp(be->name, "bpf64")) {
		n = bpf64_trace_read(text, sizeof(text));
		/* the buffer ends each message with one newline */
		if (n && text[n - 1] == '\n')
			n--;
		text[n] = 0;
	} else if (!linux_trace_find(tag, text, sizeof(text))) {
		tu_skip("# SKIP linux: trace_printk(\"%s\") text: no tracefs, or no line",
			esc(pc->fmt));
		return;
	}
	TU_CHECK(text_matches(text, want, strlen(text)),
		 "%s: trace_printk(\"%s\") writes \"%s\" (\"%s\")", be->name,
		 esc(pc->fmt), esc(want), esc(text));
}

/*
 * Each format goes with a tag of this process and the case in front, so
 * that its line can be told from others in Linux's trace buffer.
 */
static void test_trace_printk(void)
{
	const struct bpf64_backend *be;
	const struct printk_case *pc;
	char tag[32], fmt[128];
	__u32 retval;
	size_t i;
	int fd, err, want;

	for_each_backend(be) {
		bpf64_trace_clear();
		for (i = 0; i < sizeof(printk_cases) / sizeof(printk_cases[0]); i++) {
			struct prog p = { };

			pc = &printk_cases[i];
			snprintf(tag, sizeof(tag), "[%d.%zu] ", getpid(), i);
			snprintf(fmt, sizeof(fmt), "%s%s", tag, pc->fmt);
			want = pc->ret ? pc->ret : (int)strlen(pc->text);
			if (want >= 0)
				want += strlen(tag);
			build_printk(&p, fmt, 0, pc->args);
			fd = load(be, &p, NULL);
			if (fd < 0) {
				TU_CHECK(0, "%s: printk program loads (%d)", be->name, fd);
				continue;
			}
			err = run(be, fd, NULL, 0, &retval);
			TU_CHECK(!err && (int)retval == want,
				 "%s: trace_printk(\"%s\") returns %d (%d: %d)",
				 be->name, esc(fmt), want, err, (int)retval);
			if (pc->text)
				check_printk_text(be, pc, tag);
			be->close(fd);
		}
	}
}

/* The format must end within fmt_size; the text of the long line. */
static void test_trace_printk_limits(void)
{
	static const __u64 args[3] = { 3 };
	const struct bpf64_backend *be;
	char text[4096];
	__u32 retval = 0;
	size_t n;
	int fd, err;

	for_each_backend(be) {
		struct prog p = { };

		build_printk(&p, "no NUL within the size", 8, args);
		fd = load(be, &p, NULL);
		TU_CHECK(fd >= 0, "%s: printk program loads (%d)", be->name, fd);
		if (fd < 0)
			continue;
		err = run(be, fd, NULL, 0, &retval);
		TU_CHECK(!err && (int)retval == -EINVAL,
			 "%s: a format without a NUL within fmt_size is -EINVAL (%d: %d)",
			 be->name, err, (int)retval);
		be->close(fd);
	}

	struct prog p = { };

	bpf64_trace_clear();
	build_printk(&p, "%2000d|", 0, args);
	fd = load(&bpf64_backend_hosted, &p, NULL);
	err = fd < 0 ? fd : run(&bpf64_backend_hosted, fd, NULL, 0, &retval);
	n = bpf64_trace_read(text, sizeof(text));
	TU_CHECK(!err && retval == 2001 && n == 1024 && text[1022] == ' ' &&
		 text[1023] == '\n',
		 "bpf64: a 2001-byte message is cut to 1023 bytes and a newline (%d, %u, %zu)",
		 err, retval, n);
	if (fd >= 0)
		bpf64_backend_hosted.close(fd);
}

/* ---- probe reads ---- */

static __u64 user_word = 0x0123456789abcdefULL;
static char user_str[] = "user string";

/*
 * r0 = helper(buf, size, src) with buf at fp - 32, set to 0xff first;
 * then the 16 bytes of buf go to ctx + off, r0 to ctx + res.
 */
static void emit_probe(struct prog *p, int helper, int off, int size,
		       __u64 src, int res)
{
	emit(p, BPF64_ST_MEM(BPF_DW, FP, -32, -1));
	emit(p, BPF64_ST_MEM(BPF_DW, FP, -24, -1));
	emit_fp_ptr(p, R1, -32);
	emit(p, BPF64_MOV64_IMM(R2, size));
	emit_ld64(p, R3, src);
	emit(p, BPF64_CALL_HELPER(helper));
	emit_r0_to_ctx(p, res);
	emit_stack_to_ctx(p, -32, off, 16);
}

static void test_probe_read(void)
{
	const struct bpf64_backend *be;
	struct {
		__u64 word, w1, bad, b1, legacy, l1;
		char str[16], bad_str[16], legacy_str[16], kstr[16];
		__s64 r[7];
	} c;
	__u64 bad = 0xffff800000000000ULL;	/* unmapped, kernel half */
	__u64 u = (unsigned long)&user_word, s = (unsigned long)user_str;
	__u32 retval;
	int fd, err, zero, i;

	for_each_backend(be) {
		struct prog p = { };

		emit(&p, BPF64_MOV64_REG(R6, R1));
		emit_probe(&p, BPF_FUNC_probe_read_user, 0, 8, u, 112);
		emit_probe(&p, BPF_FUNC_probe_read_user, 16, 8, 8, 120);
		emit_probe(&p, BPF_FUNC_probe_read, 32, 8, u, 128);
		emit_probe(&p, BPF_FUNC_probe_read_user_str, 48, 16, s, 136);
		emit_probe(&p, BPF_FUNC_probe_read_kernel_str, 64, 16, bad, 144);
		emit_probe(&p, BPF_FUNC_probe_read_str, 80, 16, s, 152);
		/* a kernel string: the program's own stack */
		emit_stack_bytes(&p, -16, "stack", 6);
		emit(&p, BPF64_ST_MEM(BPF_DW, FP, -32, -1));
		emit(&p, BPF64_ST_MEM(BPF_DW, FP, -24, -1));
		emit_fp_ptr(&p, R1, -32);
		emit(&p, BPF64_MOV64_IMM(R2, 4));
		emit_fp_ptr(&p, R3, -16);
		emit(&p, BPF64_CALL_HELPER(BPF_FUNC_probe_read_kernel_str));
		emit_r0_to_ctx(&p, 160);
		emit_stack_to_ctx(&p, -32, 96, 16);
		emit_exit0(&p);
		fd = load(be, &p, NULL);
		TU_CHECK(fd >= 0, "%s: probe read program loads (%d)", be->name, fd);
		if (fd < 0)
			continue;
		memset(&c, 0xff, sizeof(c));
		err = run(be, fd, &c, sizeof(c), &retval);
		TU_CHECK(!err && c.r[0] == 0 && c.word == user_word,
			 "%s: probe_read_user of the caller's memory (%d: %lld, %llx)",
			 be->name, err, (long long)c.r[0],
			 (unsigned long long)c.word);
		TU_CHECK(c.r[1] == -EFAULT && c.bad == 0 && c.b1 == ~0ULL,
			 "%s: probe_read_user of address 8 is -EFAULT and zeroes (%lld, %llx)",
			 be->name, (long long)c.r[1], (unsigned long long)c.bad);
		TU_CHECK(c.r[2] == 0 && c.legacy == user_word,
			 "%s: probe_read (legacy) of user memory (%lld)", be->name,
			 (long long)c.r[2]);
		TU_CHECK(c.r[3] == (__s64)sizeof(user_str) &&
			 !strcmp(c.str, user_str),
			 "%s: probe_read_user_str gives the length with the NUL (%lld, %.16s)",
			 be->name, (long long)c.r[3], c.str);
		for (zero = 1, i = 0; i < 16; i++)
			zero &= !c.bad_str[i];
		TU_CHECK(c.r[4] == -EFAULT && zero,
			 "%s: probe_read_kernel_str of an unmapped address is -EFAULT and zeroes (%lld)",
			 be->name, (long long)c.r[4]);
		TU_CHECK(c.r[5] == (__s64)sizeof(user_str) &&
			 !strcmp(c.legacy_str, user_str),
			 "%s: probe_read_str (legacy) of user memory (%lld)",
			 be->name, (long long)c.r[5]);
		TU_CHECK(c.r[6] == 4 && !memcmp(c.kstr, "sta", 4) &&
			 (unsigned char)c.kstr[4] == 0xff,
			 "%s: probe_read_kernel_str cut to the size: 3 bytes and the NUL (%lld, %.4s)",
			 be->name, (long long)c.r[6], c.kstr);
		be->close(fd);
	}
}

/* ---- what a type or a license may not call ---- */

static void check_refused(const struct bpf64_backend *be, struct prog *p,
			  const char *license, const char *msg)
{
	int fd = load_quiet(be, p, license);

	TU_CHECK(fd == -EINVAL && strstr(load_log, msg),
		 "%s: refused at load: \"%s\" (%d)", be->name, msg, fd);
	if (fd >= 0)
		be->close(fd);
}

static void test_refusals(void)
{
	const struct bpf64_backend *be;

	for_each_backend(be) {
		struct prog a = { }, b = { }, c = { };

		emit(&a, BPF64_CALL_HELPER(BPF_FUNC_skb_load_bytes));
		emit(&a, BPF64_EXIT_INSN());
		check_refused(be, &a, NULL,
			      "program of this type cannot use helper bpf_skb_load_bytes#26");
		emit(&b, BPF64_CALL_HELPER(100000));
		emit(&b, BPF64_EXIT_INSN());
		check_refused(be, &b, NULL, "invalid func unknown#100000");
		build_printk(&c, "gpl", 0, (const __u64[3]){ });
		check_refused(be, &c, "Proprietary",
			      "cannot call GPL-restricted function from non-GPL compatible program");
	}
}

int main(void)
{
	test_func_names();
	test_map_helpers();
	test_ktime();
	test_ktime_coarse();
	test_prandom();
	test_smp_processor_id();
	test_current();
	test_trace_printk();
	test_trace_printk_limits();
	test_probe_read();
	test_refusals();
	return tu_exit();
}
