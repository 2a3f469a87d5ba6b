// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel home has no JIT yet: it hands out no executable memory, so
 * bpf64_jit_compile() fails with -ENOMEM there and programs stay in the
 * interpreter.
 */
#include <linux/bpf64/jit.h>

void *bpf64_jit_alloc(const void *code, size_t size)
{
	return NULL;
}

int bpf64_jit_write(void *dst, const void *src, size_t len)
{
	return -EOPNOTSUPP;
}

void bpf64_jit_free(void *p, size_t size)
{
}
