/*
 * irq_pending: an interrupt that becomes pending while IF=0 waits, and is
 * delivered as soon as IF is set again: by sti, by popf, and by an iret
 * whose frame has IF=1.  The PIT in one-shot mode (mode 0) raises exactly
 * one IRQ0 per arming, and we watch it arrive in the PIC's IRR with IF=0,
 * so the counts are exact.  The handler sees its own bit in the ISR.
 * A masked line (IMR) stays undelivered even with IF=1.
 */
#include "guest.h"

static volatile uint32_t isr_seen;

static void irq0(struct frame *f)
{
	(void)f;
	pit_ticks++;
	isr_seen = pic_isr();
}

/* Arm the one-shot and wait, with IF=0, until IRQ0 is pending. */
static int arm_and_wait(void)
{
	pit_oneshot(1000);
	for (uint32_t i = 0; i < 50000000; i++)
		if (pic_irr() & 1)
			return 1;
	return 0;
}

static void iret_with_if(void)
{
	__asm__ volatile("pushl $0x202\n\t"
			 "pushl %%cs\n\t"
			 "pushl $1f\n\t"
			 "iret\n"
			 "1:" : : : "memory");
}

void test_main(void)
{
	cli();
	idt_set_handler(VEC_IRQ0, irq0);
	pic_unmask(0);

	report(arm_and_wait(), "IRQ0 pending in IRR with IF=0 (sti)");
	report(pit_ticks == 0, "not delivered while IF=0");
	__asm__ volatile("sti; nop; nop; cli" : : : "memory");
	report(pit_ticks == 1, "delivered once after sti");
	report(isr_seen & 1, "handler saw IRQ0 in service (ISR bit 0)");
	report(!(pic_isr() & 1), "EOI cleared the ISR bit");

	report(arm_and_wait(), "IRQ0 pending in IRR with IF=0 (popf)");
	write_eflags(0x202);
	__asm__ volatile("nop; nop");
	cli();
	report(pit_ticks == 2, "delivered once after popf sets IF");

	report(arm_and_wait(), "IRQ0 pending in IRR with IF=0 (iret)");
	iret_with_if();
	__asm__ volatile("nop; nop");
	cli();
	report(pit_ticks == 3, "delivered once after iret sets IF");

	pic_mask(0);
	report(arm_and_wait(), "IRQ0 raised while masked in IMR");
	__asm__ volatile("sti; nop; nop; cli" : : : "memory");
	report(pit_ticks == 3, "a masked IRQ is not delivered with IF=1");
	pic_unmask(0);
	__asm__ volatile("sti; nop; nop; cli" : : : "memory");
	report(pit_ticks == 4, "delivered once unmasked");
}
