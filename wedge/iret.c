/*
 * iret (a silent kind: at CPL 3 the hardware would neither restore IF and
 * IOPL nor allow the privilege change the guest kernel means).  Same-ring
 * returns and returns to ring 3 (the stack switches; cpu.cpl becomes 3 so
 * the kernel resumes the guest in the user view).  Which EFLAGS bits the
 * frame may change depends on CPL and IOPL, as on hardware.  Nested-task
 * returns (NT) and virtual-8086 mode are not emulated: loud #UD.
 */
#include "vcpu_state.h"

uint32_t far_outer_ss(uint16_t ss, unsigned rpl, struct desc *d);

uint32_t emu_iret(const struct insn_ctx *c, struct gregs *r)
{
	unsigned osz = c->in.opsize == 2 ? 2 : 4;
	struct gregs t;
	struct desc cd, sd;
	uint32_t w[3], eip, cs, fl, e;

	gregs_copy(&t, r);
	if (r->eflags & FL_NT)
		return unsupported("iret with NT (task return)", c->start);
	if ((e = gpop_n(&t, w, 3, osz)))
		return e;
	eip = w[0];
	cs = w[1];
	fl = w[2];
	if (osz == 4 && (fl & FL_VM) && cpu.cpl == 0)
		return unsupported("iret to virtual-8086 mode", c->start);
	uint16_t sel = (uint16_t)cs;
	if ((e = code_check(sel, sel & 3, 1, &cd)))
		return e;
	if (eip > cd.limit)
		return GP0;
	unsigned rpl = sel & 3;
	uint16_t nss = 0;
	if (rpl > cpu.cpl) {
		uint32_t nsp, ss;
		if ((e = gpop_n(&t, w, 2, osz)))
			return e;
		nsp = w[0];
		ss = w[1];
		if ((e = far_outer_ss((uint16_t)ss, rpl, &sd)))
			return e;
		R_ESP(&t) = osz == 2 ? (R_ESP(&t) & 0xffff0000u) | (nsp & 0xffff) : nsp;
		nss = (uint16_t)ss;
	}

	/* The flags the frame may change, judged at the old CPL. */
	uint32_t mask = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_DF | FL_OF | FL_NT |
			FL_RF | FL_AC | FL_ID;
	if (cpu.cpl <= iopl_of(r->eflags))
		mask |= FL_IF;
	if (cpu.cpl == 0)
		mask |= FL_IOPL;
	if (osz == 2)
		mask &= 0xffff;
	t.eflags = (r->eflags & ~mask) | (fl & mask) | FL_1;

	gregs_copy(r, &t);
	r->eip = eip;
	seg_set(SR_CS, sel, &cd);
	if (rpl > cpu.cpl) {
		seg_set(SR_SS, nss, &sd);
		set_cpl(rpl);
		seg_null_outer(rpl);
	}
	return XFER;
}
