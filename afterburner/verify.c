/*
 * The analysis of afterburn verify (docs/verify.md).
 *
 * Two independent passes meet in the sorted site index:
 *  - every site record is checked on its own (placement, kind, length, the
 *    bytes at the site) and against its neighbours (overlap), in
 *    verify_sites.c;
 *  - every executable section is disassembled by a linear sweep, here, and
 *    each instruction that ab_decode calls sensitive is looked up in the
 *    index; an uncovered one is then matched against the exclusion rules
 *    (verify_exclude.c).
 * Which instructions are sensitive is decided by the shared table alone
 * (abi/encodings.def through ab_decode); capstone only finds instruction
 * boundaries and prints the instruction for the report.
 */
#include "verify_impl.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"

int ab_verify_grow(void **v, size_t *cap, size_t n, size_t size)
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

/* A decoded instruction as text, cut to fit: it is only for the report. */
void ab_verify_insn_text(const cs_insn *insn, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s%s", insn->mnemonic, insn->op_str[0] ? " " : "", insn->op_str);
	if (n < 0)
		snprintf(buf, len, "?");
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
	size_t lo = ab_verify_sites_from(v, shndx, 0), hi = ab_verify_sites_from(v, shndx + 1, 0);
	uint64_t *a = malloc((nsym + (hi - lo) + 1) * sizeof *a);
	size_t n = 0;
	if (!a)
		return NULL;
	for (size_t k = first; k < first + nsym; k++)
		if (v->syms.v[k].type == STT_FUNC)
			a[n++] = v->syms.v[k].off;
	for (size_t k = lo; k < hi; k++)
		if (!v->site_bad[v->order[k]])
			a[n++] = v->sites.v[v->order[k]].off;
	qsort(a, n, sizeof *a, off_cmp);
	*count = n;
	return a;
}

static int add_finding(struct ab_verify *v, const struct ab_finding *f)
{
	struct ab_finding **list = f->excluded ? &v->excluded : &v->uncovered;
	size_t *n = f->excluded ? &v->n_excluded : &v->n_uncovered;
	size_t *cap = f->excluded ? &v->cap_excluded : &v->cap_uncovered;
	if (ab_verify_grow((void **)list, cap, *n, sizeof **list) != 0)
		return -1;
	(*list)[(*n)++] = *f;
	if (f->excluded) {
		v->totals.excluded++;
		f->excluded->hits++;
	} else {
		v->totals.uncovered++;
		v->totals.by_class[f->cls]++;
	}
	return 0;
}

/* Classify the instruction at off (length len by the sweep); text is how
 * the report shows it.  ab_decode alone decides what is sensitive. */
static int classify(struct ab_verify *v, size_t shndx, uint64_t off, unsigned len,
		    const struct ab_insn *d, const char *text, struct ab_exclusion *sec_excl)
{
	v->totals.sensitive++;
	if (d->len != len)
		v->totals.length_mismatches++;
	if (ab_verify_site_at(v, shndx, off) >= 0) {
		v->totals.covered++;
		return 0;
	}
	struct ab_finding f = { 0 };
	f.kind = d->kind;
	f.cls = ab_kinds[d->kind].cls;
	f.shndx = shndx;
	f.off = off;
	f.addr = ab_elf_addr(&v->img, shndx, off);
	f.sym = ab_syms_lookup(&v->syms, shndx, off);
	snprintf(f.text, sizeof f.text, "%s", text);
	f.excluded = sec_excl ? sec_excl : ab_verify_symbol_exclusion(v, &f);
	return add_finding(v, &f);
}

static int sweep_section(struct ab_verify *v, size_t shndx, csh cs, cs_insn *insn)
{
	const struct ab_elf_section *sec = &v->img.sections[shndx];
	struct ab_exclusion *sec_excl = ab_verify_section_exclusion(v, sec->name);
	size_t nanch = 0, ai = 0;
	uint64_t *anch = anchors(v, shndx, &nanch);
	if (!anch)
		return -1;
	v->totals.code_sections++;
	v->totals.code_bytes += sec->nbytes;

	int rc = 0;
	uint64_t off = 0, n = sec->nbytes;
	while (off < n && rc == 0) {
		while (ai < nanch && anch[ai] <= off)
			ai++;
		uint64_t limit = ai < nanch && anch[ai] < n ? anch[ai] : n;
		const uint8_t *code = sec->bytes + off;
		size_t size = (size_t)(n - off);
		size_t avail = size < AB_X86_MAX_INSN ? size : AB_X86_MAX_INSN;
		uint64_t addr = ab_elf_addr(&v->img, shndx, off);
		struct ab_insn d;
		unsigned len;

		if (!cs_disasm_iter(cs, &code, &size, &addr, insn)) {
			/* Capstone does not know every new opcode (serialize,
			 * tpause ...).  Our table still gets its say, so a
			 * sensitive instruction is never lost to that. */
			len = ab_decode(sec->bytes + off, avail, v->img.mode, &d);
			if (len && off + len <= limit) {
				v->totals.instructions++;
				rc = classify(v, shndx, off, len, &d, "(unknown to capstone)", sec_excl);
				off += len;
			} else {
				v->totals.skipped_bytes++;
				off++;
			}
			continue;
		}
		if (off + insn->size > limit) {
			v->totals.resyncs++;
			off = limit;
			continue;
		}
		v->totals.instructions++;
		if (ab_decode(sec->bytes + off, avail, v->img.mode, &d)) {
			char text[sizeof ((struct ab_finding *)0)->text];
			ab_verify_insn_text(insn, text, sizeof text);
			rc = classify(v, shndx, off, insn->size, &d, text, sec_excl);
		}
		off += insn->size;
	}
	free(anch);
	return rc;
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
	if (!v->site_bad || ab_verify_setup_exclusions(v) != 0 ||
	    ab_verify_check_sites(v, cs, insn) != 0)
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
