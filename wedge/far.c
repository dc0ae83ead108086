/*
 * ljmp, lcall and lret between code segments (silent kinds: at CPL 3 the
 * hardware would check privilege against the wrong ring and against the
 * hypervisor's GDT).  Direct (ptr16:32) and indirect (m16:32) forms, 16-
 * and 32-bit operands, and lret to an outer ring (the stack switches back).
 * Call gates and task switches are not emulated: loud #UD (docs/wedge.md).
 */
#include "vcpu_state.h"

/* The far pointer of ljmp/lcall: immediate after the opcode, or memory. */
static uint32_t far_target(const struct insn_ctx *c, struct gregs *r, uint32_t *off, uint16_t *sel)
{
	unsigned osz = c->in.opsize == 2 ? 2 : 4;
	if (c->in.flags & AB_SITE_IMM) {
		const uint8_t *p = c->bytes + c->in.len - 2 - osz;
		*off = osz == 2 ? (uint32_t)(p[0] | p[1] << 8)
				: (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		*sel = (uint16_t)(c->in.op_a | c->in.op_b << 8);
		return 0;
	}
	if ((c->in.modrm >> 6) == 3)
		return UD;
	uint32_t la = op_addr(c, r), o = 0, s = 0, e;
	if ((e = gm_read(la, &o, osz)) || (e = gm_read(la + osz, &s, 2)))
		return e;
	*off = o;
	*sel = (uint16_t)s;
	return 0;
}

/* Gates and TSS descriptors as targets: not emulated. */
static uint32_t system_target(uint16_t sel, uint32_t eip)
{
	struct desc d;
	if ((sel & ~3u) && !desc_read(sel, &d) && !d.s)
		return unsupported("far transfer through a gate or TSS", eip);
	return 0;
}

/* The stack of an outer ring on return: checked as the SDM says. */
static uint32_t outer_ss(uint16_t ss, unsigned rpl, struct desc *d)
{
	uint32_t e;
	if (!(ss & ~3u))
		return EXC(V_GP, 0);
	if ((ss & 3) != rpl)
		return EXC(V_GP, ss & 0xfffc);
	if ((e = desc_read(ss, d)))
		return e;
	if (!DESC_DATA(d) || !(d->type & 2) || d->dpl != rpl)
		return EXC(V_GP, ss & 0xfffc);
	if (!d->p)
		return EXC(V_SS, ss & 0xfffc);
	return 0;
}

uint32_t emu_far(const struct insn_ctx *c, struct gregs *r)
{
	unsigned osz = c->in.opsize == 2 ? 2 : 4;
	struct gregs t = *r;
	struct desc cd, sd;
	uint32_t off = 0, e;
	uint16_t sel = 0;

	if (c->kind == AB_KIND_LJMP || c->kind == AB_KIND_LCALL) {
		if ((e = far_target(c, r, &off, &sel)) || (e = system_target(sel, c->start)))
			return e;
		if ((e = code_check(sel, cpu.cpl, 0, &cd)))
			return e;
		if (osz == 2)
			off &= 0xffff;
		if (off > cd.limit)
			return GP0;
		if (c->kind == AB_KIND_LCALL &&
		    ((e = gpush(&t, cpu.seg[SR_CS].sel, osz)) || (e = gpush(&t, c->next, osz))))
			return e;
		*r = t;
		seg_set(SR_CS, (uint16_t)((sel & ~3u) | cpu.cpl), &cd);
		r->eip = off;
		return XFER;
	}

	/* lret [imm16] */
	uint32_t imm = (c->in.flags & AB_SITE_IMM) ? (uint32_t)(c->in.op_a | c->in.op_b << 8) : 0, cs = 0;
	if ((e = gpop(&t, &off, osz)) || (e = gpop(&t, &cs, osz)))
		return e;
	sel = (uint16_t)cs;
	if ((e = system_target(sel, c->start)) || (e = code_check(sel, sel & 3, 1, &cd)))
		return e;
	if (off > cd.limit)
		return GP0;
	R_ESP(&t) += imm;
	unsigned rpl = sel & 3;
	if (rpl > cpu.cpl) {
		uint32_t nsp = 0, nss = 0;
		if ((e = gpop(&t, &nsp, osz)) || (e = gpop(&t, &nss, osz)))
			return e;
		if ((e = outer_ss((uint16_t)nss, rpl, &sd)))
			return e;
		R_ESP(&t) = nsp + imm;
		seg_set(SR_SS, (uint16_t)nss, &sd);
	}
	*r = t;
	seg_set(SR_CS, sel, &cd);
	if (rpl > cpu.cpl) {
		set_cpl(rpl);
		seg_null_outer(rpl);
	}
	r->eip = off;
	return XFER;
}

/* iret's outer stack check is the same as lret's. */
uint32_t far_outer_ss(uint16_t ss, unsigned rpl, struct desc *d) { return outer_ss(ss, rpl, d); }
