/*
 * The 8259A pair and the 8254 timer.  The PICs are remapped to vectors
 * 0x20..0x2f (the BIOS's 0x08..0x0f would collide with exceptions) and
 * every line starts masked: a test unmasks what it uses.  EOI is sent by
 * trap_dispatch after an IRQ handler, so handlers need not.
 */
#include "guest.h"

#define PIC1 0x20
#define PIC2 0xa0
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ 1193182u

volatile uint32_t pit_ticks;

void pic_init(void)
{
	outb(PIC1, 0x11);               /* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2, 0x11);
	outb(PIC1 + 1, VEC_IRQ0);       /* ICW2: vector base */
	outb(PIC2 + 1, VEC_IRQ0 + 8);
	outb(PIC1 + 1, 0x04);           /* ICW3: slave on IRQ2 */
	outb(PIC2 + 1, 0x02);
	outb(PIC1 + 1, 0x01);           /* ICW4: 8086 mode, normal EOI */
	outb(PIC2 + 1, 0x01);
	outb(PIC1 + 1, 0xfb);           /* all masked but the cascade */
	outb(PIC2 + 1, 0xff);
}

void pic_mask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1 + 1 : PIC2 + 1;
	outb(port, inb(port) | (uint8_t)(1u << (irq & 7)));
}

void pic_unmask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1 + 1 : PIC2 + 1;
	outb(port, inb(port) & (uint8_t)~(1u << (irq & 7)));
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2, 0x20);
	outb(PIC1, 0x20);
}

/* OCW3 selects which register the next read of the command port gives. */
uint8_t pic_irr(void)
{
	outb(PIC1, 0x0a);
	return inb(PIC1);
}

uint8_t pic_isr(void)
{
	outb(PIC1, 0x0b);
	return inb(PIC1);
}

static void pit_irq(struct frame *f)
{
	(void)f;
	pit_ticks++;
}

void pit_start(void)
{
	pit_ticks = 0;
	idt_set_handler(VEC_IRQ0, pit_irq);
	pic_unmask(0);
}

void pit_periodic(uint32_t hz)
{
	uint32_t div = PIT_HZ / hz;
	outb(PIT_CMD, 0x34);            /* channel 0, lobyte/hibyte, mode 2 */
	outb(PIT_CH0, (uint8_t)div);
	outb(PIT_CH0, (uint8_t)(div >> 8));
}

/* Mode 0: OUT rises once at terminal count, which is one IRQ0 edge. */
void pit_oneshot(uint16_t count)
{
	outb(PIT_CMD, 0x30);            /* channel 0, lobyte/hibyte, mode 0 */
	outb(PIT_CH0, (uint8_t)count);
	outb(PIT_CH0, (uint8_t)(count >> 8));
}
