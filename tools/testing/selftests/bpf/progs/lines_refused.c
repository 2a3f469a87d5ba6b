// SPDX-License-Identifier: GPL-2.0
/*
 * A program every verifier refuses, built with -g: test_elf checks that the
 * refusal's log names the source line of each instruction on the path,
 * in the subprogram too.
 */
#include "elf_common.h"

struct xdp_frame_view {
	__u32 data;
	__u32 data_end;
};

static __attribute__((noinline)) int first_byte(struct xdp_frame_view *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;

	return data[0];	/* never checked against data_end */
}

SEC("xdp")
int lines_refused(struct xdp_frame_view *ctx)
{
	return first_byte(ctx) == 1 ? 1 : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
