/*
 * One emulation step, the same for a patched site and for an unpatched
 * instruction that trapped: the decoded ORIGINAL instruction (abi/decode.c)
 * is carried out against the virtual CPU.  r->eip is the instruction's (or
 * site's) start on entry; on success it becomes c->next unless the step
 * transferred control (XFER); an exception is delivered with EIP = start,
 * as the hardware reports faults (docs/abi/site-record.md, "Faults inside
 * a site").  Privilege checks are against the virtual CPL, so the same code
 * gives ring-3 guest code its #GP.
 */
#include "vcpu_state.h"

uint32_t emulate(const struct insn_ctx *c, struct gregs *r)
{
	struct gregs save;
	uint32_t e;

	gregs_copy(&save, r);

	switch (c->kind) {
	case AB_KIND_PUSHF: case AB_KIND_POPF: case AB_KIND_CLI: case AB_KIND_STI: case AB_KIND_HLT:
		e = emu_flags(c, r);
		break;
	case AB_KIND_IRET:
		e = emu_iret(c, r);
		break;
	case AB_KIND_SGDT: case AB_KIND_SIDT: case AB_KIND_SLDT: case AB_KIND_STR:
	case AB_KIND_LGDT: case AB_KIND_LIDT: case AB_KIND_LLDT: case AB_KIND_LTR:
		e = emu_dtables(c, r);
		break;
	case AB_KIND_SMSW: case AB_KIND_LMSW: case AB_KIND_CLTS: case AB_KIND_INVLPG:
	case AB_KIND_INVD: case AB_KIND_WBINVD: case AB_KIND_MOV_TO_CR: case AB_KIND_MOV_FROM_CR:
		e = emu_cr(c, r);
		break;
	case AB_KIND_MOV_TO_DR: case AB_KIND_MOV_FROM_DR:
		e = emu_dr(c, r);
		break;
	case AB_KIND_LAR: case AB_KIND_LSL: case AB_KIND_VERR: case AB_KIND_VERW:
		e = emu_probe(c, r);
		break;
	case AB_KIND_MOV_FROM_SREG: case AB_KIND_PUSH_SREG: case AB_KIND_MOV_TO_SREG:
	case AB_KIND_POP_SREG: case AB_KIND_LOAD_FAR_PTR:
		e = emu_seg(c, r);
		break;
	case AB_KIND_LRET: case AB_KIND_LJMP: case AB_KIND_LCALL:
		e = emu_far(c, r);
		break;
	case AB_KIND_CPUID:
		emu_cpuid(r);
		e = 0;
		break;
	case AB_KIND_IN: case AB_KIND_OUT: case AB_KIND_INS: case AB_KIND_OUTS:
		e = emu_io(c, r);
		break;
	case AB_KIND_RDMSR: case AB_KIND_WRMSR: case AB_KIND_RDPMC:
		e = emu_msr(c, r);
		break;
	case AB_KIND_SYSENTER: case AB_KIND_SYSEXIT:
		e = emu_sysenter(c, r);
		break;
	case AB_KIND_RDTSC: {
		if ((cpu.cr4 & CR4_TSD) && cpu.cpl) {
			e = GP0;
			break;
		}
		uint32_t lo, hi;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		R_EAX(r) = lo;
		R_EDX(r) = hi;
		e = 0;
		break;
	}
	case AB_KIND_DEV_WRITE: case AB_KIND_DEV_READ:
		e = emu_mmio(c, r);
		break;
	case AB_KIND_SWAPGS: case AB_KIND_SYSCALL: case AB_KIND_SYSRET:
		e = UD;    /* 64-bit only; #UD on our i386 CPU model, as bare */
		break;
	default:
		e = unsupported("unknown kind", c->start);
		break;
	}

	if (IS_EXC(e)) {
		/* The instruction did not happen: registers as before it, except
		 * what a partial rep string step legitimately moved. */
		if (c->kind != AB_KIND_INS && c->kind != AB_KIND_OUTS)
			gregs_copy(r, &save);
		else
			r->eflags = save.eflags;
		r->eip = c->start;
		deliver_exception(r, e);
	} else if (e != XFER) {
		r->eip = c->next;
	}
	return e;
}
