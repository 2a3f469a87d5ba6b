// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_MAP_TYPE_RINGBUF: records that programs reserve and submit (or
 * discard), consumed in order by userspace.
 *
 * The layout is Linux's: a record is an 8-byte header (struct rb_hdr: the
 * length with BPF_RINGBUF_BUSY_BIT while the producer holds it and
 * BPF_RINGBUF_DISCARD_BIT once it was discarded) and the data, rounded up
 * to 8 bytes.  Positions only grow; a position's offset in the data area
 * is the position & mask.  Linux maps the data pages twice in a row so
 * that a record running past the end is contiguous; here the data area is
 * simply twice the ring's size and such a record runs on into the second
 * half, which no other record uses while it is there.
 *
 * Concurrency: any number of producers, serialised by the ring's spinlock
 * for reservation only (filling in and committing take no lock), and one
 * consumer at a time (a second concurrent consumer gets -EBUSY).  The
 * consumer sees a record's bytes once the commit's atomic exchange of its
 * header, which it reads with acquire, has cleared the busy bit.  Record
 * memory belongs to the map and is freed with it.
 */
#include <linux/bpf64/helpers.h>
#include <linux/bpf64/map.h>

#define RINGBUF_CREATE_FLAGS	BPF_F_NUMA_NODE
#define RINGBUF_PAGE_SIZE	4096U		/* max_entries is a multiple */
#define RINGBUF_MAX_RECORD_SZ	(0xffffffffU / 4)
#define RINGBUF_HDR_SZ		8		/* BPF_RINGBUF_HDR_SZ */
#define RINGBUF_BUSY		(1U << 31)	/* BPF_RINGBUF_BUSY_BIT */
#define RINGBUF_DISCARD		(1U << 30)	/* BPF_RINGBUF_DISCARD_BIT */

/*
 * Linux's struct bpf_ringbuf_hdr.  Where Linux keeps the page offset of
 * the header from the ring, to find the ring from a record, this keeps
 * the header's offset in the data area.
 */
struct rb_hdr {
	u32 len;
	u32 off;
};

struct bpf64_ringbuf {
	struct bpf64_map map;
	bpf64_spinlock_t lock;		/* producers */
	u32 consumer_busy;
	u64 mask;			/* max_entries - 1 */
	u64 consumer_pos;
	u64 producer_pos;
	u64 pending_pos;		/* oldest record maybe still busy */
	u64 data[];			/* 2 * max_entries bytes */
};

static struct bpf64_ringbuf *to_rb(const struct bpf64_map *map)
{
	return container_of(map, struct bpf64_ringbuf, map);
}

static struct rb_hdr *rb_hdr_at(struct bpf64_ringbuf *rb, u64 pos)
{
	return (struct rb_hdr *)((u8 *)rb->data + (pos & rb->mask));
}

/* The bytes a record of @len (header length field) takes in the ring. */
static u64 rb_rec_len(u32 len)
{
	return round_up((u64)(len & ~(RINGBUF_BUSY | RINGBUF_DISCARD)) +
			RINGBUF_HDR_SZ, 8);
}

static int ringbuf_alloc_check(const union bpf_attr *attr)
{
	u32 n = attr->max_entries;

	if ((attr->map_flags & ~RINGBUF_CREATE_FLAGS) || attr->key_size ||
	    attr->value_size || !n || (n & (n - 1)) ||
	    n % RINGBUF_PAGE_SIZE)
		return -EINVAL;
	return 0;
}

static struct bpf64_map *ringbuf_alloc(const union bpf_attr *attr, int *err)
{
	struct bpf64_ringbuf *rb;

	rb = bpf64_zalloc(sizeof(*rb) + 2 * (u64)attr->max_entries);
	if (!rb) {
		*err = -ENOMEM;
		return NULL;
	}
	bpf64_map_init_from_attr(&rb->map, attr);
	bpf64_spin_lock_init(&rb->lock);
	rb->mask = attr->max_entries - 1;
	return &rb->map;
}

static void ringbuf_free(struct bpf64_map *map)
{
	bpf64_free(to_rb(map));
}

/* Is [addr, addr + size) inside a record a producer holds? */
static bool ringbuf_mem_ok(const struct bpf64_map *map, u64 addr, u32 size,
			   bool write)
{
	struct bpf64_ringbuf *rb = to_rb(map);
	unsigned long flags;
	bool ok = false;
	u64 pos;

	flags = bpf64_spin_lock(&rb->lock);
	for (pos = rb->pending_pos; pos < rb->producer_pos && !ok;) {
		struct rb_hdr *hdr = rb_hdr_at(rb, pos);
		u32 len = READ_ONCE(hdr->len);
		u64 start = (unsigned long)(hdr + 1);

		ok = (len & RINGBUF_BUSY) && addr >= start &&
		     addr - start + size <= (len & ~RINGBUF_BUSY);
		pos += rb_rec_len(len);
	}
	bpf64_spin_unlock(&rb->lock, flags);
	return ok;
}

static void *ringbuf_reserve(struct bpf64_ringbuf *rb, u64 size)
{
	u64 len, cons, pend, prod;
	unsigned long flags;
	struct rb_hdr *hdr;
	u32 hdr_len;

	if (size > RINGBUF_MAX_RECORD_SZ)
		return NULL;
	len = round_up(size + RINGBUF_HDR_SZ, 8);
	if (len > rb->mask + 1)
		return NULL;
	cons = bpf64_load_acquire(&rb->consumer_pos);

	flags = bpf64_spin_lock(&rb->lock);
	/* Committed records behind the oldest busy one no longer count. */
	prod = rb->producer_pos;
	for (pend = rb->pending_pos; pend < prod; pend += rb_rec_len(hdr_len)) {
		hdr_len = bpf64_load_acquire(&rb_hdr_at(rb, pend)->len);
		if (hdr_len & RINGBUF_BUSY)
			break;
	}
	rb->pending_pos = pend;
	/* Neither unconsumed nor uncommitted data may be overwritten. */
	if (prod + len - cons > rb->mask || prod + len - pend > rb->mask) {
		bpf64_spin_unlock(&rb->lock, flags);
		return NULL;
	}
	hdr = rb_hdr_at(rb, prod);
	hdr->len = size | RINGBUF_BUSY;
	hdr->off = prod & rb->mask;
	bpf64_store_release(&rb->producer_pos, prod + len);
	bpf64_spin_unlock(&rb->lock, flags);
	return hdr + 1;
}

/*
 * Hand a reserved record to the consumer.  There is no one to wake up
 * (the consumer polls), so the wakeup flags change nothing.
 */
static void ringbuf_commit(void *sample, bool discard)
{
	struct rb_hdr *hdr = (struct rb_hdr *)sample - 1;
	u32 len = (hdr->len & ~RINGBUF_BUSY) | (discard ? RINGBUF_DISCARD : 0);

	bpf64_atomic_xchg32(&hdr->len, len);
}

/*
 * The helpers trust their arguments, as Linux's do after its verifier
 * (the checked mode checks records), but check that the map is a ring
 * buffer: nothing before a verifier ties a map to these calls.
 */
static struct bpf64_ringbuf *rb_of(u64 r1)
{
	struct bpf64_map *map = (struct bpf64_map *)(unsigned long)r1;

	return map->map_type == BPF_MAP_TYPE_RINGBUF ? to_rb(map) : NULL;
}

static u64 ringbuf_output(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_ringbuf *rb = rb_of(r1);
	void *rec;

	if (unlikely(!rb || (r4 & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP))))
		return -EINVAL;
	rec = ringbuf_reserve(rb, r3);
	if (!rec)
		return -EAGAIN;
	memcpy(rec, (const void *)(unsigned long)r2, r3);
	ringbuf_commit(rec, false);
	return 0;
}

static u64 ringbuf_reserve_helper(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_ringbuf *rb = rb_of(r1);

	if (unlikely(!rb || r3))
		return 0;
	return (unsigned long)ringbuf_reserve(rb, r2);
}

static u64 ringbuf_submit(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	ringbuf_commit((void *)(unsigned long)r1, false);
	return 0;
}

static u64 ringbuf_discard(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	ringbuf_commit((void *)(unsigned long)r1, true);
	return 0;
}

static u64 ringbuf_query(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	struct bpf64_ringbuf *rb = rb_of(r1);
	u64 cons;

	if (unlikely(!rb))
		return 0;
	switch (r2) {
	case BPF_RB_AVAIL_DATA:
		cons = bpf64_load_acquire(&rb->consumer_pos);
		return bpf64_load_acquire(&rb->producer_pos) - cons;
	case BPF_RB_RING_SIZE:
		return rb->mask + 1;
	case BPF_RB_CONS_POS:
		return bpf64_load_acquire(&rb->consumer_pos);
	case BPF_RB_PROD_POS:
		return bpf64_load_acquire(&rb->producer_pos);
	}
	return 0;
}

const struct bpf64_func_proto bpf64_ringbuf_output_proto = {
	.func		= ringbuf_output,
	.name		= "bpf_ringbuf_output",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_CONST_MAP_PTR, BPF64_ARG_PTR_TO_MEM,
			    BPF64_ARG_CONST_SIZE_OR_ZERO, BPF64_ARG_ANYTHING },
};

const struct bpf64_func_proto bpf64_ringbuf_reserve_proto = {
	.func		= ringbuf_reserve_helper,
	.name		= "bpf_ringbuf_reserve",
	.ret_type	= BPF64_RET_PTR_TO_ALLOC_MEM_OR_NULL,
	.arg_type	= { BPF64_ARG_CONST_MAP_PTR,
			    BPF64_ARG_CONST_ALLOC_SIZE_OR_ZERO,
			    BPF64_ARG_ANYTHING },
};

const struct bpf64_func_proto bpf64_ringbuf_submit_proto = {
	.func		= ringbuf_submit,
	.name		= "bpf_ringbuf_submit",
	.ret_type	= BPF64_RET_VOID,
	.arg_type	= { BPF64_ARG_PTR_TO_ALLOC_MEM, BPF64_ARG_ANYTHING },
};

const struct bpf64_func_proto bpf64_ringbuf_discard_proto = {
	.func		= ringbuf_discard,
	.name		= "bpf_ringbuf_discard",
	.ret_type	= BPF64_RET_VOID,
	.arg_type	= { BPF64_ARG_PTR_TO_ALLOC_MEM, BPF64_ARG_ANYTHING },
};

const struct bpf64_func_proto bpf64_ringbuf_query_proto = {
	.func		= ringbuf_query,
	.name		= "bpf_ringbuf_query",
	.ret_type	= BPF64_RET_INTEGER,
	.arg_type	= { BPF64_ARG_CONST_MAP_PTR, BPF64_ARG_ANYTHING },
};

/*
 * The consumer, as libbpf's ring_buffer__consume() and the Linux backend's
 * reader do it: records in order up to the first busy one, discarded ones
 * skipped, each released once @fn returned; a non-zero return of @fn
 * stops there and is what this returns.
 */
int bpf64_ringbuf_consume(struct bpf64_map *map, bpf64_ringbuf_sample_fn fn,
			  void *ctx)
{
	struct bpf64_ringbuf *rb = to_rb(map);
	int n = 0, err = 0;
	u64 cons, prod;

	if (bpf64_atomic_xchg32(&rb->consumer_busy, 1))
		return -EBUSY;
	cons = rb->consumer_pos;
	prod = bpf64_load_acquire(&rb->producer_pos);
	while (cons < prod && !err) {
		struct rb_hdr *hdr = rb_hdr_at(rb, cons);
		u32 len = bpf64_load_acquire(&hdr->len);

		if (len & RINGBUF_BUSY)
			break;
		if (!(len & RINGBUF_DISCARD)) {
			err = fn(ctx, hdr + 1, len);
			n++;
		}
		cons += rb_rec_len(len);
		bpf64_store_release(&rb->consumer_pos, cons);
	}
	bpf64_store_release(&rb->consumer_busy, 0);
	return err ? err : n;
}

const struct bpf64_map_ops bpf64_ringbuf_map_ops = {
	.map_alloc_check = ringbuf_alloc_check,
	.map_alloc = ringbuf_alloc,
	.map_free = ringbuf_free,
	.map_mem_ok = ringbuf_mem_ok,
};
