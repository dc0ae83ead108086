/*
 * cpuid (silent: it would run natively, showing the host CPU).  We run it
 * natively and hide what the hypervisor does not virtualize, so the guest
 * sees exactly the CPU model of a bare run (tests/test_guests.py QEMU_CPU
 * = qemu32 without these): no local APIC, SEP, PAE, PGE, PSE, PSE36, MTRR,
 * MCA, MCE, PAT.  The AMD extended leaf mirrors most of those bits.
 */
#include "vcpu_state.h"

#define HIDE_EDX ((1u << 3) | (1u << 6) | (1u << 7) | (1u << 9) | (1u << 11) | (1u << 12) | \
		  (1u << 13) | (1u << 14) | (1u << 16) | (1u << 17))
#define HIDE_ECX (1u << 21)   /* x2APIC */

void emu_cpuid(struct gregs *r)
{
	uint32_t a = R_EAX(r), b, c = R_ECX(r), d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	uint32_t leaf = R_EAX(r);
	if (leaf == 1) {
		d &= ~HIDE_EDX;
		c &= ~HIDE_ECX;
		b &= 0x00ffffffu;     /* no initial APIC id without an APIC */
	} else if (leaf == 0x80000001u) {
		d &= ~HIDE_EDX;
	}
	R_EAX(r) = a;
	R_EBX(r) = b;
	R_ECX(r) = c;
	R_EDX(r) = d;
}
