/*
 * The function of an address as the afterburner names it: the last
 * non-local code label at or before the instruction in its section
 * (afterburner/as/mc_bridge.cpp, emitLabel).  Every such label reaches the
 * ELF symbol table, of whatever type (a function, or a plain label of
 * hand-written assembly inside one), so this is the symbol at or below the
 * address in the same executable section; not the sized function that
 * contains it, which is what libdwfl would answer.  A rule's function=
 * written from it therefore matches the same instruction on rebuild.
 */
#include <stdlib.h>
#include <string.h>

#include "sym_impl.h"

static int by_addr(const void *a, const void *b)
{
	const struct prof_label *x = a, *y = b;
	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Which of several labels at one address names it: a function over a
 * plain label (linker-script symbols like _stext are plain), a global
 * over a weak one (`__weak __alias(f)` makes weak names for f), over a
 * local; then the later one in the table.  prof_symbolize corrects the
 * choice with DWARF when it can. */
static int rank(const struct prof_label *l)
{
	return (l->type == STT_FUNC || l->type == STT_GNU_IFUNC ? 6 : l->type == STT_OBJECT ? 3 : 0) +
	       (l->bind == STB_GLOBAL ? 2 : l->bind == STB_WEAK);
}

int prof_labels_load(struct prof_symtab *st, struct prof_err *err)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(st->mod, &bias);
	size_t nsec;
	if (!elf || elf_getshdrnum(elf, &nsec))
		return prof_fail(err, st->path, 0, "not a readable ELF file");
	Elf_Scn *symscn = NULL;
	GElf_Shdr symsh = { 0 };
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		if ((sh.sh_flags & (SHF_ALLOC | SHF_EXECINSTR)) == (SHF_ALLOC | SHF_EXECINSTR) &&
		    sh.sh_type == SHT_PROGBITS && sh.sh_size) {
			struct prof_exec_sec *nv = realloc(st->exec, (st->nexec + 1) * sizeof *nv);
			if (!nv)
				return prof_fail(err, st->path, 0, "out of memory");
			st->exec = nv;
			st->exec[st->nexec++] = (struct prof_exec_sec){
				sh.sh_addr + bias, sh.sh_addr + bias + sh.sh_size, elf_ndxscn(scn) };
		}
		if (sh.sh_type == SHT_SYMTAB || (sh.sh_type == SHT_DYNSYM && !symscn))
			symscn = scn, symsh = sh;
	}
	Elf_Data *data = symscn ? elf_getdata(symscn, NULL) : NULL;
	size_t nsym = data && symsh.sh_entsize ? symsh.sh_size / symsh.sh_entsize : 0;
	st->labels = calloc(nsym ? nsym : 1, sizeof *st->labels);
	if (!st->labels)
		return prof_fail(err, st->path, 0, "out of memory");
	for (size_t i = 1; i < nsym; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		unsigned char type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_NOTYPE && type != STT_OBJECT && type != STT_GNU_IFUNC)
			continue;
		const char *name = elf_strptr(elf, symsh.sh_link, sym.st_name);
		if (!name || !*name || !strncmp(name, ".L", 2))
			continue;
		int exec = 0;
		for (size_t k = 0; k < st->nexec && !exec; k++)
			exec = st->exec[k].shndx == sym.st_shndx;
		if (!exec || sym.st_shndx >= SHN_LORESERVE)
			continue;
		st->labels[st->nlabels++] = (struct prof_label){
			sym.st_value + bias, name, sym.st_shndx, i, type, GELF_ST_BIND(sym.st_info) };
	}
	qsort(st->labels, st->nlabels, sizeof *st->labels, by_addr);
	return 0;
}

const struct prof_exec_sec *prof_exec_of(const struct prof_symtab *st, uint64_t addr)
{
	for (size_t k = 0; k < st->nexec; k++)
		if (addr >= st->exec[k].lo && addr < st->exec[k].hi)
			return &st->exec[k];
	return NULL;
}

/* The labels at the address of the last label at or before addr in its
 * section: [*first, end); 0 if there is none. */
static size_t labels_before(const struct prof_symtab *st, uint64_t addr, size_t *first)
{
	const struct prof_exec_sec *sec = prof_exec_of(st, addr);
	if (!sec)
		return 0;
	size_t shndx = sec->shndx;
	/* The last label of the section with addr' <= addr. */
	size_t lo = 0, hi = st->nlabels;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct prof_label *l = &st->labels[mid];
		if (l->shndx < shndx || (l->shndx == shndx && l->addr <= addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || st->labels[lo - 1].shndx != shndx)
		return 0;
	size_t f = lo - 1;
	uint64_t at = st->labels[f].addr;
	while (f && st->labels[f - 1].shndx == shndx && st->labels[f - 1].addr == at)
		f--;
	*first = f;
	return lo;
}

const struct prof_label *prof_label_at(const struct prof_symtab *st, uint64_t addr)
{
	size_t first = 0, lo = labels_before(st, addr, &first);
	return lo ? &st->labels[first] : NULL;
}

int prof_label_lookup(const struct prof_symtab *st, uint64_t addr, struct prof_sym *s)
{
	size_t first = 0, lo = labels_before(st, addr, &first);
	if (!lo)
		return 0;
	const struct prof_label *best = &st->labels[first];
	for (size_t i = first; i < lo; i++)
		if (rank(&st->labels[i]) >= rank(best))
			best = &st->labels[i];
	s->function = strdup(best->name);
	if (!s->function)
		return -1;
	/* Aliases: the others of the same type there, any of which may have
	 * been the assembler's last label. */
	size_t na = 0;
	for (size_t i = first; i < lo; i++)
		na += &st->labels[i] != best && st->labels[i].type == best->type &&
		      strcmp(st->labels[i].name, best->name);
	if (!na)
		return 0;
	s->aliases = calloc(na + 1, sizeof *s->aliases);
	if (!s->aliases)
		return -1;
	na = 0;
	for (size_t i = first; i < lo; i++) {
		const struct prof_label *l = &st->labels[i];
		if (l == best || l->type != best->type || !strcmp(l->name, best->name))
			continue;
		int seen = 0;
		for (size_t j = 0; j < na && !seen; j++)
			seen = !strcmp(s->aliases[j], l->name);
		if (!seen && !(s->aliases[na++] = strdup(l->name)))
			return -1;
	}
	return 0;
}
