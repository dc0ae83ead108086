/*
 * The export table the loader reads (abi/wedge.h, docs/abi/wedge.md): one
 * entry per kind, the vCPU page and its IF byte, and the site table area.
 *
 * The vCPU page is the kernel's (AB_VCPU_PAGE), not ours; the loader only
 * accepts vcpu/vcpu_if inside a writable segment of the wedge, so wedge.ld
 * declares an empty (NOBITS) segment .vcpu_page exactly over it.  Root
 * must not back that segment: the kernel maps the page (docs/wedge.md).
 */
#include "vcpu.h"
#include "wedge.h"

/* ~20,000 sites of 32 bytes: a Linux 6.1 i386 kernel under policy full has
 * about 12,000 call sites; room to spare, and it costs only .bss. */
#define SITE_CAPACITY 20480
#define SITE_TABLE_SIZE (16 + 32 * SITE_CAPACITY)
#define VCPU_IF_OFFSET 8   /* offsetof(struct ab_vcpu, vif); checked in boot.c */

	.set nkinds, 0
#define KIND(id, name, class, len, layout, pad) .set nkinds, nkinds + 1;
#include "kinds.def"
#undef KIND

	.section .wedge_exports, "aw", @progbits
	.balign 4
	.globl __wedge_exports
__wedge_exports:
	.long AB_WEDGE_EXPORTS_MAGIC
	.short AB_WEDGE_VERSION
	.short nkinds
	.long AB_VCPU_PAGE
	.long AB_VCPU_PAGE + VCPU_IF_OFFSET
	.long wedge_site_table
	.long SITE_TABLE_SIZE
	.set kindno, 0
#define KIND(id, name, class, len, layout, pad) \
	.set kindno, kindno + 1; .byte kindno, 0, 0, 0; .long wedge_entry_##id;
#include "kinds.def"
#undef KIND

	.section .bss.sites, "aw", @nobits
	.balign 16
	.globl wedge_site_table
wedge_site_table:
	.skip SITE_TABLE_SIZE

	.section .note.GNU-stack, "", @progbits
