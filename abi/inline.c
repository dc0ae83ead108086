/* The inline replacement tables (abi/inline.h), expanded from
 * emitters.def and templates.def.  Freestanding. */
#include "inline.h"
#include "kinds.h"

enum template_id {
	TMPL_NONE,
#define TEMPLATE(id, off, hole, off2, hole2, ...) TMPL_##id,
#include "templates.def"
#undef TEMPLATE
	TMPL_COUNT
};

#define NBYTES(...) (sizeof((uint8_t[]){ __VA_ARGS__ }))

static const struct ab_inline_template templates[TMPL_COUNT] = {
#define TEMPLATE(id, off, h, off2, h2, ...) \
	[TMPL_##id] = { NBYTES(__VA_ARGS__), { { off, AB_HOLE_##h }, { off2, AB_HOLE_##h2 } }, { __VA_ARGS__ } },
#include "templates.def"
#undef TEMPLATE
};

struct emitter {
	uint8_t action, tmpl;
};

/* Zero-initialised rows are { AB_L4_CALL, TMPL_NONE }: the default. */
static const struct emitter l4_emitters[AB_KIND_COUNT] = {
#define L4(kind, act, t) [AB_KIND_##kind] = { AB_L4_##act, TMPL_##t },
#include "emitters.def"
#undef L4
};

enum ab_l4_action ab_l4_action(unsigned kind)
{
	return ab_kind_info(kind) ? (enum ab_l4_action)l4_emitters[kind].action : AB_L4_CALL;
}

const struct ab_inline_template *ab_inline_template(unsigned kind)
{
	if (ab_l4_action(kind) != AB_L4_INLINE || l4_emitters[kind].tmpl == TMPL_NONE)
		return 0;
	return &templates[l4_emitters[kind].tmpl];
}

unsigned ab_kind_inline_len(unsigned kind)
{
	const struct ab_inline_template *t = ab_inline_template(kind);
	return t ? t->len : 0;
}
