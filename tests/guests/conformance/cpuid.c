/*
 * cpuid: the vendor string and the leaf-1 feature bits.  FPU, TSC, CX8
 * and CMOV are what every platform must offer (we also execute rdtsc,
 * cmpxchg8b and cmov to be sure).  PSE, PGE, APIC, SEP and PAE depend on
 * the platform (the hypervisor hides them): they are printed, not
 * required, so a differential run shows any difference.  EFLAGS.ID must
 * toggle, which is how software knows cpuid exists at all.
 */
#include "guest.h"

#define BIT(r, n) (((r) >> (n)) & 1)

void test_main(void)
{
	uint32_t r[4], id[4];
	char vendor[13];

	uint32_t f = read_eflags();
	write_eflags(f ^ 0x200000);
	report(((read_eflags() ^ f) & 0x200000) != 0, "EFLAGS.ID toggles");
	write_eflags(f);

	cpuid(0, id);
	memcpy(vendor, &id[1], 4);
	memcpy(vendor + 4, &id[3], 4);
	memcpy(vendor + 8, &id[2], 4);
	vendor[12] = 0;
	printf("vendor: %s\n", vendor);
	report(id[0] >= 1, "max basic leaf >= 1");

	cpuid(1, r);
	uint32_t d = r[3];
	printf("required: FPU %u TSC %u CX8 %u CMOV %u\n", BIT(d, 0), BIT(d, 4), BIT(d, 8), BIT(d, 15));
	printf("platform: PSE %u PGE %u APIC %u SEP %u PAE %u\n",
	       BIT(d, 3), BIT(d, 13), BIT(d, 9), BIT(d, 11), BIT(d, 6));
	report(BIT(d, 0) && BIT(d, 4) && BIT(d, 8) && BIT(d, 15), "FPU, TSC, CX8 and CMOV offered");

	/* The required features work.  rdtsc (annotated under policy full)
	 * does not go backwards; its values are never printed. */
	uint32_t lo1, hi1, lo2, hi2;
	__asm__ volatile("rdtsc" : "=a"(lo1), "=d"(hi1));
	__asm__ volatile("rdtsc" : "=a"(lo2), "=d"(hi2));
	report(hi2 > hi1 || (hi2 == hi1 && lo2 >= lo1), "rdtsc is monotonic");

	uint64_t mem = 0x1122334455667788ull;
	uint32_t ok;
	__asm__ volatile("lock cmpxchg8b %1; sete %b0"
			 : "=q"(ok), "+m"(mem)
			 : "a"(0x55667788), "d"(0x11223344), "b"(0xdeadbeef), "c"(0xcafef00d)
			 : "cc", "memory");
	report((ok & 1) && mem == 0xcafef00ddeadbeefull, "cmpxchg8b swaps");

	uint32_t x = 1, y = 2;
	__asm__ volatile("cmp %1, %1; cmove %1, %0" : "+r"(x) : "r"(y) : "cc");
	report(x == 2, "cmove moves");
}
