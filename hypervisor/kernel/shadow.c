/*
 * The two shadow views of a vCPU (docs/vm.md): page directories the CPU
 * really runs on, filled lazily from the guest's 2-level page tables.
 * The kernel view is what the guest kernel may touch (and the wedge); the
 * user view only what the guest's tables mark user-accessible.  Like a
 * TLB, a shadow may be stale until the guest flushes: invlpg drops one
 * page, a reload of the same CR3 (or a CR0/CR4 change) everything, and a
 * load of another page directory everything but the kernel-view tables of
 * supervisor pages the two directories share (shadow_switch).
 *
 * The isolation invariant lives in one place, shadow_fill: every frame a
 * shadow maps is read from the VM space's guest-physical map, which holds
 * only what root gave the VM.
 */
#include "kernel.h"
#include "paging.h"
#include "pmm.h"
#include "printk.h"
#include "vm.h"

#define PDX(va) ((va) >> 22)
#define PTX(va) (((va) >> 12) & 0x3FFu)
#define GUEST_PDES PDX(KERNEL_BASE)
#define SHADOW_PAGES_MAX 512u      /* per VM; beyond that the shadows start over */
/* pd_src[i] when kernel-view table i may not outlive its address space:
 * filled with paging off, through more than one guest PDE, or with a
 * translation user code may use. */
#define SRC_NONE 0u
/* PDE bits a walk through it sets or ignores (4 KiB tables): a TLB hit
 * does not look at them, so they do not make two PDEs different. */
#define PDE_IGNORED (PTE_A | PTE_D)

#define CR0_PE 0x00000001u
#define CR0_WP 0x00010000u
#define CR0_PG 0x80000000u

uint32_t vm_guest_frame(struct vm *vm, uint32_t gpa)
{
	if (gpa >= vm->mem_size)
		return 0;
	uint32_t *pte = space_pte(vm->tcb->space, gpa & PAGE_MASK);
	return pte && (*pte & PTE_P) ? (*pte & PAGE_MASK) : 0;
}

int shadow_init(struct vm *vm)
{
	if (!(vm->pd_src = kpage_alloc()))
		return -1;
	for (unsigned v = 0; v < VIEWS; v++) {
		vm->pd[v] = kpage_alloc();
		if (!vm->pd[v])
			return -1;
		vm->pd_phys[v] = VIRT_TO_PHYS(vm->pd[v]);
		for (unsigned i = GUEST_PDES; i < PDE_COUNT; i++)
			vm->pd[v][i] = boot_page_directory[i];
	}
	return 0;
}

/* The wedge's page tables are the VM space's own; the kernel view points
 * at them (root may have made them since the last time). */
void shadow_sync_wedge(struct vm *vm)
{
	const uint32_t *spd = vm->tcb->space->pd;
	for (unsigned i = PDX(AB_WEDGE_BASE); i < PDX(AB_WEDGE_END); i++)
		vm->pd[VIEW_KERNEL][i] = spd[i];
}

/* The flushed view is the one CR3 holds: load it again (a dying VM's
 * thread already runs on its space's own directory). */
static void reload_if_running(struct vm *vm)
{
	if (vm->tcb == current && current->vm == vm)
		vm_activate(vm->tcb);
}

/* Shadow table i of view v goes, with what it was filled through. */
static void drop_table(struct vm *vm, unsigned v, unsigned i)
{
	if (!(vm->pd[v][i] & PTE_P))
		return;
	kpage_free(PHYS_TO_VIRT(vm->pd[v][i] & PAGE_MASK));
	vm->pd[v][i] = 0;
	vm->shadow_pages--;
	if (v == VIEW_KERNEL)
		vm->pd_src[i] = SRC_NONE;
}

void shadow_flush_all(struct vm *vm)
{
	for (unsigned v = 0; v < VIEWS; v++)
		for (unsigned i = 0; vm->pd[v] && i < GUEST_PDES; i++)
			drop_table(vm, v, i);
	vm->shadow_pages = 0;
	vm->shadow_cr3 = vm->page->cr3;
	reload_if_running(vm);
}

/*
 * Shadows across address spaces (docs/vm.md).  A real CPU without PGE
 * empties its TLB at every CR3 load; one with PGE keeps the global
 * entries, which is how an OS keeps its kernel's translations across a
 * process switch.  Such an OS never relies on the switch to flush them:
 * they may be global, so it changes its kernel mappings with invlpg, a
 * reload of the same CR3 or a full flush, all of which still drop our
 * shadows.
 *
 * So a kernel-view table survives a switch when the new directory reaches
 * the same guest page table through the same PDE (rights and all) as
 * every entry in it was filled through, and every one of those entries is
 * supervisor-only: then it holds what a TLB would still hold had the OS
 * marked its kernel pages global.  (Not "the PDE is supervisor-only":
 * Linux makes its kernel page tables with U set in the PDE, and lets the
 * PTE decide.)  A table with a user translation goes, like the whole user
 * view: user mappings are what an OS does expect a switch to flush, and it
 * may free and reuse a user page table without invlpg.
 *
 * The CPU model hides PGE (QEMU_CPU), so this goes beyond the letter of
 * the architecture for a guest that shares a page table between
 * directories and changes a supervisor mapping in it, relying on the next
 * switch to flush it; Linux and the mini-OS do not (and an OS written for
 * PGE cannot).  Isolation does not rest on it: a kept entry, like any,
 * maps a frame of the guest-physical map, and root's unmap of guest memory
 * still drops everything (vm_space_revoked); user code never runs on the
 * kernel view.
 */
static int keepable(uint32_t src, uint32_t pde)
{
	return (src & PTE_P) && !((src ^ pde) & ~PDE_IGNORED);
}

/* The new page directory, mapped, if a switch may keep anything. */
static const uint32_t *switch_target(struct vm *vm)
{
	const struct ab_vcpu *p = vm->page;
	if ((p->cr0 & (CR0_PG | CR0_PE)) != (CR0_PG | CR0_PE) || !((p->cr3 ^ vm->shadow_cr3) & PAGE_MASK))
		return NULL;               /* no tables to compare, or no switch at all */
	uint32_t f = vm_guest_frame(vm, p->cr3 & PAGE_MASK);
	return f ? arch_kmap(f, 0) : NULL;
}

void shadow_switch(struct vm *vm)
{
	const uint32_t *npd = switch_target(vm);
	if (!npd) {
		shadow_flush_all(vm);
		return;
	}
	for (unsigned i = 0; i < GUEST_PDES; i++) {
		drop_table(vm, VIEW_USER, i);
		if (!keepable(vm->pd_src[i], npd[i]))
			drop_table(vm, VIEW_KERNEL, i);
	}
	vm->shadow_cr3 = vm->page->cr3;
	reload_if_running(vm);
}

void shadow_flush_page(struct vm *vm, uint32_t va)
{
	if (va >= KERNEL_BASE)
		return;
	for (unsigned v = 0; v < VIEWS; v++)
		if (vm->pd[v][PDX(va)] & PTE_P)
			((uint32_t *)PHYS_TO_VIRT(vm->pd[v][PDX(va)] & PAGE_MASK))[PTX(va)] = 0;
	if (vm->tcb == current)
		arch_invlpg(va);
}

void shadow_free(struct vm *vm)
{
	shadow_flush_all(vm);
	for (unsigned v = 0; v < VIEWS; v++)
		if (vm->pd[v]) {
			kpage_free(vm->pd[v]);
			vm->pd[v] = NULL;
		}
	if (vm->pd_src) {
		kpage_free(vm->pd_src);
		vm->pd_src = NULL;
	}
}

/* One level of the guest's walk: the entry at gpa, through a kmap slot. */
static enum walk_result guest_entry(struct vm *vm, uint32_t gpa, unsigned slot, uint32_t **out, uint32_t *need)
{
	if (gpa >= vm->mem_size)
		return WALK_BADPHYS;
	uint32_t f = vm_guest_frame(vm, gpa);
	if (!f) {
		*need = gpa & PAGE_MASK;
		return WALK_NEED_PAGE;
	}
	*out = arch_kmap(f | (gpa & ~PAGE_MASK), slot);
	return WALK_OK;
}

/* What one walk found: target is the guest-physical page, unchecked
 * against guest memory; writable and dirty what a shadow may grant (and
 * may_write[view] what either view may); pde the guest PDE it went
 * through, A set (SRC_NONE with paging off); user whether user code may
 * use the page too. */
struct walk {
	uint32_t target, writable, dirty, pde, user;
	uint32_t may_write[VIEWS];
};

/* The guest's MMU for one access at va: its tables (paging off: the
 * identity), its rights, and the accessed and dirty bits it would set. */
static enum walk_result guest_walk(struct vm *vm, uint32_t va, int write, int supervisor, struct walk *w,
				   uint32_t *gpa)
{
	const struct ab_vcpu *p = vm->page;
	uint32_t cr0 = p->cr0;
	enum walk_result r;
	w->writable = w->dirty = w->user = 1;
	w->may_write[VIEW_KERNEL] = w->may_write[VIEW_USER] = 1;
	w->pde = SRC_NONE;
	if (va >= KERNEL_BASE)
		return WALK_NOT_PRESENT;
	if ((cr0 & (CR0_PG | CR0_PE)) != (CR0_PG | CR0_PE)) {
		w->target = va & PAGE_MASK;      /* paging off: the identity */
		return WALK_OK;
	}
	uint32_t *pde, *pte;
	if ((r = guest_entry(vm, (p->cr3 & PAGE_MASK) + PDX(va) * 4, 0, &pde, gpa)) != WALK_OK)
		return r;
	if (!(*pde & PTE_P))
		return WALK_NOT_PRESENT;
	if ((r = guest_entry(vm, (*pde & PAGE_MASK) + PTX(va) * 4, 1, &pte, gpa)) != WALK_OK)
		return r;
	uint32_t e = *pte;
	if (!(e & PTE_P))
		return WALK_NOT_PRESENT;
	int user_ok = (*pde & PTE_U) && (e & PTE_U), write_ok = (*pde & PTE_W) && (e & PTE_W);
	if (!supervisor && !user_ok)
		return WALK_DENIED;
	w->may_write[VIEW_KERNEL] = write_ok || !(cr0 & CR0_WP);
	w->may_write[VIEW_USER] = (uint32_t)write_ok;
	w->writable = w->may_write[supervisor ? VIEW_KERNEL : VIEW_USER];
	if (write && !w->writable)
		return WALK_DENIED;
	/* The accessed and dirty bits, as the MMU would set them. */
	if (!(*pde & PTE_A))
		*pde |= PTE_A;
	e |= PTE_A | (write ? PTE_D : 0);
	if (e != *pte)
		*pte = e;
	w->dirty = e & PTE_D;
	w->target = e & PAGE_MASK;
	w->pde = *pde;
	w->user = (uint32_t)user_ok;
	return WALK_OK;
}

enum walk_result shadow_translate(struct vm *vm, uint32_t va, int write, int supervisor, uint32_t *gpa)
{
	struct walk w;
	enum walk_result r = guest_walk(vm, va, write, supervisor, &w, gpa);
	if (r == WALK_OK)
		*gpa = w.target | (va & ~PAGE_MASK);
	return r;
}

/* The shadow table for va in the current view, made if need be; NULL when
 * the kernel pool is dry even after starting over.  A kernel-view table
 * remembers the guest PDE it is filled through (shadow_switch): one that
 * has seen two (the guest changed the PDE without a flush) or a user
 * translation may not outlive its address space. */
static uint32_t *shadow_table(struct vm *vm, unsigned view, uint32_t va, const struct walk *w, int may_flush)
{
	uint32_t pde = w->user ? SRC_NONE : w->pde;
	uint32_t *spd = vm->pd[view];
	if (!(spd[PDX(va)] & PTE_P)) {
		if (vm->shadow_pages >= SHADOW_PAGES_MAX) {
			if (!may_flush)
				return NULL;
			shadow_flush_all(vm);
		}
		uint32_t *pt = kpage_alloc();
		if (!pt && may_flush) {
			shadow_flush_all(vm);
			pt = kpage_alloc();
		}
		if (!pt)
			return NULL;
		vm->shadow_pages++;
		spd[PDX(va)] = VIRT_TO_PHYS(pt) | PTE_P | PTE_W | PTE_U;
		if (view == VIEW_KERNEL)
			vm->pd_src[PDX(va)] = pde;
	} else if (view == VIEW_KERNEL && ((vm->pd_src[PDX(va)] ^ pde) & ~PDE_IGNORED)) {
		vm->pd_src[PDX(va)] = SRC_NONE;
	}
	return PHYS_TO_VIRT(spd[PDX(va)] & PAGE_MASK);
}

/* A user page goes into the other view too: a TLB entry serves both
 * privilege levels, so this is what hardware would hold after the same
 * walk, and it saves the second fault when the guest kernel (or the
 * wedge) and user code touch the same page.  Never worth a flush. */
static void fill_other_view(struct vm *vm, uint32_t va, const struct walk *w, uint32_t host)
{
	unsigned other = vm->view == VIEW_KERNEL ? VIEW_USER : VIEW_KERNEL;
	if (!w->user)
		return;
	uint32_t *pt = shadow_table(vm, other, va, w, 0);
	if (pt)
		pt[PTX(va)] = (host & PAGE_MASK) | PTE_P | PTE_U |
			      (w->may_write[other] && w->dirty && (host & PTE_W) ? PTE_W : 0);
}

enum walk_result shadow_fill(struct vm *vm, uint32_t va, int write, int supervisor, uint32_t *gpa)
{
	struct walk w;
	enum walk_result r = guest_walk(vm, va, write, supervisor, &w, gpa);
	if (r != WALK_OK)
		return r;
	if (w.target >= vm->mem_size)
		return WALK_BADPHYS;
	uint32_t *host = space_pte(vm->tcb->space, w.target);
	if (!host || !(*host & PTE_P)) {
		*gpa = w.target;
		return WALK_NEED_PAGE;
	}
	/* A clean page is read-only in the shadow: its first write comes back
	 * here to set D.  Root's own rights on the frame bound ours. */
	uint32_t spte = (*host & PAGE_MASK) | PTE_P | PTE_U;
	if (w.writable && w.dirty && (*host & PTE_W))
		spte |= PTE_W;
	else if (write && w.writable)
		return WALK_DENIED;      /* root mapped it read-only */
	uint32_t *pt = shadow_table(vm, vm->view, va, &w, 1);
	if (!pt)
		return WALK_NOMEM;
	pt[PTX(va)] = spte;
	fill_other_view(vm, va, &w, *host);
	if (vm->tcb == current)
		arch_invlpg(va);
	return WALK_OK;
}
