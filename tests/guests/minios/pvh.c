/*
 * The PVH start info: how much memory we have.  We take the RAM entry of
 * the memory map that holds our 1 MiB load address and use it up to
 * PHYS_LIMIT.  Read before paging is on; the table may lie anywhere.
 */
#include "kernel.h"

#define HVM_START_MAGIC 0x336ec578u
#define E820_RAM 1

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;          /* version >= 1 */
	uint32_t memmap_entries, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

uint32_t pvh_mem_end(uint32_t pa)
{
	const struct hvm_start_info *si = (const struct hvm_start_info *)pa;
	if (!pa || si->magic != HVM_START_MAGIC)
		panic("no PVH start info, magic", pa ? si->magic : 0);
	if (si->version < 1 || !si->memmap_entries || si->memmap_paddr >> 32)
		panic("PVH start info without a memory map, version", si->version);
	const struct hvm_memmap_entry *e =
		(const struct hvm_memmap_entry *)(uint32_t)si->memmap_paddr;
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		if (e[i].type != E820_RAM || e[i].addr > 0x100000u)
			continue;
		uint64_t end = e[i].addr + e[i].size;
		if (end <= 0x100000u)
			continue;
		return end > PHYS_LIMIT ? PHYS_LIMIT : (uint32_t)end;
	}
	panic("no RAM at 1 MiB in the PVH memory map, entries", si->memmap_entries);
}
