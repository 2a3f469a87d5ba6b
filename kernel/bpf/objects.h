/* SPDX-License-Identifier: GPL-2.0 */
/* The object tables of kernel/bpf/objects.c, for the bpf() commands. */
#ifndef _KERNEL_BPF_OBJECTS_H
#define _KERNEL_BPF_OBJECTS_H

#include <linux/bpf64/syscall.h>

enum bpf64_obj_type {
	BPF64_OBJ_NONE = 0,
	BPF64_OBJ_MAP,
	BPF64_OBJ_PROG,
};

int bpf64_map_alloc_id(struct bpf64_map *map);
int bpf64_prog_alloc_id(struct bpf64_prog *prog);
int bpf64_obj_next_id(enum bpf64_obj_type type, u32 start, u32 *next);
void *bpf64_obj_get_by_id(enum bpf64_obj_type type, u32 id);

int bpf64_fd_install(enum bpf64_obj_type type, void *obj, u32 mode);
void *bpf64_fd_get(int fd, enum bpf64_obj_type type, u32 *mode, int *err);

int bpf64_pin_add(const char *path, enum bpf64_obj_type type, void *obj);
void *bpf64_pin_get(const char *path, enum bpf64_obj_type *type);


#endif /* _KERNEL_BPF_OBJECTS_H */
