/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bpf() command interface (kernel/bpf/syscall.c).
 *
 * bpf64_sys_bpf() takes Linux's commands and union bpf_attr, with Linux's
 * rules for @size: a shorter attr is zero-extended, a longer one is
 * accepted only if the bytes past what this build knows are zero (-E2BIG
 * otherwise).  Pointers inside the attr are the caller's (user) addresses.
 * It returns what bpf(2) returns, with the error as -errno.
 *
 * Objects are reached through file descriptors of this interface's own
 * table (in the hosted home they are not the process's fds): each fd holds
 * one reference; bpf64_close() drops it and the last reference frees the
 * object.  Pinned paths live in one namespace under /sys/fs/bpf/.
 */
#ifndef _LINUX_BPF64_SYSCALL_H
#define _LINUX_BPF64_SYSCALL_H

#include <linux/bpf64/platform.h>
#include <linux/bpf64/map.h>
#include <linux/bpf64/prog.h>

long bpf64_sys_bpf(int cmd, union bpf_attr *uattr, unsigned int size);
int bpf64_close(int fd);
/* unlink(2) of a pinned path: 0, -ENOENT. */
int bpf64_unpin(const char *path);

/* Objects behind fds, with a reference the caller puts; NULL if not one. */
struct bpf64_map *bpf64_map_from_fd(int fd);
struct bpf64_prog *bpf64_prog_from_fd(int fd);

/* Userspace side of a RINGBUF map fd: consume what producers submitted. */
int bpf64_ringbuf_consume_fd(int fd, bpf64_ringbuf_sample_fn fn, void *ctx);

/* Why the last test run of the program behind @fd stopped (checked mode). */
int bpf64_prog_last_fault(int fd, struct bpf64_fault *fault);

/* Drop every object (for leak checks in tests). */
void bpf64_sys_reset(void);

#endif /* _LINUX_BPF64_SYSCALL_H */
