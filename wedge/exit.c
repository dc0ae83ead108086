/*
 * Leaving the wedge.  Before the guest runs again, whatever the PIC can
 * deliver is delivered (unless sti's shadow holds it).  Then:
 *   - from a site, staying in the guest kernel: the fast path.  We write a
 *     10-word frame (pushal image, hardware eflags, eip) just below the
 *     guest's new esp and site_common pops it: no hypercall.  That memory
 *     is below the guest's stack pointer, free by the i386 ABI.
 *   - otherwise (an upcall, a return to ring 3, a frame we cannot write):
 *     vcpu->regs and hc_resume(); the kernel picks the view from vcpu->cpl.
 */
#include "vcpu_state.h"

static void before_exit(struct gregs *r)
{
	if (!cpu.hold_irq)
		irq_check(r);
	else
		irq_sync();
	cpu.hold_irq = 0;
	eflags_set_virt(r->eflags);
}

static __attribute__((noreturn)) void resume_now(struct gregs *r)
{
	volatile struct ab_vcpu_regs *v = &vcpu->regs;
	v->edi = R_EDI(r);
	v->esi = R_ESI(r);
	v->ebp = R_EBP(r);
	v->esp = R_ESP(r);
	v->ebx = R_EBX(r);
	v->edx = R_EDX(r);
	v->ecx = R_ECX(r);
	v->eax = R_EAX(r);
	v->eip = r->eip;
	v->eflags = eflags_hw(r->eflags);
	vcpu->cpl = cpu.cpl;
	vcpu->exit_kind = cpu.exit_kind;
	vcpu->fixup_eip = 0;
	hc_resume();
}

void exit_resume(struct gregs *r)
{
	before_exit(r);
	resume_now(r);
}

uint32_t exit_site(struct gregs *r)
{
	before_exit(r);   /* may deliver an interrupt: cpl can change */
	if (cpu.cpl == 0) {
		uint32_t f[10];
		for (unsigned i = 0; i < 8; i++)
			f[i] = r->gpr[i];
		f[8] = eflags_hw(r->eflags);
		f[9] = r->eip;
		uint32_t sp = R_ESP(r) - sizeof f;
		if (!gm_write(sp, f, sizeof f))
			return sp;
	}
	/* The site path has no hardware data selectors of its own: the
	 * guest's are the hypervisor's flat user ones. */
	vcpu->regs.ds = vcpu->regs.es = vcpu->regs.fs = vcpu->regs.gs = HW_UDATA;
	resume_now(r);
}
