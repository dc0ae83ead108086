/*
 * paging: turning paging on and off, and the TLB operations a shadow
 * must follow.  Two virtual pages on one frame see each other's writes;
 * a changed PTE takes effect after invlpg, and after a CR3 reload; the
 * CPU sets the accessed and dirty bits in the guest's own PTEs; with
 * paging off again, physical addresses are back.  The test window is at
 * 0x40000000, far from the identity map and below the reserved top.
 *
 * Then a second page directory: a CR3 load of it shows its own tables,
 * and what a shared table changed shows after the flush the guest owes
 * (docs/vm.md, "Shadows across address spaces": the hypervisor keeps the
 * shadow of a shared table that maps only supervisor pages across the
 * switch, so a change there needs invlpg or a reload of the same CR3, as
 * it would with global pages; a shared user table is flushed by the
 * switch itself, as the architecture says).
 */
#include "guest.h"

#define WIN 0x40000000u

static volatile uint32_t frame_a[1024] __attribute__((aligned(4096)));
static volatile uint32_t frame_b[1024] __attribute__((aligned(4096)));

#define WIN_SUP (WIN + (1u << 22))    /* a shared table, supervisor pages */
#define WIN_USR (WIN + (2u << 22))    /* a shared table, user pages */
static uint32_t pd2[1024] __attribute__((aligned(4096)));
static uint32_t pt_own[1024] __attribute__((aligned(4096)));   /* pd2's WIN */
static uint32_t pt_sup[1024] __attribute__((aligned(4096)));
static uint32_t pt_usr[1024] __attribute__((aligned(4096)));

static uint32_t peek(uint32_t va) { return *(volatile uint32_t *)va; }
static void poke(uint32_t va, uint32_t v) { *(volatile uint32_t *)va = v; }

/* The PDE both directories hold for va: P|W|U, as Linux makes even its
 * kernel's tables, so the PTE alone decides who may use a page. */
static void share_table(uint32_t va, uint32_t *pt)
{
	page_dir[va >> 22] = pd2[va >> 22] = (uint32_t)pt | PTE_P | PTE_W | PTE_U;
}

/* With page_dir loaded and WIN on frame B; ends the same way. */
static void two_directories(void)
{
	memcpy(pd2, page_dir, sizeof pd2);
	pd2[WIN >> 22] = (uint32_t)pt_own | PTE_P | PTE_W | PTE_U;
	pt_own[0] = (uint32_t)frame_a | PTE_P | PTE_W;
	pt_sup[0] = (uint32_t)frame_a | PTE_P | PTE_W;
	pt_usr[0] = (uint32_t)frame_a | PTE_P | PTE_W | PTE_U;
	share_table(WIN_SUP, pt_sup);     /* not present before: no flush owed */
	share_table(WIN_USR, pt_usr);
	__asm__ volatile("" : : : "memory");   /* the tables are written before the reads */
	report(peek(WIN_SUP) == 0xaaaa0001 && peek(WIN_USR) == 0xaaaa0001, "shared tables read frame A");

	CR_WRITE(3, (uint32_t)pd2);
	report(CR_READ(3) == (uint32_t)pd2, "CR3 is the second directory");
	report(peek(WIN) == 0xaaaa0001, "another directory: its own table for the window");
	report(peek(WIN_SUP) == 0xaaaa0001 && peek(WIN_USR) == 0xaaaa0001, "and the shared tables");

	/* A user page changed with no flush: the switch flushes it. */
	pt_usr[0] = (uint32_t)frame_b | PTE_P | PTE_W | PTE_U;
	CR_WRITE(3, (uint32_t)page_dir);
	report(peek(WIN) == 0xbbbb0001, "back: the first directory's window, frame B");
	report(peek(WIN_USR) == 0xbbbb0001, "a shared user page changed before the switch: frame B");

	/* A supervisor page of a shared table: invlpg in one directory holds
	 * in the other. */
	pt_sup[0] = (uint32_t)frame_b | PTE_P | PTE_W;
	invlpg(WIN_SUP);
	report(peek(WIN_SUP) == 0xbbbb0001, "shared supervisor page after invlpg: frame B");
	CR_WRITE(3, (uint32_t)pd2);
	report(peek(WIN_SUP) == 0xbbbb0001, "and in the other directory");

	/* And a reload of the same CR3 flushes a shared table too. */
	pt_sup[0] = (uint32_t)frame_a | PTE_P | PTE_W;
	CR_WRITE(3, CR_READ(3));
	report(peek(WIN_SUP) == 0xaaaa0001, "shared supervisor page after a CR3 reload: frame A");
	CR_WRITE(3, (uint32_t)page_dir);
	report(peek(WIN_SUP) == 0xaaaa0001 && peek(WIN) == 0xbbbb0001, "first directory again");
}

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

	two_directories();

	paging_disable();
	report(!(CR_READ(0) & CR0_PG), "CR0.PG=0 again");
	report(frame_a[2] == 0x5a5a5a5a && frame_b[0] == 0xbbbb0001, "physical memory as written");
	paging_enable();
	report(peek(WIN) == 0xbbbb0001, "paging on again: the same mapping");
	paging_disable();
}
