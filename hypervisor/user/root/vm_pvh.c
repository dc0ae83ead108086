/*
 * The PVH start info for the guest (xen/include/public/arch-x86/hvm/
 * start_info.h), as QEMU 7.2's PVH option ROM builds it for a bare boot of
 * the same ELF with the same -m: the same addresses (below 1 MiB), the
 * same memory map, the command line, and the initrd as module 0 where
 * QEMU's x86 loader puts it (the top of RAM less the ACPI area).  A guest
 * therefore sees the same start state bare and on the hypervisor.
 */
#include "vm.h"

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
} __attribute__((packed));

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
} __attribute__((packed));

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info is 56 bytes");
_Static_assert(PVH_MEMMAP + 6 * sizeof(struct hvm_memmap_entry) <= PVH_CMDLINE, "memory map fits");
_Static_assert(PVH_START + sizeof(struct hvm_start_info) <= PVH_AREA_HI, "start info fits");

#define E820_RAM      1
#define E820_RESERVED 2
/* QEMU: the top 128 KiB of RAM below 4 GiB are reserved (the BIOS's tables);
 * the initrd goes below acpi_data_size (0x20000 + 0x8000) from the top. */
#define TOP_RESERVED  0x20000u
#define INITRD_GAP    0x28000u

static uint8_t *gp(uint32_t gpa)
{
	return WIN(vm.gbase) + gpa;
}

/* The guest image's highest byte + 1 (for the initrd's check). */
static uint32_t image_end(void)
{
	uint32_t hi = 0;
	for (unsigned i = 0; i < vm.gimg.nsegs; i++) {
		const struct ab_seg *s = &vm.gimg.segs[i];
		if (s->paddr + s->memsz > hi)
			hi = (uint32_t)(s->paddr + s->memsz);
	}
	return hi;
}

static int put_cmdline(void)
{
	char *dst = (char *)gp(PVH_CMDLINE);
	uint32_t n = 0;
	if (vm.cmdline_mod) {
		const struct hv_module *m = &bi->modules[vm.cmdline_mod];
		n = m->end - m->start;
		if (n >= PVH_CMDLINE_MAX) {
			uprintf("root: vm %s: the command line has %u bytes, at most %u\n", vm.name, n,
				PVH_CMDLINE_MAX - 1);
			return -1;
		}
		memcpy(dst, WIN(m->start), n);
	} else if (vm.append) {
		n = (uint32_t)ustrlen(vm.append);
		memcpy(dst, vm.append, n);
	}
	dst[n] = 0;
	return 0;
}

int vm_pvh_build(void)
{
	uint32_t mem = vm.mem;
	struct hvm_memmap_entry map[6] = {
		{ 0, PVH_BOOT_STACK_LO, E820_RAM, 0 },
		{ PVH_BOOT_STACK_LO, PVH_BOOT_STACK_TOP - PVH_BOOT_STACK_LO, E820_RESERVED, 0 },
		{ 0xF0000, 0x10000, E820_RESERVED, 0 },
		{ 0x100000, mem - TOP_RESERVED - 0x100000, E820_RAM, 0 },
		{ mem - TOP_RESERVED, TOP_RESERVED, E820_RESERVED, 0 },
		{ 0xFFFC0000u, 0x40000, E820_RESERVED, 0 },
	};
	memcpy(gp(PVH_MEMMAP), map, sizeof map);
	if (put_cmdline())
		return -1;

	struct hvm_start_info si = {
		.magic = PVH_MAGIC,
		.version = 1,
		.cmdline_paddr = PVH_CMDLINE,
		.memmap_paddr = PVH_MEMMAP,
		.memmap_entries = 6,
	};
	if (vm.initrd_mod) {
		const struct hv_module *m = &bi->modules[vm.initrd_mod];
		uint32_t size = m->end - m->start, top = mem - INITRD_GAP - 1;
		uint32_t at = size < top ? (top - size) & ~0xFFFu : 0;
		if (at < image_end() || at < 0x100000) {
			uprintf("root: vm %s: the initrd (%u bytes) does not fit above the guest image "
				"(%x) in %u MiB\n", vm.name, size, image_end(), mem >> 20);
			return -1;
		}
		memcpy(gp(at), WIN(m->start), size);
		struct hvm_modlist_entry mod = { at, size, 0, 0 };
		memcpy(gp(PVH_MODLIST), &mod, sizeof mod);
		si.nr_modules = 1;
		si.modlist_paddr = PVH_MODLIST;
		uprintf("root: vm %s: initrd %u bytes at %x\n", vm.name, size, at);
	}
	memcpy(gp(PVH_START), &si, sizeof si);
	uprintf("root: vm %s: start info at %x, command line '%s'\n", vm.name, PVH_START,
		(const char *)gp(PVH_CMDLINE));
	return 0;
}
