/*
 * Byte-level recognition of sensitive instructions.  The patterns are data
 * (encodings.def); this file only knows the x86 instruction format:
 * prefixes, opcode map, ModRM, SIB, displacement, immediate.
 */
#include "decode.h"
#include "kinds.h"
#include "site.h"

enum { MODRM_NO, MODRM_ANY, MODRM_MEM, MODRM_CTRL, MODRM_EXACT };
enum { IMM_NONE, IMM_I8, IMM_I16, IMM_FARPTR };
#define M32 AB_MODE_32
#define M64 AB_MODE_64

struct enc {
	uint8_t kind, map, opcode, modrm, imm, modes;
	int16_t reg;
	int8_t sreg;
};

static const struct enc encodings[] = {
#define ENC(k, m, op, mr, r, im, md, sr) \
	{ AB_KIND_##k, m, op, MODRM_##mr, IMM_##im, md, r, sr },
#include "encodings.def"
#undef ENC
};

static int is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return 1;
	}
	return 0;
}

/* Bytes taken by ModRM, SIB and displacement, or 0 if truncated. */
unsigned ab_modrm_len(const uint8_t *p, size_t n, int addr16)
{
	if (n < 1)
		return 0;
	unsigned mod = p[0] >> 6, rm = p[0] & 7, len = 1;
	if (mod == 3)
		return 1;
	if (addr16) {
		if (mod == 0 && rm == 6)
			len += 2;
		else
			len += mod == 1 ? 1 : mod == 2 ? 2 : 0;
		return len <= n ? len : 0;
	}
	if (rm == 4) {
		if (n < 2)
			return 0;
		len++;
		if (mod == 0 && (p[1] & 7) == 5)
			len += 4;
	} else if (mod == 0 && rm == 5) {
		len += 4;
	}
	len += mod == 1 ? 1 : mod == 2 ? 4 : 0;
	return len <= n ? len : 0;
}

static int enc_matches(const struct enc *e, unsigned map, uint8_t op,
		       const uint8_t *rest, size_t nrest, enum ab_mode mode)
{
	if (e->map != map || e->opcode != op || !(e->modes & mode))
		return 0;
	if (e->modrm == MODRM_NO || e->modrm == MODRM_CTRL)
		return e->modrm == MODRM_NO || nrest >= 1;
	if (nrest < 1)
		return 0;
	uint8_t m = rest[0];
	if (e->modrm == MODRM_EXACT)
		return m == (uint8_t)e->reg;
	if (e->reg >= 0 && ((m >> 3) & 7) != e->reg)
		return 0;
	if (e->modrm == MODRM_MEM && (m >> 6) == 3)
		return 0;
	/* 0F 01 with mod=3 encodes other instructions (monitor, swapgs...),
	 * except smsw and lmsw, whose register forms are real. */
	if (map == 1 && op == 0x01 && (m >> 6) == 3 && e->modrm != MODRM_ANY)
		return 0;
	return 1;
}

unsigned ab_decode(const uint8_t *p, size_t n, enum ab_mode mode, struct ab_insn *out)
{
	size_t i = 0;
	int opsize16 = 0, addr16 = 0, rep = 0, rexw = 0, rexr = 0, rexb = 0;

	while (i < n && i < 14 && is_legacy_prefix(p[i])) {
		if (p[i] == 0x66) opsize16 = 1;
		if (p[i] == 0x67) addr16 = 1;
		if (p[i] == 0xf3 || p[i] == 0xf2) rep = 1;
		i++;
	}
	if (mode == AB_MODE_64 && i < n && (p[i] & 0xf0) == 0x40) {
		rexw = (p[i] >> 3) & 1;
		rexr = (p[i] >> 2) & 1;
		rexb = p[i] & 1;
		i++;
	}
	if (i >= n)
		return 0;
	unsigned prefix_len = (unsigned)i, map = 0;
	if (p[i] == 0x0f) {
		map = 1;
		if (++i >= n)
			return 0;
	}
	uint8_t op = p[i++];
	const uint8_t *rest = p + i;
	size_t nrest = n - i;
	/* In 64-bit mode, 0x67 selects 32-bit addressing, never 16-bit. */
	int a16 = mode == AB_MODE_32 && addr16;

	for (size_t e = 0; e < sizeof encodings / sizeof encodings[0]; e++) {
		const struct enc *en = &encodings[e];
		if (!enc_matches(en, map, op, rest, nrest, mode))
			continue;
		unsigned len = (unsigned)i, mlen = 0;
		if (en->modrm == MODRM_CTRL)
			mlen = 1;
		else if (en->modrm != MODRM_NO && !(mlen = ab_modrm_len(rest, nrest, a16)))
			return 0;
		len += mlen;
		unsigned opsz = rexw ? 8 : opsize16 ? 2 : 4;
		unsigned imm = en->imm == IMM_I8 ? 1 : en->imm == IMM_I16 ? 2 :
			       en->imm == IMM_FARPTR ? 2u + (opsize16 ? 2u : 4u) : 0;
		if (len + imm > n || len + imm > 15)
			return 0;

		struct ab_insn d = { 0 };
		d.kind = en->kind;
		d.len = (uint8_t)(len + imm);
		d.prefix_len = (uint8_t)prefix_len;
		d.opsize = (uint8_t)opsz;
		d.flags = (uint8_t)((mode == AB_MODE_64 ? AB_SITE_CODE64 : 0) | (rep ? AB_SITE_REP : 0));
		if (mlen) {
			d.has_modrm = 1;
			d.modrm = rest[0];
			if ((rest[0] >> 6) != 3 && en->modrm != MODRM_CTRL)
				d.flags |= AB_SITE_MEM;
		}
		/* Register numbers include REX.R and REX.B (r8..r15, cr8). */
		uint8_t reg = (uint8_t)(((d.modrm >> 3) & 7) | (rexr << 3));
		uint8_t rm = (uint8_t)((d.modrm & 7) | ((d.modrm >> 6) == 3 || en->modrm == MODRM_CTRL ? rexb << 3 : 0));
		const uint8_t *ip = p + len;

		switch (ab_kinds[en->kind].layout) {
		case AB_LAYOUT_NONE:
			if (en->kind == AB_KIND_PUSHF || en->kind == AB_KIND_POPF)
				d.width = (uint8_t)(mode == AB_MODE_64 && !opsize16 ? 8 : opsz);
			else if (en->kind == AB_KIND_IRET)
				d.width = (uint8_t)opsz;
			break;
		case AB_LAYOUT_RM:
			d.op_b = rm;
			break;
		case AB_LAYOUT_REG_RM:
			d.op_a = reg;
			d.op_b = rm;
			d.width = (uint8_t)opsz;
			break;
		case AB_LAYOUT_SREG:
			d.op_a = (uint8_t)en->sreg;
			break;
		case AB_LAYOUT_SREG_RM:
			d.op_a = reg;
			d.op_b = rm;
			d.width = 2;
			break;
		case AB_LAYOUT_SREG_REG_RM:
			d.op_a = (uint8_t)en->sreg;
			d.op_b = reg;
			d.width = (uint8_t)opsz;
			break;
		case AB_LAYOUT_PORT:
			d.width = (uint8_t)((op & 1) ? (opsize16 ? 2 : 4) : 1);
			if (imm) {
				d.op_a = ip[0];
				d.flags |= AB_SITE_IMM;
			}
			break;
		case AB_LAYOUT_CTRL:
			d.op_a = reg;
			d.op_b = rm;
			d.width = (uint8_t)(mode == AB_MODE_64 ? 8 : 4);
			break;
		case AB_LAYOUT_IMM:
			if (imm) {
				d.op_a = ip[0];
				d.op_b = ip[1];
				d.flags |= AB_SITE_IMM;
			}
			d.width = (uint8_t)opsz;
			break;
		case AB_LAYOUT_FAR:
			if (imm) {
				/* ptr16:32 stores the offset first, then the selector. */
				d.op_a = ip[imm - 2];
				d.op_b = ip[imm - 1];
				d.flags |= AB_SITE_IMM;
			}
			d.width = (uint8_t)opsz;
			break;
		}
		if (out)
			*out = d;
		return d.len;
	}
	return 0;
}

void ab_site_fill(struct ab_site_record *r, const struct ab_insn *in, unsigned site_len)
{
	r->kind = in->kind;
	r->len = (uint8_t)site_len;
	r->insn_len = in->len;
	r->flags = (uint8_t)((in->flags & 0x0f) | (AB_SITE_VERSION << AB_SITE_VERSION_SHIFT));
	r->op_a = in->op_a;
	r->op_b = in->op_b;
	r->width = in->width;
	r->modrm = in->modrm;
}
