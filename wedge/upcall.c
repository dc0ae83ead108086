/*
 * The upcall entry (abi/vcpu.h): the kernel could not resolve a guest
 * trap, saved the state in the vCPU page and entered us on our stack.
 *   0..31      a CPU exception.  #GP/#UD of a sensitive instruction the
 *              guest may run at its virtual CPL: decode it at the guest
 *              eip, emulate, count it as its kind.  #GP with the IDT bit
 *              from int n (the host gate is DPL 0): the guest's software
 *              interrupt.  #BP/#OF come through DPL-3 host gates with eip
 *              after int3/into.  Anything else is the guest's own.
 *   SOFTINT|n  int $n through a DPL-3 host gate (0x30), eip after it.
 *   IRQ        a line is pending with the virtual IF set.
 *   BADPHYS    guest tables point outside guest memory: a mov to or from
 *              a device register we model is emulated (dev-write,
 *              dev-read); anything else is the guest's #PF.
 * A #PF or BADPHYS that is the fetch of a site's call made from another
 * address than the site's link address (site_misdirected, sites.c) runs
 * that site.
 */
#include "vcpu_state.h"

static void load_regs(struct gregs *r)
{
	volatile struct ab_vcpu_regs *v = &vcpu->regs;
	R_EDI(r) = v->edi;
	R_ESI(r) = v->esi;
	R_EBP(r) = v->ebp;
	R_ESP(r) = v->esp;
	R_EBX(r) = v->ebx;
	R_EDX(r) = v->edx;
	R_ECX(r) = v->ecx;
	R_EAX(r) = v->eax;
	r->eip = v->eip;
	r->eflags = eflags_virt(v->eflags);
	/* The data selectors are the guest's, live (docs/abi/vcpu.md,
	 * "Segments"); cs and ss are the hardware's (RPL 3): ours are virtual. */
	uint32_t hw[4] = { v->ds, v->es, v->fs, v->gs };
	seg_take_hw(hw);
}

/* The bytes at the guest's eip, up to 15 (fewer at the end of a readable
 * range).  Read with gm_peek: running off a mapped range must not change
 * the guest's CR2. */
static unsigned fetch(uint32_t eip, uint8_t *buf)
{
	unsigned n = 0;
	uint32_t cs = seg_base(SR_CS);
	while (n < 15 && !gm_peek(cs + eip + n, buf + n, 1))
		n++;
	return n;
}

/* c's instruction (c->in decoded from buf) is the unpatched one at eip. */
static void at_eip(uint32_t eip, uint8_t *buf, struct insn_ctx *c)
{
	c->bytes = buf;
	c->start = eip;
	c->next = eip + c->in.len;
	c->from_site = 0;
}

/* The sensitive instruction at eip, or 0 if it is not one. */
static int decode_at(uint32_t eip, uint8_t *buf, struct insn_ctx *c)
{
	unsigned n = fetch(eip, buf);
	if (!n || !ab_decode(buf, n, AB_MODE_32, &c->in))
		return 0;
	c->kind = c->in.kind;
	at_eip(eip, buf, c);
	return 1;
}

/* BADPHYS: a native mov to or from a page the guest's tables put beyond
 * guest memory.  If it addresses a device register we model, emulate it
 * and count it as dev-write or dev-read (docs/wedge.md, "Context kinds");
 * 0: it does not, and the guest gets its #PF. */
static int device_access(struct gregs *r)
{
	uint8_t buf[16];
	struct insn_ctx c;
	unsigned n = fetch(r->eip, buf);
	if (!n || !memop_decode(buf, n, &c))
		return 0;
	at_eip(r->eip, buf, &c);
	if (!mmio_targets_device(&c, r))
		return 0;
	set_exit_kind(c.kind);
	emulate(&c, r);
	return 1;
}

/* int n / int3 / into that reached the host as #GP(IDT) or #BP/#OF.
 * Counted as the dump says (docs/abi/trap-dump.md): int3 and into are
 * exceptions (exception:3, exception:4), int $n a software interrupt
 * (int:0xN); set before delivering, which a triple fault never leaves. */
static void soft_interrupt(struct gregs *r, unsigned vec, int eip_after)
{
	uint8_t b = 0;
	uint32_t at = seg_base(SR_CS) + (eip_after ? r->eip - 1 : r->eip);
	unsigned len = 2;
	if (!gm_peek(at, &b, 1) && ((vec == 3 && b == 0xcc) || (vec == 4 && b == 0xce)))
		len = 1;
	set_exit_kind((len == 1 ? AB_TRAPK_EXCEPTION : AB_TRAPK_SOFTINT) | vec);
	if (eip_after) {
		/* #BP/#OF: eip is after int3 (CC), into (CE) or int $3/$4 (CD nn) */
		uint32_t next = r->eip;
		r->eip -= len;
		deliver_softint(r, vec, next);
	} else {
		deliver_softint(r, vec, r->eip + len);
	}
}

static void exception(struct gregs *r, unsigned vec, uint32_t err, uint32_t cr2)
{
	if (vec == V_GP && (err & 3) == 2) {
		soft_interrupt(r, (err >> 3) & 0xff, 0);
		return;
	}
	if (vec == V_BP || vec == V_OF) {
		soft_interrupt(r, vec, 1);
		return;
	}
	if (vec == V_GP || vec == V_UD) {
		uint8_t buf[16];
		struct insn_ctx c;
		if (decode_at(r->eip, buf, &c)) {
			set_exit_kind(c.kind);
			emulate(&c, r);
			return;
		}
	}
	if (vec == V_PF) {
		if (site_misdirected(r, cr2))
			return;
		cpu.cr2 = cr2;
	}
	set_exit_kind(AB_TRAPK_EXCEPTION | vec);
	deliver_exception(r, EXC(vec, err));
}

void upcall_main(void)
{
	struct gregs r;
	/* Before anything reads guest memory: a fixed-up fault of ours
	 * overwrites vcpu->cr2 and vcpu->error. */
	uint32_t why = vcpu->vector, err = vcpu->error, cr2 = vcpu->cr2;

	vcpu->fixup_eip = 0;
	cpu.in_upcall = 1;
	load_regs(&r);
	cpu.hold_irq = 0;
	cpu.desc_dirty = cpu.cs_ss_dirty = 0;
	set_exit_kind(AB_TRAPK_UNKNOWN | (why & 0xff));
	if (why < 32) {
		exception(&r, why, err, cr2);
	} else if ((why & ~0xffu) == AB_UPCALL_SOFTINT) {
		soft_interrupt(&r, why & 0xff, 1);
	} else if (why == AB_UPCALL_IRQ) {
		/* exit_resume delivers; if the PIC has nothing (masked, or a
		 * higher-priority line in service) the count says 0xff. */
		set_exit_kind(AB_TRAPK_IRQ | 0xff);
	} else if (why == AB_UPCALL_BADPHYS) {
		if (!site_misdirected(&r, cr2) && !device_access(&r)) {
			cpu.cr2 = cr2;
			set_exit_kind(AB_TRAPK_EXCEPTION | V_PF);
			deliver_exception(&r, EXC(V_PF, err));
		}
	} else {
		dbg_hex("wedge: unknown upcall reason", why);
		wedge_panic("unknown upcall", why);
	}
	exit_resume(&r);
}
