/*
 * Physical memory, from the multiboot information.  Usable RAM, minus the
 * low 1 MiB, the kernel image, the multiboot structures and the modules,
 * is split in two:
 *   - the kernel pool: the free frames below PMM_POOL_END, reached through
 *     the direct map; the kernel's own objects (page tables, stacks, TCBs)
 *     come from here, a page at a time;
 *   - user memory: the free ranges above it, which the kernel never uses;
 *     root gets them through its physical window (bootinfo.h).
 */
#ifndef HV_PMM_H
#define HV_PMM_H

#include <stdint.h>
#include "arch.h"
#include "bootinfo.h"

#define PMM_POOL_END (KERNEL_DIRECT_SIZE < 0x02000000u ? KERNEL_DIRECT_SIZE : 0x02000000u)

/* Parse the multiboot information (physical address from the loader) and
 * build the pool.  Panics on information it cannot use. */
void pmm_init(uint32_t mb_info_phys);

/* A zeroed page of the kernel pool (virtual, direct map), or NULL when
 * the pool is empty; and back. */
void *kpage_alloc(void);
void kpage_free(void *page);
unsigned kpage_free_count(void);

/* User memory: up to max ranges into out; returns how many. */
unsigned pmm_user_ranges(struct hv_range *out, unsigned max);
int pmm_is_user_frame(uint32_t phys);
uint32_t pmm_ram_end(void);                /* highest RAM address + 1 */

/* The multiboot modules, in order (module 0 is root's), and the kernel's
 * command line (truncated to HV_BOOTINFO_CMDLINE - 1 characters). */
unsigned pmm_modules(struct hv_module *out, unsigned max);
const char *pmm_cmdline(void);

/* Print what pmm_init found. */
void pmm_print_summary(void);

#endif
