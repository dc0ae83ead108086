/*
 * System-call wrappers, one per call of docs/abi/syscalls.md: `int $0x30`
 * with the number in %eax, arguments in %ebx %ecx %edx %esi %edi, the
 * status back in %eax.  Inline, so a benchmark measures the kernel and not
 * the library.
 */
#ifndef HVU_SYS_H
#define HVU_SYS_H

#include <stdint.h>

#include "syscall.h"

/* The general form: number and five arguments in, status out, and ebx..esi
 * back through r[0..3] when r is not NULL. */
static inline uint32_t hv_sys(uint32_t n, uint32_t b, uint32_t c, uint32_t d, uint32_t si,
			      uint32_t di, uint32_t *r)
{
	__asm__ volatile("int $0x30" : "+a"(n), "+b"(b), "+c"(c), "+d"(d), "+S"(si), "+D"(di)
			 : : "memory", "cc");
	if (r) {
		r[0] = b;
		r[1] = c;
		r[2] = d;
		r[3] = si;
	}
	return n;
}

static inline uint32_t hv_ipc(uint32_t to, uint32_t from, uint32_t flags, uint32_t *sender)
{
	uint32_t a = HV_SYS_IPC;
	__asm__ volatile("int $0x30" : "+a"(a), "+b"(to), "+c"(from), "+d"(flags) : : "memory", "cc");
	if (sender)
		*sender = to;
	return a;
}

static inline uint32_t hv_unmap(uint32_t fpage, uint32_t flags)
{
	return hv_sys(HV_SYS_UNMAP, fpage, flags, 0, 0, 0, 0);
}

static inline uint32_t hv_thread_create(uint32_t space, uint32_t pager, uint32_t handler,
					unsigned prio, uint32_t *tid)
{
	uint32_t r[4];
	uint32_t st = hv_sys(HV_SYS_THREAD_CREATE, space, pager, handler, prio, 0, r);
	if (tid)
		*tid = st == HV_OK ? r[0] : 0;
	return st;
}

static inline uint32_t hv_thread_start(uint32_t tid, uint32_t eip, uint32_t esp)
{
	return hv_sys(HV_SYS_THREAD_START, tid, eip, esp, 0, 0, 0);
}

static inline uint32_t hv_thread_kill(uint32_t tid)
{
	return hv_sys(HV_SYS_THREAD_KILL, tid, 0, 0, 0, 0, 0);
}

static inline uint32_t hv_yield(void)
{
	return hv_sys(HV_SYS_YIELD, 0, 0, 0, 0, 0, 0);
}

static inline uint32_t hv_irq_attach(unsigned irq, uint32_t tid)
{
	return hv_sys(HV_SYS_IRQ_ATTACH, irq, tid, 0, 0, 0, 0);
}

/* r: tid, UTCB address, space id, priority. */
static inline uint32_t hv_myself(uint32_t r[4])
{
	return hv_sys(HV_SYS_MYSELF, 0, 0, 0, 0, 0, r);
}

static inline uint32_t hv_kdebug(char c)
{
	return hv_sys(HV_SYS_KDEBUG, (uint8_t)c, 0, 0, 0, 0, 0);
}

static inline uint32_t hv_set_priority(uint32_t tid, unsigned prio)
{
	return hv_sys(HV_SYS_SET_PRIORITY, tid, prio, 0, 0, 0, 0);
}

static inline uint32_t hv_shutdown(uint32_t code)
{
	return hv_sys(HV_SYS_SHUTDOWN, code, 0, 0, 0, 0, 0);
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

#endif
