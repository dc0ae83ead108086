/*
 * Two-level paging with 4 KiB pages only (no PSE: the CPU model may hide
 * it).  paging_init() maps [0, 8 MiB) 1:1, supervisor-only, and then the
 * .user_text (read-only) and .user_data (writable) ranges user-accessible:
 * ring-3 code sees nothing else, on bare hardware as on the hypervisor's
 * user view.  Page tables come from a small static pool; every PDE is
 * P|W|U so that the PTE alone decides.
 */
#include "guest.h"

#define NTABLES 8

uint32_t page_dir[1024] __attribute__((aligned(4096)));
static uint32_t tables[NTABLES][1024] __attribute__((aligned(4096)));
static unsigned tables_used;

uint32_t *pte_of(uint32_t va)
{
	uint32_t *pde = &page_dir[va >> 22];

	if (!(*pde & PTE_P)) {
		if (tables_used == NTABLES) {
			printf("paging: out of page tables\n");
			test_result(FAILURE);
		}
		uint32_t *t = tables[tables_used++];
		memset(t, 0, 4096);
		*pde = (uint32_t)t | PTE_P | PTE_W | PTE_U;
	}
	return (uint32_t *)(*pde & ~0xfffu) + ((va >> 12) & 0x3ff);
}

/* The caller flushes (invlpg or a CR3 load) if paging is on. */
void map_page(uint32_t va, uint32_t pa, uint32_t flags)
{
	*pte_of(va) = (pa & ~0xfffu) | flags;
}

static void map_user(const char *start, const char *end, uint32_t flags)
{
	for (uint32_t va = (uint32_t)start; va < (uint32_t)end; va += 4096)
		map_page(va, va, flags);
}

void paging_init(void)
{
	memset(page_dir, 0, sizeof page_dir);
	tables_used = 0;
	for (uint32_t va = 0; va < PAGING_IDENTITY; va += 4096)
		map_page(va, va, PTE_P | PTE_W);
	map_user(__user_text_start, __user_text_end, PTE_P | PTE_U);
	map_user(__user_data_start, __user_data_end, PTE_P | PTE_W | PTE_U);
}

void paging_enable(void)
{
	CR_WRITE(3, (uint32_t)page_dir);
	CR_WRITE(0, CR_READ(0) | CR0_PG);
}

void paging_disable(void)
{
	CR_WRITE(0, CR_READ(0) & ~CR0_PG);
}
