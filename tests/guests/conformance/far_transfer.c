/*
 * far_transfer: ljmp, lcall, lret and iret change CS and come back
 * (direct and through memory far pointers; lret $imm drops arguments;
 * iret at CPL 0 loads CS and EFLAGS from its frame), and iret to ring 3
 * enters user mode with the user selectors, which int $0x80 leaves again.
 * All are silent kinds: at CPL 3 unannotated, they would check privilege
 * against the wrong ring.
 */
#include "guest.h"

uint32_t ljmp_direct(void), ljmp_indirect(void), lcall_direct(void), lcall_indirect(void);
uint32_t lret_imm(uint32_t check[2]);
uint32_t iret_ring0(uint32_t eflags, uint32_t *seen);

static volatile uint32_t user_cs USER_DATA, user_ss USER_DATA;

USER_TEXT static uint32_t user_selectors(void)
{
	uint32_t cs, ss;
	__asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
	user_cs = cs & 0xffff;
	user_ss = ss & 0xffff;
	return 0x600d;
}

static void show(const char *what, uint32_t v)
{
	printf("%s: cs there %04x, back %04x\n", what, v >> 16, v & 0xffff);
	report(v == (SEL_KCODE2 << 16 | SEL_KCODE), "%s", what);
}

void test_main(void)
{
	show("ljmp ptr16:32", ljmp_direct());
	show("ljmp m16:32", ljmp_indirect());
	show("lcall ptr16:32 + lret", lcall_direct());
	show("lcall m16:32 + lret", lcall_indirect());

	uint32_t check[2];
	show("lcall + lret $8", lret_imm(check));
	report(check[0] == 0 && check[1] == 0x600dcafe, "lret $8 dropped the 2 arguments");

	uint32_t seen;
	show("iret at CPL 0", iret_ring0(0x0cd7, &seen));
	printf("iret loaded eflags %08x\n", seen & 0x00ffffff);
	report((seen & 0x00ffffff) == 0x0cd7, "iret at CPL 0 loads EFLAGS from the frame");
	report(!(read_eflags() & EFLAGS_IF), "the caller's flags restored (IF=0)");

	paging_init();
	paging_enable();
	uint32_t r = user_run(user_selectors);
	printf("ring 3 via iret: cs %04x ss %04x, returned %x\n", user_cs, user_ss, r);
	report(user_cs == SEL_UCODE && user_ss == SEL_UDATA && r == 0x600d,
	       "iret to ring 3 and int $0x80 back");
	uint16_t cs;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	report(cs == SEL_KCODE, "back at CPL 0 in %04x", cs);
	paging_disable();
}
