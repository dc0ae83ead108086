/*
 * The two shadow views of a vCPU (docs/vm.md): page directories the CPU
 * really runs on, filled lazily from the guest's 2-level page tables.
 * The kernel view is what the guest kernel may touch (and the wedge); the
 * user view only what the guest's tables mark user-accessible.  Like a
 * TLB, a shadow may be stale until the guest flushes: a CR3 load drops
 * everything, invlpg one page.
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

void shadow_flush_all(struct vm *vm)
{
	for (unsigned v = 0; v < VIEWS; v++)
		for (unsigned i = 0; vm->pd[v] && i < GUEST_PDES; i++)
			if (vm->pd[v][i] & PTE_P) {
				kpage_free(PHYS_TO_VIRT(vm->pd[v][i] & PAGE_MASK));
				vm->pd[v][i] = 0;
			}
	vm->shadow_pages = 0;
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

/* The guest's MMU for one access at va: its tables (paging off: the
 * identity), its rights, and the accessed and dirty bits it would set.
 * WALK_OK: *target is the guest-physical page, unchecked against guest
 * memory; *writable and *dirty what a shadow may grant. */
static enum walk_result guest_walk(struct vm *vm, uint32_t va, int write, int supervisor, uint32_t *target,
				   uint32_t *writable, uint32_t *dirty, uint32_t *gpa)
{
	const struct ab_vcpu *p = vm->page;
	uint32_t cr0 = p->cr0;
	enum walk_result r;
	*writable = *dirty = 1;
	if (va >= KERNEL_BASE)
		return WALK_NOT_PRESENT;
	if ((cr0 & (CR0_PG | CR0_PE)) != (CR0_PG | CR0_PE)) {
		*target = va & PAGE_MASK;        /* paging off: the identity */
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
	*writable = supervisor ? (write_ok || !(cr0 & CR0_WP)) : write_ok;
	if (write && !*writable)
		return WALK_DENIED;
	/* The accessed and dirty bits, as the MMU would set them. */
	if (!(*pde & PTE_A))
		*pde |= PTE_A;
	e |= PTE_A | (write ? PTE_D : 0);
	if (e != *pte)
		*pte = e;
	*dirty = e & PTE_D;
	*target = e & PAGE_MASK;
	return WALK_OK;
}

enum walk_result shadow_translate(struct vm *vm, uint32_t va, int write, int supervisor, uint32_t *gpa)
{
	uint32_t target, writable, dirty;
	enum walk_result r = guest_walk(vm, va, write, supervisor, &target, &writable, &dirty, gpa);
	if (r == WALK_OK)
		*gpa = target | (va & ~PAGE_MASK);
	return r;
}

enum walk_result shadow_fill(struct vm *vm, uint32_t va, int write, int supervisor, uint32_t *gpa)
{
	uint32_t target, writable, dirty;
	enum walk_result r = guest_walk(vm, va, write, supervisor, &target, &writable, &dirty, gpa);
	if (r != WALK_OK)
		return r;
	if (target >= vm->mem_size)
		return WALK_BADPHYS;
	uint32_t *host = space_pte(vm->tcb->space, target);
	if (!host || !(*host & PTE_P)) {
		*gpa = target;
		return WALK_NEED_PAGE;
	}
	/* A clean page is read-only in the shadow: its first write comes back
	 * here to set D.  Root's own rights on the frame bound ours. */
	uint32_t spte = (*host & PAGE_MASK) | PTE_P | PTE_U;
	if (writable && dirty && (*host & PTE_W))
		spte |= PTE_W;
	else if (write && writable)
		return WALK_DENIED;      /* root mapped it read-only */
	uint32_t *spd = vm->pd[vm->view];
	if (!(spd[PDX(va)] & PTE_P)) {
		if (vm->shadow_pages >= SHADOW_PAGES_MAX)
			shadow_flush_all(vm);
		uint32_t *pt = kpage_alloc();
		if (!pt) {
			shadow_flush_all(vm);
			if (!(pt = kpage_alloc()))
				return WALK_NOMEM;
		}
		vm->shadow_pages++;
		spd[PDX(va)] = VIRT_TO_PHYS(pt) | PTE_P | PTE_W | PTE_U;
	}
	((uint32_t *)PHYS_TO_VIRT(spd[PDX(va)] & PAGE_MASK))[PTX(va)] = spte;
	if (vm->tcb == current)
		arch_invlpg(va);
	return WALK_OK;
}
