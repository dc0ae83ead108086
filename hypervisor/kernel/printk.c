/*
 * kprintf: just enough of printf for boot messages and panics.  Unbuffered,
 * straight to the polled UART, so a message is out even if the next
 * instruction kills the machine.
 */
#include <stdint.h>
#include "arch.h"
#include "printk.h"

static void puts_padded(const char *s, unsigned width, char pad)
{
	unsigned len = 0;
	while (s[len])
		len++;
	for (; width > len; width--)
		arch_debug_putc(pad);
	while (*s)
		arch_debug_putc(*s++);
}

/* 32-bit division only: libgcc's 64-bit helpers are not linked. */
static void put_number(uint32_t v, unsigned base, int negative, unsigned width, char pad)
{
	char buf[12];
	int i = sizeof(buf) - 1;
	buf[i] = '\0';
	do {
		buf[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative) {
		if (pad == '0' && width > 0) {   /* the sign goes before zero padding */
			arch_debug_putc('-');
			width--;
		} else {
			buf[--i] = '-';
		}
	}
	puts_padded(&buf[i], width, pad);
}

void kvprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			arch_debug_putc(*fmt);
			continue;
		}
		char pad = ' ';
		unsigned width = 0;
		if (*++fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			puts_padded(s ? s : "(null)", width, ' ');
			break;
		}
		case 'c':
			arch_debug_putc((char)va_arg(ap, int));
			break;
		case 'd': {
			int d = va_arg(ap, int);
			put_number(d < 0 ? 0u - (uint32_t)d : (uint32_t)d, 10, d < 0, width, pad);
			break;
		}
		case 'u':
			put_number(va_arg(ap, unsigned), 10, 0, width, pad);
			break;
		case 'x':
			put_number(va_arg(ap, unsigned), 16, 0, width, pad);
			break;
		case 'p':
			arch_debug_putc('0');
			arch_debug_putc('x');
			put_number((uint32_t)(uintptr_t)va_arg(ap, void *), 16, 0, 8, '0');
			break;
		case '%':
			arch_debug_putc('%');
			break;
		case '\0':
			return;
		default:        /* unknown: show it rather than guess */
			arch_debug_putc('%');
			arch_debug_putc(*fmt);
		}
	}
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;
	kprintf("PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	arch_shutdown(0x7f);
}
