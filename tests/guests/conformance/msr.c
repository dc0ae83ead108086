/*
 * msr: rdmsr and wrmsr on the SYSENTER MSRs (0x174 CS, 0x175 ESP,
 * 0x176 EIP), which QEMU keeps whether or not CPUID reports SEP: they
 * start at 0 and read back what was written.  Not the time-stamp
 * counter MSR 0x10: QEMU 7.2 TCG reads it as 0 here, while rdtsc works.
 */
#include "guest.h"

#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

void test_main(void)
{
	printf("reset: SYSENTER_CS %x ESP %x EIP %x\n", (uint32_t)rdmsr(MSR_SYSENTER_CS),
	       (uint32_t)rdmsr(MSR_SYSENTER_ESP), (uint32_t)rdmsr(MSR_SYSENTER_EIP));

	wrmsr(MSR_SYSENTER_CS, SEL_KCODE);
	wrmsr(MSR_SYSENTER_ESP, 0x00123450);
	wrmsr(MSR_SYSENTER_EIP, 0x00105678);
	uint64_t cs = rdmsr(MSR_SYSENTER_CS), esp = rdmsr(MSR_SYSENTER_ESP), eip = rdmsr(MSR_SYSENTER_EIP);
	printf("written: SYSENTER_CS %x ESP %x EIP %x (high words %x %x %x)\n",
	       (uint32_t)cs, (uint32_t)esp, (uint32_t)eip,
	       (uint32_t)(cs >> 32), (uint32_t)(esp >> 32), (uint32_t)(eip >> 32));
	report(cs == SEL_KCODE && esp == 0x00123450 && eip == 0x00105678, "SYSENTER MSRs read back");

	wrmsr(MSR_SYSENTER_CS, 0xabcd);
	report(rdmsr(MSR_SYSENTER_CS) == 0xabcd, "SYSENTER_CS reads back abcd");
	wrmsr(MSR_SYSENTER_CS, 0);
	wrmsr(MSR_SYSENTER_ESP, 0);
	wrmsr(MSR_SYSENTER_EIP, 0);
	report(rdmsr(MSR_SYSENTER_CS) == 0 && rdmsr(MSR_SYSENTER_EIP) == 0, "cleared again");
}
