/*
 * Strings and a printf subset, enough for test output: %s %d %u %x %c %p
 * %%, a width with an optional 0 flag, and the ll modifier for the TSC.
 * No libgcc: 64-bit division is done with divl (div64).
 */
#include "hvu.h"

size_t ustrlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int ustrcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;
	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

/* n / d for a 32-bit d: two divl steps, each with a quotient that fits. */
static uint64_t div64(uint64_t n, uint32_t d, uint32_t *rem)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, qhi = hi / d, r = hi % d, qlo;
	__asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
	*rem = r;
	return (uint64_t)qhi << 32 | qlo;
}

static void put_num(void (*put)(void *, char), void *ctx, uint64_t v, unsigned base, int neg,
		    unsigned width, char pad)
{
	char buf[24];
	unsigned n = 0;
	do {
		uint32_t r;
		v = div64(v, base, &r);
		buf[n++] = "0123456789abcdef"[r];
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (n < width && n < sizeof buf)
		buf[n++] = pad;
	while (n)
		put(ctx, buf[--n]);
}

void uvformat(void (*put)(void *, char), void *ctx, const char *f, va_list ap)
{
	for (; *f; f++) {
		if (*f != '%') {
			put(ctx, *f);
			continue;
		}
		char pad = ' ';
		unsigned width = 0, ll = 0;
		if (*++f == '0')
			pad = '0', f++;
		while (*f >= '0' && *f <= '9')
			width = width * 10 + (unsigned)(*f++ - '0');
		while (*f == 'l')
			ll++, f++;
		uint64_t v;
		switch (*f) {
		case 'd': {
			int64_t s = ll >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(put, ctx, s < 0 ? (uint64_t)-s : (uint64_t)s, 10, s < 0, width, pad);
			break;
		}
		case 'u':
		case 'x':
			v = ll >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			put_num(put, ctx, v, *f == 'u' ? 10 : 16, 0, width, pad);
			break;
		case 'p':
			put(ctx, '0'), put(ctx, 'x');
			put_num(put, ctx, (uint32_t)va_arg(ap, void *), 16, 0, 8, '0');
			break;
		case 'c':
			put(ctx, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			unsigned n = 0;
			for (s = s ? s : "(null)"; *s; s++, n++)
				put(ctx, *s);
			for (; n < width; n++)
				put(ctx, ' ');
			break;
		}
		case '\0':
			return;
		default:
			put(ctx, *f);
		}
	}
}

struct sbuf {
	char *p;
	size_t n, size;
};

static void sput(void *ctx, char c)
{
	struct sbuf *b = ctx;
	if (b->n + 1 < b->size)
		b->p[b->n] = c;
	b->n++;
}

int uvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sbuf b = { buf, 0, size };
	uvformat(sput, &b, fmt, ap);
	if (size)
		buf[b.n < size ? b.n : size - 1] = 0;
	return (int)b.n;
}

int usnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = uvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
