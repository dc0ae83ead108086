/*
 * Diagnostics.  COM1 carries exactly the guest's serial output (the test
 * compares it byte for byte with a bare run), so nothing of ours may go
 * there, and the kernel has no debug-print hypercall (docs/wedge.md,
 * "Requests").  Until it has one, messages go to wedge_log, a ring in our
 * .bss: wedge_log_pos counts every byte ever written, so the text ends at
 * wedge_log[wedge_log_pos % sizeof wedge_log].  Read it with a debugger
 * (QEMU's gdbstub, symbols from wedge.elf).  What a failure means for the
 * guest (#UD, hc_shutdown(0x7D), 0x7E) does not depend on it.
 */
#include "vcpu_state.h"

char wedge_log[4096];
uint32_t wedge_log_pos;

void dbg_puts(const char *s)
{
	while (*s)
		wedge_log[wedge_log_pos++ % sizeof wedge_log] = *s++;
}

void dbg_hex(const char *what, uint32_t v)
{
	char b[12] = " 00000000\n";
	for (int i = 0; i < 8; i++)
		b[1 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xf];
	dbg_puts(what);
	dbg_puts(b);
}

uint32_t unsupported(const char *what, uint32_t eip)
{
	dbg_puts("wedge: not emulated: ");
	dbg_puts(what);
	dbg_hex(", guest eip", eip);
	return UD;
}

void wedge_panic(const char *what, uint32_t v)
{
	dbg_puts("wedge: fatal: ");
	dbg_puts(what);
	dbg_hex("", v);
	dev_console_flush();     /* what the guest wrote before, on COM1 */
	hc_shutdown(0x7D);
}
