// SPDX-License-Identifier: GPL-2.0
/*
 * The hosted home's executable memory for the JIT, as Linux's
 * bpf_prog_pack: images share packs of memory mapped read + execute, in
 * units of BPF64_JIT_ALIGN bytes.  Code reaches an image through pwrite()
 * to the memfd behind its pack, as Linux's text_poke writes through a
 * mapping of its own: no page of the process is ever writable and
 * executable at once, and loading or freeing an image changes no mapping
 * (the mprotect() pair that did was a third of a small program's load).
 *
 * A forked child gets packs of its own at the same addresses, copies of
 * its parent's: the memfds are shared across fork(), and a write in one
 * process must not reach the other's code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/bpf64/jit.h>

#ifndef MFD_EXEC
#define MFD_EXEC	0x0010U		/* Linux 6.3: executable memfd */
#endif

#define JIT_PACK_SIZE	(2UL << 20)
#define JIT_LONG_BITS	(8 * sizeof(unsigned long))

struct jit_pack {
	struct jit_pack *next;
	u8 *base;		/* read + execute */
	size_t size;
	int fd;			/* the memfd, written with pwrite() */
	size_t nr_units;
	size_t nr_used;
	unsigned long used[];	/* a bit per unit */
};

static pthread_mutex_t jit_mem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct jit_pack *jit_packs;
static pthread_once_t jit_mem_once = PTHREAD_ONCE_INIT;

static size_t jit_units(size_t size)
{
	return (size + BPF64_JIT_ALIGN - 1) / BPF64_JIT_ALIGN;
}

/* The first unit in [@u, @end) whose bit is @used, or @end. */
static size_t next_unit(const struct jit_pack *p, size_t u, size_t end,
			bool used)
{
	unsigned long w;

	while (u < end) {
		w = p->used[u / JIT_LONG_BITS] ^ (used ? 0 : ~0UL);
		w &= ~0UL << (u % JIT_LONG_BITS);
		if (w) {
			u = u - u % JIT_LONG_BITS + __builtin_ctzl(w);
			return u < end ? u : end;
		}
		u += JIT_LONG_BITS - u % JIT_LONG_BITS;
	}
	return end;
}

static void set_units(struct jit_pack *p, size_t first, size_t n, bool used)
{
	for (size_t u = first; u < first + n; u++) {
		unsigned long bit = 1UL << (u % JIT_LONG_BITS);

		if (used)
			p->used[u / JIT_LONG_BITS] |= bit;
		else
			p->used[u / JIT_LONG_BITS] &= ~bit;
	}
	if (used)
		p->nr_used += n;
	else
		p->nr_used -= n;
}

/* The first run of @n free units (first fit), or nr_units. */
static size_t find_units(const struct jit_pack *p, size_t n)
{
	size_t start = 0, end;

	if (p->nr_units - p->nr_used < n)
		return p->nr_units;
	for (;;) {
		start = next_unit(p, start, p->nr_units, false);
		if (n > p->nr_units - start)
			return p->nr_units;
		/* only as far as the run must reach */
		end = next_unit(p, start, start + n, true);
		if (end == start + n)
			return start;
		start = end;
	}
}

static int jit_memfd(size_t size)
{
	int fd = memfd_create("bpf64-jit", MFD_CLOEXEC | MFD_EXEC);

	if (fd < 0 && errno == EINVAL)	/* before 6.3: exec by default */
		fd = memfd_create("bpf64-jit", MFD_CLOEXEC);
	if (fd >= 0 && ftruncate(fd, size)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static struct jit_pack *pack_new(size_t size)
{
	size_t units = size / BPF64_JIT_ALIGN;
	size_t words = (units + JIT_LONG_BITS - 1) / JIT_LONG_BITS;
	struct jit_pack *p = calloc(1, sizeof(*p) + words * sizeof(long));

	if (!p)
		return NULL;
	p->size = size;
	p->nr_units = units;
	p->fd = jit_memfd(size);
	if (p->fd < 0)
		goto fail;
	p->base = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, p->fd, 0);
	if (p->base != MAP_FAILED)
		return p;
	close(p->fd);
fail:
	free(p);
	return NULL;
}

static void pack_free(struct jit_pack *p)
{
	munmap(p->base, p->size);
	close(p->fd);
	free(p);
}

/* The images of pack @p into memfd @fd at their offsets: 0 or -1. */
static int copy_images(const struct jit_pack *p, int fd)
{
	size_t start = 0, end;
	size_t off, len;

	for (;;) {
		start = next_unit(p, start, p->nr_units, true);
		if (start == p->nr_units)
			return 0;
		end = next_unit(p, start, p->nr_units, false);
		off = start * BPF64_JIT_ALIGN;
		len = (end - start) * BPF64_JIT_ALIGN;
		if (pwrite(fd, p->base + off, len, off) != (ssize_t)len)
			return -1;
		start = end;
	}
}

/*
 * In a child after fork(): each pack moves to a memfd of its own, with the
 * same images at the same addresses (MAP_FIXED replaces the mapping at
 * once).  A pack that cannot be copied becomes inaccessible: its images
 * fault if the child runs them, rather than run what its parent writes
 * there.
 */
static void jit_mem_child(void)
{
	struct jit_pack *p, **pp = &jit_packs;
	int fd;

	while ((p = *pp)) {
		fd = jit_memfd(p->size);
		if (fd >= 0 && !copy_images(p, fd) &&
		    mmap(p->base, p->size, PROT_READ | PROT_EXEC,
			 MAP_SHARED | MAP_FIXED, fd, 0) != MAP_FAILED) {
			close(p->fd);
			p->fd = fd;
			pp = &p->next;
			continue;
		}
		if (fd >= 0)
			close(fd);
		mmap(p->base, p->size, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		*pp = p->next;
		close(p->fd);
		free(p);	/* the range stays reserved: nothing lands there */
	}
	pthread_mutex_unlock(&jit_mem_lock);
}

static void jit_mem_prepare(void)
{
	pthread_mutex_lock(&jit_mem_lock);
}

static void jit_mem_parent(void)
{
	pthread_mutex_unlock(&jit_mem_lock);
}

static void jit_mem_init(void)
{
	pthread_atfork(jit_mem_prepare, jit_mem_parent, jit_mem_child);
}

/* Room for @n units: in the first pack that has it, or in a new one. */
static struct jit_pack *take_units(size_t n, size_t *unit)
{
	struct jit_pack *p;
	size_t page;

	for (p = jit_packs; p; p = p->next) {
		*unit = find_units(p, n);
		if (*unit < p->nr_units)
			break;
	}
	if (!p) {
		/* a large image gets a pack of its own size */
		page = sysconf(_SC_PAGESIZE);
		p = pack_new(n * BPF64_JIT_ALIGN > JIT_PACK_SIZE ?
			     (n * BPF64_JIT_ALIGN + page - 1) & ~(page - 1) :
			     JIT_PACK_SIZE);
		if (!p)
			return NULL;
		p->next = jit_packs;
		jit_packs = p;
		*unit = 0;
	}
	set_units(p, *unit, n, true);
	return p;
}

void *bpf64_jit_alloc(const void *code, size_t size)
{
	size_t n = jit_units(size), u;
	struct jit_pack *p;
	u8 *image = NULL;

	if (!size)
		return NULL;
	pthread_once(&jit_mem_once, jit_mem_init);
	pthread_mutex_lock(&jit_mem_lock);
	p = take_units(n, &u);
	if (p && pwrite(p->fd, code, size, u * BPF64_JIT_ALIGN) ==
		 (ssize_t)size)
		image = p->base + u * BPF64_JIT_ALIGN;
	else if (p)
		set_units(p, u, n, false);
	pthread_mutex_unlock(&jit_mem_lock);
	if (image)	/* no-op on x86; elsewhere the icache must see it */
		__builtin___clear_cache((char *)image, (char *)image + size);
	return image;
}

static struct jit_pack *pack_of(const u8 *code)
{
	struct jit_pack *p;

	for (p = jit_packs; p; p = p->next)
		if (code >= p->base && code < p->base + p->size)
			return p;
	return NULL;
}

int bpf64_jit_write(void *dst, const void *src, size_t len)
{
	struct jit_pack *p;
	ssize_t done = -1;
	int err = EFAULT;

	pthread_mutex_lock(&jit_mem_lock);
	p = pack_of(dst);
	if (p && len <= p->size - ((u8 *)dst - p->base)) {
		done = pwrite(p->fd, src, len, (u8 *)dst - p->base);
		err = done < 0 ? errno : EIO;
	}
	pthread_mutex_unlock(&jit_mem_lock);
	if (done != (ssize_t)len)
		return -err;
	/* no-op on x86; elsewhere the instruction cache must see the code */
	__builtin___clear_cache((char *)dst, (char *)dst + len);
	return 0;
}

void bpf64_jit_free(void *code, size_t size)
{
	struct jit_pack *p, **pp;

	if (!code)
		return;
	pthread_mutex_lock(&jit_mem_lock);
	for (pp = &jit_packs; (p = *pp); pp = &p->next) {
		if ((u8 *)code < p->base || (u8 *)code >= p->base + p->size)
			continue;
		set_units(p, ((u8 *)code - p->base) / BPF64_JIT_ALIGN,
			  jit_units(size), false);
		/* the newest pack stays for the next image */
		if (!p->nr_used && p != jit_packs) {
			*pp = p->next;
			pack_free(p);
		}
		break;
	}
	pthread_mutex_unlock(&jit_mem_lock);
}
