/*
 * Segments, paging and the address-space layout, shared by the kernel and
 * the assembly.  Everything sits below 32 MiB physical and below
 * 0xFC000000 virtual: the top 64 MiB belong to the hypervisor (DESIGN.md).
 */
#ifndef MINIOS_MMU_H
#define MINIOS_MMU_H

/* Unsigned in C; the assembler knows no suffixes. */
#ifdef __ASSEMBLER__
#define U32(x) x
#else
#define U32(x) x##u
#endif

/* GDT slots; a selector is slot * 8 | RPL. */
#define SEG_KCODE 1
#define SEG_KDATA 2
#define SEG_UCODE 3
#define SEG_UDATA 4
#define SEG_TSS   5
#define NSEGS     6
#define KCODE_SEL (SEG_KCODE << 3)
#define KDATA_SEL (SEG_KDATA << 3)
#define UCODE_SEL ((SEG_UCODE << 3) | 3)
#define UDATA_SEL ((SEG_UDATA << 3) | 3)
#define TSS_SEL   (SEG_TSS << 3)

/* 2-level paging, 4 KiB pages only (no PSE, no PGE). */
#define PGSIZE  U32(4096)
#define PTE_P   U32(0x001)
#define PTE_W   U32(0x002)
#define PTE_U   U32(0x004)
#define CR0_PG  U32(0x80000000)
#define PDX(va) (((unsigned)(va) >> 22) & 0x3FF)
#define PTX(va) (((unsigned)(va) >> 12) & 0x3FF)
#define PTE_ADDR(e) ((unsigned)(e) & ~U32(0xFFF))
#define PGROUNDUP(a)   (((unsigned)(a) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) ((unsigned)(a) & ~(PGSIZE - 1))

/*
 * Physical memory the kernel uses, identity-mapped supervisor-only in every
 * address space.  A larger machine is simply not used above this.
 */
#define PHYS_LIMIT U32(0x02000000)          /* 32 MiB */
#define PHYS_MIN   U32(0x00600000)          /* refuse less: the work needs ~5 MiB */

/*
 * A process's view.  Its code and constants are linked here (minios.ld)
 * and mapped read-only; heap and stack are demand-paged.
 */
#define USER_BASE   U32(0x08000000)
#define HEAP_BASE   U32(0x10000000)
#define HEAP_LIMIT  U32(0x11000000)         /* sbrk refuses to go beyond */
#define STACK_TOP   U32(0x40000000)
#define STACK_LIMIT (STACK_TOP - U32(0x10000))   /* 64 KiB of stack */

#endif
