/*
 * The emitters: per target and kind, what a valid site becomes
 * (emitters.def, templates.def), and the bytes that are written for it.
 * ab_emit_plan decides without writing; ab_emit_write writes exactly the
 * site's len bytes, the replacement followed by no-op padding.
 */
#include "emit.h"
#include "nops.h"

enum hole { HOLE_NONE, HOLE_VCPU_IF };
enum action { ACT_CALL, ACT_INLINE, ACT_NATIVE };

struct template {
	uint8_t len, hole_offset, hole;
	uint8_t bytes[15];
};

enum template_id {
	TMPL_NONE,
#define TEMPLATE(id, off, hole, ...) TMPL_##id,
#include "templates.def"
#undef TEMPLATE
	TMPL_COUNT
};

#define NBYTES(...) (sizeof((uint8_t[]){ __VA_ARGS__ }))

static const struct template templates[TMPL_COUNT] = {
#define TEMPLATE(id, off, h, ...) \
	[TMPL_##id] = { NBYTES(__VA_ARGS__), off, HOLE_##h, { __VA_ARGS__ } },
#include "templates.def"
#undef TEMPLATE
};

struct emitter {
	uint8_t action, tmpl;
};

/* Zero-initialised rows are { ACT_CALL, TMPL_NONE }: the default. */
static const struct emitter l4_emitters[AB_KIND_COUNT] = {
#define L4(kind, act, t) [AB_KIND_##kind] = { ACT_##act, TMPL_##t },
#include "emitters.def"
#undef L4
};

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
	if (target == AB_TARGET_TRAP && k->cls != AB_CLASS_SILENT)
		return AB_OUT_LEFT_TARGET;

	const struct emitter *e = &l4_emitters[s->kind];
	if (e->action == ACT_NATIVE)
		return AB_OUT_LEFT_NATIVE;
	if (e->action == ACT_INLINE && s->len >= templates[e->tmpl].len)
		return AB_OUT_INLINE;
	return call_or_not(s, w);
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
		const struct template *t = &templates[l4_emitters[s->kind].tmpl];
		for (n = 0; n < t->len; n++)
			dst[n] = t->bytes[n];
		if (t->hole == HOLE_VCPU_IF)
			wr32(dst + t->hole_offset, w->vcpu_if);
	} else {
		return;
	}
	ab_nop_fill(dst + n, (size_t)(s->len - n));
}
