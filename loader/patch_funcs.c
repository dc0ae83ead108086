/*
 * Function symbols, sorted by address, so that `afterburn patch --list`
 * can say which function a site is in.  Host only: it allocates.  Uses the
 * loader's own bounds-checked section access, so it is as safe as the
 * loader on a malformed file.
 */
#include <stdlib.h>

#include "loader_impl.h"
#include "patch_cmd.h"

#define STT_FUNC 2

struct func {
	uint64_t addr, size;
	const char *name;
};

struct ab_funcs {
	struct func *v;
	size_t n;
};

static int by_addr(const void *a, const void *b)
{
	const struct func *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* A name from the string table, or NULL if it is not NUL-terminated in it. */
static const char *name_at(const struct ab_image *img, const struct ab_shdr *strtab, uint32_t off)
{
	if (off >= strtab->size)
		return NULL;
	const uint8_t *s = img->data + strtab->offset + off;
	for (uint64_t i = 0; i < strtab->size - off; i++)
		if (!s[i])
			return (const char *)s;
	return NULL;
}

struct ab_funcs *ab_funcs_load(const struct ab_image *img)
{
	struct ab_funcs *f = calloc(1, sizeof *f);
	uint32_t entsize = img->is64 ? SYM64_SIZE : SYM32_SIZE;
	if (!f || img->type == ET_REL)
		return f;
	for (uint32_t i = 1; i < img->shnum; i++) {
		struct ab_shdr symtab, strtab;
		ab_shdr_get(img, i, &symtab);
		if (symtab.type != SHT_SYMTAB || symtab.entsize != entsize ||
		    !ab_shdr_get(img, symtab.link, &strtab) || strtab.type != SHT_STRTAB)
			continue;
		size_t max = symtab.size / entsize;
		struct func *v = realloc(f->v, (f->n + max) * sizeof *v);
		if (!v)
			break;
		f->v = v;
		for (size_t k = 1; k < max; k++) {
			const uint8_t *sym = img->data + symtab.offset + k * entsize;
			uint8_t info = sym[img->is64 ? 4 : 12];
			uint16_t shndx = rd16(sym + (img->is64 ? 6 : 14));
			const char *name = name_at(img, &strtab, rd32(sym));
			if ((info & 0xf) != STT_FUNC || shndx == SHN_UNDEF || !name || !*name)
				continue;
			f->v[f->n].addr = img->is64 ? rd64(sym + 8) : rd32(sym + 4);
			f->v[f->n].size = img->is64 ? rd64(sym + 16) : rd32(sym + 8);
			f->v[f->n].name = name;
			f->n++;
		}
	}
	if (f->n)
		qsort(f->v, f->n, sizeof *f->v, by_addr);
	return f;
}

const char *ab_funcs_name(const struct ab_funcs *f, uint64_t addr, uint64_t *offset)
{
	if (!f || !f->n)
		return NULL;
	size_t lo = 0, hi = f->n;          /* first symbol above addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct func *s = &f->v[lo - 1];
	if (s->size && addr - s->addr >= s->size)
		return NULL;
	*offset = addr - s->addr;
	return s->name;
}

void ab_funcs_free(struct ab_funcs *f)
{
	if (f)
		free(f->v);
	free(f);
}
