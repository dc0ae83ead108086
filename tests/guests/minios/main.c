/*
 * The mini-OS: boot, start three processes at ring 3, run them to their
 * exits, and judge.  Every number printed is either a result of the work
 * or a count that does not depend on timing (never ticks or switches), so
 * the same ELF prints the same bytes on bare QEMU and on the hypervisor.
 */
#include "kernel.h"
#include "expect.h"

extern char __kernel_end[];
extern char user_crc_main[], user_sieve_main[], user_probe_main[];

/* FNV-1a over the words, so that the checksum is a function of all. */
static uint32_t checksum(const uint32_t *w, int n)
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < n; i++)
		for (int b = 0; b < 32; b += 8)
			h = (h ^ ((w[i] >> b) & 0xFF)) * 16777619u;
	return h;
}

__attribute__((noreturn)) void kmain(uint32_t start_info)
{
	serial_init();
	kputs("minios: booting\n");
	uint32_t mem_end = pvh_mem_end(start_info);
	if (mem_end < PHYS_MIN)
		panic("too little memory, end", mem_end);
	seg_init();
	idt_init();
	kalloc_init((uint32_t)__kernel_end, mem_end);
	vm_init(mem_end);
	timer_init();
	kputs("minios: paging on, timer at 100 Hz\n");

	uint32_t free_before = kalloc_free_pages();
	proc_create("crc", (uint32_t)user_crc_main);
	proc_create("sieve", (uint32_t)user_sieve_main);
	proc_create("probe", (uint32_t)user_probe_main);
	kputs("minios: 3 processes at ring 3, round robin\n");
	scheduler();

	uint32_t got[6] = { procs[0].status, procs[1].status, procs[2].status,
			    counts.faults, counts.syscalls, counts.caught };
	static const uint32_t want[6] = { EXPECT_CRC, EXPECT_PRIMES, 0,
					  EXPECT_FAULTS, EXPECT_SYSCALLS, EXPECT_CAUGHT };
	int ok = free_before == kalloc_free_pages();
	for (int i = 0; i < 6; i++)
		ok &= got[i] == want[i];

	kputs("minios: demand faults ");
	kputdec(counts.faults);
	kputs(", system calls ");
	kputdec(counts.syscalls);
	kputs(", caught faults ");
	kputdec(counts.caught);
	kputs(free_before == kalloc_free_pages() ? ", all pages freed\n" : ", PAGES LEAKED\n");
#ifdef MINIOS_DEBUG
	kputs("minios: (debug) ticks ");
	kputdec(ticks);
	kputs(", switches ");
	kputdec(switches);
	kputc('\n');
#endif
	kputs("minios: checksum ");
	kputhex(checksum(got, 6));
	kputs(ok ? "\nTest result: SUCCESS\n" : "\nTest result: FAILURE\n");
	qemu_exit(ok ? 0 : 1);
}
