// SPDX-License-Identifier: GPL-2.0
/*
 * A kprobe as tracing tools write them: the first argument (a kernel
 * pointer) read with bpf_probe_read_kernel into a struct on the stack, a
 * string read with bpf_probe_read_kernel_str, the task's comm (into a
 * map value and into a ring buffer record), pid and uid, a per-pid
 * counter in a hash map, a trace_printk, and a record through the ring
 * buffer.  Loaded, not run (Linux cannot test-run kprobes).
 */
#include "verif_common.h"

struct file_like {
	__u64 flags;
	const char *name;
	__u32 mode;
};

struct open_event {
	__u32 pid, uid;
	__u32 mode;
	char comm[16];
	char name[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
} trace_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[16]);
} trace_last_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} trace_ring SEC(".maps");

SEC("kprobe/do_sys_openat2")
int trace_open(struct pt_regs *ctx)
{
	struct file_like f;
	struct open_event *e;
	__u64 id = bpf_get_current_pid_tgid(), *n, one = 1;
	__u32 pid = id >> 32, zero = 0;
	char *last;

	if (bpf_probe_read_kernel(&f, sizeof(f), (void *)ctx->di))
		return 0;
	/* the comm straight into a map value */
	last = bpf_map_lookup_elem(&trace_last_comm, &zero);
	if (last)
		bpf_get_current_comm(last, 16);
	n = bpf_map_lookup_elem(&trace_calls, &pid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&trace_calls, &pid, &one, BPF_NOEXIST);
	e = bpf_ringbuf_reserve(&trace_ring, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = pid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->mode = f.mode;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (bpf_probe_read_kernel_str(e->name, sizeof(e->name), f.name) < 0)
		e->name[0] = 0;
	bpf_printk("open %s by %d", e->name, pid);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
