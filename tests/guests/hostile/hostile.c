/*
 * hostile: a guest that attacks the machine it runs on (issue 5,
 * acceptance c).  On the hypervisor it runs beside the canary task
 * (hypervisor/user/tests/canary.c); tests/test_vm_hostile.py checks that
 * every attack is contained, the canary's memory is intact, and the
 * hypervisor carries on after this guest ends.  The attacks:
 *   1. page tables that map frames outside the guest's memory;
 *   2. from guest user mode, reads, writes and jumps to the hypervisor's,
 *      the wedge's and the vCPU page's addresses;
 *   3. the same reads and writes from guest kernel mode on the hypervisor;
 *   4. bogus descriptors: a GDT of garbage, an LDT and a TSS selector that
 *      point at garbage;
 *   5. a trap flood: raw (unannotated) cli and int3, 100,000 each;
 *   6. last, an IDT of limit 0 and an int3: a triple fault, which ends the
 *      guest (bare QEMU resets; the hypervisor ends the VM).
 * Bare, the first attack reads all-ones from absent memory instead of
 * faulting; both count as contained.
 */
#include "guest.h"

#define WINDOW 0x40000000u
#define FLOOD 100000u

static uint32_t mem_top(void)
{
	uint32_t top = 0;
	for (uint32_t i = 0; i < boot_info.nr_mem; i++)
		if (boot_info.mem[i].type == 1 && boot_info.mem[i].base + boot_info.mem[i].size > top)
			top = boot_info.mem[i].base + boot_info.mem[i].size;
	return (top + 0xFFFFFu) & ~0xFFFFFu;     /* past what a BIOS keeps at the end */
}

/* Write a marker through a mapping of frame f, read it back. */
static int contained_frame(uint32_t f)
{
	const char *how;
	uint32_t got = 0;
	map_page(WINDOW, f, PTE_P | PTE_W);
	invlpg(WINDOW);
	ex_clear();
	__asm__ volatile("1: movl $0x5eedbeef, (%1)\n2:\n" EXTABLE(1b, 2b)
			 "3: movl (%1), %0\n4:\n" EXTABLE(3b, 4b) : "+r"(got) : "r"(WINDOW) : "memory");
	int faulted = ex_count == 2 && ex_log[0].vector == 14 && ex_log[1].vector == 14;
	how = faulted ? "#PF" : got != 0x5eedbeef ? "no memory there" : "WRITTEN";
	printf("frame %08x: %s\n", f, how);
	return faulted || got != 0x5eedbeef;
}

static void outside_frames(void)
{
	uint32_t top = mem_top();
	const uint32_t frames[] = { top, top + 0x100000u, 0x20000000u, 0xFAFFF000u };
	unsigned ok = 0;
	for (unsigned i = 0; i < sizeof frames / sizeof frames[0]; i++)
		ok += contained_frame(frames[i]);
	report(ok == 4, "frames outside guest memory: %u of 4 contained", ok);
}

/* Ring 3: touch the reserved top of the address space. */
static uint32_t targets[4] USER_DATA = { 0xFC100000u, 0xFF000000u, 0xFFBFF000u, 0xFFC00000u };

USER_TEXT static uint32_t user_touch(void)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < 4; i++) {
		__asm__ volatile("1: movl (%1), %0\n2:\n" EXTABLE(1b, 2b) : "+r"(v) : "r"(targets[i]) : "memory");
		__asm__ volatile("1: movl $0, (%0)\n2:\n" EXTABLE(1b, 2b) : : "r"(targets[i]) : "memory");
	}
	return v;
}

/* Jumps: the #PF handler below returns to after each call. */
USER_TEXT static uint32_t user_jump(void)
{
	for (unsigned i = 0; i < 4; i++)
		__asm__ volatile("call *%0" : : "r"(targets[i]) : "memory", "eax", "ecx", "edx");
	return 0;
}

static volatile uint32_t jumps_caught;

static void pf_return(struct frame *f)
{
	if ((f->cs & 3) != 3 || f->eip < 0xFC000000u)
		test_result(FAILURE);
	jumps_caught++;
	f->eip = *(uint32_t *)f->esp;     /* as if the called code returned */
	f->esp += 4;
}

static void reserved_from_user(void)
{
	ex_clear();
	user_run(user_touch);
	unsigned faults = 0;
	for (unsigned i = 0; i < ex_count && i < 8; i++)
		faults += ex_log[i].vector == 14 && (ex_log[i].error & 4);
	report(faults == 8, "reads and writes from ring 3 to the reserved top: %u of 8 faulted", faults);
	idt_set_handler(14, pf_return);
	jumps_caught = 0;
	user_run(user_jump);
	idt_set_handler(14, 0);
	report(jumps_caught == 4, "jumps from ring 3 to the hypervisor, wedge, vCPU page, kmap: %u of 4 faulted",
	       jumps_caught);
}

static void reserved_from_kernel(void)
{
	const uint32_t targets[] = { 0xFC100000u, 0xFEFFF000u, 0xFFC00000u, 0xFFFFF000u };
	unsigned faults = 0;
	for (unsigned i = 0; i < 4; i++) {
		uint32_t v = 0;
		ex_clear();
		__asm__ volatile("1: movl (%1), %0\n2:\n" EXTABLE(1b, 2b) : "+r"(v) : "r"(targets[i]) : "memory");
		__asm__ volatile("1: movl $0, (%0)\n2:\n" EXTABLE(1b, 2b) : : "r"(targets[i]) : "memory");
		faults += ex_count == 2 && ex_log[0].vector == 14;
	}
	report(faults == 4, "hypervisor and kmap addresses from guest kernel mode: %u of 4 faulted", faults);
}

static uint64_t bogus_gdt[GDT_ENTRIES];

static void bogus_descriptors(void)
{
	struct dtr mine, bogus = { sizeof bogus_gdt - 1, (uint32_t)bogus_gdt };
	__asm__ volatile("sgdt %0" : "=m"(mine));
	/* Every kind of descriptor that %es must refuse. */
	for (unsigned i = 0; i < GDT_ENTRIES; i++)
		bogus_gdt[i] = seg_desc(0, 0xfffff, 0x12, 0xc);           /* data, not present */
	bogus_gdt[0x38 >> 3] = 0;                                         /* null */
	bogus_gdt[0x48 >> 3] = seg_desc(0, 0xfffff, 0x80, 0xc);           /* system type 0 */
	bogus_gdt[0x58 >> 3] = seg_desc(0, 0x67, 0x89, 0x0);              /* a TSS */
	bogus_gdt[0x78 >> 3] = seg_desc(0, 0xfffff, 0x98, 0xc);           /* execute-only code */
	bogus_gdt[SEL_KCODE >> 3] = gdt[SEL_KCODE >> 3];     /* the IDT's gates need it */
	bogus_gdt[SEL_KDATA >> 3] = gdt[SEL_KDATA >> 3];
	__asm__ volatile("lgdt %0" : : "m"(bogus));
	unsigned faults = 0;
	const uint16_t sels[] = { 0x18, 0x38, 0x48, 0x58, 0x78 };
	for (unsigned i = 0; i < 5; i++) {
		ex_clear();
		__asm__ volatile("1: mov %w0, %%es\n2:\n" EXTABLE(1b, 2b) : : "r"(sels[i]) : "memory");
		faults += ex_count == 1;
	}
	ex_clear();
	__asm__ volatile("1: lldt %w0\n2:\n" EXTABLE(1b, 2b) : : "r"((uint16_t)0x60) : "memory");
	faults += ex_count == 1;
	ex_clear();
	__asm__ volatile("1: ltr %w0\n2:\n" EXTABLE(1b, 2b) : : "r"((uint16_t)0x68) : "memory");
	faults += ex_count == 1;
	__asm__ volatile("lgdt %0" : : "m"(mine));
	__asm__ volatile("mov %w0, %%es" : : "r"((uint16_t)SEL_KDATA));
	report(faults == 7, "loads through a garbage GDT: %u of 7 faulted", faults);
}

static volatile uint32_t int3s;

static void count_int3(struct frame *f)
{
	(void)f;
	int3s++;
}

static void flood(void)
{
	idt_set_handler(3, count_int3);
	for (uint32_t i = 0; i < FLOOD; i++)
		__asm__ volatile(".byte 0xfa");       /* cli, unannotated: it traps */
	for (uint32_t i = 0; i < FLOOD; i++)
		__asm__ volatile("int3");
	report(int3s == FLOOD, "trap flood: %u cli and %u int3, all handled", FLOOD, int3s);
}

void test_main(void)
{
	paging_init();
	paging_enable();
	outside_frames();
	reserved_from_user();
	reserved_from_kernel();
	bogus_descriptors();
	flood();
	printf("hostile: %s; now an IDT of limit 0 and int3 (a triple fault)\n",
	       test_failures ? "some attacks were not contained" : "every attack was contained");
	struct dtr none = { 0, 0 };
	__asm__ volatile("lidt %0; int3" : : "m"(none));
	printf("hostile: still running after a triple fault\n");
	test_result(FAILURE);
}
