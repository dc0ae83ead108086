/*
 * The four functions GCC may emit calls to even in freestanding code
 * (struct copies, zeroing).  Byte loops: speed does not matter here.
 */
#include "guest.h"

/* GCC would turn these very loops into calls to themselves. */
#define NO_LDP __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LDP void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

NO_LDP void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

NO_LDP int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

NO_LDP size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}
