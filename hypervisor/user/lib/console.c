/*
 * The console client: text goes to the console server in messages of at
 * most CONS_MAX bytes, cut at each newline, so a line shorter than that is
 * never split and lines of different tasks never mix inside one.  Each
 * write is a call: when it returns, the bytes are on the UART.  Printing
 * overwrites the message registers.
 */
#include "hvu.h"

int hvu_use_kdebug;   /* root: the kernel's debug console instead */

struct line {
	char buf[CONS_MAX];
	unsigned n;
};

static void flush(struct line *l)
{
	if (!l->n)
		return;
	if (hvu_use_kdebug || !hvu_args.console) {
		for (unsigned i = 0; i < l->n; i++)
			hv_kdebug(l->buf[i]);
	} else {
		uint32_t *u = hv_utcb();
		u[0] = HV_TAG(CONS_WRITE, 1 + (l->n + 3) / 4, 0);
		u[1] = l->n;
		memcpy(&u[2], l->buf, l->n);
		ipc_call(hvu_args.console);
	}
	l->n = 0;
}

static void put(void *ctx, char c)
{
	struct line *l = ctx;
	l->buf[l->n++] = c;
	if (c == '\n' || l->n == CONS_MAX)
		flush(l);
}

void cputs(const char *s)
{
	struct line l = { .n = 0 };
	while (*s)
		put(&l, *s++);
	flush(&l);
}

void uprintf(const char *fmt, ...)
{
	struct line l = { .n = 0 };
	va_list ap;
	va_start(ap, fmt);
	uvformat(put, &l, fmt, ap);
	va_end(ap);
	flush(&l);
}
