// SPDX-License-Identifier: GPL-2.0
/*
 * Message log shared by every stage that explains itself to the user.
 * Messages append; when the buffer is full the tail is cut, the buffer stays
 * NUL-terminated and log->truncated tells the caller (Linux answers -ENOSPC).
 */
#include <linux/bpf64/log.h>

#define LOG_FIRST_CAP	4096U

static u32 log_limit(const struct bpf64_log *log)
{
	return log->cap ? log->cap : log->size;
}

/* A growing log: room for @need more bytes, as far as size allows. */
static bool log_grow(struct bpf64_log *log, u32 need)
{
	u32 cap = log->cap;
	char *buf;

	if (!cap || cap == log->size)
		return false;
	while (cap < log->size && cap - log->len < need)
		cap = cap > log->size / 2 ? log->size : 2 * cap;
	buf = bpf64_zalloc(cap);
	if (!buf)
		return false;
	memcpy(buf, log->buf, log->len + 1);
	bpf64_free(log->buf);
	log->buf = buf;
	log->cap = cap;
	return true;
}

void bpf64_vlog(struct bpf64_log *log, const char *fmt, va_list ap)
{
	va_list again;
	u32 room;
	int n;

	if (!log || !log->buf || !log->size)
		return;
	if (log->len >= log->size - 1) {
		log->truncated = true;
		return;
	}
	room = log_limit(log) - log->len;
	va_copy(again, ap);
	n = vsnprintf(log->buf + log->len, room, fmt, ap);
	if (n >= 0 && (u32)n >= room && log_grow(log, n + 1)) {
		room = log_limit(log) - log->len;
		n = vsnprintf(log->buf + log->len, room, fmt, again);
	}
	va_end(again);
	if (n < 0)
		return;
	if ((u32)n >= room) {
		log->len = log_limit(log) - 1;
		log->truncated = true;
	} else {
		log->len += n;
	}
}

int bpf64_log_alloc(struct bpf64_log *log, u32 size, u32 level)
{
	*log = (struct bpf64_log){ .size = size, .level = level };
	log->cap = min(size, LOG_FIRST_CAP);
	log->buf = bpf64_zalloc(log->cap);
	return log->buf ? 0 : -ENOMEM;
}

void bpf64_log_free(struct bpf64_log *log)
{
	bpf64_free(log->buf);
	log->buf = NULL;
}

void bpf64_log(struct bpf64_log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bpf64_vlog(log, fmt, ap);
	va_end(ap);
}
