// SPDX-License-Identifier: GPL-2.0
/*
 * The hosted home's executable memory for the JIT: pages mapped writable
 * while the image is emitted, then switched to read + execute, so that no
 * page is ever writable and executable at once.
 */
#include <errno.h>
#include <sys/mman.h>

#include <linux/bpf64/jit.h>

void *bpf64_jit_alloc(size_t size)
{
	void *p;

	if (!size)
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

int bpf64_jit_make_exec(void *p, size_t size)
{
	return mprotect(p, size, PROT_READ | PROT_EXEC) ? -errno : 0;
}

void bpf64_jit_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}
