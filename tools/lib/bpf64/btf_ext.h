/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The line information of .BTF.ext: which source line each run of
 * instructions of a section comes from, as clang -g writes it.  The ELF
 * loader maps it onto the programs it builds, so that a verifier log can
 * name the source line of each instruction, as Linux's does when a loader
 * passes it BTF.
 *
 * Everything is checked before it is used: the header, every block inside
 * the line-info part, every record of the size the part declares, every
 * name and string inside the BTF string section.
 */
#ifndef _BPF64_BTF_EXT_H
#define _BPF64_BTF_EXT_H

#include <stddef.h>
#include <linux/bpf64/platform.h>

struct bpf64_btf;

struct bpf64_btf_ext_line {
	const char *sec;	/* the ELF section of the instructions */
	u32 insn;		/* instruction index in that section */
	const char *file;
	const char *text;	/* the source line itself */
	u32 line;
	u32 col;
};

/*
 * Read the line information of the .BTF.ext section at @data (@size bytes);
 * strings come from @btf, which must outlive the result.  0 with a sorted
 * (section, insn) array in *linesp (free()) and its length in *nrp;
 * -EINVAL with the reason in @err, or -ENOMEM.
 */
int bpf64_btf_ext_lines(const void *data, size_t size,
			const struct bpf64_btf *btf,
			struct bpf64_btf_ext_line **linesp, u32 *nrp,
			char *err, size_t err_size);

#endif /* _BPF64_BTF_EXT_H */
