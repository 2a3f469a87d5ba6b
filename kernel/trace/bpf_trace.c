// SPDX-License-Identifier: GPL-2.0
/*
 * The tracing program types, BPF_PROG_TYPE_KPROBE and _TRACEPOINT, and
 * their helpers: bpf_trace_printk with its trace buffer, and the probe
 * reads.
 *
 * Linux has no test run for these types (-ENOTSUPP); bpf64 runs them on a
 * context the caller gives when BPF_PROG_TEST_RUN's flags ask for it with
 * BPF64_F_TEST_RUN_TRACING.
 */
#include <linux/bpf64/helpers.h>

/*
 * The trace buffer: lines in a ring, the oldest dropped for new ones.  One
 * lock orders writers and readers.
 */
#define TRACE_BUF_SIZE		32768U

static struct {
	bpf64_spinlock_t lock;
	u32 head;		/* offset of the oldest byte */
	u32 len;
	char ring[TRACE_BUF_SIZE];
} trace_buf;

static char trace_at(u32 i)
{
	return trace_buf.ring[(trace_buf.head + i) % TRACE_BUF_SIZE];
}

/* Bytes of the line at @from, its newline included. */
static u32 trace_line_len(u32 from)
{
	u32 i;

	for (i = from; i < trace_buf.len; i++)
		if (trace_at(i) == '\n')
			return i + 1 - from;
	return trace_buf.len - from;
}

static void trace_drop(u32 n)
{
	trace_buf.head = (trace_buf.head + n) % TRACE_BUF_SIZE;
	trace_buf.len -= n;
}

static void trace_put(const char *s, u32 n)
{
	u32 tail = trace_buf.head + trace_buf.len, i;

	for (i = 0; i < n; i++)
		trace_buf.ring[(tail + i) % TRACE_BUF_SIZE] = s[i];
	trace_buf.len += n;
}

/* Append @msg as a line (lock held); @n is below TRACE_BUF_SIZE. */
static void trace_append(const char *msg, u32 n)
{
	u32 nl = !n || msg[n - 1] != '\n';

	while (trace_buf.len + n + nl > TRACE_BUF_SIZE)
		trace_drop(trace_line_len(0));
	trace_put(msg, n);
	trace_put("\n", nl);
}

/*
 * Whole lines that fit in @size - 1 bytes; part of the first line if even
 * that one does not fit, so that a reader always makes progress.
 */
size_t bpf64_trace_read(char *buf, size_t size)
{
	unsigned long flags;
	u32 n = 0, line, i;

	if (!size)
		return 0;
	flags = bpf64_spin_lock(&trace_buf.lock);
	while (n < trace_buf.len) {
		line = trace_line_len(n);
		if (n + line > size - 1)
			break;
		n += line;
	}
	if (!n)
		n = min(trace_buf.len, (u32)min(size - 1, (size_t)TRACE_BUF_SIZE));
	for (i = 0; i < n; i++)
		buf[i] = trace_at(i);
	buf[n] = 0;
	trace_drop(n);
	bpf64_spin_unlock(&trace_buf.lock, flags);
	return n;
}

void bpf64_trace_clear(void)
{
	unsigned long flags = bpf64_spin_lock(&trace_buf.lock);

	trace_buf.head = 0;
	trace_buf.len = 0;
	bpf64_spin_unlock(&trace_buf.lock, flags);
}

/*
 * bpf_trace_printk: Linux's bpf_bprintf_prepare() checks the format and
 * copies what the arguments point to into a 512-byte buffer, then
 * bstr_printf() formats into 1024 bytes.  The same rules here, in one pass:
 * at most three conversions, each "%[-+ 0]*[1-9][0-9]*" followed by d i u x
 * X (with l or ll), c, s, p, pK px ps pS pB, pks pus, pI4 pi4 pI6 pi6;
 * ASCII control characters other than white space are refused.  The
 * output, cut at 1023 bytes, becomes one line of the trace buffer; the
 * return value is the length it would have had, or -EINVAL / -ENOSPC.
 *
 * What bpf64 cannot know prints as Linux prints it without: %pS, %ps and
 * %pB as "0x" and the address (no symbols), %p and %pK as a hash of the
 * pointer (kptr_restrict 0), whose key differs from the kernel's.
 */
#define PRINTK_MAX_ARGS		3
#define PRINTK_BUF_SIZE		1024U	/* MAX_BPRINTF_BUF */
#define PRINTK_BIN_SIZE		512U	/* MAX_BPRINTF_BIN_ARGS */
#define PRINTK_WIDTH_MAX	((1 << 23) - 1)	/* vsprintf's FIELD_WIDTH_MAX */

/* The flags, as bits in the order of PRINTK_FLAG_CHARS. */
#define PRINTK_FLAG_CHARS	"-+ 0"
#define PF_LEFT		1
#define PF_ZERO		8

struct printk_spec {
	u8 flags;		/* PF_* */
	int width;		/* -1: none */
	u8 lsize;		/* 0, 1 (l) or 2 (ll) */
	char conv;		/* d i u x X c s p */
	char ptype;		/* after p: K x s S B k u I i, 0 for plain */
	char ipver;		/* '4' or '6' */
};

struct printk_out {
	char *buf;		/* PRINTK_BUF_SIZE bytes, always terminated */
	char *str;		/* PRINTK_BIN_SIZE bytes for a string argument */
	u32 len;		/* what the output would need, without its NUL */
	u32 bin_used;		/* of Linux's PRINTK_BIN_SIZE argument buffer */
};

/*
 * The kernel's ctype, which treats Latin-1 as well: only space and
 * punctuation after %s or %p matter here.
 */
static bool k_isspace(u8 c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

static bool k_ispunct(u8 c)
{
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
	       (c >= '[' && c <= '`') || (c >= '{' && c <= '~') ||
	       (c >= 0xa1 && c <= 0xbf) || c == 0xd7 || c == 0xf7;
}

static bool k_isalnum(u8 c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c >= 0xc0 && c != 0xd7 && c != 0xf7);
}

/* Index of @c in @set, or -1. */
static int char_index(const char *set, char c)
{
	int i;

	for (i = 0; set[i]; i++)
		if (set[i] == c)
			return i;
	return -1;
}

static bool printk_end_of_conv(u8 c)
{
	return !c || k_isspace(c) || k_ispunct(c);
}

static void out_mem(struct printk_out *o, const char *s, u32 n)
{
	if (o->len < PRINTK_BUF_SIZE - 1)
		memcpy(o->buf + o->len, s,
		       min(n, PRINTK_BUF_SIZE - 1 - o->len));
	o->len += n;
}

static void out_spaces(struct printk_out *o, int n)
{
	if (n <= 0)
		return;
	if (o->len < PRINTK_BUF_SIZE - 1)
		memset(o->buf + o->len, ' ',
		       min((u32)n, PRINTK_BUF_SIZE - 1 - o->len));
	o->len += n;
}

/* A string in a field: vsprintf pads with spaces, whatever the flags. */
static void out_field(struct printk_out *o, const char *s, u32 n,
		      const struct printk_spec *spec)
{
	if (!(spec->flags & PF_LEFT))
		out_spaces(o, spec->width - (int)n);
	out_mem(o, s, n);
	if (spec->flags & PF_LEFT)
		out_spaces(o, spec->width - (int)n);
}

/* A number through the platform's snprintf, which agrees with vsprintf's. */
static void out_number(struct printk_out *o, const struct printk_spec *spec,
		       char conv, bool wide, u64 v)
{
	u32 pos = min(o->len, PRINTK_BUF_SIZE - 1);
	char fmt[12], *f = fmt;
	int i, n;

	*f++ = '%';
	for (i = 0; PRINTK_FLAG_CHARS[i]; i++)
		if (spec->flags & (1 << i))
			*f++ = PRINTK_FLAG_CHARS[i];
	*f++ = '*';
	*f++ = 'l';
	*f++ = 'l';
	*f++ = conv;
	*f = 0;
	if (!wide)	/* an int: Linux kept 32 bits, signed for %d and %i */
		v = conv == 'd' || conv == 'i' ? (u64)(s64)(s32)v : (u32)v;
	n = snprintf(o->buf + pos, PRINTK_BUF_SIZE - pos, fmt,
		     spec->width < 0 ? 0 : spec->width, (unsigned long long)v);
	o->len += n > 0 ? n : 0;
}

/* Room for @size bytes of argument, aligned as Linux stores it. */
static int bin_take(struct printk_out *o, u32 size, u32 align)
{
	o->bin_used = round_up(o->bin_used, align);
	if (o->bin_used > PRINTK_BIN_SIZE ||
	    PRINTK_BIN_SIZE - o->bin_used < size)
		return -ENOSPC;
	o->bin_used += size;
	return 0;
}

/* Strings: Linux's %s reads user memory below TASK_SIZE, kernel above. */
static long read_str(char *dst, u32 size, u64 src, char ptype)
{
	long n;

	if (ptype == 'u')
		return bpf64_probe_read_user_str(dst, size, src);
	n = bpf64_probe_read_kernel_str(dst, size, src);
	if (n < 0 && ptype == 's')
		n = bpf64_probe_read_user_str(dst, size, src);
	return n;
}

static int printk_str(struct printk_out *o, const struct printk_spec *spec,
		      u64 arg)
{
	u32 room = PRINTK_BIN_SIZE - min(o->bin_used, PRINTK_BIN_SIZE);
	long n;

	if (!room)
		return -ENOSPC;
	n = read_str(o->str, room, arg, spec->conv == 's' ? 's' : spec->ptype);
	if (n < 0) {
		o->str[0] = 0;
		n = 1;
	}
	o->bin_used += n;
	/* %s takes its field; %pks and %pus were copied as they are */
	if (spec->conv == 's')
		out_field(o, o->str, n - 1, spec);
	else
		out_mem(o, o->str, n - 1);
	return 0;
}

/* As vsprintf's pointer_string(): 16 zero-padded digits by default. */
static void out_pointer(struct printk_out *o, const struct printk_spec *spec,
			u64 v)
{
	struct printk_spec hex = *spec;

	if (hex.width < 0) {
		hex.width = 16;
		hex.flags |= PF_ZERO;
	}
	out_number(o, &hex, 'x', true, v);
}

/*
 * %p: NULL and error pointers as they are, others as a 32-bit hash with a
 * key of this boot (taken under trace_buf.lock).
 */
static u64 pointer_id(u64 p)
{
	static u64 key;

	if (!p || p >= (u64)-4095)
		return p;
	if (!key)
		key = ((u64)bpf64_get_prandom_u32() << 32 |
		       bpf64_get_prandom_u32()) | 1;
	p = (p ^ key) * 0x9e3779b97f4a7c15ULL;
	p ^= p >> 29;
	p *= key;
	return (u32)(p ^ (p >> 32));
}

/* The text of %pI4, %pi4, %pI6 or %pi6 in @s; its length. */
static int format_ip(char *s, u32 size, char kind, char ver, const u8 *ip)
{
	int n = 0, i;

	if (ver == '4') {
		for (i = 0; i < 4; i++)
			n += snprintf(s + n, size - n,
				      kind == 'I' ? "%s%u" : "%s%03u",
				      i ? "." : "", ip[i]);
		return n;
	}
	for (i = 0; i < 16; i += 2)
		n += snprintf(s + n, size - n,
			      kind == 'I' && i ? ":%02x%02x" : "%02x%02x",
			      ip[i], ip[i + 1]);
	return n;
}

/*
 * %pB and %pI are formatted into the argument buffer first, cut to the
 * room left there, and copied into the output without a field.
 */
static int printk_preformatted(struct printk_out *o,
			       const struct printk_spec *spec, u64 arg)
{
	u32 room = PRINTK_BIN_SIZE - min(o->bin_used, PRINTK_BIN_SIZE);
	u32 size = spec->ipver == '6' ? 16 : 4;
	char s[40];
	u8 ip[16];
	int n;

	if (spec->ptype == 'B') {
		n = snprintf(s, sizeof(s), "0x%llx", (unsigned long long)arg);
	} else {
		if (room < size)
			return -ENOSPC;
		bpf64_probe_read_kernel(ip, size, arg);
		n = format_ip(s, sizeof(s), spec->ptype, spec->ipver, ip);
	}
	if (room)
		out_mem(o, s, min((u32)n, room - 1));
	o->bin_used += n + 1;
	return 0;
}

static int printk_ptr(struct printk_out *o, const struct printk_spec *spec,
		      u64 arg)
{
	char s[24];
	int n;

	switch (spec->ptype) {
	case 'k':
	case 'u':
		return printk_str(o, spec, arg);
	case 'B':
	case 'I':
	case 'i':
		return printk_preformatted(o, spec, arg);
	}
	if (bin_take(o, 8, 4))
		return -ENOSPC;
	switch (spec->ptype) {
	case 'x':
		out_pointer(o, spec, arg);
		break;
	case 's':
	case 'S':
		n = snprintf(s, sizeof(s), "0x%llx", (unsigned long long)arg);
		out_field(o, s, n, spec);
		break;
	default:	/* plain, K */
		out_pointer(o, spec, pointer_id(arg));
		break;
	}
	return 0;
}

static int printk_arg(struct printk_out *o, const struct printk_spec *spec,
		      u64 arg)
{
	char c = arg;

	switch (spec->conv) {
	case 's':
		return printk_str(o, spec, arg);
	case 'p':
		return printk_ptr(o, spec, arg);
	case 'c':
		if (o->bin_used >= PRINTK_BIN_SIZE)
			return -ENOSPC;
		o->bin_used++;
		out_field(o, &c, 1, spec);
		return 0;
	}
	if (bin_take(o, spec->lsize ? 8 : 4, 4))
		return -ENOSPC;
	out_number(o, spec, spec->conv, spec->lsize, arg);
	return 0;
}

/* After "%p": which kind, or -EINVAL.  *i ends on its last character. */
static int parse_ptype(const char *fmt, u32 *i, struct printk_spec *spec)
{
	char c = fmt[*i + 1];

	if (printk_end_of_conv(c))
		return 0;
	if ((c == 'k' || c == 'u') && fmt[*i + 2] == 's') {
		*i += 2;
		spec->ptype = c;
		return printk_end_of_conv(fmt[*i + 1]) ? 0 : -EINVAL;
	}
	if (c == 'K' || c == 'x' || c == 's' || c == 'S' || c == 'B') {
		*i += 1;
		spec->ptype = c;
		return 0;
	}
	if ((c == 'i' || c == 'I') &&
	    (fmt[*i + 2] == '4' || fmt[*i + 2] == '6')) {
		spec->ptype = c;
		spec->ipver = fmt[*i + 2];
		*i += 2;
		return 0;
	}
	return -EINVAL;
}

/* One conversion from just after its '%'; *i ends on its last character. */
static int parse_spec(const char *fmt, u32 *i, struct printk_spec *spec)
{
	u32 j = *i;
	int flag, err = 0;

	*spec = (struct printk_spec) { .width = -1 };
	if ((u8)fmt[j] >= 0x80)
		return -EINVAL;
	while (fmt[j] && (flag = char_index(PRINTK_FLAG_CHARS, fmt[j])) >= 0) {
		spec->flags |= 1 << flag;
		j++;
	}
	if (fmt[j] >= '1' && fmt[j] <= '9') {
		spec->width = 0;
		while (fmt[j] >= '0' && fmt[j] <= '9') {
			spec->width = min(spec->width * 10 + (fmt[j] - '0'),
					  PRINTK_WIDTH_MAX);
			j++;
		}
	}
	spec->conv = fmt[j];
	switch (spec->conv) {
	case 'p':
		err = parse_ptype(fmt, &j, spec);
		break;
	case 's':
		err = printk_end_of_conv(fmt[j + 1]) ? 0 : -EINVAL;
		break;
	case 'c':
		break;
	default:	/* an integer: up to two l's, then its letter */
		while (fmt[j] == 'l' && spec->lsize < 2) {
			spec->lsize++;
			j++;
		}
		spec->conv = fmt[j];
		if (!spec->conv || char_index("diuxX", spec->conv) < 0)
			err = -EINVAL;
	}
	*i = j;
	return err;
}

static bool printk_bad_char(u8 c)
{
	return c < 0x80 && (c < ' ' || c == 0x7f) && !k_isspace(c);
}

/* Format @fmt (@len bytes before its NUL) into @o, or -errno. */
static int printk_format(struct printk_out *o, const char *fmt, u32 len,
			 const u64 *args)
{
	struct printk_spec spec;
	u32 i, nr_args = 0;
	int err;

	for (i = 0; i < len; i++) {
		if (printk_bad_char(fmt[i]))
			return -EINVAL;
		if (fmt[i] != '%') {
			out_mem(o, &fmt[i], 1);
			continue;
		}
		if (fmt[i + 1] == '%') {
			out_mem(o, "%", 1);
			i++;
			continue;
		}
		if (nr_args == PRINTK_MAX_ARGS)
			return -EINVAL;
		i++;
		err = parse_spec(fmt, &i, &spec);
		if (!err)
			err = printk_arg(o, &spec, args[nr_args++]);
		if (err)
			return err;
		/* bstr_printf() skips letters and digits after a %p kind */
		while (spec.conv == 'p' && k_isalnum(fmt[i + 1]))
			i++;
	}
	return 0;
}

/*
 * Formats under the trace lock into static buffers: 1.5 KiB is too much
 * for the stack a program runs on, and a helper may not sleep to allocate.
 */
static u64 helper_trace_printk(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	static char out[PRINTK_BUF_SIZE], str[PRINTK_BIN_SIZE];
	const char *fmt = (const char *)(unsigned long)r1;
	struct printk_out o = { .buf = out, .str = str };
	u64 args[PRINTK_MAX_ARGS] = { r3, r4, r5 };
	unsigned long flags;
	u32 len;
	int err;

	for (len = 0; len < (u32)r2 && fmt[len]; len++)
		;
	if (len == (u32)r2)
		return -EINVAL;
	flags = bpf64_spin_lock(&trace_buf.lock);
	err = printk_format(&o, fmt, len, args);
	if (!err) {
		out[min(o.len, PRINTK_BUF_SIZE - 1)] = 0;
		trace_append(out, strlen(out));
	}
	bpf64_spin_unlock(&trace_buf.lock, flags);
	return err ? (u64)(s64)err : o.len;
}

const struct bpf64_func_proto bpf64_trace_printk_proto = {
	.func		= helper_trace_printk,
	.name		= "bpf_trace_printk",
	.gpl_only	= true,
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_PTR_TO_MEM, BPF64_ARG_CONST_SIZE },
};

/*
 * Probe reads: the platform's reads cannot fault and zero @dst when they
 * fail.  Linux's legacy bpf_probe_read(_str) pick user or kernel memory by
 * the address (below TASK_SIZE: user); the platform does not say where
 * that line is, so they try the kernel first and the user side when that
 * fails, which on x86-64 reaches the same memory with the same answer.
 */
static u64 helper_probe_read_kernel(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return bpf64_probe_read_kernel((void *)(unsigned long)r1, r2, r3);
}

static u64 helper_probe_read_user(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return bpf64_probe_read_user((void *)(unsigned long)r1, r2, r3);
}

static u64 helper_probe_read_kernel_str(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return bpf64_probe_read_kernel_str((void *)(unsigned long)r1, r2, r3);
}

static u64 helper_probe_read_user_str(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return bpf64_probe_read_user_str((void *)(unsigned long)r1, r2, r3);
}

static u64 helper_probe_read_compat(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	long err = bpf64_probe_read_kernel((void *)(unsigned long)r1, r2, r3);

	if (err)
		err = bpf64_probe_read_user((void *)(unsigned long)r1, r2, r3);
	return err;
}

static u64 helper_probe_read_compat_str(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	return read_str((char *)(unsigned long)r1, r2, r3, 's');
}

#define PROBE_READ_PROTO(fn, id)					\
	{								\
		.func		= fn,					\
		.name		= "bpf_" #id,				\
		.gpl_only	= true,					\
		.ret_type	= BPF64_RET_INTEGER,			\
		.arg_type	= { BPF64_ARG_PTR_TO_UNINIT_MEM,	\
				    BPF64_ARG_CONST_SIZE_OR_ZERO,	\
				    BPF64_ARG_ANYTHING },		\
	}

const struct bpf64_func_proto bpf64_probe_read_kernel_proto =
	PROBE_READ_PROTO(helper_probe_read_kernel, probe_read_kernel);
const struct bpf64_func_proto bpf64_probe_read_user_proto =
	PROBE_READ_PROTO(helper_probe_read_user, probe_read_user);
const struct bpf64_func_proto bpf64_probe_read_kernel_str_proto =
	PROBE_READ_PROTO(helper_probe_read_kernel_str, probe_read_kernel_str);
const struct bpf64_func_proto bpf64_probe_read_user_str_proto =
	PROBE_READ_PROTO(helper_probe_read_user_str, probe_read_user_str);
static const struct bpf64_func_proto probe_read_compat_proto =
	PROBE_READ_PROTO(helper_probe_read_compat, probe_read);
static const struct bpf64_func_proto probe_read_compat_str_proto =
	PROBE_READ_PROTO(helper_probe_read_compat_str, probe_read_str);

/*
 * Linux's bpf_tracing_func_proto() for a privileged loader, less what
 * bpf64 does not have: tasks, perf events, stacks, signals, user writes,
 * cgroups, jiffies64, copy_from_user, snprintf(_btf), per-cpu pointers,
 * task storage, for_each_map_elem, func ip, branch snapshots, find_vma,
 * trace_vprintk, and the queue/stack and percpu-lookup map helpers.
 */
static const struct bpf64_func_proto *const tracing_protos[] = {
	[BPF_FUNC_map_lookup_elem]	= &bpf64_map_lookup_elem_proto,
	[BPF_FUNC_map_update_elem]	= &bpf64_map_update_elem_proto,
	[BPF_FUNC_map_delete_elem]	= &bpf64_map_delete_elem_proto,
	[BPF_FUNC_ktime_get_ns]		= &bpf64_ktime_get_ns_proto,
	[BPF_FUNC_ktime_get_boot_ns]	= &bpf64_ktime_get_boot_ns_proto,
	[BPF_FUNC_tail_call]		= &bpf64_tail_call_proto,
	[BPF_FUNC_get_current_uid_gid]	= &bpf64_get_current_uid_gid_proto,
	[BPF_FUNC_get_current_comm]	= &bpf64_get_current_comm_proto,
	[BPF_FUNC_trace_printk]		= &bpf64_trace_printk_proto,
	[BPF_FUNC_get_smp_processor_id]	= &bpf64_get_smp_processor_id_proto,
	[BPF_FUNC_get_prandom_u32]	= &bpf64_get_prandom_u32_proto,
	[BPF_FUNC_probe_read_user]	= &bpf64_probe_read_user_proto,
	[BPF_FUNC_probe_read_kernel]	= &bpf64_probe_read_kernel_proto,
	[BPF_FUNC_probe_read_user_str]	= &bpf64_probe_read_user_str_proto,
	[BPF_FUNC_probe_read_kernel_str] = &bpf64_probe_read_kernel_str_proto,
	[BPF_FUNC_probe_read]		= &probe_read_compat_proto,
	[BPF_FUNC_probe_read_str]	= &probe_read_compat_str_proto,
	[BPF_FUNC_ringbuf_output]	= &bpf64_ringbuf_output_proto,
	[BPF_FUNC_ringbuf_reserve]	= &bpf64_ringbuf_reserve_proto,
	[BPF_FUNC_ringbuf_submit]	= &bpf64_ringbuf_submit_proto,
	[BPF_FUNC_ringbuf_discard]	= &bpf64_ringbuf_discard_proto,
	[BPF_FUNC_ringbuf_query]	= &bpf64_ringbuf_query_proto,
};

const struct bpf64_func_proto *
bpf64_tracing_func_proto(u32 func_id, const struct bpf64_prog *prog)
{
	if (func_id < ARRAY_SIZE(tracing_protos) && tracing_protos[func_id])
		return tracing_protos[func_id];
	return bpf64_base_func_proto(func_id, prog);
}

/*
 * The test run of both types: the context is ctx_in, at most @ctx_size
 * bytes (longer only with a zero tail), zeroed when not given; the program
 * may read [@skip, @ctx_size) of it.
 */
static int tracing_test_run(struct bpf64_prog *prog, const union bpf_attr *attr,
			    struct bpf64_test_run *res, u32 ctx_size, u32 skip)
{
	struct bpf64_run run = { };
	u8 *ctx;
	int err;

	if (!(attr->test.flags & BPF64_F_TEST_RUN_TRACING))
		return -ENOTSUPP;
	/* Nothing goes back but r0 and the time: no data, no ctx_out. */
	if (attr->test.flags != BPF64_F_TEST_RUN_TRACING || attr->test.cpu ||
	    attr->test.batch_size || attr->test.data_in ||
	    attr->test.data_out || attr->test.ctx_out)
		return -EINVAL;
	ctx = bpf64_test_ctx_in(attr, ctx_size, &err);
	if (!ctx && !err)
		ctx = bpf64_zalloc(ctx_size);
	if (!ctx)
		return err ? err : -ENOMEM;
	run.ctx = (unsigned long)ctx;
	run.args[0] = run.ctx;
	run.regions[0] = (struct bpf64_region) {
		.start = run.ctx + skip, .size = ctx_size - skip,
	};
	run.nr_regions = 1;
	err = bpf64_test_run_repeat(prog, &run, attr->test.repeat, res);
	bpf64_free(ctx);
	return err;
}

/*
 * BPF_PROG_TYPE_KPROBE: the context is the probed task's registers, an
 * x86-64 struct pt_regs as <asm/ptrace.h> lays it out for userspace.
 * Programs read it, aligned to the access size, and never write it.
 */
struct bpf64_pt_regs {
	u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	u64 ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

static bool kprobe_is_valid_access(int off, int size, bool write,
				   const struct bpf64_prog *prog,
				   struct bpf64_ctx_access *info)
{
	return off >= 0 && off < (int)sizeof(struct bpf64_pt_regs) &&
	       size > 0 && !write && off % size == 0 &&
	       off + size <= (int)sizeof(struct bpf64_pt_regs);
}

static int kprobe_test_run(struct bpf64_prog *prog, const union bpf_attr *attr,
			   struct bpf64_test_run *res)
{
	return tracing_test_run(prog, attr, res, sizeof(struct bpf64_pt_regs), 0);
}

const struct bpf64_prog_ops bpf64_kprobe_prog_ops = {
	.name			= "kprobe",
	.get_func_proto		= bpf64_tracing_func_proto,
	.is_valid_access	= kprobe_is_valid_access,
	.test_run		= kprobe_test_run,
};

/*
 * BPF_PROG_TYPE_TRACEPOINT: the context is the event's record as its
 * format file lays it out.  Linux keeps a pointer to the registers in its
 * first 8 bytes, over the common fields, so programs may read only from
 * offset 8 on, below PERF_MAX_TRACE_SIZE.  A test run's record is ctx_in,
 * at most a page as for any context, the rest zero.
 */
#define TP_CTX_HIDDEN		8
#define TP_CTX_MAX		8192	/* PERF_MAX_TRACE_SIZE */

static bool tp_is_valid_access(int off, int size, bool write,
			       const struct bpf64_prog *prog,
			       struct bpf64_ctx_access *info)
{
	return off >= TP_CTX_HIDDEN && off < TP_CTX_MAX && size > 0 &&
	       !write && off % size == 0;
}

static int tp_test_run(struct bpf64_prog *prog, const union bpf_attr *attr,
		       struct bpf64_test_run *res)
{
	return tracing_test_run(prog, attr, res, TP_CTX_MAX, TP_CTX_HIDDEN);
}

const struct bpf64_prog_ops bpf64_tracepoint_prog_ops = {
	.name			= "tracepoint",
	.get_func_proto		= bpf64_tracing_func_proto,
	.is_valid_access	= tp_is_valid_access,
	.test_run		= tp_test_run,
};
