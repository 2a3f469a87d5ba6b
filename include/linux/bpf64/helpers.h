/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helper prototypes shared between files: each program type's
 * get_func_proto picks from these and from its own.
 */
#ifndef _LINUX_BPF64_HELPERS_H
#define _LINUX_BPF64_HELPERS_H

#include <linux/bpf64/prog.h>

/* kernel/bpf/helpers.c */
extern const struct bpf64_func_proto bpf64_map_lookup_elem_proto;
extern const struct bpf64_func_proto bpf64_map_update_elem_proto;
extern const struct bpf64_func_proto bpf64_map_delete_elem_proto;
extern const struct bpf64_func_proto bpf64_ktime_get_ns_proto;
extern const struct bpf64_func_proto bpf64_ktime_get_boot_ns_proto;
extern const struct bpf64_func_proto bpf64_ktime_get_coarse_ns_proto;
extern const struct bpf64_func_proto bpf64_get_prandom_u32_proto;
extern const struct bpf64_func_proto bpf64_get_smp_processor_id_proto;
extern const struct bpf64_func_proto bpf64_tail_call_proto;	/* run by the interpreter */
extern const struct bpf64_func_proto bpf64_get_current_pid_tgid_proto;
extern const struct bpf64_func_proto bpf64_get_current_uid_gid_proto;
extern const struct bpf64_func_proto bpf64_get_current_comm_proto;

/* May helper @func_id take a map of @map_type?  Linux's pairing rules. */
bool bpf64_map_func_compatible(u32 map_type, u32 func_id);

/* kernel/bpf/ringbuf.c */
extern const struct bpf64_func_proto bpf64_ringbuf_output_proto;
extern const struct bpf64_func_proto bpf64_ringbuf_reserve_proto;
extern const struct bpf64_func_proto bpf64_ringbuf_submit_proto;
extern const struct bpf64_func_proto bpf64_ringbuf_discard_proto;
extern const struct bpf64_func_proto bpf64_ringbuf_query_proto;

/* kernel/trace/bpf_trace.c */
extern const struct bpf64_func_proto bpf64_trace_printk_proto;
extern const struct bpf64_func_proto bpf64_probe_read_kernel_proto;
extern const struct bpf64_func_proto bpf64_probe_read_user_proto;
extern const struct bpf64_func_proto bpf64_probe_read_kernel_str_proto;
extern const struct bpf64_func_proto bpf64_probe_read_user_str_proto;

/* The helpers of the tracing types (kprobe, tracepoint). */
const struct bpf64_func_proto *
bpf64_tracing_func_proto(u32 func_id, const struct bpf64_prog *prog);

/*
 * The trace buffer bpf_trace_printk writes to (kernel/trace/bpf_trace.c):
 * lines of text, oldest dropped first when full.  Read moves what is there
 * into @buf (NUL-terminated) and returns its length.
 */
size_t bpf64_trace_read(char *buf, size_t size);
void bpf64_trace_clear(void);

#endif /* _LINUX_BPF64_HELPERS_H */
