/*
 * Memory-mapped device registers: the context-sensitive kinds dev-write
 * and dev-read (abi/kinds.def).  The instruction is a plain mov to or from
 * memory (abi/memop.h), sensitive only because of the address it touches,
 * so no opcode pattern finds it: a rule annotates it, or it stays native.
 * Either way it reaches us:
 *   - a patched site (sites.c): the rule made the mov a call to our entry;
 *   - a native mov that faulted: the guest's tables point its page beyond
 *     guest memory, which the kernel cannot shadow, so it upcalls
 *     AB_UPCALL_BADPHYS (upcall.c asks mmio_targets_device).
 * The step is the same: the effective address from the original bytes,
 * its guest-physical address (gphys.c), then the device model
 * (dev_mmio_*).  A site whose address turns out to be guest RAM (a rule
 * that annotated an ordinary access) performs the access on guest memory;
 * an address that is neither gets the #PF the native mov gets.
 */
#include "vcpu_state.h"
#include "memop.h"

unsigned memop_decode(const uint8_t *p, unsigned n, struct insn_ctx *c)
{
	struct ab_memop m;
	if (!ab_memop_decode(p, n, AB_MODE_32, &m))
		return 0;
	c->kind = m.write ? AB_KIND_DEV_WRITE : AB_KIND_DEV_READ;
	ab_memop_insn(&m, c->kind, &c->in);
	c->bytes = p;
	return m.len;
}

/* The linear address: ModRM through operand.c (its segment defaults and
 * overrides); the moffs forms (A0-A3) have none, DS or the override. */
static uint32_t memop_addr(const struct ab_memop *m, const struct insn_ctx *c, const struct gregs *r)
{
	if (m->has_modrm)
		return op_addr(c, r);
	return seg_base(m->seg == AB_MEMOP_NO_SEG ? SR_DS : m->seg) + m->moffs;
}

int mmio_targets_device(const struct insn_ctx *c, struct gregs *r)
{
	struct ab_memop m;
	uint32_t gpa;
	if (!ab_memop_decode(c->bytes, c->in.len, AB_MODE_32, &m))
		return 0;
	uint32_t la = memop_addr(&m, c, r);
	return !gphys_of(la, m.write, &gpa) && gpa >= wedge_boot.mem_size && dev_mmio_claims(gpa);
}

uint32_t emu_mmio(const struct insn_ctx *c, struct gregs *r)
{
	struct ab_memop m;
	uint32_t gpa, e, v = 0;
	if (!ab_memop_decode(c->bytes, c->in.len, AB_MODE_32, &m) ||
	    c->kind != (m.write ? AB_KIND_DEV_WRITE : AB_KIND_DEV_READ))
		return unsupported("dev-write/dev-read site that is no such mov", c->start);
	uint32_t la = memop_addr(&m, c, r);
	if (m.write)
		v = m.has_imm ? m.imm : reg_read(r, m.reg, m.width);
	if ((e = gphys_of(la, m.write, &gpa)))
		return e;
	if (gpa < wedge_boot.mem_size) {
		/* Guest RAM: an ordinary access a rule annotated. */
		if (m.write)
			return gm_write(la, &v, m.width);
		if ((e = gm_read(la, &v, m.width)))
			return e;
	} else if (dev_mmio_claims(gpa)) {
		if (m.write)
			dev_mmio_write(gpa, m.width, v);
		else
			v = dev_mmio_read(gpa, m.width);
	} else {
		/* Nothing there: the not-present #PF of AB_UPCALL_BADPHYS. */
		cpu.cr2 = la;
		return EXC(V_PF, (m.write ? 2u : 0u) | (cpu.cpl == 3 ? 4u : 0u));
	}
	if (!m.write)
		reg_write(r, m.reg, m.width, v);
	return 0;
}
