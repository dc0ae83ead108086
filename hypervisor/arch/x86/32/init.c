/*
 * arch_init: the order matters only in that the GDT is loaded before the
 * TSS descriptor in it is used (ltr), and the PICs are remapped before
 * anything could enable interrupts.  Interrupts stay off.
 */
#include "arch.h"
#include "x86.h"

void arch_init(void)
{
	gdt_init();
	tss_init();
	idt_init();
	pic_init();
	pit_init();
	fpu_init();
	arch_kmap_init();
}
