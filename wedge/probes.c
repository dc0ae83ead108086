/*
 * lar, lsl, verr, verw: descriptor probes that never fault on a bad
 * selector, they clear ZF instead.  Silent at CPL 3 (they would answer
 * for the hardware's CPL and tables), so every one is a site.  The rules
 * are the SDM's (and QEMU's helper_lar/lsl/verr/verw): which system types
 * are visible, and the privilege check that conforming code skips.
 */
#include "vcpu_state.h"

/* ZF=1 and a usable descriptor, or 0 with ZF left for the caller. */
static int probe(uint16_t sel, struct desc *d, uint32_t *e)
{
	*e = 0;
	if (!(sel & ~3u))
		return 0;
	uint32_t x = desc_read(sel, d);
	if (x) {
		if (EXC_VEC(x) == V_PF)
			*e = x;      /* the table itself is unreadable: a real #PF */
		return 0;
	}
	return 1;
}

static int priv_ok(uint16_t sel, const struct desc *d)
{
	if (DESC_CODE(d) && (d->type & 4))
		return 1;            /* conforming code: no check */
	return d->dpl >= cpu.cpl && d->dpl >= (sel & 3u);
}

uint32_t emu_probe(const struct insn_ctx *c, struct gregs *r)
{
	uint32_t v = 0, e;
	struct desc d;
	int ok = 0;

	if ((e = op_read_rm(c, r, 2, &v)))
		return e;
	uint16_t sel = (uint16_t)v;
	if (!probe(sel, &d, &e)) {
		if (e)
			return e;
		ok = 0;
	} else {
		switch (c->kind) {
		case AB_KIND_LAR:
			/* system types lar may see: TSS16, LDT, busy TSS16, call gate16,
			 * task gate, TSS32, busy TSS32, call gate32 */
			ok = (d.s || ((1u << d.type) & 0x1a3eu)) && priv_ok(sel, &d);
			if (ok)
				reg_write(r, c->in.op_a, c->in.opsize == 2 ? 2 : 4, d.hi & 0x00f0ff00u);
			break;
		case AB_KIND_LSL:
			/* only segments with a limit: TSS16, LDT, busy TSS16, TSS32, busy TSS32 */
			ok = (d.s || ((1u << d.type) & 0x0a0eu)) && priv_ok(sel, &d);
			if (ok)
				reg_write(r, c->in.op_a, c->in.opsize == 2 ? 2 : 4, d.limit);
			break;
		case AB_KIND_VERR:
			ok = d.s && (!DESC_CODE(&d) || (d.type & 2)) && priv_ok(sel, &d);
			break;
		case AB_KIND_VERW:
			ok = d.s && DESC_DATA(&d) && (d.type & 2) && priv_ok(sel, &d);
			break;
		default:
			return UD;
		}
	}
	r->eflags = ok ? r->eflags | FL_ZF : r->eflags & ~FL_ZF;
	return 0;
}
