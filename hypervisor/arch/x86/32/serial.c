/*
 * The kernel's debug console: COM1 at 115200 8N1, polled, no interrupts
 * (the console server owns the UART and its IRQ at user level).  Usable
 * before arch_init: the first character sets the UART up.
 */
#include "arch.h"
#include "x86.h"

#define COM1 0x3F8
#define COM2 0x2F8
#define LSR_THRE 0x20

static int ready;
static uint16_t port = COM1;

void arch_debug_use_com2(void)
{
	port = COM2;
	ready = 0;
}

static void serial_init(void)
{
	outb(port + 1, 0x00);   /* IER: no interrupts */
	outb(port + 3, 0x80);   /* LCR: DLAB */
	outb(port + 0, 0x01);   /* divisor 1: 115200 */
	outb(port + 1, 0x00);
	outb(port + 3, 0x03);   /* 8N1 */
	outb(port + 2, 0xC7);   /* FIFO on, cleared */
	outb(port + 4, 0x03);   /* DTR, RTS; OUT2 off: no IRQ */
	ready = 1;
}

static void put(char c)
{
	/* Bounded: a missing UART must not hang a panic. */
	for (unsigned i = 0; i < 100000 && !(inb(port + 5) & LSR_THRE); i++)
		;
	outb(port, (uint8_t)c);
}

void arch_debug_putc(char c)
{
	if (!ready)
		serial_init();
	if (c == '\n')
		put('\r');
	put(c);
}
