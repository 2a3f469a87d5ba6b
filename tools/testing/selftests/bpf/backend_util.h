/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running one test against both backends: bpf64 in process, and the
 * running kernel's bpf() (the oracle).  Where the kernel refuses bpf(),
 * its half of each test is reported as skipped, visibly, once per test
 * function.
 *
 *	const struct bpf64_backend *be;
 *
 *	for_each_backend(be) {
 *		int fd = bpf64_map_create(be, ...);
 *		TU_CHECK(fd >= 0, "%s: create", be->name);
 *	}
 */
#ifndef _BPF64_BACKEND_UTIL_H
#define _BPF64_BACKEND_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "bpf64/backend.h"
#include "test_util.h"

static inline const struct bpf64_backend *bu_backend(int i, const char *what)
{
	char why[128];

	if (i == 0)
		return &bpf64_backend_hosted;
	if (i == 1) {
		if (bpf64_linux_available(why, sizeof(why)))
			return &bpf64_backend_linux;
		tu_skip("# SKIP linux: %s (%s)", what, why);
	}
	return NULL;
}

/*
 * The CPUs percpu values are sized by, read here independently of the
 * library (as libbpf's libbpf_num_possible_cpus() reads "0-3,5,7-8").
 */
static inline unsigned int bu_possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	char buf[256] = "", *p = buf;
	unsigned long a, b, n = 0;

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	while (*p >= '0' && *p <= '9') {
		a = b = strtoul(p, &p, 10);
		if (*p == '-')
			b = strtoul(p + 1, &p, 10);
		n += b - a + 1;
		if (*p == ',')
			p++;
	}
	return n ? n : 1;
}

#define for_each_backend(be)						\
	for (int __bu_i = 0; ((be) = bu_backend(__bu_i, __func__)) != NULL; \
	     __bu_i++)

#endif /* _BPF64_BACKEND_UTIL_H */
