/* SPDX-License-Identifier: GPL-2.0 */
/* Context fields allowed per program type, by offset and size. */

/* Load SIZE at OFF of the ctx of TYPE into r0 and return 0. */
#define VCTX_LD(...)	VCTX_LD_(__VA_ARGS__)
#define VCTX_LD_(TYPE, TNAME, FIELD, SIZE, OFF, ...)			\
	{ .name = "ctx: " TNAME " read " FIELD,				\
	  .prog_type = TYPE,						\
	  .insns = {							\
		BPF64_LDX_MEM(SIZE, R0, R1, OFF),			\
		VRET(0),						\
	  },								\
	  __VA_ARGS__ }
/* Store 0 with SIZE at OFF of the ctx. */
#define VCTX_ST(...)	VCTX_ST_(__VA_ARGS__)
#define VCTX_ST_(TYPE, TNAME, FIELD, SIZE, OFF, ...)			\
	{ .name = "ctx: " TNAME " write " FIELD,			\
	  .prog_type = TYPE,						\
	  .insns = {							\
		BPF64_MOV64_IMM(R2, 0),					\
		BPF64_STX_MEM(SIZE, R1, R2, OFF),			\
		VRET(0),						\
	  },								\
	  __VA_ARGS__ }
#define VC_OK	.result = ACCEPT
#define VC_BAD(OFF, SIZE)						\
	.result = REJECT, .err = EACCES,				\
	.msg = "invalid bpf_context access off=" #OFF " size=" #SIZE

#define SF	BPF_PROG_TYPE_SOCKET_FILTER, "socket filter"
#define TC	BPF_PROG_TYPE_SCHED_CLS, "sched_cls"
#define XDP	BPF_PROG_TYPE_XDP, "xdp"
#define KP	BPF_PROG_TYPE_KPROBE, "kprobe"
#define TP	BPF_PROG_TYPE_TRACEPOINT, "tracepoint"

/* struct __sk_buff */
VCTX_LD(SF, "len", BPF_W, 0, VC_OK),
VCTX_LD(SF, "len as u8", BPF_B, 0, VC_OK),
VCTX_LD(SF, "len as u16 at 2", BPF_H, 2, VC_OK),
VCTX_LD(SF, "len as u64", BPF_DW, 0, VC_BAD(0, 8)),
VCTX_LD(SF, "len misaligned", BPF_W, 1, VC_BAD(1, 4)),
VCTX_LD(SF, "pkt_type", BPF_W, 4, VC_OK),
VCTX_LD(SF, "mark", BPF_W, 8, VC_OK),
VCTX_LD(SF, "queue_mapping", BPF_W, 12, VC_OK),
VCTX_LD(SF, "protocol", BPF_W, 16, VC_OK),
VCTX_LD(SF, "cb[0]", BPF_W, 48, VC_OK),
VCTX_LD(SF, "cb[4]", BPF_W, 64, VC_OK),
VCTX_LD(SF, "cb[0] as u64", BPF_DW, 48, VC_OK),
VCTX_LD(SF, "hash", BPF_W, 68, VC_OK),
VCTX_LD(SF, "tc_classid", BPF_W, 72, VC_BAD(72, 4)),
VCTX_LD(SF, "data", BPF_W, 76, VC_BAD(76, 4)),
VCTX_LD(SF, "data_end", BPF_W, 80, VC_BAD(80, 4)),
VCTX_LD(SF, "napi_id", BPF_W, 84, VC_OK),
VCTX_LD(SF, "family", BPF_W, 88, VC_BAD(88, 4)),
VCTX_LD(SF, "data_meta", BPF_W, 140, VC_BAD(140, 4)),
VCTX_LD(SF, "past the end", BPF_W, 1024, VC_BAD(1024, 4)),
VCTX_LD(SF, "at a negative offset", BPF_W, -4, VC_BAD(-4, 4)),
VCTX_ST(SF, "len", BPF_W, 0, VC_BAD(0, 4)),
VCTX_ST(SF, "mark", BPF_W, 8, VC_BAD(8, 4)),
VCTX_ST(SF, "cb[0]", BPF_W, 48, VC_OK),
VCTX_ST(SF, "cb[4]", BPF_W, 64, VC_OK),
VCTX_ST(SF, "cb[2] as u64", BPF_DW, 56, VC_OK),
VCTX_ST(SF, "cb[0] as u8", BPF_B, 48, VC_OK),
VCTX_ST(SF, "hash", BPF_W, 68, VC_BAD(68, 4)),
VCTX_ST(SF, "tc_index", BPF_W, 44, VC_BAD(44, 4)),
VCTX_LD(TC, "len", BPF_W, 0, VC_OK),
VCTX_LD(TC, "tc_classid", BPF_W, 72, VC_OK),
VCTX_LD(TC, "data", BPF_W, 76, VC_OK),
VCTX_LD(TC, "data_end", BPF_W, 80, VC_OK),
VCTX_LD(TC, "data as u64", BPF_DW, 76, VC_BAD(76, 8)),
VCTX_LD(TC, "data as u16", BPF_H, 76, VC_BAD(76, 2)),
VCTX_LD(TC, "data_meta", BPF_W, 140, VC_OK),
VCTX_LD(TC, "family", BPF_W, 88, VC_BAD(88, 4)),
VCTX_LD(TC, "tstamp", BPF_DW, 152, VC_OK),
VCTX_LD(TC, "wire_len", BPF_W, 160, VC_OK),
VCTX_ST(TC, "mark", BPF_W, 8, VC_OK),
VCTX_ST(TC, "priority", BPF_W, 32, VC_OK),
VCTX_ST(TC, "tc_index", BPF_W, 44, VC_OK),
VCTX_ST(TC, "tc_classid", BPF_W, 72, VC_OK),
VCTX_ST(TC, "len", BPF_W, 0, VC_BAD(0, 4)),
VCTX_ST(TC, "data", BPF_W, 76, VC_BAD(76, 4)),
VCTX_ST(TC, "tstamp", BPF_DW, 152, VC_OK),
VCTX_ST(TC, "wire_len", BPF_W, 160, VC_BAD(160, 4)),
/* struct xdp_md */
VCTX_LD(XDP, "data", BPF_W, 0, VC_OK),
VCTX_LD(XDP, "data_end", BPF_W, 4, VC_OK),
VCTX_LD(XDP, "data_meta", BPF_W, 8, VC_OK),
VCTX_LD(XDP, "ingress_ifindex", BPF_W, 12, VC_OK),
VCTX_LD(XDP, "rx_queue_index", BPF_W, 16, VC_OK),
/* egress_ifindex only for BPF_XDP_DEVMAP programs */
VCTX_LD(XDP, "egress_ifindex", BPF_W, 20, VC_BAD(20, 4)),
VCTX_LD(XDP, "past egress_ifindex", BPF_W, 24, VC_BAD(24, 4)),
VCTX_LD(XDP, "data as u64", BPF_DW, 0, VC_BAD(0, 8)),
VCTX_LD(XDP, "data as u8", BPF_B, 0, VC_BAD(0, 1)),
/* xdp_md allows no narrow reads */
VCTX_LD(XDP, "ingress_ifindex as u8", BPF_B, 12, VC_BAD(12, 1)),
VCTX_LD(XDP, "misaligned", BPF_W, 2, VC_BAD(2, 4)),
VCTX_ST(XDP, "data", BPF_W, 0, VC_BAD(0, 4)),
VCTX_ST(XDP, "ingress_ifindex", BPF_W, 12, VC_BAD(12, 4)),
/* struct pt_regs (x86-64: 21 u64) */
VCTX_LD(KP, "regs[0]", BPF_DW, 0, VC_OK),
VCTX_LD(KP, "regs[20]", BPF_DW, 160, VC_OK),
VCTX_LD(KP, "past pt_regs", BPF_DW, 168, VC_BAD(168, 8)),
VCTX_LD(KP, "u32 at 4", BPF_W, 4, VC_OK),
VCTX_LD(KP, "misaligned u64", BPF_DW, 4, VC_BAD(4, 8)),
VCTX_ST(KP, "regs[0]", BPF_DW, 0, VC_BAD(0, 8)),
/* tracepoint: any aligned read below PERF_MAX_TRACE_SIZE (8192 in 6.18) */
VCTX_LD(TP, "u64 at 8", BPF_DW, 8, VC_OK),
VCTX_LD(TP, "u64 at 8184", BPF_DW, 8184, VC_OK),
VCTX_LD(TP, "u64 at 8192", BPF_DW, 8192, VC_BAD(8192, 8)),
VCTX_LD(TP, "u32 at 6", BPF_W, 6, VC_BAD(6, 4)),
VCTX_ST(TP, "u64 at 8", BPF_DW, 8, VC_BAD(8, 8)),

#undef SF
#undef TC
#undef XDP
#undef KP
#undef TP

{
	.name = "ctx: skb len of the test packet",
	.insns = {
		BPF64_LDX_MEM(BPF_W, R0, R1, 0),
		BPF64_EXIT_INSN(),
	},
	/* the test run pulls the Ethernet header: 64 - 14 */
	.result = ACCEPT, .run = true, .retval = 50,
},
{
	.name = "ctx: skb cb written then read",
	.insns = {
		BPF64_ST_MEM(BPF_W, R1, 52, 9),
		BPF64_LDX_MEM(BPF_W, R0, R1, 52),
		BPF64_EXIT_INSN(),
	},
	.result = ACCEPT, .run = true, .retval = 9,
},
{
	.name = "ctx: BPF_ST to skb mark",
	.prog_type = BPF_PROG_TYPE_SCHED_CLS,
	.insns = {
		BPF64_ST_MEM(BPF_W, R1, 8, 9),
		VRET(0),
	},
	/* refused by Linux before 6.4 ("BPF_ST stores into R1 ctx is not allowed") */
	.result = ACCEPT, .run = true, .retval = 0,
},
{
	.name = "ctx: atomic add to ctx",
	.prog_type = BPF_PROG_TYPE_SCHED_CLS,
	.insns = {
		BPF64_MOV64_IMM(R2, 1),
		BPF64_ATOMIC_OP(BPF_W, BPF_ADD, R1, R2, 8),
		VRET(0),
	},
	.result = REJECT, .err = EACCES, .msg = "BPF_ATOMIC stores into R1 ctx is not allowed",
},
{
	.name = "ctx: xdp egress_ifindex for a devmap program",
	.prog_type = BPF_PROG_TYPE_XDP,
	.attach_type = BPF_XDP_DEVMAP,
	.insns = {
		BPF64_LDX_MEM(BPF_W, R0, R1, 20),
		BPF64_EXIT_INSN(),
	},
	.result = ACCEPT,
},
{
	.name = "ctx: xdp ingress_ifindex of a test run",
	.prog_type = BPF_PROG_TYPE_XDP,
	.insns = {
		BPF64_LDX_MEM(BPF_W, R0, R1, 12),
		BPF64_EXIT_INSN(),
	},
	.result = ACCEPT, .run = true, .retval = 1,
},
{
	.name = "ctx: xdp data_end - data of a test run",
	.prog_type = BPF_PROG_TYPE_XDP,
	.insns = {
		BPF64_LDX_MEM(BPF_W, R2, R1, 0),
		BPF64_LDX_MEM(BPF_W, R0, R1, 4),
		BPF64_ALU64_REG(BPF_SUB, R0, R2),
		BPF64_EXIT_INSN(),
	},
	.result = ACCEPT, .run = true, .retval = 64,
},
