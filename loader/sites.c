/*
 * Reading .afterburn: find the records, turn each into a site address, and
 * judge it (docs/abi/site-record.md lists the invariants).  A bad record is
 * rejected on its own and counted; only a malformed section stops the load.
 *
 * Linked images: the records are found through the section headers, or
 * through __afterburn_start/__afterburn_end when the section has no name
 * of its own; each record's rel field is relative to itself.  Object files
 * (ET_REL): every .afterburn section (one per COMDAT group) is read, and a
 * record's site comes from its PC32 relocation; the site's address is then
 * section << 32 | offset, which keeps sites of different sections apart.
 */
#include "decode.h"
#include "loader_impl.h"
#include "memop.h"
#include "nops.h"

/* Where the records are: file bytes and the address of the first record. */
struct records {
	const uint8_t *bytes;
	uint64_t count, addr;
	uint32_t shndx;          /* ET_REL: the .afterburn section, for its relocations */
};

struct collect {
	const struct ab_image *img;
	struct ab_site *sites;
	size_t cap, n;
};

/* The record's fields, and the checks that need nothing but the record. */
static void read_record(const struct ab_image *img, const uint8_t *r, struct ab_site *s)
{
	s->kind = r[4];
	s->len = r[5];
	s->insn_len = r[6];
	s->flags = r[7];
	s->op_a = r[8];
	s->op_b = r[9];
	s->width = r[10];
	s->modrm = r[11];
	s->status = AB_SITE_OK;
	if (s->flags >> AB_SITE_VERSION_SHIFT != AB_SITE_VERSION)
		s->status = AB_SITE_E_VERSION;
	else if (!ab_kind_info(s->kind))
		s->status = AB_SITE_E_KIND;
	else if (s->insn_len == 0 || s->insn_len > 15 || s->len < s->insn_len)
		s->status = AB_SITE_E_LENGTH;
	else if ((s->flags & AB_SITE_CODE64) && !img->is64)
		s->status = AB_SITE_E_MODE;
}

/* Place a linked image's site and check it lies in code. */
static void place_linked(const struct ab_image *img, struct ab_site *s, uint64_t field, int32_t rel)
{
	s->addr = field + (uint64_t)(int64_t)rel;
	if (!img->is64)
		s->addr &= 0xffffffffu;     /* the linker computed rel modulo 2^32 */
	if (s->status)
		return;
	int seg = ab_seg_of(img, s->addr, s->len);
	if (seg < 0)
		s->status = AB_SITE_E_OUTSIDE;
	else if (!ab_is_code(img, seg, s->addr, s->len))
		s->status = AB_SITE_E_NOEXEC;
}

/*
 * The instruction and its padding must be what the record says: an
 * instruction of the record's kind (a memory mov of the right direction
 * for the context kinds, abi/memop.h), with the operands op_a and op_b the
 * record names, which the emitters use (the inline read of a control
 * register takes its register numbers from them).
 */
static void check_bytes(const struct ab_image *img, struct ab_site *s)
{
	if (s->status)
		return;
	const uint8_t *p = ab_site_bytes(img, s);
	struct ab_insn insn;
	enum ab_mode mode = (s->flags & AB_SITE_CODE64) ? AB_MODE_64 : AB_MODE_32;
	unsigned at = ab_site_insn_offset(s->kind, s->len, s->insn_len);   /* sti: padding first */
	if (!p || !ab_is_padding(p, at) ||
	    ab_decode_site_insn(p + at, (size_t)(s->len - at), mode, s->kind, &insn) != s->insn_len ||
	    insn.kind != s->kind || insn.op_a != s->op_a || insn.op_b != s->op_b ||
	    !ab_is_padding(p + at + s->insn_len, (size_t)(s->len - at - s->insn_len)))
		s->status = AB_SITE_E_BYTES;
}

/* ET_REL: the relocation of record i gives the site as (section, offset). */
static int relocate(const struct ab_image *img, struct collect *c, size_t first,
		    const struct records *rec, const struct ab_shdr *rsh)
{
	int rela = rsh->type == SHT_RELA;
	uint32_t entsize = img->is64 ? (rela ? 24 : 16) : (rela ? 12 : 8);
	uint32_t symsize = img->is64 ? SYM64_SIZE : SYM32_SIZE;
	uint32_t pc32 = img->is64 ? R_X86_64_PC32 : R_386_PC32;
	struct ab_shdr symtab;

	if (rsh->entsize != entsize || (size_t)rsh->size % entsize || !ab_shdr_get(img, rsh->link, &symtab) ||
	    symtab.type != SHT_SYMTAB || symtab.entsize != symsize)
		return AB_LD_E_SITES;
	for (uint64_t off = 0; off < rsh->size; off += entsize) {
		const uint8_t *r = img->data + rsh->offset + off;
		uint64_t where = img->is64 ? rd64(r) : rd32(r);
		uint64_t info = img->is64 ? rd64(r + 8) : rd32(r + 4);
		uint64_t symi = img->is64 ? info >> 32 : info >> 8;
		uint32_t type = img->is64 ? (uint32_t)info : (uint32_t)(info & 0xff);
		/* Not a record's rel field: nothing of ours.  Past this check
		 * `where` is inside the section, so size_t arithmetic is exact
		 * (and an i386 build needs no 64-bit division from libgcc). */
		if (where >= rec->count * AB_SITE_SIZE || (size_t)where % AB_SITE_SIZE)
			continue;
		struct ab_site *s = &c->sites[first + (size_t)where / AB_SITE_SIZE];
		/* REL keeps the addend in the record's rel field itself. */
		int64_t addend = !rela ? (int32_t)rd32(rec->bytes + where)
			       : img->is64 ? (int64_t)rd64(r + 16) : (int32_t)rd32(r + 8);
		s->reserved[0] = 1;  /* relocated */
		if (s->status)
			continue;
		struct ab_shdr target;
		if (type != pc32 || symi == 0 || symi >= (size_t)symtab.size / symsize) {
			s->status = AB_SITE_E_RELOC;
			continue;
		}
		const uint8_t *sym = img->data + symtab.offset + symi * symsize;
		uint16_t shndx = rd16(sym + (img->is64 ? 6 : 14));
		uint64_t value = img->is64 ? rd64(sym + 8) : rd32(sym + 4);
		if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE || !ab_shdr_get(img, shndx, &target)) {
			s->status = AB_SITE_E_RELOC;
			continue;
		}
		uint64_t off_in = value + (uint64_t)addend;
		s->addr = (uint64_t)shndx << 32 | (off_in & 0xffffffffu);
		if (off_in > 0xffffffffu || target.type == SHT_NOBITS || !in_bounds(off_in, s->len, target.size))
			s->status = AB_SITE_E_OUTSIDE;
		else if ((target.flags & (SHF_ALLOC | SHF_EXECINSTR)) != (SHF_ALLOC | SHF_EXECINSTR))
			s->status = AB_SITE_E_NOEXEC;
	}
	return AB_LD_OK;
}

static int add_records(struct collect *c, const struct records *rec)
{
	const struct ab_image *img = c->img;
	size_t first = c->n;

	if (c->n > c->cap || rec->count > c->cap - c->n) {
		c->n += rec->count;      /* count only: the caller asked how many */
		c->sites = 0;
		c->cap = 0;
		return AB_LD_OK;
	}
	for (uint64_t i = 0; i < rec->count; i++) {
		struct ab_site *s = &c->sites[c->n++];
		const uint8_t *r = rec->bytes + i * AB_SITE_SIZE;
		ab_bytes_zero((uint8_t *)s, sizeof *s);
		s->record = (uint32_t)(first + i);
		read_record(img, r, s);
		if (img->type != ET_REL)
			place_linked(img, s, rec->addr + i * AB_SITE_SIZE, (int32_t)rd32(r));
	}
	if (img->type == ET_REL) {
		for (uint32_t i = 1; i < img->shnum; i++) {
			struct ab_shdr rsh;
			ab_shdr_get(img, i, &rsh);
			if ((rsh.type == SHT_REL || rsh.type == SHT_RELA) && rsh.info == rec->shndx) {
				int r = relocate(img, c, first, rec, &rsh);
				if (r)
					return r;
			}
		}
		for (size_t i = first; i < c->n; i++) {
			if (!c->sites[i].reserved[0] && !c->sites[i].status)
				c->sites[i].status = AB_SITE_E_RELOC;
			c->sites[i].reserved[0] = 0;
		}
	}
	for (size_t i = first; i < c->n; i++)
		check_bytes(img, &c->sites[i]);
	return AB_LD_OK;
}

/* A .afterburn section of a linked image must be where its segment puts it. */
static int section_records(const struct ab_image *img, const struct ab_shdr *sh, uint32_t idx,
			   struct records *rec)
{
	/* ab_image_parse checked the section lies in the file: size_t is exact. */
	if (sh->type != SHT_PROGBITS || (size_t)sh->size % AB_SITE_SIZE)
		return AB_LD_E_SITES;
	rec->bytes = img->data + sh->offset;
	rec->count = (size_t)sh->size / AB_SITE_SIZE;
	rec->addr = sh->addr;
	rec->shndx = idx;
	if (img->type == ET_REL || !rec->count)
		return AB_LD_OK;
	if (ab_image_bytes(img, sh->addr, sh->size) != rec->bytes)
		return AB_LD_E_SITES;
	return AB_LD_OK;
}

/* The start and end symbols, and their agreement with a named section. */
static int symbol_records(const struct ab_image *img, int have_section, struct records *rec)
{
	uint64_t start, end;
	int a = ab_symbol_value(img, "__afterburn_start", &start);
	int b = ab_symbol_value(img, "__afterburn_end", &end);
	if (a < 0 || b < 0)
		return AB_LD_E_SITES;
	if (!a && !b)
		return AB_LD_OK;
	/* Records beyond the file's size cannot exist; below it, size_t is exact. */
	if (!a || !b || end < start || end - start > img->size || (size_t)(end - start) % AB_SITE_SIZE)
		return AB_LD_E_SITES;
	size_t count = (size_t)(end - start) / AB_SITE_SIZE;
	if (have_section)
		return start == rec->addr && count == rec->count ? AB_LD_OK : AB_LD_E_SITES;
	rec->bytes = ab_image_bytes(img, start, end - start);
	if (!rec->bytes && end > start)
		return AB_LD_E_SITES;
	rec->count = count;
	rec->addr = start;
	return AB_LD_OK;
}

static int find_and_add(struct collect *c)
{
	const struct ab_image *img = c->img;
	struct records rec = { 0, 0, 0, 0 };
	int sections = 0;

	for (uint32_t i = 1; i < img->shnum; i++) {
		struct ab_shdr sh;
		ab_shdr_get(img, i, &sh);
		if (!ab_shdr_named(img, &sh, AB_SITE_SECTION))
			continue;
		/* A linked image has one .afterburn; an object has one per group. */
		if (sections++ && img->type != ET_REL)
			return AB_LD_E_SITES;
		int r = section_records(img, &sh, i, &rec);
		if (!r && img->type == ET_REL)
			r = add_records(c, &rec);
		if (r)
			return r;
	}
	if (img->type == ET_REL)
		return AB_LD_OK;
	int r = symbol_records(img, sections > 0, &rec);
	if (r)
		return r;
	return add_records(c, &rec);
}

int ab_sites_collect(const struct ab_image *img, struct ab_site *sites, size_t cap, size_t *count)
{
	if (!img || !count || (!sites && cap))
		return AB_LD_E_ARG;
	*count = 0;
	/* Count first, over every .afterburn (an object has one per group), so
	 * that a buffer too small is left untouched. */
	struct collect counting = { img, NULL, 0, 0 };
	int r = find_and_add(&counting);
	if (r)
		return r;
	*count = counting.n;
	if (counting.n > cap)
		return AB_LD_E_TOO_MANY;
	struct collect c = { img, sites, cap, 0 };
	r = find_and_add(&c);
	if (r)
		return r;
	ab_sites_sort(sites, c.n);
	ab_sites_mark_overlaps(sites, c.n);
	return AB_LD_OK;
}
