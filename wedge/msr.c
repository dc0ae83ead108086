/*
 * rdmsr and wrmsr (CPL 0 only), and rdpmc.  The MSRs a guest of our CPU
 * model uses read back what it wrote: the SYSENTER trio (QEMU keeps them
 * whether or not CPUID shows SEP), MISC_ENABLE, PAT; the microcode
 * revision (0x8B) reads QEMU's constant.  Everything else
 * behaves as QEMU TCG does for an MSR it does not know: reads 0, writes
 * are dropped, no #GP.  IA32_TSC (0x10) reads 0 as under QEMU 7.2 TCG.
 * rdpmc: QEMU TCG has no counters: #GP(0) at CPL>0 without CR4.PCE, else #UD.
 */
#include "vcpu_state.h"

#define MSR_TSC          0x010u
#define MSR_APIC_BASE    0x01bu
#define MSR_UCODE_REV    0x08bu   /* IA32_BIOS_SIGN_ID: reads QEMU's ucode_rev */
#define MSR_SYSENTER_CS  0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_MISC_ENABLE  0x1a0u
#define MSR_PAT          0x277u

uint32_t emu_msr(const struct insn_ctx *c, struct gregs *r)
{
	uint32_t m = R_ECX(r), lo = R_EAX(r), hi = R_EDX(r);

	if (c->kind == AB_KIND_RDPMC)
		return (cpu.cpl && !(cpu.cr4 & CR4_PCE)) ? GP0 : UD;
	if (cpu.cpl)
		return GP0;
	if (c->kind == AB_KIND_RDMSR) {
		lo = hi = 0;
		switch (m) {
		case MSR_SYSENTER_CS: lo = cpu.sysenter_cs; break;
		case MSR_SYSENTER_ESP: lo = cpu.sysenter_esp; break;
		case MSR_SYSENTER_EIP: lo = cpu.sysenter_eip; break;
		case MSR_MISC_ENABLE: lo = cpu.misc_enable; break;
		case MSR_PAT: lo = cpu.pat_lo; hi = cpu.pat_hi; break;
		/* QEMU 7.2 for an Intel model: ucode_rev 0x100000000, writes
		 * ignored; Linux shows it as "microcode : 0x1" in /proc/cpuinfo. */
		case MSR_UCODE_REV: hi = 1; break;
		default: break;   /* TSC, APIC base (no APIC), unknown: 0 */
		}
		R_EAX(r) = lo;
		R_EDX(r) = hi;
		return 0;
	}
	switch (m) {
	case MSR_SYSENTER_CS: cpu.sysenter_cs = lo & 0xffff; break;
	case MSR_SYSENTER_ESP: cpu.sysenter_esp = lo; break;
	case MSR_SYSENTER_EIP: cpu.sysenter_eip = lo; break;
	case MSR_MISC_ENABLE: cpu.misc_enable = lo; break;
	case MSR_PAT: cpu.pat_lo = lo; cpu.pat_hi = hi; break;
	default: break;
	}
	return 0;
}
