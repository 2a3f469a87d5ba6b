// SPDX-License-Identifier: GPL-2.0
/*
 * The hosted home's executable memory for the JIT: pages mapped writable
 * while the image is emitted, then switched to read + execute, so that no
 * page is ever writable and executable at once.
 *
 * Mapping, faulting in and unmapping pages costs more than compiling a
 * small program, so freed images go back to read + write and wait, up to
 * JIT_MEM_CACHED runs of pages, for an image of the same page count.
 *
 * Each run of pages lies between two inaccessible guard pages of its own
 * mapping: the kernel would otherwise merge it with a neighbour of the
 * same protection (another image, any anonymous mapping) and split it off
 * again at each mprotect(), which costs more than the change itself.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/bpf64/jit.h>

#define JIT_MEM_CACHED	64

/* A cached run of pages holds this at its start. */
struct jit_mem_free {
	struct jit_mem_free *next;
	size_t size;
};

static pthread_mutex_t jit_mem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct jit_mem_free *jit_mem_cache;
static unsigned int jit_mem_cached;

static size_t jit_mem_round(size_t size)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return (size + page - 1) & ~(page - 1);
}

static void *jit_mem_take(size_t size)
{
	struct jit_mem_free **pp, *f = NULL;

	pthread_mutex_lock(&jit_mem_lock);
	for (pp = &jit_mem_cache; *pp; pp = &(*pp)->next) {
		if ((*pp)->size == size) {
			f = *pp;
			*pp = f->next;
			jit_mem_cached--;
			break;
		}
	}
	pthread_mutex_unlock(&jit_mem_lock);
	return f;
}

void *bpf64_jit_alloc(size_t size)
{
	size_t page = sysconf(_SC_PAGESIZE);
	u8 *p;

	if (!size)
		return NULL;
	size = jit_mem_round(size);
	p = jit_mem_take(size);
	if (p)
		return p;
	p = mmap(NULL, size + 2 * page, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + page, size, PROT_READ | PROT_WRITE)) {
		munmap(p, size + 2 * page);
		return NULL;
	}
	return p + page;
}

int bpf64_jit_make_exec(void *p, size_t size)
{
	return mprotect(p, jit_mem_round(size), PROT_READ | PROT_EXEC) ?
	       -errno : 0;
}

void bpf64_jit_free(void *p, size_t size)
{
	struct jit_mem_free *f = p;
	bool keep = false;

	if (!p)
		return;
	size = jit_mem_round(size);
	if (!mprotect(p, size, PROT_READ | PROT_WRITE)) {
		pthread_mutex_lock(&jit_mem_lock);
		keep = jit_mem_cached < JIT_MEM_CACHED;
		if (keep) {
			f->size = size;
			f->next = jit_mem_cache;
			jit_mem_cache = f;
			jit_mem_cached++;
		}
		pthread_mutex_unlock(&jit_mem_lock);
	}
	if (!keep)
		munmap((u8 *)p - sysconf(_SC_PAGESIZE),
		       size + 2 * sysconf(_SC_PAGESIZE));
}
