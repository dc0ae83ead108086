/*
 * Section headers, names and symbols.  ab_image_parse checked the table's
 * bounds and each section's file range; names and symbols are checked here,
 * at the point of use, because they are only read when asked for.
 */
#include "loader_impl.h"

int ab_shdr_get(const struct ab_image *img, uint32_t idx, struct ab_shdr *sh)
{
	if (idx >= img->shnum)
		return 0;
	const uint8_t *p = img->data + img->shoff + (uint64_t)idx * img->shentsize;
	sh->name = rd32(p);
	sh->type = rd32(p + 4);
	if (img->is64) {
		sh->flags = rd64(p + 8);
		sh->addr = rd64(p + 16);
		sh->offset = rd64(p + 24);
		sh->size = rd64(p + 32);
		sh->link = rd32(p + 40);
		sh->info = rd32(p + 44);
		sh->entsize = rd64(p + 56);
	} else {
		sh->flags = rd32(p + 8);
		sh->addr = rd32(p + 12);
		sh->offset = rd32(p + 16);
		sh->size = rd32(p + 20);
		sh->link = rd32(p + 24);
		sh->info = rd32(p + 28);
		sh->entsize = rd32(p + 36);
	}
	return 1;
}

/* Compare a NUL-terminated name at strtab[off] with `name`, never reading
 * past the string table. */
static int strtab_eq(const struct ab_image *img, const struct ab_shdr *strtab, uint64_t off,
		     const char *name)
{
	if (strtab->type != SHT_STRTAB || off >= strtab->size)
		return 0;
	const uint8_t *s = img->data + strtab->offset + off;
	uint64_t room = strtab->size - off;
	for (uint64_t i = 0; i < room; i++) {
		if (s[i] != (uint8_t)name[i])
			return 0;
		if (name[i] == 0)
			return 1;
	}
	return 0;
}

int ab_shdr_named(const struct ab_image *img, const struct ab_shdr *sh, const char *name)
{
	struct ab_shdr strtab;
	if (!img->shstrndx || !ab_shdr_get(img, img->shstrndx, &strtab))
		return 0;
	return strtab_eq(img, &strtab, sh->name, name);
}

int ab_symbol_value(const struct ab_image *img, const char *name, uint64_t *value)
{
	uint32_t entsize = img->is64 ? SYM64_SIZE : SYM32_SIZE;

	for (uint32_t i = 1; i < img->shnum; i++) {
		struct ab_shdr symtab, strtab;
		ab_shdr_get(img, i, &symtab);
		if (symtab.type != SHT_SYMTAB)
			continue;
		if (symtab.entsize != entsize || (size_t)symtab.size % entsize ||
		    !ab_shdr_get(img, symtab.link, &strtab) || strtab.type != SHT_STRTAB)
			return -1;
		for (uint64_t off = 0; off < symtab.size; off += entsize) {
			const uint8_t *sym = img->data + symtab.offset + off;
			uint16_t shndx = rd16(sym + (img->is64 ? 6 : 14));
			if (shndx == SHN_UNDEF || !strtab_eq(img, &strtab, rd32(sym), name))
				continue;
			*value = img->is64 ? rd64(sym + 8) : rd32(sym + 4);
			return 1;
		}
	}
	return 0;
}

int ab_seg_of(const struct ab_image *img, uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct ab_seg *s = &img->segs[i];
		if (addr >= s->vaddr && in_bounds(addr - s->vaddr, len, s->filesz))
			return (int)i;
	}
	return -1;
}

int ab_is_code(const struct ab_image *img, int seg, uint64_t addr, uint64_t len)
{
	if (seg >= 0 && (img->segs[seg].flags & PF_X))
		return 1;
	for (uint32_t i = 1; i < img->shnum; i++) {
		struct ab_shdr sh;
		ab_shdr_get(img, i, &sh);
		if ((sh.flags & (SHF_ALLOC | SHF_EXECINSTR)) != (SHF_ALLOC | SHF_EXECINSTR) ||
		    sh.type == SHT_NOBITS)
			continue;
		if (addr >= sh.addr && in_bounds(addr - sh.addr, len, sh.size))
			return 1;
	}
	return 0;
}

const uint8_t *ab_image_bytes(const struct ab_image *img, uint64_t addr, uint64_t len)
{
	int i = ab_seg_of(img, addr, len);
	if (i < 0)
		return 0;
	return img->data + img->segs[i].offset + (addr - img->segs[i].vaddr);
}

/* In an object file a site address is section << 32 | offset (sites.c). */
const uint8_t *ab_site_bytes(const struct ab_image *img, const struct ab_site *s)
{
	if (img->type != ET_REL)
		return ab_image_bytes(img, s->addr, s->len);
	struct ab_shdr sh;
	uint64_t off = s->addr & 0xffffffffu;
	if (!ab_shdr_get(img, (uint32_t)(s->addr >> 32), &sh) || sh.type == SHT_NOBITS ||
	    !in_bounds(off, s->len, sh.size))
		return 0;
	return img->data + sh.offset + off;
}
