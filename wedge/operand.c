/*
 * Operands of a decoded instruction: general registers by number and size,
 * and the ModRM r/m operand, register or memory.  abi/decode.c measures
 * the instruction and gives the ModRM byte; the address arithmetic
 * (SIB, displacement, 16-bit forms, the segment and its base) is here, as
 * the hardware does it.
 */
#include "vcpu_state.h"

uint32_t reg_read(struct gregs *r, unsigned n, unsigned size)
{
	if (size == 1)   /* al cl dl bl ah ch dh bh */
		return (*greg(r, n & 3) >> ((n & 4) ? 8 : 0)) & 0xff;
	uint32_t v = *greg(r, n);
	return size == 2 ? v & 0xffff : v;
}

void reg_write(struct gregs *r, unsigned n, unsigned size, uint32_t v)
{
	if (size == 1) {
		unsigned sh = (n & 4) ? 8 : 0;
		uint32_t *p = greg(r, n & 3);
		*p = (*p & ~(0xffu << sh)) | ((v & 0xff) << sh);
	} else if (size == 2) {
		uint32_t *p = greg(r, n);
		*p = (*p & 0xffff0000u) | (v & 0xffff);
	} else {
		*greg(r, n) = v;
	}
}

/* Where the ModRM byte is: after the prefixes and a one- or two-byte opcode
 * (no sensitive instruction has a three-byte opcode). */
static unsigned modrm_pos(const struct insn_ctx *c)
{
	unsigned i = c->in.prefix_len;
	return c->bytes[i] == 0x0f ? i + 2 : i + 1;
}

static int addr16(const struct insn_ctx *c)
{
	for (unsigned i = 0; i < c->in.prefix_len; i++)
		if (c->bytes[i] == 0x67)
			return 1;
	return 0;
}

static int32_t disp(const uint8_t *p, unsigned size)
{
	if (size == 1)
		return (int8_t)p[0];
	if (size == 2)
		return (int16_t)(p[0] | p[1] << 8);
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

unsigned op_seg(const struct insn_ctx *c, unsigned dflt)
{
	unsigned sr = dflt;
	for (unsigned i = 0; i < c->in.prefix_len; i++)   /* the last override wins, as QEMU */
		switch (c->bytes[i]) {
		case 0x26: sr = SR_ES; break;
		case 0x2e: sr = SR_CS; break;
		case 0x36: sr = SR_SS; break;
		case 0x3e: sr = SR_DS; break;
		case 0x64: sr = SR_FS; break;
		case 0x65: sr = SR_GS; break;
		}
	return sr;
}

/* The offset of the memory operand; *stack: its default segment is SS
 * (based on ebp or esp). */
static uint32_t ea(const struct insn_ctx *c, struct gregs *r, int *stack)
{
	const uint8_t *p = c->bytes + modrm_pos(c);
	unsigned mod = p[0] >> 6, rm = p[0] & 7;
	p++;
	*stack = 0;
	if (addr16(c)) {
		static const uint8_t b1[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };   /* bx bx bp bp si di bp bx */
		static const int8_t b2[8] = { 6, 7, 6, 7, -1, -1, -1, -1 }; /* si di si di */
		uint32_t a = 0;
		if (mod == 0 && rm == 6) {
			a = (uint32_t)disp(p, 2);
		} else {
			a = *greg(r, b1[rm]);
			*stack = b1[rm] == 5;
			if (b2[rm] >= 0)
				a += *greg(r, (unsigned)b2[rm]);
			if (mod == 1)
				a += (uint32_t)disp(p, 1);
			else if (mod == 2)
				a += (uint32_t)disp(p, 2);
		}
		return a & 0xffff;
	}
	uint32_t a = 0;
	if (rm == 4) {
		unsigned sib = *p++, scale = sib >> 6, idx = (sib >> 3) & 7, base = sib & 7;
		if (base == 5 && mod == 0) {
			a = (uint32_t)disp(p, 4);
			p += 4;
		} else {
			a = *greg(r, base);
			*stack = base == 4 || base == 5;
		}
		if (idx != 4)
			a += *greg(r, idx) << scale;
	} else if (rm == 5 && mod == 0) {
		return (uint32_t)disp(p, 4);
	} else {
		a = *greg(r, rm);
		*stack = rm == 5;
	}
	if (mod == 1)
		a += (uint32_t)disp(p, 1);
	else if (mod == 2)
		a += (uint32_t)disp(p, 4);
	return a;
}

uint32_t op_addr(const struct insn_ctx *c, const struct gregs *r0)
{
	struct gregs *r = (struct gregs *)r0;   /* greg() is read-only here */
	int stack;
	uint32_t off = ea(c, r, &stack);
	return seg_base(op_seg(c, stack ? SR_SS : SR_DS)) + off;
}

static int rm_is_reg(const struct insn_ctx *c) { return (c->in.modrm >> 6) == 3; }

uint32_t op_read_rm(const struct insn_ctx *c, struct gregs *r, unsigned size, uint32_t *v)
{
	if (rm_is_reg(c)) {
		*v = reg_read(r, c->in.modrm & 7, size);
		return 0;
	}
	uint32_t x = 0, e = gm_read(op_addr(c, r), &x, size);
	if (!e)
		*v = x;
	return e;
}

uint32_t op_write_rm(const struct insn_ctx *c, struct gregs *r, unsigned size, uint32_t v)
{
	if (rm_is_reg(c)) {
		reg_write(r, c->in.modrm & 7, size, v);
		return 0;
	}
	return gm_write(op_addr(c, r), &v, size);
}
