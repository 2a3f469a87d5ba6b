// SPDX-License-Identifier: GPL-2.0
/*
 * Register pressure: more live values than the five callee-saved
 * registers hold across helper calls, so clang spills packet pointers,
 * map value pointers and the context to the stack and fills them later;
 * the verifier must keep their types and proven ranges through the
 * spills, and the bounds of indexes spilled as 32-bit numbers.
 * spill_mix answers a checksum of the packet's first 16 bytes combined
 * with the map values it updates.
 */
#include "verif_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} spill_vals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32[16]);
} spill_slots SEC(".maps");

static __always_inline __u64 *val(__u32 k)
{
	return bpf_map_lookup_elem(&spill_vals, &k);
}

SEC("xdp")
int spill_mix(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	__u64 *a, *b, *c, *d;
	__u32 x0, x1, x2, x3, x4, x5, x6, x7, i0, i1, i2, *slots, zero = 0;

	if (data + 16 > end)
		return 0;
	/* bounded indexes, live across the calls below (spilled as u32s) */
	i0 = data[0] & 15;
	i1 = data[1] & 15;
	i2 = data[2] % 16;
	x0 = data[0] | data[1] << 8;
	x1 = data[2] | data[3] << 8;
	x2 = data[4] ^ data[5];
	x3 = data[6] + data[7];
	a = val(0);
	b = val(1);
	c = val(2);
	d = val(3);
	if (!a || !b || !c || !d)
		return 1;
	x4 = data[8] * 3 + data[9];
	x5 = data[10] - data[11];
	x6 = data[12] << 2 | data[13];
	x7 = data[14] + data[15] * 5;
	*a += x0 + x4;
	*b += x1 ^ x5;
	*c += x2 * x6;
	*d += bpf_get_smp_processor_id() * 0 + x3 + x7;
	slots = bpf_map_lookup_elem(&spill_slots, &zero);
	if (!slots)
		return 2;
	slots[i0] += x0;
	slots[i1] += x1;
	if (i2 < 16)
		slots[i2] += slots[i0] ^ slots[i1];
	/* after the helper: the packet range and every pointer still hold */
	return (data[0] + data[15] + *a + *b + *c + *d + x0 + x1 + x2 + x3 +
		x4 + x5 + x6 + x7) & 0xffff;
}

char _license[] SEC("license") = "GPL";
