/*
 * desc_tables: lgdt/lidt/lldt/ltr and their readers sgdt/sidt/sldt/str.
 * sgdt and sidt read back exactly what was loaded (the runtime's tables,
 * then copies with other limits); sldt sees lldt; str sees ltr, and ltr
 * marks the TSS descriptor busy in memory, so a second ltr of it is a
 * #GP with the selector as error code.  The LDT really is used: a load
 * through an LDT selector reads the segment it describes.
 */
#include "guest.h"

static uint64_t gdt2[GDT_ENTRIES] __attribute__((aligned(8)));
static uint64_t idt2[64] __attribute__((aligned(8)));
static uint32_t ldt_target = 0x5eed1dd7;

static struct dtr sgdt(void) { struct dtr d; __asm__ volatile("sgdt %0" : "=m"(d)); return d; }
static struct dtr sidt(void) { struct dtr d; __asm__ volatile("sidt %0" : "=m"(d)); return d; }
static void lgdt(struct dtr d) { __asm__ volatile("lgdt %0" : : "m"(d) : "memory"); }
static void lidt(struct dtr d) { __asm__ volatile("lidt %0" : : "m"(d) : "memory"); }
static uint16_t sldt(void) { uint16_t s; __asm__ volatile("sldt %0" : "=rm"(s)); return s; }
static uint16_t str(void) { uint16_t s; __asm__ volatile("str %0" : "=rm"(s)); return s; }

void test_main(void)
{
	struct dtr g = sgdt(), i = sidt();
	printf("sgdt limit %04x, sidt limit %04x\n", g.limit, i.limit);
	report(g.base == (uint32_t)gdt && g.limit == sizeof gdt - 1, "sgdt reads the runtime's GDT");
	report(i.base == (uint32_t)idt && i.limit == sizeof idt - 1, "sidt reads the runtime's IDT");

	/* Load copies with other limits, read them back, restore. */
	memcpy(gdt2, gdt, sizeof gdt2);
	memcpy(idt2, idt, sizeof idt2);
	lgdt((struct dtr){ 11 * 8 - 1, (uint32_t)gdt2 });
	lidt((struct dtr){ sizeof idt2 - 1, (uint32_t)idt2 });
	struct dtr g2 = sgdt(), i2 = sidt();
	lgdt(g);
	lidt(i);
	printf("after lgdt/lidt of copies: limits %04x %04x\n", g2.limit, i2.limit);
	report(g2.base == (uint32_t)gdt2 && g2.limit == 11 * 8 - 1, "sgdt reads back lgdt");
	report(i2.base == (uint32_t)idt2 && i2.limit == sizeof idt2 - 1, "sidt reads back lidt");
	report(sgdt().base == (uint32_t)gdt && sidt().base == (uint32_t)idt, "originals restored");

	/* LDT: entry 0 a data segment whose base is ldt_target. */
	printf("sldt at boot: %04x\n", sldt());
	ldt[0] = seg_desc((uint32_t)&ldt_target, 3, 0x93, 0x4);
	__asm__ volatile("lldt %w0" : : "r"(SEL_LDT) : "memory");
	report(sldt() == SEL_LDT, "sldt reads back lldt %04x", SEL_LDT);
	uint32_t v;
	__asm__ volatile("mov %w1, %%fs\n\tmov %%fs:0, %0\n\tmov %w2, %%fs"
			 : "=r"(v) : "r"(0x04), "r"(SEL_KDATA) : "memory");
	report(v == 0x5eed1dd7, "a load through LDT selector 0004 reads the LDT segment");
	__asm__ volatile("lldt %w0" : : "r"(0) : "memory");
	report(sldt() == 0, "lldt 0 clears LDTR");

	/* TSS: loaded by the runtime. */
	report(str() == SEL_TSS, "str reads %04x", SEL_TSS);
	report(((gdt[SEL_TSS >> 3] >> 40) & 0xff) == 0x8b, "ltr left the TSS descriptor busy (type 0xb)");
	ex_clear();
	__asm__ volatile("1: ltr %w0\n2:\n" EXTABLE(1b, 2b) : : "r"(SEL_TSS) : "memory");
	printf("ltr of the busy TSS: vector %u error %04x\n", exinfo.vector, exinfo.error);
	report(exinfo.vector == 13 && exinfo.error == SEL_TSS, "ltr of a busy TSS: #GP(0028)");

	/* Clear busy, ltr again: works, busy again. */
	gdt[SEL_TSS >> 3] &= ~(2ull << 40);
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS) : "memory");
	report(((gdt[SEL_TSS >> 3] >> 40) & 0xff) == 0x8b && str() == SEL_TSS, "ltr of an available TSS");
}
