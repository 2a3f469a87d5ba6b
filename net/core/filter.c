// SPDX-License-Identifier: GPL-2.0
/*
 * The socket-buffer program types: BPF_PROG_TYPE_SOCKET_FILTER and
 * BPF_PROG_TYPE_SCHED_CLS / _ACT (tc), with Linux's struct __sk_buff
 * context, helpers and BPF_PROG_TEST_RUN (net/core/filter.c and
 * net/bpf/test_run.c are the reference).
 *
 * bpf64's skb is struct bpf64_skb below.  A program's r1 points at its
 * first member, struct bpf64_skb_ctx, which keeps every __sk_buff field in
 * the width Linux keeps it in struct sk_buff (protocol and tc_index in 16
 * bits, data as a 64-bit pointer), so that each access the program makes is
 * rewritten at load time (kernel/bpf/ctx_rewrite.c) into the loads and
 * stores of the same widths Linux's convert_ctx_access makes.
 *
 * Until programs are verified they run in the interpreter's checked mode,
 * and the context region is split by what a type may write: socket filters
 * write only cb[], tc programs also mark, priority, tc_index, tc_classid,
 * queue_mapping and tstamp.  Those fields come first in the struct and are a
 * writable region; the rest (data, len, ...) is read only, so the helpers
 * may trust it.  tc programs may also read and write the packet between
 * data and data_end; socket filters reach it only through LD_ABS / LD_IND
 * and the helpers, as in Linux.
 *
 * A test run builds the skb Linux builds: a packet from the loopback device
 * (ifindex 1, all-zero address), the Ethernet header pulled by
 * eth_type_trans() and pushed back for tc, which sees the packet from the
 * Ethernet header while socket filters see it from the network header.
 */
#include <linux/bpf64/insn.h>
#include <linux/bpf64/helpers.h>
#include "skb.h"

#define SKB_HEADROOM		64U	/* NET_SKB_PAD + NET_IP_ALIGN */
#define SKB_LOOPBACK_IFINDEX	1
#define SKB_OFF_MAX		0x7fffffffU	/* INT_MAX */
#define SKB_GSO_MAX_SIZE	65536U	/* GSO_LEGACY_MAX_SIZE */
#define SKB_GSO_MAX_SEGS	65535U
#define SKB_NO_QUEUE_MAPPING	0xffff
#define SKB_CSUM_MANGLED_0	0xffff
#define SKB_MAX_CSUM_LEVEL	3

/* skb->pkt_type */
#define SKB_PACKET_HOST		0
#define SKB_PACKET_MULTICAST	2
#define SKB_PACKET_OTHERHOST	3

/* ethertypes, host order */
#define SKB_ETH_P_802_3		0x0001
#define SKB_ETH_P_802_2		0x0004
#define SKB_ETH_P_802_3_MIN	0x0600
#define SKB_ETH_P_IP		0x0800
#define SKB_ETH_P_IPV6		0x86dd
#define SKB_IPV4_HLEN		20
#define SKB_IPV6_HLEN		40

enum skb_ip_summed {
	SKB_CHECKSUM_NONE,
	SKB_CHECKSUM_UNNECESSARY,
	SKB_CHECKSUM_COMPLETE,
};

struct bpf64_skb_ctx {
	/* Written by socket filters (cb only) and tc programs. */
	u32 cb[5];			/* qdisc_skb_cb's data */
	u32 mark;
	u32 priority;
	u16 tc_index;
	u16 tc_classid;
	u16 queue_mapping;
	u64 tstamp;
	/* Read only: the helpers trust these. */
	u64 data;
	u64 data_end;
	u64 hwtstamp;
	u32 len;
	u32 wire_len;			/* qdisc_skb_cb's pkt_len */
	u32 hash;
	u32 ingress_ifindex;		/* skb_iif */
	u32 ifindex;			/* dev->ifindex */
	union {
		u32 vlan_all;
		struct {
			u16 vlan_proto;	/* network order */
			u16 vlan_tci;
		};
	};
	u16 protocol;			/* network order */
	u16 gso_segs;
	u16 gso_size;
	u8 pkt_type;
	u8 tstamp_type;
};

#define SKB_SF_WRITABLE	offsetof(struct bpf64_skb_ctx, mark)
#define SKB_TC_WRITABLE	offsetof(struct bpf64_skb_ctx, data)

struct bpf64_skb {
	struct bpf64_skb_ctx ctx;	/* first: what r1 points at */
	u8 *head;			/* the buffer */
	u32 mac;			/* headers, as offsets from head */
	u32 net;
	u32 csum;
	u8 ip_summed;
	u8 csum_level;
	bool l4_hash;
	bool sw_hash;
	u64 cookie;			/* the socket's, 0 until asked */
};

static struct bpf64_skb *to_skb(u64 ctx)
{
	return net_ptr(ctx);
}

static u8 *skb_data(const struct bpf64_skb *skb)
{
	return net_ptr(skb->ctx.data);
}

/* Move data to @off from head with @len bytes after it. */
static void skb_set_data(struct bpf64_skb *skb, u32 off, u32 len)
{
	skb->ctx.data = net_addr(skb->head + off);
	skb->ctx.data_end = skb->ctx.data + len;
	skb->ctx.len = len;
}

static u32 skb_data_off(const struct bpf64_skb *skb)
{
	return skb_data(skb) - skb->head;
}

static u16 get_be16(const void *p)
{
	const u8 *b = p;

	return b[0] << 8 | b[1];
}

static void put_be16(void *p, u16 v)
{
	u8 *b = p;

	b[0] = v >> 8;
	b[1] = v;
}

/* ---- checksums, as include/net/checksum.h computes them ---- */

/* A sum of 32-bit words to 32 bits, end-around carry: 0 only if it was. */
static u32 ck_fold64(u64 sum)
{
	while (sum >> 32)
		sum = (sum & 0xffffffff) + (sum >> 32);
	return sum;
}

u32 bpf64_csum_partial(const void *buf, u32 len, u32 seed)
{
	const u8 *p = buf;
	u64 sum = seed;
	u32 w, i;

	/* the words as x86-64 loads them, the tail zero-padded */
	for (i = 0; i < len; i += 4) {
		w = 0;
		memcpy(&w, p + i, min(len - i, 4U));
		sum += w;
	}
	return ck_fold64(sum);
}

static u32 ck_add(u32 a, u32 b)
{
	u32 r = a + b;

	return r + (r < b);
}

static u32 ck_sub(u32 a, u32 b)
{
	return ck_add(a, ~b);
}

static u16 ck_fold(u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static u16 ck16_add(u16 csum, u16 addend)
{
	u16 r = csum + addend;

	return r + (r < addend);
}

/* csum_block_add(): @csum2 summed at an odd offset is byte-rotated. */
static u32 ck_block_add(u32 csum, u32 csum2, u32 off)
{
	if (off & 1)
		csum2 = csum2 >> 8 | csum2 << 24;
	return ck_add(csum, csum2);
}

/* The 16-bit checksums live in the packet at even offsets. */
static u16 sum16_get(const u8 *p)
{
	u16 v;

	memcpy(&v, p, 2);
	return v;
}

static void sum16_put(u8 *p, u16 v)
{
	memcpy(p, &v, 2);
}

static void ck_replace4(u8 *p, u32 from, u32 to)
{
	u32 t = ck_sub(~(u32)sum16_get(p), from);

	sum16_put(p, ck_fold(ck_add(t, to)));
}

static void ck_replace2(u8 *p, u16 from, u16 to)
{
	u16 t = ck16_add((u16)~sum16_get(p), (u16)~from);

	sum16_put(p, (u16)~ck16_add(t, to));
}

static void ck_replace_by_diff(u8 *p, u32 diff)
{
	sum16_put(p, ck_fold(ck_add(diff, ~(u32)sum16_get(p))));
}

/*
 * inet_proto_csum_replace*(): the L4 checksum, and skb->csum when it covers
 * a pseudo header that changed.  bpf64's skbs are never CHECKSUM_PARTIAL.
 */
static void skb_proto_replace4(struct bpf64_skb *skb, u8 *p, u32 from, u32 to,
			       bool pseudo)
{
	ck_replace4(p, from, to);
	if (skb->ip_summed == SKB_CHECKSUM_COMPLETE && pseudo)
		skb->csum = ~ck_add(ck_sub(~skb->csum, from), to);
}

static void skb_proto_replace_by_diff(struct bpf64_skb *skb, u8 *p, u32 diff,
				      bool pseudo, bool ipv6)
{
	ck_replace_by_diff(p, diff);
	if (skb->ip_summed == SKB_CHECKSUM_COMPLETE && pseudo && !ipv6)
		skb->csum = ~ck_sub(diff, skb->csum);
}

/* The checksum Linux keeps for CHECKSUM_COMPLETE: from the network header. */
static u32 skb_net_csum(const struct bpf64_skb *skb)
{
	u32 off = skb->net - skb_data_off(skb);

	return bpf64_csum_partial(skb->head + skb->net, skb->ctx.len - off, 0);
}

/* ---- helpers ---- */

static u64 bpf64_skb_load_bytes(u64 ctx, u64 offset, u64 to, u64 len, u64 r5)
{
	struct bpf64_skb *skb = to_skb(ctx);
	u32 off = offset, n = len;

	if (off > SKB_OFF_MAX || (u64)off + n > skb->ctx.len) {
		memset(net_ptr(to), 0, n);
		return -EFAULT;
	}
	memcpy(net_ptr(to), skb_data(skb) + off, n);
	return 0;
}

static const struct bpf64_func_proto skb_load_bytes_proto = {
	.func		= bpf64_skb_load_bytes,
	.name		= "bpf_skb_load_bytes",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING,
			    BPF64_ARG_PTR_TO_UNINIT_MEM, BPF64_ARG_CONST_SIZE },
};

static u64 bpf64_skb_load_bytes_relative(u64 ctx, u64 offset, u64 to, u64 len,
					 u64 start_header)
{
	struct bpf64_skb *skb = to_skb(ctx);
	u32 off = offset, n = len, start;

	switch ((u32)start_header) {
	case BPF_HDR_START_MAC:
		start = skb->mac;
		break;
	case BPF_HDR_START_NET:
		start = skb->net;
		break;
	default:
		goto err_clear;
	}
	if (off > 0xffff ||
	    (u64)start + off + n > skb_data_off(skb) + skb->ctx.len)
		goto err_clear;
	memcpy(net_ptr(to), skb->head + start + off, n);
	return 0;
err_clear:
	memset(net_ptr(to), 0, n);
	return -EFAULT;
}

static const struct bpf64_func_proto skb_load_bytes_relative_proto = {
	.func		= bpf64_skb_load_bytes_relative,
	.name		= "bpf_skb_load_bytes_relative",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING,
			    BPF64_ARG_PTR_TO_UNINIT_MEM, BPF64_ARG_CONST_SIZE,
			    BPF64_ARG_ANYTHING },
};

/*
 * skb_ensure_writable(): the skb is linear and never cloned, so @len bytes
 * are writable exactly when the packet has them.
 */
static bool skb_may_pull(const struct bpf64_skb *skb, u64 len)
{
	return len <= skb->ctx.len;
}

static void skb_clear_hash(struct bpf64_skb *skb)
{
	skb->ctx.hash = 0;
	skb->sw_hash = false;
	skb->l4_hash = false;
}

static u64 bpf64_skb_store_bytes(u64 ctx, u64 offset, u64 from, u64 len,
				 u64 flags)
{
	struct bpf64_skb *skb = to_skb(ctx);
	u32 off = offset, n = len;
	u8 *p;

	if (flags & ~(u64)(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH))
		return -EINVAL;
	if (off > SKB_OFF_MAX || !skb_may_pull(skb, (u64)off + n))
		return -EFAULT;
	p = skb_data(skb) + off;
	/* __skb_postpull_rcsum(), then __skb_postpush_rcsum() */
	if ((flags & BPF_F_RECOMPUTE_CSUM) &&
	    skb->ip_summed == SKB_CHECKSUM_COMPLETE)
		skb->csum = ck_block_add(skb->csum,
					 ~bpf64_csum_partial(p, n, 0), off);
	net_memmove(p, net_ptr(from), n);
	if ((flags & BPF_F_RECOMPUTE_CSUM) &&
	    skb->ip_summed == SKB_CHECKSUM_COMPLETE)
		skb->csum = ck_block_add(skb->csum,
					 bpf64_csum_partial(p, n, 0), off);
	if (flags & BPF_F_INVALIDATE_HASH)
		skb_clear_hash(skb);
	return 0;
}

static const struct bpf64_func_proto skb_store_bytes_proto = {
	.func		= bpf64_skb_store_bytes,
	.name		= "bpf_skb_store_bytes",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING,
			    BPF64_ARG_PTR_TO_MEM, BPF64_ARG_CONST_SIZE,
			    BPF64_ARG_ANYTHING },
};

static u64 bpf64_skb_pull_data(u64 ctx, u64 len, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_skb *skb = to_skb(ctx);
	u32 n = len;

	return skb_may_pull(skb, n ? n : skb->ctx.len) ? 0 : -ENOMEM;
}

static const struct bpf64_func_proto skb_pull_data_proto = {
	.func		= bpf64_skb_pull_data,
	.name		= "bpf_skb_pull_data",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING },
};

/* A 16-bit checksum at @offset for the csum_replace helpers, or NULL. */
static u8 *skb_sum16(struct bpf64_skb *skb, u32 offset)
{
	if (offset > 0xffff || (offset & 1) || !skb_may_pull(skb, offset + 2))
		return NULL;
	return skb_data(skb) + offset;
}

static u64 bpf64_l3_csum_replace(u64 ctx, u64 offset, u64 from, u64 to,
				 u64 flags)
{
	u8 *p;

	if (flags & ~(u64)BPF_F_HDR_FIELD_MASK)
		return -EINVAL;
	p = skb_sum16(to_skb(ctx), offset);
	if (!p)
		return -EFAULT;
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return -EINVAL;
		ck_replace_by_diff(p, to);
		return 0;
	case 2:
		ck_replace2(p, from, to);
		return 0;
	case 4:
		ck_replace4(p, from, to);
		return 0;
	default:
		return -EINVAL;
	}
}

static const struct bpf64_func_proto l3_csum_replace_proto = {
	.func		= bpf64_l3_csum_replace,
	.name		= "bpf_l3_csum_replace",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING,
			    BPF64_ARG_ANYTHING, BPF64_ARG_ANYTHING,
			    BPF64_ARG_ANYTHING },
};

static u64 bpf64_l4_csum_replace(u64 ctx, u64 offset, u64 from, u64 to,
				 u64 flags)
{
	struct bpf64_skb *skb = to_skb(ctx);
	bool pseudo = flags & BPF_F_PSEUDO_HDR;
	bool mmzero = flags & BPF_F_MARK_MANGLED_0;
	bool mforce = flags & BPF_F_MARK_ENFORCE;
	u8 *p;

	if (flags & ~(u64)(BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE |
			   BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK |
			   BPF_F_IPV6))
		return -EINVAL;
	p = skb_sum16(skb, offset);
	if (!p)
		return -EFAULT;
	if (mmzero && !mforce && !sum16_get(p))
		return 0;
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return -EINVAL;
		skb_proto_replace_by_diff(skb, p, to, pseudo,
					  flags & BPF_F_IPV6);
		break;
	case 2:
		skb_proto_replace4(skb, p, (u16)from, (u16)to, pseudo);
		break;
	case 4:
		skb_proto_replace4(skb, p, from, to, pseudo);
		break;
	default:
		return -EINVAL;
	}
	if (mmzero && !sum16_get(p))
		sum16_put(p, SKB_CSUM_MANGLED_0);
	return 0;
}

static const struct bpf64_func_proto l4_csum_replace_proto = {
	.func		= bpf64_l4_csum_replace,
	.name		= "bpf_l4_csum_replace",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING,
			    BPF64_ARG_ANYTHING, BPF64_ARG_ANYTHING,
			    BPF64_ARG_ANYTHING },
};

/* csum_from32to16(): the same 16 bits on every architecture. */
static u16 ck_from32to16(u32 sum)
{
	sum += sum >> 16 | sum << 16;
	return sum >> 16;
}

/*
 * Since Linux 6.13 bpf_csum_diff sums each side with csum_partial() and
 * folds the result to 16 bits; sizes need no longer be whole words.
 */
static u64 bpf64_csum_diff(u64 from, u64 from_size, u64 to, u64 to_size,
			   u64 seed)
{
	u32 fsize = from_size, tsize = to_size, sum = seed;

	if (fsize && tsize)
		sum = ck_sub(bpf64_csum_partial(net_ptr(to), tsize, sum),
			     bpf64_csum_partial(net_ptr(from), fsize, 0));
	else if (tsize)
		sum = bpf64_csum_partial(net_ptr(to), tsize, sum);
	else if (fsize)
		sum = ~bpf64_csum_partial(net_ptr(from), fsize, ~sum);
	return ck_from32to16(sum);
}

const struct bpf64_func_proto bpf64_csum_diff_proto = {
	.func		= bpf64_csum_diff,
	.name		= "bpf_csum_diff",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_MEM, BPF64_ARG_CONST_SIZE_OR_ZERO,
			    BPF64_ARG_PTR_TO_MEM, BPF64_ARG_CONST_SIZE_OR_ZERO,
			    BPF64_ARG_ANYTHING },
};

static u64 bpf64_csum_update(u64 ctx, u64 csum, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_skb *skb = to_skb(ctx);

	if (skb->ip_summed != SKB_CHECKSUM_COMPLETE)
		return -ENOTSUPP;
	skb->csum = ck_add(skb->csum, csum);
	return skb->csum;
}

static const struct bpf64_func_proto csum_update_proto = {
	.func		= bpf64_csum_update,
	.name		= "bpf_csum_update",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING },
};

static u64 bpf64_csum_level(u64 ctx, u64 level, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_skb *skb = to_skb(ctx);
	bool unnecessary = skb->ip_summed == SKB_CHECKSUM_UNNECESSARY;

	switch (level) {
	case BPF_CSUM_LEVEL_INC:
		if (unnecessary && skb->csum_level < SKB_MAX_CSUM_LEVEL) {
			skb->csum_level++;
		} else if (skb->ip_summed == SKB_CHECKSUM_NONE) {
			skb->ip_summed = SKB_CHECKSUM_UNNECESSARY;
			skb->csum_level = 0;
		}
		return 0;
	case BPF_CSUM_LEVEL_DEC:
		if (unnecessary && !skb->csum_level)
			skb->ip_summed = SKB_CHECKSUM_NONE;
		else if (unnecessary)
			skb->csum_level--;
		return 0;
	case BPF_CSUM_LEVEL_RESET:
		if (unnecessary) {
			skb->ip_summed = SKB_CHECKSUM_NONE;
			skb->csum_level = 0;
		}
		return 0;
	case BPF_CSUM_LEVEL_QUERY:
		return unnecessary ? skb->csum_level : -EACCES;
	default:
		return -EINVAL;
	}
}

static const struct bpf64_func_proto csum_level_proto = {
	.func		= bpf64_csum_level,
	.name		= "bpf_csum_level",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING },
};

/*
 * The flow hash.  Linux hashes its flow dissector's keys with siphash and a
 * key random per boot, so no two machines agree on the value; bpf64 keys on
 * the same things (addresses and ports, in an order that does not depend on
 * the direction, as __flow_hash_consistentify() orders them) with a fixed
 * mix.  Like Linux it is never 0, and l4 says whether ports went in.
 */
static u32 hash_mix(u32 h, const u8 *p, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x01000193;	/* FNV-1a */
	return h;
}

static bool l4_has_ports(u8 ip_proto)
{
	/* TCP, UDP, DCCP, SCTP, UDP-Lite */
	return ip_proto == 6 || ip_proto == 17 || ip_proto == 33 ||
	       ip_proto == 132 || ip_proto == 136;
}

static u32 skb_flow_hash(const struct bpf64_skb *skb, bool *l4)
{
	const u8 *nh = skb->head + skb->net;
	const u8 *end = skb_data(skb) + skb->ctx.len;
	const u8 *a = NULL, *b = NULL, *l4h = NULL;
	u32 alen = 0, h = 0x811c9dc5;
	u16 proto = get_be16(&skb->ctx.protocol);
	u8 ip_proto = 0;
	bool swap;

	if (proto == SKB_ETH_P_IP && end - nh >= SKB_IPV4_HLEN) {
		a = nh + 12;
		b = nh + 16;
		alen = 4;
		ip_proto = nh[9];
		if (!(get_be16(nh + 6) & 0x3fff))	/* not a fragment */
			l4h = nh + (nh[0] & 15) * 4;
	} else if (proto == SKB_ETH_P_IPV6 && end - nh >= SKB_IPV6_HLEN) {
		a = nh + 8;
		b = nh + 24;
		alen = 16;
		ip_proto = nh[6];
		l4h = nh + SKB_IPV6_HLEN;
	}
	*l4 = l4h && l4_has_ports(ip_proto) && l4h + 4 <= end;
	h = hash_mix(h, (const u8 *)&skb->ctx.protocol, 2);
	h = hash_mix(h, &ip_proto, 1);
	swap = a && memcmp(a, b, alen) > 0;
	if (a) {
		h = hash_mix(h, swap ? b : a, alen);
		h = hash_mix(h, swap ? a : b, alen);
	}
	if (*l4) {
		h = hash_mix(h, l4h + (swap ? 2 : 0), 2);
		h = hash_mix(h, l4h + (swap ? 0 : 2), 2);
	}
	return h ? h : 1;
}

static u64 bpf64_get_hash_recalc(u64 ctx, u64 r2, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_skb *skb = to_skb(ctx);

	if (!skb->l4_hash && !skb->sw_hash) {
		skb->ctx.hash = skb_flow_hash(skb, &skb->l4_hash);
		skb->sw_hash = true;
	}
	return skb->ctx.hash;
}

static const struct bpf64_func_proto get_hash_recalc_proto = {
	.func		= bpf64_get_hash_recalc,
	.name		= "bpf_get_hash_recalc",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX },
};

static u64 bpf64_set_hash_invalid(u64 ctx, u64 r2, u64 r3, u64 r4, u64 r5)
{
	skb_clear_hash(to_skb(ctx));
	return 0;
}

static const struct bpf64_func_proto set_hash_invalid_proto = {
	.func		= bpf64_set_hash_invalid,
	.name		= "bpf_set_hash_invalid",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX },
};

static u64 bpf64_set_hash(u64 ctx, u64 hash, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_skb *skb = to_skb(ctx);

	skb->ctx.hash = hash;
	skb->sw_hash = true;
	skb->l4_hash = true;
	return 0;
}

static const struct bpf64_func_proto set_hash_proto = {
	.func		= bpf64_set_hash,
	.name		= "bpf_set_hash",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_ANYTHING },
};

/*
 * The socket of a test run is a fresh one for each run, as Linux's dummy
 * socket: its cookie comes from one counter when first asked for, and it
 * belongs to no one, which sock_net_uid() reports as uid 0.
 */
static u64 sock_cookie_gen;

static u64 bpf64_get_socket_cookie(u64 ctx, u64 r2, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_skb *skb = to_skb(ctx);

	if (!skb->cookie)
		skb->cookie = bpf64_atomic_fetch_add64(&sock_cookie_gen, 1) + 1;
	return skb->cookie;
}

static const struct bpf64_func_proto get_socket_cookie_proto = {
	.func		= bpf64_get_socket_cookie,
	.name		= "bpf_get_socket_cookie",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX },
};

static u64 bpf64_get_socket_uid(u64 ctx, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return 0;
}

static const struct bpf64_func_proto get_socket_uid_proto = {
	.func		= bpf64_get_socket_uid,
	.name		= "bpf_get_socket_uid",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX },
};

/*
 * Which helpers each type has, as sk_filter_func_proto() and
 * tc_cls_act_func_proto() say.  Of Linux's list bpf64 lacks the socket
 * lookups and casts, perf_event_output, the cgroup, tunnel, redirect,
 * route, FIB and MTU helpers and those that resize the packet; a program
 * calling one is refused at load.
 */
const struct bpf64_func_proto *
bpf64_sk_base_func_proto(u32 func_id, const struct bpf64_prog *prog)
{
	if (func_id == BPF_FUNC_ktime_get_coarse_ns)
		return &bpf64_ktime_get_coarse_ns_proto;
	return bpf64_base_func_proto(func_id, prog);
}

static const struct bpf64_func_proto *const sk_filter_protos[] = {
	[BPF_FUNC_skb_load_bytes]		= &skb_load_bytes_proto,
	[BPF_FUNC_skb_load_bytes_relative]	= &skb_load_bytes_relative_proto,
	[BPF_FUNC_get_socket_cookie]		= &get_socket_cookie_proto,
	[BPF_FUNC_get_socket_uid]		= &get_socket_uid_proto,
};

static const struct bpf64_func_proto *const tc_cls_act_protos[] = {
	[BPF_FUNC_skb_store_bytes]		= &skb_store_bytes_proto,
	[BPF_FUNC_skb_load_bytes]		= &skb_load_bytes_proto,
	[BPF_FUNC_skb_load_bytes_relative]	= &skb_load_bytes_relative_proto,
	[BPF_FUNC_skb_pull_data]		= &skb_pull_data_proto,
	[BPF_FUNC_csum_diff]			= &bpf64_csum_diff_proto,
	[BPF_FUNC_csum_update]			= &csum_update_proto,
	[BPF_FUNC_csum_level]			= &csum_level_proto,
	[BPF_FUNC_l3_csum_replace]		= &l3_csum_replace_proto,
	[BPF_FUNC_l4_csum_replace]		= &l4_csum_replace_proto,
	[BPF_FUNC_get_hash_recalc]		= &get_hash_recalc_proto,
	[BPF_FUNC_set_hash_invalid]		= &set_hash_invalid_proto,
	[BPF_FUNC_set_hash]			= &set_hash_proto,
	[BPF_FUNC_get_socket_cookie]		= &get_socket_cookie_proto,
	[BPF_FUNC_get_socket_uid]		= &get_socket_uid_proto,
};

static const struct bpf64_func_proto *
sk_filter_func_proto(u32 func_id, const struct bpf64_prog *prog)
{
	if (func_id < ARRAY_SIZE(sk_filter_protos) && sk_filter_protos[func_id])
		return sk_filter_protos[func_id];
	return bpf64_sk_base_func_proto(func_id, prog);
}

static const struct bpf64_func_proto *
tc_cls_act_func_proto(u32 func_id, const struct bpf64_prog *prog)
{
	if (func_id < ARRAY_SIZE(tc_cls_act_protos) && tc_cls_act_protos[func_id])
		return tc_cls_act_protos[func_id];
	return bpf64_sk_base_func_proto(func_id, prog);
}

/* ---- struct __sk_buff ---- */

enum skb_access {
	SKB_SF_READ	= 1,
	SKB_SF_WRITE	= 2,
	SKB_TC_READ	= 4,
	SKB_TC_WRITE	= 8,
	/*
	 * Linux's default for a 32-bit field: writes of 4 bytes, loads of
	 * 1, 2 or 4 (narrow loads shift and mask the field).  Other fields
	 * take only their own size, except cb[], which takes any.
	 */
	SKB_NARROW	= 16,
};

#define SKB_READ	(SKB_SF_READ | SKB_TC_READ)
#define SKB_RW_TC	(SKB_READ | SKB_TC_WRITE | SKB_NARROW)

enum skb_field_kind {
	SKB_LOAD,		/* one load (store) of Linux's width */
	SKB_CB,			/* any access inside cb[] */
	SKB_VLAN_PRESENT,	/* vlan_all != 0 */
	SKB_ZERO,		/* napi_id: bpf64 has no NAPI */
	SKB_QUEUE_MAPPING,	/* stores of 0xffff and above are dropped */
};

struct skb_field {
	u16 uoff;		/* in struct __sk_buff */
	u8 usize;
	u8 access;		/* enum skb_access */
	u8 kind;		/* enum skb_field_kind */
	u8 bpf_size;		/* BPF_B ... BPF_DW, as in Linux's sk_buff */
	u8 reg_type;		/* enum bpf64_reg_type of a load */
	u16 ioff;		/* in struct bpf64_skb_ctx */
};

#define SKB_FIELD(ufield, ifield, size, acc, k, reg)			\
	{ .uoff = offsetof(struct __sk_buff, ufield),			\
	  .usize = sizeof(((struct __sk_buff *)0)->ufield),		\
	  .ioff = offsetof(struct bpf64_skb_ctx, ifield),		\
	  .bpf_size = size, .access = acc, .kind = k, .reg_type = reg }
#define SKB_F(f, size, acc)	SKB_FIELD(f, f, size, acc, SKB_LOAD, BPF64_SCALAR)
#define SKB_ZERO_FIELD(ufield)						\
	{ .uoff = offsetof(struct __sk_buff, ufield),			\
	  .usize = sizeof(((struct __sk_buff *)0)->ufield),		\
	  .bpf_size = BPF_W, .access = SKB_READ | SKB_NARROW,		\
	  .kind = SKB_ZERO }

/*
 * Fields not listed (family ... local_port, flow_keys, the padding) no
 * program of these types may touch; nor sk, which needs the verifier's
 * socket pointers, a bpf64 limit.
 */
static const struct skb_field skb_fields[] = {
	SKB_F(len,		BPF_W,	SKB_READ | SKB_NARROW),
	SKB_F(pkt_type,		BPF_B,	SKB_READ | SKB_NARROW),
	SKB_F(mark,		BPF_W,	SKB_RW_TC),
	SKB_FIELD(queue_mapping, queue_mapping, BPF_H, SKB_RW_TC,
		  SKB_QUEUE_MAPPING, BPF64_SCALAR),
	SKB_F(protocol,		BPF_H,	SKB_READ | SKB_NARROW),
	SKB_FIELD(vlan_present, vlan_all, BPF_W, SKB_READ | SKB_NARROW,
		  SKB_VLAN_PRESENT, BPF64_SCALAR),
	SKB_F(vlan_tci,		BPF_H,	SKB_READ | SKB_NARROW),
	SKB_F(vlan_proto,	BPF_H,	SKB_READ | SKB_NARROW),
	SKB_F(priority,		BPF_W,	SKB_RW_TC),
	SKB_F(ingress_ifindex,	BPF_W,	SKB_READ | SKB_NARROW),
	SKB_F(ifindex,		BPF_W,	SKB_READ | SKB_NARROW),
	SKB_F(tc_index,		BPF_H,	SKB_RW_TC),
	SKB_FIELD(cb, cb, BPF_W, SKB_READ | SKB_SF_WRITE | SKB_TC_WRITE,
		  SKB_CB, BPF64_SCALAR),
	SKB_F(hash,		BPF_W,	SKB_READ | SKB_NARROW),
	SKB_F(tc_classid,	BPF_H,	SKB_TC_READ | SKB_TC_WRITE | SKB_NARROW),
	SKB_FIELD(data, data, BPF_DW, SKB_TC_READ, SKB_LOAD,
		  BPF64_PTR_TO_PACKET),
	SKB_FIELD(data_end, data_end, BPF_DW, SKB_TC_READ, SKB_LOAD,
		  BPF64_PTR_TO_PACKET_END),
	SKB_ZERO_FIELD(napi_id),
	/* An skb has no metadata: data_meta is data. */
	SKB_FIELD(data_meta, data, BPF_DW, SKB_TC_READ, SKB_LOAD,
		  BPF64_PTR_TO_PACKET_META),
	SKB_F(tstamp,		BPF_DW,	SKB_TC_READ | SKB_TC_WRITE),
	SKB_F(wire_len,		BPF_W,	SKB_TC_READ | SKB_NARROW),
	SKB_F(gso_segs,		BPF_H,	SKB_READ | SKB_NARROW),
	SKB_F(gso_size,		BPF_H,	SKB_READ | SKB_NARROW),
	SKB_F(tstamp_type,	BPF_B,	SKB_TC_READ),
	SKB_F(hwtstamp,		BPF_DW,	SKB_TC_READ),
};

static const struct skb_field *skb_field_at(int off)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(skb_fields); i++)
		if (off >= skb_fields[i].uoff &&
		    off < skb_fields[i].uoff + skb_fields[i].usize)
			return &skb_fields[i];
	return NULL;
}

static bool skb_is_valid_access(int off, int size, bool write, bool tc,
				struct bpf64_ctx_access *info)
{
	const struct skb_field *f;
	u8 need;

	if (size <= 0 || off < 0 || off >= (int)sizeof(struct __sk_buff) ||
	    off % size)
		return false;
	if (tc)
		need = write ? SKB_TC_WRITE : SKB_TC_READ;
	else
		need = write ? SKB_SF_WRITE : SKB_SF_READ;
	f = skb_field_at(off);
	if (!f || !(f->access & need))
		return false;
	if (f->kind == SKB_CB)
		return off + size <= f->uoff + f->usize;
	if (f->access & SKB_NARROW) {
		if (write)
			return size == sizeof(u32);
		info->ctx_field_size = sizeof(u32);
		info->target_size = bpf64_size_bytes(f->bpf_size);
		return size <= (int)sizeof(u32);
	}
	info->reg_type = f->reg_type;
	return size == f->usize;
}

static bool sk_filter_is_valid_access(int off, int size, bool write,
				      const struct bpf64_prog *prog,
				      struct bpf64_ctx_access *info)
{
	return skb_is_valid_access(off, size, write, false, info);
}

static bool tc_cls_act_is_valid_access(int off, int size, bool write,
				       const struct bpf64_prog *prog,
				       struct bpf64_ctx_access *info)
{
	return skb_is_valid_access(off, size, write, true, info);
}

static struct bpf_insn *skb_emit_store(const struct skb_field *f,
				       const struct bpf_insn *si,
				       struct bpf_insn *insn)
{
	u8 class = BPF_CLASS(si->code);
	u8 size = f->bpf_size;
	s16 off = f->ioff;

	if (f->kind == SKB_CB) {
		size = BPF_SIZE(si->code);
		off += si->off - f->uoff;
	}
	if (f->kind == SKB_QUEUE_MAPPING) {
		if (class == BPF_ST && si->imm >= SKB_NO_QUEUE_MAPPING) {
			*insn++ = (struct bpf_insn){ .code = BPF_JMP | BPF_JA };
			return insn;
		}
		if (class == BPF_STX)
			*insn++ = (struct bpf_insn){
				.code = BPF_JMP | BPF_JGE | BPF_K,
				.dst_reg = si->src_reg, .off = 1,
				.imm = SKB_NO_QUEUE_MAPPING };
	}
	*insn++ = (struct bpf_insn){
		.code = class | size | BPF_MEM, .dst_reg = si->dst_reg,
		.src_reg = si->src_reg, .off = off, .imm = si->imm };
	return insn;
}

static struct bpf_insn *skb_emit_load(const struct skb_field *f,
				      const struct bpf_insn *si,
				      struct bpf_insn *insn)
{
	struct bpf_insn load = {
		.code = BPF_LDX | BPF_MEM | f->bpf_size, .dst_reg = si->dst_reg,
		.src_reg = si->src_reg, .off = f->ioff };
	u8 dst = si->dst_reg;

	switch (f->kind) {
	case SKB_CB:
		load.code = BPF_LDX | BPF_MEM | BPF_SIZE(si->code);
		load.off += si->off - f->uoff;
		*insn++ = load;
		break;
	case SKB_ZERO:
		*insn++ = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
					     .dst_reg = dst };
		break;
	case SKB_VLAN_PRESENT:
		*insn++ = load;
		*insn++ = (struct bpf_insn){ .code = BPF_JMP | BPF_JEQ | BPF_K,
					     .dst_reg = dst, .off = 1 };
		*insn++ = (struct bpf_insn){ .code = BPF_ALU | BPF_MOV | BPF_K,
					     .dst_reg = dst, .imm = 1 };
		break;
	default:
		*insn++ = load;
	}
	return insn;
}

/*
 * @si comes as Linux's verifier hands it over: a narrow load already
 * widened to its field, a BPF_MEMSX already a plain load (the rewrite
 * shifts, masks and extends the result).
 */
static u32 skb_convert_ctx_access(bool write, const struct bpf_insn *si,
				  struct bpf_insn *out,
				  const struct bpf64_prog *prog)
{
	const struct skb_field *f = skb_field_at(si->off);

	if (!f)
		return 0;
	if (write)
		return skb_emit_store(f, si, out) - out;
	return skb_emit_load(f, si, out) - out;
}

/* ---- BPF_PROG_TEST_RUN ---- */

/* eth_type_trans() on the loopback device, whose address is all zero. */
static u8 eth_pkt_type(const u8 *dest)
{
	static const u8 zero[6];

	if (!memcmp(dest, zero, sizeof(zero)))
		return SKB_PACKET_HOST;
	/* The loopback device has no broadcast address either. */
	return dest[0] & 1 ? SKB_PACKET_MULTICAST : SKB_PACKET_OTHERHOST;
}

static u16 eth_protocol(const u8 *eth, u32 len)
{
	u16 proto = get_be16(eth + 12);

	if (proto >= SKB_ETH_P_802_3_MIN)
		return proto;
	/* Novell's raw 802.3 carries 0xffff where the LLC header would be. */
	if (len >= NET_ETH_HLEN + 2 && get_be16(eth + NET_ETH_HLEN) == 0xffff)
		return SKB_ETH_P_802_3;
	return SKB_ETH_P_802_2;
}

/* Which bytes of a struct __sk_buff ctx_in may be non-zero. */
static bool skb_ctx_in_ok(const struct __sk_buff *uctx)
{
	struct __sk_buff rest;
	const u8 *p = (const u8 *)&rest;
	u32 i;

	memcpy(&rest, uctx, sizeof(rest));
	rest.mark = 0;
	rest.priority = 0;
	rest.ingress_ifindex = 0;
	rest.ifindex = 0;
	memset(rest.cb, 0, sizeof(rest.cb));
	rest.tstamp = 0;
	rest.wire_len = 0;
	rest.gso_segs = 0;
	rest.gso_size = 0;
	rest.hwtstamp = 0;
	for (i = 0; i < sizeof(rest); i++)
		if (p[i])
			return false;
	return true;
}

static int skb_ctx_in(struct bpf64_skb *skb, const struct __sk_buff *uctx)
{
	struct bpf64_skb_ctx *ctx = &skb->ctx;

	if (!uctx)
		return 0;
	if (!skb_ctx_in_ok(uctx))
		return -EINVAL;
	if (uctx->wire_len && (uctx->wire_len < ctx->len ||
			       uctx->wire_len > SKB_GSO_MAX_SIZE))
		return -EINVAL;
	if (uctx->gso_segs > SKB_GSO_MAX_SEGS)
		return -EINVAL;
	ctx->mark = uctx->mark;
	ctx->priority = uctx->priority;
	ctx->ingress_ifindex = uctx->ingress_ifindex;
	ctx->tstamp = uctx->tstamp;
	memcpy(ctx->cb, uctx->cb, sizeof(ctx->cb));
	ctx->wire_len = uctx->wire_len ? uctx->wire_len : ctx->len;
	ctx->gso_segs = uctx->gso_segs;
	ctx->gso_size = uctx->gso_size;
	ctx->hwtstamp = uctx->hwtstamp;
	return 0;
}

/* The fields Linux copies back to ctx_out; the others stay as they came. */
static void skb_ctx_out(const struct bpf64_skb *skb, struct __sk_buff *uctx)
{
	const struct bpf64_skb_ctx *ctx = &skb->ctx;

	uctx->mark = ctx->mark;
	uctx->priority = ctx->priority;
	uctx->ingress_ifindex = ctx->ingress_ifindex;
	uctx->ifindex = ctx->ifindex;
	uctx->tstamp = ctx->tstamp;
	memcpy(uctx->cb, ctx->cb, sizeof(ctx->cb));
	uctx->wire_len = ctx->wire_len;
	uctx->gso_segs = ctx->gso_segs;
	uctx->hwtstamp = ctx->hwtstamp;
}

/*
 * The skb of a test run over the @size bytes at @head + SKB_HEADROOM, as
 * bpf_prog_test_run_skb() builds it, errors and their order included.
 */
static int skb_build(struct bpf64_skb *skb, u8 *head, u32 size,
		     const struct __sk_buff *uctx, bool is_l2)
{
	const u8 *eth = head + SKB_HEADROOM;
	u32 len = size - NET_ETH_HLEN;
	u16 proto;

	/* Only the loopback device exists. */
	if (uctx && uctx->ifindex > SKB_LOOPBACK_IFINDEX)
		return -ENODEV;
	skb->head = head;
	skb->mac = SKB_HEADROOM;
	skb->net = SKB_HEADROOM + NET_ETH_HLEN;
	skb->ctx.ifindex = SKB_LOOPBACK_IFINDEX;
	skb->ctx.pkt_type = eth_pkt_type(eth);
	proto = eth_protocol(eth, size);
	put_be16(&skb->ctx.protocol, proto);
	if ((proto == SKB_ETH_P_IP && len < SKB_IPV4_HLEN) ||
	    (proto == SKB_ETH_P_IPV6 && len < SKB_IPV6_HLEN))
		return -EINVAL;
	if (is_l2)
		skb_set_data(skb, skb->mac, size);
	else
		skb_set_data(skb, skb->net, len);
	return skb_ctx_in(skb, uctx);
}

/* The context and, for tc, the packet: what a checked run may touch. */
static void skb_run_init(struct bpf64_run *run, struct bpf64_skb *skb,
			 bool is_l2)
{
	u64 ctx = net_addr(&skb->ctx);
	u32 writable = is_l2 ? SKB_TC_WRITABLE : SKB_SF_WRITABLE;

	run->args[0] = ctx;
	run->ctx = ctx;
	run->pkt = skb_data(skb);
	run->pkt_len = skb->ctx.len;
	run->pkt_mac = skb->head + skb->mac;
	run->pkt_net = skb->head + skb->net;
	run->regions[0] = (struct bpf64_region){ ctx, writable, true };
	run->regions[1] = (struct bpf64_region){
		ctx + writable, sizeof(skb->ctx) - writable, false };
	run->nr_regions = 2;
	if (is_l2)
		run->regions[run->nr_regions++] = (struct bpf64_region){
			skb->ctx.data, skb->ctx.len, true };
}

/* After the run: socket filters get their Ethernet header back, zeroed. */
static int skb_finish(struct bpf64_skb *skb, bool is_l2, bool csum_complete)
{
	if (!is_l2) {
		skb_set_data(skb, skb->mac, skb->ctx.len + NET_ETH_HLEN);
		memset(skb_data(skb), 0, NET_ETH_HLEN);
	}
	if (csum_complete && ck_fold(skb->csum) != ck_fold(skb_net_csum(skb)))
		return -EBADMSG;
	return 0;
}

static int skb_test_run(struct bpf64_prog *prog, const union bpf_attr *attr,
			struct bpf64_test_run *res, bool is_l2)
{
	bool csum_complete = attr->test.flags & BPF_F_TEST_SKB_CHECKSUM_COMPLETE;
	u32 size = attr->test.data_size_in;
	struct __sk_buff *uctx = NULL;
	struct bpf64_run run = { };
	struct bpf64_skb *skb;
	u8 *head;
	int err;

	if ((attr->test.flags & ~BPF_F_TEST_SKB_CHECKSUM_COMPLETE) ||
	    attr->test.cpu || attr->test.batch_size)
		return -EINVAL;
	if (size < NET_ETH_HLEN)
		return -EINVAL;
	head = bpf64_test_data_in(attr, SKB_HEADROOM, NET_SHINFO_ROOM, &err);
	if (!head)
		return err;
	uctx = bpf64_test_ctx_in(attr, sizeof(*uctx), &err);
	if (err)
		goto out_head;
	skb = bpf64_zalloc(sizeof(*skb));
	if (!skb) {
		err = -ENOMEM;
		goto out_ctx;
	}
	err = skb_build(skb, head, size, uctx, is_l2);
	if (err)
		goto out;
	if (csum_complete) {
		skb->csum = skb_net_csum(skb);
		skb->ip_summed = SKB_CHECKSUM_COMPLETE;
	}
	skb_run_init(&run, skb, is_l2);
	err = bpf64_test_run_repeat(prog, &run, attr->test.repeat, res);
	if (!err)
		err = skb_finish(skb, is_l2, csum_complete);
	if (err)
		goto out;
	err = bpf64_test_copy_out(attr->test.data_out, attr->test.data_size_out,
				  skb_data(skb), skb->ctx.len,
				  &res->data_size_out);
	if (!err && uctx && attr->test.ctx_out) {
		skb_ctx_out(skb, uctx);
		err = bpf64_test_copy_out(attr->test.ctx_out,
					  attr->test.ctx_size_out, uctx,
					  sizeof(*uctx), &res->ctx_size_out);
	}
out:
	bpf64_free(skb);
out_ctx:
	bpf64_free(uctx);
out_head:
	bpf64_free(head);
	return err;
}

static int sk_filter_test_run(struct bpf64_prog *prog,
			      const union bpf_attr *attr,
			      struct bpf64_test_run *res)
{
	return skb_test_run(prog, attr, res, false);
}

static int tc_cls_act_test_run(struct bpf64_prog *prog,
			       const union bpf_attr *attr,
			       struct bpf64_test_run *res)
{
	return skb_test_run(prog, attr, res, true);
}

const struct bpf64_prog_ops bpf64_sk_filter_prog_ops = {
	.name			= "socket_filter",
	.get_func_proto		= sk_filter_func_proto,
	.is_valid_access	= sk_filter_is_valid_access,
	.convert_ctx_access	= skb_convert_ctx_access,
	.test_run		= sk_filter_test_run,
	.has_ld_abs		= true,
};

const struct bpf64_prog_ops bpf64_tc_cls_act_prog_ops = {
	.name			= "sched_cls",
	.get_func_proto		= tc_cls_act_func_proto,
	.is_valid_access	= tc_cls_act_is_valid_access,
	.convert_ctx_access	= skb_convert_ctx_access,
	.test_run		= tc_cls_act_test_run,
	.has_ld_abs		= true,
};
