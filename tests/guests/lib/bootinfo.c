/*
 * The PVH start info (xen/include/public/arch-x86/hvm/start_info.h),
 * copied into boot_info so that a guest may later page or overwrite low
 * memory.  Paging is off here: physical addresses are pointers.  Fields
 * above 4 GiB cannot be ours (we keep below 32 MiB) and are ignored.
 */
#include "guest.h"

#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;                  /* version >= 1 */
	uint32_t memmap_entries, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

struct boot_info boot_info;

void boot_info_parse(uint32_t pa)
{
	const struct hvm_start_info *si = (const void *)pa;

	if (!pa || si->magic != HVM_START_MAGIC)
		return;
	boot_info.pvh = 1;
	boot_info.version = si->version;
	if (si->cmdline_paddr && si->cmdline_paddr < 0xfc000000u) {
		const char *s = (const char *)(uint32_t)si->cmdline_paddr;
		unsigned i = 0;
		while (s[i] && i < sizeof boot_info.cmdline - 1)
			boot_info.cmdline[i] = s[i], i++;
		boot_info.cmdline[i] = 0;
	}
	if (si->version < 1 || !si->memmap_paddr || si->memmap_paddr >= 0xfc000000u)
		return;
	const struct hvm_memmap_entry *m = (const void *)(uint32_t)si->memmap_paddr;
	for (uint32_t i = 0; i < si->memmap_entries && boot_info.nr_mem < 16; i++) {
		if (m[i].addr >> 32)
			continue;
		uint64_t end = m[i].addr + m[i].size;
		if (end > 0x100000000ull)
			end = 0x100000000ull;
		boot_info.mem[boot_info.nr_mem].base = (uint32_t)m[i].addr;
		boot_info.mem[boot_info.nr_mem].size = (uint32_t)(end - m[i].addr);
		boot_info.mem[boot_info.nr_mem].type = m[i].type;
		boot_info.nr_mem++;
	}
}
