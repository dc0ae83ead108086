/*
 * if_flags: pushf, popf, cli and sti at CPL 0.  pushf shows IF exactly
 * as cli/sti left it; popf restores IF in both directions and sets the
 * arithmetic flags, DF, AC, ID and, at CPL 0, IOPL.  These are the silent
 * kinds: at CPL 3 popf would keep IF and IOPL without a word, so the
 * annotated sites must reproduce CPL 0 behaviour.  No IRQ is unmasked, so
 * IF=1 delivers nothing here (irq_pending tests delivery).
 */
#include "guest.h"

#define IOPL3 0x3000
#define ARITH 0x0cd5    /* CF PF AF ZF SF DF OF */
#define AC 0x40000

void test_main(void)
{
	cli();
	report(!(read_eflags() & EFLAGS_IF), "pushf after cli: IF=0");
	sti();
	report(read_eflags() & EFLAGS_IF, "pushf after sti: IF=1");
	cli();
	report(!(read_eflags() & EFLAGS_IF), "pushf after cli again: IF=0");

	write_eflags(0x202);
	report(read_eflags() & EFLAGS_IF, "popf sets IF");
	write_eflags(0x002);
	report(!(read_eflags() & EFLAGS_IF), "popf clears IF");

	/* Every other flag popf may write at CPL 0 reads back as written.
	 * Mask TF, RF, VM, VIF, VIP (and bit 1, always 1). */
	uint32_t want = 0x002 | ARITH | AC;
	write_eflags(want);
	uint32_t got = read_eflags();
	write_eflags(0x002);
	printf("popf %08x -> pushf %08x\n", want, got & 0x003f7fd7);
	report((got & 0x003f7fd7) == want, "popf sets CF PF AF ZF SF DF OF AC");

	write_eflags(0x002 | IOPL3);
	got = read_eflags();
	write_eflags(0x002);
	report((got & IOPL3) == IOPL3, "popf at CPL 0 sets IOPL 3");
	report(!(read_eflags() & IOPL3), "popf at CPL 0 clears IOPL");

	/* The IF state survives a function's pushf/cli ... popf, the usual
	 * local_irq_save/restore pair, from both starting states. */
	for (int start = 0; start < 2; start++) {
		write_eflags(start ? 0x202 : 0x002);
		uint32_t saved = read_eflags();
		cli();
		write_eflags(saved);
		report(((read_eflags() & EFLAGS_IF) != 0) == start,
		       "irq save/restore keeps IF=%d", start);
	}
	cli();
}
