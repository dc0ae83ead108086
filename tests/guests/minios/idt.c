/*
 * The IDT: interrupt gates for the CPU's exceptions (0-31) and the PIC's
 * lines (32-47), and int $0x80 for system calls, the only gate ring 3 may
 * use.  Interrupt gates all, so the kernel always runs with IF clear.
 */
#include "kernel.h"
#include "x86.h"

#define NIDT 256
#define T_SYSCALL 0x80

static uint64_t idt[NIDT];

static uint64_t gate(uint32_t off, unsigned dpl)
{
	/* present, DPL, 32-bit interrupt gate (type 0xE) */
	uint64_t access = 0x8E | (dpl << 5);
	return (uint64_t)(off & 0xFFFF) | (uint64_t)KCODE_SEL << 16 |
	       access << 40 | (uint64_t)(off >> 16) << 48;
}

void idt_init(void)
{
	for (int v = 0; v < 48; v++)
		idt[v] = gate(trap_vectors[v], 0);
	idt[T_SYSCALL] = gate(trap_vectors[48], 3);
	lidt(idt, sizeof(idt));
}
