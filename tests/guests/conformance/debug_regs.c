/*
 * debug_regs: mov to and from %dr0-%dr7.  DR6 and DR7 start at their
 * reset values; DR0-DR3 read back any address; the fixed bits of DR6
 * and DR7 read as 1 (bit 10 of DR7, the upper bits of DR6) whatever is
 * written; with CR4.DE=0, %dr4 and %dr5 are aliases of %dr6 and %dr7.
 * No breakpoint is ever enabled: the L/G bits of DR7 stay 0.
 */
#include "guest.h"

#define DR_READ(n) ({ uint32_t v_; __asm__ volatile("mov %%dr" #n ", %0" : "=r"(v_)); v_; })
#define DR_WRITE(n, v) __asm__ volatile("mov %0, %%dr" #n : : "r"((uint32_t)(v)) : "memory")

void test_main(void)
{
	uint32_t dr6 = DR_READ(6), dr7 = DR_READ(7);
	printf("initial DR6 %08x DR7 %08x\n", dr6, dr7);
	report(dr6 == 0xffff0ff0 && dr7 == 0x00000400, "DR6 and DR7 at their reset values");

	DR_WRITE(0, 0x00100000);
	DR_WRITE(1, 0x11111110);
	DR_WRITE(2, 0x22222220);
	DR_WRITE(3, 0xfedcba98);
	uint32_t d0 = DR_READ(0), d1 = DR_READ(1), d2 = DR_READ(2), d3 = DR_READ(3);
	printf("DR0-3: %08x %08x %08x %08x\n", d0, d1, d2, d3);
	report(d0 == 0x00100000 && d1 == 0x11111110 && d2 == 0x22222220 && d3 == 0xfedcba98,
	       "DR0-DR3 read back");
	DR_WRITE(0, 0);
	DR_WRITE(1, 0);
	DR_WRITE(2, 0);
	DR_WRITE(3, 0);

	DR_WRITE(6, 0);
	DR_WRITE(7, 0);
	printf("after writing 0: DR6 %08x DR7 %08x\n", DR_READ(6), DR_READ(7));
	report(DR_READ(6) == 0xffff0ff0 && DR_READ(7) == 0x400, "the fixed bits of DR6 and DR7 stay 1");

	/* Condition bits of DR7 without an enable bit: stored, no effect. */
	DR_WRITE(7, 0x000f0400);
	report(DR_READ(7) == 0x000f0400, "DR7 R/W0 and LEN0 read back");
	report(DR_READ(5) == 0x000f0400 && DR_READ(4) == DR_READ(6), "with CR4.DE=0 DR4/DR5 alias DR6/DR7");
	DR_WRITE(7, 0x400);
}
