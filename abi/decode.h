/*
 * A small byte-level decoder that recognises the sensitive instructions of
 * abi/encodings.def and measures them.  It is the classifier of afterburn-as,
 * afterburn verify and the wedge's trap handler.  Freestanding.
 */
#ifndef AB_DECODE_H
#define AB_DECODE_H

#include <stddef.h>
#include <stdint.h>

enum ab_mode { AB_MODE_32 = 1, AB_MODE_64 = 2 };

struct ab_insn {
	uint8_t kind;        /* enum ab_kind, AB_KIND_NONE if not sensitive */
	uint8_t len;         /* total length, prefixes included */
	uint8_t prefix_len;  /* legacy and REX prefix bytes */
	uint8_t opsize;      /* operand size: 2, 4 or 8 */
	uint8_t width;       /* operand width recorded in the site (0: none) */
	uint8_t modrm;       /* ModRM byte, 0 if none */
	uint8_t has_modrm;
	uint8_t op_a, op_b;  /* as in struct ab_site_record */
	uint8_t flags;       /* AB_SITE_MEM | AB_SITE_IMM | AB_SITE_REP | AB_SITE_CODE64 */
};

/*
 * Decode the instruction at p[0..n).  Returns its length if it is one of
 * the sensitive encodings (filling *out), 0 if it is not sensitive or is
 * truncated.  Never reads past p[n-1].
 */
unsigned ab_decode(const uint8_t *p, size_t n, enum ab_mode mode, struct ab_insn *out);

/* Bytes taken by the ModRM byte at p[0], its SIB and displacement; 0 if
 * truncated.  addr16: 16-bit addressing (a 0x67 prefix in 32-bit code). */
unsigned ab_modrm_len(const uint8_t *p, size_t n, int addr16);

/* Fill the site record fields from a decoded instruction. */
struct ab_site_record;
void ab_site_fill(struct ab_site_record *r, const struct ab_insn *in, unsigned site_len);

#endif
