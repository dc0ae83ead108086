/*
 * The interface between the generic kernel (hypervisor/kernel/) and the
 * IA-32 code (hypervisor/arch/x86/32/), in the manner of seL4's split.
 * Everything the generic code needs from the machine is declared here.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include <stdint.h>

#define PAGE_SIZE 4096u
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* The kernel's direct map: physical [0, KERNEL_DIRECT_SIZE) at virtual
 * KERNEL_BASE + p, supervisor-only, in every address space. */
#define KERNEL_BASE        0xFC000000u
#define KERNEL_DIRECT_SIZE 0x03000000u           /* 48 MiB */
#define PHYS_TO_VIRT(p) ((void *)((uintptr_t)(p) + KERNEL_BASE))
#define VIRT_TO_PHYS(v) ((uint32_t)(uintptr_t)(v) - KERNEL_BASE)

/* Page-table entry bits (2-level, 4 KiB pages; no PAE). */
#define PTE_P   0x001u
#define PTE_W   0x002u
#define PTE_U   0x004u
#define PTE_A   0x020u
#define PTE_D   0x040u
#define PTE_PS  0x080u   /* in a PDE: 4 MiB page */
#define PTE_G   0x100u

/* Segment selectors (GDT layout of arch/x86/32/gdt.c).  The kernel's own
 * start at index 32: a VM's GDTs hold the guest's descriptors 0..31 below
 * them, so a guest's selectors are its own (docs/abi/vcpu.md). */
#define GDT_GUEST_ENTRIES 32
#define SEL_KCODE 0x100
#define SEL_KDATA 0x108
#define SEL_UCODE 0x113  /* user code, RPL 3 */
#define SEL_UDATA 0x11B  /* user data, RPL 3 */
#define SEL_TSS   0x120
#define SEL_LDT   0x128  /* a VM's LDT, in its own GDTs only */
#define GDT_ENTRIES 38

/*
 * The registers of an interrupted thread, as the entry stubs push them on
 * the thread's kernel stack: pusha order, then the data segments, then the
 * vector and error code (0 when the CPU pushes none), then the CPU's frame.
 * Every entry from user mode has all five words of the CPU frame.
 */
struct trap_frame {
	uint32_t edi, esi, ebp, esp_kernel, ebx, edx, ecx, eax;
	uint32_t gs, fs, es, ds;
	uint32_t vector, error;
	uint32_t eip, cs, eflags, esp, ss;
};

#define EFLAGS_IF   0x00000200u
#define EFLAGS_IOPL 0x00003000u
/* The flags a user thread may set: CF PF AF ZF SF TF DF OF and AC, ID. */
#define EFLAGS_USER 0x00240DD5u

/* Vectors. */
#define VEC_DE 0
#define VEC_DB 1
#define VEC_BP 3
#define VEC_UD 6
#define VEC_NM 7
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14
#define VEC_IRQ0 0x20        /* PIC IRQs 0..15 at 0x20..0x2F */
#define VEC_SYSCALL 0x30     /* HV_SYSCALL_VECTOR, DPL 3 */
#define NUM_IRQS 16

/* The kernel's tick. */
#define TICK_HZ 1000

/* --- provided by arch/x86/32 --------------------------------------------- */

/* Set up GDT, IDT (exceptions, IRQs, the syscall gate), TSS, the PICs (all
 * IRQs masked except the PIT's), and the PIT at TICK_HZ. */
void arch_init(void);

/* The kernel stack the CPU switches to on an entry from user mode. */
void arch_set_kernel_stack(uint32_t esp0);

/* Load a GDT of GDT_ENTRIES descriptors (NULL: the kernel's own) and an
 * LDT selector (0: none).  A VM's GDTs start as arch_gdt_template's copy
 * of the kernel's entries, above GDT_GUEST_ENTRIES. */
void arch_load_gdt(const uint64_t *gdt, uint32_t ldt_sel);
void arch_gdt_template(uint64_t *gdt);

/* Load an address space (physical address of its page directory). */
void arch_load_space(uint32_t pd_phys);

/* Flush one page from the TLB of the current space. */
void arch_invlpg(uint32_t va);

/* Switch kernel stacks: save the callee-saved registers and the stack
 * pointer in *save_esp, load new_esp and return on the new stack (xv6's
 * swtch).  A new thread's stack is prepared by arch_prepare_stack. */
void arch_switch(uint32_t *save_esp, uint32_t new_esp);

/* Prepare a new thread's kernel stack (top at stack_top) so that the first
 * arch_switch to the returned esp leaves the kernel through the trap frame
 * that sits at the top of that stack (see arch_user_frame). */
uint32_t arch_prepare_stack(uint32_t stack_top);

/* The trap frame at the top of a kernel stack (where entries from user
 * mode put it). */
struct trap_frame *arch_user_frame(uint32_t stack_top);

/* Fill a fresh user frame: eip, esp, user selectors, IF set, IOPL 0. */
void arch_init_user_frame(struct trap_frame *tf, uint32_t eip, uint32_t esp);

/* The I/O permission bitmap in the TSS: a space's bitmap of ports
 * 0..32767 (4 KiB, 1 bit = denied; ports above are always denied), or NULL
 * to deny every port.  The same pointer again is not copied again: after
 * changing a bitmap, or freeing one, call arch_io_bitmap_changed. */
void arch_load_io_bitmap(const uint8_t *bitmap);
void arch_io_bitmap_changed(void);

/* PIC.  The arch layer sends the EOI for every IRQ before kernel_trap
 * sees it; the generic kernel only masks a device IRQ while its message is
 * outstanding and unmasks it when the handler acknowledges (an edge that
 * comes while masked stays latched).  Spurious IRQs 7 and 15 never reach
 * kernel_trap. */
void arch_irq_mask(unsigned irq);
void arch_irq_unmask(unsigned irq);

/* A kernel pointer to physical address phys: the direct map below
 * KERNEL_DIRECT_SIZE, else one of a few temporary slots (kmap.c), valid
 * until the same slot is used again. */
void arch_kmap_init(void);
void *arch_kmap(uint32_t phys, unsigned slot);

/* CR2 at the time of the last #PF. */
uint32_t arch_read_cr2(void);

/* The TSC (the kernel's own measurements; user code may rdtsc itself). */
uint64_t arch_rdtsc(void);

/* Send the debug console to COM2 from now on (the kernel command line's
 * debug=com2), leaving COM1 to the console server alone. */
void arch_debug_use_com2(void);

/* Debug console: COM1, polled.  The console server owns COM1 at user
 * level; the kernel writes only its own messages (boot, panic, kdebug). */
void arch_debug_putc(char c);

/* Stop the machine: isa-debug-exit at port 0xf4 (QEMU exits with status
 * code << 1 | 1), then halt forever. */
void arch_shutdown(uint32_t code) __attribute__((noreturn));

/* Reset the machine: the keyboard controller's reset pulse, then a triple
 * fault should it not answer.  QEMU with -no-reboot exits with status 0. */
void arch_reset(void) __attribute__((noreturn));

/* Idle until the next interrupt (sti; hlt), with interrupts off again on
 * return. */
void arch_idle(void);

/* --- provided by the generic kernel ------------------------------------- */

/* Every exception, interrupt and system call, from user or kernel mode.
 * Returns when the frame (possibly of another thread, after a switch) is
 * to be resumed. */
void kernel_trap(struct trap_frame *tf);

/* The C entry after the boot code set up paging: magic and the physical
 * address of the multiboot information. */
void kernel_main(uint32_t mb_magic, uint32_t mb_info_phys) __attribute__((noreturn));

#endif
