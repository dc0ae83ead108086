/*
 * Exception and interrupt delivery through the guest's own IDT, with the
 * frame the hardware would build (SDM vol. 3, 6.12): gate checks and their
 * error codes (IDT bit, EXT bit), a stack switch to the TSS's ss0:esp0 when
 * the handler is more privileged, IF cleared by interrupt gates, and
 * TF/NT/RF cleared.  A fault while delivering becomes the next exception,
 * or #DF by the SDM's table, or a triple fault, which ends the guest as a
 * PC would reset (hc_shutdown(0x7E), docs/vm-plan.md).
 *
 * Nothing of the guest's state changes unless a delivery completes, so a
 * failed attempt can be retried as the next exception from the same eip.
 */
#include "vcpu_state.h"

static int has_errcode(unsigned v) { return v == 8 || (v >= 10 && v <= 14) || v == 17; }
static int contributory(unsigned v) { return v == 0 || (v >= 10 && v <= 13); }

void set_cpl(unsigned c)
{
	cpu.cpl = c;
	vcpu->cpl = c;
}

/* The inner stack from the current TSS: ss:esp for ring ncpl. */
static uint32_t tss_stack(unsigned ncpl, unsigned ext, uint16_t *ss, uint32_t *esp, struct desc *ssd)
{
	const struct seg *tr = &cpu.seg[SR_TR];
	uint32_t e, sp = 0, sel = 0;
	/* a 32-bit TSS, available (9) or, as after ltr, busy (11) */
	if (!(tr->sel & ~3u) || tr->d.s || (tr->d.type & ~2u) != 9) {
		if ((tr->sel & ~3u) && !tr->d.s && (tr->d.type & ~2u) == 1)
			return unsupported("16-bit TSS stack switch", 0);
		return EXC(V_TS, (tr->sel & 0xfffc) + ext);
	}
	if (tr->d.limit < 8 * ncpl + 11)
		return EXC(V_TS, (tr->sel & 0xfffc) + ext);
	if ((e = gm_read(tr->d.base + 4 + 8 * ncpl, &sp, 4)) || (e = gm_read(tr->d.base + 8 + 8 * ncpl, &sel, 2)))
		return e;
	if (!(sel & ~3u))
		return EXC(V_TS, ext);
	if ((sel & 3) != ncpl)
		return EXC(V_TS, (sel & 0xfffc) + ext);
	if ((e = desc_read((uint16_t)sel, ssd)))
		return EXC_VEC(e) == V_PF ? e : EXC(V_TS, (sel & 0xfffc) + ext);
	if (!DESC_DATA(ssd) || !(ssd->type & 2) || ssd->dpl != ncpl)
		return EXC(V_TS, (sel & 0xfffc) + ext);
	if (!ssd->p)
		return EXC(V_SS, (sel & 0xfffc) + ext);
	*ss = (uint16_t)sel;
	*esp = sp;
	return 0;
}

static uint32_t deliver_once(struct gregs *r, unsigned vec, int has_err, uint32_t err,
			     uint32_t ret_eip, int soft, unsigned ext)
{
	uint32_t gate[2], e, idt_err = vec * 8 + 2 + ext;

	if (vec * 8 + 7 > cpu.idtr.limit)
		return EXC(V_GP, idt_err);
	if ((e = gm_read(cpu.idtr.base + vec * 8, gate, 8)))
		return e;
	unsigned type = (gate[1] >> 8) & 0x1f, dpl = (gate[1] >> 13) & 3;
	if (type != 0x0e && type != 0x0f && type != 0x06 && type != 0x07 && type != 0x05)
		return EXC(V_GP, idt_err);
	if (soft && dpl < cpu.cpl)
		return EXC(V_GP, idt_err);
	if (!(gate[1] & 0x8000))
		return EXC(V_NP, idt_err);
	if (type == 0x05) {
		/* Task switches are not emulated (Linux uses a task gate only
		 * for #DF, which is fatal anyway). */
		dbg_hex("wedge: task gate, vector", vec);
		wedge_panic("task switch through the IDT is not emulated", vec);
	}

	unsigned size = (type & 8) ? 4 : 2;
	uint16_t sel = (uint16_t)(gate[0] >> 16);
	uint32_t off = (gate[0] & 0xffff) | (size == 4 ? gate[1] & 0xffff0000u : 0);
	struct desc cd, ssd;
	if (!(sel & ~3u))
		return EXC(V_GP, ext);
	if ((e = desc_read(sel, &cd)))
		return EXC_VEC(e) == V_PF ? e : EXC(V_GP, (sel & 0xfffc) + ext);
	if (!DESC_CODE(&cd) || cd.dpl > cpu.cpl)
		return EXC(V_GP, (sel & 0xfffc) + ext);
	if (!cd.p)
		return EXC(V_NP, (sel & 0xfffc) + ext);
	unsigned ncpl = (cd.type & 4) ? cpu.cpl : cd.dpl;

	uint32_t w[6], sp = R_ESP(r), ssbase = seg_base(SR_SS);
	unsigned n = 0;
	uint16_t nss = 0;
	if (has_err)
		w[n++] = err;
	w[n++] = ret_eip;
	w[n++] = cpu.seg[SR_CS].sel;
	w[n++] = r->eflags;
	if (ncpl < cpu.cpl) {
		if ((e = tss_stack(ncpl, ext, &nss, &sp, &ssd)))
			return e;
		ssbase = ssd.base;
		w[n++] = R_ESP(r);
		w[n++] = cpu.seg[SR_SS].sel;
	}
	/* w[] is the frame in memory order, lowest first: written as is
	 * through a 32-bit gate, as the low halves through a 16-bit one. */
	uint16_t f16[6];
	for (unsigned i = 0; size == 2 && i < n; i++)
		f16[i] = (uint16_t)w[i];
	sp -= n * size;
	if ((e = gm_write(ssbase + sp, size == 4 ? (const void *)w : (const void *)f16, n * size)))
		return e;

	/* Committed. */
	if (ncpl < cpu.cpl)
		seg_set(SR_SS, nss, &ssd);
	R_ESP(r) = sp;
	seg_set(SR_CS, (uint16_t)((sel & ~3u) | ncpl), &cd);
	set_cpl(ncpl);
	r->eip = off;
	r->eflags &= ~(FL_TF | FL_NT | FL_RF | FL_VM);
	if (!(type & 1))
		r->eflags &= ~FL_IF;
	return 0;
}

void deliver_exception(struct gregs *r, uint32_t exc)
{
	unsigned vec = EXC_VEC(exc);
	uint32_t err = EXC_ERR(exc);
	/* A trapped instruction whose emulation faults (a privileged one in
	 * guest user mode, a bad selector) is an exception the guest handles:
	 * counted as such, not as a sensitive instruction (trap-dump.md). */
	if (cpu.in_upcall && AB_TRAPK_CLASS(exit_kind()) == 0)
		set_exit_kind(AB_TRAPK_EXCEPTION | vec);
	for (;;) {
		uint32_t e = deliver_once(r, vec, has_errcode(vec), err, r->eip, 0, 1);
		if (!e)
			return;
		unsigned v2 = EXC_VEC(e);
		if (vec == V_DF) {
			/* The kernel says "ended, code 7e" on its console; the
			 * eip goes to our log (debug.c), never to COM1. */
			dbg_hex("wedge: triple fault at eip", r->eip);
			dev_console_flush();
			hc_shutdown(0x7E);
		}
		if ((contributory(vec) && contributory(v2)) || (vec == V_PF && (contributory(v2) || v2 == V_PF))) {
			vec = V_DF;
			err = 0;
		} else {
			vec = v2;
			err = EXC_ERR(e);
		}
	}
}

void deliver_irq(struct gregs *r, unsigned vector)
{
	uint32_t e = deliver_once(r, vector & 0xff, 0, 0, r->eip, 0, 1);
	if (e)
		deliver_exception(r, e);
}

void deliver_softint(struct gregs *r, unsigned n, uint32_t next)
{
	uint32_t e = deliver_once(r, n & 0xff, 0, 0, next, 1, 0);
	if (e)
		deliver_exception(r, e);
}
