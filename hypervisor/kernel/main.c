/*
 * The kernel's C entry: the machine, physical memory, the scheduler, the
 * root task; then the boot context becomes the idle thread.
 */
#include "kernel.h"
#include "paging.h"
#include "pmm.h"
#include "printk.h"
#include "vm.h"

#define MB_BOOT_MAGIC 0x2BADB002u

/* Does the command line hold this word (space-separated)? */
static int cmdline_has(const char *cmd, const char *word)
{
	for (const char *p = cmd; *p;) {
		unsigned i = 0;
		while (word[i] && p[i] == word[i])
			i++;
		if (!word[i] && (p[i] == ' ' || !p[i]))
			return 1;
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return 0;
}

void kernel_main(uint32_t mb_magic, uint32_t mb_info_phys)
{
	if (mb_magic != MB_BOOT_MAGIC)
		panic("not started by a multiboot loader (magic %x)", mb_magic);
	arch_init();
	pmm_init(mb_info_phys);
	/* A guest's serial output must have COM1 to itself (docs/vm-plan.md). */
	if (cmdline_has(pmm_cmdline(), "debug=com2"))
		arch_debug_use_com2();
	/* A guest's end ends the run, unless the test wants to see the rest. */
	if (cmdline_has(pmm_cmdline(), "vm_exit=continue"))
		vm_exit_continue = 1;
	kprintf("hypervisor: booting\n");
	pmm_print_summary();
	arch_drop_identity_map();
	sched_init();
	root_start();
	schedule();     /* the first thread runs; we come back when all idle */
	sched_idle();
}
