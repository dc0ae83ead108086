/*
 * The console: COM1, a polled 8250 (no interrupts, no FIFO needed), and
 * the way out through QEMU's isa-debug-exit.  Everything the guest prints
 * comes through kputc, so the output is one ordered stream.
 */
#include "kernel.h"
#include "x86.h"

#define COM1 0x3F8
#define LSR_THRE 0x20           /* transmit holding register empty */

void serial_init(void)
{
	outb(COM1 + 1, 0x00);   /* no interrupts */
	outb(COM1 + 3, 0x80);   /* DLAB: the divisor follows */
	outb(COM1 + 0, 0x01);   /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);   /* 8N1 */
	outb(COM1 + 4, 0x03);   /* DTR, RTS */
}

void kputc(char c)
{
	/* Bounded: a UART that never drains must not hang the guest. */
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & LSR_THRE); i++)
		;
	outb(COM1, (uint8_t)c);
}

void kwrite(const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		kputc(s[i]);
}

void kputs(const char *s)
{
	while (*s)
		kputc(*s++);
}

/* Always 8 digits, so that a line's length never depends on a value. */
void kputhex(uint32_t v)
{
	for (int sh = 28; sh >= 0; sh -= 4)
		kputc("0123456789abcdef"[(v >> sh) & 0xF]);
}

void kputdec(uint32_t v)
{
	char buf[10];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		kputc(buf[--n]);
}

/* isa-debug-exit at 0xf4: QEMU exits with status (code << 1) | 1. */
void qemu_exit(uint32_t code)
{
	outl(0xF4, code);
	halt_forever();         /* no such device: stop here */
}

void panic(const char *msg, uint32_t v)
{
	kputs("minios: panic: ");
	kputs(msg);
	kputs(" 0x");
	kputhex(v);
	kputs("\nTest result: FAILURE\n");
	qemu_exit(1);
}
