/*
 * The 8259A pair, remapped to vectors 32-47 with every line masked but the
 * timer, and the 8254 PIT's channel 0 as a 100 Hz rate generator: the
 * scheduler's preemption tick.
 */
#include "kernel.h"
#include "x86.h"

#define PIC1 0x20
#define PIC2 0xA0
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ 1193182u
#define HZ 100u

void timer_init(void)
{
	outb(PIC1, 0x11);       /* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2, 0x11);
	outb(PIC1 + 1, 32);     /* ICW2: vector base */
	outb(PIC2 + 1, 40);
	outb(PIC1 + 1, 0x04);   /* ICW3: slave on line 2 */
	outb(PIC2 + 1, 0x02);
	outb(PIC1 + 1, 0x01);   /* ICW4: 8086 mode */
	outb(PIC2 + 1, 0x01);
	outb(PIC1 + 1, 0xFE);   /* OCW1: only IRQ 0 */
	outb(PIC2 + 1, 0xFF);

	uint32_t div = (PIT_HZ + HZ / 2) / HZ;
	outb(PIT_CMD, 0x34);    /* channel 0, lobyte/hibyte, mode 2 */
	outb(PIT_CH0, (uint8_t)div);
	outb(PIT_CH0, (uint8_t)(div >> 8));
}

static int in_service(uint16_t pic, uint8_t bit)
{
	outb(pic, 0x0B);        /* OCW3: read the in-service register */
	return (inb(pic) >> bit) & 1;
}

/* End of interrupt.  IRQ 7 and 15 may be spurious: no EOI for those
 * (but the master's cascade line did see IRQ 15). */
void pic_eoi(uint32_t irq)
{
	if (irq == 7 && !in_service(PIC1, 7))
		return;
	if (irq >= 8 && (irq != 15 || in_service(PIC2, 7)))
		outb(PIC2, 0x20);
	outb(PIC1, 0x20);
}
