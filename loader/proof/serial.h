/* COM1 output for the loader proof image (polled, no interrupts). */
#ifndef AB_PROOF_SERIAL_H
#define AB_PROOF_SERIAL_H

#include <stdint.h>

void ser_init(void);
void ser_puts(const char *s);
void ser_putu(uint32_t v);              /* decimal */
void ser_puthex(uint32_t v, int digits); /* at least `digits` digits, no 0x */

/* start.S: exit QEMU through isa-debug-exit with status (v << 1) | 1. */
void proof_exit(uint32_t v) __attribute__((noreturn));

#endif
