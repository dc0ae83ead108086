/*
 * exceptions: the vector, error code and EIP of the CPU's own faults
 * and traps, each resumed through the exception table.  Faults (#DE,
 * #UD, #NP) report the faulting instruction's EIP; traps (#BP from int3,
 * #OF from into) the next one.  A not-present IDT gate gives #NP with
 * the IDT error code (vector << 3 | 2).  None of these instructions is
 * sensitive: the point is that frames look the same on every platform.
 */
#include "guest.h"

static void show(const char *what, uint32_t vec, uint32_t err, int eip_ok)
{
	printf("%s: vector %u error %04x eip %s\n", what, exinfo.vector, exinfo.error,
	       eip_ok ? "ok" : "wrong");
	report(exinfo.vector == vec && exinfo.error == err && eip_ok && ex_count == 1, "%s", what);
}

void test_main(void)
{
	uint32_t at;

	ex_clear();
	__asm__ volatile("mov $1f, %0\n1: divl %1\n2:\n" EXTABLE(1b, 2b)
			 : "=&r"(at) : "r"(0), "a"(1), "d"(0) : "memory");
	show("#DE from div by 0", 0, 0, exinfo.eip == at);

	ex_clear();
	__asm__ volatile("mov $1f, %0\n1: ud2\n2:\n" EXTABLE(1b, 2b) : "=r"(at) : : "memory");
	show("#UD from ud2", 6, 0, exinfo.eip == at);

	ex_clear();
	__asm__ volatile("int3\n1:\n\tmov $1b, %0\n" EXTABLE(1b, 1b) : "=r"(at) : : "memory");
	show("#BP from int3 (EIP after it)", 3, 0, exinfo.eip == at);

	ex_clear();
	__asm__ volatile("mov $0x7fffffff, %%eax\n\tadd $1, %%eax\n\tinto\n1:\n\tmov $1b, %0\n"
			 EXTABLE(1b, 1b) : "=r"(at) : : "eax", "cc", "memory");
	show("#OF from into (EIP after it)", 4, 0, exinfo.eip == at);

	/* Gate 0x81 not present: int $0x81 faults #NP(0x81 << 3 | 2). */
	idt[0x81] &= ~(1ull << 47);
	ex_clear();
	__asm__ volatile("mov $1f, %0\n1: int $0x81\n2:\n" EXTABLE(1b, 2b) : "=r"(at) : : "memory");
	show("#NP from a not-present IDT gate", 11, 0x81 << 3 | 2, exinfo.eip == at);
	idt[0x81] |= 1ull << 47;

	/* A fault inside a handler's caller still returns to the fixup with
	 * all registers but %eip intact. */
	uint32_t ebx = 0x1234abcd, esi = 0x5678ef01;
	ex_clear();
	__asm__ volatile("1: ud2\n2:\n" EXTABLE(1b, 2b) : "+b"(ebx), "+S"(esi) : : "memory");
	report(ebx == 0x1234abcd && esi == 0x5678ef01, "registers survive a fault and fixup");
}
