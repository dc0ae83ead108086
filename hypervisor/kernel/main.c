/*
 * The kernel's C entry: the machine, physical memory, the scheduler, the
 * root task; then the boot context becomes the idle thread.
 */
#include "kernel.h"
#include "paging.h"
#include "pmm.h"
#include "printk.h"

#define MB_BOOT_MAGIC 0x2BADB002u

void kernel_main(uint32_t mb_magic, uint32_t mb_info_phys)
{
	kprintf("hypervisor: booting\n");
	if (mb_magic != MB_BOOT_MAGIC)
		panic("not started by a multiboot loader (magic %x)", mb_magic);
	arch_init();
	pmm_init(mb_info_phys);
	pmm_print_summary();
	arch_drop_identity_map();
	sched_init();
	root_start();
	schedule();     /* the first thread runs; we come back when all idle */
	sched_idle();
}
