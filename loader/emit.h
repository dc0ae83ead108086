/* The per-target emitters (emit.c), used by the patcher. */
#ifndef AB_LOADER_EMIT_H
#define AB_LOADER_EMIT_H

#include "loader_impl.h"

/* The outcome (enum ab_site_outcome) a valid site gets for target. */
int ab_emit_plan(enum ab_target target, const struct ab_site *s, const struct ab_wedge *w);

/* Write the site's len bytes at dst for an INLINE or CALL outcome. */
void ab_emit_write(int outcome, const struct ab_site *s, const struct ab_wedge *w, uint8_t *dst);

#endif
