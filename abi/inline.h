/*
 * The inline replacements of sites, one table for everyone: which kinds
 * the l4 target rewrites inline (emitters.def) and with which bytes
 * (templates.def).  The loader emits them; afterburn-as pads a site that
 * an `emit-inline` rule names to the template's length, so that the loader
 * has room.  Defined once, in inline.c.  Freestanding.
 */
#ifndef AB_INLINE_H
#define AB_INLINE_H

#include <stdint.h>

enum ab_l4_action {
	AB_L4_CALL,            /* a call into the wedge's entry for the kind (the default) */
	AB_L4_INLINE,          /* the kind's template, when it fits and its holes can be filled */
	AB_L4_NATIVE,          /* left alone: the instruction is harmless at CPL 3 */
};

/* What the loader writes into a template's holes (templates.def). */
enum ab_hole {
	AB_HOLE_NONE,
	AB_HOLE_VCPU_IF,       /* abs32: the export table's vcpu_if */
	AB_HOLE_VCPU_CR,       /* abs32: the vCPU page's field for control register op_a */
	AB_HOLE_MODRM_REG,     /* the reg field of a ModRM byte: the record's op_b */
};

#define AB_INLINE_MAX 15
#define AB_INLINE_HOLES 2

struct ab_inline_template {
	uint8_t len;
	struct { uint8_t offset, type; } hole[AB_INLINE_HOLES];   /* type: enum ab_hole */
	uint8_t bytes[AB_INLINE_MAX];
};

/* The l4 action for a kind; AB_L4_CALL for kinds without a row (and unknown ones). */
enum ab_l4_action ab_l4_action(unsigned kind);

/* The kind's inline template, or 0 if the kind has no inline form. */
const struct ab_inline_template *ab_inline_template(unsigned kind);

/* The length of the kind's inline replacement, 0 if it has none.  An
 * `emit-inline` site is padded to at least this (and at least the kind's
 * site_len, so that the loader can still call when the holes cannot be
 * filled, e.g. a read of %cr2). */
unsigned ab_kind_inline_len(unsigned kind);

#endif
