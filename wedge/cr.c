/*
 * Control registers: mov to/from %cr0 %cr2 %cr3 %cr4, smsw, lmsw, clts,
 * invlpg, invd, wbinvd.  The kernel reads vcpu->cr0 (PG, WP), cr3 and cr4
 * to build the shadows, so those are kept current and every change that
 * alters translation drops them, and the wedge's own cache of guest-physical
 * addresses (flush_translations(0), gphys.c); invlpg drops one page.  A CR3
 * load of another page directory tells the kernel so (switch_translations):
 * it may keep the supervisor tables both directories share.
 * Behaviour follows QEMU TCG (helper_write_crN, helper_lmsw): CPL checks
 * first, then #UD for a register that does not exist.
 */
#include "vcpu_state.h"

/* CR4 bits of the CPU model (qemu32): VME PVI TSD DE PSE PAE MCE PGE PCE
 * OSFXSR OSXMMEXCPT.  Others are reserved: #GP(0). */
#define CR4_KNOWN 0x000007ffu

static uint32_t write_cr0(uint32_t v)
{
	if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
		return GP0;
	v |= CR0_ET;
	uint32_t old = cpu.cr0;
	cpu.cr0 = v;
	vcpu->cr0 = v;
	if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE))
		flush_translations(0);
	return 0;
}

uint32_t emu_cr(const struct insn_ctx *c, struct gregs *r)
{
	unsigned n = c->in.op_a, g = c->in.op_b & 7;
	uint32_t v = 0, e;

	switch (c->kind) {
	case AB_KIND_SMSW:
		/* QEMU: a register gets all of CR0 (32-bit operand), memory 16 bits */
		return op_write_rm(c, r, (c->in.modrm >> 6) == 3 ? (c->in.opsize == 2 ? 2 : 4) : 2, cpu.cr0);
	case AB_KIND_LMSW:
		if (cpu.cpl)
			return GP0;
		if ((e = op_read_rm(c, r, 2, &v)))
			return e;
		/* PE MP EM TS only; PE can be set, never cleared */
		return write_cr0((cpu.cr0 & ~0xeu) | (v & 0xf));
	case AB_KIND_CLTS:
		if (cpu.cpl)
			return GP0;
		cpu.cr0 &= ~CR0_TS;
		vcpu->cr0 = cpu.cr0;
		return 0;
	case AB_KIND_INVLPG:
		if (cpu.cpl)
			return GP0;
		if ((c->in.modrm >> 6) == 3)
			return UD;
		flush_translations(op_addr(c, r));
		return 0;
	case AB_KIND_INVD:
	case AB_KIND_WBINVD:
		return cpu.cpl ? GP0 : 0;   /* no caches to model */
	}

	if (cpu.cpl)
		return GP0;
	if (n != 0 && n != 2 && n != 3 && n != 4)
		return UD;
	if (c->kind == AB_KIND_MOV_FROM_CR) {
		*greg(r, g) = n == 0 ? cpu.cr0 : n == 2 ? cpu.cr2 : n == 3 ? cpu.cr3 : cpu.cr4;
		return 0;
	}
	v = *greg(r, g);
	switch (n) {
	case 0:
		return write_cr0(v);
	case 2:
		cpu.cr2 = v;
		return 0;
	case 3: {
		/* Another page directory is an address-space switch, which may
		 * keep what the two share; the same one again is how a guest
		 * without PGE flushes its whole TLB. */
		int other = ((cpu.cr3 ^ v) & ~0xfffu) != 0;
		cpu.cr3 = v;
		vcpu->cr3 = v;
		if (other)
			switch_translations();
		else
			flush_translations(0);
		return 0;
	}
	default:
		if (v & ~CR4_KNOWN)
			return GP0;
		cpu.cr4 = v;
		vcpu->cr4 = v;
		flush_translations(0);
		return 0;
	}
}
