// SPDX-License-Identifier: GPL-2.0
/*
 * devfilter: the seed RFC's netif_rcv example with today's helpers.  On
 * every packet received (tracepoint net:netif_receive_skb), print the skb's
 * address and length to the trace buffer when the device is "lo".
 *
 * The 2014 program followed skb->dev->name from the tracepoint's first
 * argument.  A tracepoint program today sees the event's record instead,
 * and the record holds the device name itself, as a __data_loc string.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define IFNAMSIZ 16

/* The net:netif_receive_skb record (events/net/netif_receive_skb/format). */
struct netif_receive_skb_record {
	__u64 common;		/* common_type, _flags, _preempt_count, _pid */
	__u64 skbaddr;
	__u32 len;
	__u32 name;		/* __data_loc char[]: length << 16 | offset */
};

SEC("tracepoint/net/netif_receive_skb")
int devfilter(struct netif_receive_skb_record *ctx)
{
	char name[IFNAMSIZ] = {};
	__u32 loc = ctx->name;
	__u32 len = loc >> 16;

	/*
	 * The string lies at a variable offset in the record, and the
	 * context may only be read at constant offsets: copy it out with
	 * a probe read instead.  Its length counts the NUL.
	 */
	if (len > sizeof(name))
		len = sizeof(name);
	bpf_probe_read_kernel(name, len, (void *)ctx + (loc & 0xffff));
	if (name[0] != 'l' || name[1] != 'o' || name[2] != '\0')
		return 0;
	/* No "\n": the trace_printk event ends every message with one. */
	bpf_printk("skb %llx len %u dev %s", ctx->skbaddr, ctx->len, name);
	return 0;
}

char _license[] SEC("license") = "GPL";
