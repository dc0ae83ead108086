/*
 * The boot page directory (boot.S), which is the master copy of the
 * kernel's half: PDEs 1008..1019 map physical [0, 48 MiB) at KERNEL_BASE
 * with 4 MiB pages (supervisor, writable; CR4.PSE is on), 1020..1023 are
 * empty.  Every address space copies PDEs 1008..1023 from it.
 * PDE 0 identity-maps [0, 4 MiB) for the jump to the high half only; drop
 * it once the kernel runs high (nothing low is referenced after boot.S).
 */
#ifndef HV_PAGING_H
#define HV_PAGING_H

#include <stdint.h>

#define KERNEL_PDE_FIRST 1008u        /* KERNEL_BASE >> 22 */
#define PDE_COUNT        1024u

extern uint32_t boot_page_directory[PDE_COUNT];

/* Clear PDE 0 and reload CR3 with the boot page directory. */
void arch_drop_identity_map(void);

#endif
