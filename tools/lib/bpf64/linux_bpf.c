// SPDX-License-Identifier: GPL-2.0
/*
 * The running kernel's bpf(2), wrapped just enough to be pleasant: a
 * probe, BPF_PROG_LOAD, BPF_PROG_TEST_RUN and close.  See linux_bpf.h.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <bpf64/linux_bpf.h>

/* BPF_PROG_LOAD returns -EAGAIN when a signal interrupted the verifier. */
#define LINUX_BPF_LOAD_TRIES	5

static long sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
#ifdef __NR_bpf
	long ret = syscall(__NR_bpf, cmd, attr, size);

	return ret < 0 ? -errno : ret;
#else
	return -ENOSYS;
#endif
}

static __u64 ptr_to_u64(const void *p)
{
	return (__u64)(unsigned long)p;
}

int linux_bpf_prog_load(const struct bpf_insn *insns, __u32 insn_cnt,
			const struct linux_bpf_load_opts *opts)
{
	union bpf_attr attr;
	long fd;
	int i;

	if (!insns || !insn_cnt || !opts)
		return -EINVAL;
	if (opts->log_level && (!opts->log_buf || opts->log_size < 2))
		return -EINVAL;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = opts->prog_type;
	attr.prog_flags = opts->prog_flags;
	attr.expected_attach_type = opts->expected_attach_type;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = insn_cnt;
	attr.license = ptr_to_u64(opts->license ? opts->license : "GPL");
	if (opts->name)
		strncpy(attr.prog_name, opts->name, sizeof(attr.prog_name) - 1);
	/* Linux refuses a log buffer at level 0, so none goes with it. */
	if (opts->log_level) {
		opts->log_buf[0] = '\0';
		attr.log_buf = ptr_to_u64(opts->log_buf);
		attr.log_size = opts->log_size;
		attr.log_level = opts->log_level;
	}

	for (i = 0; i < LINUX_BPF_LOAD_TRIES; i++) {
		fd = sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
		if (fd != -EAGAIN)
			break;
	}
	return fd;
}

int linux_bpf_prog_test_run(int prog_fd, struct linux_bpf_test_run *run)
{
	union bpf_attr attr;
	long err;

	if (prog_fd < 0 || !run)
		return -EINVAL;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	attr.test.data_in = ptr_to_u64(run->data_in);
	attr.test.data_size_in = run->data_size_in;
	attr.test.data_out = ptr_to_u64(run->data_out);
	attr.test.data_size_out = run->data_out ? run->data_size_out : 0;
	attr.test.ctx_in = ptr_to_u64(run->ctx_in);
	attr.test.ctx_size_in = run->ctx_size_in;
	attr.test.ctx_out = ptr_to_u64(run->ctx_out);
	attr.test.ctx_size_out = run->ctx_out ? run->ctx_size_out : 0;
	attr.test.repeat = run->repeat;
	attr.test.flags = run->flags;
	attr.test.cpu = run->cpu;

	err = sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr));
	if (err < 0)
		return err;

	run->retval = attr.test.retval;
	run->duration = attr.test.duration;
	if (run->data_out)
		run->data_size_out = attr.test.data_size_out;
	if (run->ctx_out)
		run->ctx_size_out = attr.test.ctx_size_out;
	return 0;
}

int linux_bpf_close(int fd)
{
	if (fd < 0)
		return -EBADF;
	return close(fd) ? -errno : 0;
}

int linux_bpf_probe(void)
{
	/* Probed once; 1 means "not yet". */
	static int verdict = 1;
	const struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	const struct linux_bpf_load_opts opts = {
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
	};
	int fd;

	if (verdict <= 0)
		return verdict;

	fd = linux_bpf_prog_load(prog, 2, &opts);
	verdict = fd < 0 ? fd : 0;
	if (fd >= 0)
		linux_bpf_close(fd);
	return verdict;
}

const char *linux_bpf_log_tail(const char *log, unsigned int lines)
{
	const char *p;

	if (!log)
		return "";
	p = log + strlen(log);
	if (!lines)
		return p;
	/* Step over the trailing newlines, then back over @lines lines. */
	while (p > log && p[-1] == '\n')
		p--;
	while (p > log) {
		if (p[-1] == '\n' && !--lines)
			break;
		p--;
	}
	return p;
}
