/*
 * Address spaces: a 2-level page table per space, the kernel's part of the
 * page directory shared with every space, and beside each page table a page
 * of pointers to the mapping-database nodes of its entries (mapdb.c).
 * All page-table memory comes from the kernel pool, reached through the
 * direct map.
 */
#include "kernel.h"
#include "paging.h"
#include "pmm.h"
#include "printk.h"
#include "vm.h"

struct space *spaces[MAX_SPACES];
static struct space *loaded;          /* the space whose page directory CR3 holds */
static uint32_t loaded_pd;            /* which directory: its own, or a vCPU's shadow */

#define PDX(va) ((va) >> 22)
#define PTX(va) (((va) >> 12) & 0x3FFu)
#define USER_PDES PDX(KERNEL_BASE)    /* PDEs below the kernel's */

/* Which PDEs hold the space's own mappings. */
static int user_pdx(const struct space *s, unsigned i)
{
	return i < USER_PDES || (s->is_vm && i >= PDX(AB_WEDGE_BASE) && i < PDX(AB_WEDGE_END));
}

int space_may_map(const struct space *s, uint32_t va, uint32_t size)
{
	if (va < HV_USER_LIMIT && size <= HV_USER_LIMIT - va)
		return 1;
	return s->is_vm && va >= AB_WEDGE_BASE && va < AB_WEDGE_END && size <= AB_WEDGE_END - va;
}

int account_charge(struct space *s, unsigned pages, unsigned nodes)
{
	struct space *a = s->account;
	if (!a)
		return 0;
	if (a->kpages + pages > a->max_pages || a->knodes + nodes > a->max_nodes)
		return -1;
	a->kpages += pages;
	a->knodes += nodes;
	return 0;
}

void account_uncharge(struct space *s, unsigned pages, unsigned nodes)
{
	struct space *a = s->account;
	if (a) {
		a->kpages -= pages;
		a->knodes -= nodes;
	}
}

/* The kernel's own spaces (root) have no budget; a space root makes is an
 * account of its own; a space any other makes uses its maker's account. */
static struct space *account_for(uint32_t creator)
{
	struct space *cs = creator ? spaces[creator] : NULL;
	if (!cs)
		return NULL;
	return cs->id == ROOT_SPACE_ID ? NULL : cs->account;
}

#define SPACE_PAGES 3     /* the struct, the page directory, the node table */

struct space *space_create(uint32_t creator)
{
	unsigned id;
	for (id = 1; id < MAX_SPACES && spaces[id]; id++)
		;
	if (id == MAX_SPACES)
		return NULL;
	struct space *acct = account_for(creator);
	if (acct && (acct->kpages + SPACE_PAGES > acct->max_pages))
		return NULL;
	struct space *s = kpage_alloc();
	uint32_t *pd = s ? kpage_alloc() : NULL;
	struct mnode ***nodes = pd ? kpage_alloc() : NULL;
	if (!nodes) {
		if (pd)
			kpage_free(pd);
		if (s)
			kpage_free(s);
		return NULL;
	}
	for (unsigned i = USER_PDES; i < 1024; i++)
		pd[i] = boot_page_directory[i];
	s->id = id;
	s->account = acct ? acct : (creator ? s : NULL);
	s->kpages = 0;
	s->max_pages = ACCOUNT_PAGES;
	s->max_nodes = ACCOUNT_NODES;
	account_charge(s, SPACE_PAGES, 0);   /* checked above */
	s->pd = pd;
	s->pd_phys = VIRT_TO_PHYS(pd);
	s->nodes = nodes;
	s->creator = creator;
	s->utcb_base = HV_UTCB_AREA;
	spaces[id] = s;
	return s;
}

struct space *space_create_vm(uint32_t creator)
{
	struct space *s = space_create(creator);
	if (s) {
		s->is_vm = 1;
		s->utcb_base = AB_VM_UTCB_AREA;
	}
	return s;
}

/* Every mapping of the space goes, with everything mapped on from it. */
void space_destroy(struct space *s)
{
	if (loaded == s) {
		arch_load_space(VIRT_TO_PHYS(boot_page_directory));
		loaded = NULL;
	}
	for (unsigned i = 0; i < PDE_COUNT; i++) {
		if (!user_pdx(s, i) || !(s->pd[i] & PTE_P))
			continue;
		struct mnode **n = s->nodes[i];
		for (unsigned j = 0; n && j < 1024; j++)
			if (n[j])
				mnode_revoke(n[j], 1);
		kpage_free(PHYS_TO_VIRT(s->pd[i] & PAGE_MASK));
		if (n)
			kpage_free(n);
		account_uncharge(s, 2, 0);
	}
	if (s->io_bitmap) {
		arch_io_bitmap_changed();    /* the page may come back as another's */
		kpage_free(s->io_bitmap);
		account_uncharge(s, 1, 0);
	}
	account_uncharge(s, SPACE_PAGES, 0);
	spaces[s->id] = NULL;
	kpage_free(s->nodes);
	kpage_free(s->pd);
	kpage_free(s);
}

/* A space's I/O bitmap covers ports 0..32767 in one page (every device we
 * model is there); the ports above are always denied (arch.h). */
void space_activate(struct space *s)
{
	if (s == loaded && s->pd_phys == loaded_pd)
		return;
	space_activate_pd(s, s->pd_phys);
}

void space_activate_pd(struct space *s, uint32_t pd_phys)
{
	arch_load_space(pd_phys);
	arch_load_io_bitmap(s->io_bitmap);
	loaded = s;
	loaded_pd = pd_phys;
}

/* Allow ports [first, first + count) in s; 0, or -1 without memory. */
int space_allow_ports(struct space *s, uint32_t first, uint32_t count)
{
	if (!s->io_bitmap) {
		if (account_charge(s, 1, 0))
			return -1;
		s->io_bitmap = kpage_alloc();
		if (!s->io_bitmap) {
			account_uncharge(s, 1, 0);
			return -1;
		}
		memset(s->io_bitmap, 0xFF, PAGE_SIZE);
	}
	for (uint32_t p = first; p < first + count; p++)
		s->io_bitmap[p / 8] &= (uint8_t)~(1u << (p % 8));
	arch_io_bitmap_changed();
	if (s == loaded)
		arch_load_io_bitmap(s->io_bitmap);
	return 0;
}

/* 1 if s may use every port of [first, first + count). */
int space_has_ports(struct space *s, uint32_t first, uint32_t count)
{
	for (uint32_t p = first; p < first + count; p++)
		if (!s->io_bitmap || (s->io_bitmap[p / 8] & (1u << (p % 8))))
			return 0;
	return 1;
}

uint32_t *space_pte(struct space *s, uint32_t va)
{
	uint32_t pde = s->pd[PDX(va)];
	if (!(pde & PTE_P) || !user_pdx(s, PDX(va)))
		return NULL;
	return (uint32_t *)PHYS_TO_VIRT(pde & PAGE_MASK) + PTX(va);
}

struct mnode **space_node_slot(struct space *s, uint32_t va)
{
	if (!user_pdx(s, PDX(va)) || !s->nodes[PDX(va)])
		return NULL;
	return &s->nodes[PDX(va)][PTX(va)];
}

/* The page table for va, made if missing (with its page of node pointers). */
static int ensure_table(struct space *s, uint32_t va)
{
	if (s->pd[PDX(va)] & PTE_P)
		return 0;
	if (account_charge(s, 2, 0))
		return -1;
	uint32_t *pt = kpage_alloc();
	struct mnode **n = pt ? kpage_alloc() : NULL;
	if (!n) {
		if (pt)
			kpage_free(pt);
		account_uncharge(s, 2, 0);
		return -1;
	}
	s->nodes[PDX(va)] = n;
	s->pd[PDX(va)] = VIRT_TO_PHYS(pt) | PTE_P | PTE_W | PTE_U;
	return 0;
}

int space_map_frame(struct space *s, uint32_t va, uint32_t frame, uint32_t rights, struct mnode *node)
{
	if (!user_pdx(s, PDX(va)) || ensure_table(s, va))
		return -1;
	uint32_t *pte = space_pte(s, va);
	*pte = (frame & PAGE_MASK) | PTE_P | PTE_U | ((rights & HV_RIGHT_W) ? PTE_W : 0);
	s->nodes[PDX(va)][PTX(va)] = node;
	if (node) {
		node->space = s;
		node->va = va & PAGE_MASK;
	}
	if (s == loaded)
		arch_invlpg(va);
	return 0;
}

void space_clear_pte(struct space *s, uint32_t va)
{
	uint32_t *pte = space_pte(s, va);
	if (!pte)
		return;
	*pte = 0;
	s->nodes[PDX(va)][PTX(va)] = NULL;
	if (s == loaded)
		arch_invlpg(va);
	/* A shadow may map the frame: the isolation invariant needs it gone. */
	if (s->is_vm && va < AB_GUEST_PHYS_LIMIT)
		vm_space_revoked(s);
}

int space_alloc_utcb_slot(struct space *s)
{
	/* A VM space's UTCBs share the wedge's range, below the vCPU page. */
	unsigned slots = s->is_vm ? 16 : UTCB_SLOTS;
	for (unsigned i = 0; i < slots; i++)
		if (!(s->utcb_used[i / 8] & (1u << (i % 8)))) {
			s->utcb_used[i / 8] |= (uint8_t)(1u << (i % 8));
			return (int)i;
		}
	return -1;
}

void space_free_utcb_slot(struct space *s, unsigned slot)
{
	s->utcb_used[slot / 8] &= (uint8_t)~(1u << (slot % 8));
}
