/*
 * The analysis of afterburn verify (docs/verify.md).
 *
 * Two independent passes meet in the sorted site index:
 *  - every site record is checked on its own (placement, kind, length, the
 *    bytes at the site) and against its neighbours (overlap);
 *  - every executable section is disassembled by a linear sweep, and each
 *    instruction that ab_decode calls sensitive is looked up in the index.
 * Which instructions are sensitive is decided by the shared table alone
 * (abi/encodings.def through ab_decode); capstone only finds instruction
 * boundaries and prints the instruction for the report.
 */
#define _GNU_SOURCE   /* fnmatch */
#include "verify.h"

#include <capstone/capstone.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "nops.h"
#include "site.h"

#define X86_MAX_INSN 15

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p = realloc(*v, ncap * size);
	if (!p)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}

static int add_bad(struct ab_verify *v, size_t site, const char *reason, const char *fmt, ...)
{
	if (grow((void **)&v->bad, &v->cap_bad, v->n_bad, sizeof *v->bad) != 0)
		return -1;
	struct ab_bad_site *b = &v->bad[v->n_bad++];
	b->site = site;
	b->reason = reason;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->detail, sizeof b->detail, fmt, ap);
	va_end(ap);
	v->site_bad[site] = 1;
	return 0;
}

static const char *kind_name(unsigned kind)
{
	const struct ab_kind_info *k = ab_kind_info(kind);
	return k ? k->name : "unknown";
}

/* Print the instruction at p for a report, e.g. "pushfl" or "(bad)". */
static void disasm_text(csh cs, cs_insn *insn, const uint8_t *p, size_t n, uint64_t addr,
			char *buf, size_t len)
{
	const uint8_t *code = p;
	size_t size = n;
	if (cs_disasm_iter(cs, &code, &size, &addr, insn))
		snprintf(buf, len, "%s%s%s", insn->mnemonic, insn->op_str[0] ? " " : "", insn->op_str);
	else
		snprintf(buf, len, "(bad)");
}

/* ---- the site checks ---- */

/* Check what a record says against the bytes it points at. */
static int check_site(struct ab_verify *v, size_t i, csh cs, cs_insn *insn)
{
	const struct ab_elf_site *s = &v->sites.v[i];
	const struct ab_site_record *r = &s->rec;
	const struct ab_elf *img = &v->img;

	if (s->error[0])
		return add_bad(v, i, "unplaced", "%s", s->error);
	if (ab_site_version(r) != AB_SITE_VERSION)
		return add_bad(v, i, "version", "record version %u, expected %u",
			       ab_site_version(r), AB_SITE_VERSION);
	if (!ab_kind_info(r->kind))
		return add_bad(v, i, "kind", "unknown kind %u", r->kind);
	if (s->shndx == 0)
		return add_bad(v, i, "outside-code", "lies in no section");
	const struct ab_elf_section *sec = &img->sections[s->shndx];
	if (!ab_elf_is_code(sec))
		return add_bad(v, i, "outside-code", "lies in %s, which is not executable", sec->name);
	if (r->insn_len == 0 || r->insn_len > X86_MAX_INSN || r->len < r->insn_len)
		return add_bad(v, i, "length", "len %u, insn_len %u", r->len, r->insn_len);
	if (s->off >= sec->nbytes || r->len > sec->nbytes - s->off)
		return add_bad(v, i, "outside-code", "runs past the end of %s", sec->name);

	enum ab_mode mode = (r->flags & AB_SITE_CODE64) ? AB_MODE_64 : AB_MODE_32;
	if (mode == AB_MODE_64 && img->machine != EM_X86_64)
		return add_bad(v, i, "operands", "64-bit site in an i386 file");

	const uint8_t *p = sec->bytes + s->off;
	struct ab_insn d;
	unsigned n = ab_decode(p, r->len, mode, &d);
	if (!n || d.kind != r->kind || n != r->insn_len) {
		char text[64];
		disasm_text(cs, insn, p, r->len, s->addr, text, sizeof text);
		if (!n)
			return add_bad(v, i, "instruction", "recorded %s, found \"%s\" (not sensitive)",
				       kind_name(r->kind), text);
		if (d.kind != r->kind)
			return add_bad(v, i, "instruction", "recorded %s, found %s \"%s\"",
				       kind_name(r->kind), kind_name(d.kind), text);
		return add_bad(v, i, "instruction", "insn_len %u, but \"%s\" is %u bytes",
			       r->insn_len, text, n);
	}
	if (!ab_is_padding(p + n, r->len - n))
		return add_bad(v, i, "padding", "the %u bytes after the instruction are not no-ops",
			       r->len - n);

	/* The loader emits replacements from these fields without looking at
	 * the bytes again, so they must be what ab_site_fill derives. */
	struct ab_site_record want;
	ab_site_fill(&want, &d, r->len);
	if ((want.flags & 0x0f) != (r->flags & 0x0f) || want.op_a != r->op_a ||
	    want.op_b != r->op_b || want.width != r->width || want.modrm != r->modrm)
		return add_bad(v, i, "operands",
			       "record flags/op_a/op_b/width/modrm %#x/%u/%u/%u/%#x, bytes give %#x/%u/%u/%u/%#x",
			       r->flags & 0x0f, r->op_a, r->op_b, r->width, r->modrm,
			       want.flags & 0x0f, want.op_a, want.op_b, want.width, want.modrm);
	return 0;
}

static const struct ab_verify *sort_v;

static int by_place(const void *a, const void *b)
{
	const struct ab_elf_site *x = &sort_v->sites.v[*(const size_t *)a];
	const struct ab_elf_site *y = &sort_v->sites.v[*(const size_t *)b];
	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Sort the placed sites and report the ones that overlap an earlier one. */
static int index_sites(struct ab_verify *v)
{
	v->order = malloc((v->sites.n ? v->sites.n : 1) * sizeof *v->order);
	if (!v->order)
		return -1;
	for (size_t i = 0; i < v->sites.n; i++)
		if (!v->sites.v[i].error[0] && v->sites.v[i].shndx)
			v->order[v->n_order++] = i;
	sort_v = v;
	qsort(v->order, v->n_order, sizeof *v->order, by_place);
	sort_v = NULL;

	size_t owner = 0;   /* the site reaching furthest so far in this section */
	uint64_t end = 0;
	for (size_t k = 0; k < v->n_order; k++) {
		const struct ab_elf_site *s = &v->sites.v[v->order[k]];
		if (k > 0 && s->shndx == v->sites.v[owner].shndx && s->off < end) {
			if (add_bad(v, v->order[k], "overlap", "overlaps the site at %#llx",
				    (unsigned long long)v->sites.v[owner].addr) != 0)
				return -1;
			continue;
		}
		if (k == 0 || s->shndx != v->sites.v[owner].shndx || s->off + s->rec.len > end) {
			owner = v->order[k];
			end = s->off + s->rec.len;
		}
	}
	return 0;
}

/* The placed site starting exactly at (shndx, off), or -1. */
static long site_at(const struct ab_verify *v, size_t shndx, uint64_t off)
{
	size_t lo = 0, hi = v->n_order;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ab_elf_site *s = &v->sites.v[v->order[mid]];
		if (s->shndx < shndx || (s->shndx == shndx && s->off < off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < v->n_order) {
		const struct ab_elf_site *s = &v->sites.v[v->order[lo]];
		if (s->shndx == shndx && s->off == off)
			return (long)v->order[lo];
	}
	return -1;
}

/* ---- exclusions ---- */

static int is_code16_section(const char *name)
{
	/* There is no ELF marker for 16-bit code; the sections that hold it
	 * are named for it by convention (.text16, .code16 ...). */
	return strstr(name, "text16") || strstr(name, "code16");
}

static struct ab_exclusion *add_exclusion(struct ab_verify *v, const char *type,
					  const char *pattern, int builtin)
{
	struct ab_exclusion *x = &v->exclusions[v->n_exclusions++];
	x->type = type;
	x->pattern = pattern;
	x->builtin = builtin;
	x->hits = 0;
	return x;
}

static int setup_exclusions(struct ab_verify *v)
{
	const struct ab_verify_opts *o = v->opts;
	v->exclusions = calloc(2 + o->n_exclude_sections + o->n_exclude_symbols, sizeof *v->exclusions);
	if (!v->exclusions)
		return -1;
	add_exclusion(v, "altinstr", ".altinstr_replacement", 1);
	add_exclusion(v, "code16", "*text16*, *code16*", 1);
	for (size_t i = 0; i < o->n_exclude_sections; i++)
		add_exclusion(v, "section", o->exclude_sections[i], 0);
	for (size_t i = 0; i < o->n_exclude_symbols; i++)
		add_exclusion(v, "symbol", o->exclude_symbols[i], 0);
	return 0;
}

/* The rule that excludes a whole section, or NULL. */
static struct ab_exclusion *section_exclusion(struct ab_verify *v, const char *name)
{
	if (strcmp(name, ".altinstr_replacement") == 0)
		return &v->exclusions[0];
	if (is_code16_section(name))
		return &v->exclusions[1];
	for (size_t i = 2; i < v->n_exclusions; i++)
		if (!strcmp(v->exclusions[i].type, "section") &&
		    fnmatch(v->exclusions[i].pattern, name, 0) == 0)
			return &v->exclusions[i];
	return NULL;
}

static int sym_matches(const struct ab_exclusion *x, const struct ab_sym *s)
{
	return s && !strcmp(x->type, "symbol") && fnmatch(x->pattern, s->name, 0) == 0;
}

/*
 * The rule that excludes an instruction by symbol: it lies in a symbol of
 * that name, either by the symbol's size or, for assembly labels without a
 * size, by being nearest after it.
 */
static struct ab_exclusion *symbol_exclusion(struct ab_verify *v, const struct ab_finding *f)
{
	for (size_t i = 2; i < v->n_exclusions; i++) {
		struct ab_exclusion *x = &v->exclusions[i];
		if (strcmp(x->type, "symbol") != 0)
			continue;
		if (sym_matches(x, f->sym))
			return x;
		size_t first, n = ab_syms_in_section(&v->syms, f->shndx, &first);
		for (size_t k = first; k < first + n && v->syms.v[k].off <= f->off; k++) {
			const struct ab_sym *s = &v->syms.v[k];
			if (f->off - s->off < s->size && sym_matches(x, s))
				return x;
		}
	}
	return NULL;
}

/* ---- the sweep ---- */

static int off_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * Offsets in section shndx that are certainly instruction starts: good
 * sites and function symbols.  A linear sweep that runs over one has
 * desynchronised (data in code) and restarts there.
 */
static uint64_t *anchors(const struct ab_verify *v, size_t shndx, size_t *count)
{
	size_t first, nsym = ab_syms_in_section(&v->syms, shndx, &first);
	uint64_t *a = malloc((nsym + v->n_order + 1) * sizeof *a);
	size_t n = 0;
	if (!a)
		return NULL;
	for (size_t k = first; k < first + nsym; k++)
		if (v->syms.v[k].type == STT_FUNC)
			a[n++] = v->syms.v[k].off;
	for (size_t k = 0; k < v->n_order; k++) {
		const struct ab_elf_site *s = &v->sites.v[v->order[k]];
		if (s->shndx == shndx && !v->site_bad[v->order[k]])
			a[n++] = s->off;
	}
	qsort(a, n, sizeof *a, off_cmp);
	*count = n;
	return a;
}

static int add_finding(struct ab_verify *v, const struct ab_finding *f)
{
	struct ab_finding **list = f->excluded ? &v->excluded : &v->uncovered;
	size_t *n = f->excluded ? &v->n_excluded : &v->n_uncovered;
	size_t *cap = f->excluded ? &v->cap_excluded : &v->cap_uncovered;
	if (grow((void **)list, cap, *n, sizeof **list) != 0)
		return -1;
	(*list)[(*n)++] = *f;
	if (f->excluded) {
		v->totals.excluded++;
		((struct ab_exclusion *)f->excluded)->hits++;
	} else {
		v->totals.uncovered++;
		v->totals.by_class[f->cls]++;
	}
	return 0;
}

static int sweep_section(struct ab_verify *v, size_t shndx, csh cs, cs_insn *insn)
{
	const struct ab_elf_section *sec = &v->img.sections[shndx];
	struct ab_exclusion *sec_excl = section_exclusion(v, sec->name);
	size_t nanch = 0, ai = 0;
	uint64_t *anch = anchors(v, shndx, &nanch);
	if (!anch)
		return -1;
	v->totals.code_sections++;
	v->totals.code_bytes += sec->nbytes;

	uint64_t off = 0, n = sec->nbytes;
	while (off < n) {
		while (ai < nanch && anch[ai] <= off)
			ai++;
		uint64_t limit = ai < nanch && anch[ai] < n ? anch[ai] : n;
		const uint8_t *code = sec->bytes + off;
		size_t size = (size_t)(n - off);
		uint64_t addr = ab_elf_addr(&v->img, shndx, off);
		if (!cs_disasm_iter(cs, &code, &size, &addr, insn)) {
			v->totals.skipped_bytes++;
			off++;
			continue;
		}
		if (off + insn->size > limit) {
			v->totals.resyncs++;
			off = limit;
			continue;
		}
		v->totals.instructions++;
		struct ab_insn d;
		size_t avail = n - off < X86_MAX_INSN ? (size_t)(n - off) : X86_MAX_INSN;
		unsigned len = ab_decode(sec->bytes + off, avail, v->img.mode, &d);
		if (len) {
			v->totals.sensitive++;
			if (len != insn->size)
				v->totals.length_mismatches++;
			if (site_at(v, shndx, off) >= 0) {
				v->totals.covered++;
			} else {
				struct ab_finding f = { 0 };
				f.kind = d.kind;
				f.cls = ab_kinds[d.kind].cls;
				f.shndx = shndx;
				f.off = off;
				f.addr = ab_elf_addr(&v->img, shndx, off);
				f.sym = ab_syms_lookup(&v->syms, shndx, off);
				snprintf(f.text, sizeof f.text, "%s%s%s", insn->mnemonic,
					 insn->op_str[0] ? " " : "", insn->op_str);
				f.excluded = sec_excl ? sec_excl : symbol_exclusion(v, &f);
				if (add_finding(v, &f) != 0) {
					free(anch);
					return -1;
				}
			}
		}
		off += insn->size;
	}
	free(anch);
	return 0;
}

/* ---- driver ---- */

int ab_verify_status(const struct ab_verify *v)
{
	return v->totals.by_class[AB_CLASS_SILENT] || v->n_bad ? AB_VERIFY_FAIL : AB_VERIFY_OK;
}

static int analyse(struct ab_verify *v, csh cs, cs_insn *insn)
{
	for (size_t i = 0; i < v->sites.n; i++) {
		unsigned k = v->sites.v[i].rec.kind;
		if (ab_kind_info(k))
			v->sites_per_kind[k]++;
		else
			v->totals.sites_unknown_kind++;
	}
	v->site_bad = calloc(v->sites.n ? v->sites.n : 1, 1);
	if (!v->site_bad || setup_exclusions(v) != 0)
		return -1;
	for (size_t i = 0; i < v->sites.n; i++)
		if (check_site(v, i, cs, insn) != 0)
			return -1;
	if (index_sites(v) != 0)
		return -1;
	for (size_t i = 0; i < v->sites.n; i++)
		v->totals.bad_sites += v->site_bad[i];
	for (size_t k = 0; k < v->img.ncode; k++)
		if (sweep_section(v, v->img.code[k], cs, insn) != 0)
			return -1;
	return 0;
}

int ab_verify_run(struct ab_verify *v, const struct ab_verify_opts *opts, char *err, size_t errlen)
{
	memset(v, 0, sizeof *v);
	v->opts = opts;
	if (ab_elf_open(&v->img, opts->path, err, errlen) != 0)
		return -1;
	if (ab_syms_load(&v->syms, &v->img, err, errlen) != 0 ||
	    ab_elf_sites_read(&v->sites, &v->img, err, errlen) != 0)
		return -1;

	csh cs;
	if (cs_open(CS_ARCH_X86, v->img.mode == AB_MODE_64 ? CS_MODE_64 : CS_MODE_32, &cs) != CS_ERR_OK) {
		snprintf(err, errlen, "capstone: cannot open the x86 disassembler");
		return -1;
	}
	/* AT&T, as the kernel's own assembly and objdump -d read. */
	cs_option(cs, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	cs_insn *insn = cs_malloc(cs);
	int rc = insn ? analyse(v, cs, insn) : -1;
	if (insn)
		cs_free(insn, 1);
	cs_close(&cs);
	if (rc != 0)
		snprintf(err, errlen, "out of memory");
	return rc;
}

void ab_verify_free(struct ab_verify *v)
{
	free(v->uncovered);
	free(v->excluded);
	free(v->bad);
	free(v->exclusions);
	free(v->order);
	free(v->site_bad);
	ab_elf_sites_free(&v->sites);
	ab_syms_free(&v->syms);
	ab_elf_close(&v->img);
	memset(v, 0, sizeof *v);
}
