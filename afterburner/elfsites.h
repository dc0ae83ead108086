/*
 * The .afterburn site records of an ELF, each resolved to the place it
 * names.  Host tool.
 *
 * A record's rel field is PC-relative (abi/site.h).  In a linked file it is
 * final: site = address of the field + rel.  In an ET_REL object it is not
 * known until link time, so the assembler leaves a PC32 relocation on it:
 * the site is then symbol + addend, with the addend in the field (REL,
 * i386) or in the relocation (RELA, x86-64).  An object may carry several
 * .afterburn sections, one per COMDAT group; all of them are read.
 */
#ifndef AB_ELFSITES_H
#define AB_ELFSITES_H

#include <stddef.h>
#include <stdint.h>

#include "elfimage.h"
#include "site.h"

struct ab_elf_site {
	struct ab_site_record rec;  /* the record, decoded from little-endian */
	size_t rec_shndx;           /* the .afterburn section holding it */
	uint64_t rec_off;           /* and its offset there */
	size_t shndx;               /* the section the site lies in, 0 if none */
	uint64_t off;               /* the site's offset in that section */
	uint64_t addr;              /* the site's reported address (ab_elf_addr) */
	char error[80];             /* why the record cannot be placed; "" if it can */
};

struct ab_elf_sites {
	struct ab_elf_site *v;      /* in file order */
	size_t n;
};

/* 0 on success (bad records are reported in their error field), -1 with
 * err on an input error such as running out of memory. */
int ab_elf_sites_read(struct ab_elf_sites *sites, const struct ab_elf *img, char *err, size_t errlen);
void ab_elf_sites_free(struct ab_elf_sites *sites);

#endif
