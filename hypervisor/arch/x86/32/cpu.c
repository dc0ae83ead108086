/*
 * Single instructions the generic kernel needs, and how the machine stops.
 */
#include "arch.h"
#include "paging.h"
#include "x86.h"

uint32_t arch_read_cr2(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

uint64_t arch_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* The kernel never touches the FPU; user threads and VMs may.  cpuid
 * shows a guest SSE (the CPU model has it, the wedge does not hide it),
 * and a guest kernel that turned on its virtual CR4.OSFXSR (Linux) runs
 * SSE instructions natively at CPL 3: without the real OSFXSR they are
 * #UD (Linux's ldmxcsr in fpu__init_cpu_generic).  So both bits are on for
 * every thread whenever the CPU has FXSR and SSE.  Not done: x87/SSE
 * state is not switched between threads (docs/vm.md, "FPU"). */
void fpu_init(void)
{
	uint32_t a = 1, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	if ((d & (1u << 24)) && (d & (1u << 25))) {
		uint32_t cr4;
		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		cr4 |= (1u << 9) | (1u << 10);          /* OSFXSR, OSXMMEXCPT */
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	}
}

void arch_invlpg(uint32_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

void arch_load_space(uint32_t pd_phys)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(pd_phys) : "memory");
}

void arch_drop_identity_map(void)
{
	boot_page_directory[0] = 0;
	arch_load_space(VIRT_TO_PHYS(boot_page_directory));
}

/* sti's one-instruction shadow: no interrupt slips in before the hlt. */
void arch_idle(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

void arch_reset(void)
{
	static const struct { uint16_t limit; uint32_t base; } __attribute__((packed)) no_idt;
	outb(0x64, 0xFE);     /* i8042: pulse the reset line */
	/* No IDT: the breakpoint cannot be delivered, nor the #DF: a triple fault. */
	__asm__ volatile("cli; lidt %0; int3" : : "m"(no_idt));
	for (;;)
		__asm__ volatile("cli; hlt");
}

void arch_shutdown(uint32_t code)
{
	outl(0xF4, code);     /* isa-debug-exit: QEMU exits with code << 1 | 1 */
	for (;;)
		__asm__ volatile("cli; hlt");
}
