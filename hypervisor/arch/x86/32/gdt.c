/*
 * The GDT: flat 4 GiB code and data segments for ring 0 and ring 3, and the
 * TSS, at index 32 and up (below them, a VM's GDTs hold the guest's own
 * descriptors: vm_desc.c).  Segmentation protects nothing here (paging's U/S bit does; see
 * DESIGN.md on ring 3), so every segment is flat.  Selectors: arch.h.
 */
#include "arch.h"
#include "x86.h"

struct gdt_desc { uint32_t lo, hi; };

static struct gdt_desc gdt[GDT_ENTRIES];
static const void *loaded_gdt;        /* NULL: ours */
static uint32_t loaded_ldt;

/* access: P, DPL, S, type; flags: G, D/B (upper nibble of byte 6). */
static struct gdt_desc segment(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
	struct gdt_desc d;
	d.lo = (limit & 0xFFFFu) | (base << 16);
	d.hi = ((base >> 16) & 0xFFu) | (access << 8) | (limit & 0xF0000u) |
	       (flags << 20) | (base & 0xFF000000u);
	return d;
}

void gdt_init(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } gdtr;

	gdt[SEL_KCODE >> 3] = segment(0, 0xFFFFF, 0x9A, 0xC);   /* ring 0 code */
	gdt[SEL_KDATA >> 3] = segment(0, 0xFFFFF, 0x92, 0xC);   /* ring 0 data */
	gdt[SEL_UCODE >> 3] = segment(0, 0xFFFFF, 0xFA, 0xC);   /* ring 3 code */
	gdt[SEL_UDATA >> 3] = segment(0, 0xFFFFF, 0xF2, 0xC);   /* ring 3 data */
	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (uint32_t)(uintptr_t)gdt;
	/* The loader's GDT may be gone: reload every segment register. */
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\tmov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%fs\n\t"
			 "mov %2, %%gs\n\t"
			 "mov %2, %%ss"
			 : : "m"(gdtr), "i"(SEL_KCODE), "r"(SEL_KDATA) : "memory");
}

/* A 32-bit available TSS, byte-granular limit. */
void gdt_set_tss(uint32_t base, uint32_t limit)
{
	gdt[SEL_TSS >> 3] = segment(base, limit, 0x89, 0x0);
}

static void lgdt(const void *base)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } gdtr;
	gdtr.limit = GDT_ENTRIES * 8 - 1;
	gdtr.base = (uint32_t)(uintptr_t)base;
	__asm__ volatile("lgdt %0" : : "m"(gdtr) : "memory");
}

/* The segment registers keep their cached descriptors; the next thread's
 * selectors are loaded from the new table on the way out of the kernel. */
void arch_load_gdt(const uint64_t *g, uint32_t ldt_sel)
{
	if (g != loaded_gdt) {
		lgdt(g ? (const void *)g : (const void *)gdt);
		loaded_gdt = g;
	}
	if (ldt_sel != loaded_ldt || ldt_sel) {
		__asm__ volatile("lldt %w0" : : "r"(ldt_sel) : "memory");
		loaded_ldt = ldt_sel;
	}
}

void arch_gdt_template(uint64_t *g)
{
	for (unsigned i = GDT_GUEST_ENTRIES; i < GDT_ENTRIES; i++)
		g[i] = (uint64_t)gdt[i].hi << 32 | gdt[i].lo;
}
