/*
 * hlt_pit: hlt sleeps until an interrupt, and the PIT ticks while we are
 * halted.  The PIT runs periodically (mode 2, 1 kHz), so a wakeup that
 * slips in just before a hlt only delays it by one tick: each "sti; hlt"
 * returns having taken at least one IRQ0.  Nothing here depends on time.
 */
#include "guest.h"

#define HALTS 20

void test_main(void)
{
	int woke = 0;

	cli();
	pit_start();
	pit_periodic(1000);
	for (int i = 0; i < HALTS; i++) {
		uint32_t before = pit_ticks;
		__asm__ volatile("sti; hlt; cli" : : : "memory");
		woke += pit_ticks > before;
	}
	pic_mask(0);
	report(woke == HALTS, "%d of %d halts woke on IRQ0", woke, HALTS);
	report(pit_ticks >= HALTS, "at least %d ticks while halted", HALTS);
	report(!(read_eflags() & EFLAGS_IF), "IF=0 again after the loop");
}
