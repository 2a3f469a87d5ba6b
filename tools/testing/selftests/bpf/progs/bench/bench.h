/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JIT benchmark's programs (bench_jit.c), one C source compiled two
 * ways: clang -target bpf makes an XDP program of it, clang for the host a
 * plain function; both get the same packet and return the same u32.
 *
 *	BENCH(name) { ... }	the body: u8 *data, u8 *end in scope,
 *				returns a u32 that depends on the input
 *	BENCH_NOINLINE		a function that stays a call (bpf-to-bpf)
 *
 * Every body first checks that the packet holds BENCH_PKT_LEN bytes, so
 * the verifier knows the bound of each later access; natively the check
 * costs the same compare.
 */
#ifndef _BENCH_H
#define _BENCH_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed int s32;
typedef signed long long s64;

#define BENCH_PKT_LEN	1024	/* bytes a program may read */
#define BENCH_NOINLINE	__attribute__((noinline))
#define BENCH_INLINE	static inline __attribute__((always_inline))

#ifdef __bpf__

struct xdp_md {
	u32 data;
	u32 data_end;
	u32 data_meta;
	u32 ingress_ifindex;
	u32 rx_queue_index;
	u32 egress_ifindex;
};

#define BENCH(name)							\
	BENCH_INLINE u32 name##_body(u8 *data, u8 *end);		\
	__attribute__((section("xdp"), used))				\
	int name(struct xdp_md *ctx)					\
	{								\
		return name##_body((u8 *)(long)ctx->data,		\
				   (u8 *)(long)ctx->data_end);		\
	}								\
	char _license[] __attribute__((section("license"), used)) = "GPL"; \
	BENCH_INLINE u32 name##_body(u8 *data, u8 *end)

#else

#define BENCH(name)	u32 bench_native_##name(u8 *data, u8 *end)

#endif

/*
 * Hide what @x is from the compiler, which otherwise turns branch-free
 * code back into branches (a verifier then follows every path).
 */
#define bench_opaque(x)	__asm__ volatile("" : "+r"(x))

/* Loads in network or host order, as bpf_ntohs and friends. */
#define bench_ntohs(x)	__builtin_bswap16(x)
#define bench_ntohl(x)	__builtin_bswap32(x)

#endif /* _BENCH_H */
