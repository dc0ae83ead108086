/*
 * Leaving the wedge.  Before the guest runs again, whatever the PIC can
 * deliver is delivered (unless sti's shadow holds it).  Then:
 *   - from a site, staying in the guest kernel: the fast path.  We write a
 *     10-word frame (pushal image, hardware eflags, eip) just below the
 *     guest's new esp and site_common pops it: no hypercall.  That memory
 *     is below the guest's stack pointer, free by the i386 ABI.  A data
 *     segment register the step loaded, site_common loads itself: the
 *     kernel's tables already hold its descriptor, unless we published
 *     since the last hc_resume.
 *   - from an upcall, staying in the guest kernel: much the same, the
 *     frame popped by entry.S's native_resume (resume_without_kernel).
 *   - otherwise (a return to ring 3, a new CS or SS from a site, new
 *     published descriptors, a selector the kernel's tables cannot hold, a
 *     frame we cannot write): vcpu->regs and hc_resume(); the kernel picks
 *     the view from vcpu->cpl, takes the descriptors if desc_gen moved and
 *     loads all six selectors (docs/abi/vcpu.md, "Segments").
 */
#include "vcpu_state.h"

/* sti's shadow (flags.c): after sti, hold what is pending when the next
 * instruction, at r->eip, is hlt or sysexit.  Asked only when something
 * is deliverable: looking costs reads of guest memory, and with nothing
 * to deliver the answer changes nothing. */
static int sti_holds(struct gregs *r)
{
	if (!cpu.hold_irq || !(r->eflags & FL_IF) || !pic_deliverable())
		return 0;
	int k = kind_at(r->eip);
	return k == AB_KIND_HLT || k == AB_KIND_SYSEXIT;
}

static void before_exit(struct gregs *r)
{
	if (!irq_idle(r)) {
		irq_sync();
		if (!sti_holds(r))
			irq_deliver(r);
	}
	cpu.hold_irq = 0;
	eflags_set_virt(r->eflags);
}

static __attribute__((noreturn)) void resume_now(struct gregs *r)
{
	volatile struct ab_vcpu_regs *v = &vcpu->regs;
	if (cpu.cpl == 3)
		publish_gdt_refresh();   /* user code loads selectors natively */
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
	v->ds = cpu.seg[SR_DS].sel;
	v->es = cpu.seg[SR_ES].sel;
	v->fs = cpu.seg[SR_FS].sel;
	v->gs = cpu.seg[SR_GS].sel;
	v->cs = cpu.seg[SR_CS].sel;
	v->ss = cpu.seg[SR_SS].sel;
	vcpu->cpl = cpu.cpl;
	vcpu->fixup_eip = 0;
	hc_resume();
}

/* The end of an upcall that stays in the guest kernel (a delivered
 * system call, page fault or interrupt, an emulated instruction at CPL
 * 0), without the kernel: everything AB_HC_RESUME would do but count the
 * upcall is already so.  The view is the kernel's, the one running; the
 * kernel's descriptor copies are current (nothing published in this
 * upcall, and every entry that publishes leaves through hc_resume), so
 * the hardware loads the data selectors, SS and CS (RPL 3) exactly as the
 * kernel would, when its rule takes them (seg_hw_loadable, seg_hw_flat:
 * else the kernel's stand-ins, which only hc_resume sets up).  A frame of
 * 11 words goes below the guest's esp, free memory as at a site's fast
 * path (an interrupt could have written one there), and entry.S pops it
 * with popal; iret at CPL 3, which leaves IF and IOPL alone.  The kernel
 * counts the upcall at the next one (or the next RESUME, or the end),
 * from vcpu->exit_kind, which nothing else writes meanwhile. */
/* Whether the hardware takes these selectors: a function of them and of
 * the published descriptors, so the last answer is kept (an upcall mostly
 * ends with the selectors the last one did). */
static struct {
	uint32_t published;        /* cpu.published it holds for */
	uint16_t sel[6];           /* ds es fs gs cs ss */
	int ok;
} hw_takes = { 0xffffffffu, { 0 }, 0 };

static int hw_takes_all(const uint16_t sel[6])
{
	int same = hw_takes.published == cpu.published;
	for (unsigned i = 0; i < 6; i++)
		same &= hw_takes.sel[i] == sel[i];
	if (same)
		return hw_takes.ok;
	hw_takes.ok = seg_hw_loadable(sel[0]) && seg_hw_loadable(sel[1]) && seg_hw_loadable(sel[2]) &&
		      seg_hw_loadable(sel[3]) && seg_hw_flat(sel[4], 1) && seg_hw_flat(sel[5], 0);
	for (unsigned i = 0; i < 6; i++)
		hw_takes.sel[i] = sel[i];
	hw_takes.published = cpu.published;
	return hw_takes.ok;
}

static void resume_without_kernel(struct gregs *r)
{
	const uint16_t sel[6] = { cpu.seg[SR_DS].sel, cpu.seg[SR_ES].sel, cpu.seg[SR_FS].sel,
				  cpu.seg[SR_GS].sel, cpu.seg[SR_CS].sel, cpu.seg[SR_SS].sel };
	if (cpu.cpl != 0 || cpu.desc_dirty || r->eip >= AB_WEDGE_BASE || !hw_takes_all(sel))
		return;
	uint32_t f[11], sp = R_ESP(r) - sizeof f;
	gpr_copy(f, r->gpr);
	f[8] = r->eip;
	f[9] = sel[4] | 3u;
	f[10] = eflags_hw(r->eflags);
	if (gm_write(sp, f, sizeof f))
		return;
	const uint32_t load[6] = { sel[0], sel[1], sel[2], sel[3], sel[5] | 3u, sp };
	vcpu->cpl = cpu.cpl;
	vcpu->fixup_eip = 0;
	native_resume(load);
}

void exit_resume(struct gregs *r)
{
	before_exit(r);
	resume_without_kernel(r);
	resume_now(r);
}

/* The data selectors site_common returns with, or 0 if the kernel must
 * load them.  Unchanged ones stay as the hardware holds them (possibly the
 * kernel's stand-in for a selector its tables cannot hold). */
static int fast_seg(unsigned sr, unsigned i, const uint32_t hw[4], uint32_t out[4])
{
	uint16_t sel = cpu.seg[sr].sel;
	if (sel == cpu.entry_sel[i])
		out[i] = hw[i];
	else if (seg_hw_loadable(sel))
		out[i] = sel;
	else
		return 0;
	return 1;
}

static int fast_segs(const uint32_t hw[4], uint32_t out[4])
{
	return fast_seg(SR_DS, 0, hw, out) && fast_seg(SR_ES, 1, hw, out) && fast_seg(SR_FS, 2, hw, out) &&
	       fast_seg(SR_GS, 3, hw, out);
}

uint32_t exit_site(struct gregs *r, uint32_t segs[4], uint32_t *frame)
{
	uint32_t out[4];
	before_exit(r);   /* may deliver an interrupt: cpl can change */
	if (cpu.cpl == 0 && !cpu.desc_dirty && !cpu.cs_ss_dirty && fast_segs(segs, out)) {
		uint32_t f[10], *to, sp = R_ESP(r) - sizeof f;
		/* The step left esp alone (most do): the new frame lies where
		 * the entry's does, memory the guest's own pushal wrote and we
		 * read with plain loads at the entry, so plain stores reach it
		 * too, unless the step flushed the translations (a new CR3 may
		 * not map this stack: then the guarded copy below finds out). */
		if (sp == (uint32_t)frame && !cpu.flushed)
			to = frame;
		else
			to = f;
		gpr_copy(to, r->gpr);
		to[8] = eflags_hw(r->eflags);
		to[9] = r->eip;
		if (to == frame || !gm_write(sp, f, sizeof f)) {
			segs[0] = out[0];
			segs[1] = out[1];
			segs[2] = out[2];
			segs[3] = out[3];
			return sp;
		}
	}
	resume_now(r);
}
