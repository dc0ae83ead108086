/*
 * Reading .afterburn and placing each record (see elfsites.h).
 *
 * Relocations are applied only to the rel field, and only the PC32 kinds
 * the assembler emits for ".long site - .": a relocation of any other type,
 * or one that lands elsewhere in a record, means the record was not written
 * by our toolchain, so it is reported rather than guessed at.
 */
#include "elfsites.h"
#include "elfsyms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reloc {
	size_t target;         /* the .afterburn section it applies to */
	uint64_t offset;       /* in that section */
	size_t symtab;         /* the symbol table it refers to */
	size_t sym;
	unsigned type;
	int64_t addend;
	int has_addend;        /* RELA; a REL addend is the field's contents */
};

struct relocs {
	struct reloc *v;
	size_t n, cap;
};

static int32_t le32s(const uint8_t *p)
{
	uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	/* Two's complement without implementation-defined conversion. */
	return u < 0x80000000u ? (int32_t)u : (int32_t)(u - 0x80000000u) - INT32_MAX - 1;
}

static void decode_record(struct ab_site_record *r, const uint8_t *p)
{
	r->rel = le32s(p);
	r->kind = p[4];
	r->len = p[5];
	r->insn_len = p[6];
	r->flags = p[7];
	r->op_a = p[8];
	r->op_b = p[9];
	r->width = p[10];
	r->modrm = p[11];
}

static int push_reloc(struct relocs *rs, const struct reloc *r)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct reloc *v = realloc(rs->v, cap * sizeof *v);
		if (!v)
			return -1;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n++] = *r;
	return 0;
}

static int reloc_cmp(const void *a, const void *b)
{
	const struct reloc *x = a, *y = b;
	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*
 * Gather the relocations that apply to .afterburn sections, sorted by
 * (section, offset), in one pass: a big object has one .afterburn per
 * COMDAT group and tens of thousands of sections.  Only those relocation
 * sections were loaded (elfimage.c), so a missing s->data means "not ours".
 */
static int collect_relocs(struct relocs *rs, const struct ab_elf *img)
{
	for (size_t i = 1; i < img->nsections; i++) {
		const struct ab_elf_section *s = &img->sections[i];
		if ((s->type != SHT_REL && s->type != SHT_RELA) || !s->data)
			continue;
		int rela = s->type == SHT_RELA;
		size_t entsize = gelf_fsize(img->elf, rela ? ELF_T_RELA : ELF_T_REL, 1, EV_CURRENT);
		size_t count = entsize ? s->data->d_size / entsize : 0;
		for (size_t k = 0; k < count && k <= INT32_MAX; k++) {
			struct reloc r = { .target = s->info, .symtab = s->link, .has_addend = rela };
			if (rela) {
				GElf_Rela e;
				if (!gelf_getrela(s->data, (int)k, &e))
					break;
				r.offset = e.r_offset;
				r.sym = GELF_R_SYM(e.r_info);
				r.type = (unsigned)GELF_R_TYPE(e.r_info);
				r.addend = e.r_addend;
			} else {
				GElf_Rel e;
				if (!gelf_getrel(s->data, (int)k, &e))
					break;
				r.offset = e.r_offset;
				r.sym = GELF_R_SYM(e.r_info);
				r.type = (unsigned)GELF_R_TYPE(e.r_info);
			}
			if (push_reloc(rs, &r) != 0)
				return -1;
		}
	}
	if (rs->n)   /* rs->v may still be NULL */
		qsort(rs->v, rs->n, sizeof *rs->v, reloc_cmp);
	return 0;
}

static int is_pc32(const struct ab_elf *img, unsigned type)
{
	if (img->machine == EM_386)
		return type == R_386_PC32 || type == R_386_PLT32;
	return type == R_X86_64_PC32 || type == R_X86_64_PLT32;
}

/* Place a record of an ET_REL object through its relocation r. */
static void place_relocated(struct ab_elf_site *site, const struct ab_elf *img, const struct reloc *r)
{
	GElf_Sym sym;
	size_t shndx;
	if (!is_pc32(img, r->type)) {
		snprintf(site->error, sizeof site->error,
			 "relocation type %u on the rel field is not PC32", r->type);
		return;
	}
	if (ab_elf_symbol(img, r->symtab, r->sym, &sym, &shndx) != 0) {
		snprintf(site->error, sizeof site->error, "relocation names bad symbol %zu", r->sym);
		return;
	}
	if (shndx == 0 || shndx >= img->nsections) {
		snprintf(site->error, sizeof site->error, "relocation against %s symbol",
			 sym.st_shndx == SHN_UNDEF ? "an undefined" : "an absolute");
		return;
	}
	/* PC32 computes S + A - P and the site is P + rel, so the site is
	 * S + A: a place in the symbol's own section. */
	int64_t a = r->has_addend ? r->addend : site->rec.rel;
	site->shndx = shndx;
	site->off = sym.st_value + (uint64_t)a;
	site->addr = site->off;
}

/* Place a record of a linked file: its rel field is final. */
static void place_linked(struct ab_elf_site *site, const struct ab_elf *img)
{
	uint64_t field = img->sections[site->rec_shndx].addr + site->rec_off;
	uint64_t a = field + (uint64_t)(int64_t)site->rec.rel;
	if (img->elfclass == ELFCLASS32)
		a = (uint32_t)a;
	site->addr = a;
	site->shndx = ab_elf_section_at(img, a, &site->off);
}

/* The relocation at exactly (shndx, off), or NULL; *other is set if one
 * lands elsewhere inside the 12 bytes of the record. */
static const struct reloc *find_reloc(const struct relocs *rs, size_t shndx, uint64_t off,
				      int *several, int *other)
{
	size_t lo = 0, hi = rs->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct reloc *r = &rs->v[mid];
		if (r->target < shndx || (r->target == shndx && r->offset < off))
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct reloc *hit = NULL;
	*several = *other = 0;
	for (size_t i = lo; i < rs->n && rs->v[i].target == shndx &&
			    rs->v[i].offset < off + AB_SITE_SIZE; i++) {
		if (rs->v[i].offset != off)
			*other = 1;
		else if (hit)
			*several = 1;
		else
			hit = &rs->v[i];
	}
	return hit;
}

static int read_section(struct ab_elf_sites *out, size_t *cap, const struct ab_elf *img,
			size_t shndx, const struct relocs *rs)
{
	const struct ab_elf_section *s = &img->sections[shndx];
	if (!s->bytes)
		return 0;
	uint64_t nrec = (s->nbytes + AB_SITE_SIZE - 1) / AB_SITE_SIZE;
	if (out->n + nrec > *cap) {
		size_t ncap = (size_t)(out->n + nrec) + *cap;
		struct ab_elf_site *v = realloc(out->v, ncap * sizeof *v);
		if (!v)
			return -1;
		out->v = v;
		*cap = ncap;
	}
	for (uint64_t off = 0; off < s->nbytes; off += AB_SITE_SIZE) {
		struct ab_elf_site *site = &out->v[out->n++];
		memset(site, 0, sizeof *site);
		site->rec_shndx = shndx;
		site->rec_off = off;
		if (s->nbytes - off < AB_SITE_SIZE) {
			snprintf(site->error, sizeof site->error, "truncated record (%u of %u bytes)",
				 (unsigned)(s->nbytes - off), AB_SITE_SIZE);
			continue;
		}
		decode_record(&site->rec, s->bytes + off);
		if (ab_elf_is_linked(img)) {
			place_linked(site, img);
			continue;
		}
		int several, other;
		const struct reloc *r = find_reloc(rs, shndx, off, &several, &other);
		if (several || other)
			snprintf(site->error, sizeof site->error, "unexpected relocation inside the record");
		else if (r)
			place_relocated(site, img, r);
		else {
			/* Resolved by the assembler: relative to .afterburn itself. */
			site->shndx = shndx;
			site->off = off + (uint64_t)(int64_t)site->rec.rel;
			site->addr = site->off;
		}
	}
	return 0;
}

int ab_elf_sites_read(struct ab_elf_sites *sites, const struct ab_elf *img, char *err, size_t errlen)
{
	memset(sites, 0, sizeof *sites);
	struct relocs rs = { 0 };
	size_t cap = 0;
	/* A linked file's records are final: relocation sections that
	 * --emit-relocs leaves behind must not be applied again (and are not
	 * loaded, see elfimage.c). */
	int ok = ab_elf_is_linked(img) || collect_relocs(&rs, img) == 0;
	for (size_t i = 1; ok && i < img->nsections; i++)
		if (strcmp(img->sections[i].name, AB_SITE_SECTION) == 0)
			ok = read_section(sites, &cap, img, i, &rs) == 0;
	free(rs.v);
	if (!ok) {
		ab_elf_sites_free(sites);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void ab_elf_sites_free(struct ab_elf_sites *sites)
{
	free(sites->v);
	memset(sites, 0, sizeof *sites);
}
