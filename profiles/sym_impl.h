/*
 * Internals of the symbolizer (symtab.c, symbolize.c, srcline.c): not
 * part of the API (prof.h).
 */
#ifndef AB_PROF_SYM_IMPL_H
#define AB_PROF_SYM_IMPL_H

#include <elfutils/libdwfl.h>
#include <gelf.h>

#include "prof_impl.h"

/* A code label of the ELF's symbol table. */
struct prof_label {
	uint64_t addr;
	const char *name;          /* in the ELF's string table */
	size_t shndx, index;       /* section, position in .symtab */
	unsigned char type, bind;
};

struct prof_exec_sec {
	uint64_t lo, hi;           /* [lo, hi) */
	size_t shndx;
};

struct prof_srcfile {
	char *path;
	char *text;                /* NULL if unreadable */
	size_t *line_off;          /* line_off[i]: start of line i + 1 */
	size_t nlines;
};

/* A range of addresses of one compilation unit. */
struct prof_cu_range {
	uint64_t lo, hi;           /* [lo, hi), biased */
	Dwarf_Die die;             /* the CU */
	Dwarf_Addr bias;
};

struct prof_symtab {
	char *path;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	GElf_Addr bias;            /* where libdwfl put the ELF (ET_DYN moves) */
	struct prof_label *labels; /* by section, then address */
	size_t nlabels;
	struct prof_exec_sec *exec;
	size_t nexec;
	struct prof_srcfile *files;
	size_t nfiles;
	struct prof_cu_range *cus; /* sorted by lo; built on first use */
	size_t ncus;
	int cus_loaded;
	char **known;              /* every source path of the DWARF, sorted; for file= */
	size_t nknown;
	int known_loaded;
	struct prof_disasm *disasm; /* nth.c: opened on first use */
};

/* symtab.c: the labels and executable sections of st->mod's ELF. */
int prof_labels_load(struct prof_symtab *st, struct prof_err *err);
/* The executable section holding addr (biased), or NULL. */
const struct prof_exec_sec *prof_exec_of(const struct prof_symtab *st, uint64_t addr);
/* A label at the address of the one prof_label_lookup names for addr (all
 * candidates share that address and section), or NULL. */
const struct prof_label *prof_label_at(const struct prof_symtab *st, uint64_t addr);
/* The label for addr (see prof_sym.function) and its aliases; -1 when
 * out of memory. */
int prof_label_lookup(const struct prof_symtab *st, uint64_t addr, struct prof_sym *s);

/* dwarf_cu.c: the CU holding addr, or NULL; *bias its module's bias.
 * From the CUs' own ranges, as not every producer writes .debug_aranges
 * (clang does not), which libdwfl's lookup needs. */
Dwarf_Die *prof_cu_of(struct prof_symtab *st, uint64_t addr, Dwarf_Addr *bias);

/* scopes.c: the chain of inlined subroutines at pc inside the function
 * fn (a DW_TAG_subprogram), innermost first, into chain[0..cap); the
 * count.  Lexical blocks are entered whatever their ranges say. */
size_t prof_inlined_at(Dwarf_Die *fn, Dwarf_Addr pc, Dwarf_Die *chain, size_t cap);
/* The subprogram at pc in the CU, or -1. */
int prof_function_at(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *fn);

/* srcline.c: the text of path:line cleaned for reports, or NULL. */
char *prof_source_line(struct prof_symtab *st, const char *path, unsigned line);
void prof_sources_free(struct prof_symtab *st);
/* file relative to comp_dir, without "." and ".." components; NULL if
 * nothing is left. */
char *prof_rule_path(const char *file, const char *comp_dir);
/* The rule_file of prof_sym: prof_rule_path, and for a file outside
 * comp_dir, the shortest tail (two components at least) that no other
 * source file of the ELF ends with. */
char *prof_rule_file(struct prof_symtab *st, const char *file, const char *comp_dir);
/* nth.c: the disassembler prof_nth keeps in st->disasm. */
void prof_disasm_close(struct prof_disasm *dis);
/* symbolize.c: file joined with comp_dir when relative (malloc'd). */
char *prof_full_path(const char *file, const char *comp_dir);

#endif
