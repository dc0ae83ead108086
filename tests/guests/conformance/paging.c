/*
 * paging: turning paging on and off, and the TLB operations a shadow
 * must follow.  Two virtual pages on one frame see each other's writes;
 * a changed PTE takes effect after invlpg, and after a CR3 reload; the
 * CPU sets the accessed and dirty bits in the guest's own PTEs; with
 * paging off again, physical addresses are back.  The test window is at
 * 0x40000000, far from the identity map and below the reserved top.
 */
#include "guest.h"

#define WIN 0x40000000u

static volatile uint32_t frame_a[1024] __attribute__((aligned(4096)));
static volatile uint32_t frame_b[1024] __attribute__((aligned(4096)));

static uint32_t peek(uint32_t va) { return *(volatile uint32_t *)va; }
static void poke(uint32_t va, uint32_t v) { *(volatile uint32_t *)va = v; }

void test_main(void)
{
	frame_a[0] = 0xaaaa0001;
	frame_b[0] = 0xbbbb0001;
	paging_init();
	map_page(WIN, (uint32_t)frame_a, PTE_P | PTE_W);
	map_page(WIN + 0x1000, (uint32_t)frame_a, PTE_P | PTE_W);
	map_page(WIN + 0x2000, (uint32_t)frame_a, PTE_P | PTE_W);
	paging_enable();
	report(CR_READ(0) & CR0_PG, "CR0.PG=1");
	report(CR_READ(3) == (uint32_t)page_dir, "CR3 is the page directory");
	report(frame_a[0] == 0xaaaa0001, "identity-mapped data reads the same");

	/* Aliasing: two virtual pages, one frame. */
	report(peek(WIN) == 0xaaaa0001, "window reads frame A");
	poke(WIN + 0x1000 + 8, 0x5a5a5a5a);
	report(peek(WIN + 8) == 0x5a5a5a5a && frame_a[2] == 0x5a5a5a5a,
	       "a write through one alias is seen through the other");

	/* Accessed and dirty bits. */
	uint32_t *pte = pte_of(WIN + 0x2000);
	*pte &= ~(PTE_A | PTE_D);
	invlpg(WIN + 0x2000);
	(void)peek(WIN + 0x2000);
	report((*pte & (PTE_A | PTE_D)) == PTE_A, "a read sets A, not D");
	poke(WIN + 0x2000 + 4, 1);
	report((*pte & (PTE_A | PTE_D)) == (PTE_A | PTE_D), "a write sets D");

	/* Remap the window to frame B: invlpg makes it visible. */
	map_page(WIN, (uint32_t)frame_b, PTE_P | PTE_W);
	invlpg(WIN);
	report(peek(WIN) == 0xbbbb0001, "after a PTE change and invlpg: frame B");

	/* And back, this time flushed by reloading CR3. */
	map_page(WIN, (uint32_t)frame_a, PTE_P | PTE_W);
	CR_WRITE(3, CR_READ(3));
	report(peek(WIN) == 0xaaaa0001, "after a PTE change and CR3 reload: frame A");

	/* A not-present PTE, then present again. */
	*pte_of(WIN) = 0;
	invlpg(WIN);
	ex_clear();
	uint32_t v = 0;
	__asm__ volatile("1: mov (%1), %0\n2:\n" EXTABLE(1b, 2b) : "+r"(v) : "r"(WIN) : "memory");
	report(exinfo.vector == 14 && exinfo.cr2 == WIN, "unmapped: #PF at %08x", WIN);
	map_page(WIN, (uint32_t)frame_b, PTE_P | PTE_W);
	invlpg(WIN);
	report(peek(WIN) == 0xbbbb0001, "mapped again: frame B");

	paging_disable();
	report(!(CR_READ(0) & CR0_PG), "CR0.PG=0 again");
	report(frame_a[2] == 0x5a5a5a5a && frame_b[0] == 0xbbbb0001, "physical memory as written");
	paging_enable();
	report(peek(WIN) == 0xbbbb0001, "paging on again: the same mapping");
	paging_disable();
}
