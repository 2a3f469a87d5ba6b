/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The smallest kselftest-style harness: each test program prints TAP lines
 * ("ok N name", "not ok N name", "ok N name # SKIP why") and exits non-zero
 * if anything failed.  scripts/run-tests.sh adds the lines up.
 */
#ifndef _BPF64_TEST_UTIL_H
#define _BPF64_TEST_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tu_num, tu_failed;

static inline __attribute__((format(printf, 2, 3)))
void tu_result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++tu_num);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		tu_failed++;
	fflush(stdout);
}

static inline __attribute__((format(printf, 1, 2)))
void tu_skip(const char *fmt, ...)
{
	va_list ap;

	printf("ok %d ", ++tu_num);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Diagnostics go after the result line, as TAP comments. */
#define tu_diag(...) do { printf("# " __VA_ARGS__); printf("\n"); } while (0)

#define TU_CHECK(cond, ...) tu_result(!!(cond), __VA_ARGS__)

static inline int tu_exit(void)
{
	printf("1..%d\n", tu_num);
	return tu_failed ? 1 : 0;
}

#endif /* _BPF64_TEST_UTIL_H */
