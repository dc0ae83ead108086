/*
 * page_faults: the #PF error code (P, W/R, U/S bits), CR2 and EIP, from
 * ring 0 and from ring 3.  Ring 0: not-present read (0) and write (2),
 * a write to a read-only page with CR0.WP=1 (3) and none with WP=0.
 * Ring 3 (.user_text, so it really runs at CPL 3): a supervisor page
 * (5), a read-only user page (7), a not-present page (4).  The ring-3
 * accesses carry their own exception-table entries.
 */
#include "guest.h"

#define NP   0x40000000u        /* never mapped */
#define RO   0x40001000u        /* read-only, supervisor */
#define URO  0x40002000u        /* read-only, user */
#define SUP  0x40003000u        /* writable, supervisor */

static uint32_t frame[1024] __attribute__((aligned(4096)));
static volatile uint32_t user_addr USER_DATA, user_write USER_DATA;

/* Read or write user_addr at CPL 3; a fault resumes after the access. */
USER_TEXT static uint32_t user_access(void)
{
	uint32_t a = user_addr, v = 0;
	if (user_write)
		__asm__ volatile("1: movl $1, (%0)\n2:\n" EXTABLE(1b, 2b) : : "r"(a) : "memory");
	else
		__asm__ volatile("1: movl (%1), %0\n2:\n" EXTABLE(1b, 2b) : "+r"(v) : "r"(a) : "memory");
	return 0;
}

static void expect(const char *what, uint32_t addr, uint32_t err)
{
	printf("%s: vector %u error %x cr2 %08x\n", what, exinfo.vector, exinfo.error, exinfo.cr2);
	/* The U bit of the error code says the fault came from CPL 3. */
	report(ex_count == 1 && exinfo.vector == 14 && exinfo.error == err && exinfo.cr2 == addr &&
	       (exinfo.cs & 3) == (err & 4 ? 3 : 0), "%s", what);
}

static void kernel_access(uint32_t addr, int write)
{
	uint32_t v = 0;
	ex_clear();
	if (write)
		__asm__ volatile("1: movl $1, (%0)\n2:\n" EXTABLE(1b, 2b) : : "r"(addr) : "memory");
	else
		__asm__ volatile("1: movl (%1), %0\n2:\n" EXTABLE(1b, 2b) : "+r"(v) : "r"(addr) : "memory");
}

static void user_try(uint32_t addr, int write)
{
	user_addr = addr;
	user_write = write;
	ex_clear();
	user_run(user_access);
}

void test_main(void)
{
	paging_init();
	map_page(RO, (uint32_t)frame, PTE_P);
	map_page(URO, (uint32_t)frame, PTE_P | PTE_U);
	map_page(SUP, (uint32_t)frame, PTE_P | PTE_W);
	paging_enable();

	kernel_access(NP, 0);
	expect("CPL 0 read, not present", NP, 0);
	kernel_access(NP + 0x10, 1);
	expect("CPL 0 write, not present", NP + 0x10, 2);

	kernel_access(RO, 1);
	report(ex_count == 0 && frame[0] == 1, "CPL 0 write to a read-only page with WP=0: allowed");
	CR_WRITE(0, CR_READ(0) | CR0_WP);
	kernel_access(RO + 4, 1);
	expect("CPL 0 write, read-only, WP=1", RO + 4, 3);
	CR_WRITE(0, CR_READ(0) & ~CR0_WP);

	user_try(SUP + 8, 0);
	expect("CPL 3 read, supervisor page", SUP + 8, 5);
	user_try(URO + 12, 1);
	expect("CPL 3 write, read-only user page", URO + 12, 7);
	user_try(NP + 16, 0);
	expect("CPL 3 read, not present", NP + 16, 4);
	user_try(URO, 0);
	report(ex_count == 0, "CPL 3 read of a user page: no fault");

	paging_disable();
}
