// SPDX-License-Identifier: GPL-2.0
/*
 * .BTF.ext line information.  The layout, as the UAPI's struct
 * bpf_line_info and libbpf's btf_ext_header describe it:
 *
 *   header: magic 0xeB9F (u16), version 1 (u8), flags (u8), hdr_len (u32),
 *           func_info_off, func_info_len, line_info_off, line_info_len
 *           (u32 each, offsets from the end of the header), more after;
 *   line info: rec_size (u32), then blocks of
 *           sec_name_off (u32), num_info (u32), num_info records of
 *           rec_size bytes, each starting with struct bpf_line_info
 *           (insn_off in bytes, file_name_off, line_off, line_col: line
 *           << 10 | column).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>
#include "btf.h"
#include "btf_ext.h"

#define BTF_EXT_MAGIC		0xeB9F
#define BTF_EXT_HDR_MIN		24	/* up to line_info_len */
#define MAX_LINES		(1U << 22)

struct ext_reader {
	const u8 *p;
	size_t left;
	const struct bpf64_btf *btf;
	char *err;
	size_t err_size;
};

__printf(2, 3) static int ext_bad(struct ext_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err_size) {
		va_start(ap, fmt);
		vsnprintf(r->err, r->err_size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static u32 get_u32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int take(struct ext_reader *r, size_t n, const u8 **p)
{
	if (r->left < n)
		return -EINVAL;
	*p = r->p;
	r->p += n;
	r->left -= n;
	return 0;
}

static int ext_str(struct ext_reader *r, u32 off, const char **s,
		   const char *what)
{
	*s = bpf64_btf_str(r->btf, off);
	return *s ? 0 : ext_bad(r, "line info: %s offset %u outside the BTF strings",
				what, off);
}

static int read_record(struct ext_reader *r, const char *sec, u32 rec_size,
		       struct bpf64_btf_ext_line *l)
{
	const u8 *p;
	u32 insn_off, line_col;
	int err;

	if (take(r, rec_size, &p))
		return ext_bad(r, "line info: a record of section %s runs past the end",
			       sec);
	insn_off = get_u32(p);
	line_col = get_u32(p + 12);
	if (insn_off % sizeof(struct bpf_insn))
		return ext_bad(r, "line info: instruction offset %u of section %s is not a multiple of 8",
			       insn_off, sec);
	*l = (struct bpf64_btf_ext_line){
		.sec = sec, .insn = insn_off / sizeof(struct bpf_insn),
		.line = line_col >> 10, .col = line_col & 0x3ff,
	};
	err = ext_str(r, get_u32(p + 4), &l->file, "file name");
	return err ? err : ext_str(r, get_u32(p + 8), &l->text, "line");
}

static int cmp_line(const void *a, const void *b)
{
	const struct bpf64_btf_ext_line *x = a, *y = b;
	int c = strcmp(x->sec, y->sec);

	if (c)
		return c;
	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

static int read_blocks(struct ext_reader *r, u32 rec_size,
		       struct bpf64_btf_ext_line **linesp, u32 *nrp)
{
	struct bpf64_btf_ext_line *lines = NULL, *n;
	const char *sec;
	const u8 *p;
	u32 nr = 0, cnt, i;
	int err = 0;

	while (r->left && !err) {
		if (take(r, 8, &p)) {
			err = ext_bad(r, "line info: a truncated block header");
			break;
		}
		cnt = get_u32(p + 4);
		err = ext_str(r, get_u32(p), &sec, "section name");
		if (!err && (cnt > r->left / rec_size || nr + cnt > MAX_LINES))
			err = ext_bad(r, "line info: %u records of section %s do not fit",
				      cnt, sec);
		if (err)
			break;
		n = realloc(lines, (size_t)(nr + cnt) * sizeof(*lines) + 1);
		if (!n) {
			err = -ENOMEM;
			break;
		}
		lines = n;
		for (i = 0; i < cnt && !err; i++)
			err = read_record(r, sec, rec_size, &lines[nr++]);
	}
	if (err) {
		free(lines);
		return err;
	}
	if (nr)
		qsort(lines, nr, sizeof(*lines), cmp_line);
	*linesp = lines;
	*nrp = nr;
	return 0;
}

int bpf64_btf_ext_lines(const void *data, size_t size,
			const struct bpf64_btf *btf,
			struct bpf64_btf_ext_line **linesp, u32 *nrp,
			char *err, size_t err_size)
{
	struct ext_reader r = {
		.btf = btf, .err = err, .err_size = err_size,
	};
	const u8 *h = data;
	u32 hdr_len, off, len, rec_size;
	u16 magic;

	*linesp = NULL;
	*nrp = 0;
	if (err_size)
		err[0] = '\0';
	if (size >= BTF_EXT_HDR_MIN)
		memcpy(&magic, h, sizeof(magic));
	if (size < BTF_EXT_HDR_MIN || magic != BTF_EXT_MAGIC || h[2] != 1)
		return ext_bad(&r, "not BTF.ext of this byte order, version 1");
	hdr_len = get_u32(h + 4);
	off = get_u32(h + 16);
	len = get_u32(h + 20);
	if (hdr_len < BTF_EXT_HDR_MIN || hdr_len > size ||
	    off > size - hdr_len || len > size - hdr_len - off)
		return ext_bad(&r, "header or line info outside the section");
	if (!len)
		return 0;
	r.p = h + hdr_len + off;
	r.left = len;
	if (r.left < 4)
		return ext_bad(&r, "line info without a record size");
	rec_size = get_u32(r.p);
	r.p += 4;
	r.left -= 4;
	if (rec_size < sizeof(struct bpf_line_info) || rec_size > 256 ||
	    rec_size % 4)
		return ext_bad(&r, "line info record size %u", rec_size);
	return read_blocks(&r, rec_size, linesp, nrp);
}
