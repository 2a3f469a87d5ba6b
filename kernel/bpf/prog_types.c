// SPDX-License-Identifier: GPL-2.0
/*
 * The program types by Linux's number (enum bpf_prog_type), and the raw
 * type among them: BPF_PROG_TYPE_SYSCALL, whose context is plain memory.
 */
#include <linux/bpf64/helpers.h>

static const struct bpf64_prog_ops *const prog_types[] = {
	[BPF_PROG_TYPE_SOCKET_FILTER]	= &bpf64_sk_filter_prog_ops,
	[BPF_PROG_TYPE_KPROBE]		= &bpf64_kprobe_prog_ops,
	[BPF_PROG_TYPE_SCHED_CLS]	= &bpf64_tc_cls_act_prog_ops,
	[BPF_PROG_TYPE_SCHED_ACT]	= &bpf64_tc_cls_act_prog_ops,
	[BPF_PROG_TYPE_TRACEPOINT]	= &bpf64_tracepoint_prog_ops,
	[BPF_PROG_TYPE_XDP]		= &bpf64_xdp_prog_ops,
	[BPF_PROG_TYPE_SYSCALL]		= &bpf64_syscall_prog_ops,
};

const struct bpf64_prog_ops *bpf64_prog_type_ops(u32 prog_type)
{
	if (prog_type >= ARRAY_SIZE(prog_types))
		return NULL;
	return prog_types[prog_type];
}

/*
 * BPF_PROG_TYPE_SYSCALL.  The context is the caller's ctx_in, copied in and
 * back out to ctx_in after the run; a program may read and write it at any
 * offset below U16_MAX that is aligned to the access size, as Linux's
 * syscall_prog_is_valid_access() says.  A run whose ctx_size_in is below
 * the furthest offset the verifier saw the program reach is refused.
 */
#define SYSCALL_CTX_MAX		0xffffU		/* U16_MAX */

static const struct bpf64_func_proto *
syscall_func_proto(u32 func_id, const struct bpf64_prog *prog)
{
	/* Linux gives the tracing set, and sys_bpf, sys_close, btf and
	 * kallsyms helpers bpf64 does not have.
	 */
	return bpf64_tracing_func_proto(func_id, prog);
}

static bool syscall_is_valid_access(int off, int size, bool write,
				    const struct bpf64_prog *prog,
				    struct bpf64_ctx_access *info)
{
	return off >= 0 && off < (int)SYSCALL_CTX_MAX && size > 0 &&
	       off % size == 0;
}

static int syscall_test_run(struct bpf64_prog *prog, const union bpf_attr *attr,
			    struct bpf64_test_run *res)
{
	u32 size = attr->test.ctx_size_in;
	struct bpf64_run run = { };
	struct bpf64_test_run out = { };
	void *ctx = NULL;
	int err;

	/* No data, ctx_out, duration, repeat, flags or batches: Linux's list. */
	if (attr->test.data_in || attr->test.data_out || attr->test.ctx_out ||
	    attr->test.duration || attr->test.repeat || attr->test.flags ||
	    attr->test.batch_size)
		return -EINVAL;
	if (size > SYSCALL_CTX_MAX || size < prog->max_ctx_offset)
		return -EINVAL;
	if (size) {
		ctx = bpf64_zalloc(size);
		if (!ctx)
			return -ENOMEM;
		err = bpf64_copy_from_user(ctx, attr->test.ctx_in, size);
		if (err)
			goto out;
		run.regions[0] = (struct bpf64_region) {
			.start = (unsigned long)ctx, .size = size,
			.writable = true,
		};
		run.nr_regions = 1;
	}
	run.ctx = (unsigned long)ctx;
	run.args[0] = run.ctx;
	err = bpf64_test_run_repeat(prog, &run, 1, &out);
	if (err)
		goto out;
	/* Only the program's return value and the context go back. */
	res->retval = out.retval;
	if (size && bpf64_copy_to_user(attr->test.ctx_in, ctx, size))
		err = -EFAULT;
out:
	bpf64_free(ctx);
	return err;
}

const struct bpf64_prog_ops bpf64_syscall_prog_ops = {
	.name			= "syscall",
	.get_func_proto		= syscall_func_proto,
	.is_valid_access	= syscall_is_valid_access,
	.test_run		= syscall_test_run,
};
