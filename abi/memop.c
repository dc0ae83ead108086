/* Decoding the memory movs of context-sensitive sites (abi/memop.h). */
#include "memop.h"
#include "kinds.h"
#include "site.h"

static int seg_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: return 0;
	case 0x2e: return 1;
	case 0x36: return 2;
	case 0x3e: return 3;
	case 0x64: return 4;
	case 0x65: return 5;
	}
	return -1;
}

static uint32_t rd_le(const uint8_t *p, unsigned size)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

unsigned ab_memop_decode(const uint8_t *p, size_t n, enum ab_mode mode, struct ab_memop *m)
{
	size_t i = 0;
	int opsize16 = 0, seg = AB_MEMOP_NO_SEG;
	if (mode != AB_MODE_32)
		return 0;
	for (; i < n && i < 4; i++) {
		int s = seg_prefix(p[i]);
		if (p[i] == 0x66)
			opsize16 = 1;
		else if (s >= 0)
			seg = s;
		else
			break;
	}
	if (i >= n)
		return 0;
	struct ab_memop o = { 0 };
	o.prefix_len = (uint8_t)i;
	o.seg = (uint8_t)seg;
	uint8_t op = p[i++];
	unsigned wide = opsize16 ? 2 : 4;
	switch (op) {
	case 0x88: o.write = 1; o.width = 1; break;
	case 0x89: o.write = 1; o.width = (uint8_t)wide; break;
	case 0x8a: o.write = 0; o.width = 1; break;
	case 0x8b: o.write = 0; o.width = (uint8_t)wide; break;
	case 0xc6: o.write = 1; o.width = 1; o.has_imm = 1; break;
	case 0xc7: o.write = 1; o.width = (uint8_t)wide; o.has_imm = 1; break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		/* al/eax <-> moffs32: no ModRM, the register is always 0 */
		if (i + 4 > n)
			return 0;
		o.write = op >= 0xa2;
		o.width = (op & 1) ? (uint8_t)wide : 1;
		o.moffs = rd_le(p + i, 4);
		o.len = (uint8_t)(i + 4);
		*m = o;
		return o.len;
	default:
		return 0;
	}
	if (i >= n || (p[i] >> 6) == 3)
		return 0;
	o.has_modrm = 1;
	o.modrm = p[i];
	o.reg = (p[i] >> 3) & 7;
	if (o.has_imm && o.reg != 0)
		return 0;          /* C6/C7 with another /digit is no mov */
	unsigned ml = ab_modrm_len(p + i, n - i, 0);
	if (!ml)
		return 0;
	i += ml;
	if (o.has_imm) {
		unsigned isz = o.width;
		if (i + isz > n)
			return 0;
		o.imm = rd_le(p + i, isz);
		i += isz;
		o.reg = 0;
	}
	o.len = (uint8_t)i;
	*m = o;
	return o.len;
}

void ab_memop_insn(const struct ab_memop *m, unsigned kind, struct ab_insn *in)
{
	in->kind = (uint8_t)kind;
	in->len = m->len;
	in->prefix_len = m->prefix_len;
	in->opsize = m->width == 2 ? 2 : 4;
	in->width = m->width;
	in->modrm = m->has_modrm ? m->modrm : 0;
	in->has_modrm = m->has_modrm;
	in->op_a = m->has_imm ? 0 : m->reg;
	in->op_b = 0;
	in->flags = AB_SITE_MEM | (m->has_imm ? AB_SITE_IMM : 0);
}

int ab_memop_matches(unsigned kind, const struct ab_memop *m)
{
	switch (kind) {
	case AB_KIND_DEV_WRITE: return m->write == 1;
	case AB_KIND_DEV_READ: return m->write == 0;
	}
	return 0;
}

unsigned ab_decode_site_insn(const uint8_t *p, size_t n, enum ab_mode mode, unsigned kind,
			     struct ab_insn *out)
{
	const struct ab_kind_info *k = ab_kind_info(kind);
	if (!k || k->cls != AB_CLASS_CONTEXT)
		return ab_decode(p, n, mode, out);
	struct ab_memop m;
	if (!ab_memop_decode(p, n, mode, &m) || !ab_memop_matches(kind, &m))
		return 0;
	ab_memop_insn(&m, kind, out);
	return m.len;
}
