// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_PROG_TYPE_XDP: Linux's struct xdp_md context, the XDP helpers and
 * BPF_PROG_TEST_RUN (net/core/filter.c and net/bpf/test_run.c are the
 * reference).
 *
 * A program's r1 points at struct bpf64_xdp_ctx, the first member of
 * bpf64's xdp_buff: data, data_end and data_meta as 64-bit pointers, read
 * only to programs so that the helpers may trust them.  The frame is laid
 * out as Linux lays out a test run's: one page whose first
 * XDP_PACKET_HEADROOM bytes are headroom (less the metadata a ctx_in
 * asks for) and whose last NET_SHINFO_ROOM bytes are tailroom, and beyond
 * what fits there, fragments of a page each that only the helpers reach.
 * A checked run may read and write the whole frame page but the tailroom,
 * since the helpers move data, data_meta and data_end within it.
 */
#include <linux/bpf64/helpers.h>
#include "skb.h"

#define XDP_FRAME_SIZE		40U	/* sizeof(struct xdp_frame) */
#define XDP_META_MAX		255U	/* skb_shared_info's meta_len is a u8 */
#define XDP_MAX_FRAGS		17U	/* MAX_SKB_FRAGS */
#define XDP_LOOPBACK_IFINDEX	1
#define XDP_HARD_END		(NET_PAGE_SIZE - NET_SHINFO_ROOM)

struct bpf64_xdp_ctx {
	u64 data;
	u64 data_end;
	u64 data_meta;
	u32 ingress_ifindex;	/* rxq->dev->ifindex */
	u32 rx_queue_index;
	u32 egress_ifindex;	/* txq->dev->ifindex: devmap programs only */
};

struct xdp_frag {
	u8 *page;		/* NET_PAGE_SIZE bytes */
	u32 size;
};

struct bpf64_xdp_buff {
	struct bpf64_xdp_ctx ctx;	/* first: what r1 points at */
	u8 *hard_start;			/* the frame page */
	u32 nr_frags;			/* in use; pages past them stay allocated */
	u32 frags_size;
	struct xdp_frag frags[XDP_MAX_FRAGS];
};

static struct bpf64_xdp_buff *to_xdp(u64 ctx)
{
	return net_ptr(ctx);
}

/* Offsets from the start of the frame: signed, so any adjustment compares. */
static s64 xdp_pos(const struct bpf64_xdp_buff *xdp, u64 addr)
{
	return (s64)(addr - net_addr(xdp->hard_start));
}

static u64 xdp_addr(const struct bpf64_xdp_buff *xdp, s64 pos)
{
	return net_addr(xdp->hard_start) + pos;
}

static u32 xdp_linear_len(const struct bpf64_xdp_buff *xdp)
{
	return xdp->ctx.data_end - xdp->ctx.data;
}

static u32 xdp_buff_len(const struct bpf64_xdp_buff *xdp)
{
	return xdp_linear_len(xdp) + xdp->frags_size;
}

/*
 * Copy @len bytes at @off of the packet (from data on, through the
 * fragments) to or from @buf.  The caller checked that they are there.
 */
static void xdp_copy(struct bpf64_xdp_buff *xdp, u32 off, u8 *buf, u32 len,
		     bool to_packet)
{
	u8 *seg = net_ptr(xdp->ctx.data);
	u32 seg_len = xdp_linear_len(xdp), i = 0, n;

	for (;;) {
		if (off < seg_len) {
			n = min(len, seg_len - off);
			if (to_packet)
				memcpy(seg + off, buf, n);
			else
				memcpy(buf, seg + off, n);
			buf += n;
			len -= n;
			off = 0;
		} else {
			off -= seg_len;
		}
		if (!len || i == xdp->nr_frags)
			return;
		seg = xdp->frags[i].page;
		seg_len = xdp->frags[i++].size;
	}
}

/* ---- helpers ---- */

static u64 bpf64_xdp_adjust_head(u64 ctx, u64 offset, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_xdp_buff *xdp = to_xdp(ctx);
	s64 meta = xdp_pos(xdp, xdp->ctx.data_meta);
	s64 metalen = xdp_pos(xdp, xdp->ctx.data) - meta;
	s64 data = xdp_pos(xdp, xdp->ctx.data) + (s32)offset;

	if (data < XDP_FRAME_SIZE + metalen ||
	    data > xdp_pos(xdp, xdp->ctx.data_end) - NET_ETH_HLEN)
		return -EINVAL;
	/* The metadata moves with the packet's start. */
	if (metalen)
		net_memmove(xdp->hard_start + meta + (s32)offset,
			    xdp->hard_start + meta, metalen);
	xdp->ctx.data_meta = xdp_addr(xdp, meta + (s32)offset);
	xdp->ctx.data = xdp_addr(xdp, data);
	return 0;
}

static const struct bpf64_func_proto xdp_adjust_head_proto = {
	.func		= bpf64_xdp_adjust_head,
	.name		= "bpf_xdp_adjust_head",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING },
};

static u64 bpf64_xdp_adjust_meta(u64 ctx, u64 offset, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_xdp_buff *xdp = to_xdp(ctx);
	s64 meta = xdp_pos(xdp, xdp->ctx.data_meta) + (s32)offset;
	s64 metalen = xdp_pos(xdp, xdp->ctx.data) - meta;

	if (meta < XDP_FRAME_SIZE || metalen < 0)
		return -EINVAL;
	if ((metalen & 3) || metalen > XDP_META_MAX)
		return -EACCES;
	xdp->ctx.data_meta = xdp_addr(xdp, meta);
	return 0;
}

static const struct bpf64_func_proto xdp_adjust_meta_proto = {
	.func		= bpf64_xdp_adjust_meta,
	.name		= "bpf_xdp_adjust_meta",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING },
};

/* The last fragment grows into the rest of its page. */
static u64 xdp_frags_grow(struct bpf64_xdp_buff *xdp, u32 grow)
{
	struct xdp_frag *frag = &xdp->frags[xdp->nr_frags - 1];

	if (grow > NET_PAGE_SIZE - frag->size)
		return -EINVAL;
	memset(frag->page + frag->size, 0, grow);
	frag->size += grow;
	xdp->frags_size += grow;
	return 0;
}

/*
 * Fragments shrink from the last, and go when emptied; what is left to cut
 * once none remain comes off the linear part.  @shrink is an int that Linux
 * negated, wrapping as the kernel's arithmetic does.
 */
static u64 xdp_frags_shrink(struct bpf64_xdp_buff *xdp, s32 shrink)
{
	struct xdp_frag *frag;
	u32 cut;

	if (shrink > (s32)xdp_buff_len(xdp) - (s32)NET_ETH_HLEN)
		return -EINVAL;
	while (xdp->nr_frags && shrink > 0) {
		frag = &xdp->frags[xdp->nr_frags - 1];
		cut = min((u32)shrink, frag->size);
		shrink -= cut;
		xdp->frags_size -= cut;
		frag->size -= cut;
		if (frag->size)
			break;
		xdp->nr_frags--;
	}
	if (!xdp->nr_frags)
		xdp->ctx.data_end -= shrink;
	return 0;
}

static u64 bpf64_xdp_adjust_tail(u64 ctx, u64 offset, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_xdp_buff *xdp = to_xdp(ctx);
	s32 off = offset;
	s64 end = xdp_pos(xdp, xdp->ctx.data_end) + off;

	if (xdp->nr_frags)
		return off < 0 ? xdp_frags_shrink(xdp, (s32)(0U - (u32)off)) :
				 xdp_frags_grow(xdp, off);
	if (end > XDP_HARD_END ||
	    end < xdp_pos(xdp, xdp->ctx.data) + NET_ETH_HLEN)
		return -EINVAL;
	/* Bytes a tail grows into were the program's to see; clear them. */
	if (off > 0)
		memset(net_ptr(xdp->ctx.data_end), 0, off);
	xdp->ctx.data_end = xdp_addr(xdp, end);
	return 0;
}

static const struct bpf64_func_proto xdp_adjust_tail_proto = {
	.func		= bpf64_xdp_adjust_tail,
	.name		= "bpf_xdp_adjust_tail",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING },
};

static u64 bpf64_xdp_get_buff_len(u64 ctx, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return xdp_buff_len(to_xdp(ctx));
}

static const struct bpf64_func_proto xdp_get_buff_len_proto = {
	.func		= bpf64_xdp_get_buff_len,
	.name		= "bpf_xdp_get_buff_len",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX },
};

/* bpf_xdp_pointer()'s checks; unlike skb_load_bytes nothing is cleared. */
static int xdp_bytes_ok(const struct bpf64_xdp_buff *xdp, u32 off, u32 len)
{
	if (off > 0xffff || len > 0xffff)
		return -EFAULT;
	if (off + len > xdp_buff_len(xdp))
		return -EINVAL;
	return 0;
}

static u64 bpf64_xdp_load_bytes(u64 ctx, u64 offset, u64 buf, u64 len,
				u64 r5)
{
	struct bpf64_xdp_buff *xdp = to_xdp(ctx);
	int err = xdp_bytes_ok(xdp, offset, len);

	if (!err)
		xdp_copy(xdp, offset, net_ptr(buf), len, false);
	return err;
}

static const struct bpf64_func_proto xdp_load_bytes_proto = {
	.func		= bpf64_xdp_load_bytes,
	.name		= "bpf_xdp_load_bytes",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING,
			    BPF64_ARG_PTR_TO_UNINIT_MEM, BPF64_ARG_CONST_SIZE },
};

static u64 bpf64_xdp_store_bytes(u64 ctx, u64 offset, u64 buf, u64 len,
				 u64 r5)
{
	struct bpf64_xdp_buff *xdp = to_xdp(ctx);
	int err = xdp_bytes_ok(xdp, offset, len);

	if (!err)
		xdp_copy(xdp, offset, net_ptr(buf), len, true);
	return err;
}

static const struct bpf64_func_proto xdp_store_bytes_proto = {
	.func		= bpf64_xdp_store_bytes,
	.name		= "bpf_xdp_store_bytes",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING,
			    BPF64_ARG_PTR_TO_MEM, BPF64_ARG_CONST_SIZE },
};

/*
 * xdp_func_proto()'s list.  bpf64 lacks perf_event_output, the redirects,
 * the FIB, MTU and socket lookups and the syncookie helpers.
 */
static const struct bpf64_func_proto *const xdp_protos[] = {
	[BPF_FUNC_csum_diff]		= &bpf64_csum_diff_proto,
	[BPF_FUNC_xdp_adjust_head]	= &xdp_adjust_head_proto,
	[BPF_FUNC_xdp_adjust_meta]	= &xdp_adjust_meta_proto,
	[BPF_FUNC_xdp_adjust_tail]	= &xdp_adjust_tail_proto,
	[BPF_FUNC_xdp_get_buff_len]	= &xdp_get_buff_len_proto,
	[BPF_FUNC_xdp_load_bytes]	= &xdp_load_bytes_proto,
	[BPF_FUNC_xdp_store_bytes]	= &xdp_store_bytes_proto,
};

static const struct bpf64_func_proto *
xdp_func_proto(u32 func_id, const struct bpf64_prog *prog)
{
	if (func_id < ARRAY_SIZE(xdp_protos) && xdp_protos[func_id])
		return xdp_protos[func_id];
	return bpf64_sk_base_func_proto(func_id, prog);
}

/* ---- struct xdp_md: six u32 fields, read whole ---- */

static const struct {
	u16 ioff;		/* in struct bpf64_xdp_ctx */
	u8 bpf_size;
	u8 reg_type;
} xdp_fields[] = {
	{ offsetof(struct bpf64_xdp_ctx, data), BPF_DW, BPF64_PTR_TO_PACKET },
	{ offsetof(struct bpf64_xdp_ctx, data_end), BPF_DW,
	  BPF64_PTR_TO_PACKET_END },
	{ offsetof(struct bpf64_xdp_ctx, data_meta), BPF_DW,
	  BPF64_PTR_TO_PACKET_META },
	{ offsetof(struct bpf64_xdp_ctx, ingress_ifindex), BPF_W },
	{ offsetof(struct bpf64_xdp_ctx, rx_queue_index), BPF_W },
	{ offsetof(struct bpf64_xdp_ctx, egress_ifindex), BPF_W },
};

static bool xdp_is_valid_access(int off, int size, bool write,
				const struct bpf64_prog *prog,
				struct bpf64_ctx_access *info)
{
	if (off == offsetof(struct xdp_md, egress_ifindex) &&
	    prog->expected_attach_type != BPF_XDP_DEVMAP)
		return false;
	/* rx_queue_index is writable only by offloaded programs. */
	if (write || size != sizeof(u32) || off < 0 ||
	    off >= (int)sizeof(struct xdp_md) || off % size)
		return false;
	info->reg_type = xdp_fields[off / sizeof(u32)].reg_type;
	return true;
}

static u32 xdp_convert_ctx_access(bool write, const struct bpf_insn *si,
				  struct bpf_insn *out,
				  const struct bpf64_prog *prog)
{
	u32 i = si->off / sizeof(u32);

	if (write || si->off < 0 || i >= ARRAY_SIZE(xdp_fields))
		return 0;
	*out = (struct bpf_insn){
		.code = BPF_LDX | BPF_MEM | xdp_fields[i].bpf_size,
		.dst_reg = si->dst_reg, .src_reg = si->src_reg,
		.off = xdp_fields[i].ioff };
	return 1;
}

/* ---- BPF_PROG_TEST_RUN ---- */

/* ctx_in's rules; @meta and @linear come back from data and data_end. */
static int xdp_md_check(const struct xdp_md *md, u32 size_in, u32 *meta,
			u32 *linear)
{
	if (md->data_meta || md->data_end > size_in || md->data > md->data_end)
		return -EINVAL;
	if ((md->data & 3) || md->data > XDP_META_MAX ||
	    md->data > XDP_PACKET_HEADROOM - XDP_FRAME_SIZE)
		return -EINVAL;
	*meta = md->data;
	*linear = md->data_end;
	return 0;
}

/* The receive queue: queue 0 of the loopback device, the only one here. */
static int xdp_md_rxq(const struct xdp_md *md, struct bpf64_xdp_ctx *ctx)
{
	ctx->ingress_ifindex = XDP_LOOPBACK_IFINDEX;
	if (!md)
		return 0;
	if (md->egress_ifindex)
		return -EINVAL;
	if (!md->ingress_ifindex && md->rx_queue_index)
		return -EINVAL;
	if (md->ingress_ifindex > XDP_LOOPBACK_IFINDEX)
		return -ENODEV;
	return md->rx_queue_index ? -EINVAL : 0;
}

/* What does not fit in the frame page goes into fragments. */
static int xdp_frags_in(struct bpf64_xdp_buff *xdp, const union bpf_attr *attr,
			u32 size)
{
	struct xdp_frag *frag;

	while (size < attr->test.data_size_in) {
		if (xdp->nr_frags == XDP_MAX_FRAGS)
			return -ENOMEM;
		frag = &xdp->frags[xdp->nr_frags++];
		frag->page = bpf64_zalloc_page();
		if (!frag->page)
			return -ENOMEM;
		frag->size = min(attr->test.data_size_in - size, NET_PAGE_SIZE);
		if (bpf64_copy_from_user(frag->page, attr->test.data_in + size,
					 frag->size))
			return -EFAULT;
		xdp->frags_size += frag->size;
		size += frag->size;
	}
	return 0;
}

static int xdp_build(struct bpf64_xdp_buff *xdp, const union bpf_attr *attr,
		     const struct xdp_md *md)
{
	u32 headroom = XDP_PACKET_HEADROOM, meta = 0;
	u32 linear = attr->test.data_size_in;
	int err;

	if (md) {
		err = xdp_md_check(md, attr->test.data_size_in, &meta, &linear);
		if (err)
			return err;
		headroom -= meta;	/* the metadata comes out of it */
	}
	linear = min(linear, NET_PAGE_SIZE - headroom - NET_SHINFO_ROOM);
	if (attr->test.data_size_in - meta < NET_ETH_HLEN)
		return -EINVAL;
	xdp->hard_start = bpf64_zalloc_page();
	if (!xdp->hard_start)
		return -ENOMEM;
	if (bpf64_copy_from_user(xdp->hard_start + headroom,
				 attr->test.data_in, linear))
		return -EFAULT;
	xdp->ctx.data_meta = net_addr(xdp->hard_start + headroom);
	xdp->ctx.data = xdp->ctx.data_meta + meta;
	xdp->ctx.data_end = xdp->ctx.data_meta + linear;
	err = xdp_md_rxq(md, &xdp->ctx);
	if (err)
		return err;
	return xdp_frags_in(xdp, attr, linear);
}

static void xdp_free(struct bpf64_xdp_buff *xdp)
{
	u32 i;

	for (i = 0; i < XDP_MAX_FRAGS; i++)
		bpf64_free_page(xdp->frags[i].page);
	bpf64_free_page(xdp->hard_start);
	bpf64_free(xdp);
}

/*
 * data_out: from data_meta on, fragments included, as bpf_test_finish()
 * writes it.  When it must be cut short Linux cuts the linear part and
 * still writes every fragment after it; when even the fragments do not fit
 * it writes nothing.
 */
static int xdp_data_out(struct bpf64_xdp_buff *xdp, const union bpf_attr *attr,
			struct bpf64_test_run *res)
{
	u64 uptr = attr->test.data_out;
	u32 size = xdp->ctx.data_end - xdp->ctx.data_meta;
	u32 copy = size + xdp->frags_size, i;
	int err = 0;

	res->data_size_out = copy;
	if (attr->test.data_size_out && copy > attr->test.data_size_out) {
		copy = attr->test.data_size_out;
		err = -ENOSPC;
	}
	if (!uptr)
		return err;
	if (copy < xdp->frags_size)
		return -ENOSPC;
	copy -= xdp->frags_size;
	if (bpf64_copy_to_user(uptr, net_ptr(xdp->ctx.data_meta), copy))
		return -EFAULT;
	for (i = 0; i < xdp->nr_frags; i++) {
		if (bpf64_copy_to_user(uptr + copy, xdp->frags[i].page,
				       xdp->frags[i].size))
			return -EFAULT;
		copy += xdp->frags[i].size;
	}
	return err;
}

static void xdp_run_init(struct bpf64_run *run, struct bpf64_xdp_buff *xdp)
{
	u64 ctx = net_addr(&xdp->ctx);

	run->args[0] = ctx;
	run->ctx = ctx;
	run->regions[0] = (struct bpf64_region){ ctx, sizeof(xdp->ctx), false };
	run->regions[1] = (struct bpf64_region){
		net_addr(xdp->hard_start), XDP_HARD_END, true };
	run->nr_regions = 2;
}

static int xdp_test_run(struct bpf64_prog *prog, const union bpf_attr *attr,
			struct bpf64_test_run *res)
{
	struct bpf64_run run = { };
	struct bpf64_xdp_buff *xdp;
	struct xdp_md *md;
	int err;

	if (prog->expected_attach_type == BPF_XDP_DEVMAP ||
	    prog->expected_attach_type == BPF_XDP_CPUMAP)
		return -EINVAL;
	if (attr->test.flags & ~BPF_F_TEST_XDP_LIVE_FRAMES)
		return -EINVAL;
	/* Live frames go out through a device; bpf64 has none. */
	if (attr->test.flags & BPF_F_TEST_XDP_LIVE_FRAMES)
		return -EOPNOTSUPP;
	if (attr->test.batch_size)
		return -EINVAL;
	md = bpf64_test_ctx_in(attr, sizeof(*md), &err);
	if (err)
		return err;
	xdp = bpf64_zalloc(sizeof(*xdp));
	if (!xdp) {
		err = -ENOMEM;
		goto out_md;
	}
	err = xdp_build(xdp, attr, md);
	if (err)
		goto out;
	xdp_run_init(&run, xdp);
	err = bpf64_test_run_repeat(prog, &run, attr->test.repeat, res);
	if (!err)
		err = xdp_data_out(xdp, attr, res);
	if (!err && md && attr->test.ctx_out) {
		md->data = xdp->ctx.data - xdp->ctx.data_meta;
		md->data_end = xdp->ctx.data_end - xdp->ctx.data_meta;
		err = bpf64_test_copy_out(attr->test.ctx_out,
					  attr->test.ctx_size_out, md,
					  sizeof(*md), &res->ctx_size_out);
	}
out:
	xdp_free(xdp);
out_md:
	bpf64_free(md);
	return err;
}

const struct bpf64_prog_ops bpf64_xdp_prog_ops = {
	.name			= "xdp",
	.get_func_proto		= xdp_func_proto,
	.is_valid_access	= xdp_is_valid_access,
	.convert_ctx_access	= xdp_convert_ctx_access,
	.test_run		= xdp_test_run,
};
