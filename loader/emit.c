/*
 * The emitters: per target and kind, what a valid site becomes, and the
 * bytes that are written for it.  The tables (which kinds go inline, with
 * which template) are shared with afterburn-as and live in abi/
 * (inline.h, emitters.def, templates.def); this file decides whether a
 * template applies to a site and fills its holes.  ab_emit_plan decides
 * without writing; ab_emit_write writes exactly the site's len bytes, the
 * replacement followed by no-op padding.
 */
#include <stddef.h>

#include "emit.h"
#include "inline.h"
#include "nops.h"
#include "vcpu.h"

/* The vCPU page's field for control register n, as an offset in the page,
 * or -1: only cr0, cr3 and cr4 are kept current there by the wedge
 * (wedge/cr.c); the page's cr2 is the kernel's fault address, not the
 * guest's %cr2. */
static long cr_field(unsigned n)
{
	switch (n) {
	case 0: return offsetof(struct ab_vcpu, cr0);
	case 3: return offsetof(struct ab_vcpu, cr3);
	case 4: return offsetof(struct ab_vcpu, cr4);
	}
	return -1;
}

/* 1 if every hole of t can be filled for site s. */
static int holes_fill(const struct ab_inline_template *t, const struct ab_site *s)
{
	for (unsigned i = 0; i < AB_INLINE_HOLES; i++) {
		if (t->hole[i].type == AB_HOLE_VCPU_CR && cr_field(s->op_a) < 0)
			return 0;
		if (t->hole[i].type == AB_HOLE_MODRM_REG && s->op_b > 7)
			return 0;
	}
	return 1;
}

static int call_or_not(const struct ab_site *s, const struct ab_wedge *w)
{
	if (!w->entry[s->kind])
		return AB_OUT_LEFT_NOENTRY;
	return s->len >= AB_WEDGE_CALL_LEN ? AB_OUT_CALL : AB_OUT_LEFT_NOFIT;
}

int ab_emit_plan(enum ab_target target, const struct ab_site *s, const struct ab_wedge *w)
{
	const struct ab_kind_info *k = ab_kind_info(s->kind);
	if (target == AB_TARGET_BARE || !k)
		return AB_OUT_LEFT_TARGET;
	/* trap: trapping kinds trap; context kinds fault on their address
	 * and the wedge emulates them there. */
	if (target == AB_TARGET_TRAP && k->cls != AB_CLASS_SILENT)
		return AB_OUT_LEFT_TARGET;

	enum ab_l4_action act = ab_l4_action(s->kind);
	if (act == AB_L4_NATIVE)
		return AB_OUT_LEFT_NATIVE;
	const struct ab_inline_template *t = ab_inline_template(s->kind);
	if (act == AB_L4_INLINE && t && s->len >= t->len && holes_fill(t, s))
		return AB_OUT_INLINE;
	return call_or_not(s, w);
}

static void fill_hole(uint8_t *dst, unsigned type, const struct ab_site *s, const struct ab_wedge *w)
{
	switch (type) {
	case AB_HOLE_VCPU_IF:
		wr32(dst, w->vcpu_if);
		break;
	case AB_HOLE_VCPU_CR:
		wr32(dst, w->vcpu + (uint32_t)cr_field(s->op_a));
		break;
	case AB_HOLE_MODRM_REG:
		*dst = (uint8_t)((*dst & 0xc7) | (s->op_b & 7) << 3);
		break;
	}
}

void ab_emit_write(int outcome, const struct ab_site *s, const struct ab_wedge *w, uint8_t *dst)
{
	unsigned n = 0;
	if (outcome == AB_OUT_CALL) {
		/* call rel32: relative to the end of the call, modulo 2^32 */
		dst[0] = 0xe8;
		wr32(dst + 1, w->entry[s->kind] - (uint32_t)(s->addr + AB_WEDGE_CALL_LEN));
		n = AB_WEDGE_CALL_LEN;
	} else if (outcome == AB_OUT_INLINE) {
		const struct ab_inline_template *t = ab_inline_template(s->kind);
		for (n = 0; n < t->len; n++)
			dst[n] = t->bytes[n];
		for (unsigned i = 0; i < AB_INLINE_HOLES; i++)
			fill_hole(dst + t->hole[i].offset, t->hole[i].type, s, w);
	} else {
		return;
	}
	ab_nop_fill(dst + n, (size_t)(s->len - n));
}
