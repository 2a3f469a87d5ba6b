// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_MAP_TYPE_LPM_TRIE: longest prefix match on keys of struct
 * bpf_lpm_trie_key_u8 (a u32 prefix length, then the data, most
 * significant byte first), as Linux's lpm_trie.c.
 *
 * The trie is binary and path-compressed: each node has a prefix and up
 * to two children, chosen by the first bit after the prefix.  Nodes that
 * only tell two subtrees apart are intermediate (no value); there is never
 * an intermediate node with fewer than two children.
 *
 * Memory: nodes come from chunks that live until the map is freed.  A
 * deleted node goes to a free list and is reused by later updates, so a
 * value pointer a program got stays valid memory for as long as the map
 * lives (though after a delete it may come to hold another element's
 * value, as with Linux's recycling allocators).  Nothing is allocated
 * under the lock: updates make sure of two free nodes before taking it.
 *
 * Concurrency: one spinlock serialises updates, deletes, lookups and
 * get_next_key, so every walk sees a consistent trie.  Values are copied
 * with memcpy: a lookup racing with an update of the same element may see
 * a mix of old and new bytes.  The checked mode's map_mem_ok reads only
 * the chunk list, which only grows (published with release).
 */
#include <linux/bpf64/map.h>

#define LPM_FLAG_IM		1U	/* intermediate node */
#define LPM_DATA_SIZE_MIN	1
#define LPM_DATA_SIZE_MAX	256
#define LPM_KEY_SIZE_MIN	(sizeof(struct bpf_lpm_trie_key_u8) + LPM_DATA_SIZE_MIN)
#define LPM_KEY_SIZE_MAX	(sizeof(struct bpf_lpm_trie_key_u8) + LPM_DATA_SIZE_MAX)
/*
 * Linux 6.18's bound: KMALLOC_MAX_SIZE (4 MiB on x86-64) less the largest
 * key data and its 24-byte node header.
 */
#define LPM_VAL_SIZE_MAX	((4U << 20) - LPM_DATA_SIZE_MAX - 24)
#define LPM_CREATE_FLAGS	(BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE |	\
				 BPF_F_RDONLY | BPF_F_WRONLY |		\
				 BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)
#define PROG_ACCESS_FLAGS	(BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)
/* Chunks double in nodes up to 1024, and in bytes up to 1 MiB. */
#define LPM_CHUNK_NODES_MAX	1024
#define LPM_CHUNK_BYTES_MAX	(1U << 20)

struct lpm_node {
	struct lpm_node *child[2];	/* child[0] links the free list */
	u32 prefixlen;
	u32 flags;
	u8 data[];	/* data_size key bytes, then the value at value_off */
};

/* Nodes, node_size bytes each; the chunks only ever grow in number. */
struct lpm_chunk {
	struct lpm_chunk *next;
	u32 nr;
	u64 nodes[];
};

struct lpm_trie {
	struct bpf64_map map;
	bpf64_spinlock_t lock;
	struct lpm_node *root;
	struct lpm_node *free;
	u32 nr_free;
	u32 n_entries;
	struct lpm_chunk *chunks;
	u32 next_chunk_nr;		/* nodes in the next chunk */
	u32 data_size;
	u32 max_prefixlen;
	u32 value_off;			/* from node->data, 8-aligned */
	u32 node_size;
};

static struct lpm_trie *to_trie(const struct bpf64_map *map)
{
	return container_of(map, struct lpm_trie, map);
}

static void *lpm_value(const struct lpm_trie *trie, struct lpm_node *node)
{
	return node->data + trie->value_off;
}

/* Bit @index of @data, counted from the most significant bit of data[0]. */
static u32 lpm_bit(const u8 *data, u32 index)
{
	return (data[index / 8] >> (7 - index % 8)) & 1;
}

/* How many leading bits of @node's prefix and @key's agree. */
static u32 lpm_match_len(const struct lpm_trie *trie,
			 const struct lpm_node *node,
			 const struct bpf_lpm_trie_key_u8 *key)
{
	u32 limit = min(node->prefixlen, key->prefixlen);
	u32 i, len = 0;

	for (i = 0; i < trie->data_size && len < limit; i++) {
		u8 diff = node->data[i] ^ key->data[i];

		if (diff) {
			while (!(diff & 0x80)) {
				diff <<= 1;
				len++;
			}
			break;
		}
		len += 8;
	}
	return min(len, limit);
}

static int lpm_alloc_check(const union bpf_attr *attr)
{
	if (!attr->max_entries || !(attr->map_flags & BPF_F_NO_PREALLOC) ||
	    (attr->map_flags & ~LPM_CREATE_FLAGS) ||
	    (attr->map_flags & PROG_ACCESS_FLAGS) == PROG_ACCESS_FLAGS ||
	    attr->key_size < LPM_KEY_SIZE_MIN ||
	    attr->key_size > LPM_KEY_SIZE_MAX ||
	    !attr->value_size || attr->value_size > LPM_VAL_SIZE_MAX)
		return -EINVAL;
	return 0;
}

static struct bpf64_map *lpm_alloc(const union bpf_attr *attr, int *err)
{
	struct lpm_trie *trie = bpf64_zalloc(sizeof(*trie));

	if (!trie) {
		*err = -ENOMEM;
		return NULL;
	}
	bpf64_map_init_from_attr(&trie->map, attr);
	bpf64_spin_lock_init(&trie->lock);
	trie->data_size = attr->key_size -
			  sizeof(struct bpf_lpm_trie_key_u8);
	trie->max_prefixlen = trie->data_size * 8;
	trie->value_off = round_up(offsetof(struct lpm_node, data) +
				   trie->data_size, 8UL) -
			  offsetof(struct lpm_node, data);
	trie->node_size = offsetof(struct lpm_node, data) + trie->value_off +
			  round_up(attr->value_size, 8U);
	trie->next_chunk_nr = 4;
	return &trie->map;
}

static void lpm_free(struct bpf64_map *map)
{
	struct lpm_trie *trie = to_trie(map);
	struct lpm_chunk *c, *next;

	for (c = trie->chunks; c; c = next) {
		next = c->next;
		bpf64_free(c);
	}
	bpf64_free(trie);
}

/* Is [addr, addr + size) inside a node's value? */
static bool lpm_mem_ok(const struct bpf64_map *map, u64 addr, u32 size,
		       bool write)
{
	const struct lpm_trie *trie = to_trie(map);
	u32 forbidden = write ? BPF_F_RDONLY_PROG : BPF_F_WRONLY_PROG;
	u32 start = offsetof(struct lpm_node, data) + trie->value_off;
	const struct lpm_chunk *c;
	u64 base, off;

	if (map->map_flags & forbidden)
		return false;
	for (c = bpf64_load_acquire(&trie->chunks); c;
	     c = bpf64_load_acquire(&c->next)) {
		base = (unsigned long)c->nodes;
		if (addr < base || addr - base >= (u64)c->nr * trie->node_size)
			continue;
		off = (addr - base) % trie->node_size;
		return off >= start && off - start + size <= map->value_size;
	}
	return false;
}

static void lpm_node_put(struct lpm_trie *trie, struct lpm_node *node)
{
	node->child[0] = trie->free;
	trie->free = node;
	trie->nr_free++;
}

static struct lpm_node *lpm_node_take(struct lpm_trie *trie)
{
	struct lpm_node *node = trie->free;

	trie->free = node->child[0];
	trie->nr_free--;
	memset(node, 0, trie->node_size);
	return node;
}

/*
 * Lock the trie with at least two free nodes (an update needs a new node
 * and maybe an intermediate one), allocating chunks with the lock dropped.
 */
static int lpm_lock_reserved(struct lpm_trie *trie, unsigned long *flags)
{
	struct lpm_chunk *c;
	u32 nr, i;

	*flags = bpf64_spin_lock(&trie->lock);
	while (trie->nr_free < 2) {
		nr = max(min(trie->next_chunk_nr,
			     LPM_CHUNK_BYTES_MAX / trie->node_size), 1U);
		bpf64_spin_unlock(&trie->lock, *flags);
		c = bpf64_zalloc(sizeof(*c) + (u64)nr * trie->node_size);
		if (!c)
			return -ENOMEM;
		c->nr = nr;
		*flags = bpf64_spin_lock(&trie->lock);
		c->next = trie->chunks;
		bpf64_store_release(&trie->chunks, c);
		for (i = 0; i < nr; i++)
			lpm_node_put(trie, (struct lpm_node *)
				     ((u8 *)c->nodes + (u64)i * trie->node_size));
		trie->next_chunk_nr = min(nr * 2, (u32)LPM_CHUNK_NODES_MAX);
	}
	return 0;
}

/* The element with the longest prefix that @key matches (lock held). */
static struct lpm_node *lpm_find(struct lpm_trie *trie,
				 const struct bpf_lpm_trie_key_u8 *key)
{
	struct lpm_node *node, *found = NULL;
	u32 len;

	if (key->prefixlen > trie->max_prefixlen)
		return NULL;
	for (node = trie->root; node;) {
		len = lpm_match_len(trie, node, key);
		if (len == trie->max_prefixlen)
			return node;	/* a full key, matched exactly */
		if (len < node->prefixlen)
			break;
		if (!(node->flags & LPM_FLAG_IM))
			found = node;
		node = node->child[lpm_bit(key->data, node->prefixlen)];
	}
	return found;
}

static void *lpm_lookup_elem(struct bpf64_map *map, const void *key)
{
	struct lpm_trie *trie = to_trie(map);
	struct lpm_node *node;
	unsigned long flags;

	flags = bpf64_spin_lock(&trie->lock);
	node = lpm_find(trie, key);
	bpf64_spin_unlock(&trie->lock, flags);
	return node ? lpm_value(trie, node) : NULL;
}

/* bpf(): the copy is made under the lock, so it is of one element. */
static int lpm_lookup_copy(struct bpf64_map *map, const void *key,
			   void *value, u64 flags)
{
	struct lpm_trie *trie = to_trie(map);
	struct lpm_node *node;
	unsigned long irq;

	irq = bpf64_spin_lock(&trie->lock);
	node = lpm_find(trie, key);
	if (node)
		memcpy(value, lpm_value(trie, node), map->value_size);
	bpf64_spin_unlock(&trie->lock, irq);
	return node ? 0 : -ENOENT;
}

/* A new element: BPF_EXIST finds none; the map may be full. */
static int lpm_add_check(struct lpm_trie *trie, u64 flags)
{
	if (flags == BPF_EXIST)
		return -ENOENT;
	if (trie->n_entries == trie->map.max_entries)
		return -ENOSPC;
	trie->n_entries++;
	return 0;
}

/* Give @node @key's prefix (and its bits past it, which get_next_key
 * returns) and @value, as an element.
 */
static void lpm_node_set(struct lpm_trie *trie, struct lpm_node *node,
			 const struct bpf_lpm_trie_key_u8 *key,
			 const void *value)
{
	node->prefixlen = key->prefixlen;
	node->flags = 0;
	memcpy(node->data, key->data, trie->data_size);
	memcpy(lpm_value(trie, node), value, trie->map.value_size);
}

/* Link @new at @slot, whose node @node shares @len bits with it. */
static int lpm_insert(struct lpm_trie *trie, struct lpm_node **slot,
		      struct lpm_node *node, struct lpm_node *new, u32 len,
		      u64 flags)
{
	struct lpm_node *im;
	int err = lpm_add_check(trie, flags);

	if (err)
		return err;
	if (!node) {
		*slot = new;
	} else if (len == new->prefixlen) {
		/* @new is a prefix of @node: it goes above it */
		new->child[lpm_bit(node->data, len)] = node;
		*slot = new;
	} else {
		/* they part after @len bits: an intermediate node decides */
		im = lpm_node_take(trie);
		im->prefixlen = len;
		im->flags = LPM_FLAG_IM;
		memcpy(im->data, node->data, trie->data_size);
		im->child[lpm_bit(new->data, len)] = new;
		im->child[!lpm_bit(new->data, len)] = node;
		*slot = im;
	}
	return 0;
}

static long lpm_update_elem(struct bpf64_map *map, const void *_key,
			    const void *value, u64 flags)
{
	struct lpm_trie *trie = to_trie(map);
	const struct bpf_lpm_trie_key_u8 *key = _key;
	struct lpm_node **slot, *node, *new;
	unsigned long irq;
	u32 len = 0;
	int err;

	if (flags > BPF_EXIST || key->prefixlen > trie->max_prefixlen)
		return -EINVAL;
	err = lpm_lock_reserved(trie, &irq);
	if (err)
		return err;
	/* Walk down while @key extends the node's whole prefix. */
	for (slot = &trie->root; (node = *slot); slot =
	     &node->child[lpm_bit(key->data, node->prefixlen)]) {
		len = lpm_match_len(trie, node, key);
		if (node->prefixlen != len || node->prefixlen == key->prefixlen ||
		    node->prefixlen == trie->max_prefixlen)
			break;
	}
	if (node && node->prefixlen == len && len == key->prefixlen) {
		/* the prefix has a node: it becomes, or stays, an element */
		if (node->flags & LPM_FLAG_IM)
			err = lpm_add_check(trie, flags);
		else if (flags == BPF_NOEXIST)
			err = -EEXIST;
		if (!err)
			lpm_node_set(trie, node, key, value);
	} else {
		new = lpm_node_take(trie);
		lpm_node_set(trie, new, key, value);
		err = lpm_insert(trie, slot, node, new, len, flags);
		if (err)
			lpm_node_put(trie, new);
	}
	bpf64_spin_unlock(&trie->lock, irq);
	return err;
}

static long lpm_delete_elem(struct bpf64_map *map, const void *_key)
{
	struct lpm_trie *trie = to_trie(map);
	const struct bpf_lpm_trie_key_u8 *key = _key;
	struct lpm_node **slot, **parent_slot, *node, *parent = NULL;
	unsigned long irq;
	u32 len = 0;
	int err = 0;

	if (key->prefixlen > trie->max_prefixlen)
		return -EINVAL;
	irq = bpf64_spin_lock(&trie->lock);
	parent_slot = slot = &trie->root;
	while ((node = *slot)) {
		len = lpm_match_len(trie, node, key);
		if (node->prefixlen != len || node->prefixlen == key->prefixlen)
			break;
		parent = node;
		parent_slot = slot;
		slot = &node->child[lpm_bit(key->data, node->prefixlen)];
	}
	if (!node || node->prefixlen != key->prefixlen ||
	    node->prefixlen != len || (node->flags & LPM_FLAG_IM)) {
		err = -ENOENT;
		goto out;
	}
	trie->n_entries--;
	if (node->child[0] && node->child[1]) {
		/* still needed to tell its children apart */
		node->flags |= LPM_FLAG_IM;
	} else if (parent && (parent->flags & LPM_FLAG_IM) &&
		   !node->child[0] && !node->child[1]) {
		/* the intermediate parent would keep one child: drop it too */
		*parent_slot = parent->child[parent->child[0] == node];
		lpm_node_put(trie, parent);
		lpm_node_put(trie, node);
	} else {
		*slot = node->child[0] ? node->child[0] : node->child[1];
		lpm_node_put(trie, node);
	}
out:
	bpf64_spin_unlock(&trie->lock, irq);
	return err;
}

/* The first node in postorder under @root that is not intermediate. */
static struct lpm_node *lpm_leftmost(struct lpm_node *root)
{
	struct lpm_node *node, *found = NULL;

	/* intermediate nodes always have a child[0] */
	for (node = root; node;
	     node = node->child[0] ? node->child[0] : node->child[1])
		if (!(node->flags & LPM_FLAG_IM))
			found = node;
	return found;
}

/*
 * The element after @key in postorder, so more specific prefixes come
 * before less specific ones; the first element when @key is NULL, has too
 * long a prefix or is not in the trie.  @stack has room for the deepest
 * path (max_prefixlen + 1 nodes).
 */
static struct lpm_node *lpm_next(struct lpm_trie *trie,
				 const struct bpf_lpm_trie_key_u8 *key,
				 struct lpm_node **stack)
{
	struct lpm_node *node, *parent;
	int top = -1;
	u32 len = 0;

	if (!key)
		return lpm_leftmost(trie->root);
	for (node = trie->root; node;
	     node = node->child[lpm_bit(key->data, node->prefixlen)]) {
		len = lpm_match_len(trie, node, key);
		stack[++top] = node;
		if (node->prefixlen != len || node->prefixlen == key->prefixlen)
			break;
	}
	if (!node || node->prefixlen != len || (node->flags & LPM_FLAG_IM))
		return lpm_leftmost(trie->root);
	for (; top > 0; node = parent, top--) {
		parent = stack[top - 1];
		if (parent->child[0] == node && parent->child[1])
			return lpm_leftmost(parent->child[1]);
		if (!(parent->flags & LPM_FLAG_IM))
			return parent;
	}
	return NULL;	/* @key was the last */
}

static int lpm_get_next_key(struct bpf64_map *map, const void *_key,
			    void *_next_key)
{
	struct lpm_trie *trie = to_trie(map);
	const struct bpf_lpm_trie_key_u8 *key = _key;
	struct bpf_lpm_trie_key_u8 *next_key = _next_key;
	struct lpm_node **stack = NULL, *next;
	unsigned long irq;
	int err;

	if (key && key->prefixlen > trie->max_prefixlen)
		key = NULL;
	if (key) {
		stack = bpf64_zalloc_array(trie->max_prefixlen + 1,
					   sizeof(*stack));
		if (!stack)
			return -ENOMEM;
	}
	irq = bpf64_spin_lock(&trie->lock);
	next = trie->root ? lpm_next(trie, key, stack) : NULL;
	err = next ? 0 : -ENOENT;
	if (next) {
		next_key->prefixlen = next->prefixlen;
		memcpy(next_key->data, next->data, trie->data_size);
	}
	bpf64_spin_unlock(&trie->lock, irq);
	bpf64_free(stack);
	return err;
}

const struct bpf64_map_ops bpf64_lpm_trie_map_ops = {
	.map_alloc_check = lpm_alloc_check,
	.map_alloc = lpm_alloc,
	.map_free = lpm_free,
	.map_lookup_elem = lpm_lookup_elem,
	.map_lookup_copy = lpm_lookup_copy,
	.map_update_elem = lpm_update_elem,
	.map_delete_elem = lpm_delete_elem,
	.map_get_next_key = lpm_get_next_key,
	.map_mem_ok = lpm_mem_ok,
};
