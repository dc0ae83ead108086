/*
 * The descriptor tables: our own GDT (the PVH one is not ours to keep),
 * a TSS for the ring 3 -> ring 0 stack switch, a small LDT, and an IDT
 * whose every gate points at its isr.S stub.  The GDT holds a few odd
 * descriptors on purpose (guest.h lists them): lar, lsl, verr, verw and
 * the segment-load faults are tested against them.  Code and data
 * descriptors start with the accessed bit set (as Linux's do): the CPU
 * never writes them back then, and whether a platform would (QEMU does
 * for data loads but not for far jumps) cannot show up in lar.
 */
#include "guest.h"

uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(8)));
uint64_t ldt[2] __attribute__((aligned(8)));
uint8_t tss[104] __attribute__((aligned(8)));
uint64_t idt[256] __attribute__((aligned(8)));

extern char isr_stubs[];
void seg_reload(void);

/* The ring-0 stack for traps from ring 3 (TSS.esp0). */
static uint8_t tss_stack[8192] __attribute__((aligned(16)));

/* flags: the high nibble of byte 6 (G, D/B, L, AVL). */
uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	uint64_t d = limit & 0xffff;
	d |= (uint64_t)(base & 0xffffff) << 16;
	d |= (uint64_t)access << 40;
	d |= (uint64_t)((limit >> 16) & 0xf) << 48;
	d |= (uint64_t)(flags & 0xf) << 52;
	d |= (uint64_t)(base >> 24) << 56;
	return d;
}

void gdt_set(unsigned idx, uint64_t desc)
{
	gdt[idx] = desc;
}

void tss_set_esp0(uint32_t esp0)
{
	*(uint32_t *)(tss + 4) = esp0;
}

static void gdt_init(void)
{
	gdt[0] = 0;
	gdt[SEL_KCODE >> 3] = seg_desc(0, 0xfffff, 0x9b, 0xc);
	gdt[SEL_KDATA >> 3] = seg_desc(0, 0xfffff, 0x93, 0xc);
	gdt[SEL_UCODE >> 3] = seg_desc(0, 0xfffff, 0xfb, 0xc);
	gdt[SEL_UDATA >> 3] = seg_desc(0, 0xfffff, 0xf3, 0xc);
	gdt[SEL_TSS >> 3] = seg_desc((uint32_t)tss, sizeof tss - 1, 0x89, 0);
	gdt[SEL_KCODE2 >> 3] = seg_desc(0, 0xfffff, 0x9b, 0xc);
	gdt[SEL_NPDATA >> 3] = seg_desc(0, 0xfffff, 0x13, 0xc);    /* P=0 */
	gdt[SEL_RODATA >> 3] = seg_desc(0, 0xffff, 0x91, 0x4);     /* byte limit */
	gdt[SEL_XOCODE >> 3] = seg_desc(0, 0xfffff, 0x99, 0xc);
	gdt[SEL_LDT >> 3] = seg_desc((uint32_t)ldt, sizeof ldt - 1, 0x82, 0);

	/* TSS: ss0:esp0 for traps from ring 3; no I/O bitmap (its offset is
	 * past the limit), so IOPL 0 alone decides I/O at ring 3. */
	memset(tss, 0, sizeof tss);
	*(uint32_t *)(tss + 8) = SEL_KDATA;
	tss_set_esp0((uint32_t)(tss_stack + sizeof tss_stack));
	*(uint16_t *)(tss + 102) = sizeof tss;

	struct dtr d = { sizeof gdt - 1, (uint32_t)gdt };
	__asm__ volatile("lgdt %0" : : "m"(d) : "memory");
	seg_reload();
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS) : "memory");
}

void idt_set_gate(unsigned vec, uint16_t sel, uint32_t off, uint8_t attr)
{
	idt[vec] = (off & 0xffff) | (uint64_t)sel << 16 | (uint64_t)attr << 40 |
		   (uint64_t)(off >> 16) << 48;
}

/* Change only the gate's DPL (who may reach it with int n). */
void idt_set_dpl(unsigned vec, unsigned dpl)
{
	idt[vec] = (idt[vec] & ~(3ull << 45)) | (uint64_t)(dpl & 3) << 45;
}

static void idt_init(void)
{
	/* Interrupt gates (0x8e): IF is clear in every handler, so a test's
	 * view of IF is never disturbed by a handler re-enabling it. */
	for (unsigned v = 0; v < 256; v++)
		idt_set_gate(v, SEL_KCODE, (uint32_t)(isr_stubs + 16 * v), 0x8e);
	struct dtr d = { sizeof idt - 1, (uint32_t)idt };
	__asm__ volatile("lidt %0" : : "m"(d) : "memory");
}

void desc_init(void)
{
	gdt_init();
	idt_init();
}
