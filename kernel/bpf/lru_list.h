/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LRU of LRU_HASH and LRU_PERCPU_HASH maps: which preallocated element
 * an insert takes, and which element it evicts when none is free.
 *
 * A list holds its nodes in two chains: the free ones, and the used ones
 * from the most to the least recently inserted.  Lookups only set a node's
 * ref bit, without a lock; eviction looks at the oldest used nodes and
 * gives each referenced one a second chance (ref cleared, moved to the
 * newest end), so that elements programs keep looking up survive while
 * unreferenced ones go, oldest first.
 *
 * The common LRU is one list for the whole map.  With BPF_F_NO_COMMON_LRU
 * each CPU has its own list holding an equal share of the nodes; an insert
 * takes from and evicts in the list of the CPU it runs on, and a freed node
 * goes back to the list it belongs to, as in Linux.
 *
 * Locks: a list's lock is taken before a bucket lock of the hash table
 * (eviction calls back into the table), never after one.
 */
#ifndef _KERNEL_BPF_LRU_LIST_H
#define _KERNEL_BPF_LRU_LIST_H

#include <linux/bpf64/platform.h>

/* Embedded in each element. */
struct bpf64_lru_node {
	u32 prev, next;		/* neighbours by index in the node array */
	u16 cpu;		/* the list it belongs to */
	u8 ref;			/* looked up since eviction last saw it */
};

struct bpf64_lru_list {
	bpf64_spinlock_t lock;
	u32 newest, oldest;	/* the used chain */
	u32 free;		/* the free chain, through next */
};

/*
 * Unlink the element of @node from the hash table if it is in it; false
 * if it is not (an insert that popped it has not linked it yet).
 */
typedef bool (*bpf64_lru_evict_fn)(void *arg, struct bpf64_lru_node *node);

struct bpf64_lru {
	struct bpf64_lru_list *lists;	/* one, or one per possible CPU */
	u32 nr_lists;
	u8 *nodes;			/* the first node ... */
	u32 stride;			/* ... and the distance to the next */
	bpf64_lru_evict_fn evict;
	void *arg;
};

/*
 * @nr nodes at @nodes, @stride bytes apart, all free at first; @percpu
 * splits them evenly between the possible CPUs.  0 or -ENOMEM.
 */
int bpf64_lru_init(struct bpf64_lru *lru, bool percpu, void *nodes,
		   u32 stride, u32 nr, bpf64_lru_evict_fn evict, void *arg);
void bpf64_lru_destroy(struct bpf64_lru *lru);

/* A node for a new element (evicting one if need be), or NULL. */
struct bpf64_lru_node *bpf64_lru_pop_free(struct bpf64_lru *lru);
/* Give back a node popped or unlinked from the table. */
void bpf64_lru_push_free(struct bpf64_lru *lru, struct bpf64_lru_node *node);

static inline void bpf64_lru_node_set_ref(struct bpf64_lru_node *node)
{
	/* Read first: a hot element's cache line stays shared. */
	if (!READ_ONCE(node->ref))
		WRITE_ONCE(node->ref, 1);
}

#endif /* _KERNEL_BPF_LRU_LIST_H */
