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

void arch_shutdown(uint32_t code)
{
	outl(0xF4, code);     /* isa-debug-exit: QEMU exits with code << 1 | 1 */
	for (;;)
		__asm__ volatile("cli; hlt");
}
