// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers every program type may offer: maps, time, randomness, the CPU and
 * the current task; the set Linux's bpf_base_func_proto() gives a
 * privileged loader; and Linux's helper names by id.
 *
 * The helpers trust their arguments, as Linux's do after its verifier: the
 * interpreter's checked mode validates them against the prototype before
 * the call.  The map helpers still refuse maps Linux would never let reach
 * them (check_map_func_compatibility()), since nothing before a verifier
 * ties a map to a call.
 */
#include <linux/bpf64/helpers.h>
#include <linux/bpf64/map.h>

/* Map types only some helpers may take, as Linux's verifier has it. */
static const struct {
	u32 map_type;
	bool exclusive;		/* and these helpers take no other type */
	u32 func_ids[3];
} map_func_rules[] = {
	{ BPF_MAP_TYPE_PROG_ARRAY, true, { BPF_FUNC_tail_call } },
	{ BPF_MAP_TYPE_RINGBUF, true, { BPF_FUNC_ringbuf_output,
		BPF_FUNC_ringbuf_reserve, BPF_FUNC_ringbuf_query } },
	{ BPF_MAP_TYPE_ARRAY_OF_MAPS, false, { BPF_FUNC_map_lookup_elem } },
	{ BPF_MAP_TYPE_HASH_OF_MAPS, false, { BPF_FUNC_map_lookup_elem } },
};

static bool rule_lists(u32 rule, u32 func_id)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(map_func_rules[rule].func_ids); i++)
		if (map_func_rules[rule].func_ids[i] == func_id)
			return true;
	return false;
}

/* May helper @func_id take a map of @map_type?  "cannot pass map_type". */
bool bpf64_map_func_compatible(u32 map_type, u32 func_id)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(map_func_rules); i++) {
		bool listed = rule_lists(i, func_id);

		if (map_func_rules[i].map_type == map_type && !listed)
			return false;
		if (map_func_rules[i].exclusive && listed &&
		    map_func_rules[i].map_type != map_type)
			return false;
	}
	return true;
}

/*
 * The map helpers trust their map as Linux's do: the checked mode (and the
 * verifier) pair helpers and map types by bpf64_map_func_compatible().
 */
static u64 helper_map_lookup_elem(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_map *map = (struct bpf64_map *)(unsigned long)r1;

	return (unsigned long)map->ops->map_lookup_elem(map,
						(void *)(unsigned long)r2);
}

static u64 helper_map_update_elem(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_map *map = (struct bpf64_map *)(unsigned long)r1;

	return map->ops->map_update_elem(map, (void *)(unsigned long)r2,
					 (void *)(unsigned long)r3, r4);
}

static u64 helper_map_delete_elem(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_map *map = (struct bpf64_map *)(unsigned long)r1;

	return map->ops->map_delete_elem(map, (void *)(unsigned long)r2);
}

const struct bpf64_func_proto bpf64_map_lookup_elem_proto = {
	.func		= helper_map_lookup_elem,
	.name		= "bpf_map_lookup_elem",
	.ret_type	= BPF64_RET_PTR_TO_MAP_VALUE_OR_NULL,
	.arg_type	= { BPF64_ARG_CONST_MAP_PTR, BPF64_ARG_PTR_TO_MAP_KEY },
};

const struct bpf64_func_proto bpf64_map_update_elem_proto = {
	.func		= helper_map_update_elem,
	.name		= "bpf_map_update_elem",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_CONST_MAP_PTR, BPF64_ARG_PTR_TO_MAP_KEY,
			    BPF64_ARG_PTR_TO_MAP_VALUE, BPF64_ARG_ANYTHING },
};

const struct bpf64_func_proto bpf64_map_delete_elem_proto = {
	.func		= helper_map_delete_elem,
	.name		= "bpf_map_delete_elem",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_CONST_MAP_PTR, BPF64_ARG_PTR_TO_MAP_KEY },
};

static u64 helper_ktime_get_ns(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return bpf64_ktime_get_ns();
}

static u64 helper_ktime_get_boot_ns(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return bpf64_ktime_get_boot_ns();
}

static u64 helper_ktime_get_coarse_ns(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return bpf64_ktime_get_coarse_ns();
}

static u64 helper_get_prandom_u32(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return bpf64_get_prandom_u32();
}

static u64 helper_get_smp_processor_id(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return bpf64_smp_processor_id();
}

const struct bpf64_func_proto bpf64_ktime_get_ns_proto = {
	.func		= helper_ktime_get_ns,
	.name		= "bpf_ktime_get_ns",
	.ret_type	= BPF64_RET_INTEGER,
};

const struct bpf64_func_proto bpf64_ktime_get_boot_ns_proto = {
	.func		= helper_ktime_get_boot_ns,
	.name		= "bpf_ktime_get_boot_ns",
	.ret_type	= BPF64_RET_INTEGER,
};

const struct bpf64_func_proto bpf64_ktime_get_coarse_ns_proto = {
	.func		= helper_ktime_get_coarse_ns,
	.name		= "bpf_ktime_get_coarse_ns",
	.ret_type	= BPF64_RET_INTEGER,
};

const struct bpf64_func_proto bpf64_get_prandom_u32_proto = {
	.func		= helper_get_prandom_u32,
	.name		= "bpf_get_prandom_u32",
	.ret_type	= BPF64_RET_INTEGER,
};

const struct bpf64_func_proto bpf64_get_smp_processor_id_proto = {
	.func		= helper_get_smp_processor_id,
	.name		= "bpf_get_smp_processor_id",
	.ret_type	= BPF64_RET_INTEGER,
};

/* The interpreter runs tail calls itself; the prototype types the call. */
const struct bpf64_func_proto bpf64_tail_call_proto = {
	.name		= "bpf_tail_call",
	.ret_type	= BPF64_RET_VOID,
	.arg_type	= { BPF64_ARG_PTR_TO_CTX, BPF64_ARG_CONST_MAP_PTR,
			    BPF64_ARG_ANYTHING },
};

static u64 helper_get_current_pid_tgid(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return bpf64_current_pid_tgid();
}

static u64 helper_get_current_uid_gid(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return bpf64_current_uid_gid();
}

/* The name, NUL-padded to @size like strscpy_pad(). */
static u64 helper_get_current_comm(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	char *buf = (char *)(unsigned long)r1;

	memset(buf, 0, r2);
	bpf64_current_comm(buf, r2);
	return 0;
}

const struct bpf64_func_proto bpf64_get_current_pid_tgid_proto = {
	.func		= helper_get_current_pid_tgid,
	.name		= "bpf_get_current_pid_tgid",
	.ret_type	= BPF64_RET_INTEGER,
};

const struct bpf64_func_proto bpf64_get_current_uid_gid_proto = {
	.func		= helper_get_current_uid_gid,
	.name		= "bpf_get_current_uid_gid",
	.ret_type	= BPF64_RET_INTEGER,
};

const struct bpf64_func_proto bpf64_get_current_comm_proto = {
	.func		= helper_get_current_comm,
	.name		= "bpf_get_current_comm",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_UNINIT_MEM, BPF64_ARG_CONST_SIZE },
};

/*
 * Linux's bpf_base_func_proto() for a loader with CAP_BPF and CAP_PERFMON,
 * less what bpf64 does not have yet: queue/stack and percpu-lookup map
 * helpers, numa_node_id, ktime_get_tai_ns, strncmp/strtol/strtoul,
 * get_ns_current_pid_tgid, spin locks, jiffies64, per-cpu pointers,
 * timers, kptrs, for_each_map_elem, loop, dynptrs, cgroups, tasks,
 * snprintf(_btf) and trace_vprintk.
 */
static const struct bpf64_func_proto *const base_protos[] = {
	[BPF_FUNC_map_lookup_elem]	= &bpf64_map_lookup_elem_proto,
	[BPF_FUNC_map_update_elem]	= &bpf64_map_update_elem_proto,
	[BPF_FUNC_map_delete_elem]	= &bpf64_map_delete_elem_proto,
	[BPF_FUNC_get_prandom_u32]	= &bpf64_get_prandom_u32_proto,
	[BPF_FUNC_get_smp_processor_id]	= &bpf64_get_smp_processor_id_proto,
	[BPF_FUNC_tail_call]		= &bpf64_tail_call_proto,
	[BPF_FUNC_ktime_get_ns]		= &bpf64_ktime_get_ns_proto,
	[BPF_FUNC_ktime_get_boot_ns]	= &bpf64_ktime_get_boot_ns_proto,
	[BPF_FUNC_ringbuf_output]	= &bpf64_ringbuf_output_proto,
	[BPF_FUNC_ringbuf_reserve]	= &bpf64_ringbuf_reserve_proto,
	[BPF_FUNC_ringbuf_submit]	= &bpf64_ringbuf_submit_proto,
	[BPF_FUNC_ringbuf_discard]	= &bpf64_ringbuf_discard_proto,
	[BPF_FUNC_ringbuf_query]	= &bpf64_ringbuf_query_proto,
	[BPF_FUNC_get_current_pid_tgid]	= &bpf64_get_current_pid_tgid_proto,
	/* CAP_PERFMON */
	[BPF_FUNC_trace_printk]		= &bpf64_trace_printk_proto,
	[BPF_FUNC_probe_read_user]	= &bpf64_probe_read_user_proto,
	[BPF_FUNC_probe_read_kernel]	= &bpf64_probe_read_kernel_proto,
	[BPF_FUNC_probe_read_user_str]	= &bpf64_probe_read_user_str_proto,
	[BPF_FUNC_probe_read_kernel_str] = &bpf64_probe_read_kernel_str_proto,
};

const struct bpf64_func_proto *bpf64_base_func_proto(u32 func_id,
						     const struct bpf64_prog *prog)
{
	if (func_id >= ARRAY_SIZE(base_protos))
		return NULL;
	return base_protos[func_id];
}

/*
 * Names from the UAPI's list of helpers.  Both forms of __BPF_FUNC_MAPPER
 * call FN(name) once per id in order: the 6.1 header separates the calls
 * with commas, later ones end each with one.
 */
#define BPF64_FUNC_NAME(x)	[BPF_FUNC_##x] = "bpf_" #x

static const char *const func_names[] = {
	__BPF_FUNC_MAPPER(BPF64_FUNC_NAME)
};

const char *bpf64_func_name(u32 func_id)
{
	if (func_id >= ARRAY_SIZE(func_names))
		return NULL;
	return func_names[func_id];
}
