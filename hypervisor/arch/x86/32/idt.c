/*
 * The IDT: exceptions 0-31, the PIC's IRQs at 0x20-0x2F and the system-call
 * gate 0x30, all interrupt gates (IF cleared on entry: the kernel is never
 * interrupted).  Ring 3 may raise 0x30 (int $0x30) and, as on hardware,
 * #BP (int3) and #OF (into); any other `int n` from ring 3 is a #GP.
 */
#include "arch.h"
#include "x86.h"

struct idt_gate { uint32_t lo, hi; };

static struct idt_gate idt[256];

static void set_gate(unsigned vec, uint32_t handler, unsigned dpl)
{
	idt[vec].lo = ((uint32_t)SEL_KCODE << 16) | (handler & 0xFFFFu);
	idt[vec].hi = (handler & 0xFFFF0000u) | 0x8E00u | (dpl << 13);  /* P, 32-bit interrupt gate */
}

void idt_init(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr;

	for (unsigned v = 0; v < NUM_STUBS; v++) {
		unsigned dpl = (v == VEC_SYSCALL || v == VEC_BP || v == 4) ? 3 : 0;
		set_gate(v, trap_vectors[v], dpl);
	}
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint32_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/*
 * The C side of every entry.  An IRQ is acknowledged here, before
 * kernel_trap, so the generic kernel never talks to the PIC except to mask
 * and unmask; a spurious IRQ (7 or 15 with no ISR bit) never reaches it.
 */
void arch_trap(struct trap_frame *tf)
{
	if (tf->vector >= VEC_IRQ0 && tf->vector < VEC_IRQ0 + NUM_IRQS &&
	    !pic_ack(tf->vector - VEC_IRQ0))
		return;
	kernel_trap(tf);
}
