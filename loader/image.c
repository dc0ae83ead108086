/*
 * ELF header and program headers: the part of an image every later step
 * trusts.  Everything is checked here once, so the rest of the loader may
 * index the file through img->segs and ab_shdr_get without re-checking
 * the tables themselves.
 */
#include "loader_impl.h"

static int check_class(struct ab_image *img, const uint8_t *d)
{
	if (d[4] != ELF_CLASS32 && d[4] != ELF_CLASS64)
		return AB_LD_E_UNSUPPORTED;
	img->is64 = d[4] == ELF_CLASS64;
	if (img->size < (img->is64 ? EHDR64_SIZE : EHDR32_SIZE))
		return AB_LD_E_TRUNCATED;
	if (d[5] != ELF_DATA_LSB || d[6] != 1 || rd32(d + 20) != 1)
		return AB_LD_E_UNSUPPORTED;
	img->type = rd16(d + 16);
	img->machine = rd16(d + 18);
	if (img->type != ET_REL && img->type != ET_EXEC && img->type != ET_DYN)
		return AB_LD_E_UNSUPPORTED;
	if (img->machine != (img->is64 ? EM_X86_64 : EM_386))
		return AB_LD_E_UNSUPPORTED;
	return AB_LD_OK;
}

/* One program header, as 64-bit values whatever the class. */
static void read_phdr(const struct ab_image *img, const uint8_t *p, uint32_t *type, struct ab_seg *s)
{
	*type = rd32(p);
	if (img->is64) {
		s->flags = rd32(p + 4);
		s->offset = rd64(p + 8);
		s->vaddr = rd64(p + 16);
		s->paddr = rd64(p + 24);
		s->filesz = rd64(p + 32);
		s->memsz = rd64(p + 40);
	} else {
		s->offset = rd32(p + 4);
		s->vaddr = rd32(p + 8);
		s->paddr = rd32(p + 12);
		s->filesz = rd32(p + 16);
		s->memsz = rd32(p + 20);
		s->flags = rd32(p + 24);
	}
}

static int ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static int check_segment(const struct ab_image *img, const struct ab_seg *s)
{
	/* A 32-bit image lives below 4 GiB; a 64-bit one below 2^63 is plenty. */
	uint64_t limit = img->is64 ? (uint64_t)1 << 63 : (uint64_t)1 << 32;

	if (s->filesz > s->memsz || !in_bounds(s->offset, s->filesz, img->size))
		return AB_LD_E_SEGMENT;
	if (!in_bounds(s->vaddr, s->memsz, limit) || !in_bounds(s->paddr, s->memsz, limit))
		return AB_LD_E_SEGMENT;
	return AB_LD_OK;
}

static int parse_phdrs(struct ab_image *img, const uint8_t *d)
{
	uint64_t phoff = img->is64 ? rd64(d + 32) : rd32(d + 28);
	uint32_t entsize = rd16(d + (img->is64 ? 54 : 42));
	uint32_t phnum = rd16(d + (img->is64 ? 56 : 44));

	if (phnum == 0)
		return AB_LD_OK;
	if (entsize != (img->is64 ? PHDR64_SIZE : PHDR32_SIZE))
		return AB_LD_E_PHDR;
	if (!in_bounds(phoff, (uint64_t)phnum * entsize, img->size))
		return AB_LD_E_TRUNCATED;

	for (uint32_t i = 0; i < phnum; i++) {
		struct ab_seg s;
		uint32_t type;
		read_phdr(img, d + phoff + (uint64_t)i * entsize, &type, &s);
		if (type != PT_LOAD)
			continue;
		int r = check_segment(img, &s);
		if (r)
			return r;
		if (img->nsegs == AB_LD_MAX_SEGS)
			return AB_LD_E_TOO_MANY;
		for (unsigned j = 0; j < img->nsegs; j++) {
			const struct ab_seg *o = &img->segs[j];
			/* Shared file bytes too: patching a copy of the file would
			 * write one segment's sites into the other's code. */
			if (ranges_overlap(s.vaddr, s.memsz, o->vaddr, o->memsz) ||
			    ranges_overlap(s.paddr, s.memsz, o->paddr, o->memsz) ||
			    ranges_overlap(s.offset, s.filesz, o->offset, o->filesz))
				return AB_LD_E_OVERLAP;
		}
		img->segs[img->nsegs++] = s;
	}
	return AB_LD_OK;
}

/*
 * The section header table.  Extended numbering (e_shnum 0, e_shstrndx
 * 0xffff) keeps the real values in section 0.  Every section that has
 * file bytes must lie inside the file.
 */
static int parse_shdrs(struct ab_image *img, const uint8_t *d)
{
	uint64_t shoff = img->is64 ? rd64(d + 40) : rd32(d + 32);
	uint32_t entsize = rd16(d + (img->is64 ? 58 : 46));
	uint32_t shnum = rd16(d + (img->is64 ? 60 : 48));
	uint32_t shstrndx = rd16(d + (img->is64 ? 62 : 50));

	if (shoff == 0)
		return AB_LD_OK;
	if (entsize != (img->is64 ? SHDR64_SIZE : SHDR32_SIZE))
		return AB_LD_E_SHDR;
	if (!in_bounds(shoff, entsize, img->size))
		return AB_LD_E_TRUNCATED;
	img->shoff = shoff;
	img->shentsize = entsize;
	img->shnum = 1;
	struct ab_shdr zero;
	ab_shdr_get(img, 0, &zero);
	if (shnum == 0)
		shnum = zero.size > 0xffffffffu ? 0xffffffffu : (uint32_t)zero.size;
	if (shstrndx == 0xffff)
		shstrndx = zero.link;
	img->shnum = 0;
	if (shnum == 0)
		return AB_LD_OK;
	if (!in_bounds(shoff, (uint64_t)shnum * entsize, img->size))
		return AB_LD_E_TRUNCATED;
	if (shstrndx >= shnum)
		return AB_LD_E_SHDR;
	img->shnum = shnum;
	img->shstrndx = shstrndx;

	for (uint32_t i = 1; i < shnum; i++) {
		struct ab_shdr sh;
		ab_shdr_get(img, i, &sh);
		if (sh.type != SHT_NOBITS && !in_bounds(sh.offset, sh.size, img->size))
			return AB_LD_E_SHDR;
	}
	struct ab_shdr strtab;
	ab_shdr_get(img, shstrndx, &strtab);
	if (shstrndx != 0 && strtab.type != SHT_STRTAB)
		return AB_LD_E_SHDR;
	return AB_LD_OK;
}

int ab_image_parse(struct ab_image *img, const void *data, size_t size)
{
	if (!img || (!data && size))
		return AB_LD_E_ARG;
	ab_bytes_zero((uint8_t *)img, sizeof *img);
	img->data = data;
	img->size = size;

	const uint8_t *d = data;
	if (size < 16)
		return size >= 4 && d[0] == ELF_MAG0 && d[1] == 'E' && d[2] == 'L' && d[3] == 'F'
			? AB_LD_E_TRUNCATED : AB_LD_E_NOT_ELF;
	if (d[0] != ELF_MAG0 || d[1] != 'E' || d[2] != 'L' || d[3] != 'F')
		return AB_LD_E_NOT_ELF;
	int r = check_class(img, d);
	if (r)
		return r;
	img->entry = img->is64 ? rd64(d + 24) : rd32(d + 24);
	r = parse_phdrs(img, d);
	if (r)
		return r;
	return parse_shdrs(img, d);
}
