/*
 * in, out, ins, outs (rep too): port I/O goes to the device models
 * (dev/dev.h).  Permission as on hardware: CPL <= IOPL, or else every bit
 * of the access clear in the TSS's I/O bitmap (a bitmap past the TSS limit
 * denies all).  String forms use ES:EDI / DS:ESI (or the override's
 * segment; the bases count, the limits are not checked), step by DF, and a
 * rep prefix runs ECX times; a fault in the middle leaves the registers
 * where the hardware would and the guest restarts the instruction.
 */
#include "vcpu_state.h"

static uint32_t io_allowed(struct gregs *r, unsigned port, unsigned size)
{
	if (cpu.cpl <= iopl_of(r->eflags))
		return 0;
	const struct seg *tr = &cpu.seg[SR_TR];
	uint32_t base = 0, bits = 0, e;
	if (!(tr->sel & ~3u) || tr->d.s || (tr->d.type & ~2u) != 9 || tr->d.limit < 103)
		return GP0;
	if ((e = gm_read(tr->d.base + 102, &base, 2)))
		return e;
	uint32_t at = base + port / 8;
	if (at + 1 > tr->d.limit)
		return GP0;
	if ((e = gm_read(tr->d.base + at, &bits, 2)))
		return e;
	return (bits >> (port & 7)) & ((1u << size) - 1) ? GP0 : 0;
}

static void after_out(void)
{
	/* An IMR change or an EOI may let an interrupt through. */
	vcpu->irq_unmasked = pic_unmasked();
}

uint32_t emu_io(const struct insn_ctx *c, struct gregs *r)
{
	unsigned size = c->in.width ? c->in.width : 1;
	unsigned port = (c->in.flags & AB_SITE_IMM) ? c->in.op_a : (R_EDX(r) & 0xffff);
	uint32_t e;

	if ((e = io_allowed(r, port, size)))
		return e;
	/* Lines the kernel raised since we last looked reach the PIC first:
	 * a guest polling the IRR (irq_pending.c) must see them. */
	irq_sync();
	switch (c->kind) {
	case AB_KIND_IN:
		reg_write(r, 0, size, dev_in((uint16_t)port, size));
		return 0;
	case AB_KIND_OUT:
		dev_out((uint16_t)port, size, reg_read(r, 0, size));
		after_out();
		return 0;
	}

	int rep = (c->in.flags & AB_SITE_REP) != 0;
	int a16 = 0;
	for (unsigned i = 0; i < c->in.prefix_len; i++)
		if (c->bytes[i] == 0x67)
			a16 = 1;
	uint32_t amask = a16 ? 0xffffu : 0xffffffffu;
	int32_t step = (r->eflags & FL_DF) ? -(int32_t)size : (int32_t)size;
	uint32_t *idx = c->kind == AB_KIND_INS ? &R_EDI(r) : &R_ESI(r);
	uint32_t base = seg_base(c->kind == AB_KIND_INS ? SR_ES : op_seg(c, SR_DS));

	while (!rep || (R_ECX(r) & amask)) {
		uint32_t la = base + (*idx & amask), v = 0;
		if (c->kind == AB_KIND_INS) {
			v = dev_in((uint16_t)port, size);
			if ((e = gm_write(la, &v, size)))
				return e;
		} else {
			if ((e = gm_read(la, &v, size)))
				return e;
			dev_out((uint16_t)port, size, v);
			after_out();
		}
		*idx = (*idx & ~amask) | ((*idx + (uint32_t)step) & amask);
		if (!rep)
			break;
		R_ECX(r) = (R_ECX(r) & ~amask) | ((R_ECX(r) - 1) & amask);
	}
	return 0;
}
