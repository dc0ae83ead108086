/*
 * The kernel's own messages, on the debug console (arch_debug_putc).
 * Formats: %s %c %d %u %x %p %%, with an optional '0' flag and width
 * (%08x, %5u).  No floating point, no 64-bit values (print two %08x).
 */
#ifndef HV_PRINTK_H
#define HV_PRINTK_H

#include <stdarg.h>

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

/* Print "PANIC: <message>" and stop QEMU with exit code 0x7f (status 0xff). */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
