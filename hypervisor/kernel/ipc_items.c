/*
 * Typed message items: mappings (map, grant) and I/O ports.  A receiver
 * gets pages at its acceptor window, or, answering a page fault, at the
 * faulting page's fpage.  Only what the sender has can be passed on, with
 * at most the sender's rights; every new mapping becomes a child of the
 * sender's in the mapping database, so the sender's unmap revokes it.
 */
#include "kernel.h"

#define SUPERPAGE (1u << 22)

/* 1 if a is n or one of n's ancestors: mapping over it would cut the
 * branch the sender sits on. */
static int is_ancestor(const struct mnode *a, const struct mnode *n)
{
	for (; n; n = n->parent)
		if (n == a)
			return 1;
	return 0;
}

/* Map or grant one page from (s, src) to (r, dst); 0, or -1 on failure. */
static int pass_page(struct space *s, uint32_t src, struct space *r, uint32_t dst, uint32_t rights,
		     int grant)
{
	uint32_t *spte = space_pte(s, src);
	struct mnode **sslot = space_node_slot(s, src);
	if (!spte || !(*spte & PTE_P) || !sslot || !*sslot)
		return 0;                        /* nothing there to pass on: skipped */
	struct mnode *from = *sslot;
	uint32_t frame = *spte & PAGE_MASK;
	if (!(*spte & PTE_W))
		rights &= ~HV_RIGHT_W;
	if (s == r && src == dst)
		return 0;
	struct mnode **rslot = space_node_slot(r, dst);
	if (rslot && *rslot) {
		if (is_ancestor(*rslot, from))
			return -1;
		mnode_revoke(*rslot, 1);         /* the receiver's old mapping there goes */
	}
	if (account_charge(r, 0, 1))
		return -1;
	struct mnode *n = mnode_alloc();
	if (!n || space_map_frame(r, dst, frame, rights, n)) {
		if (n)
			mnode_release(n);   /* no space yet: not uncharged there */
		account_uncharge(r, 0, 1);
		return -1;
	}
	if (grant) {
		space_clear_pte(s, src);
		mnode_replace(from, n);
	} else {
		mnode_link(from, n);
	}
	return 0;
}

static uint32_t pass_pages(struct tcb *st, struct tcb *rt, uint32_t fpage, int grant)
{
	unsigned order = HV_FPAGE_ORDER(fpage);
	uint32_t base = HV_FPAGE_BASE(fpage), rights = HV_FPAGE_RIGHTS(fpage), dest;
	if (order < 12 || order > 31 || (base & ((1u << order) - 1)) || !rights)
		return HV_E_MAP;
	uint32_t size = 1u << order;
	if (rt->fault == FAULT_PAGE) {
		dest = rt->fault_addr & ~(size - 1);
	} else {
		uint32_t acc = rt->utcb[HV_UTCB_ACCEPTOR];
		unsigned aorder = HV_FPAGE_ORDER(acc);
		if (!acc || aorder < 12 || aorder > 31 || order > aorder ||
		    (HV_FPAGE_BASE(acc) & ((1u << aorder) - 1)))
			return HV_E_MAP;
		dest = HV_FPAGE_BASE(acc) + (base & ((1u << aorder) - 1));
	}
	if (base >= HV_USER_LIMIT || size > HV_USER_LIMIT - base || !space_may_map(rt->space, dest, size))
		return HV_E_MAP;
	for (uint32_t off = 0; off < size;) {
		uint32_t src = base + off;
		if (!space_pte(st->space, src)) {        /* no page table: skip to the next */
			off += SUPERPAGE - (src & (SUPERPAGE - 1));
			continue;
		}
		if (pass_page(st->space, src, rt->space, dest + off, rights, grant))
			return HV_E_MAP;
		off += PAGE_SIZE;
	}
	return HV_OK;
}

static uint32_t pass_ports(struct tcb *st, struct tcb *rt, uint32_t fpage)
{
	uint32_t first = fpage >> 12;
	unsigned order = HV_FPAGE_ORDER(fpage);
	if (order > 15)
		return HV_E_MAP;
	uint32_t count = 1u << order;
	if (first & (count - 1) || first >= IO_PORTS || count > IO_PORTS - first)
		return HV_E_MAP;
	if (!space_has_ports(st->space, first, count) || space_allow_ports(rt->space, first, count))
		return HV_E_MAP;
	return HV_OK;
}

uint32_t ipc_items(struct tcb *s, struct tcb *r, const uint32_t *items, unsigned nwords)
{
	uint32_t status = HV_OK;
	for (unsigned i = 0; i + 1 < nwords; i += 2) {
		uint32_t st;
		switch (items[i] & 0xF) {
		case HV_ITEM_MAP: st = pass_pages(s, r, items[i + 1], 0); break;
		case HV_ITEM_GRANT: st = pass_pages(s, r, items[i + 1], 1); break;
		case HV_ITEM_IO: st = pass_ports(s, r, items[i + 1]); break;
		default: st = HV_E_MAP; break;
		}
		if (st)
			status = st;
	}
	return status;
}
