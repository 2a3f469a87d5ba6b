// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_PROG_TEST_RUN's common part: the caller's buffers in and out, and the
 * timed loop.  Each program type's test_run builds its context from these
 * and keeps its own rules (which attr fields it takes, what it copies back).
 *
 * The rules are Linux's (net/bpf/test_run.c): data_in is limited to a page
 * less the room around it, ctx_in may be longer than the context only if
 * the extra bytes are zero, and an output that does not fit is cut short
 * with -ENOSPC while the full size is still reported.
 */
#include <linux/bpf64/jit.h>
#include <linux/bpf64/prog.h>

/*
 * Linux bounds data_in by PAGE_SIZE and ctx_in by it (as any user struct
 * bpf_check_uarg_tail_zero() reads); the kernel home builds for x86-64.
 */
#define TEST_RUN_PAGE_SIZE	4096U

/* A loaded program runs JITed when it has an image, else interpreted. */
static int prog_run_once(struct bpf64_prog *prog, struct bpf64_run *run,
			 u64 *r0)
{
	if (!prog->jit)
		return bpf64_interp_run(prog, run, r0);
	memset(&run->fault, 0, sizeof(run->fault));
	*r0 = bpf64_jit_run(prog->jit, run);
	return 0;
}

int bpf64_test_run_repeat(struct bpf64_prog *prog, struct bpf64_run *run,
			  u32 repeat, struct bpf64_test_run *res)
{
	u64 start, spent, r0 = 0;
	u32 i;
	int err = 0;

	if (!repeat)
		repeat = 1;
	start = bpf64_test_clock_ns();
	for (i = 0; i < repeat && !err; i++)
		err = prog_run_once(prog, run, &r0);
	spent = (bpf64_test_clock_ns() - start) / i;
	prog->last_fault = run->fault;
	if (err)
		return err;
	res->retval = r0;
	res->duration = spent > (u32)-1 ? (u32)-1 : spent;
	return 0;
}

int bpf64_test_copy_out(u64 uptr, u32 usize, const void *buf, u32 size,
			u32 *size_out)
{
	u32 copy = size;
	int err = 0;

	/* No capacity given: copy everything, as Linux did before it had one. */
	if (usize && size > usize) {
		copy = usize;
		err = -ENOSPC;
	}
	if (uptr && bpf64_copy_to_user(uptr, buf, copy))
		return -EFAULT;
	*size_out = size;
	return err;
}

void *bpf64_test_data_in(const union bpf_attr *attr, u32 headroom,
			 u32 tailroom, int *err)
{
	u32 size = attr->test.data_size_in;
	u8 *data;

	if ((u64)size + headroom + tailroom > TEST_RUN_PAGE_SIZE) {
		*err = -EINVAL;
		return NULL;
	}
	data = bpf64_zalloc((size_t)headroom + size + tailroom);
	if (!data) {
		*err = -ENOMEM;
		return NULL;
	}
	if (bpf64_copy_from_user(data + headroom, attr->test.data_in, size)) {
		bpf64_free(data);
		*err = -EFAULT;
		return NULL;
	}
	*err = 0;
	return data;
}

static bool tail_is_zero(const u8 *p, u32 len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

/*
 * Neither ctx_in nor ctx_out: NULL with *err 0, the type's default context.
 * The buffer holds at least @max_size bytes; bytes of ctx_in past it must be
 * zero (-E2BIG otherwise, as bpf_check_uarg_tail_zero()).
 */
void *bpf64_test_ctx_in(const union bpf_attr *attr, u32 max_size, int *err)
{
	u32 size = attr->test.ctx_size_in;
	u8 *ctx;

	*err = 0;
	if (!attr->test.ctx_in && !attr->test.ctx_out)
		return NULL;
	if (!attr->test.ctx_in)
		size = 0;
	if (size > TEST_RUN_PAGE_SIZE) {
		*err = -E2BIG;
		return NULL;
	}
	ctx = bpf64_zalloc(max(size, max_size));
	if (!ctx) {
		*err = -ENOMEM;
		return NULL;
	}
	if (bpf64_copy_from_user(ctx, attr->test.ctx_in, size))
		*err = -EFAULT;
	else if (size > max_size && !tail_is_zero(ctx + max_size, size - max_size))
		*err = -E2BIG;
	if (*err) {
		bpf64_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * The checks BPF_PROG_TEST_RUN makes before it looks at the program: a
 * context buffer and its size come together, in and out.
 */
int bpf64_test_attr_check(const union bpf_attr *attr)
{
	if (!attr->test.ctx_size_in != !attr->test.ctx_in)
		return -EINVAL;
	if (!attr->test.ctx_size_out != !attr->test.ctx_out)
		return -EINVAL;
	return 0;
}
