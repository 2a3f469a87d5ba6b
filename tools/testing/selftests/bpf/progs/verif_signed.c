// SPDX-License-Identifier: GPL-2.0
/*
 * Signed arithmetic as clang -mcpu=v4 compiles it (sign-extending loads
 * and moves, signed division and modulo, byte swaps; older CPUs get
 * shift pairs, and unsigned division): signed bytes of the packet summed,
 * a signed index checked with both bounds then used into a map value, a
 * division whose result is checked again before use (clang would drop
 * the check, knowing x % 7 is small; the verifier does not know it).
 * signed_mix answers a mix of them.
 */
#include "verif_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s32[16]);
} signed_tab SEC(".maps");

SEC("xdp")
int signed_mix(struct xdp_md *ctx)
{
	__s8 *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__s32 sum = 0, idx, q, *tab;
	__u32 zero = 0, j;
	__u64 wide;
	int i;

	if ((void *)(data + 24) > end)
		return 0;
	for (i = 0; i < 16; i++)
		sum += data[i];
	idx = data[16] + data[17];
	tab = bpf_map_lookup_elem(&signed_tab, &zero);
	if (!tab)
		return 0;
	if (idx >= 0 && idx < 16)
		tab[idx] += sum;
#ifdef __BPF_FEATURE_SDIV_SMOD
	q = sum / (data[18] | 1) % 7;
#else
	q = (__s32)((__u32)sum / ((__u8)data[18] | 1u)) & 0xff;
#endif
	/*
	 * The verifier learns nothing from a division: check.  A signed
	 * check of q would not do: Linux widens (s32)q to the whole s32
	 * range; the unsigned index is checked instead.
	 */
	j = q + 6;
	barrier_var(j);
	if (j > 12)
		return 1;
	tab[j] ^= q;
	wide = __builtin_bswap64(*(__u64 *)(data + 16));
	return (sum ^ q ^ (__u32)(wide >> 40) ^ 0x5a) & 0xffff;
}

char _license[] SEC("license") = "GPL";
