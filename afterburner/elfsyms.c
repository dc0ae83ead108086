/*
 * Symbol table, placed and sorted.  Both ET_REL (st_value is an offset in
 * the section) and linked files (st_value is an address) end up as
 * (section, offset), so lookups never need to know which kind of file it is.
 */
#include "elfsyms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ab_elf_symbol(const struct ab_elf *img, size_t symtab, size_t idx,
		  GElf_Sym *sym, size_t *shndx)
{
	if (symtab == 0 || symtab >= img->nsections)
		return -1;
	const struct ab_elf_section *st = &img->sections[symtab];
	if ((st->type != SHT_SYMTAB && st->type != SHT_DYNSYM) || !st->data || idx > INT32_MAX)
		return -1;
	Elf_Data *xdata = st->xndx ? img->sections[st->xndx].data : NULL;
	Elf32_Word x = 0;
	/* gelf_getsymshndx checks idx against both tables' sizes. */
	if (!gelf_getsymshndx(st->data, xdata, (int)idx, sym, &x))
		return -1;
	if (sym->st_shndx == SHN_XINDEX)
		*shndx = xdata ? x : 0;
	else if (sym->st_shndx >= SHN_LORESERVE)
		*shndx = 0;     /* SHN_ABS, SHN_COMMON: in no section */
	else
		*shndx = sym->st_shndx;
	return 0;
}

/* Lower rank wins when several symbols share an address: a function's own
 * name rather than a local label, an alias, or a linker-script marker such
 * as _stext (those are not typed, and conventionally start with '_'). */
static int rank(const struct ab_sym *s)
{
	int r = s->type == STT_FUNC ? 0 : 16;
	r += s->bind == STB_GLOBAL ? 0 : s->bind == STB_WEAK ? 4 : 8;
	r += s->name[0] == '_' ? 1 + (s->name[1] == '_') : 0;
	return r;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct ab_sym *x = a, *y = b;
	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (rank(x) != rank(y))
		return rank(x) - rank(y);
	return strcmp(x->name, y->name);
}

int ab_syms_load(struct ab_syms *syms, const struct ab_elf *img, char *err, size_t errlen)
{
	memset(syms, 0, sizeof *syms);
	size_t symtab = 0;
	for (size_t i = 1; i < img->nsections; i++) {
		if (img->sections[i].type == SHT_SYMTAB) {
			symtab = i;
			break;
		}
		if (img->sections[i].type == SHT_DYNSYM && !symtab)
			symtab = i;
	}
	if (!symtab || !img->sections[symtab].data)
		return 0;
	const struct ab_elf_section *st = &img->sections[symtab];
	size_t entsize = gelf_fsize(img->elf, ELF_T_SYM, 1, EV_CURRENT);
	size_t count = entsize ? st->data->d_size / entsize : 0;
	syms->v = calloc(count ? count : 1, sizeof *syms->v);
	if (!syms->v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 1; i < count; i++) {
		GElf_Sym sym;
		size_t shndx;
		if (ab_elf_symbol(img, symtab, i, &sym, &shndx) != 0)
			break;
		unsigned type = GELF_ST_TYPE(sym.st_info);
		if (shndx == 0 || shndx >= img->nsections || type == STT_SECTION || type == STT_FILE)
			continue;
		const char *name = elf_strptr(img->elf, st->link, sym.st_name);
		if (!name || !*name)
			continue;
		const struct ab_elf_section *sec = &img->sections[shndx];
		uint64_t off = sym.st_value;
		if (ab_elf_is_linked(img)) {
			if (off < sec->addr)
				continue;
			off -= sec->addr;
		}
		if (off >= sec->size)
			continue;   /* end markers such as _etext name nothing inside */
		struct ab_sym *s = &syms->v[syms->n++];
		s->name = name;
		s->shndx = shndx;
		s->off = off;
		s->size = sym.st_size;
		s->type = (unsigned char)type;
		s->bind = (unsigned char)GELF_ST_BIND(sym.st_info);
	}
	qsort(syms->v, syms->n, sizeof *syms->v, sym_cmp);
	return 0;
}

void ab_syms_free(struct ab_syms *syms)
{
	free(syms->v);
	memset(syms, 0, sizeof *syms);
}

/* Index of the first symbol that sorts after (shndx, off). */
static size_t upper_bound(const struct ab_syms *syms, size_t shndx, uint64_t off)
{
	size_t lo = 0, hi = syms->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ab_sym *s = &syms->v[mid];
		if (s->shndx < shndx || (s->shndx == shndx && s->off <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct ab_sym *ab_syms_lookup(const struct ab_syms *syms, size_t shndx, uint64_t off)
{
	size_t i = upper_bound(syms, shndx, off);
	if (i == 0 || syms->v[i - 1].shndx != shndx)
		return NULL;
	/* Step back to the best-ranked symbol at that same offset. */
	uint64_t at = syms->v[i - 1].off;
	while (i > 1 && syms->v[i - 2].shndx == shndx && syms->v[i - 2].off == at)
		i--;
	return &syms->v[i - 1];
}

size_t ab_syms_in_section(const struct ab_syms *syms, size_t shndx, size_t *first)
{
	size_t lo = shndx ? upper_bound(syms, shndx - 1, UINT64_MAX) : 0;
	size_t hi = upper_bound(syms, shndx, UINT64_MAX);
	*first = lo;
	return hi - lo;
}
