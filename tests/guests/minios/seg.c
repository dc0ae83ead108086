/*
 * Our own GDT: flat 4 GiB code and data for ring 0 and for ring 3, and a
 * TSS whose only use is esp0, the kernel stack the CPU switches to when a
 * trap arrives from ring 3.  The TSS has no I/O bitmap (its iomap base
 * lies beyond its limit), so every port access at ring 3 raises #GP.
 */
#include "kernel.h"
#include "x86.h"

struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
};

static struct tss tss;
static uint64_t gdt[NSEGS];

/* A descriptor from base, limit (in pages when 4K-granular) and access. */
static uint64_t desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t gran)
{
	return (uint64_t)(limit & 0xFFFF) | (uint64_t)(base & 0xFFFFFF) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xF) << 48 |
	       (uint64_t)gran << 52 | (uint64_t)(base >> 24) << 56;
}

void seg_init(void)
{
	/* access: present, DPL, code/data, type; gran: 4 KiB pages, 32-bit */
	gdt[SEG_KCODE] = desc(0, 0xFFFFF, 0x9A, 0xC);
	gdt[SEG_KDATA] = desc(0, 0xFFFFF, 0x92, 0xC);
	gdt[SEG_UCODE] = desc(0, 0xFFFFF, 0xFA, 0xC);
	gdt[SEG_UDATA] = desc(0, 0xFFFFF, 0xF2, 0xC);
	tss.ss0 = KDATA_SEL;
	tss.iomap = sizeof(tss);
	gdt[SEG_TSS] = desc((uint32_t)&tss, sizeof(tss) - 1, 0x89, 0x0);

	lgdt(gdt, sizeof(gdt));
	/* Reload every segment register from the new table. */
	__asm__ volatile(
		"ljmp %0, $1f\n"
		"1:\n\t"
		"movw %w1, %%ds\n\t"
		"movw %w1, %%es\n\t"
		"movw %w1, %%ss\n\t"
		"movw %w2, %%fs\n\t"
		"movw %w2, %%gs"
		: : "i"(KCODE_SEL), "r"(KDATA_SEL), "r"(0) : "memory");
	ltr(TSS_SEL);
}

void tss_set_esp0(uint32_t esp0)
{
	tss.esp0 = esp0;
}
