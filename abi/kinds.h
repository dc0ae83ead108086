/*
 * Sensitive-instruction kinds (abi/kinds.def), shared by every component.
 * Freestanding: no libc.
 */
#ifndef AB_KINDS_H
#define AB_KINDS_H

#include <stdint.h>

enum ab_kind {
	AB_KIND_NONE = 0,
#define KIND(id, name, class, len, layout, pad) AB_KIND_##id,
#include "kinds.def"
#undef KIND
	AB_KIND_COUNT
};

enum ab_class {
	AB_CLASS_SILENT,
	AB_CLASS_TRAPPING,
	AB_CLASS_CONTEXT,      /* a memory access, sensitive by its address: rules only */
};

/* How a kind's operands are recorded in the site record (docs/abi/site-record.md). */
enum ab_layout {
	AB_LAYOUT_NONE,        /* no operands */
	AB_LAYOUT_RM,          /* op_b: r/m register, or AB_SITE_MEM */
	AB_LAYOUT_REG_RM,      /* op_a: ModRM.reg register, op_b: r/m or AB_SITE_MEM */
	AB_LAYOUT_SREG,        /* op_a: segment register named by the opcode */
	AB_LAYOUT_SREG_RM,     /* op_a: segment register, op_b: r/m or AB_SITE_MEM */
	AB_LAYOUT_SREG_REG_RM, /* op_a: segment register, op_b: destination register */
	AB_LAYOUT_PORT,        /* op_a: port if AB_SITE_IMM, else the port is %dx */
	AB_LAYOUT_CTRL,        /* op_a: control/debug register number, op_b: GPR */
	AB_LAYOUT_IMM,         /* op_a|op_b<<8: 16-bit immediate if AB_SITE_IMM */
	AB_LAYOUT_FAR,         /* AB_SITE_IMM: op_a|op_b<<8 is the selector; else AB_SITE_MEM */
	AB_LAYOUT_MEMOP,       /* a mov to/from memory (abi/memop.h): op_a the register, or
				  AB_SITE_IMM for an immediate source; always AB_SITE_MEM */
};

struct ab_kind_info {
	const char *name;      /* stable spelling used in reports, rules and JSON */
	uint8_t cls;           /* enum ab_class */
	uint8_t site_len;      /* default site length, instruction plus padding */
	uint8_t layout;        /* enum ab_layout */
	uint8_t pad_before;    /* 1: the padding precedes the instruction (kinds.def, pad) */
};

/* Indexed by enum ab_kind; entry 0 is AB_KIND_NONE. */
extern const struct ab_kind_info ab_kinds[AB_KIND_COUNT];

/* Where a site's instruction starts: after the padding for BEFORE kinds. */
static inline unsigned ab_site_insn_offset(unsigned kind, unsigned len, unsigned insn_len)
{
	return kind > AB_KIND_NONE && kind < AB_KIND_COUNT && ab_kinds[kind].pad_before && len >= insn_len
		? len - insn_len : 0;
}


static inline const struct ab_kind_info *ab_kind_info(unsigned kind)
{
	return kind > AB_KIND_NONE && kind < AB_KIND_COUNT ? &ab_kinds[kind] : 0;
}

const char *ab_class_name(unsigned cls);

/* The kind with this name, or AB_KIND_NONE. */
enum ab_kind ab_kind_by_name(const char *name);

#endif
