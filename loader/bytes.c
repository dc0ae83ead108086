/*
 * Byte copies for a library without libc.  The volatile pointer keeps GCC
 * and clang from recognising the loops and calling memcpy/memset, which a
 * freestanding link does not have (the ctest loader_freestanding_nm checks).
 */
#include "loader_impl.h"

void ab_bytes_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	volatile uint8_t *d = dst;
	for (size_t i = 0; i < n; i++)
		d[i] = src[i];
}

void ab_bytes_zero(uint8_t *dst, size_t n)
{
	volatile uint8_t *d = dst;
	for (size_t i = 0; i < n; i++)
		d[i] = 0;
}
