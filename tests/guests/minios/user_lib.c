/*
 * uprintf for the processes: format into a stack buffer, then one write
 * system call, so that a line is never split.  The kernel keeps each
 * process's output apart, so lines never interleave either.
 */
#include <stdarg.h>
#include "user.h"

struct buf {
	char s[120];
	uint32_t n;
};

USER static void put(struct buf *b, char c)
{
	if (b->n < sizeof(b->s))
		b->s[b->n++] = c;
}

USER void uprintf(const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	b.n = 0;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%' || !fmt[1]) {
			put(&b, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == 's') {
			for (const char *s = va_arg(ap, const char *); *s; s++)
				put(&b, *s);
		} else if (*fmt == 'x') {
			uint32_t v = va_arg(ap, uint32_t);
			for (int sh = 28; sh >= 0; sh -= 4)
				put(&b, "0123456789abcdef"[(v >> sh) & 0xF]);
		} else if (*fmt == 'u') {
			uint32_t v = va_arg(ap, uint32_t);
			char d[10];
			int n = 0;
			do {
				d[n++] = (char)('0' + v % 10);
				v /= 10;
			} while (v);
			while (n)
				put(&b, d[--n]);
		} else {
			put(&b, *fmt);
		}
	}
	va_end(ap);
	uwrite(b.s, b.n);
}
