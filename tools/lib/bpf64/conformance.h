/* SPDX-License-Identifier: GPL-2.0 */
/* The program type the ISA conformance vectors run as. */
#ifndef _BPF64_CONFORMANCE_H
#define _BPF64_CONFORMANCE_H

#include <linux/bpf64/prog.h>

extern const struct bpf64_prog_ops bpf64_conformance_ops;

#endif /* _BPF64_CONFORMANCE_H */
