/*
 * A guest VM, booted by root from the modules (docs/run.md): the guest ELF
 * (its module's line carries `vm`), the wedge (`wedge`), an initrd
 * (`initrd`) and a command-line file (`cmdline`).  One VM per boot.
 */
#ifndef ROOT_VM_H
#define ROOT_VM_H

#include "root.h"
#include "vcpu.h"

/* Until the kernel's syscall.h has it (docs/vm-plan.md, "Creating a VM"). */
#ifndef HV_SYS_VM_CREATE
#define HV_SYS_VM_CREATE 11   /* ebx pager, ecx priority, edx guest memory bytes -> ebx tid */
#endif

#define VM_MEM_DEFAULT_MIB 128u          /* QEMU's default -m */
#define VM_MEM_MIN_MIB     4u
#define VM_MAX_SITES_BYTES (16u << 20)  /* scratch for the site records: 16 MiB */
#define VM_DEATH_CODE      0x7Fu         /* hv_shutdown code when root ends a VM: QEMU status 255 */
#define MIB                (1u << 20)
#define BLOCK              (4u << 20)    /* guest memory is mapped in blocks of up to 4 MiB */

/* Where the PVH start info goes in guest memory: where QEMU's PVH option
 * ROM puts its own (QEMU 7.2, measured), so a guest sees the same layout. */
#define PVH_MEMMAP    0x05A8u            /* 6 entries of 24 bytes */
#define PVH_CMDLINE   0x11C0u            /* up to PVH_CMDLINE_MAX bytes with the NUL */
#define PVH_CMDLINE_MAX 0x1000u
#define PVH_MODLIST   0x21C0u            /* one struct hvm_modlist_entry (32 bytes) */
#define PVH_START     0x21E0u            /* struct hvm_start_info (56 bytes) */
#define PVH_AREA_LO   0x0500u
#define PVH_AREA_HI   0x2218u
/* The guest's stack at its entry (ab_wedge_boot.boot_esp): the reserved
 * [0x9FC00, 0xA0000) of the memory map (vm_pvh.c), where bare QEMU has
 * its EBDA.  1 KiB; a site's call needs 40 bytes and its way back 40
 * more. */
#define PVH_BOOT_STACK_LO  0x9FC00u
#define PVH_BOOT_STACK_TOP 0xA0000u
#define PVH_MAGIC     0x336ec578u

struct vmachine {
	char name[32];
	int present, running;
	unsigned module, wedge_mod, initrd_mod, cmdline_mod;   /* 0: none */
	unsigned target;                 /* AB_TARGET_L4 or AB_TARGET_TRAP */
	uint32_t mem;                    /* guest-physical memory, bytes */
	uint32_t gbase;                  /* its host-physical block (4 MiB aligned) */
	uint32_t wlo, whi;               /* the wedge's pages, guest-virtual, [wlo, whi) */
	uint32_t wbase;                  /* root's copy of them, host-physical */
	uint32_t entry;                  /* PVH entry */
	struct ab_image gimg, wimg;
	const char *append;              /* the inline append= text (to the end of the line) */
	uint32_t tid, space;
	unsigned reports;
};

extern struct vmachine vm;

/* A wedge segment root backs: all but one with no file bytes in the VM's
 * kernel-owned top (UTCBs, the vCPU page), which the wedge's link script
 * declares only so the loader sees its vCPU page as wedge memory. */
static inline int wedge_seg_backed(const struct ab_seg *s)
{
	return !(s->filesz == 0 && s->vaddr >= AB_VM_UTCB_AREA && s->vaddr < AB_WEDGE_END &&
		 s->memsz <= AB_WEDGE_END - s->vaddr);
}

/* vm_pvh.c: the start info, memory map, command line and initrd in guest
 * memory; 0, or -1 after printing why. */
int vm_pvh_build(void);

/* vm.c */
void vm_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
const char *hv_status_name(uint32_t st);

#endif
