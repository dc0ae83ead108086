/*
 * bootinfo: the PVH start state.  The entry got a start info with the
 * PVH magic, a memory map (version >= 1) whose RAM covers where we live
 * (1 MiB) up to 32 MiB, and a command line; and the CPU state the PVH ABI
 * promises: protected mode, paging off, IF=0, our flat segments loaded.
 */
#include "guest.h"

/* Does one RAM entry (type 1) cover [lo, hi)? */
static int ram_covers(uint32_t lo, uint32_t hi)
{
	for (uint32_t i = 0; i < boot_info.nr_mem; i++) {
		uint32_t b = boot_info.mem[i].base, s = boot_info.mem[i].size;
		if (boot_info.mem[i].type == 1 && b <= lo && hi - b <= s)
			return 1;
	}
	return 0;
}

void test_main(void)
{
	uint32_t cr0 = CR_READ(0);

	report(boot_info.pvh, "start info has the PVH magic 336ec578");
	report(boot_info.version >= 1, "start info version >= 1 (has a memory map)");
	report(ram_covers(0x00100000, 0x02000000), "memory map: RAM covers 00100000-02000000");
	printf("command line: '%s'\n", boot_info.cmdline);
	report((cr0 & (CR0_PE | CR0_PG)) == CR0_PE, "CR0: PE=1 PG=0 at entry");
	report(!(boot_eflags & EFLAGS_IF), "EFLAGS.IF=0 at entry");
}
