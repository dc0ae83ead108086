/*
 * The two 8259A PICs, remapped to vectors 0x20-0x2F (away from the CPU's
 * exceptions), edge triggered as on every PC.
 *
 * Who does what: the entry path acknowledges (EOI) every IRQ before it
 * calls kernel_trap (arch_trap, idt.c), so a PIC is never left waiting on
 * the generic kernel.  The generic kernel masks a device's IRQ while that
 * IRQ's IPC is outstanding and unmasks it when the driver is ready again:
 * an edge that comes while masked stays latched in the IRR and is delivered
 * at the unmask.  The PIT (IRQ0) stays unmasked.  IRQ2 is the cascade: it
 * is always open on the master, whatever arch_irq_mask(2) is told.
 */
#include "arch.h"
#include "x86.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI   0x20
#define PIC_READ_ISR 0x0B
#define IRQ_CASCADE 2

static uint16_t mask = 0xFFFFu;   /* bit n set: IRQ n masked */

static void write_mask(void)
{
	outb(PIC1_DATA, (uint8_t)(mask & ~(1u << IRQ_CASCADE)));
	outb(PIC2_DATA, (uint8_t)(mask >> 8));
}

void pic_init(void)
{
	outb(PIC1_DATA, 0xFF);        /* quiet while we program them */
	outb(PIC2_DATA, 0xFF);
	outb(PIC1_CMD, 0x11);         /* ICW1: init, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, VEC_IRQ0);    /* ICW2: vector base */
	outb(PIC2_DATA, VEC_IRQ0 + 8);
	outb(PIC1_DATA, 1u << IRQ_CASCADE);  /* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, IRQ_CASCADE);        /*       slave id 2 */
	outb(PIC1_DATA, 0x01);        /* ICW4: 8086 mode, normal EOI */
	outb(PIC2_DATA, 0x01);
	mask = 0xFFFFu & ~1u;         /* only the PIT */
	write_mask();
}

void arch_irq_mask(unsigned irq)
{
	if (irq < NUM_IRQS) {
		mask |= (uint16_t)(1u << irq);
		write_mask();
	}
}

void arch_irq_unmask(unsigned irq)
{
	if (irq < NUM_IRQS) {
		mask &= (uint16_t)~(1u << irq);
		write_mask();
	}
}

static uint8_t isr(uint16_t cmd)
{
	outb(cmd, PIC_READ_ISR);
	return inb(cmd);
}

/* Acknowledge an IRQ.  IRQ7 and IRQ15 may be spurious (the line dropped
 * before the CPU took it): then the PIC's in-service bit is clear and the
 * PIC that raised it must get no EOI; a spurious IRQ15 still owes one to
 * the master for the cascade.  Returns 0 for a spurious IRQ. */
int pic_ack(unsigned irq)
{
	if (irq == 7 && !(isr(PIC1_CMD) & 0x80))
		return 0;
	if (irq == 15 && !(isr(PIC2_CMD) & 0x80)) {
		outb(PIC1_CMD, PIC_EOI);
		return 0;
	}
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
	return 1;
}
