/*
 * Address spaces.  Every page directory maps the kernel's memory 1:1,
 * supervisor-only, through page tables shared by all of them; the user
 * image (code and constants, linked at USER_BASE) read-only for ring 3,
 * also through one shared page table; and the process's own heap and
 * stack, which arrive one zeroed page at a time in the page-fault handler.
 */
#include "kernel.h"
#include "x86.h"

/* minios.ld: where the user image lies in physical memory. */
extern char __user_lma_start[], __user_lma_end[], __user_start[];

uint32_t *kpgdir;
static uint32_t kernel_pdes;    /* kpgdir[0 .. kernel_pdes) map the kernel */
static uint32_t *user_pt;

void vm_init(uint32_t mem_end)
{
	kpgdir = kalloc();
	kernel_pdes = (mem_end + (1u << 22) - 1) >> 22;
	for (uint32_t i = 0; i < kernel_pdes; i++) {
		uint32_t *pt = kalloc();
		if (!pt)
			panic("out of memory for kernel page tables", i);
		kpgdir[i] = (uint32_t)pt | PTE_P | PTE_W;
	}
	/* Page 0 stays unmapped: a null pointer faults. */
	for (uint32_t pa = PGSIZE; pa < mem_end; pa += PGSIZE) {
		uint32_t *pt = (uint32_t *)PTE_ADDR(kpgdir[PDX(pa)]);
		pt[PTX(pa)] = pa | PTE_P | PTE_W;
	}

	uint32_t lma = (uint32_t)__user_lma_start, size = __user_lma_end - __user_lma_start;
	if ((uint32_t)__user_start != USER_BASE)
		panic("minios.ld links the user image away from USER_BASE, at", (uint32_t)__user_start);
	if (size > (1u << 22) || PDX(USER_BASE) < kernel_pdes)
		panic("user image does not fit its page table, size", size);
	user_pt = kalloc();
	for (uint32_t off = 0; off < size; off += PGSIZE)
		user_pt[PTX(USER_BASE + off)] = (lma + off) | PTE_P | PTE_U;

	lcr3((uint32_t)kpgdir);
	lcr0(rcr0() | CR0_PG);
}

uint32_t *uvm_create(void)
{
	uint32_t *pd = kalloc();
	if (!pd)
		panic("out of memory for a page directory", 0);
	for (uint32_t i = 0; i < kernel_pdes; i++)
		pd[i] = kpgdir[i];
	pd[PDX(USER_BASE)] = (uint32_t)user_pt | PTE_P | PTE_W | PTE_U;
	return pd;
}

static int is_private(uint32_t pdx)
{
	return pdx >= kernel_pdes && pdx != PDX(USER_BASE);
}

void uvm_free(uint32_t *pd)
{
	for (uint32_t i = 0; i < 1024; i++) {
		if (!is_private(i) || !(pd[i] & PTE_P))
			continue;
		uint32_t *pt = (uint32_t *)PTE_ADDR(pd[i]);
		for (uint32_t j = 0; j < 1024; j++)
			if (pt[j] & PTE_P)
				kfree((void *)PTE_ADDR(pt[j]));
		kfree(pt);
	}
	kfree(pd);
}

/* The PTE for va in pd, making its page table if create; or 0. */
static uint32_t *walk(uint32_t *pd, uint32_t va, int create)
{
	uint32_t *pde = &pd[PDX(va)];
	if (!(*pde & PTE_P)) {
		uint32_t *pt;
		if (!create || !is_private(PDX(va)) || !(pt = kalloc()))
			return 0;
		*pde = (uint32_t)pt | PTE_P | PTE_W | PTE_U;
	}
	return &((uint32_t *)PTE_ADDR(*pde))[PTX(va)];
}

static int in_demand_range(struct proc *p, uint32_t va)
{
	return (va >= HEAP_BASE && va < p->brk) || (va >= STACK_LIMIT && va < STACK_TOP);
}

/* Map a zeroed page at va, if va is heap or stack not yet mapped. */
int uvm_demand(struct proc *p, uint32_t va)
{
	if (!in_demand_range(p, va))
		return -1;
	uint32_t *pte = walk(p->pgdir, va, 1);
	if (!pte || (*pte & PTE_P))
		return -1;
	void *page = kalloc();
	if (!page)
		return -1;
	/* Not-present entries are never cached by the TLB: no flush needed. */
	*pte = (uint32_t)page | PTE_P | PTE_W | PTE_U;
	counts.faults++;
	return 0;
}

/* Unmap [from, to) of the current address space (sbrk shrinking). */
void uvm_unmap(uint32_t *pd, uint32_t from, uint32_t to)
{
	for (uint32_t va = PGROUNDUP(from); va < to; va += PGSIZE) {
		uint32_t *pte = walk(pd, va, 0);
		if (!pte || !(*pte & PTE_P))
			continue;
		kfree((void *)PTE_ADDR(*pte));
		*pte = 0;
		invlpg(va);     /* the TLB may hold the old page */
	}
}

/* May the kernel read [va, va+n) for p?  Faults in what is missing. */
int uvm_readable(struct proc *p, uint32_t va, uint32_t n)
{
	if (va + n < va)
		return 0;
	for (uint32_t pg = PGROUNDDOWN(va); n && pg < va + n; pg += PGSIZE) {
		uint32_t *pte = walk(p->pgdir, pg, 0);
		if (pte && (*pte & (PTE_P | PTE_U)) == (PTE_P | PTE_U))
			continue;
		if (uvm_demand(p, pg) < 0)
			return 0;
	}
	return 1;
}
