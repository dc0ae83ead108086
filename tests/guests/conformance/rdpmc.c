/*
 * rdpmc: with CR4.PCE=0, rdpmc is allowed at CPL 0 only, so this is a
 * trapping kind the wedge must emulate.  A platform without performance
 * counters faults even at CPL 0 (QEMU TCG raises #UD; hardware may #GP):
 * then the result is SKIP, with the vector printed.  Counter values are
 * never printed.
 */
#include "guest.h"

void test_main(void)
{
	uint32_t lo = 0, hi = 0;

	report(!(CR_READ(4) & 0x100), "CR4.PCE=0");
	ex_clear();
	__asm__ volatile("1: rdpmc\n2:\n" EXTABLE(1b, 2b)
			 : "+a"(lo), "+d"(hi) : "c"(0) : "memory");
	if (exinfo.vector != EX_NONE) {
		printf("rdpmc counter 0 at CPL 0: vector %u error %04x\n", exinfo.vector, exinfo.error);
		test_skip("no performance counters on this platform");
	}
	report(1, "rdpmc counter 0 at CPL 0 completes");
}
