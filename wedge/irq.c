/*
 * Virtual interrupts.  The kernel sets bits in vcpu->irq_pending (the
 * timer, devices) and upcalls only when the virtual IF is set and a line
 * in vcpu->irq_unmasked is pending.  The wedge takes the bits atomically
 * into the 8259A model (pic_raise), keeps irq_unmasked equal to what the
 * PIC lets through, and delivers what the PIC acknowledges whenever the
 * guest can take it: at every exit from the wedge with IF set, which
 * covers sti, popf, iret and an EOI that uncovers a lower-priority line.
 * The kernel never upcalls while the wedge runs, so this check is ours.
 *
 * Bit 0 is the guest's timer: each expiry is also the devices' tick
 * (dev_tick), when the UART sends held output and asks the console server
 * for input.  The kernel wakes a halted vCPU for nothing but its timer, so
 * that is the earliest a typed byte could reach a sleeping guest anyway.
 */
#include "vcpu_state.h"

/* Every exit asks the PIC the same two things, and the answers change
 * only with its state (pic_changes): irq_unmasked is current as of
 * pic_changes == irq_unmasked_at, and nothing is deliverable as of
 * irq_quiet_at (irq_idle, vcpu_state.h). */
uint32_t irq_unmasked_at = 0xffffffffu, irq_quiet_at = 0xffffffffu;
#define unmasked_at irq_unmasked_at
#define quiet_at irq_quiet_at

void irq_sync(void)
{
	uint32_t p = 0;
	__asm__ volatile("xchg %0, %1" : "+r"(p), "+m"(vcpu->irq_pending) : : "memory");
	if (p)
		pic_raise(p);
	if (p & 1u)
		dev_tick();      /* may raise IRQ 4: before anyone asks the PIC */
	uint32_t g = pic_changes;
	if (g != unmasked_at) {
		vcpu->irq_unmasked = pic_unmasked();
		unmasked_at = g;
	}
}

int irq_check(struct gregs *r)
{
	irq_sync();
	return irq_deliver(r);
}

int irq_deliver(struct gregs *r)
{
	int n = 0;
	if (!(r->eflags & FL_IF) || pic_changes == quiet_at)
		return 0;
	/* A trap gate leaves IF set: a higher-priority line may nest at once,
	 * as on hardware.  16 lines at most. */
	while ((r->eflags & FL_IF) && n < 16) {
		if (!pic_deliverable()) {
			quiet_at = pic_changes;
			break;
		}
		int v = pic_ack();
		if (v < 0)
			break;
		deliver_irq(r, (unsigned)v);
		/* An IRQ upcall counts the line; any other upcall stays
		 * counted as what trapped. */
		if (cpu.in_upcall && AB_TRAPK_CLASS(exit_kind()) == AB_TRAPK_IRQ)
			set_exit_kind(AB_TRAPK_IRQ | ((unsigned)pic_last_line() & 0xff));
		n++;
	}
	/* irq_unmasked stays as irq_sync left it: acknowledging and
	 * delivering change the PIC's IRR and ISR, never its IMR, the only
	 * state pic_unmasked reads. */
	return n;
}

void irq_halt(struct gregs *r)
{
	/* An idle guest is likely waiting for an answer to what it printed
	 * last (a prompt has no newline): the console has it before we sleep. */
	dev_console_flush();
	while (!irq_check(r))
		hc_halt();   /* wakes on irq_pending & irq_unmasked */
}
