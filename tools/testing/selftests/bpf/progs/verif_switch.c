// SPDX-License-Identifier: GPL-2.0
/*
 * Switch statements: a tiny stack machine whose byte code is the packet
 * (up to 8 instructions, a switch on each opcode, its 4-entry stack an
 * array on the BPF stack indexed by a bounded depth), and a switch that
 * maps IP protocols to classes.  vm_run answers the top of the stack, or
 * 0xdead for bad code; vm_class the class of the IPv4 protocol.
 */
#include "verif_common.h"

enum { OP_PUSH = 1, OP_ADD, OP_MUL, OP_SUB, OP_DUP, OP_SWAP, OP_XOR, OP_END };

SEC("xdp")
int vm_run(struct xdp_md *ctx)
{
	__u8 *pc = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	__u32 stack[4], sp = 0, a, b;
	int n;

	for (n = 0; n < 8; n++) {
		if (pc + 2 > end)
			break;
		switch (pc[0]) {
		case OP_PUSH:
			if (sp >= 4)
				return 0xdead;
			stack[sp++] = pc[1];
			break;
		case OP_ADD:
		case OP_MUL:
		case OP_SUB:
		case OP_XOR:
			if (sp < 2 || sp > 4)
				return 0xdead;
			a = stack[--sp];
			b = stack[sp - 1];
			switch (pc[0]) {
			case OP_ADD: b += a; break;
			case OP_MUL: b *= a; break;
			case OP_SUB: b -= a; break;
			default: b ^= a; break;
			}
			stack[sp - 1] = b;
			break;
		case OP_DUP:
			if (sp < 1 || sp >= 4)
				return 0xdead;
			stack[sp] = stack[sp - 1];
			sp++;
			break;
		case OP_SWAP:
			if (sp < 2 || sp > 4)
				return 0xdead;
			a = stack[sp - 1];
			stack[sp - 1] = stack[sp - 2];
			stack[sp - 2] = a;
			break;
		case OP_END:
			goto out;
		default:
			return 0xdead;
		}
		pc += 2;
	}
out:
	if (sp < 1 || sp > 4)
		return 0xdead;
	return stack[sp - 1];
}

SEC("xdp")
int vm_class(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);

	if ((void *)(ip + 1) > end)
		return 0;
	switch (ip->protocol) {
	case IPPROTO_ICMP:
		return 10;
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_UDP:
		return 30;
	case 41: /* IPv6 in IPv4 */
	case 47: /* GRE */
		return 40;
	case 50:
	case 51:
		return 50;
	case 132:
		return 60;
	default:
		return 70;
	}
}

char _license[] SEC("license") = "GPL";
