/*
 * An x86 ELF file opened for inspection: the header facts afterburn verify
 * needs and a bounds-checked table of sections.  Host tool (libelf).
 *
 * Addresses: an ET_EXEC (or ET_DYN) file has final addresses, so a place in
 * it is reported as sh_addr + offset.  An ET_REL file has none (every
 * sh_addr is 0), so a place is reported as its offset in its section and
 * the section name has to go with it.  ab_elf_addr() hides the difference.
 */
#ifndef AB_ELFIMAGE_H
#define AB_ELFIMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <gelf.h>

#include "decode.h"

struct ab_elf_section {
	const char *name;       /* "" when the name is out of bounds */
	uint32_t type;          /* SHT_* */
	uint64_t flags;         /* SHF_* */
	uint64_t addr, size;
	uint32_t link, info;
	size_t xndx;            /* symbol tables: their SHT_SYMTAB_SHNDX section, or 0 */
	Elf_Data *data;         /* loaded for code, .afterburn, symbols, relocations */
	const uint8_t *bytes;   /* raw bytes of data (PROGBITS only), else NULL */
	uint64_t nbytes;        /* valid bytes at `bytes` */
};

struct ab_elf {
	int fd;
	Elf *elf;
	int elfclass;           /* ELFCLASS32 or ELFCLASS64 */
	unsigned machine;       /* EM_386 or EM_X86_64 */
	unsigned type;          /* ET_EXEC, ET_DYN or ET_REL */
	enum ab_mode mode;      /* the code's default mode, from e_machine */
	size_t nsections;       /* section headers, index 0 included */
	struct ab_elf_section *sections;
	size_t *code;           /* indices of the executable sections, by address */
	size_t ncode;
};

/* Open path.  0 on success; -1 with a message in err on any input error. */
int ab_elf_open(struct ab_elf *img, const char *path, char *err, size_t errlen);
void ab_elf_close(struct ab_elf *img);

/* Sections whose bytes we disassemble: SHF_EXECINSTR with file contents. */
int ab_elf_is_code(const struct ab_elf_section *s);

/* 1 if the file has final addresses (ET_EXEC, ET_DYN). */
int ab_elf_is_linked(const struct ab_elf *img);

/* The address reported for offset off in section shndx (see above). */
uint64_t ab_elf_addr(const struct ab_elf *img, size_t shndx, uint64_t off);

/*
 * Linked files only: the section holding address addr, preferring code;
 * 0 if none.  *off receives the offset in it.
 */
size_t ab_elf_section_at(const struct ab_elf *img, uint64_t addr, uint64_t *off);

const char *ab_elf_type_name(unsigned type);
const char *ab_elf_machine_name(unsigned machine);

#endif
