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

#define for_each_backend(be)						\
	for (int __bu_i = 0; ((be) = bu_backend(__bu_i, __func__)) != NULL; \
	     __bu_i++)

#endif /* _BPF64_BACKEND_UTIL_H */
