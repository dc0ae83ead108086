/*
 * The wedge's first run (docs/vm-plan.md, "First instruction"): root filled
 * wedge_boot and started us at _start (entry.S), which set our stack.  We
 * register the upcall entry, give the guest the state the PVH boot
 * protocol promises (as QEMU's PVH option ROM leaves it: 32-bit protected
 * mode, paging off, IF=0, flat code 0x10 and data 0x18, %ebx = the start
 * info; %esp, which PVH leaves undefined, at root's boot stack in reserved
 * guest memory, for the calls of patched sites), start the devices and run
 * the guest.
 */
#include "vcpu_state.h"

_Static_assert(offsetof(struct ab_vcpu, vif) == 8, "exports.S hard-codes vcpu_if = page + 8");
_Static_assert(offsetof(struct ab_vcpu, fixup_eip) == 44, "guestmem_copy.S hard-codes fixup_eip");

/* Filled by root before _start (abi/vcpu.h).  In .data, so it has file
 * bytes root can write into its copy of the image. */
struct ab_wedge_boot wedge_boot __attribute__((used, section(".data"))) = { .magic = 0 };

struct vcpu_state cpu;

extern char wedge_upcall[], wedge_stack_top[];

#define PVH_CS 0x10
#define PVH_DS 0x18

void wedge_boot_main(void)
{
	if (wedge_boot.magic != AB_WEDGE_BOOT_MAGIC || wedge_boot.version != AB_VCPU_VERSION ||
	    vcpu->magic != AB_VCPU_MAGIC)
		wedge_panic("bad boot block or vCPU page (magic)", wedge_boot.magic);

	vcpu->upcall_eip = (uint32_t)wedge_upcall;
	vcpu->upcall_esp = (uint32_t)wedge_stack_top;
	vcpu->fixup_eip = 0;

	seg_flat(SR_CS, PVH_CS, 1);
	seg_flat(SR_SS, PVH_DS, 0);
	seg_flat(SR_DS, PVH_DS, 0);
	seg_flat(SR_ES, PVH_DS, 0);
	seg_flat(SR_FS, PVH_DS, 0);
	seg_flat(SR_GS, PVH_DS, 0);
	cpu.idtr.limit = 0x3ff;           /* the real-mode IDT's, as at reset */
	cpu.gdtr.limit = 0xffff;
	cpu.cr0 = CR0_PE | CR0_ET;
	cpu.dr[6] = 0xffff0ff0u;
	cpu.dr[7] = 0x00000400u;
	cpu.misc_enable = 1;              /* QEMU's reset value (fast strings) */
	cpu.pat_lo = 0x00070406u;         /* the architectural reset PAT */
	cpu.pat_hi = 0x00070406u;
	cpu.vflags = 0;
	set_cpl(0);
	vcpu->cr0 = cpu.cr0;
	vcpu->cr3 = 0;
	vcpu->cr4 = 0;
	vcpu->vif = 0;

	struct gregs r = { { 0 }, 0, 0 };
	R_EBX(&r) = wedge_boot.start_info;
	R_ESP(&r) = wedge_boot.boot_esp;  /* undefined by PVH; see abi/vcpu.h */
	r.eip = wedge_boot.entry;
	r.eflags = FL_1;
	set_exit_kind(AB_TRAPK_UNKNOWN);

	dev_init(&wedge_boot);
	publish_boot();                   /* the hardware holds 0x10/0x18 from the start */
	exit_resume(&r);
}
