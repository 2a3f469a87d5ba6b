// SPDX-License-Identifier: GPL-2.0
/*
 * The LRU of the LRU hash maps (see lru_list.h for what it promises).
 *
 * Nodes are named by their index in the map's element array, so a chain
 * costs two u32 per element, and NIL ends a chain.  Everything here runs
 * under the lock of the list concerned; only the ref bit is written
 * outside it (by lookups), which is why it is read and cleared with
 * READ_ONCE / WRITE_ONCE.
 */
#include "lru_list.h"

#define NIL		0xffffffffU
/*
 * How many of the oldest used nodes one eviction looks at before it gives
 * up on second chances and takes the oldest it can, referenced or not.
 */
#define LRU_NR_SCANS	128

static struct bpf64_lru_node *lru_node(const struct bpf64_lru *lru, u32 idx)
{
	return (struct bpf64_lru_node *)(lru->nodes + (size_t)idx * lru->stride);
}

static u32 lru_index(const struct bpf64_lru *lru,
		     const struct bpf64_lru_node *node)
{
	return ((const u8 *)node - lru->nodes) / lru->stride;
}

static void lru_unlink_used(struct bpf64_lru *lru, struct bpf64_lru_list *l,
			    struct bpf64_lru_node *node)
{
	if (node->prev == NIL)
		l->newest = node->next;
	else
		lru_node(lru, node->prev)->next = node->next;
	if (node->next == NIL)
		l->oldest = node->prev;
	else
		lru_node(lru, node->next)->prev = node->prev;
}

static void lru_link_newest(struct bpf64_lru *lru, struct bpf64_lru_list *l,
			    struct bpf64_lru_node *node, u32 idx)
{
	node->prev = NIL;
	node->next = l->newest;
	if (l->newest == NIL)
		l->oldest = idx;
	else
		lru_node(lru, l->newest)->prev = idx;
	l->newest = idx;
}

static void lru_push_free_locked(struct bpf64_lru *lru,
				 struct bpf64_lru_list *l,
				 struct bpf64_lru_node *node, u32 idx)
{
	WRITE_ONCE(node->ref, 0);
	node->next = l->free;
	l->free = idx;
}

/*
 * Second chance: from the oldest end, a referenced node (or one an insert
 * has not linked into the table yet) moves to the newest end, ref cleared;
 * the first other one is evicted.
 */
static struct bpf64_lru_node *lru_evict_scan(struct bpf64_lru *lru,
					     struct bpf64_lru_list *l)
{
	struct bpf64_lru_node *node;
	u32 i, idx;

	for (i = 0; i < LRU_NR_SCANS && l->oldest != NIL; i++) {
		idx = l->oldest;
		node = lru_node(lru, idx);
		lru_unlink_used(lru, l, node);
		if (!READ_ONCE(node->ref) && lru->evict(lru->arg, node))
			return node;
		WRITE_ONCE(node->ref, 0);
		lru_link_newest(lru, l, node, idx);
	}
	return NULL;
}

/* Everything scanned was referenced: the oldest that is in the table. */
static struct bpf64_lru_node *lru_evict_force(struct bpf64_lru *lru,
					      struct bpf64_lru_list *l)
{
	struct bpf64_lru_node *node;
	u32 idx;

	for (idx = l->oldest; idx != NIL; idx = node->prev) {
		node = lru_node(lru, idx);
		if (lru->evict(lru->arg, node)) {
			lru_unlink_used(lru, l, node);
			return node;
		}
	}
	return NULL;
}

struct bpf64_lru_node *bpf64_lru_pop_free(struct bpf64_lru *lru)
{
	u32 cpu = lru->nr_lists > 1 ? bpf64_smp_processor_id() : 0;
	struct bpf64_lru_list *l = &lru->lists[cpu];
	struct bpf64_lru_node *node = NULL;
	unsigned long flags;

	flags = bpf64_spin_lock(&l->lock);
	if (l->free != NIL) {
		node = lru_node(lru, l->free);
		l->free = node->next;
	} else {
		node = lru_evict_scan(lru, l);
		if (!node)
			node = lru_evict_force(lru, l);
	}
	if (node) {
		WRITE_ONCE(node->ref, 0);
		lru_link_newest(lru, l, node, lru_index(lru, node));
	}
	bpf64_spin_unlock(&l->lock, flags);
	return node;
}

void bpf64_lru_push_free(struct bpf64_lru *lru, struct bpf64_lru_node *node)
{
	struct bpf64_lru_list *l = &lru->lists[node->cpu];
	unsigned long flags;

	flags = bpf64_spin_lock(&l->lock);
	lru_unlink_used(lru, l, node);
	lru_push_free_locked(lru, l, node, lru_index(lru, node));
	bpf64_spin_unlock(&l->lock, flags);
}

int bpf64_lru_init(struct bpf64_lru *lru, bool percpu, void *nodes,
		   u32 stride, u32 nr, bpf64_lru_evict_fn evict, void *arg)
{
	u32 i, per_list, n;

	lru->nr_lists = percpu ? bpf64_num_possible_cpus() : 1;
	lru->lists = bpf64_zalloc_array(lru->nr_lists, sizeof(*lru->lists));
	if (!lru->lists)
		return -ENOMEM;
	lru->nodes = nodes;
	lru->stride = stride;
	lru->evict = evict;
	lru->arg = arg;
	for (i = 0; i < lru->nr_lists; i++) {
		bpf64_spin_lock_init(&lru->lists[i].lock);
		lru->lists[i].newest = NIL;
		lru->lists[i].oldest = NIL;
		lru->lists[i].free = NIL;
	}
	/* Consecutive shares; the last list takes what does not divide. */
	per_list = nr / lru->nr_lists ? nr / lru->nr_lists : 1;
	for (i = nr; i-- > 0;) {
		struct bpf64_lru_node *node = lru_node(lru, i);

		n = i / per_list;
		node->cpu = n < lru->nr_lists ? n : lru->nr_lists - 1;
		lru_push_free_locked(lru, &lru->lists[node->cpu], node, i);
	}
	return 0;
}

void bpf64_lru_destroy(struct bpf64_lru *lru)
{
	bpf64_free(lru->lists);
	lru->lists = NULL;
}
