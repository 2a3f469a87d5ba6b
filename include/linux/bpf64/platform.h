/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the portable core needs from its home, and nothing more.
 *
 * kernel/, net/ and arch/ include only headers from include/linux/bpf64/.
 * This one is the single place that reaches outside: in the kernel home it
 * pulls in kernel headers, in the hosted home only the kernel's UAPI headers
 * and the compiler's freestanding headers (never the C library's).  Each home
 * implements the few functions declared at the bottom once (host/platform.c,
 * module/platform.c).
 */
#ifndef _LINUX_BPF64_PLATFORM_H
#define _LINUX_BPF64_PLATFORM_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/stdarg.h>
#include <linux/compiler.h>
#include <linux/atomic.h>
#include <linux/objtool.h>
#include <uapi/linux/bpf.h>

/* A function objtool cannot follow (the interpreter's threaded jumps). */
#define BPF64_NON_STANDARD_FRAME(fn) STACK_FRAME_NON_STANDARD(fn)

#else /* hosted */

#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/bpf.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#undef __always_inline	/* <linux/stddef.h> has a weaker one */
#define __always_inline	inline __attribute__((__always_inline__))
#define __maybe_unused	__attribute__((__unused__))
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))
#define fallthrough	__attribute__((__fallthrough__))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BPF64_NON_STANDARD_FRAME(fn)
#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define round_up(x, y)	((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/* The same prototypes as the C library's; only the declarations live here. */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif /* __KERNEL__ */

/* bpf64's own additions to the ABI (a flag of BPF_PROG_TEST_RUN). */
#include <uapi/linux/bpf64.h>

/* Linux's kernel-internal "operation not supported" (bpf() returns it). */
#ifndef ENOTSUPP
#define ENOTSUPP	524
#endif

/* Opcodes newer than the oldest UAPI header we build against (Linux 6.1). */
#ifndef BPF_MEMSX
#define BPF_MEMSX	0x80
#endif
#ifndef BPF_JCOND
#define BPF_JCOND	0xe0
#endif

#define BPF64_LITTLE_ENDIAN (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

/* Memory: zeroed allocations that may fail; freeing NULL is a no-op. */
void *bpf64_zalloc(size_t size);
void *bpf64_zalloc_array(size_t n, size_t size);
void bpf64_free(void *p);
/*
 * A zeroed, page-aligned page of BPF64_PAGE_SIZE bytes, as the kernel's
 * page allocator gives XDP frames (NULL on failure); freed only with
 * bpf64_free_page().
 */
#define BPF64_PAGE_SIZE		4096U
void *bpf64_zalloc_page(void);
void bpf64_free_page(void *p);

/* Atomics on program memory, as the BPF_ATOMIC instructions need them. */
#ifdef __KERNEL__
#define bpf64_atomic_fetch_add32(p, v) ((u32)atomic_fetch_add((v), (atomic_t *)(p)))
#define bpf64_atomic_fetch_and32(p, v) ((u32)atomic_fetch_and((v), (atomic_t *)(p)))
#define bpf64_atomic_fetch_or32(p, v)  ((u32)atomic_fetch_or((v), (atomic_t *)(p)))
#define bpf64_atomic_fetch_xor32(p, v) ((u32)atomic_fetch_xor((v), (atomic_t *)(p)))
#define bpf64_atomic_xchg32(p, v)      ((u32)atomic_xchg((atomic_t *)(p), (v)))
#define bpf64_atomic_cmpxchg32(p, o, n) ((u32)atomic_cmpxchg((atomic_t *)(p), (o), (n)))
#define bpf64_atomic_fetch_add64(p, v) ((u64)atomic64_fetch_add((v), (atomic64_t *)(p)))
#define bpf64_atomic_fetch_and64(p, v) ((u64)atomic64_fetch_and((v), (atomic64_t *)(p)))
#define bpf64_atomic_fetch_or64(p, v)  ((u64)atomic64_fetch_or((v), (atomic64_t *)(p)))
#define bpf64_atomic_fetch_xor64(p, v) ((u64)atomic64_fetch_xor((v), (atomic64_t *)(p)))
#define bpf64_atomic_xchg64(p, v)      ((u64)atomic64_xchg((atomic64_t *)(p), (v)))
#define bpf64_atomic_cmpxchg64(p, o, n) ((u64)atomic64_cmpxchg((atomic64_t *)(p), (o), (n)))
#else
#define __BPF64_ATOMIC(op, p, v) __atomic_##op((p), (v), __ATOMIC_SEQ_CST)
#define bpf64_atomic_fetch_add32(p, v) __BPF64_ATOMIC(fetch_add, (u32 *)(p), (u32)(v))
#define bpf64_atomic_fetch_and32(p, v) __BPF64_ATOMIC(fetch_and, (u32 *)(p), (u32)(v))
#define bpf64_atomic_fetch_or32(p, v)  __BPF64_ATOMIC(fetch_or, (u32 *)(p), (u32)(v))
#define bpf64_atomic_fetch_xor32(p, v) __BPF64_ATOMIC(fetch_xor, (u32 *)(p), (u32)(v))
#define bpf64_atomic_xchg32(p, v)      __BPF64_ATOMIC(exchange_n, (u32 *)(p), (u32)(v))
#define bpf64_atomic_fetch_add64(p, v) __BPF64_ATOMIC(fetch_add, (u64 *)(p), (u64)(v))
#define bpf64_atomic_fetch_and64(p, v) __BPF64_ATOMIC(fetch_and, (u64 *)(p), (u64)(v))
#define bpf64_atomic_fetch_or64(p, v)  __BPF64_ATOMIC(fetch_or, (u64 *)(p), (u64)(v))
#define bpf64_atomic_fetch_xor64(p, v) __BPF64_ATOMIC(fetch_xor, (u64 *)(p), (u64)(v))
#define bpf64_atomic_xchg64(p, v)      __BPF64_ATOMIC(exchange_n, (u64 *)(p), (u64)(v))

static inline u32 bpf64_atomic_cmpxchg32(void *p, u32 old, u32 new)
{
	__atomic_compare_exchange_n((u32 *)p, &old, new, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return old;
}

static inline u64 bpf64_atomic_cmpxchg64(void *p, u64 old, u64 new)
{
	__atomic_compare_exchange_n((u64 *)p, &old, new, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return old;
}
#endif

/*
 * Locks.  A spinlock guards short sections that programs may run (map
 * updates); in the kernel home it disables interrupts, since programs also
 * run from kprobes.  The flags the lock returns go back to the unlock.
 */
#ifdef __KERNEL__
#include <linux/spinlock.h>
typedef raw_spinlock_t bpf64_spinlock_t;
#define BPF64_DEFINE_SPINLOCK(name)	DEFINE_RAW_SPINLOCK(name)
#define bpf64_spin_lock_init(l)	raw_spin_lock_init(l)
static inline unsigned long bpf64_spin_lock(bpf64_spinlock_t *l)
{
	unsigned long flags;

	raw_spin_lock_irqsave(l, flags);
	return flags;
}
#define bpf64_spin_unlock(l, flags) raw_spin_unlock_irqrestore((l), (flags))
#else
typedef struct { int locked; } bpf64_spinlock_t;
#define BPF64_DEFINE_SPINLOCK(name)	bpf64_spinlock_t name = { 0 }
#define bpf64_spin_lock_init(l)	((l)->locked = 0)
unsigned long bpf64_spin_lock(bpf64_spinlock_t *l);
void bpf64_spin_unlock(bpf64_spinlock_t *l, unsigned long flags);
#endif

/*
 * A speculation barrier (BPF64_NOSPEC): no later instruction runs, even
 * speculatively, before the earlier ones are done.
 */
#ifdef __KERNEL__
#include <asm/barrier.h>
#define bpf64_barrier_nospec()	barrier_nospec()
#elif defined(__x86_64__)
#define bpf64_barrier_nospec()	__asm__ __volatile__("lfence" ::: "memory")
#else
#define bpf64_barrier_nospec()	__asm__ __volatile__("" ::: "memory")
#endif

/* Acquire/release for lock-free readers (map lookups). */
#define bpf64_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define bpf64_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Time, randomness, CPUs and the current task, as the helpers report them. */
u64 bpf64_ktime_get_ns(void);		/* CLOCK_MONOTONIC */
u64 bpf64_ktime_get_boot_ns(void);	/* CLOCK_BOOTTIME */
u64 bpf64_ktime_get_coarse_ns(void);	/* CLOCK_MONOTONIC_COARSE */
/*
 * The clock of BPF_PROG_TEST_RUN's duration.  Linux stops its test-run
 * timer while the task is rescheduled, so the hosted home reads the
 * thread's CPU time (time it was preempted left out too); the kernel home
 * reads ktime.
 */
u64 bpf64_test_clock_ns(void);
u32 bpf64_get_prandom_u32(void);
u32 bpf64_smp_processor_id(void);	/* < bpf64_num_possible_cpus() */
u32 bpf64_num_possible_cpus(void);	/* what percpu values are sized by */
u64 bpf64_current_pid_tgid(void);	/* tgid << 32 | pid, as Linux */
u64 bpf64_current_uid_gid(void);	/* gid << 32 | uid */
void bpf64_current_comm(char *buf, u32 size);	/* NUL-terminated */

/*
 * Privilege, as Linux decides it for bpf(): does the calling task have
 * @cap (CAP_SYS_ADMIN implies CAP_BPF and CAP_PERFMON, as Linux's
 * bpf_capable() and perfmon_capable()), and may tasks without CAP_BPF use
 * bpf() at all (sysctl kernel.unprivileged_bpf_disabled == 0).  The kernel
 * home asks capable() and its module parameter unprivileged_bpf_disabled
 * (2, Linux's default: no); the hosted home answers from one process-wide
 * setting, privileged unless bpf64_set_privileged(false) said otherwise,
 * since the hosted library is its user's own tool running its own
 * programs, and lets unprivileged callers in.
 */
enum bpf64_cap {
	BPF64_CAP_BPF,
	BPF64_CAP_PERFMON,
	BPF64_CAP_NET_ADMIN,
	BPF64_CAP_SYS_ADMIN,
};
bool bpf64_capable(enum bpf64_cap cap);
bool bpf64_unpriv_bpf_disabled(void);
#ifndef __KERNEL__
void bpf64_set_privileged(bool privileged);
#endif

/*
 * The caller's memory, as bpf() reaches it: 0 or -EFAULT.  The hosted home
 * shares one address space with its caller and refuses only addresses in
 * the first page; the kernel home uses copy_{from,to}_user.
 */
int bpf64_copy_from_user(void *dst, u64 src, size_t n);
int bpf64_copy_to_user(u64 dst, const void *src, size_t n);
/* A NUL-terminated string of at most @size bytes with the NUL; the length
 * without it, -EFAULT, or -E2BIG if no NUL came within @size.
 */
long bpf64_strncpy_from_user(char *dst, u64 src, size_t size);

/*
 * Executable memory for JIT images (host/jit_mem.c, module/jit_mem.c),
 * never writable and executable at once.  bpf64_jit_alloc gives memory
 * that is read + execute only and holds @code, @size bytes, aligned to
 * BPF64_JIT_ALIGN (callers fill their last unit; NULL on failure);
 * bpf64_jit_write copies other code over part of it later, as the
 * kernel's text_poke does (0 or -errno).  Both see to the instruction
 * cache.
 */
#define BPF64_JIT_ALIGN	64
void *bpf64_jit_alloc(const void *code, size_t size);
int bpf64_jit_write(void *dst, const void *src, size_t len);
void bpf64_jit_free(void *p, size_t size);

/*
 * SHA-256 compression with the CPU's own instructions, for program tags
 * (kernel/bpf/sha256.c): run @nblocks 64-byte blocks of @data into @state
 * (a, b, ..., h, as FIPS 180-4 names them) and return true, or return false
 * having touched nothing when the home has no fast way, and the core's C
 * rounds run instead.  The hosted home uses SHA-NI when cpuid reports it
 * (host/sha256_arch.c); the kernel home always says false.  Hosted tests
 * force the C rounds with bpf64_sha256_force_generic(true), to compare both.
 */
bool bpf64_sha256_blocks_arch(u32 state[8], const u8 *data, size_t nblocks);
#ifndef __KERNEL__
void bpf64_sha256_force_generic(bool generic);
#endif

/*
 * Reads that cannot fault the host whatever the address: 0 or -EFAULT, and
 * on failure @dst is zeroed, as bpf_probe_read_{kernel,user} do.  The _str
 * forms copy up to the NUL and return the length with it.
 */
long bpf64_probe_read_kernel(void *dst, u32 size, u64 src);
long bpf64_probe_read_user(void *dst, u32 size, u64 src);
long bpf64_probe_read_kernel_str(void *dst, u32 size, u64 src);
long bpf64_probe_read_user_str(void *dst, u32 size, u64 src);

#endif /* _LINUX_BPF64_PLATFORM_H */
