/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The log a caller hands to the core: a user buffer that collects messages
 * the way Linux's verifier log does (always NUL-terminated, truncated when
 * full).  A NULL log or a zero-sized buffer silently drops messages.
 */
#ifndef _LINUX_BPF64_LOG_H
#define _LINUX_BPF64_LOG_H

#include <linux/bpf64/platform.h>

struct bpf64_log {
	char *buf;
	u32 size;		/* bytes in buf, the terminating NUL included */
	u32 len;		/* bytes written so far, the NUL excluded */
	u32 level;
	bool truncated;		/* a message did not fit */
	/*
	 * A log that owns buf (bpf64_log_alloc) allocates it as it fills,
	 * doubling up to size: cap bytes so far (0: buf has size bytes).
	 */
	u32 cap;
};

__printf(2, 3) void bpf64_log(struct bpf64_log *log, const char *fmt, ...);
void bpf64_vlog(struct bpf64_log *log, const char *fmt, va_list ap);

/*
 * A log of up to @size bytes that allocates its buffer as messages come
 * (BPF_PROG_LOAD's, copied out at the end): 0 or -ENOMEM.  Free it with
 * bpf64_log_free.
 */
int bpf64_log_alloc(struct bpf64_log *log, u32 size, u32 level);
void bpf64_log_free(struct bpf64_log *log);

#endif /* _LINUX_BPF64_LOG_H */
