/*
 * Temporary kernel mappings of frames above the direct map.  Guest memory
 * lies wherever root found a free block, usually above the 48 MiB the
 * direct map covers, and the kernel must read and update the guest's page
 * tables there.  PDE 1023 (0xFFC00000) holds one page table of slots that
 * every address space shares, because each copies the kernel's PDEs from
 * the boot directory when it is made.
 */
#include "arch.h"
#include "paging.h"

#define KMAP_BASE  0xFFC00000u
#define KMAP_SLOTS 4u

static uint32_t kmap_table[PDE_COUNT] __attribute__((aligned(4096)));

void arch_kmap_init(void)
{
	boot_page_directory[PDE_COUNT - 1] = VIRT_TO_PHYS(kmap_table) | PTE_P | PTE_W;
}

void *arch_kmap(uint32_t phys, unsigned slot)
{
	if (phys < KERNEL_DIRECT_SIZE)
		return PHYS_TO_VIRT(phys);
	uint32_t va = KMAP_BASE + (slot % KMAP_SLOTS) * PAGE_SIZE;
	uint32_t pte = (phys & PAGE_MASK) | PTE_P | PTE_W;
	if (kmap_table[slot % KMAP_SLOTS] != pte) {
		kmap_table[slot % KMAP_SLOTS] = pte;
		arch_invlpg(va);
	}
	return (void *)(uintptr_t)(va + (phys & ~PAGE_MASK));
}
