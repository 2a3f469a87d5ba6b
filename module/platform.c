// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel home's side of include/linux/bpf64/platform.h: what the
 * portable core needs from its home, implemented with kernel APIs.
 *
 * Sizes reach these functions from untrusted input (program lengths, map
 * sizes), so an oversized request fails quietly with NULL (__GFP_NOWARN)
 * instead of warning in the kernel log; kvmalloc falls back to vmalloc for
 * large ones.  A zero-sized request returns ZERO_SIZE_PTR, which is not
 * NULL and may be freed, like the hosted home's one-byte allocation.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include <linux/bpf64/platform.h>

#define BPF64_GFP	(GFP_KERNEL | __GFP_NOWARN)

void *bpf64_zalloc(size_t size)
{
	return kvzalloc(size, BPF64_GFP);
}

void *bpf64_zalloc_array(size_t n, size_t size)
{
	/* kvcalloc() returns NULL when n * size overflows. */
	return kvcalloc(n, size, BPF64_GFP);
}

void bpf64_free(void *p)
{
	kvfree(p);
}

void *bpf64_zalloc_page(void)
{
	BUILD_BUG_ON(BPF64_PAGE_SIZE != PAGE_SIZE);
	return (void *)get_zeroed_page(BPF64_GFP);
}

void bpf64_free_page(void *p)
{
	free_page((unsigned long)p);
}

u64 bpf64_ktime_get_ns(void)
{
	return ktime_get_ns();
}

u64 bpf64_ktime_get_boot_ns(void)
{
	return ktime_get_boottime_ns();
}

u64 bpf64_ktime_get_coarse_ns(void)
{
	return ktime_get_coarse_ns();
}

u64 bpf64_test_clock_ns(void)
{
	return ktime_get_ns();
}

u32 bpf64_get_prandom_u32(void)
{
	return get_random_u32();
}

/* Programs run with migration disabled, so the id stays true while used. */
u32 bpf64_smp_processor_id(void)
{
	return raw_smp_processor_id();
}

u32 bpf64_num_possible_cpus(void)
{
	return num_possible_cpus();
}

u64 bpf64_current_pid_tgid(void)
{
	return (u64)current->tgid << 32 | current->pid;
}

u64 bpf64_current_uid_gid(void)
{
	kuid_t uid;
	kgid_t gid;

	current_uid_gid(&uid, &gid);
	return (u64)from_kgid(&init_user_ns, gid) << 32 |
	       from_kuid(&init_user_ns, uid);
}

void bpf64_current_comm(char *buf, u32 size)
{
	if (size)
		strscpy(buf, current->comm, size);
}

/* Linux's sysctl kernel.unprivileged_bpf_disabled, which modules cannot read */
static int unprivileged_bpf_disabled = 2;
module_param(unprivileged_bpf_disabled, int, 0644);
MODULE_PARM_DESC(unprivileged_bpf_disabled,
		 "0: tasks without CAP_BPF may use bpf64's bpf() (default 2: no)");

bool bpf64_capable(enum bpf64_cap cap)
{
	static const int caps[] = {
		[BPF64_CAP_BPF] = CAP_BPF,
		[BPF64_CAP_PERFMON] = CAP_PERFMON,
		[BPF64_CAP_NET_ADMIN] = CAP_NET_ADMIN,
		[BPF64_CAP_SYS_ADMIN] = CAP_SYS_ADMIN,
	};

	return capable(caps[cap]) || capable(CAP_SYS_ADMIN);
}

bool bpf64_unpriv_bpf_disabled(void)
{
	return READ_ONCE(unprivileged_bpf_disabled) != 0;
}

int bpf64_copy_from_user(void *dst, u64 src, size_t n)
{
	return copy_from_user(dst, u64_to_user_ptr(src), n) ? -EFAULT : 0;
}

int bpf64_copy_to_user(u64 dst, const void *src, size_t n)
{
	return copy_to_user(u64_to_user_ptr(dst), src, n) ? -EFAULT : 0;
}

long bpf64_strncpy_from_user(char *dst, u64 src, size_t size)
{
	long n = strncpy_from_user(dst, u64_to_user_ptr(src), size);

	if (n < 0)
		return n;
	return (size_t)n >= size ? -E2BIG : n;
}

long bpf64_probe_read_kernel(void *dst, u32 size, u64 src)
{
	long err = copy_from_kernel_nofault(dst, (const void *)(unsigned long)src,
					    size);

	if (err)
		memset(dst, 0, size);
	return err ? -EFAULT : 0;
}

long bpf64_probe_read_user(void *dst, u32 size, u64 src)
{
	long err = copy_from_user_nofault(dst, u64_to_user_ptr(src), size);

	if (err)
		memset(dst, 0, size);
	return err ? -EFAULT : 0;
}

/*
 * strncpy_from_{kernel,user}_nofault() are not exported to modules: copy
 * byte by byte with the exported nofault copies.
 */
static long read_str_nofault(void *dst, u32 size, u64 src, bool user)
{
	char *d = dst;
	long err;
	u32 i;

	if (!size)
		return 0;
	for (i = 0; i < size - 1; i++) {
		if (user)
			err = copy_from_user_nofault(&d[i], u64_to_user_ptr(src + i), 1);
		else
			err = copy_from_kernel_nofault(&d[i],
					(const char *)(unsigned long)src + i, 1);
		if (err) {
			memset(dst, 0, size);
			return -EFAULT;
		}
		if (!d[i])
			return i + 1;
	}
	d[i] = 0;
	return size;
}

long bpf64_probe_read_kernel_str(void *dst, u32 size, u64 src)
{
	return read_str_nofault(dst, size, src, false);
}

long bpf64_probe_read_user_str(void *dst, u32 size, u64 src)
{
	return read_str_nofault(dst, size, src, true);
}

/*
 * The SHA instructions work in SIMD registers, which kernel code may touch
 * only between kernel_fpu_begin() and kernel_fpu_end(), not from every
 * context BPF_PROG_LOAD runs in here; the core's C rounds hash the tags.
 */
bool bpf64_sha256_blocks_arch(u32 state[8], const u8 *data, size_t nblocks)
{
	return false;
}
