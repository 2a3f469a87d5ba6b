/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the verifier's realistic programs (verif_*.c, loaded by
 * test_verifier_progs.c) share: the context structs as far as they read
 * them, packet headers, and the UAPI constants, written out because the
 * kernel's headers are not on a BPF compiler's path (see elf_common.h).
 */
#ifndef _VERIF_COMMON_H
#define _VERIF_COMMON_H

#include "elf_common.h"

#define BPF_MAP_TYPE_PERCPU_HASH	5
#define BPF_MAP_TYPE_PERCPU_ARRAY	6
#define BPF_MAP_TYPE_LRU_HASH		9
#define BPF_MAP_TYPE_LPM_TRIE		11
#define BPF_MAP_TYPE_RINGBUF		27
#define BPF_ANY				0
#define BPF_NOEXIST			1
#define XDP_ABORTED			0
#define XDP_TX				3
#define TC_ACT_OK			0
#define TC_ACT_SHOT			2

/* include/uapi/linux/bpf.h, up to the fields these programs read */
struct __sk_buff {
	__u32 len, pkt_type, mark, queue_mapping, protocol, vlan_present;
	__u32 vlan_tci, vlan_proto, priority, ingress_ifindex, ifindex;
	__u32 tc_index, cb[5], hash, tc_classid, data, data_end;
};

struct xdp_md {
	__u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index;
};

/* x86-64's struct pt_regs, for kprobes */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

#define ETH_ALEN	6
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8
#define IPPROTO_ICMP	1
#define IPPROTO_TCP	6
#define IPPROTO_UDP	17

struct ethhdr {
	__u8 h_dest[ETH_ALEN];
	__u8 h_source[ETH_ALEN];
	__be16 h_proto;
} __attribute__((packed));

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct iphdr {
	__u8 ihl:4, version:4;
	__u8 tos;
	__be16 tot_len, id, frag_off;
	__u8 ttl, protocol;
	__u16 check;
	__be32 saddr, daddr;
};

struct ipv6hdr {
	__u8 priority:4, version:4;
	__u8 flow_lbl[3];
	__be16 payload_len;
	__u8 nexthdr, hop_limit;
	__u8 saddr[16], daddr[16];
};

struct tcphdr {
	__be16 source, dest;
	__be32 seq, ack_seq;
	__u16 res1:4, doff:4, fin:1, syn:1, rst:1, psh:1, ack:1, urg:1,
	      ece:1, cwr:1;
	__be16 window;
	__u16 check;
	__be16 urg_ptr;
};

struct udphdr {
	__be16 source, dest, len;
	__u16 check;
};

#define htons(x)	((__be16)__builtin_bswap16(x))
#define ntohs(x)	((__u16)__builtin_bswap16(x))
#define htonl(x)	((__be32)__builtin_bswap32(x))
#define ntohl(x)	((__u32)__builtin_bswap32(x))

#ifndef __noinline
#define __noinline	__attribute__((noinline))
#endif

#endif /* _VERIF_COMMON_H */
