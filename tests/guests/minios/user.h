/*
 * The processes' side: system call wrappers and uprintf.  Every function a
 * process runs must be in .user_text (USER), which afterburn-as never
 * annotates: it runs at the guest's ring 3 and must behave as ring 3 does.
 * Processes have no writable static data: only heap and stack, which are
 * theirs alone (minios.ld rejects .data and .bss in user objects).
 */
#ifndef MINIOS_USER_H
#define MINIOS_USER_H

#include <stdint.h>
#include "syscall.h"

#define USER __attribute__((section(".user_text")))
#define USER_INLINE static inline __attribute__((always_inline, section(".user_text")))

USER_INLINE int32_t usys(uint32_t n, uint32_t a, uint32_t b)
{
	int32_t r;
	__asm__ volatile("int $0x80" : "=a"(r) : "0"(n), "b"(a), "c"(b) : "memory");
	return r;
}

USER_INLINE int32_t uwrite(const char *buf, uint32_t n) { return usys(SYS_write, (uint32_t)buf, n); }
USER_INLINE uint32_t ugetpid(void) { return (uint32_t)usys(SYS_getpid, 0, 0); }
USER_INLINE void uyield(void) { usys(SYS_yield, 0, 0); }
USER_INLINE void *usbrk(int32_t incr) { return (void *)usys(SYS_sbrk, (uint32_t)incr, 0); }

USER_INLINE __attribute__((noreturn)) void uexit(uint32_t status)
{
	usys(SYS_exit, status, 0);
	__builtin_unreachable();
}

/* %s, %u, %x (8 digits), %%; one write per call. */
void uprintf(const char *fmt, ...);

#endif
