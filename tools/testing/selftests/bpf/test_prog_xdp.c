// SPDX-License-Identifier: GPL-2.0
/*
 * XDP programs: struct xdp_md, packet parsing within data_end, the
 * adjust_head / adjust_tail / adjust_meta helpers, fragments, load and
 * store bytes, and BPF_PROG_TEST_RUN's rules (headroom, metadata from
 * ctx_in, data_out).  Every program runs through bpf64 and through the
 * running kernel with the same input, and the two must agree on the
 * verdict, the error, retval, data_out and ctx_out.
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

#define ETH_HLEN	14
#define XDP_OFF(f)	offsetof(struct xdp_md, f)
/*
 * Linux's frame: a 4096-byte page, XDP_PACKET_HEADROOM before the packet,
 * 320 bytes of skb_shared_info at the end, an xdp_frame of 40 bytes at the
 * start that data_meta may not reach; 17 fragments of a page beyond.
 */
#define FRAME_END	(4096 - 320)
#define LINEAR_MAX	(FRAME_END - XDP_PACKET_HEADROOM)
#define FRAME_HDR	40
#define FRAGS_MAX	17
#define PKT_MAX		(LINEAR_MAX + FRAGS_MAX * 4096 + 64)

struct run {
	/* in */
	const struct bpf_insn *insns;
	__u32 cnt;
	__u32 attach;			/* expected_attach_type */
	const void *data;
	__u32 size;
	const struct xdp_md *ctx;	/* ctx_in, or NULL */
	bool ctx_out;			/* ctx_out even without ctx_in */
	__u32 repeat;
	__u32 flags;
	__u32 out_room;			/* data_size_out; 0: PKT_MAX */
	/* out */
	const char *be;
	int load;
	char log[8192];
	int err;
	__u32 retval;
	__u32 data_size_out;
	unsigned char out[PKT_MAX];
	struct xdp_md md;		/* ctx_out */
};

static void run_on(const struct bpf64_backend *be, struct run *r)
{
	struct bpf64_load_opts lo = {
		.prog_type = BPF_PROG_TYPE_XDP, .log_buf = r->log,
		.log_size = sizeof(r->log),
		.expected_attach_type = r->attach,
	};
	struct bpf64_test_opts t = {
		.data_in = r->data, .data_size_in = r->size,
		.data_out = r->out,
		.data_size_out = r->out_room ? r->out_room : PKT_MAX,
		.repeat = r->repeat, .flags = r->flags,
		.ctx_in = r->ctx, .ctx_size_in = r->ctx ? sizeof(*r->ctx) : 0,
	};

	r->be = be->name;
	r->err = 0;
	memset(r->out, 0, sizeof(r->out));
	memset(&r->md, 0, sizeof(r->md));
	if (r->ctx || r->ctx_out) {
		t.ctx_out = &r->md;
		t.ctx_size_out = sizeof(r->md);
	}
	r->load = bpf64_prog_load(be, r->insns, r->cnt, &lo);
	if (r->load < 0)
		return;
	r->err = bpf64_prog_test_run(be, r->load, &t);
	r->retval = t.retval;
	r->data_size_out = t.data_size_out;
	be->close(r->load);
}

static bool same_result(const struct run *a, const struct run *b)
{
	if (a->load < 0 || b->load < 0)
		return a->load == b->load;
	return a->err == b->err && a->retval == b->retval &&
	       a->data_size_out == b->data_size_out &&
	       !memcmp(a->out, b->out, sizeof(a->out)) &&
	       !memcmp(&a->md, &b->md, sizeof(a->md));
}

/* Run @c on both backends into res[]; they must agree.  How many ran. */
static int run_both(const char *name, const struct run *c, struct run *res)
{
	const struct bpf64_backend *be;
	int n = 0;
	bool same;

	for_each_backend(be) {
		res[n] = *c;
		run_on(be, &res[n++]);
	}
	if (n < 2)
		return n;
	same = same_result(&res[0], &res[1]);
	TU_CHECK(same, "%s: bpf64 and linux agree", name);
	if (!same)
		tu_diag("bpf64: load %d err %d retval %#x size %u; linux: load %d err %d retval %#x size %u",
			res[0].load, res[0].err, res[0].retval,
			res[0].data_size_out, res[1].load, res[1].err,
			res[1].retval, res[1].data_size_out);
	return n;
}

#define for_each_result(r, res, n) for ((r) = (res); (r) < (res) + (n); (r)++)

/* The packet: Ethernet, IPv4, UDP or TCP, then bytes counting up. */
static unsigned char pkt[PKT_MAX];

static void build_packet(__u8 ip_proto)
{
	static const unsigned char hdr[ETH_HLEN + 20] = {
		0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,
		0x45, 0, 0, 50, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	};
	size_t i;

	for (i = 0; i < sizeof(pkt); i++)
		pkt[i] = i * 7 + (i >> 8);
	memcpy(pkt, hdr, sizeof(hdr));
	pkt[ETH_HLEN + 9] = ip_proto;
}

static struct run base_run(__u32 size)
{
	return (struct run){ .data = pkt, .size = size };
}

/* r0 = helper(ctx, arg) */
#define SET_CALL(c, id, arg)						\
	SET_PROG(c, BPF64_MOV64_IMM(2, arg), BPF64_CALL_HELPER(id),	\
		 BPF64_EXIT_INSN())

/*
 * What a program sees: data_end - data, data_meta == data, the loopback's
 * ifindex and queue 0, packed as
 * r0 = len | (meta != data) << 15 | ingress_ifindex << 16 | rxq << 24.
 */
static void test_fields(void)
{
	static const struct xdp_md rxq = { .data_end = 100, .ingress_ifindex = 1 };
	struct run res[2], *r;
	int i, n;

	for (i = 0; i < 2; i++) {
		struct run c = base_run(100);

		c.ctx = i ? &rxq : NULL;
		SET_PROG(c,
			BPF64_LDX_MEM(BPF_W, 2, 1, XDP_OFF(data)),
			BPF64_LDX_MEM(BPF_W, 3, 1, XDP_OFF(data_end)),
			BPF64_LDX_MEM(BPF_W, 4, 1, XDP_OFF(data_meta)),
			BPF64_MOV64_REG(0, 3),
			BPF64_ALU64_REG(BPF_SUB, 0, 2),
			BPF64_JMP_REG(BPF_JEQ, 4, 2, 1),
			BPF64_ALU64_IMM(BPF_OR, 0, 1 << 15),
			BPF64_LDX_MEM(BPF_W, 5, 1, XDP_OFF(ingress_ifindex)),
			BPF64_ALU64_IMM(BPF_LSH, 5, 16),
			BPF64_ALU64_REG(BPF_OR, 0, 5),
			BPF64_LDX_MEM(BPF_W, 5, 1, XDP_OFF(rx_queue_index)),
			BPF64_ALU64_IMM(BPF_LSH, 5, 24),
			BPF64_ALU64_REG(BPF_OR, 0, 5),
			BPF64_EXIT_INSN());
		n = run_both(i ? "fields, queue 0 of ifindex 1" : "fields", &c, res);
		for_each_result(r, res, n)
			TU_CHECK(!r->err && r->retval == (100 | 1 << 16) &&
				 r->data_size_out == 100 && !memcmp(r->out, pkt, 100),
				 "%s: len 100, no metadata, ifindex 1, queue 0 (%#x)",
				 r->be, r->retval);
	}
}

/* Parse within data_end: drop TCP, pass the rest. */
static void test_parse(void)
{
	static const __u8 protos[] = { 6, 17 };
	struct run res[2], *r;
	int i, n;

	for (i = 0; i < 2; i++) {
		struct run c = base_run(64);

		build_packet(protos[i]);
		SET_PROG(c,
			BPF64_LDX_MEM(BPF_W, 2, 1, XDP_OFF(data)),
			BPF64_LDX_MEM(BPF_W, 3, 1, XDP_OFF(data_end)),
			BPF64_MOV64_IMM(0, XDP_ABORTED),
			BPF64_MOV64_REG(4, 2),
			BPF64_ALU64_IMM(BPF_ADD, 4, ETH_HLEN + 20),
			BPF64_JMP_REG(BPF_JGT, 4, 3, 6),
			BPF64_MOV64_IMM(0, XDP_PASS),
			BPF64_LDX_MEM(BPF_H, 5, 2, 12),
			BPF64_JMP_IMM(BPF_JNE, 5, htons(0x0800), 3),
			BPF64_LDX_MEM(BPF_B, 5, 2, ETH_HLEN + 9),
			BPF64_JMP_IMM(BPF_JNE, 5, 6, 1),
			BPF64_MOV64_IMM(0, XDP_DROP),
			BPF64_EXIT_INSN());
		n = run_both(i ? "parse UDP" : "parse TCP", &c, res);
		for_each_result(r, res, n)
			TU_CHECK(!r->err && r->retval == (i ? XDP_PASS : XDP_DROP),
				 "%s: %s gives %u", r->be, i ? "UDP" : "TCP",
				 r->retval);
	}
	build_packet(17);
}

struct adjust {
	int id;
	int arg;
	int want;		/* the helper's answer */
	__u32 size;		/* of the packet */
};

static const char *helper_name(int id)
{
	return id == BPF_FUNC_xdp_adjust_head ? "adjust_head" :
	       id == BPF_FUNC_xdp_adjust_tail ? "adjust_tail" : "adjust_meta";
}

/* adjust_head / _tail / _meta at and past their limits; data_out shows them. */
static void test_adjust(void)
{
	const struct adjust cases[] = {
		{ BPF_FUNC_xdp_adjust_head, 0, 0, 64 },
		{ BPF_FUNC_xdp_adjust_head, -(XDP_PACKET_HEADROOM - FRAME_HDR), 0, 64 },
		{ BPF_FUNC_xdp_adjust_head, -(XDP_PACKET_HEADROOM - FRAME_HDR) - 1, -EINVAL, 64 },
		{ BPF_FUNC_xdp_adjust_head, 64 - ETH_HLEN, 0, 64 },
		{ BPF_FUNC_xdp_adjust_head, 64 - ETH_HLEN + 1, -EINVAL, 64 },
		{ BPF_FUNC_xdp_adjust_head, -0x7fffffff - 1, -EINVAL, 64 },
		{ BPF_FUNC_xdp_adjust_tail, -(64 - ETH_HLEN), 0, 64 },
		{ BPF_FUNC_xdp_adjust_tail, -(64 - ETH_HLEN) - 1, -EINVAL, 64 },
		{ BPF_FUNC_xdp_adjust_tail, LINEAR_MAX - 64, 0, 64 },
		{ BPF_FUNC_xdp_adjust_tail, LINEAR_MAX - 64 + 1, -EINVAL, 64 },
		{ BPF_FUNC_xdp_adjust_tail, 5, 0, 64 },
		{ BPF_FUNC_xdp_adjust_tail, 0x7fffffff, -EINVAL, 64 },
		{ BPF_FUNC_xdp_adjust_meta, -4, 0, 64 },
		{ BPF_FUNC_xdp_adjust_meta, -3, -EACCES, 64 },
		{ BPF_FUNC_xdp_adjust_meta, -252, -EINVAL, 64 },
		{ BPF_FUNC_xdp_adjust_meta, -(XDP_PACKET_HEADROOM - FRAME_HDR), 0, 64 },
		{ BPF_FUNC_xdp_adjust_meta, 4, -EINVAL, 64 },
		{ BPF_FUNC_xdp_adjust_meta, 0, 0, 64 },
	};
	const struct adjust *a;
	struct run res[2], *r;
	char name[64];
	int n;

	for (a = cases; a < cases + ARRAY_SIZE(cases); a++) {
		struct run c = base_run(a->size);

		SET_CALL(c, a->id, a->arg);
		snprintf(name, sizeof(name), "%s %d", helper_name(a->id), a->arg);
		n = run_both(name, &c, res);
		for_each_result(r, res, n)
			TU_CHECK(!r->err && (int)r->retval == a->want,
				 "%s: %s gives %d (%d), %u bytes out", r->be,
				 name, a->want, (int)r->retval, r->data_size_out);
	}
}

/*
 * Grown headroom, tail and metadata are the program's to write: write a
 * word at each new start, within bounds, and see them in data_out.
 */
static void test_adjust_write(void)
{
	struct run c = base_run(64), res[2], *r;
	int n;

	SET_PROG(c,
		BPF64_MOV64_REG(6, 1),
		BPF64_MOV64_IMM(2, -8),
		BPF64_CALL_HELPER(BPF_FUNC_xdp_adjust_head),
		BPF64_MOV64_REG(1, 6),
		BPF64_MOV64_IMM(2, 12),
		BPF64_CALL_HELPER(BPF_FUNC_xdp_adjust_tail),
		BPF64_MOV64_REG(1, 6),
		BPF64_MOV64_IMM(2, -4),
		BPF64_CALL_HELPER(BPF_FUNC_xdp_adjust_meta),
		BPF64_LDX_MEM(BPF_W, 2, 6, XDP_OFF(data)),
		BPF64_LDX_MEM(BPF_W, 3, 6, XDP_OFF(data_end)),
		BPF64_LDX_MEM(BPF_W, 4, 6, XDP_OFF(data_meta)),
		BPF64_MOV64_IMM(0, 0),
		BPF64_MOV64_REG(5, 4),
		BPF64_ALU64_IMM(BPF_ADD, 5, 4),
		BPF64_JMP_REG(BPF_JGT, 5, 2, 10),
		BPF64_ST_MEM(BPF_W, 4, 0, 0x4d455441),		/* "ATEM" */
		BPF64_MOV64_REG(5, 2),
		BPF64_ALU64_IMM(BPF_ADD, 5, 84),
		BPF64_JMP_REG(BPF_JGT, 5, 3, 6),
		BPF64_ST_MEM(BPF_W, 2, 0, 0x44414548),		/* "HEAD" */
		BPF64_ST_MEM(BPF_W, 2, 80, 0x4c494154),		/* "TAIL" */
		BPF64_LDX_MEM(BPF_W, 0, 2, 72),			/* grown: zero */
		BPF64_LDX_MEM(BPF_W, 5, 2, 76),
		BPF64_ALU64_REG(BPF_OR, 0, 5),
		BPF64_ALU64_IMM(BPF_OR, 0, XDP_TX),
		BPF64_EXIT_INSN());
	n = run_both("writes into grown head, tail and metadata", &c, res);
	for_each_result(r, res, n)
		TU_CHECK(!r->err && r->retval == XDP_TX && r->data_size_out == 88 &&
			 !memcmp(r->out, "ATEMHEAD", 8) &&
			 !memcmp(r->out + 12, pkt, 64) &&
			 !memcmp(r->out + 84, "TAIL", 4),
			 "%s: metadata, head, packet, zeroes, tail (%u, %u bytes)",
			 r->be, r->retval, r->data_size_out);
}

/* Metadata from ctx_in: the first ctx.data bytes of data_in. */
static void test_ctx_meta(void)
{
	struct xdp_md md = { .data = 8, .data_end = 100 };
	struct run c = base_run(100), res[2], *r;
	int n;

	c.ctx = &md;
	SET_PROG(c,
		BPF64_MOV64_REG(6, 1),
		BPF64_LDX_MEM(BPF_W, 2, 6, XDP_OFF(data)),
		BPF64_LDX_MEM(BPF_W, 4, 6, XDP_OFF(data_meta)),
		BPF64_MOV64_REG(5, 4),
		BPF64_ALU64_IMM(BPF_ADD, 5, 8),
		BPF64_MOV64_IMM(7, 0),
		BPF64_JMP_REG(BPF_JGT, 5, 2, 1),
		BPF64_LDX_MEM(BPF_W, 7, 4, 4),
		/* the metadata moves with the head */
		BPF64_MOV64_REG(1, 6),
		BPF64_MOV64_IMM(2, 10),
		BPF64_CALL_HELPER(BPF_FUNC_xdp_adjust_head),
		BPF64_ALU64_REG(BPF_OR, 0, 7),
		BPF64_EXIT_INSN());
	n = run_both("metadata from ctx_in", &c, res);
	for_each_result(r, res, n) {
		__u32 word;

		memcpy(&word, pkt + 4, 4);
		TU_CHECK(!r->err && r->retval == word && r->md.data == 8 &&
			 r->md.data_end == 90 && r->data_size_out == 90 &&
			 !memcmp(r->out, pkt, 8) && !memcmp(r->out + 8, pkt + 18, 82),
			 "%s: metadata read %#x, kept in front (data %u end %u)",
			 r->be, r->retval, r->md.data, r->md.data_end);
	}
}

struct md_case {
	const char *name;
	struct xdp_md md;
	__u32 size;
	int err;
};

static void test_ctx_rules(void)
{
	const struct md_case cases[] = {
		{ "data_meta set", { .data_meta = 4, .data_end = 64 }, 64, -EINVAL },
		{ "data_end past data_in", { .data_end = 65 }, 64, -EINVAL },
		{ "data past data_end", { .data = 8, .data_end = 4 }, 64, -EINVAL },
		{ "metadata of 3", { .data = 3, .data_end = 64 }, 64, -EINVAL },
		{ "metadata of 216", { .data = 216, .data_end = 300 }, 300, 0 },
		{ "metadata of 220", { .data = 220, .data_end = 300 }, 300, -EINVAL },
		{ "13 bytes after metadata", { .data = 8, .data_end = 20 }, 21, -EINVAL },
		{ "14 bytes after metadata", { .data = 8, .data_end = 20 }, 22, 0 },
		{ "egress_ifindex", { .data_end = 64, .egress_ifindex = 1 }, 64, -EINVAL },
		{ "queue without ifindex", { .data_end = 64, .rx_queue_index = 1 }, 64, -EINVAL },
		{ "queue 1 of ifindex 1", { .data_end = 64, .ingress_ifindex = 1,
					    .rx_queue_index = 1 }, 64, -EINVAL },
		{ "unknown ifindex", { .data_end = 64, .ingress_ifindex = 0x7ffffff0 }, 64, -ENODEV },
		{ "data_end 0: all in fragments", { .data_end = 0 }, 64, 0 },
		{ "13 bytes", { .data_end = 13 }, 13, -EINVAL },
	};
	const struct md_case *m;
	struct run res[2], *r;
	int n;

	for (m = cases; m < cases + ARRAY_SIZE(cases); m++) {
		struct run c = base_run(m->size);

		c.ctx = &m->md;
		SET_CALL(c, BPF_FUNC_xdp_get_buff_len, 0);
		n = run_both(m->name, &c, res);
		for_each_result(r, res, n)
			TU_CHECK(r->err == m->err &&
				 (m->err || (r->retval == m->size - m->md.data &&
					     r->data_size_out == m->size &&
					     !memcmp(r->out, pkt, m->size))),
				 "%s: %s: %d (%d), %u bytes", r->be, m->name,
				 m->err, r->err, r->retval);
	}
}

/*
 * Packets longer than the frame's room: fragments of a page.  Only the
 * helpers reach them: get_buff_len, adjust_tail (the last fragment grows
 * into its page, fragments shrink from the last), load and store bytes.
 */
static void test_frags(void)
{
	const __u32 size = 5000, frag = size - LINEAR_MAX;
	const struct adjust cases[] = {
		{ BPF_FUNC_xdp_get_buff_len, 0, 5000, 5000 },
		{ BPF_FUNC_xdp_adjust_tail, 100, 0, 5000 },
		{ BPF_FUNC_xdp_adjust_tail, 4096 - frag, 0, 5000 },
		{ BPF_FUNC_xdp_adjust_tail, 4096 - frag + 1, -EINVAL, 5000 },
		{ BPF_FUNC_xdp_adjust_tail, -1000, 0, 5000 },
		{ BPF_FUNC_xdp_adjust_tail, -(int)frag, 0, 5000 },
		{ BPF_FUNC_xdp_adjust_tail, -(int)frag - 20, 0, 5000 },
		{ BPF_FUNC_xdp_adjust_tail, -(5000 - ETH_HLEN), 0, 5000 },
		{ BPF_FUNC_xdp_adjust_tail, -(5000 - ETH_HLEN) - 1, -EINVAL, 5000 },
		{ BPF_FUNC_xdp_adjust_tail, -0x7fffffff - 1, 0, 5000 },
		{ BPF_FUNC_xdp_adjust_head, 20, 0, 5000 },
		{ BPF_FUNC_xdp_get_buff_len, 0, LINEAR_MAX + 17 * 4096,
		  LINEAR_MAX + 17 * 4096 },
	};
	const struct adjust *a;
	struct run res[2], *r;
	char name[64];
	int n;

	for (a = cases; a < cases + ARRAY_SIZE(cases); a++) {
		struct run c = base_run(a->size);

		SET_CALL(c, a->id, a->arg);
		snprintf(name, sizeof(name), "%u bytes: %s %d", a->size,
			 a->id == BPF_FUNC_xdp_get_buff_len ? "get_buff_len" :
			 helper_name(a->id), a->arg);
		n = run_both(name, &c, res);
		for_each_result(r, res, n)
			TU_CHECK(!r->err && (int)r->retval == a->want,
				 "%s: %s gives %d (%d), %u bytes out", r->be,
				 name, a->want, (int)r->retval, r->data_size_out);
	}
}

/*
 * ctx_out alone makes a zeroed context, whose data_end of 0 puts the whole
 * packet in fragments: the program sees no linear bytes at all.
 */
static void test_ctx_out_only(void)
{
	struct run c = base_run(100), res[2], *r;
	int n;

	c.ctx_out = true;
	SET_PROG(c,
		BPF64_MOV64_REG(6, 1),
		BPF64_CALL_HELPER(BPF_FUNC_xdp_get_buff_len),
		BPF64_LDX_MEM(BPF_W, 2, 6, XDP_OFF(data)),
		BPF64_LDX_MEM(BPF_W, 3, 6, XDP_OFF(data_end)),
		BPF64_ALU64_REG(BPF_SUB, 3, 2),
		BPF64_ALU64_IMM(BPF_LSH, 3, 16),
		BPF64_ALU64_REG(BPF_OR, 0, 3),
		BPF64_EXIT_INSN());
	n = run_both("ctx_out without ctx_in", &c, res);
	for_each_result(r, res, n)
		TU_CHECK(!r->err && r->retval == 100 && !r->md.data_end &&
			 r->data_size_out == 100 && !memcmp(r->out, pkt, 100),
			 "%s: 100 bytes, none linear (%#x)", r->be, r->retval);
}

/* One byte more than 17 fragments hold. */
static void test_frags_too_many(void)
{
	struct run c = base_run(LINEAR_MAX + FRAGS_MAX * 4096 + 1), res[2], *r;
	int n;

	SET_CALL(c, BPF_FUNC_xdp_get_buff_len, 0);
	n = run_both("18 fragments", &c, res);
	for_each_result(r, res, n)
		TU_CHECK(r->err == -ENOMEM, "%s: more than 17 fragments: -ENOMEM (%d)",
			 r->be, r->err);
}

struct bytes_case {
	const char *name;
	int id;
	__u32 off, len;
	int want;
};

/* xdp_load_bytes / xdp_store_bytes of 8 bytes, across the first fragment. */
static void test_load_store_bytes(void)
{
	static const struct bytes_case cases[] = {
		{ "load at 10", BPF_FUNC_xdp_load_bytes, 10, 8, 0 },
		{ "load across the fragment", BPF_FUNC_xdp_load_bytes, LINEAR_MAX - 3, 8, 0 },
		{ "load at the end", BPF_FUNC_xdp_load_bytes, 4992, 8, 0 },
		{ "load past the end", BPF_FUNC_xdp_load_bytes, 4993, 8, -EINVAL },
		{ "load at 0x10000", BPF_FUNC_xdp_load_bytes, 0x10000, 8, -EFAULT },
		{ "store across the fragment", BPF_FUNC_xdp_store_bytes, LINEAR_MAX - 5, 8, 0 },
		{ "store in the fragment", BPF_FUNC_xdp_store_bytes, 4000, 8, 0 },
		{ "store past the end", BPF_FUNC_xdp_store_bytes, 4996, 8, -EINVAL },
	};
	const struct bytes_case *b;
	struct run res[2], *r;
	int n;

	for (b = cases; b < cases + ARRAY_SIZE(cases); b++) {
		bool load = b->id == BPF_FUNC_xdp_load_bytes;
		struct run c = base_run(5000);
		unsigned char want[5000];
		__u64 word;

		/* r0 = helper(ctx, off, fp-8, len); r0 ^= the 8 bytes there */
		SET_PROG(c,
			BPF64_LD_IMM64(2, 0x1122334455667788ULL),
			BPF64_STX_MEM(BPF_DW, 10, 2, -8),
			BPF64_MOV64_IMM(2, b->off),
			BPF64_MOV64_REG(3, 10),
			BPF64_ALU64_IMM(BPF_ADD, 3, -8),
			BPF64_MOV64_IMM(4, b->len),
			BPF64_CALL_HELPER(b->id),
			BPF64_LDX_MEM(BPF_DW, 2, 10, -8),
			BPF64_ALU64_REG(BPF_XOR, 2, 0),
			BPF64_MOV64_REG(0, 2),
			BPF64_ALU64_IMM(BPF_RSH, 2, 32),
			BPF64_ALU64_REG(BPF_XOR, 0, 2),
			BPF64_EXIT_INSN());
		memcpy(want, pkt, sizeof(want));
		word = 0x1122334455667788ULL;
		if (!b->want && load)
			memcpy(&word, pkt + b->off, 8);
		else if (!b->want)
			memcpy(want + b->off, &word, 8);
		word ^= (__u64)(__s64)b->want;
		n = run_both(b->name, &c, res);
		for_each_result(r, res, n)
			TU_CHECK(!r->err && r->retval == (__u32)(word ^ word >> 32) &&
				 r->data_size_out == sizeof(want) &&
				 !memcmp(r->out, want, sizeof(want)),
				 "%s: %s gives %d and the bytes (%#x)", r->be,
				 b->name, b->want, r->retval);
	}
}

/*
 * data_out cut short with fragments: Linux cuts the linear part and still
 * writes every fragment after it.  (When not even the fragments fit it
 * writes nothing and leaves data_size_out alone; bpf64 reports the size
 * anyway, so that case is not compared.)
 */
static void test_frags_short_out(void)
{
	struct run c = base_run(5000), res[2], *r;
	const __u32 frag = 5000 - LINEAR_MAX, room = 4000;
	const struct bpf64_backend *be;
	int n;

	SET_PROG(c, BPF64_MOV64_IMM(0, XDP_PASS), BPF64_EXIT_INSN());
	c.out_room = room;
	n = run_both("data_out of 4000 of 5000 bytes", &c, res);
	for_each_result(r, res, n)
		TU_CHECK(r->err == -ENOSPC && r->data_size_out == 5000 &&
			 !memcmp(r->out, pkt, room - frag) &&
			 !memcmp(r->out + room - frag, pkt + LINEAR_MAX, frag),
			 "%s: linear part cut, fragment whole (%d, %u)", r->be,
			 r->err, r->data_size_out);
	c.out_room = frag - 1;
	for_each_backend(be) {
		res[0] = c;
		run_on(be, &res[0]);
		TU_CHECK(res[0].err == -ENOSPC &&
			 !memcmp(res[0].out, res[0].out + 1, frag),
			 "%s: a fragment that does not fit: nothing copied (%d)",
			 be->name, res[0].err);
	}
}

/* Loads Linux refuses, with its message. */
static void expect_refused(const char *name, struct run *c, int err,
			   const char *msg)
{
	struct run res[2], *r;
	int n = run_both(name, c, res);

	for_each_result(r, res, n)
		TU_CHECK(r->load == err && strstr(r->log, msg),
			 "%s: %s refused %d with '%s' (%d)", r->be, name, err,
			 msg, r->load);
}

static void test_refused(void)
{
	static const struct {
		const char *name;
		int off, size;
		bool write;
		bool sx;
	} bad[] = {
		{ "store to data", XDP_OFF(data), 4, true },
		{ "store to rx_queue_index", XDP_OFF(rx_queue_index), 4, true },
		{ "2-byte load of data_end", XDP_OFF(data_end), 2, false },
		{ "1-byte load of ingress_ifindex", XDP_OFF(ingress_ifindex), 1, false },
		{ "8-byte load of data", XDP_OFF(data), 8, false },
		{ "egress_ifindex outside devmap", XDP_OFF(egress_ifindex), 4, false },
		{ "past xdp_md", sizeof(struct xdp_md), 4, false },
		{ "misaligned", 2, 4, false },
		{ "sign-extending load of data", XDP_OFF(data), 4, false, true },
		{ "sign-extending load of data_meta", XDP_OFF(data_meta), 4, false, true },
	};
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
		static const __u8 sizes[] = { [1] = BPF_B, [2] = BPF_H,
					       [4] = BPF_W, [8] = BPF_DW };
		struct run c = base_run(64);
		struct bpf_insn insns[] = {
			bad[i].write ?
			BPF64_ST_MEM(sizes[bad[i].size], 1, bad[i].off, 0) :
			BPF64_RAW_INSN(BPF_LDX | sizes[bad[i].size] |
				       (bad[i].sx ? BPF_MEMSX : BPF_MEM), 0, 1,
				       bad[i].off, 0),
			BPF64_MOV64_IMM(0, 0),
			BPF64_EXIT_INSN(),
		};

		c.insns = insns;
		c.cnt = ARRAY_SIZE(insns);
		expect_refused(bad[i].name, &c, -EACCES, "invalid bpf_context access");
	}
	{
		struct run c = base_run(64);

		SET_PROG(c, BPF64_MOV64_IMM(2, 0), BPF64_MOV64_REG(3, 10),
			 BPF64_ALU64_IMM(BPF_ADD, 3, -8), BPF64_MOV64_IMM(4, 8),
			 BPF64_CALL_HELPER(BPF_FUNC_skb_load_bytes),
			 BPF64_EXIT_INSN());
		expect_refused("xdp calls skb_load_bytes", &c, -EINVAL,
			       "program of this type cannot use helper bpf_skb_load_bytes#26");
	}
}

/* Devmap programs see egress_ifindex, and have no test run. */
static void test_devmap(void)
{
	struct run c = base_run(64), res[2], *r;
	int n;

	c.attach = BPF_XDP_DEVMAP;
	SET_PROG(c, BPF64_LDX_MEM(BPF_W, 0, 1, XDP_OFF(egress_ifindex)),
		 BPF64_EXIT_INSN());
	n = run_both("devmap program", &c, res);
	for_each_result(r, res, n)
		TU_CHECK(r->load >= 0 && r->err == -EINVAL,
			 "%s: devmap program loads (%d), its test run -EINVAL (%d)",
			 r->be, r->load, r->err);
}

/* repeat: each run grows the head of the same frame by one byte. */
static void test_repeat(void)
{
	struct run c = base_run(64), res[2], *r;
	int n;

	c.repeat = 5;
	SET_CALL(c, BPF_FUNC_xdp_adjust_head, -1);
	n = run_both("repeat 5", &c, res);
	for_each_result(r, res, n)
		TU_CHECK(!r->err && r->data_size_out == 69 &&
			 !memcmp(r->out + 5, pkt, 64),
			 "%s: five bytes of headroom became packet (%u)",
			 r->be, r->data_size_out);
}

/* Flags and batches belong to live frames. */
static void test_run_flags(void)
{
	const struct bpf64_backend *be;
	struct bpf_insn insns[] = { BPF64_MOV64_IMM(0, XDP_PASS), BPF64_EXIT_INSN() };
	struct bpf64_load_opts lo = { .prog_type = BPF_PROG_TYPE_XDP };
	union bpf_attr attr;
	int fd;
	long err;

	for_each_backend(be) {
		fd = bpf64_prog_load(be, insns, ARRAY_SIZE(insns), &lo);
		memset(&attr, 0, sizeof(attr));
		attr.test.prog_fd = fd;
		attr.test.data_in = (__u64)(unsigned long)pkt;
		attr.test.data_size_in = 64;
		attr.test.flags = BPF_F_TEST_SKB_CHECKSUM_COMPLETE;
		err = be->sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr));
		TU_CHECK(err == -EINVAL, "%s: an skb flag: -EINVAL (%ld)",
			 be->name, err);
		attr.test.flags = 0;
		attr.test.batch_size = 4;
		err = be->sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr));
		TU_CHECK(err == -EINVAL, "%s: a batch without live frames: -EINVAL (%ld)",
			 be->name, err);
		be->close(fd);
	}
}

int main(void)
{
	build_packet(17);
	test_fields();
	test_parse();
	test_adjust();
	test_adjust_write();
	test_ctx_meta();
	test_ctx_rules();
	test_frags();
	test_ctx_out_only();
	test_frags_too_many();
	test_load_store_bytes();
	test_frags_short_out();
	test_refused();
	test_devmap();
	test_repeat();
	test_run_flags();
	return tu_exit();
}
