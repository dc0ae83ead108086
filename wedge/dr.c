/*
 * Debug registers, as storage: DR0-DR3 hold any address, DR6 and DR7 keep
 * their fixed-1 bits (QEMU: DR6 | 0xffff0ff0, DR7 | 0x400), and with
 * CR4.DE=0 DR4/DR5 alias DR6/DR7 (with DE=1 they are #UD).  Breakpoints
 * the guest enables in DR7 are NOT armed: a known gap (docs/wedge.md).
 */
#include "vcpu_state.h"

#define DR6_FIXED 0xffff0ff0u
#define DR7_FIXED 0x00000400u

uint32_t emu_dr(const struct insn_ctx *c, struct gregs *r)
{
	unsigned n = c->in.op_a, g = c->in.op_b & 7;
	if (cpu.cpl)
		return GP0;
	if (n > 7)
		return UD;
	if (n == 4 || n == 5) {
		if (cpu.cr4 & CR4_DE)
			return UD;
		n += 2;
	}
	if (c->kind == AB_KIND_MOV_FROM_DR) {
		*greg(r, g) = cpu.dr[n];
		return 0;
	}
	uint32_t v = *greg(r, g);
	if (n == 6)
		v |= DR6_FIXED;
	else if (n == 7) {
		v |= DR7_FIXED;
		if (v & 0xffu)
			dbg_hex("wedge: DR7 enables a breakpoint, which is not armed:", v);
	}
	cpu.dr[n] = v;
	return 0;
}
