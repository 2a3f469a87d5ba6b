// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the bpf() interface: the input is a sequence of
 * commands with fuzzed attr fields (types, sizes, flags, fds, instructions,
 * packets).  Pointers inside the attr always point into a scratch buffer
 * large enough for any size the harness lets through, because the hosted
 * home trusts its caller's pointers as any process's memory; everything
 * else is the fuzzer's.  Every object is dropped after each input, so the
 * leak checker sees what a sequence left behind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf64/syscall.h>

#define OP_SIZE		24
#define MAX_SIZE	512		/* keys, values, data, contexts */
#define FD_BASE		3
#define NR_FDS		12

struct op {
	u8 cmd, a, b, c;
	u32 x, y, z;
	u64 w;
};

static u8 *scratch;
static size_t scratch_size;

static u64 ptr(size_t off)
{
	return (unsigned long)(scratch + off % 64);
}

static int fd_of(u8 v)
{
	return FD_BASE + v % NR_FDS;
}

static void do_op(const struct op *op, const u8 *rest, size_t rest_len)
{
	union bpf_attr attr;
	u32 n;

	memset(&attr, 0, sizeof(attr));
	switch (op->cmd % 12) {
	case 0:
		attr.map_type = op->a % 32;
		attr.key_size = op->x % 300;
		attr.value_size = op->y % 300;
		attr.max_entries = op->z % 64 ?: (op->c & 1 ? 4096 : 0);
		attr.map_flags = op->w & 0x3ffff;
		attr.inner_map_fd = op->b & 1 ? fd_of(op->b >> 1) : 0;
		bpf64_sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
		return;
	case 1:
	case 2:
	case 3:
	case 4:
	case 5: {
		static const int cmds[] = {
			BPF_MAP_UPDATE_ELEM, BPF_MAP_LOOKUP_ELEM,
			BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY,
			BPF_MAP_LOOKUP_AND_DELETE_ELEM,
		};
		int cmd = cmds[op->cmd % 12 - 1];

		attr.map_fd = fd_of(op->a);
		attr.key = op->c & 1 ? 0 : ptr(op->x);
		if (cmd == BPF_MAP_GET_NEXT_KEY)
			attr.next_key = ptr(op->y);
		else if (cmd != BPF_MAP_DELETE_ELEM)
			attr.value = ptr(op->y);
		if (cmd != BPF_MAP_DELETE_ELEM && cmd != BPF_MAP_GET_NEXT_KEY)
			attr.flags = op->b % 6;
		/* fd-valued maps take an fd as value: make it a real one. */
		if (cmd == BPF_MAP_UPDATE_ELEM && op->b & 0x80) {
			u32 fd = fd_of(op->z);

			memcpy(scratch + op->y % 64, &fd, sizeof(fd));
		}
		bpf64_sys_bpf(cmd, &attr, sizeof(attr));
		return;
	}
	case 6:
		attr.map_fd = fd_of(op->a);
		bpf64_sys_bpf(BPF_MAP_FREEZE, &attr, sizeof(attr));
		return;
	case 7:
		n = min((u32)op->b, (u32)(rest_len / sizeof(struct bpf_insn)));
		if (!n)
			return;
		memcpy(scratch + 1024, rest, n * sizeof(struct bpf_insn));
		attr.prog_type = op->a % 32;
		attr.insns = (unsigned long)(scratch + 1024);
		attr.insn_cnt = n;
		attr.license = (unsigned long)(op->c & 1 ? "GPL" : "none");
		attr.log_level = op->c & 2 ? 1 : 0;
		attr.log_buf = attr.log_level ? ptr(0) + 64 : 0;
		attr.log_size = attr.log_level ? 256 : 0;
		attr.expected_attach_type = op->x % 64;
		bpf64_sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
		return;
	case 8:
		attr.test.prog_fd = fd_of(op->a);
		attr.test.data_size_in = op->x % MAX_SIZE;
		attr.test.data_in = op->b & 1 ? 0 : ptr(0) + 4096;
		attr.test.data_out = op->b & 2 ? 0 : ptr(0) + 8192;
		attr.test.data_size_out = op->y % (MAX_SIZE + 512);
		attr.test.ctx_size_in = op->z % MAX_SIZE;
		attr.test.ctx_in = op->b & 4 ? 0 : ptr(0) + 12288;
		attr.test.ctx_out = op->b & 8 ? 0 : ptr(0) + 16384;
		attr.test.ctx_size_out = (op->w >> 32) % MAX_SIZE;
		attr.test.repeat = op->c % 3;
		attr.test.flags = op->b & 0x10 ? 1U << 31 : (op->w & 7);
		bpf64_sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr));
		return;
	case 9:
		bpf64_close(fd_of(op->a));
		return;
	case 10:
		attr.bpf_fd = op->c & 1 ? fd_of(op->a) : 0;
		attr.pathname = (unsigned long)(op->b & 1 ? "/sys/fs/bpf/f" : "/tmp/f");
		bpf64_sys_bpf(op->c & 1 ? BPF_OBJ_PIN : BPF_OBJ_GET, &attr,
			      sizeof(attr));
		if (op->c & 2)
			bpf64_unpin("/sys/fs/bpf/f");
		return;
	default: {
		/* The info's own pointers are the caller's too: into scratch. */
		struct bpf_prog_info info = {
			.xlated_prog_len = op->y % 2048,
			.xlated_prog_insns = ptr(0) + 24576,
			.nr_map_ids = op->z % 64,
			.map_ids = ptr(0) + 28672,
		};

		memcpy(scratch + 20480, &info, sizeof(info));
		attr.info.bpf_fd = fd_of(op->a);
		attr.info.info_len = op->x % 512;
		attr.info.info = (unsigned long)(scratch + 20480);
		bpf64_sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr));
		return;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	if (!scratch) {
		/* Room for any percpu value the harness can ask for. */
		scratch_size = 32768 + 304 * (size_t)bpf64_num_possible_cpus();
		scratch = malloc(scratch_size);
		if (!scratch)
			return 0;
	}
	memset(scratch, 0, scratch_size);
	memcpy(scratch, data, min(size, (size_t)1024));
	for (i = 0; i + OP_SIZE <= size; i += OP_SIZE) {
		struct op op;

		memcpy(&op, data + i, sizeof(op));
		do_op(&op, data + i + OP_SIZE, size - i - OP_SIZE);
		if (op.cmd % 12 == 7)	/* the instructions were consumed */
			i += min((size_t)op.b, (size - i - OP_SIZE) / 8) * 8;
	}
	bpf64_sys_reset();
	return 0;
}
