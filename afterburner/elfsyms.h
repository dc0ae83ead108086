/*
 * The symbols of an ELF, placed by (section, offset) and sorted, so that a
 * report can name the function an address lies in with a binary search.
 * Host tool.
 */
#ifndef AB_ELFSYMS_H
#define AB_ELFSYMS_H

#include <stddef.h>
#include <stdint.h>

#include "elfimage.h"

struct ab_sym {
	const char *name;
	size_t shndx;          /* the section it is defined in */
	uint64_t off;          /* offset in that section */
	uint64_t size;         /* st_size, 0 if unknown */
	unsigned char type;    /* STT_* */
	unsigned char bind;    /* STB_* */
};

struct ab_syms {
	struct ab_sym *v;      /* sorted by shndx, off, then preference */
	size_t n;
};

/*
 * Load .symtab (or .dynsym when there is no .symtab).  A file without
 * symbols gives an empty table.  0 on success, -1 with err on input error.
 */
int ab_syms_load(struct ab_syms *syms, const struct ab_elf *img, char *err, size_t errlen);
void ab_syms_free(struct ab_syms *syms);

/* The symbol at or nearest before off in section shndx, or NULL. */
const struct ab_sym *ab_syms_lookup(const struct ab_syms *syms, size_t shndx, uint64_t off);

/* The symbols of section shndx: *first is the index of the first, returns the count. */
size_t ab_syms_in_section(const struct ab_syms *syms, size_t shndx, size_t *first);

/*
 * Read symbol idx of the symbol table in section symtab, with its section
 * index resolved through SHT_SYMTAB_SHNDX when it is SHN_XINDEX.  0 on
 * success, -1 if idx or the table is out of bounds.
 */
int ab_elf_symbol(const struct ab_elf *img, size_t symtab, size_t idx,
		  GElf_Sym *sym, size_t *shndx);

#endif
