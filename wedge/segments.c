/*
 * Segment registers as the guest believes them.  The wedge keeps the
 * guest's selectors and descriptor caches and applies the checks the CPU
 * makes on a load (Intel SDM vol. 2, MOV/POP/LDS; QEMU's load_segment), so
 * a guest sees the same #GP/#NP/#SS with the same error codes.  Also the
 * readers of %cs/%ss (mov, push), which at CPL 3 would show RPL 3.
 *
 * The hardware holds the guest's own selectors in %ds %es %fs %gs, loaded
 * from the kernel's copies of the descriptors we publish (publish.c,
 * docs/abi/vcpu.md "Segments"); the guest may load them natively too.  So
 * at every entry we take them from the hardware (seg_take_hw), with the
 * published descriptor as the cache: that is what the hardware loaded.
 * CS and SS are ours alone: the kernel loads them (RPL 3) at hc_resume.
 */
#include "vcpu_state.h"

void desc_split(struct desc *d, uint32_t lo, uint32_t hi)
{
	d->lo = lo;
	d->hi = hi;
	d->base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
	d->limit = (lo & 0xffff) | (hi & 0x000f0000u);
	if (hi & 0x00800000u)
		d->limit = d->limit << 12 | 0xfff;
	d->type = (hi >> 8) & 0xf;
	d->s = (hi >> 12) & 1;
	d->dpl = (hi >> 13) & 3;
	d->p = (hi >> 15) & 1;
}

/* The table a selector indexes: the GDT or, with TI, the loaded LDT. */
static uint32_t table_of(uint16_t sel, uint32_t *base, uint32_t *limit)
{
	if (sel & 4) {
		const struct seg *l = &cpu.seg[SR_LDTR];
		if (!(l->sel & ~3u))
			return EXC(V_GP, sel & 0xfffc);
		*base = l->d.base;
		*limit = l->d.limit;
	} else {
		*base = cpu.gdtr.base;
		*limit = cpu.gdtr.limit;
	}
	return 0;
}

/* desc_split's recent answers, by the raw bytes (a pure function of
 * them): a guest loads the same few descriptors over and over (a system
 * call: its kernel's code, data and per-CPU segments and the user ones).
 * Direct-mapped; the zeroed .bss entries are desc_split(0, 0). */
#define SPLIT_MEMO 16
static struct desc split_memo[SPLIT_MEMO];

static inline void desc_split_memo(struct desc *d, uint32_t lo, uint32_t hi)
{
	struct desc *m = &split_memo[((lo ^ hi * 0x9E3779B1u) * 0x9E3779B1u) >> 28];
	_Static_assert(SPLIT_MEMO == 1u << (32 - 28), "the hash takes 4 bits");
	if (m->lo != lo || m->hi != hi)
		desc_split(m, lo, hi);
	*d = *m;
}

/* The raw 8 bytes of sel's descriptor, with desc_read's exceptions. */
static uint32_t desc_read_raw(uint16_t sel, uint32_t w[2])
{
	uint32_t base, limit;
	uint32_t e = table_of(sel, &base, &limit);
	if (e)
		return e;
	if ((uint32_t)(sel & ~7u) + 7 > limit)
		return EXC(V_GP, sel & 0xfffc);
	return gm_read(base + (sel & ~7u), w, 8);
}

uint32_t desc_read(uint16_t sel, struct desc *d)
{
	uint32_t w[2], e;
	if ((e = desc_read_raw(sel, w)))
		return e;
	desc_split_memo(d, w[0], w[1]);
	return 0;
}

uint32_t desc_write_hi(uint16_t sel, uint32_t hi)
{
	uint32_t base, limit;
	uint32_t e = table_of(sel, &base, &limit);
	return e ? e : gm_write32(base + (sel & ~7u) + 4, hi);
}

/* The index of a data segment register in ab_vcpu_regs order (ds es fs
 * gs), or -1. */
static int data_index(unsigned sr)
{
	switch (sr) {
	case SR_DS: return 0;
	case SR_ES: return 1;
	case SR_FS: return 2;
	case SR_GS: return 3;
	default: return -1;
	}
}

static inline void seg_put(unsigned sr, uint16_t sel, const struct desc *d)
{
	int i = data_index(sr);
	if ((sr == SR_CS || sr == SR_SS) && cpu.seg[sr].sel != sel)
		cpu.cs_ss_dirty = 1;
	cpu.seg[sr].sel = sel;
	cpu.seg[sr].d = *d;
	if (i >= 0)
		cpu.taken[i] = TAKEN_NONE;    /* seg_set may know better */
}

void seg_set(unsigned sr, uint16_t sel, const struct desc *d)
{
	int i = data_index(sr), same = 1;
	seg_put(sr, sel, d);
	if (sel & ~3u)
		same = publish_desc(sel, d->lo, d->hi);
	else
		same = !d->lo && !d->hi;
	if (sr == SR_LDTR)
		publish_ldt();
	/* Would seg_take_hw leave this register as it is now when the
	 * hardware holds sel?  take_one's rule: a null selector's cache is
	 * all 0; one the kernel copies gets the published bytes, which
	 * publish_desc says are these; any other is left alone. */
	if (i >= 0 && same)
		cpu.taken[i] = sel;
}

/* A flat 4 GiB segment (boot state, sysenter/sysexit). */
void seg_flat(unsigned sr, uint16_t sel, int code)
{
	struct desc d;
	unsigned dpl = sel & 3;
	desc_split(&d, 0x0000ffffu, 0x00cf0000u | (code ? 0x9b00u : 0x9300u) | dpl << 13);
	seg_put(sr, sel, &d);
}

/* The hardware holds a selector the kernel's tables can hold for the
 * guest (the null selector, the GDT entries it copies, the LDT entries we
 * published), with the descriptor we published; anything else in a
 * hardware register is the kernel's flat stand-in for a selector it could
 * not load, and the guest's own stays. */
static void take_one(struct seg *s, uint16_t sel)
{
	uint32_t lo = 0, hi = 0;
	if (sel & ~3u) {
		if (!desc_publishable(sel))
			return;              /* keep the guest's: the kernel substituted */
		const volatile uint32_t *p = (const volatile uint32_t *)((sel & 4) ? &vcpu->ldt[sel >> 3]
									  : &vcpu->gdt[sel >> 3]);
		lo = p[0];
		hi = p[1];
	}
	/* The cache is a function of the raw 8 bytes (desc_split; the null
	 * selector's is all 0, as desc_split(0, 0)): the same selector and
	 * bytes leave nothing to do.  The common case: the guest kernel's
	 * selectors, unchanged since the last entry. */
	if (s->sel == sel && s->d.lo == lo && s->d.hi == hi)
		return;
	s->sel = sel;
	desc_split(&s->d, lo, hi);
}

/* seg_take_hw (vcpu_state.h) found a selector the memo does not know,
 * or descriptors were published since: take those again. */
void seg_retake(const uint32_t hw[4])
{
	int all = cpu.taken_pub != cpu.published;
	for (unsigned i = 0; i < 4; i++) {
		uint32_t sel = hw[i] & 0xffffu;
		if (all || cpu.taken[i] != sel) {
			take_one(&cpu.seg[data_sr(i)], (uint16_t)sel);
			cpu.taken[i] = sel;
		}
	}
	cpu.taken_pub = cpu.published;
}

/* The kernel's rule (hypervisor/kernel/vm_desc.c, loadable()) for a data
 * register in the kernel view, where every copied code or data descriptor
 * has DPL 3.  entry.S loads what passes; a selector the hardware refused
 * would be a fault in the wedge, which ends the VM. */
int seg_hw_loadable(uint16_t sel)
{
	if (sel < 4)
		return 1;
	if (!desc_publishable(sel))
		return 0;
	uint64_t d = desc_published(sel);
	uint32_t hi = (uint32_t)(d >> 32);
	int present = (hi >> 15) & 1, s = (hi >> 12) & 1, exec = (hi >> 11) & 1, rw = (hi >> 9) & 1;
	return present && s && (!exec || rw);
}

/* The same for CS and SS at a resume without the kernel (exit.c): sel's
 * published descriptor is a present code segment (cs) or writable data
 * segment (ss), flat (base 0, 4 GiB, not expand-down), so the hardware
 * takes sel | 3 for it in the kernel view without a fault and the guest
 * sees the segment it loaded. */
int seg_hw_flat(uint16_t sel, int code)
{
	if (!(sel & ~3u) || !desc_publishable(sel))
		return 0;
	uint64_t raw = desc_published(sel);
	struct desc d;
	desc_split_memo(&d, (uint32_t)raw, (uint32_t)(raw >> 32));
	if (!d.p || !d.s || d.base != 0 || d.limit != 0xffffffffu)
		return 0;
	return code ? (d.type & 8) != 0 : (d.type & 0xe) == 2;
}

/* Loads set the accessed bit in memory, as the CPU does. */
static uint32_t mark_accessed(uint16_t sel, struct desc *d)
{
	if (d->type & 1)
		return 0;
	uint32_t e = desc_write_hi(sel, d->hi | 0x100);
	if (!e)
		desc_split(d, d->lo, d->hi | 0x100);
	return e;
}

/* The checks of a load into sr (not of the null selector). */
static uint32_t load_checks(unsigned sr, uint16_t sel, const struct desc *d)
{
	unsigned rpl = sel & 3, cpl = cpu.cpl;
	uint32_t err = sel & 0xfffc;
	if (sr == SR_SS) {
		if (rpl != cpl || !DESC_DATA(d) || !(d->type & 2) || d->dpl != cpl)
			return EXC(V_GP, err);
		if (!d->p)
			return EXC(V_SS, err);
	} else {
		if (!d->s || (DESC_CODE(d) && !(d->type & 2)))
			return EXC(V_GP, err);
		/* data and non-conforming code: RPL and CPL must not exceed DPL */
		if ((DESC_DATA(d) || !(d->type & 4)) && (rpl > d->dpl || cpl > d->dpl))
			return EXC(V_GP, err);
		if (!d->p)
			return EXC(V_NP, err);
	}
	return 0;
}

uint32_t seg_load(unsigned sr, uint16_t sel)
{
	struct desc d = { 0 };
	uint32_t w[2], e;

	if (!(sel & ~3u)) {
		if (sr == SR_SS)
			return EXC(V_GP, 0);
		seg_set(sr, sel, &d);   /* null: #GP only on use */
		return 0;
	}
	if ((e = desc_read_raw(sel, w)))
		return e;
	/* The register reloaded with what it holds (Linux's entry code
	 * reloads %ds and %es with the user data segment they mostly hold
	 * already): the same checks, but no accessed bit to set (it is) and
	 * no cache to split or set; only the published copy may lag behind
	 * memory, and publish_desc looks at that. */
	const struct seg *cur = &cpu.seg[sr];
	if (cur->sel == sel && cur->d.lo == w[0] && cur->d.hi == w[1] && (w[1] & 0x100)) {
		if ((e = load_checks(sr, sel, &cur->d)))
			return e;
		publish_desc(sel, w[0], w[1]);
		return 0;
	}
	desc_split_memo(&d, w[0], w[1]);
	if ((e = load_checks(sr, sel, &d)))
		return e;
	if ((e = mark_accessed(sel, &d)))
		return e;
	seg_set(sr, sel, &d);
	return 0;
}

uint32_t code_check(uint16_t sel, unsigned new_cpl, int is_return, struct desc *d)
{
	uint32_t err = sel & 0xfffc, e;
	if (!(sel & ~3u))
		return EXC(V_GP, 0);
	if ((e = desc_read(sel, d)))
		return e;
	if (!DESC_CODE(d))
		return EXC(V_GP, err);
	if (is_return) {
		/* far return / iret: RPL is the new CPL, never inward */
		if ((sel & 3) < cpu.cpl)
			return EXC(V_GP, err);
		if ((d->type & 4) ? d->dpl > (sel & 3) : d->dpl != (sel & 3))
			return EXC(V_GP, err);
	} else if (d->type & 4) {
		if (d->dpl > cpu.cpl)
			return EXC(V_GP, err);
	} else if ((sel & 3) > cpu.cpl || d->dpl != cpu.cpl) {
		return EXC(V_GP, err);
	}
	(void)new_cpl;
	if (!d->p)
		return EXC(V_NP, err);
	return mark_accessed(sel, d);
}

void seg_null_outer(unsigned cpl)
{
	static const unsigned regs[] = { SR_ES, SR_DS, SR_FS, SR_GS };
	for (unsigned i = 0; i < 4; i++) {
		struct seg *s = &cpu.seg[regs[i]];
		int conforming_code = DESC_CODE(&s->d) && (s->d.type & 4);
		if ((s->sel & ~3u) && !conforming_code && s->d.dpl < cpl) {
			struct desc z = { 0 };
			seg_set(regs[i], 0, &z);
		}
	}
}

/* mov to/from segment registers, push/pop of them, lds & co. */
uint32_t emu_seg(const struct insn_ctx *c, struct gregs *r)
{
	unsigned sr = c->in.op_a, osz = c->in.opsize == 2 ? 2 : 4;
	uint32_t v = 0, e;

	if (sr >= 6 || (sr == SR_CS && c->kind != AB_KIND_MOV_FROM_SREG && c->kind != AB_KIND_PUSH_SREG))
		return UD;
	switch (c->kind) {
	case AB_KIND_MOV_FROM_SREG:
		/* A register gets the selector zero-extended (32-bit operand),
		 * memory gets 16 bits. */
		if ((c->in.modrm >> 6) == 3) {
			reg_write(r, c->in.modrm & 7, osz, cpu.seg[sr].sel);
			return 0;
		}
		return op_write_rm(c, r, 2, cpu.seg[sr].sel);
	case AB_KIND_PUSH_SREG:
		return gpush(r, cpu.seg[sr].sel, osz);
	case AB_KIND_MOV_TO_SREG:
		if ((e = op_read_rm(c, r, 2, &v)))
			return e;
		return seg_load(sr, (uint16_t)v);
	case AB_KIND_POP_SREG: {
		uint32_t sp = R_ESP(r);
		if ((e = gm_read(seg_base(SR_SS) + sp, &v, osz)))
			return e;
		/* pop %ss: the selector is checked before esp moves */
		if ((e = seg_load(sr, (uint16_t)v)))
			return e;
		R_ESP(r) = sp + osz;
		return 0;
	}
	case AB_KIND_LOAD_FAR_PTR: {
		uint32_t la, off = 0, sel = 0;
		if ((c->in.modrm >> 6) == 3)
			return UD;
		la = op_addr(c, r);
		if ((e = gm_read(la, &off, osz)) || (e = gm_read(la + osz, &sel, 2)))
			return e;
		if ((e = seg_load(sr, (uint16_t)sel)))
			return e;
		reg_write(r, c->in.op_b, osz, off);
		return 0;
	}
	}
	return UD;
}
