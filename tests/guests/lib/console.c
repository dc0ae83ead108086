/*
 * COM1 (an 8250/16550 at 0x3f8), polled, and a small printf: %s %d %u %x
 * %X %c %%, with an optional '0' flag and width (%08x).  No floating
 * point, no 64-bit division (there is no libgcc), no %p: output must be
 * the same on every platform, and addresses are not.  '\n' is sent as is.
 */
#include "guest.h"

#define COM1 0x3f8

void serial_init(void)
{
	outb(COM1 + 1, 0x00);   /* no UART interrupts: we poll */
	outb(COM1 + 3, 0x80);   /* DLAB on: the divisor */
	outb(COM1 + 0, 0x01);   /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);   /* 8N1, DLAB off */
	outb(COM1 + 2, 0x07);   /* FIFOs on and cleared */
}

void cons_putc(char c)
{
	/* Wait for THR empty (LSR bit 5), but not forever: a missing UART
	 * must not keep the guest from reaching isa-debug-exit. */
	for (int i = 0; i < 1000000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (uint8_t)c);
}

static int put_num(uint32_t v, unsigned base, int width, char pad, int neg, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[12];
	int n = 0, out = 0;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	for (; width > n; width--, out++)
		cons_putc(pad);
	while (n)
		cons_putc(buf[--n]), out++;
	return out;
}

int vprintf(const char *fmt, va_list ap)
{
	int out = 0;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			cons_putc(*fmt), out++;
			continue;
		}
		char pad = ' ';
		int width = 0;
		if (*++fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		switch (*fmt) {
		case 'd': {
			int v = va_arg(ap, int);
			out += put_num(v < 0 ? 0u - (uint32_t)v : (uint32_t)v, 10, width, pad, v < 0, 0);
			break;
		}
		case 'u':
			out += put_num(va_arg(ap, uint32_t), 10, width, pad, 0, 0);
			break;
		case 'x':
		case 'X':
			out += put_num(va_arg(ap, uint32_t), 16, width, pad, 0, *fmt == 'X');
			break;
		case 'c':
			cons_putc((char)va_arg(ap, int)), out++;
			break;
		case 's':
			for (const char *s = va_arg(ap, const char *); *s; s++)
				cons_putc(*s), out++;
			break;
		case '%':
			cons_putc('%'), out++;
			break;
		default:        /* unknown: print it, so the mistake shows */
			cons_putc('%'), out++;
			if (!*fmt)
				return out;
			cons_putc(*fmt), out++;
		}
	}
	return out;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
