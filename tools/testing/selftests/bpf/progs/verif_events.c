// SPDX-License-Identifier: GPL-2.0
/*
 * Events to user space through a ring buffer: a record reserved, filled
 * from the packet (a variable number of bytes, copied in a bounded loop)
 * and submitted, or discarded when it would be empty; a summary sent
 * with bpf_ringbuf_output from the stack.  events_xdp answers the bytes
 * copied, or 255 when the ring was full.
 */
#include "verif_common.h"

#define SNAP 24

struct event {
	__u32 len;
	__u16 proto;
	__u8 nr;
	__u8 data[SNAP];
};

struct summary {
	__u64 seen;
	__u32 last_len;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct summary);
} events_seen SEC(".maps");

SEC("xdp")
int events_xdp(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	struct summary *s, copy;
	struct event *e;
	__u32 key = 0;
	int i;

	e = bpf_ringbuf_reserve(&events_ring, sizeof(*e), 0);
	if (!e)
		return 255;
	e->len = end - data;
	e->proto = 0;
	e->nr = 0;
	for (i = 0; i < SNAP; i++) {
		if (data + i + 1 > end)
			break;
		e->data[i] = data[i];
		e->nr++;
	}
	if (data + sizeof(struct ethhdr) <= end)
		e->proto = ((struct ethhdr *)data)->h_proto;
	i = e->nr;
	if (!i) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	bpf_ringbuf_submit(e, 0);
	s = bpf_map_lookup_elem(&events_seen, &key);
	if (s) {
		s->seen++;
		s->last_len = i;
		copy = *s;
		bpf_ringbuf_output(&events_ring, &copy, sizeof(copy), 0);
	}
	return i;
}

char _license[] SEC("license") = "GPL";
