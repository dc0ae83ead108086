/*
 * Loud failures.  The wedge has no console of its own: its messages go to
 * the console server by IPC (CONS_WRITE of hypervisor/user/lib/proto.h), after whatever the guest's UART still holds, so they show
 * up on COM1 where the guest's output is compared and cannot be missed.
 */
#include "vcpu_state.h"
#include "proto.h"   /* hypervisor/user/lib: CONS_WRITE, CONS_MAX */

static void send(const char *s, unsigned n)
{
	uint32_t *u = hv_utcb();
	u[0] = HV_TAG(CONS_WRITE, 1 + (n + 3) / 4, 0);
	u[1] = n;
	char *t = (char *)&u[2];
	for (unsigned i = 0; i < n; i++)
		t[i] = s[i];
	hv_call(wedge_boot.console_tid);
}

void dbg_puts(const char *s)
{
	unsigned n = 0;
	if (!wedge_boot.console_tid)
		return;
	dev_console_flush();
	while (s[n]) {
		unsigned k = 0;
		while (s[n + k] && k < CONS_MAX)
			k++;
		send(s + n, k);
		n += k;
	}
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
	hc_shutdown(0x7D);
}
