/*
 * user_mode: the guest's own ring 3.  The code below is in .user_text,
 * so the afterburner leaves it alone and it must behave as hardware
 * does at CPL 3: int $0x80 through a DPL-3 gate reaches the kernel and
 * comes back; %cs shows RPL 3; popf silently keeps IF and IOPL; and the
 * trapping instructions raise #GP(0), or #GP(gate) for a DPL-0 gate.
 * The kernel sees each fault in exinfo with the user's CS and EIP.
 */
#include "guest.h"

static char hello[] USER_DATA = "hello from ring 3 via int $0x80\n";
static volatile uint32_t u_cs USER_DATA, u_if USER_DATA, u_if_after USER_DATA, u_iopl USER_DATA;

#define TRY(insn, ...) \
	__asm__ volatile("1: " insn "\n2:\n" EXTABLE(1b, 2b) : : __VA_ARGS__)

USER_TEXT static uint32_t user_main(void)
{
	uint32_t cs, f;

	usys_puts(hello);
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	u_cs = cs & 0xffff;
	__asm__ volatile("pushf; pop %0" : "=r"(f));
	u_if = (f >> 9) & 1;
	/* popf at CPL 3 with IOPL 0: IF and IOPL are kept, no fault. */
	__asm__ volatile("push %1; popf; pushf; pop %0" : "=r"(f) : "r"(0x3002) : "cc");
	u_if_after = (f >> 9) & 1;
	u_iopl = (f >> 12) & 3;

	TRY("cli", "i"(0));
	TRY("sti", "i"(0));
	TRY("hlt", "i"(0));
	TRY("inb $0x70, %%al", "i"(0) : "eax");
	TRY("outb %%al, $0x80", "a"(0));
	TRY("mov %%cr0, %%eax", "i"(0) : "eax");
	TRY("rdmsr", "c"(0x174) : "eax", "edx");
	TRY("int $0x81", "i"(0));
	return 0x3;
}

static const char *const names[] = { "cli", "sti", "hlt", "in", "out", "mov from cr0", "rdmsr",
				     "int $0x81 (DPL 0 gate)" };

void test_main(void)
{
	paging_init();
	paging_enable();
	ex_clear();
	uint32_t r = user_run(user_main);
	paging_disable();

	printf("ring 3: cs %04x, IF %u; after popf of IF=0 IOPL=3: IF %u IOPL %u\n",
	       u_cs, u_if, u_if_after, u_iopl);
	report(r == 3, "ring-3 code returned through int $0x80");
	report(u_cs == SEL_UCODE, "mov from %%cs at CPL 3 shows RPL 3");
	report(u_if == 1 && u_if_after == 1 && u_iopl == 0, "popf at CPL 3 keeps IF and IOPL");
	report(ex_count == 8, "8 faults at CPL 3 (%u)", ex_count);
	for (unsigned i = 0; i < 8 && i < ex_count; i++) {
		uint32_t want = i == 7 ? 0x81 << 3 | 2 : 0;
		printf("%s: vector %u error %04x cs %04x\n", names[i], ex_log[i].vector,
		       ex_log[i].error, ex_log[i].cs);
		report(ex_log[i].vector == 13 && ex_log[i].error == want && ex_log[i].cs == SEL_UCODE &&
		       ex_log[i].eip >= (uint32_t)__user_text_start &&
		       ex_log[i].eip < (uint32_t)__user_text_end, "%s at CPL 3 is #GP", names[i]);
	}
}
