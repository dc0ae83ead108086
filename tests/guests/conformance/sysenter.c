/*
 * sysenter: a sysexit to ring 3 and a sysenter back, through the
 * SYSENTER MSRs (sysexit is a trapping kind; sysenter itself runs in
 * ring-3 code, which is never annotated).  Each side sees the selectors
 * the MSRs imply and the stack SYSENTER_ESP names; sysenter clears IF.
 * SKIP when CPUID does not report SEP (our CPU model hides it, as the
 * hypervisor does).
 */
#include "guest.h"

uint32_t sysexit_roundtrip(uint32_t eip, uint32_t esp);
void sysenter_entry(void), user_sysenter(void);
extern volatile uint32_t user_cs, user_ss, entry_cs, entry_ss, entry_esp, entry_eflags;

static uint8_t entry_stack[1024] __attribute__((aligned(16)));
static uint8_t user_stack[1024] USER_DATA __attribute__((aligned(16)));

void test_main(void)
{
	uint32_t r[4];

	cpuid(1, r);
	if (!(r[3] & (1u << 11)))
		test_skip("CPUID does not report SEP");

	paging_init();
	paging_enable();
	uint32_t top = (uint32_t)(entry_stack + sizeof entry_stack);
	wrmsr(0x174, SEL_KCODE);
	wrmsr(0x175, top);
	wrmsr(0x176, (uint32_t)sysenter_entry);

	uint32_t v = sysexit_roundtrip((uint32_t)user_sysenter,
				       (uint32_t)(user_stack + sizeof user_stack));
	printf("ring 3 after sysexit: cs %04x ss %04x\n", user_cs & 0xffff, user_ss & 0xffff);
	printf("ring 0 after sysenter: cs %04x ss %04x, returned %x\n",
	       entry_cs & 0xffff, entry_ss & 0xffff, v);
	report((user_cs & 0xffff) == SEL_UCODE && (user_ss & 0xffff) == SEL_UDATA,
	       "sysexit entered ring 3 with SYSENTER_CS+16/+24, RPL 3");
	report((entry_cs & 0xffff) == SEL_KCODE && (entry_ss & 0xffff) == SEL_KDATA && v == 0x5e9,
	       "sysenter came back to ring 0 with SYSENTER_CS and +8");
	report(entry_esp == top, "on the SYSENTER_ESP stack");
	report(!(entry_eflags & EFLAGS_IF), "with IF=0");
	paging_disable();
	wrmsr(0x174, 0);
}
