/*
 * Internals of the IA-32 layer: port I/O and the pieces arch_init puts
 * together.  Only arch/x86/32 includes this; the generic kernel sees arch.h.
 */
#ifndef HV_X86_H
#define HV_X86_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* The GDT (gdt.c): loaded with flat kernel and user segments; the TSS
 * descriptor is filled in by tss_init before it loads the task register. */
void gdt_init(void);
void gdt_set_tss(uint32_t base, uint32_t limit);

void tss_init(void);       /* tss.c: esp0, an all-denying I/O bitmap, ltr */
void idt_init(void);       /* idt.c */
void pic_init(void);       /* pic.c: remapped, all masked but IRQ0 (and the cascade) */
void pit_init(void);       /* pit.c: channel 0 at TICK_HZ */
void fpu_init(void);       /* cpu.c: SSE usable at CPL 3 (CR4.OSFXSR, OSXMMEXCPT) */

/* Called by entry.S for every trap, before kernel_trap; acknowledges an IRQ
 * at the PIC (idt.c).  Returns 0 for a spurious IRQ, which is dropped. */
struct trap_frame;
void arch_trap(struct trap_frame *tf);
int pic_ack(unsigned irq);

/* entry.S */
extern const uint32_t trap_vectors[];   /* stubs for vectors 0..NUM_STUBS-1 */
#define NUM_STUBS 0x31
void arch_trap_return(void);            /* pops the trap frame at %esp, iret */

/* The boot stack (boot.S), which is also esp0 until the kernel sets one. */
extern uint8_t boot_stack_top[];

#endif
