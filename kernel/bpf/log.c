// SPDX-License-Identifier: GPL-2.0
/*
 * Message log shared by every stage that explains itself to the user.
 * Messages append; when the buffer is full the tail is cut, the buffer stays
 * NUL-terminated and log->truncated tells the caller (Linux answers -ENOSPC).
 */
#include <linux/bpf64/log.h>

void bpf64_vlog(struct bpf64_log *log, const char *fmt, va_list ap)
{
	u32 room;
	int n;

	if (!log || !log->buf || !log->size)
		return;
	if (log->len >= log->size - 1) {
		log->truncated = true;
		return;
	}
	room = log->size - log->len;
	n = vsnprintf(log->buf + log->len, room, fmt, ap);
	if (n < 0)
		return;
	if ((u32)n >= room) {
		log->len = log->size - 1;
		log->truncated = true;
	} else {
		log->len += n;
	}
}

void bpf64_log(struct bpf64_log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bpf64_vlog(log, fmt, ap);
	va_end(ap);
}
