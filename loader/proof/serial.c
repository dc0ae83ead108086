/*
 * A polled 8250 writer on COM1 (0x3f8): enough for QEMU's -serial stdio.
 * Newlines become CR LF so the output reads well on a terminal too.
 */
#include "serial.h"

#define COM1 0x3f8

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void ser_init(void)
{
	outb(COM1 + 1, 0x00);   /* no interrupts */
	outb(COM1 + 3, 0x80);   /* DLAB on: set the divisor */
	outb(COM1 + 0, 0x01);   /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);   /* 8N1, DLAB off */
	outb(COM1 + 2, 0x07);   /* FIFOs on and cleared */
}

static void ser_putc(char c)
{
	/* Wait for the transmit holding register, but not forever: a
	 * missing UART must not hang the proof before it can exit. */
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (uint8_t)c);
}

void ser_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			ser_putc('\r');
		ser_putc(*s);
	}
}

void ser_putu(uint32_t v)
{
	char buf[11];
	int i = sizeof buf - 1;
	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	ser_puts(buf + i);
}

void ser_puthex(uint32_t v, int digits)
{
	char buf[11];
	int i = sizeof buf - 1;
	buf[i] = 0;
	do {
		buf[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
		digits--;
	} while (v || digits > 0);
	ser_puts(buf + i);
}
