/*
 * ctrl_regs: mov to and from %cr0, %cr2, %cr3, %cr4; smsw, lmsw, clts;
 * invd and wbinvd.  Each register reads back what was written (CR2 and
 * CR3 take any page-aligned value with paging off); smsw is CR0's low
 * word; lmsw sets TS but cannot clear PE; clts clears TS; an undefined
 * control register (%cr1) is #UD.  Not tested: a reserved CR4 bit, which
 * should be #GP(0), but QEMU 7.2 TCG takes it for an SVM exit and hangs.
 */
#include "guest.h"

static uint32_t scratch_page[1024] __attribute__((aligned(4096)));

static uint16_t smsw(void)
{
	uint16_t v;
	__asm__ volatile("smsw %0" : "=rm"(v));
	return v;
}

void test_main(void)
{
	uint32_t cr0 = CR_READ(0);
	printf("CR0 PE %u MP %u EM %u TS %u WP %u PG %u; CR4 %08x\n", cr0 & 1, (cr0 >> 1) & 1,
	       (cr0 >> 2) & 1, (cr0 >> 3) & 1, (cr0 >> 16) & 1, cr0 >> 31, CR_READ(4));
	report(smsw() == (cr0 & 0xffff), "smsw is CR0[15:0]");

	CR_WRITE(2, 0x12345678);
	report(CR_READ(2) == 0x12345678, "CR2 reads back 12345678");
	CR_WRITE(2, 0);

	uint32_t cr3 = CR_READ(3);
	CR_WRITE(3, (uint32_t)scratch_page);
	report(CR_READ(3) == (uint32_t)scratch_page, "CR3 reads back a page address (paging off)");
	CR_WRITE(3, cr3);

	CR_WRITE(0, cr0 | CR0_WP);
	report(CR_READ(0) == (cr0 | CR0_WP), "CR0.WP set reads back");
	CR_WRITE(0, cr0 & ~CR0_WP);
	report(CR_READ(0) == (cr0 & ~CR0_WP), "CR0.WP clear reads back");
	CR_WRITE(0, cr0);

	/* lmsw writes PE MP EM TS only, and can set PE but never clear it. */
	__asm__ volatile("lmsw %w0" : : "r"((uint16_t)(cr0 | CR0_TS)) : "memory");
	report((CR_READ(0) & CR0_TS) && (smsw() & CR0_TS), "lmsw sets CR0.TS (seen by mov and smsw)");
	__asm__ volatile("clts" : : : "memory");
	report(!(CR_READ(0) & CR0_TS), "clts clears CR0.TS");
	__asm__ volatile("lmsw %w0" : : "r"((uint16_t)(cr0 & ~CR0_PE)) : "memory");
	report(CR_READ(0) & CR0_PE, "lmsw cannot clear PE");
	CR_WRITE(0, cr0);

	uint32_t cr4 = CR_READ(4);
	CR_WRITE(4, cr4 | 0x4);             /* TSD: only CPL > 0 would notice */
	report(CR_READ(4) == (cr4 | 0x4), "CR4.TSD set reads back");
	CR_WRITE(4, cr4);
	report(CR_READ(4) == cr4, "CR4 restored");

	ex_clear();
	uint32_t junk = 0;
	__asm__ volatile("1: mov %%cr1, %0\n2:\n" EXTABLE(1b, 2b) : "+r"(junk) : : "memory");
	printf("mov from %%cr1: vector %u\n", exinfo.vector);
	report(exinfo.vector == 6, "mov from %%cr1 is #UD");

	__asm__ volatile("wbinvd; invd" : : : "memory");
	report(1, "wbinvd and invd complete at CPL 0");
}
