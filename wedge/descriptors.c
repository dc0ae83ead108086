/*
 * The descriptor-table registers: lgdt/lidt/lldt/ltr and their readers
 * sgdt/sidt/sldt/str.  Loads are CPL-0 only (trapping kinds); the readers
 * are silent at CPL 3 (they would show the hypervisor's tables), so each
 * is a site.  ltr marks the TSS descriptor busy in the guest's GDT, as
 * the CPU does, and refuses a busy one.  lgdt and lldt publish the new
 * table for the kernel's copies (publish.c); the segment registers keep
 * their selectors, which the kernel reloads from the copies at the next
 * hc_resume.
 */
#include "vcpu_state.h"

static uint32_t load_dtr(const struct insn_ctx *c, struct gregs *r, struct dtreg *t)
{
	uint8_t b[6];
	uint32_t e;
	if (cpu.cpl)
		return GP0;
	if ((c->in.modrm >> 6) == 3)
		return UD;
	if ((e = gm_read(op_addr(c, r), b, 6)))
		return e;
	t->limit = (uint16_t)(b[0] | b[1] << 8);
	t->base = (uint32_t)b[2] | (uint32_t)b[3] << 8 | (uint32_t)b[4] << 16 | (uint32_t)b[5] << 24;
	if (c->in.opsize == 2)
		t->base &= 0x00ffffffu;   /* a 16-bit operand loads 24 bits of base */
	return 0;
}

static uint32_t store_dtr(const struct insn_ctx *c, struct gregs *r, const struct dtreg *t)
{
	uint32_t base = c->in.opsize == 2 ? t->base & 0x00ffffffu : t->base;
	uint8_t b[6] = { (uint8_t)t->limit, (uint8_t)(t->limit >> 8), (uint8_t)base,
			 (uint8_t)(base >> 8), (uint8_t)(base >> 16), (uint8_t)(base >> 24) };
	if ((c->in.modrm >> 6) == 3)
		return UD;
	return gm_write(op_addr(c, r), b, 6);
}

static uint32_t do_lldt(uint16_t sel)
{
	struct desc d = { 0 };
	uint32_t e;
	if (!(sel & ~3u)) {
		seg_set(SR_LDTR, 0, &d);
		return 0;
	}
	if (sel & 4)
		return EXC(V_GP, sel & 0xfffc);
	if ((e = desc_read(sel, &d)))
		return e;
	if (d.s || d.type != 2)
		return EXC(V_GP, sel & 0xfffc);
	if (!d.p)
		return EXC(V_NP, sel & 0xfffc);
	seg_set(SR_LDTR, sel, &d);
	return 0;
}

static uint32_t do_ltr(uint16_t sel)
{
	struct desc d;
	uint32_t e;
	if (!(sel & ~3u))
		return GP0;
	if (sel & 4)
		return EXC(V_GP, sel & 0xfffc);
	if ((e = desc_read(sel, &d)))
		return e;
	if (d.s || (d.type != 1 && d.type != 9))     /* available TSS only */
		return EXC(V_GP, sel & 0xfffc);
	if (!d.p)
		return EXC(V_NP, sel & 0xfffc);
	if ((e = desc_write_hi(sel, d.hi | 0x200)))  /* busy */
		return e;
	desc_split(&d, d.lo, d.hi | 0x200);
	seg_set(SR_TR, sel, &d);
	return 0;
}

uint32_t emu_dtables(const struct insn_ctx *c, struct gregs *r)
{
	uint32_t v = 0, e;
	unsigned osz = c->in.opsize == 2 ? 2 : 4;

	switch (c->kind) {
	case AB_KIND_LGDT:
		if ((e = load_dtr(c, r, &cpu.gdtr)))
			return e;
		publish_gdt();
		return 0;
	case AB_KIND_LIDT:
		return load_dtr(c, r, &cpu.idtr);
	case AB_KIND_SGDT:
		return store_dtr(c, r, &cpu.gdtr);
	case AB_KIND_SIDT:
		return store_dtr(c, r, &cpu.idtr);
	case AB_KIND_SLDT:
	case AB_KIND_STR: {
		uint16_t sel = cpu.seg[c->kind == AB_KIND_SLDT ? SR_LDTR : SR_TR].sel;
		/* a register gets it zero-extended, memory 16 bits */
		return op_write_rm(c, r, (c->in.modrm >> 6) == 3 ? osz : 2, sel);
	}
	case AB_KIND_LLDT:
	case AB_KIND_LTR:
		if (cpu.cpl)
			return GP0;
		if ((e = op_read_rm(c, r, 2, &v)))
			return e;
		return c->kind == AB_KIND_LLDT ? do_lldt((uint16_t)v) : do_ltr((uint16_t)v);
	}
	return UD;
}
