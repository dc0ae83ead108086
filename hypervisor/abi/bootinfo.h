/*
 * What the kernel tells the root task at boot, v1 (docs/abi/syscalls.md):
 * one read-only page at HV_BOOTINFO_ADDR in the root space.  Physical
 * addresses are reachable through root's window at HV_PHYS_WINDOW + p.
 */
#ifndef HV_ABI_BOOTINFO_H
#define HV_ABI_BOOTINFO_H

#define HV_BOOTINFO_MAGIC 0x4F424854u   /* "THBO" */
#define HV_BOOTINFO_MAX_MODULES 16
#define HV_BOOTINFO_MAX_RANGES 16
#define HV_BOOTINFO_CMDLINE 128

#ifndef __ASSEMBLER__
#include <stdint.h>

struct hv_module {
	uint32_t start, end;                 /* physical, end exclusive */
	char cmdline[HV_BOOTINFO_CMDLINE];   /* the module's multiboot string, NUL-terminated */
};

struct hv_range {
	uint32_t start, end;                 /* physical, page aligned, end exclusive */
};

struct hv_bootinfo {
	uint32_t magic, version;             /* HV_BOOTINFO_MAGIC, 1 */
	uint32_t nmodules;                   /* modules after root's own (module 0) */
	uint32_t nranges;                    /* free physical memory the window serves */
	uint32_t ram_end;                    /* highest RAM address + 1 */
	uint32_t tick_hz;                    /* PIT rate of the kernel's tick */
	char cmdline[HV_BOOTINFO_CMDLINE];   /* the kernel's command line */
	struct hv_module modules[HV_BOOTINFO_MAX_MODULES];  /* modules[0] is root's own */
	struct hv_range ranges[HV_BOOTINFO_MAX_RANGES];
};
#endif

#endif
