/*
 * sysenter and sysexit through the guest's SYSENTER MSRs (msr.c), as QEMU
 * implements them: flat segments at SYSENTER_CS (+8 for SS) and, back in
 * ring 3, SYSENTER_CS+16 / +24 with RPL 3.  CPUID hides SEP (cpuid.c), so
 * a well-behaved guest never uses them; they work anyway.  The CPU reads
 * no descriptor here, but the kernel loads CS and SS from its copies at
 * hc_resume: we publish the guest's entries for those selectors (an OS
 * must keep them flat, as the SDM says).
 */
#include "vcpu_state.h"

uint32_t emu_sysenter(const struct insn_ctx *c, struct gregs *r)
{
	uint16_t cs = (uint16_t)(cpu.sysenter_cs & 0xfffc);
	(void)c;
	if (!cs)
		return GP0;
	if (c->kind == AB_KIND_SYSENTER) {
		seg_flat(SR_CS, cs, 1);
		seg_flat(SR_SS, (uint16_t)(cs + 8), 0);
		publish_sel(cs);
		publish_sel((uint16_t)(cs + 8));
		set_cpl(0);
		r->eflags &= ~(FL_VM | FL_IF | FL_RF);
		R_ESP(r) = cpu.sysenter_esp;
		r->eip = cpu.sysenter_eip;
		return XFER;
	}
	if (cpu.cpl != 0)
		return GP0;
	seg_flat(SR_CS, (uint16_t)((cs + 16) | 3), 1);
	seg_flat(SR_SS, (uint16_t)((cs + 24) | 3), 0);
	publish_sel((uint16_t)(cs + 16));
	publish_sel((uint16_t)(cs + 24));
	set_cpl(3);
	R_ESP(r) = R_ECX(r);
	r->eip = R_EDX(r);
	return XFER;
}
