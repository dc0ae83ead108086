/*
 * pushf, popf, cli, sti, hlt: the virtual IF and IOPL.  pushf/popf are
 * silent at CPL 3 (popf would drop IF and IOPL without a word), cli/sti/
 * hlt trap.  The IOPL rule decides who may change IF, as on hardware.
 *
 * sti's shadow: the CPU takes an interrupt only after the instruction that
 * follows sti.  We deliver what is pending right after sti (one instruction
 * early, which no ordinary instruction can tell) EXCEPT when that next
 * instruction is hlt or sysexit: `sti; hlt` must sleep and wake, and
 * `sti; sysexit` must reach ring 3 first.  Those two deliver themselves.
 */
#include "vcpu_state.h"

static uint32_t popf_mask(unsigned osz, uint32_t cur)
{
	uint32_t m = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_DF | FL_OF | FL_NT | FL_AC | FL_ID;
	if (cpu.cpl <= iopl_of(cur))
		m |= FL_IF;
	if (cpu.cpl == 0)
		m |= FL_IOPL;
	return osz == 2 ? m & 0xffff : m;
}

uint32_t emu_flags(const struct insn_ctx *c, struct gregs *r)
{
	unsigned osz = c->in.width == 2 ? 2 : 4;
	uint32_t v = 0, e;

	switch (c->kind) {
	case AB_KIND_PUSHF:
		return gpush(r, r->eflags & ~(FL_VM | FL_RF), osz);
	case AB_KIND_POPF: {
		uint32_t m = popf_mask(osz, r->eflags);
		if ((e = gpop(r, &v, osz)))
			return e;
		r->eflags = (r->eflags & ~m) | (v & m) | FL_1;
		return 0;
	}
	case AB_KIND_CLI:
		if (cpu.cpl > iopl_of(r->eflags))
			return GP0;
		r->eflags &= ~FL_IF;
		return 0;
	case AB_KIND_STI: {
		if (cpu.cpl > iopl_of(r->eflags))
			return GP0;
		if (!(r->eflags & FL_IF))
			cpu.hold_irq = 1;    /* the exit looks at the next instruction */
		r->eflags |= FL_IF;
		return 0;
	}
	case AB_KIND_HLT:
		if (cpu.cpl)
			return GP0;
		r->eip = c->next;
		irq_halt(r);
		return XFER;
	}
	return UD;
}
