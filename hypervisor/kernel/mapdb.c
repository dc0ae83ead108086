/*
 * The mapping database: every user mapping is a node in a tree whose
 * root is the physical frame's first owner (root's window).  A map makes a
 * child, a grant moves a node, an unmap removes a node's subtree.  Walks
 * are iterative, using the parent links, so a hostile chain of mappings
 * thousands deep cannot overflow a 4 KiB kernel stack.
 */
#include "kernel.h"
#include "pmm.h"

/* Nodes are carved out of kernel pages; free ones are chained through
 * their parent field. */
static struct mnode *free_nodes;
static unsigned nfree;

struct mnode *mnode_alloc(void)
{
	if (!free_nodes) {
		struct mnode *page = kpage_alloc();
		if (!page)
			return NULL;
		for (unsigned i = 0; i < PAGE_SIZE / sizeof *page; i++) {
			page[i].parent = free_nodes;
			free_nodes = &page[i];
			nfree++;
		}
	}
	struct mnode *n = free_nodes;
	free_nodes = n->parent;
	nfree--;
	memset(n, 0, sizeof *n);
	return n;
}

void mnode_release(struct mnode *n)
{
	if (n->space)
		account_uncharge(n->space, 0, 1);
	n->parent = free_nodes;
	free_nodes = n;
	nfree++;
}

unsigned mnode_free_count(void)
{
	return nfree;
}

void mnode_link(struct mnode *parent, struct mnode *n)
{
	n->parent = parent;
	n->prev = NULL;
	n->next = parent ? parent->child : NULL;
	if (n->next)
		n->next->prev = n;
	if (parent)
		parent->child = n;
}

static void unlink(struct mnode *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else if (n->parent)
		n->parent->child = n->next;
	if (n->next)
		n->next->prev = n->prev;
	n->next = n->prev = NULL;
}

/* Remove a leaf: its page-table entry and the node. */
static void remove_leaf(struct mnode *n)
{
	unlink(n);
	space_clear_pte(n->space, n->va);
	mnode_release(n);
}

void mnode_revoke(struct mnode *top, int self)
{
	struct mnode *n = top;
	for (;;) {
		if (n->child) {
			n = n->child;
			continue;
		}
		if (n == top)
			break;
		struct mnode *up = n->parent;
		remove_leaf(n);
		n = up;
	}
	if (self)
		remove_leaf(top);
}

void mnode_write_protect(struct mnode *top)
{
	struct mnode *n = top->child;
	while (n) {
		uint32_t *pte = space_pte(n->space, n->va);
		if (pte && (*pte & PTE_W)) {
			*pte &= ~PTE_W;
			arch_invlpg(n->va);   /* harmless if n->space is not loaded */
		}
		if (n->child) {
			n = n->child;
			continue;
		}
		while (n != top && !n->next)
			n = n->parent;
		if (n == top)
			break;
		n = n->next;
	}
}

void mnode_replace(struct mnode *n, struct mnode *m)
{
	m->parent = n->parent;
	m->prev = n->prev;
	m->next = n->next;
	m->child = n->child;
	if (m->prev)
		m->prev->next = m;
	else if (m->parent)
		m->parent->child = m;
	if (m->next)
		m->next->prev = m;
	for (struct mnode *c = m->child; c; c = c->next)
		c->parent = m;
	n->child = n->next = n->prev = NULL;
	n->parent = NULL;
	mnode_release(n);
}
