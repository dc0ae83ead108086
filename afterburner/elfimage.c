/*
 * Opening an x86 ELF with libelf and building a checked section table.
 *
 * Everything here treats the file as hostile: libelf checks that each
 * section's bytes lie inside the file when we ask for them, and we only
 * ask for the sections verify reads (code, .afterburn, symbols and the
 * relocations that apply to .afterburn), so damage elsewhere in a file
 * does not stop a useful report.
 */
#include "elfimage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "site.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int ab_elf_is_code(const struct ab_elf_section *s)
{
	return (s->flags & SHF_EXECINSTR) && s->type != SHT_NOBITS && s->size > 0;
}

int ab_elf_is_linked(const struct ab_elf *img)
{
	return img->type != ET_REL;
}

uint64_t ab_elf_addr(const struct ab_elf *img, size_t shndx, uint64_t off)
{
	if (!ab_elf_is_linked(img) || shndx == 0 || shndx >= img->nsections)
		return off;
	uint64_t a = img->sections[shndx].addr + off;
	return img->elfclass == ELFCLASS32 ? (uint32_t)a : a;
}

const char *ab_elf_type_name(unsigned type)
{
	switch (type) {
	case ET_REL: return "ET_REL";
	case ET_EXEC: return "ET_EXEC";
	case ET_DYN: return "ET_DYN";
	}
	return "ET_?";
}

const char *ab_elf_machine_name(unsigned machine)
{
	switch (machine) {
	case EM_386: return "i386";
	case EM_X86_64: return "x86-64";
	}
	return "unknown";
}

/*
 * Read a section: raw bytes for code and .afterburn (whatever the section
 * type says, those are bytes), libelf's typed data for symbol and
 * relocation tables.  A section libelf cannot read is an input error.
 */
static int load_data(struct ab_elf *img, size_t i, int raw, char *err, size_t errlen)
{
	struct ab_elf_section *s = &img->sections[i];
	if (s->data || s->type == SHT_NOBITS || s->size == 0)
		return 0;
	Elf_Scn *scn = elf_getscn(img->elf, i);
	Elf_Data *d = !scn ? NULL : raw ? elf_rawdata(scn, NULL) : elf_getdata(scn, NULL);
	if (!d)
		return fail(err, errlen, "section %zu (%s): cannot read: %s",
			    i, s->name, elf_errmsg(-1));
	if (d->d_size && !d->d_buf)
		return fail(err, errlen, "section %zu (%s): no data", i, s->name);
	s->data = d;
	if (raw) {
		s->bytes = d->d_buf;
		s->nbytes = d->d_size < s->size ? d->d_size : s->size;
	}
	return 0;
}

static int is_site_section(const struct ab_elf_section *s)
{
	return strcmp(s->name, AB_SITE_SECTION) == 0;
}

/* 1 if verify reads this section, 2 if it reads it as raw bytes. */
static int needs_data(const struct ab_elf *img, const struct ab_elf_section *s)
{
	switch (s->type) {
	case SHT_SYMTAB:
	case SHT_DYNSYM:
	case SHT_SYMTAB_SHNDX:
		return 1;
	case SHT_REL:
	case SHT_RELA:
		/* Only the relocations of .afterburn matter, and only in ET_REL:
		 * a linked file's records are final (--emit-relocs leaves
		 * relocation sections behind that we must not apply again). */
		return !ab_elf_is_linked(img) && s->info > 0 && s->info < img->nsections &&
		       is_site_section(&img->sections[s->info]);
	}
	return ab_elf_is_code(s) || is_site_section(s) ? 2 : 0;
}

static const struct ab_elf *sort_img;

static int by_addr(const void *a, const void *b)
{
	const struct ab_elf_section *x = &sort_img->sections[*(const size_t *)a];
	const struct ab_elf_section *y = &sort_img->sections[*(const size_t *)b];
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static int read_sections(struct ab_elf *img, char *err, size_t errlen)
{
	size_t shnum, shstrndx;
	if (elf_getshdrnum(img->elf, &shnum) != 0 || elf_getshdrstrndx(img->elf, &shstrndx) != 0)
		return fail(err, errlen, "bad section header table: %s", elf_errmsg(-1));
	if (shnum == 0)
		return fail(err, errlen, "no section headers (a stripped file cannot be verified)");
	img->sections = calloc(shnum, sizeof *img->sections);
	img->code = calloc(shnum, sizeof *img->code);
	if (!img->sections || !img->code)
		return fail(err, errlen, "out of memory");
	img->nsections = shnum;
	img->sections[0].name = "";   /* the null section, never read but named */

	for (size_t i = 1; i < shnum; i++) {
		struct ab_elf_section *s = &img->sections[i];
		Elf_Scn *scn = elf_getscn(img->elf, i);
		GElf_Shdr sh;
		if (!scn || !gelf_getshdr(scn, &sh))
			return fail(err, errlen, "section header %zu: %s", i, elf_errmsg(-1));
		const char *name = elf_strptr(img->elf, shstrndx, sh.sh_name);
		s->name = name ? name : "";
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->addr = sh.sh_addr;
		s->size = sh.sh_size;
		s->link = sh.sh_link;
		s->info = sh.sh_info;
	}
	for (size_t i = 1; i < shnum; i++) {
		struct ab_elf_section *s = &img->sections[i];
		if (s->type == SHT_SYMTAB_SHNDX && s->link > 0 && s->link < shnum)
			img->sections[s->link].xndx = i;
	}
	for (size_t i = 1; i < shnum; i++) {
		struct ab_elf_section *s = &img->sections[i];
		int need = needs_data(img, s);
		if (need && load_data(img, i, need == 2, err, errlen) != 0)
			return -1;
		if (ab_elf_is_code(s))
			img->code[img->ncode++] = i;
	}
	sort_img = img;
	qsort(img->code, img->ncode, sizeof *img->code, by_addr);
	sort_img = NULL;
	return 0;
}

int ab_elf_open(struct ab_elf *img, const char *path, char *err, size_t errlen)
{
	memset(img, 0, sizeof *img);
	img->fd = -1;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, errlen, "libelf: %s", elf_errmsg(-1));
	img->fd = open(path, O_RDONLY);
	if (img->fd < 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	img->elf = elf_begin(img->fd, ELF_C_READ_MMAP, NULL);
	if (!img->elf)
		return fail(err, errlen, "%s: %s", path, elf_errmsg(-1));
	if (elf_kind(img->elf) != ELF_K_ELF)
		return fail(err, errlen, "%s: not an ELF file", path);

	GElf_Ehdr eh;
	if (!gelf_getehdr(img->elf, &eh))
		return fail(err, errlen, "%s: bad ELF header: %s", path, elf_errmsg(-1));
	img->elfclass = gelf_getclass(img->elf);
	img->machine = eh.e_machine;
	img->type = eh.e_type;
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "%s: not a little-endian ELF", path);
	if (img->elfclass != ELFCLASS32 && img->elfclass != ELFCLASS64)
		return fail(err, errlen, "%s: unknown ELF class", path);
	if (img->machine == EM_386)
		img->mode = AB_MODE_32;
	else if (img->machine == EM_X86_64)
		img->mode = AB_MODE_64;
	else
		return fail(err, errlen, "%s: not an x86 ELF (e_machine %u)", path, img->machine);
	if (img->type != ET_EXEC && img->type != ET_DYN && img->type != ET_REL)
		return fail(err, errlen, "%s: not an executable or relocatable object (e_type %u)",
			    path, img->type);
	if (read_sections(img, err, errlen) != 0) {
		/* Prefix the path the section reader does not know. */
		char tmp[512];
		snprintf(tmp, sizeof tmp, "%s", err);
		return fail(err, errlen, "%s: %s", path, tmp);
	}
	return 0;
}

void ab_elf_close(struct ab_elf *img)
{
	if (img->elf)
		elf_end(img->elf);
	if (img->fd >= 0)
		close(img->fd);
	free(img->sections);
	free(img->code);
	memset(img, 0, sizeof *img);
	img->fd = -1;
}

size_t ab_elf_section_at(const struct ab_elf *img, uint64_t addr, uint64_t *off)
{
	/* Code first, by binary search: the last code section starting at or
	 * below addr. */
	size_t lo = 0, hi = img->ncode;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (img->sections[img->code[mid]].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0) {
		const struct ab_elf_section *s = &img->sections[img->code[lo - 1]];
		if (addr - s->addr < s->size) {
			*off = addr - s->addr;
			return img->code[lo - 1];
		}
	}
	/* Then any allocated section, so a report can say where a stray
	 * address points; this is only reached for bad sites. */
	for (size_t i = 1; i < img->nsections; i++) {
		const struct ab_elf_section *s = &img->sections[i];
		if ((s->flags & SHF_ALLOC) && s->size && addr >= s->addr && addr - s->addr < s->size) {
			*off = addr - s->addr;
			return i;
		}
	}
	return 0;
}
