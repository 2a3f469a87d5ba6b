// SPDX-License-Identifier: GPL-2.0
/*
 * Socket filters and tc programs (BPF_PROG_TYPE_SOCKET_FILTER, _SCHED_CLS):
 * struct __sk_buff reads, narrow loads and writes, LD_ABS / LD_IND, the skb
 * helpers and BPF_PROG_TEST_RUN.  Every program runs through bpf64 and
 * through the running kernel with the same data_in and ctx_in, and the two
 * must agree on the load's verdict, the error, retval, data_out and
 * ctx_out; the checks on values hold for both.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "backend_util.h"
#include "insn_build.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* A program for run @c, alive as long as the enclosing block. */
#define SET_PROG(c, ...)						\
	((c).insns = (const struct bpf_insn[]){ __VA_ARGS__ },		\
	 (c).cnt = ARRAY_SIZE(((const struct bpf_insn[]){ __VA_ARGS__ })))

#define SF		BPF_PROG_TYPE_SOCKET_FILTER
#define TC		BPF_PROG_TYPE_SCHED_CLS
#define ETH_HLEN	14
#define PKT_MAX		4096
#define SKF_NET_OFF	(-0x100000)
#define SKF_LL_OFF	(-0x200000)
#define SKB_OFF(f)	offsetof(struct __sk_buff, f)

/* An LD_ABS / LD_IND: r0 = the packet's bytes at imm (+ src), big-endian. */
#define LD_ABS(size, imm)	BPF64_RAW_INSN(BPF_LD | BPF_ABS | (size), 0, 0, 0, imm)
#define LD_IND(size, src, imm)	BPF64_RAW_INSN(BPF_LD | BPF_IND | (size), 0, src, 0, imm)

struct run {
	/* in */
	__u32 type;
	const struct bpf_insn *insns;
	__u32 cnt;
	const void *data;
	__u32 size;
	const struct __sk_buff *ctx;	/* ctx_in and ctx_out, or NULL */
	__u32 flags;
	__u32 repeat;
	__u32 out_room;			/* data_size_out; 0: all of PKT_MAX */
	/* out */
	const char *be;			/* the backend, NULL if it did not run */
	int load;			/* fd, or the load's error */
	char log[8192];
	int err;			/* of the test run */
	__u32 retval;
	__u32 data_size_out;
	unsigned char out[PKT_MAX];
	struct __sk_buff ctx_out;
};

static void run_on(const struct bpf64_backend *be, struct run *r)
{
	struct bpf64_load_opts lo = {
		.prog_type = r->type, .log_buf = r->log,
		.log_size = sizeof(r->log),
	};
	struct bpf64_test_opts t = {
		.data_in = r->data, .data_size_in = r->size,
		.data_out = r->out,
		.data_size_out = r->out_room ? r->out_room : PKT_MAX,
		.repeat = r->repeat, .flags = r->flags,
	};

	r->be = be->name;
	r->err = 0;
	memset(r->out, 0, sizeof(r->out));
	memset(&r->ctx_out, 0, sizeof(r->ctx_out));
	r->load = bpf64_prog_load(be, r->insns, r->cnt, &lo);
	if (r->load < 0)
		return;
	if (r->ctx) {
		t.ctx_in = r->ctx;
		t.ctx_size_in = sizeof(*r->ctx);
		t.ctx_out = &r->ctx_out;
		t.ctx_size_out = sizeof(r->ctx_out);
	}
	r->err = bpf64_prog_test_run(be, r->load, &t);
	r->retval = t.retval;
	r->data_size_out = t.data_size_out;
	be->close(r->load);
}

/*
 * Run @c on both backends into res[0] (bpf64) and res[1] (Linux, be NULL if
 * unavailable) and check that they agree.  Returns the number that ran.
 */
static int run_both(const char *name, const struct run *c, struct run *res)
{
	const struct bpf64_backend *be;
	int n = 0;
	bool same;

	for_each_backend(be) {
		res[n] = *c;
		run_on(be, &res[n++]);
	}
	if (n < 2) {
		res[1].be = NULL;
		return n;
	}
	same = (res[0].load >= 0) == (res[1].load >= 0) &&
	       res[0].err == res[1].err && res[0].retval == res[1].retval &&
	       res[0].data_size_out == res[1].data_size_out &&
	       !memcmp(res[0].out, res[1].out, sizeof(res[0].out)) &&
	       !memcmp(&res[0].ctx_out, &res[1].ctx_out, sizeof(res[0].ctx_out));
	if (res[0].load < 0 && res[1].load < 0)
		same = res[0].load == res[1].load;
	TU_CHECK(same, "%s: bpf64 and linux agree", name);
	if (!same)
		tu_diag("bpf64: load %d err %d retval %#x size %u; linux: load %d err %d retval %#x size %u",
			res[0].load, res[0].err, res[0].retval,
			res[0].data_size_out, res[1].load, res[1].err,
			res[1].retval, res[1].data_size_out);
	return n;
}

#define for_each_result(r, res, n) for ((r) = (res); (r) < (res) + (n); (r)++)

/* The last line of a verifier log, for diagnostics. */
static const char *log_tail(const char *log)
{
	const char *end = log + strlen(log), *p;

	while (end > log && end[-1] == '\n')
		end--;
	for (p = end; p > log && p[-1] != '\n'; p--)
		;
	return p;
}

/* ---- the packets ---- */

static unsigned char ipv4_tcp[64];	/* multicast destination MAC */

static __u16 ip_csum(const unsigned char *p, int len)
{
	__u32 sum = 0;
	int i;

	for (i = 0; i < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static void build_packets(void)
{
	static const unsigned char eth[ETH_HLEN] = {
		0x01, 0x00, 0x5e, 0x00, 0x00, 0x01,	/* dst: multicast */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02,	/* src */
		0x08, 0x00,				/* IPv4 */
	};
	static const unsigned char ip[20] = {
		0x45, 0x00, 0x00, 44, 0x12, 0x34, 0x40, 0x00, 64, 6, 0, 0,
		10, 0, 0, 1, 10, 0, 0, 2,
	};
	static const unsigned char tcp[24] = {
		0x04, 0xd2, 0x00, 0x50, 1, 2, 3, 4, 5, 6, 7, 8,
		0x50, 0x10, 0x20, 0x00, 0, 0, 0, 0, 'd', 'a', 't', 'a',
	};
	__u16 sum;

	memcpy(ipv4_tcp, eth, ETH_HLEN);
	memcpy(ipv4_tcp + ETH_HLEN, ip, sizeof(ip));
	memcpy(ipv4_tcp + ETH_HLEN + 20, tcp, sizeof(tcp));
	sum = ip_csum(ipv4_tcp + ETH_HLEN, 20);
	ipv4_tcp[ETH_HLEN + 10] = sum >> 8;
	ipv4_tcp[ETH_HLEN + 11] = sum;
}

/* A context with every field ctx_in may set, each distinct. */
static const struct __sk_buff rich_ctx = {
	.mark = 0x11223344,
	.priority = 0x55667788,
	.ingress_ifindex = 0x0a0b0c0d,
	.ifindex = 1,
	.cb = { 0x01020304, 0x80a0b0c0, 0xdeadbeef, 0x7f000001, 0xfffffffe },
	.tstamp = 0x0102030405060708ULL,
	.wire_len = sizeof(ipv4_tcp) + 100,
	.gso_segs = 0x1234,
	.gso_size = 0x12abcd,
	.hwtstamp = 0x1122334455667788ULL,
};

static struct run base_run(__u32 type)
{
	return (struct run){ .type = type, .data = ipv4_tcp,
			     .size = sizeof(ipv4_tcp), .ctx = &rich_ctx };
}

/* ---- struct __sk_buff ---- */

struct field {
	const char *name;
	int off;
	int size;		/* what the UAPI field is */
	bool tc_only;
	bool narrow;		/* loads of 1 and 2 bytes at every offset */
};

#define FIELD(f, tc, nar) { #f, SKB_OFF(f), sizeof(((struct __sk_buff *)0)->f), tc, nar }

static const struct field fields[] = {
	FIELD(len, false, true),
	FIELD(pkt_type, false, true),
	FIELD(mark, false, true),
	FIELD(queue_mapping, false, true),
	FIELD(protocol, false, true),
	FIELD(vlan_present, false, true),
	FIELD(vlan_tci, false, true),
	FIELD(vlan_proto, false, true),
	FIELD(priority, false, true),
	FIELD(ingress_ifindex, false, true),
	FIELD(ifindex, false, true),
	FIELD(tc_index, false, true),
	FIELD(cb[0], false, true),
	FIELD(cb[1], false, true),
	FIELD(cb[2], false, true),
	FIELD(cb[3], false, true),
	FIELD(cb[4], false, true),
	FIELD(hash, false, true),
	FIELD(tc_classid, true, true),
	FIELD(napi_id, false, true),
	FIELD(tstamp, true, false),
	FIELD(wire_len, true, true),
	FIELD(gso_segs, false, true),
	FIELD(gso_size, false, true),
	FIELD(tstamp_type, true, false),
	FIELD(hwtstamp, true, false),
};

/* What a whole-field read gives, from the packet and rich_ctx. */
static bool field_expect(const struct field *f, bool tc, __u64 *v)
{
	const struct __sk_buff *c = &rich_ctx;

	if (f->off >= (int)SKB_OFF(cb[0]) && f->off <= (int)SKB_OFF(cb[4])) {
		*v = c->cb[(f->off - SKB_OFF(cb[0])) / 4];
		return true;
	}
	switch (f->off) {
	case SKB_OFF(len):
		*v = sizeof(ipv4_tcp) - (tc ? 0 : ETH_HLEN);
		return true;
	case SKB_OFF(pkt_type):
		*v = 2;		/* PACKET_MULTICAST */
		return true;
	case SKB_OFF(protocol):
		*v = htons(0x0800);
		return true;
	case SKB_OFF(mark): *v = c->mark; return true;
	case SKB_OFF(priority): *v = c->priority; return true;
	case SKB_OFF(ingress_ifindex): *v = c->ingress_ifindex; return true;
	case SKB_OFF(ifindex): *v = 1; return true;	/* loopback */
	case SKB_OFF(tstamp): *v = c->tstamp; return true;
	case SKB_OFF(wire_len): *v = c->wire_len; return true;
	case SKB_OFF(gso_segs): *v = c->gso_segs; return true;
	case SKB_OFF(gso_size): *v = c->gso_size & 0xffff; return true;
	case SKB_OFF(hwtstamp): *v = c->hwtstamp; return true;
	case SKB_OFF(queue_mapping): case SKB_OFF(vlan_present):
	case SKB_OFF(vlan_tci): case SKB_OFF(vlan_proto):
	case SKB_OFF(tc_index): case SKB_OFF(hash): case SKB_OFF(tc_classid):
	case SKB_OFF(napi_id): case SKB_OFF(tstamp_type):
		*v = 0;
		return true;
	}
	return false;
}

static __u8 size_code(int size)
{
	return size == 1 ? BPF_B : size == 2 ? BPF_H : size == 4 ? BPF_W : BPF_DW;
}

/* r0 = *(size *)(r1 + off) >> shift, through @mode (BPF_MEM or BPF_MEMSX). */
static void read_field(__u32 type, int off, int size, int shift, __u8 mode,
		       const char *what, __u64 *want)
{
	struct bpf_insn insns[] = {
		BPF64_RAW_INSN(BPF_LDX | mode | size_code(size), 0, 1, off, 0),
		BPF64_ALU64_IMM(BPF_RSH, 0, shift),
		BPF64_EXIT_INSN(),
	};
	struct run c = base_run(type), res[2], *r;
	char name[128];
	int n;

	c.insns = insns;
	c.cnt = ARRAY_SIZE(insns);
	snprintf(name, sizeof(name), "%s %s %d@%d%s>>%d",
		 type == TC ? "tc" : "sf", what, size, off,
		 mode == BPF_MEMSX ? "sx" : "", shift);
	n = run_both(name, &c, res);
	for_each_result(r, res, n) {
		if (r->load < 0 || r->err) {
			TU_CHECK(0, "%s: %s loads and runs (load %d err %d)",
				 r->be, name, r->load, r->err);
			tu_diag("%s", log_tail(r->log));
			continue;
		}
		if (want)
			TU_CHECK(r->retval == (__u32)(*want >> shift),
				 "%s: %s is %#x (want %#x)", r->be, name,
				 r->retval, (__u32)(*want >> shift));
	}
}

static void test_fields(void)
{
	static const __u32 types[] = { SF, TC };
	const struct field *f;
	__u64 want;
	int t, sz, off;

	for (t = 0; t < 2; t++) {
		bool tc = types[t] == TC;

		for (f = fields; f < fields + ARRAY_SIZE(fields); f++) {
			if (f->tc_only && !tc)
				continue;
			TU_CHECK(field_expect(f, tc, &want), "%s: expected value known",
				 f->name);
			read_field(types[t], f->off, f->size, 0, BPF_MEM, f->name, &want);
			if (f->size == 8)
				read_field(types[t], f->off, 8, 32, BPF_MEM, f->name, &want);
			if (!f->narrow)
				continue;
			/* Linux's narrow loads, quirks included, by agreement. */
			for (sz = 1; sz < 4; sz *= 2)
				for (off = 0; off < 4; off += sz)
					read_field(types[t], f->off + off, sz, 0,
						   BPF_MEM, f->name, NULL);
		}
	}
}

/* Sign-extending loads (cpu v4) of the context. */
static void test_fields_sx(void)
{
	__u64 cb1 = (__u64)(__s64)(__s32)rich_ctx.cb[1];
	__u64 cb1_hi = (__u64)(__s64)(__s8)(rich_ctx.cb[1] >> 24);
	__u64 mark_lo = (__u64)(__s64)(__s16)rich_ctx.mark;

	read_field(SF, SKB_OFF(cb[1]), 4, 32, BPF_MEMSX, "cb[1]", &cb1);
	read_field(TC, SKB_OFF(cb[1]) + 3, 1, 32, BPF_MEMSX, "cb[1]", &cb1_hi);
	read_field(TC, SKB_OFF(mark), 2, 0, BPF_MEMSX, "mark", &mark_lo);
	read_field(SF, SKB_OFF(protocol), 2, 0, BPF_MEMSX, "protocol", NULL);
	read_field(TC, SKB_OFF(pkt_type) + 1, 1, 0, BPF_MEMSX, "pkt_type", NULL);
}

/* Loads with the ctx rewrite: Linux's verdict and its message. */
static void expect_refused(const char *name, struct run *c, int err,
			   const char *msg)
{
	struct run res[2], *r;
	int n = run_both(name, c, res);

	for_each_result(r, res, n) {
		TU_CHECK(r->load == err && strstr(r->log, msg),
			 "%s: %s refused %d with '%s' (%d)", r->be, name, err,
			 msg, r->load);
		if (r->load != err)
			tu_diag("%s", log_tail(r->log));
	}
}

struct access {
	__u32 type;
	int off;
	int size;
	bool write;
	bool sx;		/* a sign-extending load */
};

static void test_refused_access(void)
{
	static const struct access bad[] = {
		/* socket filters: no packet pointers, tc fields or writes */
		{ SF, SKB_OFF(data), 4, false },
		{ SF, SKB_OFF(data_end), 4, false },
		{ SF, SKB_OFF(data_meta), 4, false },
		{ SF, SKB_OFF(tc_classid), 4, false },
		{ SF, SKB_OFF(tstamp), 8, false },
		{ SF, SKB_OFF(wire_len), 4, false },
		{ SF, SKB_OFF(hwtstamp), 8, false },
		{ SF, SKB_OFF(tstamp_type), 1, false },
		{ SF, SKB_OFF(family), 4, false },
		{ SF, SKB_OFF(mark), 4, true },
		{ SF, SKB_OFF(priority), 4, true },
		/* either: past cb, misaligned, too wide, outside the struct */
		{ SF, SKB_OFF(cb[4]), 8, false },
		{ TC, SKB_OFF(cb[4]) + 2, 4, true },
		{ SF, SKB_OFF(len) + 2, 4, false },
		{ TC, SKB_OFF(mark), 8, false },
		{ TC, SKB_OFF(protocol) + 1, 2, false },
		{ TC, -4, 4, false },
		{ TC, sizeof(struct __sk_buff), 4, false },
		{ TC, SKB_OFF(tstamp_type) + 1, 1, false },
		/* tc: fixed sizes, read-only fields */
		{ TC, SKB_OFF(data), 8, false },
		{ TC, SKB_OFF(data_end), 2, false },
		{ TC, SKB_OFF(tstamp), 4, false },
		{ TC, SKB_OFF(hwtstamp), 4, false },
		{ TC, SKB_OFF(hwtstamp), 8, true },
		{ TC, SKB_OFF(tstamp_type), 4, false },
		{ TC, SKB_OFF(tstamp_type), 1, true },
		{ TC, SKB_OFF(len), 4, true },
		{ TC, SKB_OFF(data), 4, true },
		{ TC, SKB_OFF(mark), 2, true },
		{ TC, SKB_OFF(local_port), 4, false },
		{ TC, SKB_OFF(flow_keys), 8, false },
		/* packet pointers do not sign-extend */
		{ TC, SKB_OFF(data), 4, false, true },
		{ TC, SKB_OFF(data_end), 4, false, true },
	};
	const struct access *a;
	char name[96];

	for (a = bad; a < bad + ARRAY_SIZE(bad); a++) {
		struct bpf_insn insns[] = {
			a->write ?
			BPF64_ST_MEM(size_code(a->size), 1, a->off, 0) :
			BPF64_RAW_INSN(BPF_LDX | size_code(a->size) |
				       (a->sx ? BPF_MEMSX : BPF_MEM), 0, 1,
				       a->off, 0),
			BPF64_MOV64_IMM(0, 0),
			BPF64_EXIT_INSN(),
		};
		struct run c = base_run(a->type);

		c.insns = insns;
		c.cnt = ARRAY_SIZE(insns);
		snprintf(name, sizeof(name), "%s %s of %d bytes at %d",
			 a->type == TC ? "tc" : "sf",
			 a->write ? "store" : a->sx ? "sign-extending load" :
			 "load", a->size, a->off);
		expect_refused(name, &c, -EACCES, "invalid bpf_context access");
	}
}

/* cb[] from socket filters, in every width, by immediate and register. */
static void test_cb_writes(void)
{
	struct run c = base_run(SF), res[2], *r;
	struct __sk_buff want = rich_ctx;
	int n;

	SET_PROG(c, 
		BPF64_ST_MEM(BPF_B, 1, SKB_OFF(cb[0]) + 1, 0xaa),
		BPF64_ST_MEM(BPF_H, 1, SKB_OFF(cb[1]) + 2, 0x1234),
		BPF64_MOV64_IMM(2, -2),
		BPF64_STX_MEM(BPF_W, 1, 2, SKB_OFF(cb[2])),
		BPF64_LD_IMM64(3, 0x0102030405060708ULL),
		BPF64_STX_MEM(BPF_DW, 1, 3, SKB_OFF(cb[2])),
		BPF64_LDX_MEM(BPF_W, 0, 1, SKB_OFF(cb[3])),
		BPF64_STX_MEM(BPF_W, 1, 0, SKB_OFF(cb[4])),
		BPF64_EXIT_INSN());
	n = run_both("sf cb writes", &c, res);
	memcpy((char *)want.cb + 1, "\xaa", 1);
	want.cb[1] = (want.cb[1] & 0xffff) | 0x1234 << 16;
	want.cb[2] = 0x05060708;
	want.cb[3] = 0x01020304;
	want.cb[4] = want.cb[3];
	for_each_result(r, res, n)
		TU_CHECK(!r->err && !memcmp(r->ctx_out.cb, want.cb, sizeof(want.cb)) &&
			 r->retval == 0x01020304 && r->ctx_out.mark == want.mark,
			 "%s: cb written, mark kept (err %d cb %#x %#x %#x %#x %#x)",
			 r->be, r->err, r->ctx_out.cb[0], r->ctx_out.cb[1],
			 r->ctx_out.cb[2], r->ctx_out.cb[3], r->ctx_out.cb[4]);
}

/* tc writes mark, priority, tc_index, tc_classid, queue_mapping, tstamp. */
static void test_tc_writes(void)
{
	struct run c = base_run(TC), res[2], *r;
	int n;

	SET_PROG(c, 
		BPF64_ST_MEM(BPF_W, 1, SKB_OFF(mark), 0x600d),
		BPF64_MOV64_IMM(2, 0x12345),
		BPF64_STX_MEM(BPF_W, 1, 2, SKB_OFF(priority)),
		BPF64_STX_MEM(BPF_W, 1, 2, SKB_OFF(tc_index)),	/* 16 bits kept */
		BPF64_STX_MEM(BPF_W, 1, 2, SKB_OFF(tc_classid)),
		BPF64_ST_MEM(BPF_W, 1, SKB_OFF(queue_mapping), 7),
		BPF64_ST_MEM(BPF_W, 1, SKB_OFF(queue_mapping), 0xffff),	/* dropped */
		BPF64_MOV64_IMM(3, 0x10000),
		BPF64_STX_MEM(BPF_W, 1, 3, SKB_OFF(queue_mapping)),	/* dropped */
		BPF64_LD_IMM64(4, 0xfedcba9876543210ULL),
		BPF64_STX_MEM(BPF_DW, 1, 4, SKB_OFF(tstamp)),
		/* r0 = tc_index << 16 ^ tc_classid ^ queue_mapping << 8 */
		BPF64_LDX_MEM(BPF_W, 0, 1, SKB_OFF(tc_index)),
		BPF64_ALU64_IMM(BPF_LSH, 0, 16),
		BPF64_LDX_MEM(BPF_W, 5, 1, SKB_OFF(tc_classid)),
		BPF64_ALU64_REG(BPF_XOR, 0, 5),
		BPF64_LDX_MEM(BPF_W, 5, 1, SKB_OFF(queue_mapping)),
		BPF64_ALU64_IMM(BPF_LSH, 5, 8),
		BPF64_ALU64_REG(BPF_XOR, 0, 5),
		BPF64_EXIT_INSN());
	n = run_both("tc field writes", &c, res);
	for_each_result(r, res, n)
		TU_CHECK(!r->err && r->ctx_out.mark == 0x600d &&
			 r->ctx_out.priority == 0x12345 &&
			 r->ctx_out.tstamp == 0xfedcba9876543210ULL &&
			 r->retval == (0x2345 << 16 ^ 0x2345 ^ 7 << 8),
			 "%s: tc writes (err %d retval %#x mark %#x)", r->be,
			 r->err, r->retval, r->ctx_out.mark);
}

/*
 * tc's direct packet access: parse Ethernet and IPv4 within data_end,
 * return the IP protocol and decrement the TTL in place.
 */
static void test_tc_direct_access(void)
{
	struct run c = base_run(TC), res[2], *r;
	int n;

	SET_PROG(c, 
		BPF64_LDX_MEM(BPF_W, 2, 1, SKB_OFF(data)),
		BPF64_LDX_MEM(BPF_W, 3, 1, SKB_OFF(data_end)),
		BPF64_LDX_MEM(BPF_W, 4, 1, SKB_OFF(data_meta)),
		BPF64_MOV64_IMM(0, -1),
		BPF64_JMP_REG(BPF_JNE, 4, 2, 10),	/* no metadata */
		BPF64_MOV64_REG(5, 2),
		BPF64_ALU64_IMM(BPF_ADD, 5, ETH_HLEN + 20),
		BPF64_JMP_REG(BPF_JGT, 5, 3, 7),
		BPF64_LDX_MEM(BPF_H, 6, 2, 12),
		BPF64_MOV64_IMM(0, -2),
		BPF64_JMP_IMM(BPF_JNE, 6, htons(0x0800), 4),
		BPF64_LDX_MEM(BPF_B, 0, 2, ETH_HLEN + 9),
		BPF64_LDX_MEM(BPF_B, 6, 2, ETH_HLEN + 8),
		BPF64_ALU64_IMM(BPF_SUB, 6, 1),
		BPF64_STX_MEM(BPF_B, 2, 6, ETH_HLEN + 8),
		BPF64_EXIT_INSN());
	n = run_both("tc parses and writes the packet", &c, res);
	for_each_result(r, res, n)
		TU_CHECK(!r->err && r->retval == 6 &&
			 r->data_size_out == sizeof(ipv4_tcp) &&
			 r->out[ETH_HLEN + 8] == ipv4_tcp[ETH_HLEN + 8] - 1 &&
			 !memcmp(r->out, ipv4_tcp, ETH_HLEN + 8),
			 "%s: TCP found, TTL decremented (err %d retval %d)",
			 r->be, r->err, (int)r->retval);
}

/* data_out: socket filters give the Ethernet header back zeroed. */
static void test_data_out(void)
{
	static const __u32 types[] = { SF, TC };
	struct run res[2], *r;
	int t, n;

	for (t = 0; t < 2; t++) {
		struct run c = base_run(types[t]);

		SET_PROG(c, BPF64_MOV64_IMM(0, 1), BPF64_EXIT_INSN());
		c.ctx = NULL;
		n = run_both(t ? "tc data_out" : "sf data_out", &c, res);
		for_each_result(r, res, n) {
			static const unsigned char zero[ETH_HLEN];

			TU_CHECK(!r->err && r->data_size_out == sizeof(ipv4_tcp) &&
				 !memcmp(r->out, t ? ipv4_tcp : zero, ETH_HLEN) &&
				 !memcmp(r->out + ETH_HLEN, ipv4_tcp + ETH_HLEN,
					 sizeof(ipv4_tcp) - ETH_HLEN),
				 "%s: %s data_out (err %d size %u)", r->be,
				 t ? "tc: the packet" : "sf: a zeroed Ethernet header, then",
				 r->err, r->data_size_out);
		}
	}
}

/* LD_ABS / LD_IND: offsets from data, SKF_NET_OFF, SKF_LL_OFF, misses. */
struct ld {
	const char *name;
	__u32 type;
	__u8 mode;		/* BPF_ABS or BPF_IND (r7 = 10) */
	__u8 size;
	int imm;
	__u32 want;		/* 0: a miss, which ends the program with 0 */
};

static __u32 be_bytes(const unsigned char *p, int n)
{
	__u32 v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

static void test_ld_abs(void)
{
	const unsigned char *ip = ipv4_tcp + ETH_HLEN;
	const struct ld lds[] = {
		{ "abs B 9: IP protocol", SF, BPF_ABS, BPF_B, 9, ip[9] },
		{ "abs H 2: IP length", SF, BPF_ABS, BPF_H, 2, be_bytes(ip + 2, 2) },
		{ "abs W 12: IP source", SF, BPF_ABS, BPF_W, 12, be_bytes(ip + 12, 4) },
		{ "abs W at the end", SF, BPF_ABS, BPF_W, sizeof(ipv4_tcp) - ETH_HLEN - 4,
		  be_bytes(ipv4_tcp + sizeof(ipv4_tcp) - 4, 4) },
		{ "abs W past the end", SF, BPF_ABS, BPF_W,
		  sizeof(ipv4_tcp) - ETH_HLEN - 3, 0 },
		{ "abs B -1", SF, BPF_ABS, BPF_B, -1, 0 },
		{ "net+9", SF, BPF_ABS, BPF_B, SKF_NET_OFF + 9, ip[9] },
		{ "ll+12", SF, BPF_ABS, BPF_H, SKF_LL_OFF + 12, 0x0800 },
		{ "ll+0", SF, BPF_ABS, BPF_W, SKF_LL_OFF, be_bytes(ipv4_tcp, 4) },
		{ "below ll", SF, BPF_ABS, BPF_B, SKF_LL_OFF - 1, 0 },
		{ "net-1 (an ll offset)", SF, BPF_ABS, BPF_B, SKF_NET_OFF - 1, 0 },
		{ "ind B r7+3", SF, BPF_IND, BPF_B, 3, ip[13] },
		{ "ind W r7-10", SF, BPF_IND, BPF_W, -10, be_bytes(ip, 4) },
		{ "ind W r7-11", SF, BPF_IND, BPF_W, -11, 0 },
		{ "tc abs H 12: ethertype", TC, BPF_ABS, BPF_H, 12, 0x0800 },
		{ "tc net+0", TC, BPF_ABS, BPF_B, SKF_NET_OFF, ip[0] },
		{ "tc ll+6", TC, BPF_ABS, BPF_W, SKF_LL_OFF + 6,
		  be_bytes(ipv4_tcp + 6, 4) },
		{ "tc ind H r7+2", TC, BPF_IND, BPF_H, 2, 0x0800 },
	};
	const struct ld *l;
	struct run res[2], *r;
	int n;

	for (l = lds; l < lds + ARRAY_SIZE(lds); l++) {
		struct run c = base_run(l->type);
		struct bpf_insn insns[] = {
			BPF64_MOV64_REG(6, 1),
			BPF64_MOV64_IMM(7, 10),
			BPF64_MOV64_IMM(0, 0x5555),
			BPF64_RAW_INSN(BPF_LD | l->mode | l->size, 0,
				       l->mode == BPF_IND ? 7 : 0, 0, l->imm),
			BPF64_ALU64_IMM(BPF_OR, 0, 0),
			BPF64_EXIT_INSN(),
		};

		c.insns = insns;
		c.cnt = ARRAY_SIZE(insns);
		n = run_both(l->name, &c, res);
		for_each_result(r, res, n)
			TU_CHECK(!r->err && r->retval == l->want,
				 "%s: LD %s gives %#x (%#x, err %d)", r->be,
				 l->name, l->want, r->retval, r->err);
	}
}

#define CALL_TO_BUF_LEN	16

/*
 * A helper call whose result is retval and whose 8-byte buffer at fp-8
 * (filled with a pattern first) lands in cb[0..1]:
 *	r0 = helper(ctx, a2, fp-8, a4, a5)
 */
static void call_to_buf(struct run *c, int id, __u64 a2, __u64 a4, __u64 a5,
			struct bpf_insn *insns)
{
	const struct bpf_insn prog[] = {
		BPF64_MOV64_REG(6, 1),
		BPF64_LD_IMM64(2, 0x7777777777777777ULL),
		BPF64_STX_MEM(BPF_DW, 10, 2, -8),
		BPF64_LD_IMM64(2, a2),
		BPF64_MOV64_REG(3, 10),
		BPF64_ALU64_IMM(BPF_ADD, 3, -8),
		BPF64_LD_IMM64(4, a4),
		BPF64_LD_IMM64(5, a5),
		BPF64_CALL_HELPER(id),
		BPF64_LDX_MEM(BPF_DW, 2, 10, -8),
		BPF64_STX_MEM(BPF_DW, 6, 2, SKB_OFF(cb[0])),
		BPF64_EXIT_INSN(),
	};

	_Static_assert(sizeof(prog) == CALL_TO_BUF_LEN * sizeof(prog[0]),
		       "CALL_TO_BUF_LEN");
	memcpy(insns, prog, sizeof(prog));
	c->insns = insns;
	c->cnt = CALL_TO_BUF_LEN;
}

struct load_case {
	const char *name;
	__u32 type;
	int id;
	__u64 off, len, hdr;
	int want;			/* retval as an errno, or 0 */
	const unsigned char *bytes;	/* 0: what the buffer holds after */
};

static void test_load_bytes(void)
{
	const unsigned char *ip = ipv4_tcp + ETH_HLEN;
	static const unsigned char zero[8];
	const int rel = BPF_FUNC_skb_load_bytes_relative;
	const int lb = BPF_FUNC_skb_load_bytes;
	const struct load_case cases[] = {
		{ "load_bytes 8 at 2", SF, lb, 2, 8, 0, 0, ip + 2 },
		{ "load_bytes the last 8", SF, lb, 42, 8, 0, 0, ip + 42 },
		{ "load_bytes past the end", SF, lb, 43, 8, 0, -EFAULT, zero },
		{ "load_bytes at 2^31", SF, lb, 0x80000000, 4, 0, -EFAULT, zero },
		{ "load_bytes at 2^32 + 2", SF, lb, 0x100000002ULL, 8, 0, 0, ip + 2 },
		{ "tc load_bytes 8 at 6", TC, lb, 6, 8, 0, 0, ipv4_tcp + 6 },
		{ "tc load_bytes past the end", TC, lb, 60, 8, 0, -EFAULT, zero },
		{ "relative mac 0", SF, rel, 0, 8, BPF_HDR_START_MAC, 0, ipv4_tcp },
		{ "relative net 12", SF, rel, 12, 8, BPF_HDR_START_NET, 0, ip + 12 },
		{ "relative mac past the end", SF, rel, 57, 8, BPF_HDR_START_MAC,
		  -EFAULT, zero },
		{ "relative net 0x10000", SF, rel, 0x10000, 1, BPF_HDR_START_NET,
		  -EFAULT, zero },
		{ "relative header 2", SF, rel, 0, 8, 2, -EFAULT, zero },
		{ "tc relative net 0", TC, rel, 0, 8, BPF_HDR_START_NET, 0, ip },
	};
	const struct load_case *l;
	struct bpf_insn insns[CALL_TO_BUF_LEN];
	struct run res[2], *r;
	int n;

	for (l = cases; l < cases + ARRAY_SIZE(cases); l++) {
		struct run c = base_run(l->type);

		call_to_buf(&c, l->id, l->off, l->len, l->hdr, insns);
		n = run_both(l->name, &c, res);
		for_each_result(r, res, n)
			TU_CHECK(!r->err && (int)r->retval == l->want &&
				 !memcmp(r->ctx_out.cb, l->bytes, l->len),
				 "%s: %s gives %d and the bytes (%d, err %d)",
				 r->be, l->name, l->want, (int)r->retval, r->err);
	}
}

/* Programs of the wrong type for a helper are refused at load. */
static void test_refused_helpers(void)
{
	struct run c = base_run(SF);

	call_to_buf(&c, BPF_FUNC_skb_store_bytes, 0, 4, 0,
		    (struct bpf_insn[CALL_TO_BUF_LEN]){});
	expect_refused("sf calls skb_store_bytes", &c, -EINVAL,
		       "program of this type cannot use helper bpf_skb_store_bytes#9");
	SET_PROG(c, BPF64_MOV64_IMM(2, 0), BPF64_CALL_HELPER(BPF_FUNC_csum_update),
		       BPF64_EXIT_INSN());
	expect_refused("sf calls csum_update", &c, -EINVAL,
		       "program of this type cannot use helper bpf_csum_update#40");
	c.type = TC;
	SET_PROG(c, BPF64_MOV64_IMM(2, 0), BPF64_CALL_HELPER(BPF_FUNC_xdp_adjust_head),
		       BPF64_EXIT_INSN());
	expect_refused("tc calls xdp_adjust_head", &c, -EINVAL,
		       "program of this type cannot use helper bpf_xdp_adjust_head#44");
}

struct store_case {
	const char *name;
	__u64 off, len, flags;
	int want;
};

/* tc: bpf_skb_store_bytes from the stack into the packet. */
static void test_store_bytes(void)
{
	static const struct store_case cases[] = {
		{ "store 8 at 30", 30, 8, 0, 0 },
		{ "store 8 at the end", 56, 8, BPF_F_INVALIDATE_HASH, 0 },
		{ "store past the end", 57, 8, 0, -EFAULT },
		{ "store at 2^31", 0x80000000, 4, 0, -EFAULT },
		{ "store with an unknown flag", 30, 4, 4, -EINVAL },
	};
	const struct store_case *s;
	struct bpf_insn insns[CALL_TO_BUF_LEN];
	struct run res[2], *r;
	int n;

	for (s = cases; s < cases + ARRAY_SIZE(cases); s++) {
		struct run c = base_run(TC);
		unsigned char want[sizeof(ipv4_tcp)];

		memcpy(want, ipv4_tcp, sizeof(want));
		if (!s->want)
			memset(want + s->off, 0x77, s->len);
		call_to_buf(&c, BPF_FUNC_skb_store_bytes, s->off, s->len,
			    s->flags, insns);
		n = run_both(s->name, &c, res);
		for_each_result(r, res, n)
			TU_CHECK(!r->err && (int)r->retval == s->want &&
				 !memcmp(r->out, want, sizeof(want)),
				 "%s: %s gives %d (%d, err %d)", r->be, s->name,
				 s->want, (int)r->retval, r->err);
	}
}

/*
 * tc rewrites the IP source address in place and fixes the checksums
 * with l3_csum_replace (the IP header's) and l4_csum_replace (TCP's,
 * pseudo header), then the IP id with a 2-byte l3 replace.
 */
static void test_csum_replace(void)
{
	struct run c = base_run(TC), res[2], *r;
	int n;

	SET_PROG(c, 
		BPF64_MOV64_REG(6, 1),
		BPF64_LDX_MEM(BPF_W, 2, 6, SKB_OFF(data)),
		BPF64_LDX_MEM(BPF_W, 3, 6, SKB_OFF(data_end)),
		BPF64_MOV64_REG(4, 2),
		BPF64_ALU64_IMM(BPF_ADD, 4, 64),
		BPF64_JMP_REG(BPF_JLE, 4, 3, 2),
		BPF64_MOV64_IMM(0, 1),
		BPF64_EXIT_INSN(),
		BPF64_LDX_MEM(BPF_W, 7, 2, ETH_HLEN + 12),	/* old saddr */
		BPF64_MOV32_IMM(8, 0x0101a8c0),			/* 192.168.1.1 */
		BPF64_STX_MEM(BPF_W, 2, 8, ETH_HLEN + 12),
		BPF64_MOV64_REG(1, 6),
		BPF64_MOV64_IMM(2, ETH_HLEN + 10),
		BPF64_MOV64_REG(3, 7),
		BPF64_MOV64_REG(4, 8),
		BPF64_MOV64_IMM(5, 4),
		BPF64_CALL_HELPER(BPF_FUNC_l3_csum_replace),
		BPF64_MOV64_REG(9, 0),
		BPF64_MOV64_REG(1, 6),
		BPF64_MOV64_IMM(2, ETH_HLEN + 20 + 16),
		BPF64_MOV64_REG(3, 7),
		BPF64_MOV64_REG(4, 8),
		BPF64_MOV64_IMM(5, BPF_F_PSEUDO_HDR | 4),
		BPF64_CALL_HELPER(BPF_FUNC_l4_csum_replace),
		BPF64_ALU64_REG(BPF_OR, 9, 0),
		/* the IP id: 0x1234 -> 0xabcd, 2 bytes, network order */
		BPF64_MOV64_REG(1, 6),
		BPF64_MOV64_IMM(2, ETH_HLEN + 10),
		BPF64_MOV64_IMM(3, htons(0x1234)),
		BPF64_MOV64_IMM(4, htons(0xabcd)),
		BPF64_MOV64_IMM(5, 2),
		BPF64_CALL_HELPER(BPF_FUNC_l3_csum_replace),
		BPF64_ALU64_REG(BPF_OR, 9, 0),
		/* the helpers invalidated the packet pointers */
		BPF64_LDX_MEM(BPF_W, 2, 6, SKB_OFF(data)),
		BPF64_LDX_MEM(BPF_W, 3, 6, SKB_OFF(data_end)),
		BPF64_MOV64_REG(4, 2),
		BPF64_ALU64_IMM(BPF_ADD, 4, 64),
		BPF64_MOV64_REG(0, 9),
		BPF64_JMP_REG(BPF_JGT, 4, 3, 1),
		BPF64_ST_MEM(BPF_H, 2, ETH_HLEN + 4, htons(0xabcd)),
		BPF64_EXIT_INSN());
	n = run_both("l3 and l4 csum_replace", &c, res);
	for_each_result(r, res, n)
		TU_CHECK(!r->err && !r->retval &&
			 !ip_csum(r->out + ETH_HLEN, 20) &&
			 r->out[ETH_HLEN + 12] == 192 &&
			 memcmp(r->out + ETH_HLEN + 36, ipv4_tcp + ETH_HLEN + 36, 2),
			 "%s: both checksums rewritten, the IP one valid (err %d retval %d)",
			 r->be, r->err, (int)r->retval);
}

struct csum_args {
	const char *name;
	int id;
	__u64 off, from, to, flags;
	int want;
};

/* The csum helpers' argument checks. */
static void test_csum_errors(void)
{
	static const struct csum_args cases[] = {
		{ "l3 odd offset", BPF_FUNC_l3_csum_replace, 25, 0, 0, 4, -EFAULT },
		{ "l3 past the end", BPF_FUNC_l3_csum_replace, 64, 0, 0, 4, -EFAULT },
		{ "l3 offset 0x10000", BPF_FUNC_l3_csum_replace, 0x10000, 0, 0, 4, -EFAULT },
		{ "l3 size 8", BPF_FUNC_l3_csum_replace, 24, 0, 0, 8, -EINVAL },
		{ "l3 unknown flag", BPF_FUNC_l3_csum_replace, 24, 0, 0, 0x14, -EINVAL },
		{ "l3 diff with from", BPF_FUNC_l3_csum_replace, 24, 1, 5, 0, -EINVAL },
		{ "l3 diff", BPF_FUNC_l3_csum_replace, 24, 0, 0x12345678, 0, 0 },
		{ "l4 diff with from", BPF_FUNC_l4_csum_replace, 50, 1, 5, 0, -EINVAL },
		{ "l4 unknown flag", BPF_FUNC_l4_csum_replace, 50, 0, 0, 1 << 8, -EINVAL },
		{ "l4 mangled 0", BPF_FUNC_l4_csum_replace, 50, 0, 0x1234,
		  BPF_F_MARK_MANGLED_0 | BPF_F_IPV6, 0 },
		{ "l4 size 3", BPF_FUNC_l4_csum_replace, 50, 0, 0, 3, -EINVAL },
	};
	const struct csum_args *a;
	struct run res[2], *r;
	int n;

	for (a = cases; a < cases + ARRAY_SIZE(cases); a++) {
		struct run c = base_run(TC);
		struct bpf_insn insns[] = {
			BPF64_LD_IMM64(2, a->off),
			BPF64_LD_IMM64(3, a->from),
			BPF64_LD_IMM64(4, a->to),
			BPF64_LD_IMM64(5, a->flags),
			BPF64_CALL_HELPER(a->id),
			BPF64_EXIT_INSN(),
		};

		c.insns = insns;
		c.cnt = ARRAY_SIZE(insns);
		n = run_both(a->name, &c, res);
		for_each_result(r, res, n)
			TU_CHECK(!r->err && (int)r->retval == a->want,
				 "%s: %s gives %d (%d)", r->be, a->name, a->want,
				 (int)r->retval);
	}
}

/*
 * What csum_diff's 16 bits must be congruent to, mod 0xffff: the seed plus
 * the little-endian words of to (the tail zero-padded) minus those of from.
 */
static __u32 csum_expect(const unsigned char *from, int fsize,
			 const unsigned char *to, int tsize, __u32 seed)
{
	__u64 sum = seed;
	__u32 w;
	int i;

	for (i = 0; i < tsize; i += 4) {
		w = 0;
		memcpy(&w, to + i, tsize - i < 4 ? tsize - i : 4);
		sum += w;
	}
	for (i = 0; i < fsize; i += 4) {
		w = 0;
		memcpy(&w, from + i, fsize - i < 4 ? fsize - i : 4);
		sum += (__u32)~w;
	}
	return sum % 0xffffffffULL % 0xffff;
}

/*
 * csum_diff over stack bytes.  Linux 6.13 changed it: each side is summed
 * apart, any size goes, and the result is folded to 16 bits.
 */
static void test_csum_diff(void)
{
	static const struct {
		__u64 from_size, to_size, seed;
	} cases[] = {
		{ 8, 8, 0 }, { 0, 8, 0x12345678 }, { 8, 0, 0xffffffff },
		{ 4, 8, 1 }, { 0, 0, 0 }, { 0, 0, 7 }, { 6, 8, 0 }, { 8, 3, 9 },
	};
	const __u64 from64 = 0x80a0b0c0fffefdfcULL, to64 = 0x0102030405060708ULL;
	unsigned char from[8], to[8];
	struct run res[2], *r;
	char name[64];
	__u32 want;
	int i, n;

	memcpy(from, &from64, 8);
	memcpy(to, &to64, 8);
	for (i = 0; i < (int)ARRAY_SIZE(cases); i++) {
		__u32 type = i & 1 ? TC : BPF_PROG_TYPE_XDP;
		struct run c = base_run(TC);
		struct bpf_insn insns[] = {
			BPF64_LD_IMM64(2, from64),
			BPF64_STX_MEM(BPF_DW, 10, 2, -16),
			BPF64_LD_IMM64(2, to64),
			BPF64_STX_MEM(BPF_DW, 10, 2, -8),
			BPF64_MOV64_REG(1, 10),
			BPF64_ALU64_IMM(BPF_ADD, 1, -16),
			BPF64_MOV64_IMM(2, cases[i].from_size),
			BPF64_MOV64_REG(3, 10),
			BPF64_ALU64_IMM(BPF_ADD, 3, -8),
			BPF64_MOV64_IMM(4, cases[i].to_size),
			BPF64_LD_IMM64(5, cases[i].seed),
			BPF64_CALL_HELPER(BPF_FUNC_csum_diff),
			BPF64_EXIT_INSN(),
		};

		/* XDP has it too; its runs need no skb. */
		c.type = type;
		c.ctx = type == TC ? c.ctx : NULL;
		c.insns = insns;
		c.cnt = ARRAY_SIZE(insns);
		snprintf(name, sizeof(name), "csum_diff %llu %llu %#llx",
			 (unsigned long long)cases[i].from_size,
			 (unsigned long long)cases[i].to_size,
			 (unsigned long long)cases[i].seed);
		n = run_both(name, &c, res);
		want = csum_expect(from, cases[i].from_size, to,
				   cases[i].to_size, cases[i].seed);
		for_each_result(r, res, n)
			TU_CHECK(!r->err && r->retval <= 0xffff &&
				 r->retval % 0xffff == want,
				 "%s: %s is %#x mod 0xffff (%#x, err %d)", r->be,
				 name, want, r->retval, r->err);
	}
}

/*
 * CHECKSUM_COMPLETE: the test run checks skb->csum against the packet
 * after the program, so stores must recompute it (at odd offsets too),
 * csum_update returns it, and a wrong one is -EBADMSG.
 */
static void test_csum_complete(void)
{
	static const struct {
		const char *name;
		int id;
		__u64 a2, a4, a5;
		int err;
	} cases[] = {
		{ "store recomputing at 30", BPF_FUNC_skb_store_bytes, 30, 8,
		  BPF_F_RECOMPUTE_CSUM, 0 },
		{ "store recomputing at 31", BPF_FUNC_skb_store_bytes, 31, 8,
		  BPF_F_RECOMPUTE_CSUM, 0 },
		{ "store in the MAC header", BPF_FUNC_skb_store_bytes, 1, 8, 0, 0 },
		{ "store without recomputing", BPF_FUNC_skb_store_bytes, 30, 8, 0,
		  -EBADMSG },
		{ "csum_update 0", BPF_FUNC_csum_update, 0, 0, 0, 0 },
		{ "csum_update 5", BPF_FUNC_csum_update, 5, 0, 0, -EBADMSG },
		{ "csum_level inc", BPF_FUNC_csum_level, BPF_CSUM_LEVEL_INC, 0, 0, 0 },
	};
	struct bpf_insn insns[CALL_TO_BUF_LEN];
	struct run res[2], *r;
	int i, n, flags;

	for (i = 0; i < (int)ARRAY_SIZE(cases); i++) {
		for (flags = 0; flags < 2; flags++) {
			struct run c = base_run(TC);
			char name[96];

			call_to_buf(&c, cases[i].id, cases[i].a2, cases[i].a4,
				    cases[i].a5, insns);
			c.flags = flags ? BPF_F_TEST_SKB_CHECKSUM_COMPLETE : 0;
			snprintf(name, sizeof(name), "%s%s", cases[i].name,
				 flags ? " (CHECKSUM_COMPLETE)" : "");
			n = run_both(name, &c, res);
			for_each_result(r, res, n)
				TU_CHECK(r->err == (flags ? cases[i].err : 0),
					 "%s: %s: err %d (%d), retval %#x",
					 r->be, name, flags ? cases[i].err : 0,
					 r->err, r->retval);
		}
	}
}

/* csum_level: a CHECKSUM_NONE skb becomes UNNECESSARY, level 0, 1, ... */
static void test_csum_level(void)
{
	struct run res[2], *r;
	int flags, n;

	for (flags = 0; flags < 2; flags++) {
		struct run c = base_run(TC);

#define LEVEL(lvl, shift)						\
		BPF64_MOV64_REG(1, 6), BPF64_MOV64_IMM(2, lvl),		\
		BPF64_CALL_HELPER(BPF_FUNC_csum_level),			\
		BPF64_ALU64_IMM(BPF_AND, 0, 0xff),			\
		BPF64_ALU64_IMM(BPF_LSH, 0, shift),			\
		BPF64_ALU64_REG(BPF_OR, 7, 0)
		SET_PROG(c, 
			BPF64_MOV64_REG(6, 1),
			BPF64_MOV64_IMM(7, 0),
			LEVEL(BPF_CSUM_LEVEL_QUERY, 0),
			LEVEL(BPF_CSUM_LEVEL_INC, 0),
			LEVEL(BPF_CSUM_LEVEL_QUERY, 8),
			LEVEL(BPF_CSUM_LEVEL_INC, 0),
			LEVEL(BPF_CSUM_LEVEL_INC, 0),
			LEVEL(BPF_CSUM_LEVEL_INC, 0),
			LEVEL(BPF_CSUM_LEVEL_INC, 0),
			LEVEL(BPF_CSUM_LEVEL_QUERY, 16),
			LEVEL(BPF_CSUM_LEVEL_DEC, 0),
			LEVEL(BPF_CSUM_LEVEL_RESET, 0),
			LEVEL(BPF_CSUM_LEVEL_QUERY, 24),
			LEVEL(7, 32),
			BPF64_MOV64_REG(0, 7),
			BPF64_ALU64_IMM(BPF_RSH, 7, 32),
			BPF64_STX_MEM(BPF_W, 6, 7, SKB_OFF(cb[0])),
			BPF64_EXIT_INSN());
#undef LEVEL
		c.flags = flags ? BPF_F_TEST_SKB_CHECKSUM_COMPLETE : 0;
		n = run_both(flags ? "csum_level (COMPLETE)" : "csum_level", &c, res);
		for_each_result(r, res, n)
			TU_CHECK(!r->err && r->ctx_out.cb[0] == (__u8)-EINVAL &&
				 r->retval == (flags ? 0xf3f3f3f3 :
					       0xf3u << 24 | 3 << 16 | 0 << 8 | 0xf3),
				 "%s: csum_level answers %#x, bad level %#x",
				 r->be, r->retval, r->ctx_out.cb[0]);
	}
}

/*
 * set_hash, get_hash_recalc and set_hash_invalid.  Linux's flow hash is
 * keyed randomly at boot, so only its properties can be compared: not 0,
 * cached in __sk_buff.hash, the same for both directions of a flow.
 */
static void test_hash(void)
{
	unsigned char back[sizeof(ipv4_tcp)];
	const struct bpf64_backend *be;
	struct run res[2], *r, back_res[2];
	struct run c = base_run(TC);
	int n, i;

#define HASH_CALL(id)	BPF64_MOV64_REG(1, 6), BPF64_CALL_HELPER(id)
	SET_PROG(c, 
		BPF64_MOV64_REG(6, 1),
		HASH_CALL(BPF_FUNC_get_hash_recalc),
		BPF64_MOV64_REG(7, 0),
		BPF64_STX_MEM(BPF_W, 6, 7, SKB_OFF(cb[0])),
		HASH_CALL(BPF_FUNC_get_hash_recalc),
		BPF64_LDX_MEM(BPF_W, 8, 6, SKB_OFF(hash)),
		BPF64_ALU64_REG(BPF_XOR, 0, 7),
		BPF64_ALU64_REG(BPF_XOR, 8, 7),
		BPF64_ALU64_REG(BPF_OR, 0, 8),
		BPF64_STX_MEM(BPF_W, 6, 0, SKB_OFF(cb[1])),	/* 0: cached */
		BPF64_MOV64_REG(1, 6),
		BPF64_MOV64_IMM(2, 0xabcd),
		BPF64_CALL_HELPER(BPF_FUNC_set_hash),
		HASH_CALL(BPF_FUNC_get_hash_recalc),
		BPF64_STX_MEM(BPF_W, 6, 0, SKB_OFF(cb[2])),
		HASH_CALL(BPF_FUNC_set_hash_invalid),
		BPF64_LDX_MEM(BPF_W, 0, 6, SKB_OFF(hash)),
		BPF64_STX_MEM(BPF_W, 6, 0, SKB_OFF(cb[3])),
		HASH_CALL(BPF_FUNC_get_hash_recalc),
		BPF64_ALU64_REG(BPF_XOR, 0, 7),
		BPF64_STX_MEM(BPF_W, 6, 0, SKB_OFF(cb[4])),	/* 0: same flow */
		BPF64_MOV64_IMM(0, 0),
		BPF64_EXIT_INSN());
#undef HASH_CALL
	n = 0;
	for_each_backend(be) {
		res[n] = c;
		run_on(be, &res[n++]);
	}
	/* The other direction: addresses and ports swapped. */
	memcpy(back, ipv4_tcp, sizeof(back));
	for (i = 0; i < 4; i++) {
		back[ETH_HLEN + 12 + i] = ipv4_tcp[ETH_HLEN + 16 + i];
		back[ETH_HLEN + 16 + i] = ipv4_tcp[ETH_HLEN + 12 + i];
	}
	for (i = 0; i < 2; i++) {
		back[ETH_HLEN + 20 + i] = ipv4_tcp[ETH_HLEN + 22 + i];
		back[ETH_HLEN + 22 + i] = ipv4_tcp[ETH_HLEN + 20 + i];
	}
	c.data = back;
	for (i = 0; i < n; i++) {
		be = i ? &bpf64_backend_linux : &bpf64_backend_hosted;
		back_res[i] = c;
		run_on(be, &back_res[i]);
		r = &res[i];
		TU_CHECK(!r->err && r->ctx_out.cb[0] && !r->ctx_out.cb[1] &&
			 r->ctx_out.cb[2] == 0xabcd && !r->ctx_out.cb[3] &&
			 !r->ctx_out.cb[4],
			 "%s: flow hash %#x, cached, set, cleared, recomputed",
			 r->be, r->ctx_out.cb[0]);
		TU_CHECK(!back_res[i].err &&
			 back_res[i].ctx_out.cb[0] == r->ctx_out.cb[0],
			 "%s: the reply direction hashes the same (%#x, %#x)",
			 r->be, back_res[i].ctx_out.cb[0], r->ctx_out.cb[0]);
	}
}

/* A fresh socket each run: its cookie is stable in a run, new the next. */
static void test_socket(void)
{
	const struct bpf64_backend *be;
	__u32 first = 0;
	int t;

	for_each_backend(be) {
		for (t = 0; t < 2; t++) {
			struct run c = base_run(t ? TC : SF);

			SET_PROG(c, 
				BPF64_MOV64_REG(6, 1),
				BPF64_CALL_HELPER(BPF_FUNC_get_socket_cookie),
				BPF64_MOV64_REG(7, 0),
				BPF64_STX_MEM(BPF_W, 6, 7, SKB_OFF(cb[0])),
				BPF64_MOV64_REG(1, 6),
				BPF64_CALL_HELPER(BPF_FUNC_get_socket_cookie),
				BPF64_ALU64_REG(BPF_XOR, 7, 0),
				BPF64_STX_MEM(BPF_W, 6, 7, SKB_OFF(cb[1])),
				BPF64_MOV64_REG(1, 6),
				BPF64_CALL_HELPER(BPF_FUNC_get_socket_uid),
				BPF64_EXIT_INSN());
			run_on(be, &c);
			TU_CHECK(!c.err && c.ctx_out.cb[0] && !c.ctx_out.cb[1] &&
				 c.ctx_out.cb[0] != first && !c.retval,
				 "%s: %s: cookie %#x (before %#x) stable, uid %u",
				 be->name, t ? "tc" : "sf", c.ctx_out.cb[0],
				 first, c.retval);
			first = c.ctx_out.cb[0];
		}
	}
}

/* The base helpers networking types add: ktime_get_coarse_ns. */
static void test_base_helpers(void)
{
	struct run c = base_run(SF), res[2], *r;
	int n;

	SET_PROG(c,
		BPF64_CALL_HELPER(BPF_FUNC_ktime_get_coarse_ns),
		BPF64_MOV64_REG(6, 0),
		BPF64_CALL_HELPER(BPF_FUNC_ktime_get_coarse_ns),
		BPF64_MOV64_IMM(7, 0),
		BPF64_JMP_IMM(BPF_JEQ, 6, 0, 2),
		BPF64_JMP_REG(BPF_JLT, 0, 6, 1),
		BPF64_MOV64_IMM(7, 1),
		BPF64_MOV64_REG(0, 7),
		BPF64_EXIT_INSN());
	n = run_both("sf ktime_get_coarse_ns", &c, res);
	for_each_result(r, res, n)
		TU_CHECK(!r->err && r->retval == 1,
			 "%s: coarse time, not 0, does not go back (%u)",
			 r->be, r->retval);
}

/* skb_pull_data: a linear skb has its whole length, no more. */
static void test_pull_data(void)
{
	static const __u64 lens[] = { 0, 1, sizeof(ipv4_tcp), sizeof(ipv4_tcp) + 1 };
	struct run res[2], *r;
	char name[48];
	int i, n;

	for (i = 0; i < (int)ARRAY_SIZE(lens); i++) {
		struct run c = base_run(TC);
		struct bpf_insn insns[] = {
			BPF64_MOV64_IMM(2, lens[i]),
			BPF64_CALL_HELPER(BPF_FUNC_skb_pull_data),
			BPF64_EXIT_INSN(),
		};

		c.insns = insns;
		c.cnt = ARRAY_SIZE(insns);
		snprintf(name, sizeof(name), "pull_data %llu",
			 (unsigned long long)lens[i]);
		n = run_both(name, &c, res);
		for_each_result(r, res, n)
			TU_CHECK(!r->err && (int)r->retval ==
				 (lens[i] > sizeof(ipv4_tcp) ? -ENOMEM : 0),
				 "%s: %s gives %d", r->be, name, (int)r->retval);
	}
}

/* ---- BPF_PROG_TEST_RUN's own rules ---- */

static void expect_run(const char *name, struct run *c, int err)
{
	struct run res[2], *r;
	int n = run_both(name, c, res);

	for_each_result(r, res, n)
		TU_CHECK(r->load >= 0 && r->err == err, "%s: %s: %d (%d)",
			 r->be, name, err, r->err);
}

static void test_run_errors(void)
{
	static unsigned char big[3713], short_ip[34], short_ip6[54];
	struct __sk_buff ctx;
	struct run c;

#define RET0	BPF64_MOV64_IMM(0, 0), BPF64_EXIT_INSN()
	c = base_run(SF);
	SET_PROG(c, RET0);
	c.size = ETH_HLEN - 1;
	expect_run("13 bytes", &c, -EINVAL);
	c = base_run(TC);
	SET_PROG(c, RET0);
	c.ctx = NULL;
	c.data = big;
	c.size = sizeof(big);
	expect_run("3713 bytes: more than a page less room", &c, -EINVAL);
	c.size = sizeof(big) - 1;
	expect_run("3712 bytes", &c, 0);
	memcpy(short_ip, ipv4_tcp, sizeof(short_ip));
	c.data = short_ip;
	c.size = sizeof(short_ip) - 1;
	expect_run("IPv4 shorter than its header", &c, -EINVAL);
	c.size = sizeof(short_ip);
	expect_run("IPv4 of 20 bytes", &c, 0);
	memcpy(short_ip6, ipv4_tcp, ETH_HLEN);
	short_ip6[12] = 0x86;
	short_ip6[13] = 0xdd;
	c.data = short_ip6;
	c.size = sizeof(short_ip6) - 1;
	expect_run("IPv6 shorter than its header", &c, -EINVAL);
	c.size = sizeof(short_ip6);
	expect_run("IPv6 of 40 bytes", &c, 0);

	c = base_run(TC);
	SET_PROG(c, RET0);
	c.ctx = &ctx;
	ctx = rich_ctx;
	ctx.len = 1;
	expect_run("ctx_in with len", &c, -EINVAL);
	ctx = rich_ctx;
	ctx.tc_index = 1;
	expect_run("ctx_in with tc_index", &c, -EINVAL);
	ctx = rich_ctx;
	ctx.tstamp_type = 1;
	expect_run("ctx_in with tstamp_type", &c, -EINVAL);
	ctx = rich_ctx;
	ctx.ifindex = 0x7ffffff0;
	expect_run("ctx_in with an unknown ifindex", &c, -ENODEV);
	ctx = rich_ctx;
	ctx.wire_len = sizeof(ipv4_tcp) - 1;
	expect_run("wire_len below len", &c, -EINVAL);
	ctx.wire_len = 65537;
	expect_run("wire_len above 64k", &c, -EINVAL);
	ctx.wire_len = 65536;
	expect_run("wire_len of 64k", &c, 0);
	ctx = rich_ctx;
	ctx.gso_segs = 65536;
	expect_run("gso_segs above 65535", &c, -EINVAL);
	c = base_run(SF);
	SET_PROG(c, RET0);
	c.flags = BPF_F_TEST_RUN_ON_CPU;
	expect_run("flags other than CHECKSUM_COMPLETE", &c, -EINVAL);
	c.flags = 0;
	c.out_room = 10;
	expect_run("data_out too small", &c, -ENOSPC);
#undef RET0
}

/* ctx_in longer than struct __sk_buff: only zeroes may follow. */
static void test_ctx_tail(void)
{
	const struct bpf64_backend *be;
	unsigned char ctx[sizeof(struct __sk_buff) + 8] = { };
	struct bpf_insn insns[] = { BPF64_MOV64_IMM(0, 0), BPF64_EXIT_INSN() };
	struct bpf64_load_opts lo = { .prog_type = SF };
	int fd, err, i;

	for_each_backend(be) {
		fd = bpf64_prog_load(be, insns, ARRAY_SIZE(insns), &lo);
		for (i = 0; i < 2; i++) {
			struct bpf64_test_opts t = {
				.data_in = ipv4_tcp, .data_size_in = sizeof(ipv4_tcp),
				.ctx_in = ctx, .ctx_size_in = sizeof(ctx),
			};

			ctx[sizeof(ctx) - 1] = i;
			err = bpf64_prog_test_run(be, fd, &t);
			TU_CHECK(err == (i ? -E2BIG : 0),
				 "%s: ctx_in with a %s tail: %d", be->name,
				 i ? "non-zero" : "zero", err);
		}
		be->close(fd);
	}
}

/* data_out cut short: the full size still comes back, -ENOSPC. */
static void test_data_out_short(void)
{
	struct run c = base_run(TC), res[2], *r;
	int n;

	SET_PROG(c, BPF64_MOV64_IMM(0, 3), BPF64_EXIT_INSN());
	c.out_room = 10;
	n = run_both("data_out of 10 bytes", &c, res);
	for_each_result(r, res, n)
		TU_CHECK(r->err == -ENOSPC && r->data_size_out == sizeof(ipv4_tcp) &&
			 r->retval == 3 && !memcmp(r->out, ipv4_tcp, 10) &&
			 !r->out[10],
			 "%s: 10 bytes copied, size %u, retval %u", r->be,
			 r->data_size_out, r->retval);
}

/* repeat runs the program on the same skb again and again. */
static void test_repeat(void)
{
	struct run c = base_run(SF), res[2], *r;
	int n;

	SET_PROG(c, 
		BPF64_LDX_MEM(BPF_W, 0, 1, SKB_OFF(cb[0])),
		BPF64_ALU64_IMM(BPF_ADD, 0, 1),
		BPF64_STX_MEM(BPF_W, 1, 0, SKB_OFF(cb[0])),
		BPF64_EXIT_INSN());
	c.repeat = 5;
	n = run_both("repeat 5", &c, res);
	for_each_result(r, res, n)
		TU_CHECK(!r->err && r->ctx_out.cb[0] == rich_ctx.cb[0] + 5 &&
			 r->retval == rich_ctx.cb[0] + 5,
			 "%s: cb[0] went up 5 times (%#x)", r->be,
			 r->ctx_out.cb[0]);
}

/*
 * eth_type_trans() on the loopback device: pkt_type from the destination
 * MAC, protocol from the ethertype or the 802.2 / raw 802.3 guess; and
 * what a run without ctx_in reads.
 */
static void test_eth_type_trans(void)
{
	static const struct {
		const char *name;
		unsigned char mac0, mac5;
		__u16 type, llc;
		__u32 size;
	} cases[] = {
		{ "host", 0, 0, 0x0800, 0, 64 },
		{ "broadcast", 0xff, 0xff, 0x86dd, 0, 64 },
		{ "other host", 0x02, 0x01, 0x0806, 0, 64 },
		{ "802.2", 0, 0, 0x05ff, 0x4242, 64 },
		{ "raw 802.3", 0, 0, 0x0100, 0xffff, 64 },
		{ "802.2 without room for a guess", 0, 0, 0x0100, 0xffff, 15 },
	};
	unsigned char pkt[64];
	struct run res[2], *r;
	int i, n;

	for (i = 0; i < (int)ARRAY_SIZE(cases); i++) {
		struct run c = base_run(SF);

		memcpy(pkt, ipv4_tcp, sizeof(pkt));
		memset(pkt, cases[i].mac0, 5);
		pkt[5] = cases[i].mac5;
		pkt[12] = cases[i].type >> 8;
		pkt[13] = cases[i].type;
		pkt[14] = cases[i].llc >> 8;
		pkt[15] = cases[i].llc;
		c.data = pkt;
		c.size = cases[i].size;
		c.ctx = NULL;
		/* r0 = protocol << 16 | pkt_type << 8 | wire_len */
		SET_PROG(c, 
			BPF64_LDX_MEM(BPF_W, 0, 1, SKB_OFF(protocol)),
			BPF64_ALU64_IMM(BPF_LSH, 0, 16),
			BPF64_LDX_MEM(BPF_W, 2, 1, SKB_OFF(pkt_type)),
			BPF64_ALU64_IMM(BPF_LSH, 2, 8),
			BPF64_ALU64_REG(BPF_OR, 0, 2),
			BPF64_LDX_MEM(BPF_W, 2, 1, SKB_OFF(gso_segs)),
			BPF64_ALU64_REG(BPF_OR, 0, 2),
			BPF64_EXIT_INSN());
		n = run_both(cases[i].name, &c, res);
		for_each_result(r, res, n)
			TU_CHECK(!r->err, "%s: %s: protocol %#x, pkt_type %u",
				 r->be, cases[i].name, r->retval >> 16,
				 r->retval >> 8 & 0xff);
	}
}

/* Without ctx_in wire_len reads 0; with a zeroed one, the length. */
static void test_wire_len_default(void)
{
	static const struct __sk_buff zero;
	struct run res[2], *r;
	int i, n;

	for (i = 0; i < 2; i++) {
		struct run c = base_run(TC);

		c.ctx = i ? &zero : NULL;
		SET_PROG(c, BPF64_LDX_MEM(BPF_W, 0, 1, SKB_OFF(wire_len)),
			       BPF64_EXIT_INSN());
		n = run_both(i ? "wire_len, zero ctx_in" : "wire_len, no ctx_in",
			     &c, res);
		for_each_result(r, res, n)
			TU_CHECK(!r->err && r->retval == (i ? sizeof(ipv4_tcp) : 0) &&
				 (!i || (r->ctx_out.ifindex == 1 &&
					 r->ctx_out.wire_len == sizeof(ipv4_tcp))),
				 "%s: wire_len %u, ctx_out ifindex %u", r->be,
				 r->retval, r->ctx_out.ifindex);
	}
}

/* SCHED_ACT programs are tc programs too. */
static void test_sched_act(void)
{
	struct run c = base_run(BPF_PROG_TYPE_SCHED_ACT), res[2], *r;
	int n;

	SET_PROG(c, BPF64_LDX_MEM(BPF_W, 0, 1, SKB_OFF(len)), BPF64_EXIT_INSN());
	n = run_both("sched_act len", &c, res);
	for_each_result(r, res, n)
		TU_CHECK(!r->err && r->retval == sizeof(ipv4_tcp),
			 "%s: sched_act sees the Ethernet header (len %u)",
			 r->be, r->retval);
}

int main(void)
{
	build_packets();
	test_fields();
	test_fields_sx();
	test_refused_access();
	test_cb_writes();
	test_tc_writes();
	test_tc_direct_access();
	test_data_out();
	test_ld_abs();
	test_load_bytes();
	test_refused_helpers();
	test_store_bytes();
	test_csum_replace();
	test_csum_errors();
	test_csum_diff();
	test_csum_complete();
	test_csum_level();
	test_hash();
	test_socket();
	test_base_helpers();
	test_pull_data();
	test_run_errors();
	test_ctx_tail();
	test_data_out_short();
	test_repeat();
	test_eth_type_trans();
	test_wire_len_default();
	test_sched_act();
	return tu_exit();
}
