/*
 * seg_faults: segment-register loads that fault, with the selector as
 * error code (RPL bits cleared), and the register left unchanged.
 * Loads into %ds/%es/%fs/%gs/%ss are trapping kinds under policy full,
 * so a wedge must raise exactly these: #GP(sel) past the GDT limit or
 * for an execute-only segment, #NP(sel) for a not-present data segment,
 * #SS(sel) for one in %ss, #GP(sel) for a read-only or RPL != CPL %ss.
 * A null selector is fine in %ds (#GP only on use), but #GP(0) in %ss.
 * lfs/lds (far-pointer loads) succeed or fault as a whole.
 */
#include "guest.h"

#define LOAD(sreg, sel) \
	__asm__ volatile("1: mov %w0, %%" sreg "\n2:\n" EXTABLE(1b, 2b) : : "r"(sel) : "memory")

static uint16_t get_ds(void) { uint16_t v; __asm__ volatile("mov %%ds, %0" : "=r"(v)); return v; }
static uint16_t get_ss(void) { uint16_t v; __asm__ volatile("mov %%ss, %0" : "=r"(v)); return v; }

static void check(const char *what, uint32_t vec, uint32_t err, uint16_t after, uint16_t want)
{
	printf("%s: vector %u error %04x\n", what, exinfo.vector, exinfo.error);
	report(exinfo.vector == vec && exinfo.error == err && after == want, "%s", what);
}

void test_main(void)
{
	ex_clear();
	LOAD("ds", GDT_ENTRIES * 8 + 3);
	check("%ds past the GDT limit", 13, GDT_ENTRIES * 8, get_ds(), SEL_KDATA);

	ex_clear();
	LOAD("es", SEL_XOCODE);
	uint16_t es;
	__asm__ volatile("mov %%es, %0" : "=r"(es));
	check("%es <- execute-only code", 13, SEL_XOCODE, es, SEL_KDATA);

	ex_clear();
	LOAD("ds", SEL_NPDATA);
	check("%ds <- not-present data", 11, SEL_NPDATA, get_ds(), SEL_KDATA);

	ex_clear();
	LOAD("ss", SEL_NPDATA);
	check("%ss <- not-present data", 12, SEL_NPDATA, get_ss(), SEL_KDATA);

	ex_clear();
	LOAD("ss", SEL_RODATA);
	check("%ss <- read-only data", 13, SEL_RODATA, get_ss(), SEL_KDATA);

	ex_clear();
	LOAD("ss", SEL_UDATA);
	check("%ss <- RPL 3 at CPL 0", 13, SEL_UDATA & ~3, get_ss(), SEL_KDATA);

	ex_clear();
	LOAD("ss", 0);
	check("%ss <- null", 13, 0, get_ss(), SEL_KDATA);

	ex_clear();
	LOAD("fs", 0);
	uint16_t fs;
	__asm__ volatile("mov %%fs, %0" : "=r"(fs));
	report(exinfo.vector == EX_NONE && fs == 0, "%%fs <- null is allowed");
	LOAD("fs", SEL_KDATA);

	/* pop into a segment register checks the same way. */
	ex_clear();
	__asm__ volatile("push %0\n1: pop %%ds\n2:\n" EXTABLE(1b, 2b) "add $4, %%esp\n"
			 : : "r"((uint32_t)SEL_NPDATA) : "memory");
	check("pop %ds <- not-present data", 11, SEL_NPDATA, get_ds(), SEL_KDATA);

	/* lfs/lds load a far pointer: selector and offset, or neither. */
	static const uint32_t far_ok[2] = { 0x1234, SEL_KDATA }, far_np[2] = { 0x5678, SEL_NPDATA };
	uint32_t off = 0;
	uint16_t sel;
	ex_clear();
	__asm__ volatile("lfs %2, %0\n\tmov %%fs, %w1" : "+r"(off), "=r"(sel) : "m"(far_ok) : "memory");
	report(exinfo.vector == EX_NONE && off == 0x1234 && sel == SEL_KDATA, "lfs loads %%fs and the offset");
	off = 0;
	ex_clear();
	__asm__ volatile("1: lds %1, %0\n2:\n" EXTABLE(1b, 2b) : "+r"(off) : "m"(far_np) : "memory");
	check("lds <- not-present data", 11, SEL_NPDATA, get_ds(), SEL_KDATA);
	report(off == 0, "a faulting lds leaves the offset register alone");
}
