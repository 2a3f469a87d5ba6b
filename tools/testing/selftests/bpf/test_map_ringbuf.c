// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_MAP_TYPE_RINGBUF: creation errors, the element commands it refuses,
 * and records: what producers output, reserve, submit and discard is what
 * the consumer gets, in order, 8-byte aligned, discarded ones skipped;
 * full rings refuse; records that run past the ring's end stay whole.
 *
 * The record tests run the same sequence three ways: a socket filter
 * program produces each record on the running kernel and on bpf64, and
 * bpf64's helpers are also called directly on the in-process map; the
 * same consumer code checks all three.  What only bpf64 can show (busy
 * records holding the consumer back, map_mem_ok, many producers at once)
 * runs in process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/helpers.h>
#include <linux/bpf64/syscall.h>

#include "backend_util.h"
#include "insn_build.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define RING		4096

static void close_fd(const struct bpf64_backend *be, int fd)
{
	if (fd >= 0)
		be->close(fd);
}

static int rb_create(const struct bpf64_backend *be, __u32 size)
{
	return bpf64_map_create(be, BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, size, 0);
}

/* ---- MAP_CREATE and the element commands ---- */

static const struct create_case {
	const char *what;
	__u32 key_size, value_size, max_entries, flags;
	int err;
} create_cases[] = {
	{ "4096", 0, 0, 4096, 0, 0 },
	{ "1 MiB", 0, 0, 1 << 20, 0, 0 },
	{ "key 4", 4, 0, 4096, 0, -EINVAL },
	{ "value 4", 0, 4, 4096, 0, -EINVAL },
	{ "size 0", 0, 0, 0, 0, -EINVAL },
	{ "size 2048 (below a page)", 0, 0, 2048, 0, -EINVAL },
	{ "size 3 pages", 0, 0, 3 * 4096, 0, -EINVAL },
	{ "size 4097", 0, 0, 4097, 0, -EINVAL },
	{ "NUMA_NODE", 0, 0, 4096, BPF_F_NUMA_NODE, 0 },
	{ "RDONLY", 0, 0, 4096, BPF_F_RDONLY, -EINVAL },
	{ "RDONLY_PROG", 0, 0, 4096, BPF_F_RDONLY_PROG, -EINVAL },
	{ "MMAPABLE", 0, 0, 4096, BPF_F_MMAPABLE, -EINVAL },
	{ "NO_PREALLOC", 0, 0, 4096, BPF_F_NO_PREALLOC, -EINVAL },
	{ "INNER_MAP", 0, 0, 4096, BPF_F_INNER_MAP, -EINVAL },
};

static void test_create(void)
{
	const struct bpf64_backend *be;
	unsigned int i;
	int fd;

	for_each_backend(be) {
		for (i = 0; i < ARRAY_SIZE(create_cases); i++) {
			const struct create_case *c = &create_cases[i];

			fd = bpf64_map_create(be, BPF_MAP_TYPE_RINGBUF, NULL,
					      c->key_size, c->value_size,
					      c->max_entries, c->flags);
			TU_CHECK(c->err ? fd == c->err : fd >= 0,
				 "%s: create %s: %d", be->name, c->what,
				 fd < 0 ? fd : 0);
			close_fd(be, fd);
		}
	}
}

static void test_no_elements(void)
{
	const struct bpf64_backend *be;
	__u32 key = 0, value[2];
	int fd;

	for_each_backend(be) {
		fd = rb_create(be, RING);
		TU_CHECK(bpf64_map_lookup(be, fd, NULL, value, 0) == -ENOTSUPP &&
			 bpf64_map_update(be, fd, NULL, value, 0) == -ENOTSUPP &&
			 bpf64_map_delete(be, fd, NULL) == -ENOTSUPP &&
			 bpf64_map_get_next_key(be, fd, NULL, value) == -ENOTSUPP,
			 "%s: lookup, update, delete, get_next_key -ENOTSUPP",
			 be->name);
		TU_CHECK(bpf64_map_lookup(be, fd, &key, value, 0) == -EINVAL,
			 "%s: a key for a key_size 0 map -EINVAL", be->name);
		close_fd(be, fd);
	}
}

/* ---- producing records, as programs do ---- */

enum rec_op { REC_OUTPUT, REC_SUBMIT, REC_DISCARD };

/* Output copies up to this many bytes from the program's stack. */
#define OUTPUT_MAX	64

static struct bpf64_map *map_of(int fd)
{
	struct bpf64_map *map = bpf64_map_from_fd(fd);

	if (map)
		bpf64_map_put(map);	/* the fd keeps it */
	return map;
}

static __u64 call(const struct bpf64_func_proto *fn, __u64 r1, __u64 r2,
		  __u64 r3, __u64 r4)
{
	return fn->func(r1, r2, r3, r4, 0);
}

/* What bpf64's helpers answer, called as a program would call them. */
static long produce_bpf64(int fd, enum rec_op op, __u32 size, __u64 pattern,
			  __u64 flags)
{
	__u64 map = (unsigned long)map_of(fd), buf[OUTPUT_MAX / 8], rec;
	unsigned int i;

	if (op == REC_OUTPUT) {
		for (i = 0; i < ARRAY_SIZE(buf); i++)
			buf[i] = pattern;
		return (int)call(&bpf64_ringbuf_output_proto, map,
				 (unsigned long)buf, size, flags);
	}
	rec = call(&bpf64_ringbuf_reserve_proto, map, size, flags, 0);
	if (!rec)
		return 1;
	if (size >= 8) {
		memcpy((void *)(unsigned long)rec, &pattern, 8);
		memcpy((void *)(unsigned long)(rec + size - 8), &pattern, 8);
	}
	call(op == REC_SUBMIT ? &bpf64_ringbuf_submit_proto :
				&bpf64_ringbuf_discard_proto, rec, 0, 0, 0);
	return 0;
}

/* r0 of one test run of a socket filter. */
static long run_prog(const struct bpf64_backend *be, const struct bpf_insn *insns,
		     unsigned int n)
{
	struct bpf64_load_opts opts = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER };
	unsigned char pkt[64] = { };
	struct bpf64_test_opts run = { .data_in = pkt,
				       .data_size_in = sizeof(pkt) };
	int prog = bpf64_prog_load(be, insns, n, &opts), err;

	static bool said;
	struct bpf64_fault f;

	if (prog < 0)
		return 1000 + prog;	/* a load failure no helper returns */
	err = bpf64_prog_test_run(be, prog, &run);
	if (err && be == &bpf64_backend_hosted && !said &&
	    !bpf64_prog_last_fault(prog, &f) && f.why) {
		tu_diag("bpf64: the producer faulted at insn %u: %s", f.insn,
			f.why);
		said = true;
	}
	close_fd(be, prog);
	return err ? 2000 + err : (int)run.retval;
}

/* The same record made by a program. */
static long produce_prog(const struct bpf64_backend *be, int fd,
			 enum rec_op op, __u32 size, __u64 pattern, __u64 flags)
{
	struct bpf_insn out[] = {
		BPF64_LD_IMM64(BPF_REG_7, pattern),
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_7, -8),
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_7, -16),
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_7, -24),
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_7, -32),
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_7, -40),
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_7, -48),
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_7, -56),
		BPF64_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_7, -64),
		BPF64_LD_MAP_FD(BPF_REG_1, fd),
		BPF64_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF64_ALU64_IMM(BPF_ADD, BPF_REG_2, -OUTPUT_MAX),
		BPF64_MOV64_IMM(BPF_REG_3, size),
		BPF64_LD_IMM64(BPF_REG_4, flags),
		BPF64_CALL_HELPER(BPF_FUNC_ringbuf_output),
		BPF64_EXIT_INSN(),
	};
	struct bpf_insn res[] = {
		BPF64_LD_MAP_FD(BPF_REG_1, fd),
		BPF64_MOV64_IMM(BPF_REG_2, size),
		BPF64_LD_IMM64(BPF_REG_3, flags),
		BPF64_CALL_HELPER(BPF_FUNC_ringbuf_reserve),
		BPF64_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 2),
		BPF64_MOV64_IMM(BPF_REG_0, 1),
		BPF64_EXIT_INSN(),
		BPF64_LD_IMM64(BPF_REG_7, pattern),
		BPF64_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_7, 0),
		BPF64_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_7, size - 8),
		BPF64_MOV64_REG(BPF_REG_1, BPF_REG_0),
		BPF64_MOV64_IMM(BPF_REG_2, 0),
		BPF64_CALL_HELPER(op == REC_SUBMIT ? BPF_FUNC_ringbuf_submit :
				  BPF_FUNC_ringbuf_discard),
		BPF64_MOV64_IMM(BPF_REG_0, 0),
		BPF64_EXIT_INSN(),
	};
	unsigned int n = ARRAY_SIZE(res);

	if (op == REC_OUTPUT)
		return run_prog(be, out, ARRAY_SIZE(out));
	if (size < 8) {		/* no room for the pattern: no stores */
		memmove(&res[9], &res[13], 5 * sizeof(res[0]));
		n -= 4;
	}
	return run_prog(be, res, n);
}

/*
 * Make a record of @size bytes: REC_OUTPUT copies @size bytes of @pattern
 * repeated and returns bpf_ringbuf_output()'s answer; the others reserve
 * (with @flags), write @pattern to the first and last 8 bytes and submit
 * or discard, returning 0, or 1 if the reserve gave NULL.
 */
/* Who makes the records: programs on a backend, or bpf64's helpers. */
struct side {
	const struct bpf64_backend *be;
	bool direct;
	const char *name;
};

static long produce(const struct side *s, int fd, enum rec_op op,
		    __u32 size, __u64 pattern, __u64 flags)
{
	if (s->direct)
		return produce_bpf64(fd, op, size, pattern, flags);
	return produce_prog(s->be, fd, op, size, pattern, flags);
}

static __u64 query(const struct side *s, int fd, __u64 what)
{
	struct bpf_insn insns[] = {
		BPF64_LD_MAP_FD(BPF_REG_1, fd),
		BPF64_MOV64_IMM(BPF_REG_2, what),
		BPF64_CALL_HELPER(BPF_FUNC_ringbuf_query),
		BPF64_EXIT_INSN(),
	};

	if (s->direct)
		return call(&bpf64_ringbuf_query_proto,
			    (unsigned long)map_of(fd), what, 0, 0);
	return (__u32)run_prog(s->be, insns, ARRAY_SIZE(insns));
}

static void for_each_side(void (*test)(const struct side *sd))
{
	const struct side helpers = { &bpf64_backend_hosted, true,
				      "bpf64 helpers" };
	const struct bpf64_backend *be;

	test(&helpers);
	for_each_backend(be)
		test(&(struct side){ be, false, be->name });
}

/* ---- consuming ---- */

#define MAX_SEEN	256

struct seen {
	int n;
	struct {
		__u32 size;
		bool aligned;
		__u64 head, tail;	/* first and last 8 bytes */
		bool uniform;		/* every byte as in head */
	} r[MAX_SEEN];
	int stop_after;		/* return 7 from the sample this many in */
};

static int on_sample(void *ctx, void *data, __u32 size)
{
	struct seen *s = ctx;
	unsigned char *p = data;
	__u32 i;

	if (s->n >= MAX_SEEN)
		return -E2BIG;
	s->r[s->n].size = size;
	s->r[s->n].aligned = (unsigned long)data % 8 == 0;
	s->r[s->n].head = s->r[s->n].tail = 0;
	if (size >= 8) {
		memcpy(&s->r[s->n].head, p, 8);
		memcpy(&s->r[s->n].tail, p + size - 8, 8);
	}
	s->r[s->n].uniform = true;
	for (i = 0; i < size; i++)
		if (p[i] != (unsigned char)(s->r[s->n].head >> (i % 8 * 8)) &&
		    size >= 8)
			s->r[s->n].uniform = false;
	s->n++;
	return s->stop_after && s->n == s->stop_after ? 7 : 0;
}

static int consume(const struct bpf64_backend *be, int fd, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	return be->ringbuf_consume(fd, on_sample, s);
}

#define P1	0x1122334455667788ULL
#define P2	0x0102030405060708ULL
#define P3	0xa0b0c0d0e0f00011ULL

static void records_on(const struct side *sd)
{
	const struct bpf64_backend *be = sd->be;
	static struct seen s;
	long r[7];
	int fd, n;

	fd = rb_create(be, RING);
	r[0] = produce(sd, fd, REC_OUTPUT, 16, P1, 0);
	r[1] = produce(sd, fd, REC_SUBMIT, 24, P2, 0);
	r[2] = produce(sd, fd, REC_DISCARD, 32, P3, 0);
	r[3] = produce(sd, fd, REC_OUTPUT, 0, P3, 0);
	r[4] = produce(sd, fd, REC_OUTPUT, 13, P3, 0);
	r[5] = produce(sd, fd, REC_SUBMIT, 8, P1, 0);
	r[6] = produce(sd, fd, REC_SUBMIT, 0, P1, 0);
	TU_CHECK(!r[0] && !r[1] && !r[2] && !r[3] && !r[4] && !r[5] && !r[6],
		 "%s: seven records made (%ld %ld %ld %ld %ld %ld %ld)", sd->name,
		 r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
	TU_CHECK(query(sd, fd, BPF_RB_AVAIL_DATA) == 24 + 32 + 40 + 8 + 24 + 16 + 8 &&
		 query(sd, fd, BPF_RB_RING_SIZE) == RING &&
		 query(sd, fd, BPF_RB_CONS_POS) == 0 &&
		 query(sd, fd, BPF_RB_PROD_POS) == 152 &&
		 query(sd, fd, 99) == 0,
		 "%s: query: 152 bytes of headers and 8-aligned data", sd->name);
	n = consume(be, fd, &s);
	TU_CHECK(n == 6 && s.n == 6, "%s: six records consumed (%d)",
		 sd->name, n);
	TU_CHECK(s.r[0].size == 16 && s.r[0].head == P1 && s.r[0].uniform &&
		 s.r[1].size == 24 && s.r[1].head == P2 && s.r[1].tail == P2 &&
		 s.r[2].size == 0 &&
		 s.r[3].size == 13 && s.r[3].head == P3 && s.r[3].uniform &&
		 s.r[4].size == 8 && s.r[4].head == P1 && s.r[5].size == 0,
		 "%s: in order, with their sizes and bytes, the discarded one skipped",
		 sd->name);
	TU_CHECK(s.r[0].aligned && s.r[1].aligned && s.r[2].aligned &&
		 s.r[3].aligned && s.r[4].aligned && s.r[5].aligned,
		 "%s: every record's data is 8-byte aligned", sd->name);
	TU_CHECK(query(sd, fd, BPF_RB_AVAIL_DATA) == 0 &&
		 query(sd, fd, BPF_RB_CONS_POS) == 152,
		 "%s: consumed: nothing available, consumer at 152", sd->name);
	n = consume(be, fd, &s);
	TU_CHECK(n == 0, "%s: consumed once only (%d)", sd->name, n);

	/* A sample callback's non-zero answer stops there. */
	produce(sd, fd, REC_OUTPUT, 8, P1, 0);
	produce(sd, fd, REC_OUTPUT, 8, P2, 0);
	produce(sd, fd, REC_OUTPUT, 8, P3, 0);
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	n = be->ringbuf_consume(fd, on_sample, &s);
	TU_CHECK(n == 7 && s.n == 2, "%s: a callback's 7 stops and is returned (%d)",
		 sd->name, n);
	n = consume(be, fd, &s);
	TU_CHECK(n == 1 && s.r[0].head == P3,
		 "%s: the rest comes next time (%d)", sd->name, n);
	close_fd(be, fd);
}


static void test_records(void)
{
	for_each_side(records_on);
}

static void flags_on(const struct side *sd)
{
	const struct bpf64_backend *be = sd->be;
	long r;
	int fd;

	fd = rb_create(be, RING);
	TU_CHECK(produce(sd, fd, REC_OUTPUT, 8, P1, BPF_RB_NO_WAKEUP) == 0 &&
		 produce(sd, fd, REC_OUTPUT, 8, P1, BPF_RB_FORCE_WAKEUP) == 0 &&
		 produce(sd, fd, REC_OUTPUT, 8, P1, BPF_RB_NO_WAKEUP |
			 BPF_RB_FORCE_WAKEUP) == 0,
		 "%s: output takes the wakeup flags", sd->name);
	r = produce(sd, fd, REC_OUTPUT, 8, P1, 4);
	TU_CHECK(r == -EINVAL, "%s: output flags 4 -EINVAL (%ld)", sd->name, r);
	r = produce(sd, fd, REC_SUBMIT, 8, P1, 1);
	TU_CHECK(r == 1, "%s: reserve with flags gives NULL (%ld)", sd->name, r);
	TU_CHECK(query(sd, fd, BPF_RB_PROD_POS) == 48,
		 "%s: the refused ones took no room", sd->name);
	close_fd(be, fd);
}


static void test_flags(void)
{
	for_each_side(flags_on);
}

static void full_and_wrap_on(const struct side *sd)
{
	const struct bpf64_backend *be = sd->be;
	static struct seen s;
	int fd, i, n, whole;
	long r;

	fd = rb_create(be, RING);
	r = 0;
	/* 24 bytes a record: 170 fit in the 4095 the ring may hold */
	for (i = 0; i < 170 && !r; i++)
		r = produce(sd, fd, REC_OUTPUT, 16, P1 + i, 0);
	TU_CHECK(!r, "%s: 170 records of 16 bytes fit (%d: %ld)", sd->name, i, r);
	r = produce(sd, fd, REC_OUTPUT, 16, P1, 0);
	TU_CHECK(r == -EAGAIN, "%s: the 171st -EAGAIN (%ld)", sd->name, r);
	r = produce(sd, fd, REC_SUBMIT, 16, P1, 0);
	TU_CHECK(r == 1, "%s: and reserve gives NULL (%ld)", sd->name, r);
	n = consume(be, fd, &s);
	TU_CHECK(n == 170 && s.r[169].head == P1 + 169,
		 "%s: all 170 consumed in order (%d)", sd->name, n);
	r = produce(sd, fd, REC_SUBMIT, RING - 8, P1, 0);
	TU_CHECK(r == 1, "%s: a record as large as the ring: NULL (%ld)",
		 sd->name, r);
	r = produce(sd, fd, REC_SUBMIT, RING - 16, P2, 0);
	n = consume(be, fd, &s);
	TU_CHECK(!r && n == 1 && s.r[0].size == RING - 16 &&
		 s.r[0].head == P2 && s.r[0].tail == P2,
		 "%s: the largest record, 4080 bytes, past the ring's end (%ld, %d)",
		 sd->name, r, n);
	/* at 8168, offset 4072: the first runs past the end */
	for (whole = 0, i = 0; i < 3; i++) {
		r |= produce(sd, fd, REC_SUBMIT, 2000, P3 + i, 0);
		n = consume(be, fd, &s);
		whole += n == 1 && s.r[0].head == P3 + i &&
			 s.r[0].tail == P3 + i;
	}
	TU_CHECK(!r && whole == 3,
		 "%s: records that wrap around stay whole (%ld, %d)",
		 sd->name, r, whole);
	close_fd(be, fd);
}


static void test_full_and_wrap(void)
{
	for_each_side(full_and_wrap_on);
}

/* ---- bpf64 only ---- */

static void test_busy_and_mem(void)
{
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	int fd = rb_create(be, RING);
	struct bpf64_map *map = map_of(fd);
	__u64 a, b, m = (unsigned long)map;
	static struct seen s;
	int n;

	a = call(&bpf64_ringbuf_reserve_proto, m, 12, 0, 0);
	b = call(&bpf64_ringbuf_reserve_proto, m, 16, 0, 0);
	TU_CHECK(a && b == a + 24, "bpf64: records one after the other");
	TU_CHECK(map->ops->map_mem_ok(map, a, 12, true) &&
		 map->ops->map_mem_ok(map, b + 8, 8, true) &&
		 !map->ops->map_mem_ok(map, a, 13, true) &&
		 !map->ops->map_mem_ok(map, a - 8, 4, false) &&
		 !map->ops->map_mem_ok(map, b - 8, 8, true),
		 "bpf64: held records are program memory, their headers are not");
	memset((void *)(unsigned long)b, 0x5a, 16);
	call(&bpf64_ringbuf_submit_proto, b, 0, 0, 0);
	TU_CHECK(!map->ops->map_mem_ok(map, b, 8, false),
		 "bpf64: a submitted record is no longer");
	n = consume(be, fd, &s);
	TU_CHECK(n == 0, "bpf64: a busy record holds back those after it (%d)", n);
	call(&bpf64_ringbuf_discard_proto, a, 0, 0, 0);
	n = consume(be, fd, &s);
	TU_CHECK(n == 1 && s.r[0].size == 16 && s.r[0].head == 0x5a5a5a5a5a5a5a5aULL,
		 "bpf64: once it is discarded the next one comes (%d)", n);
	close_fd(be, fd);
}

#define NR_PRODUCERS	3
#define PER_PRODUCER	20000

/* Producers discard these records (and submit or output the others). */
static bool discarded(__u32 seq)
{
	return seq % 3 && seq % 7 == 0;
}

struct producer {
	__u64 map;
	int t;
	int made;	/* records submitted (not discarded) */
};

static void *produce_many(void *arg)
{
	struct producer *p = arg;
	__u64 rec, v[2];
	int i = 0;

	while (i < PER_PRODUCER) {
		v[0] = (__u64)p->t << 32 | i;
		v[1] = ~v[0];
		if (i % 3 == 0) {
			if (!call(&bpf64_ringbuf_output_proto, p->map,
				  (unsigned long)v, sizeof(v), 0))
				p->made++, i++;
			continue;
		}
		rec = call(&bpf64_ringbuf_reserve_proto, p->map, sizeof(v), 0, 0);
		if (!rec)
			continue;	/* full: the consumer will catch up */
		memcpy((void *)(unsigned long)rec, v, sizeof(v));
		if (discarded(i)) {
			call(&bpf64_ringbuf_discard_proto, rec, 0, 0, 0);
		} else {
			call(&bpf64_ringbuf_submit_proto, rec, 0, 0, 0);
			p->made++;
		}
		i++;
	}
	return NULL;
}

struct consumer {
	__u32 next[NR_PRODUCERS];	/* the least sequence number expected */
	int got, bad;
};

static int check_sample(void *ctx, void *data, __u32 size)
{
	struct consumer *c = ctx;
	__u64 v[2];
	__u32 t, seq;

	memcpy(v, data, sizeof(v));
	t = v[0] >> 32;
	seq = (__u32)v[0];
	if (size != sizeof(v) || v[1] != ~v[0] || t >= NR_PRODUCERS ||
	    seq < c->next[t] || discarded(seq)) {
		c->bad++;
		return 0;
	}
	c->next[t] = seq + 1;
	c->got++;
	return 0;
}

static void test_hammer(void)
{
	const struct bpf64_backend *be = &bpf64_backend_hosted;
	int fd = rb_create(be, RING), t, made = 0, running = NR_PRODUCERS, err = 0;
	struct producer p[NR_PRODUCERS];
	bool joined[NR_PRODUCERS] = { };
	pthread_t th[NR_PRODUCERS];
	struct consumer c = { };

	for (t = 0; t < NR_PRODUCERS; t++) {
		p[t] = (struct producer){ (unsigned long)map_of(fd), t, 0 };
		pthread_create(&th[t], NULL, produce_many, &p[t]);
	}
	/* Consume while they produce, then what is left. */
	while (running) {
		for (t = 0; t < NR_PRODUCERS; t++)
			if (!joined[t] && !pthread_tryjoin_np(th[t], NULL)) {
				joined[t] = true;
				running--;
			}
		err |= be->ringbuf_consume(fd, check_sample, &c) < 0;
	}
	err |= be->ringbuf_consume(fd, check_sample, &c) < 0;
	for (t = 0; t < NR_PRODUCERS; t++)
		made += p[t].made;
	TU_CHECK(c.got == made && !c.bad && !err &&
		 query(&(struct side){ be, true, "bpf64" }, fd,
		       BPF_RB_AVAIL_DATA) == 0,
		 "bpf64: %d producers and a consumer: %d of %d records, each producer's in order, none torn or discarded (%d bad)",
		 NR_PRODUCERS, c.got, made, c.bad);
	close_fd(be, fd);
}

int main(void)
{
	test_create();
	test_no_elements();
	test_records();
	test_flags();
	test_full_and_wrap();
	test_busy_and_mem();
	test_hammer();
	return tu_exit();
}
