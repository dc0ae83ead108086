/*
 * The virtual machine ABI, v1 (docs/abi/vcpu.md): the layout of a VM's
 * reserved region, the vCPU page the kernel shares with the wedge, the
 * hypercalls, the boot block root hands the wedge, and the trap kinds the
 * kernel counts.  Freestanding; the hypervisor, the wedge and root share it.
 *
 * Why a shared page: a patched site calls the wedge, which runs in the
 * guest's own address space at CPL 3 and must not trap to read or change
 * the virtual CPU.  The kernel reads the page only to decide what to do
 * (virtual IF, pending lines, paging state) and never trusts it for
 * isolation: every frame it maps still comes from the VM's guest-physical
 * map.
 */
#ifndef AB_VCPU_H
#define AB_VCPU_H

/* --- the reserved top of a VM's address space ------------------------------ */
#define AB_WEDGE_BASE        0xFF000000u  /* the wedge is linked here */
#define AB_WEDGE_END         0xFFC00000u  /* exclusive; kernel view only */
#define AB_VM_UTCB_AREA      0xFFB00000u  /* a VM space's UTCBs (16 at most) */
#define AB_VCPU_PAGE         0xFFBFF000u  /* the vCPU page, mapped by the kernel */
#define AB_GUEST_PHYS_LIMIT  0xFB000000u  /* guest-physical addresses lie below */

#define AB_VCPU_MAGIC   0x55435641u       /* "AVCU" */

/* The guest's GDT entries 0..AB_VCPU_GDT_ENTRIES-1 and LDT entries
 * 0..AB_VCPU_LDT_ENTRIES-1 are loadable by the hardware: the kernel keeps
 * per-VM GDTs with copies of them (docs/abi/vcpu.md, "Segments"), so the
 * guest's selectors are the real ones in %ds, %es, %fs, %gs. */
#define AB_VCPU_GDT_ENTRIES 32
#define AB_VCPU_LDT_ENTRIES 16
/* The hypervisor's flat user data selector (GDT index 35, RPL 3): what the
 * kernel gives the wedge at an upcall, and what the wedge loads into %ds/%es
 * at a patched site when the guest's are not flat. */
#define AB_HV_USER_DS 0x11B
#define AB_VCPU_VERSION 1

/* --- hypercalls: int $0x30 from the wedge's code, %eax = number ---------- */
/* Ordinary system calls (docs/abi/syscalls.md) work from the wedge as well;
 * from anywhere else in a VM, int $0x30 is the guest's own interrupt. */
#define AB_HC_RESUME   0x40  /* load vcpu->regs, pick the view from vcpu->cpl; no return */
#define AB_HC_FLUSH    0x41  /* ebx 0: drop both shadows (CR3/CR0/CR4 write); else invlpg ebx */
/* AB_HC_FLUSH's ecx with ebx 0: the guest loaded CR3 with a different page
 * directory (vcpu->cr3 already holds it).  The kernel may keep the shadow
 * page tables that map only supervisor pages and that the new directory
 * reaches through the same PDEs, as a TLB keeps global pages; anything
 * else, and ecx 0, drops everything.  A kernel that predates it ignores
 * ecx, and so drops everything. */
#define AB_FLUSH_SWITCH 1u
#define AB_HC_TIMER    0x42  /* ebx period in us (0: stop), ecx 1 periodic / 0 one-shot: IRQ 0 */
#define AB_HC_HALT     0x43  /* block until irq_pending & irq_unmasked != 0; returns 0 */
#define AB_HC_SHUTDOWN 0x44  /* ebx guest exit code: dump the traps, end QEMU (code<<1|1) */
/* ebx a linear address, ecx AB_WALK_*: walk the guest's page tables as its
 * MMU would for that access (A and D set) -> eax 0 and ebx the
 * guest-physical address, which may lie beyond guest memory (a device);
 * or eax 1 and ecx the guest's #PF error code.  The wedge has no view of
 * guest-physical memory, and needs it for memory-mapped devices. */
#define AB_HC_WALK     0x45
/* The guest reset the machine (i8042 pulse, PIIX reset control): dump the
 * traps and reset the real machine, as a PC would.  QEMU with -no-reboot then
 * exits with status 0, as it does when the same guest resets bare. */
#define AB_HC_RESET    0x46
#define AB_HC_FIRST    AB_HC_RESUME
#define AB_HC_LAST     AB_HC_RESET
#define AB_WALK_WRITE  1u
#define AB_WALK_USER   2u    /* at the virtual CPL 3: the user view's rights */

/* --- upcall reasons (vcpu->vector) -------------------------------------- */
/* 0..31: a CPU exception in guest code that the kernel did not resolve (not
 * a hidden fault): #GP/#UD of an unpatched sensitive instruction, the
 * guest's own faults.  For #PF, error and cr2 are as the guest's hardware
 * would give them (U/S from the virtual CPL). */
#define AB_UPCALL_SOFTINT 0x100  /* | n: int $n with a DPL-3 gate on the host (0x30); eip after it */
#define AB_UPCALL_IRQ     0x200  /* an unmasked line is pending and the virtual IF is set */
#define AB_UPCALL_BADPHYS 0x300  /* guest tables point outside guest memory: cr2 = va, error = #PF code */

/* --- trap kinds counted by the kernel (the dump's second column) ---------- */
/* 0..AB_KIND_COUNT-1: a sensitive instruction of that kind (kinds.def). */
#define AB_TRAPK_EXCEPTION 0x100  /* | vector: an exception the guest handles itself */
#define AB_TRAPK_SOFTINT   0x200  /* | n: int $n from the guest (system calls) */
#define AB_TRAPK_IRQ       0x300  /* | line: an interrupt delivered to the guest */
#define AB_TRAPK_HIDDEN_PF 0x400  /* a shadow fill: the guest never sees it */
#define AB_TRAPK_HYPERCALL 0x500  /* | number - AB_HC_FIRST: a wedge hypercall (eip 0) */
#define AB_TRAPK_UNKNOWN   0x600  /* | vector: the wedge did not classify the upcall */
#define AB_TRAPK_CLASS(k)  ((k) & 0xF00u)

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Guest registers at an upcall, and to resume with. */
struct ab_vcpu_regs {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;   /* pushal order; esp is the guest's */
	uint32_t eip, eflags;
	uint32_t ds, es, fs, gs;   /* the guest's selectors (hardware at a trap; resume: loaded if valid) */
	uint32_t cs, ss;           /* resume: the guest's CS and SS (loaded with RPL 3 if valid) */
};

struct ab_vcpu {
	uint32_t magic;            /* 0   AB_VCPU_MAGIC (kernel) */
	uint32_t version;          /* 4   AB_VCPU_VERSION (kernel) */
	uint8_t vif;               /* 8   virtual IF: 1 enabled; the l4 cli emitter stores 0 here */
	uint8_t pad0[3];
	uint32_t irq_pending;      /* 12  bit n: line n raised (kernel sets, wedge takes) */
	uint32_t irq_unmasked;     /* 16  lines the wedge wants an upcall or a wake-up for */
	uint32_t cpl;              /* 20  virtual CPL, 0 or 3: picks the view on resume */
	uint32_t cr0;              /* 24  virtual CR0: the kernel reads PG and WP */
	uint32_t cr3;              /* 28  virtual CR3: the guest-physical page directory */
	uint32_t cr4;              /* 32  virtual CR4 */
	uint32_t upcall_eip;       /* 36  the wedge's upcall entry (set by the wedge) */
	uint32_t upcall_esp;       /* 40  the wedge's stack for upcalls */
	uint32_t fixup_eip;        /* 44  a wedge fault on guest memory resumes here (0: the VM dies) */
	uint32_t vector;           /* 48  upcall reason: AB_UPCALL_* or an exception vector */
	uint32_t error;            /* 52  its error code */
	uint32_t cr2;              /* 56  fault address (#PF, BADPHYS; also of a fixed-up wedge fault) */
	uint32_t trap_eip;         /* 60  the guest eip of the upcall (a copy; the kernel keeps its own) */
	uint32_t exit_kind;        /* 64  the wedge's AB_TRAPK_* for this upcall, set before RESUME */
	uint32_t ticks;            /* 68  kernel ticks (1 kHz) at the upcall */
	struct ab_vcpu_regs regs;  /* 72  (64 bytes) */
	uint32_t upcalls;          /* 136 counters, kernel-written */
	uint32_t hidden_faults;
	uint32_t resumes;
	uint32_t reserved[27];
	/* 256: the guest's descriptors, as the guest wrote them (the wedge
	 * copies them here and bumps desc_gen; the kernel sanitizes its own
	 * copies when desc_gen moves).  ldt_entries: how many of ldt[] the
	 * guest's LDTR covers (0: no LDT). */
	uint32_t desc_gen;         /* 256 */
	uint32_t ldt_entries;      /* 260 */
	uint32_t desc_pad[2];
	uint64_t gdt[AB_VCPU_GDT_ENTRIES];   /* 272 */
	uint64_t ldt[AB_VCPU_LDT_ENTRIES];   /* 528 */
};

/* Root writes this into the wedge image, at the symbol `wedge_boot`,
 * before the wedge's first instruction (its ELF entry point) runs. */
#define AB_WEDGE_BOOT_MAGIC 0x54424241u   /* "ABBT" */
struct ab_wedge_boot {
	uint32_t magic;            /* AB_WEDGE_BOOT_MAGIC */
	uint32_t version;          /* AB_VCPU_VERSION */
	uint32_t entry;            /* guest-physical PVH entry point */
	uint32_t start_info;       /* guest-physical address of struct hvm_start_info (%ebx) */
	uint32_t mem_size;         /* bytes of guest-physical memory, from 0 */
	uint32_t console_tid;      /* the console server: UART output goes there by IPC */
	uint32_t flags;            /* 0 */
	/* %esp at the entry.  PVH leaves it undefined, but a patched site
	 * is a call: a guest that runs one before it sets its stack (Linux's
	 * pvh_start_xen: lgdt, mov to %ds/%es/%ss) pushes here.  The top of
	 * guest-physical memory the guest does not own (reserved in the
	 * memory map); 0: none (esp 0). */
	uint32_t boot_esp;
	uint32_t reserved[8];
};

#ifdef __cplusplus
static_assert(sizeof(struct ab_vcpu) == 656, "the vCPU page's layout is fixed");
#else
_Static_assert(sizeof(struct ab_vcpu_regs) == 64, "ab_vcpu_regs is 64 bytes");
_Static_assert(sizeof(struct ab_vcpu) == 656, "the vCPU page's layout is fixed");
_Static_assert(sizeof(struct ab_wedge_boot) == 64, "the wedge boot block is 64 bytes");
#endif
#endif /* __ASSEMBLER__ */
#endif
