// SPDX-License-Identifier: GPL-2.0
/*
 * Global data and subprograms, for the ELF loader's tests: .data, .rodata
 * and .bss variables (global and static), a static and a global function
 * in .text called from several programs, and one program per section
 * convention the tests check.  The socket filter's answer depends on every
 * relocation being right (test_elf.c states it):
 *
 *	counter += 1;  zeroed += 2;
 *	return 2 * factor + bias + counter = 2 * 3 + 11 + counter
 */
#include "elf_common.h"

int counter = 5;			/* .data */
static volatile int bias = 11;		/* .data, through the section symbol */
const volatile int factor = 3;		/* .rodata */
int zeroed;				/* .bss */

static __attribute__((noinline)) int scaled(int x)
{
	return x * factor + bias;
}

__attribute__((noinline)) int add_global(int x)
{
	zeroed += x;
	return scaled(x) + counter;
}

SEC("socket")
int globals_socket(struct __sk_buff *skb)
{
	counter++;
	return add_global(2);
}

SEC("xdp")
int globals_xdp(struct xdp_md *ctx)
{
	return scaled(1) == 14 ? XDP_PASS : XDP_DROP;
}

SEC("tc")
int globals_tc(struct __sk_buff *skb)
{
	return add_global(0) > 0 ? 0 : 2;
}

SEC("classifier")
int globals_classifier(struct __sk_buff *skb)
{
	return 0;
}

SEC("kprobe/do_nanosleep")
int globals_kprobe(void *ctx)
{
	return 0;
}

SEC("kretprobe/do_nanosleep")
int globals_kretprobe(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_nanosleep")
int globals_tracepoint(void *ctx)
{
	return 0;
}

SEC("tp/sched/sched_switch")
int globals_tp(void *ctx)
{
	return 0;
}

SEC("syscall")
int globals_syscall(void *ctx)
{
	return counter;
}

char _license[] SEC("license") = "GPL";
