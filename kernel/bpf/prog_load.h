/* SPDX-License-Identifier: GPL-2.0 */
/* BPF_PROG_LOAD and what the bpf() commands need of it. */
#ifndef _KERNEL_BPF_PROG_LOAD_H
#define _KERNEL_BPF_PROG_LOAD_H

#include <linux/bpf64/prog.h>

int bpf64_sys_prog_load(union bpf_attr *attr);
int bpf64_prog_dump_xlated(const struct bpf64_prog *prog, u64 ubuf, u32 ulen);
int bpf64_obj_name_cpy(char *dst, const char *src, u32 size);

#endif /* _KERNEL_BPF_PROG_LOAD_H */
