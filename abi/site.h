/*
 * The .afterburn site record, format v1 (docs/abi/site-record.md).
 * Freestanding: no libc.
 */
#ifndef AB_SITE_H
#define AB_SITE_H

#include <stdint.h>

#define AB_SITE_SECTION  ".afterburn"
/* Code in .user_text and .user_text.* runs in the guest's own ring 3 and is
 * never annotated (docs/afterburner.md, "Guest user-mode code"). */
#define AB_USER_TEXT_SECTION ".user_text"
#define AB_SITE_VERSION  1
#define AB_SITE_SIZE     12

/* flags */
#define AB_SITE_MEM      0x01   /* the operand is in memory (see the original bytes) */
#define AB_SITE_IMM      0x02   /* op_a/op_b hold an immediate (port, selector, imm16) */
#define AB_SITE_REP      0x04   /* rep prefix (ins/outs) */
#define AB_SITE_CODE64   0x08   /* the site is 64-bit code */
#define AB_SITE_VERSION_SHIFT 4 /* bits 4..7: record version */

struct ab_site_record {
	int32_t rel;       /* site address minus the address of this field */
	uint8_t kind;      /* enum ab_kind */
	uint8_t len;       /* site length: instruction plus no-op padding */
	uint8_t insn_len;  /* length of the original instruction, prefixes included */
	uint8_t flags;     /* AB_SITE_*; the high nibble is AB_SITE_VERSION */
	uint8_t op_a;      /* layout-specific, see enum ab_layout */
	uint8_t op_b;
	uint8_t width;     /* operand size in bytes: 1, 2, 4 or 8 (0: none) */
	uint8_t modrm;     /* the ModRM byte, or 0 when the instruction has none */
} __attribute__((packed));

#ifdef __cplusplus
static_assert(sizeof(struct ab_site_record) == AB_SITE_SIZE, "site record v1 is 12 bytes");
#else
_Static_assert(sizeof(struct ab_site_record) == AB_SITE_SIZE, "site record v1 is 12 bytes");
#endif

static inline unsigned ab_site_version(const struct ab_site_record *r)
{
	return r->flags >> AB_SITE_VERSION_SHIFT;
}

#endif
