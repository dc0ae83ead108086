/*
 * segments: the selector readers and descriptor probes at CPL 0.
 * mov from %cs/%ss and push %cs/%ss give the kernel selectors with RPL 0
 * (at CPL 3 they would expose RPL 3: silent kinds).  lar, lsl, verr and
 * verw against the runtime's GDT (guest.h): access rights, limits, and
 * ZF=0 for the null selector, one past the GDT limit, and a segment
 * verr/verw must refuse.  Only the low 16 bits of a pushed selector are
 * architectural, so only those are compared.
 */
#include "guest.h"

static int lar(uint32_t sel, uint32_t *ar)
{
	uint8_t ok;
	__asm__ volatile("lar %2, %0; setz %1" : "=r"(*ar), "=q"(ok) : "r"(sel), "0"(0) : "cc");
	return ok;
}

static int lsl(uint32_t sel, uint32_t *lim)
{
	uint8_t ok;
	__asm__ volatile("lsl %2, %0; setz %1" : "=r"(*lim), "=q"(ok) : "r"(sel), "0"(0) : "cc");
	return ok;
}

static int verr(uint16_t sel)
{
	uint8_t ok;
	__asm__ volatile("verr %w1; setz %0" : "=q"(ok) : "r"(sel) : "cc");
	return ok;
}

static int verw(uint16_t sel)
{
	uint8_t ok;
	__asm__ volatile("verw %w1; setz %0" : "=q"(ok) : "r"(sel) : "cc");
	return ok;
}

void test_main(void)
{
	uint16_t cs, ss;
	uint32_t pcs, pss;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("mov %%ss, %0" : "=r"(ss));
	__asm__ volatile("push %%cs; pop %0" : "=r"(pcs));
	__asm__ volatile("push %%ss; pop %0" : "=r"(pss));
	printf("mov %%cs %04x, mov %%ss %04x, push %%cs %04x, push %%ss %04x\n",
	       cs, ss, pcs & 0xffff, pss & 0xffff);
	report(cs == SEL_KCODE && ss == SEL_KDATA, "mov from %%cs/%%ss: RPL 0 kernel selectors");
	report((pcs & 0xffff) == SEL_KCODE && (pss & 0xffff) == SEL_KDATA, "push %%cs/%%ss: the same");

	static const uint16_t sels[] = { SEL_KCODE, SEL_KDATA, SEL_UCODE, SEL_UDATA, SEL_TSS,
					 SEL_NPDATA, SEL_RODATA, SEL_XOCODE, SEL_LDT, 0, GDT_ENTRIES * 8 };
	/* lar gives descriptor bits 8-15 and 20-23; bits 16-19 are undefined. */
	static const uint32_t want_ar[] = { 0x00c09b00, 0x00c09300, 0x00c0fb00, 0x00c0f300, 0x00008b00,
					    0x00c01300, 0x00409100, 0x00c09900, 0x00008200 };
	static const uint32_t want_lim[] = { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 103,
					     0xffffffff, 0xffff, 0xffffffff, 15 };
	static const char want_r[] = "11110110000", want_w[] = "01010100000";
	for (unsigned k = 0; k < sizeof sels / sizeof sels[0]; k++) {
		uint32_t ar, lim;
		int ok_ar = lar(sels[k], &ar), ok_lim = lsl(sels[k], &lim);
		int r = verr(sels[k]), w = verw(sels[k]);
		if (!ok_ar)
			ar = 0;
		if (!ok_lim)
			lim = 0;
		printf("sel %04x: lar %u %08x lsl %u %08x verr %u verw %u\n",
		       sels[k], ok_ar, ar & 0x00f0ff00, ok_lim, lim, r, w);
		int valid = k < 9;
		report(ok_ar == valid && ok_lim == valid &&
		       (!valid || ((ar & 0x00f0ff00) == want_ar[k] && lim == want_lim[k])) &&
		       r == want_r[k] - '0' && w == want_w[k] - '0', "descriptor probes of %04x", sels[k]);
	}
}
