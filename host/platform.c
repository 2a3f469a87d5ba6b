// SPDX-License-Identifier: GPL-2.0
/*
 * The hosted home's side of include/linux/bpf64/platform.h: what the
 * portable core needs from its home, implemented with the C library.
 *
 * The core itself never includes libc headers; this file may.  The string
 * functions platform.h declares (memcpy, memset, memcmp, strlen, vsnprintf,
 * snprintf) are the C library's own and need nothing here.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/uio.h>

#include <linux/bpf64/platform.h>

void *bpf64_zalloc(size_t size)
{
	/* calloc(0) may return NULL or a unique pointer; ask for one byte so
	 * that a zero-sized request is never mistaken for a failure.
	 */
	return calloc(1, size ? size : 1);
}

void *bpf64_zalloc_array(size_t n, size_t size)
{
	/* Refuse n * size overflow ourselves rather than trusting calloc. */
	if (size && n > SIZE_MAX / size)
		return NULL;
	return bpf64_zalloc(n * size);
}

void bpf64_free(void *p)
{
	free(p);
}

void *bpf64_zalloc_page(void)
{
	void *p = aligned_alloc(BPF64_PAGE_SIZE, BPF64_PAGE_SIZE);

	return p ? memset(p, 0, BPF64_PAGE_SIZE) : NULL;
}

void bpf64_free_page(void *p)
{
	free(p);
}

/* Locks: test-and-test-and-set, yielding when the holder was preempted. */
unsigned long bpf64_spin_lock(bpf64_spinlock_t *l)
{
	unsigned int spins = 0;

	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
			if (++spins % 128 == 0)
				sched_yield();
			else
				__builtin_ia32_pause();
		}
	}
	return 0;
}

void bpf64_spin_unlock(bpf64_spinlock_t *l, unsigned long flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static u64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

u64 bpf64_ktime_get_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

u64 bpf64_ktime_get_boot_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

u64 bpf64_ktime_get_coarse_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

u64 bpf64_test_clock_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* xorshift128+ per thread, seeded from the kernel's random source. */
u32 bpf64_get_prandom_u32(void)
{
	static __thread u64 s[2];
	u64 a, b;

	if (!s[0] && !s[1]) {
		if (getrandom(s, sizeof(s), 0) != sizeof(s) || (!s[0] && !s[1]))
			s[0] = clock_ns(CLOCK_MONOTONIC) | 1;
	}
	a = s[0];
	b = s[1];
	s[0] = b;
	a ^= a << 23;
	s[1] = a ^ b ^ (a >> 17) ^ (b >> 26);
	return (s[1] + b) >> 32;
}

/*
 * The CPUs percpu values are sized by: /sys/devices/system/cpu/possible,
 * as libbpf counts them, so that userspace and programs agree.
 */
static u32 parse_possible_cpus(void)
{
	char buf[256], *p = buf;
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	long last = -1;
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b = a;

		if (end == p)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		if (b > last)
			last = b;
		p = end + (*end == ',');
		if (*end != ',')
			break;
	}
	return last + 1;
}

u32 bpf64_num_possible_cpus(void)
{
	static u32 nr;

	if (!nr) {
		u32 n = parse_possible_cpus();
		long conf = sysconf(_SC_NPROCESSORS_CONF);

		if ((long)n < conf)
			n = conf;
		__atomic_store_n(&nr, n ? n : 1, __ATOMIC_RELAXED);
	}
	return nr;
}

u32 bpf64_smp_processor_id(void)
{
	int cpu = sched_getcpu();
	u32 nr = bpf64_num_possible_cpus();

	return cpu < 0 ? 0 : (u32)cpu % nr;
}

u64 bpf64_current_pid_tgid(void)
{
	return (u64)getpid() << 32 | (u32)gettid();
}

u64 bpf64_current_uid_gid(void)
{
	return (u64)getgid() << 32 | getuid();
}

void bpf64_current_comm(char *buf, u32 size)
{
	char name[16] = "";

	if (!size)
		return;
	prctl(PR_GET_NAME, name);
	name[sizeof(name) - 1] = 0;
	snprintf(buf, size, "%s", name);
}

/* Read by every load; written by the caller before it loads anything. */
static bool privileged = true;

void bpf64_set_privileged(bool priv)
{
	__atomic_store_n(&privileged, priv, __ATOMIC_RELAXED);
}

bool bpf64_capable(enum bpf64_cap cap)
{
	return __atomic_load_n(&privileged, __ATOMIC_RELAXED);
}

bool bpf64_unpriv_bpf_disabled(void)
{
	return false;
}

/* The first page is never mapped; anything else is the caller's to give. */
static bool user_addr_bad(u64 addr, size_t n)
{
	return n && (addr < 4096 || addr + n < addr);
}

int bpf64_copy_from_user(void *dst, u64 src, size_t n)
{
	if (!n)
		return 0;
	if (user_addr_bad(src, n))
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)src, n);
	return 0;
}

int bpf64_copy_to_user(u64 dst, const void *src, size_t n)
{
	if (!n)
		return 0;
	if (user_addr_bad(dst, n))
		return -EFAULT;
	memcpy((void *)(uintptr_t)dst, src, n);
	return 0;
}

long bpf64_strncpy_from_user(char *dst, u64 src, size_t size)
{
	const char *s = (const char *)(uintptr_t)src;
	size_t i;

	if (user_addr_bad(src, 1))
		return -EFAULT;
	for (i = 0; i < size; i++) {
		dst[i] = s[i];
		if (!s[i])
			return i;
	}
	return -E2BIG;
}

/*
 * A copy that cannot fault: the kernel reads our own memory for us through
 * process_vm_readv() and says EFAULT where a page is missing.
 */
static long read_nofault(void *dst, u64 src, size_t size)
{
	struct iovec local = { dst, size };
	struct iovec remote = { (void *)(uintptr_t)src, size };

	if (!size)
		return 0;
	if (src < 4096 ||
	    process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)size)
		return -EFAULT;
	return 0;
}

long bpf64_probe_read_kernel(void *dst, u32 size, u64 src)
{
	long err = read_nofault(dst, src, size);

	if (err)
		memset(dst, 0, size);
	return err;
}

long bpf64_probe_read_user(void *dst, u32 size, u64 src)
{
	return bpf64_probe_read_kernel(dst, size, src);
}

/* Byte-wise up to the NUL, so that a string ending before a hole reads. */
long bpf64_probe_read_kernel_str(void *dst, u32 size, u64 src)
{
	char *d = dst;
	u32 i;

	if (!size)
		return 0;
	for (i = 0; i < size - 1; i++) {
		if (read_nofault(&d[i], src + i, 1)) {
			memset(dst, 0, size);
			return -EFAULT;
		}
		if (!d[i])
			return i + 1;
	}
	d[i] = 0;
	return size;
}

long bpf64_probe_read_user_str(void *dst, u32 size, u64 src)
{
	return bpf64_probe_read_kernel_str(dst, size, src);
}
