/*
 * The wedge's calls into the hypervisor (docs/abi/vcpu.md): hypercalls and
 * the ordinary system calls it needs (IPC to the console server).  All are
 * int $0x30 from the wedge's own code range, which is what makes the kernel
 * treat them as calls and not as the guest's interrupt 0x30.
 */
#ifndef WEDGE_HYPERCALL_H
#define WEDGE_HYPERCALL_H

#include <stdint.h>

#include "vcpu.h"      /* abi/ */
#include "syscall.h"   /* hypervisor/abi/ */

/* The vCPU page the kernel shares with us. */
#define vcpu ((volatile struct ab_vcpu *)AB_VCPU_PAGE)

static inline uint32_t hc0(uint32_t nr, uint32_t b, uint32_t c)
{
	uint32_t a = nr;
	__asm__ volatile("int $0x30" : "+a"(a), "+b"(b), "+c"(c) : : "edx", "esi", "edi", "memory");
	return a;
}

/* Load vcpu->regs and run the guest; never returns. */
static inline __attribute__((noreturn)) void hc_resume(void)
{
	__asm__ volatile("int $0x30" : : "a"(AB_HC_RESUME) : "memory");
	__builtin_unreachable();
}

/* Drop both shadows (va 0: a reload of the same CR3, CR0 or CR4 changed)
 * or one page (invlpg). */
static inline void hc_flush(uint32_t va) { hc0(AB_HC_FLUSH, va, 0); }

/* The guest loaded CR3 with another page directory: drop the shadows but
 * what the old and new directories share (AB_FLUSH_SWITCH). */
static inline void hc_flush_switch(void) { hc0(AB_HC_FLUSH, 0, AB_FLUSH_SWITCH); }

/* Raise IRQ 0 every period_us (periodic) or once after it; 0 stops. */
static inline void hc_timer(uint32_t period_us, int periodic) { hc0(AB_HC_TIMER, period_us, periodic ? 1 : 0); }

/* The guest's own page-table walk for an access at la (flags AB_WALK_*),
 * by the kernel: 0 and *out the guest-physical address, or nonzero and
 * *out the guest's #PF error code. */
static inline uint32_t hc_walk(uint32_t la, uint32_t flags, uint32_t *out)
{
	uint32_t a = AB_HC_WALK, b = la, c = flags;
	__asm__ volatile("int $0x30" : "+a"(a), "+b"(b), "+c"(c) : : "edx", "esi", "edi", "memory");
	*out = a ? c : b;
	return a;
}

/* Sleep until a line in vcpu->irq_unmasked is pending. */
static inline void hc_halt(void) { hc0(AB_HC_HALT, 0, 0); }

/* End the guest: the kernel dumps its trap counts and QEMU exits with
 * status (code << 1) | 1, as isa-debug-exit would give. */
static inline __attribute__((noreturn)) void hc_shutdown(uint32_t code)
{
	__asm__ volatile("int $0x30" : : "a"(AB_HC_SHUTDOWN), "b"(code) : "memory");
	__builtin_unreachable();
}

/* The guest reset the machine: the kernel dumps its trap counts and resets
 * the real one (QEMU -no-reboot: status 0, as bare). */
static inline __attribute__((noreturn)) void hc_reset(void)
{
	__asm__ volatile("int $0x30" : : "a"(AB_HC_RESET) : "memory");
	__builtin_unreachable();
}

/* HV_SYS_MYSELF: our UTCB's address (message registers MR0..MR15). */
static inline uint32_t *hv_utcb(void)
{
	uint32_t a = HV_SYS_MYSELF, b, c, d, s;
	__asm__ volatile("int $0x30" : "+a"(a), "=b"(b), "=c"(c), "=d"(d), "=S"(s) : : "edi", "memory");
	return (uint32_t *)c;
}

/* HV_SYS_IPC call to `to` with the message already in the UTCB's MRs. */
static inline uint32_t hv_call(uint32_t to)
{
	uint32_t a = HV_SYS_IPC, b = to, c = to, d = 0;
	__asm__ volatile("int $0x30" : "+a"(a), "+b"(b), "+c"(c), "+d"(d) : : "esi", "edi", "memory");
	return a;
}

#endif
