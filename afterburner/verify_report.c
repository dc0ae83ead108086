/*
 * Printing an afterburn verify result: a table for people, one JSON object
 * for scripts.  Both come from the same struct ab_verify, so they always
 * agree.  The formats are described in docs/verify.md.
 */
#include "verify.h"

#include <string.h>

static const char *class_elf(const struct ab_verify *v)
{
	return v->img.elfclass == ELFCLASS64 ? "ELF64" : "ELF32";
}

static void print_addr(FILE *f, const struct ab_verify *v, uint64_t a)
{
	if (v->img.elfclass == ELFCLASS64)
		fprintf(f, "0x%016llx", (unsigned long long)a);
	else
		fprintf(f, "0x%08llx", (unsigned long long)a);
}

static const char *section_name(const struct ab_verify *v, size_t shndx)
{
	return shndx && shndx < v->img.nsections ? v->img.sections[shndx].name : "-";
}

/* ---- text ---- */

/*
 * Names come from the file, which may hold any bytes: the table shows
 * anything outside printable ASCII as \xNN, so a hostile file cannot send
 * escape sequences to the terminal and the report stays valid UTF-8.
 */
static const char *printable(char *buf, size_t len, const char *s)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 5 < len; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", *p);
		else
			buf[o++] = (char)*p;
	}
	buf[o] = 0;
	return buf;
}

static void sym_text(char *buf, size_t len, const struct ab_sym *s, uint64_t off)
{
	char name[200];
	if (!s)
		snprintf(buf, len, "-");
	else if (off == s->off)
		snprintf(buf, len, "%s", printable(name, sizeof name, s->name));
	else
		snprintf(buf, len, "%s+%#llx", printable(name, sizeof name, s->name),
			 (unsigned long long)(off - s->off));
}

/* The printable name of section shndx, in buf. */
static const char *sec_text(char *buf, size_t len, const struct ab_verify *v, size_t shndx)
{
	return printable(buf, len, section_name(v, shndx));
}

static void print_findings(FILE *f, const struct ab_verify *v, const struct ab_finding *list,
			   size_t n, int with_rule)
{
	fprintf(f, "  %-9s %-14s %-*s %-22s %-32s %s\n", "class", "kind",
		v->img.elfclass == ELFCLASS64 ? 18 : 10, "address", "section", "symbol",
		with_rule ? "instruction  [excluded by]" : "instruction");
	/* Silent first: those are the ones that fail the run. */
	for (unsigned cls = AB_CLASS_SILENT; cls <= AB_CLASS_TRAPPING; cls++) {
		for (size_t i = 0; i < n; i++) {
			const struct ab_finding *x = &list[i];
			if (x->cls != cls)
				continue;
			char sym[256], sec[128], pat[128];
			sym_text(sym, sizeof sym, x->sym, x->off);
			fprintf(f, "  %-9s %-14s ", ab_class_name(x->cls), ab_kinds[x->kind].name);
			print_addr(f, v, x->addr);
			fprintf(f, " %-22s %-32s %s", sec_text(sec, sizeof sec, v, x->shndx), sym, x->text);
			if (with_rule)
				fprintf(f, "  [%s %s]", x->excluded->type,
					printable(pat, sizeof pat, x->excluded->pattern));
			fputc('\n', f);
		}
	}
}

static void print_bad(FILE *f, const struct ab_verify *v)
{
	for (size_t i = 0; i < v->n_bad; i++) {
		const struct ab_bad_site *b = &v->bad[i];
		const struct ab_elf_site *s = &v->sites.v[b->site];
		const struct ab_kind_info *k = ab_kind_info(s->rec.kind);
		char sec[128], detail[4 * sizeof b->detail];
		fprintf(f, "  %-12s record %s+0x%llx  ", b->reason,
			sec_text(sec, sizeof sec, v, s->rec_shndx), (unsigned long long)s->rec_off);
		if (!s->error[0]) {
			char sym[256];
			sym_text(sym, sizeof sym, ab_syms_lookup(&v->syms, s->shndx, s->off), s->off);
			fprintf(f, "site ");
			print_addr(f, v, s->addr);
			fprintf(f, " %s %s  ", sec_text(sec, sizeof sec, v, s->shndx), sym);
		}
		fprintf(f, "%s: %s\n", k ? k->name : "?", printable(detail, sizeof detail, b->detail));
	}
}

static void print_summary(FILE *f, const struct ab_verify *v)
{
	const struct ab_verify_totals *t = &v->totals;
	fprintf(f, "summary: sites %zu (bad %zu); sensitive instructions %zu: covered %zu, "
		"uncovered %zu (silent %zu, trapping %zu), excluded %zu\n",
		v->sites.n, t->bad_sites, t->sensitive, t->covered, t->uncovered,
		t->by_class[AB_CLASS_SILENT], t->by_class[AB_CLASS_TRAPPING], t->excluded);
	if (ab_verify_status(v) == AB_VERIFY_OK)
		fprintf(f, "result: PASS\n");
	else
		fprintf(f, "result: FAIL (uncovered silent: %zu, bad sites: %zu)\n",
			t->by_class[AB_CLASS_SILENT], t->bad_sites);
}

void ab_verify_print_text(FILE *f, const struct ab_verify *v, int quiet)
{
	const struct ab_verify_totals *t = &v->totals;
	if (quiet) {
		print_summary(f, v);
		return;
	}
	char path[512];
	fprintf(f, "afterburn verify %s: %s %s %s\n", printable(path, sizeof path, v->opts->path), class_elf(v),
		ab_elf_machine_name(v->img.machine), ab_elf_type_name(v->img.type));
	fprintf(f, "code: %zu executable sections, %llu bytes, %zu instructions "
		"(%zu undecodable bytes skipped, %zu resyncs)\n",
		t->code_sections, (unsigned long long)t->code_bytes, t->instructions,
		t->skipped_bytes, t->resyncs);

	fprintf(f, "\nsites by kind:\n");
	for (unsigned k = 1; k < AB_KIND_COUNT; k++)
		if (v->sites_per_kind[k])
			fprintf(f, "  %-14s %-9s %6zu\n", ab_kinds[k].name,
				ab_class_name(ab_kinds[k].cls), v->sites_per_kind[k]);
	if (t->sites_unknown_kind)
		fprintf(f, "  %-14s %-9s %6zu\n", "(unknown)", "", t->sites_unknown_kind);
	fprintf(f, "  %-14s %-9s %6zu\n", "total", "", v->sites.n);

	fprintf(f, "\nuncovered sensitive instructions: %zu (silent %zu, trapping %zu)\n",
		t->uncovered, t->by_class[AB_CLASS_SILENT], t->by_class[AB_CLASS_TRAPPING]);
	if (v->n_uncovered)
		print_findings(f, v, v->uncovered, v->n_uncovered, 0);

	fprintf(f, "\nexcluded (reported, never fail the run): %zu\n", t->excluded);
	if (v->n_excluded)
		print_findings(f, v, v->excluded, v->n_excluded, 1);

	fprintf(f, "\nbad sites: %zu\n", t->bad_sites);
	print_bad(f, v);

	fprintf(f, "\nexclusions:\n");
	for (size_t i = 0; i < v->n_exclusions; i++) {
		const struct ab_exclusion *x = &v->exclusions[i];
		char pat[128];
		fprintf(f, "  %-8s %-32s %s %zu hits\n", x->type, printable(pat, sizeof pat, x->pattern),
			x->builtin ? "built-in" : "option  ", x->hits);
	}
	fputc('\n', f);
	print_summary(f, v);
}

/* ---- JSON ---- */

/* Bytes >= 0x80 are escaped one by one, so the output is valid JSON
 * (ASCII) whatever a symbol name holds. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void json_addr(FILE *f, uint64_t a)
{
	/* A string: 64-bit addresses do not fit a JSON (double) number. */
	fprintf(f, "\"0x%llx\"", (unsigned long long)a);
}

/* "section", "section_offset", "symbol", "offset" of a place. */
static void json_place(FILE *f, const struct ab_verify *v, size_t shndx, uint64_t off)
{
	const struct ab_sym *s = ab_syms_lookup(&v->syms, shndx, off);
	fprintf(f, "\"section\": ");
	json_str(f, section_name(v, shndx));
	fprintf(f, ", \"section_offset\": %llu, \"symbol\": ", (unsigned long long)off);
	if (s) {
		json_str(f, s->name);
		fprintf(f, ", \"offset\": %llu", (unsigned long long)(off - s->off));
	} else {
		fprintf(f, "null, \"offset\": null");
	}
}

static void json_findings(FILE *f, const struct ab_verify *v, const struct ab_finding *list, size_t n)
{
	fprintf(f, "[");
	for (size_t i = 0; i < n; i++) {
		const struct ab_finding *x = &list[i];
		fprintf(f, "%s\n    {\"class\": \"%s\", \"kind\": \"%s\", \"address\": ",
			i ? "," : "", ab_class_name(x->cls), ab_kinds[x->kind].name);
		json_addr(f, x->addr);
		fprintf(f, ", ");
		json_place(f, v, x->shndx, x->off);
		fprintf(f, ", \"insn\": ");
		json_str(f, x->text);
		if (x->excluded) {
			fprintf(f, ", \"excluded_by\": {\"type\": \"%s\", \"pattern\": ", x->excluded->type);
			json_str(f, x->excluded->pattern);
			fprintf(f, "}");
		}
		fprintf(f, "}");
	}
	fprintf(f, "%s]", n ? "\n  " : "");
}

static void json_bad(FILE *f, const struct ab_verify *v)
{
	fprintf(f, "[");
	for (size_t i = 0; i < v->n_bad; i++) {
		const struct ab_bad_site *b = &v->bad[i];
		const struct ab_elf_site *s = &v->sites.v[b->site];
		const struct ab_kind_info *k = ab_kind_info(s->rec.kind);
		fprintf(f, "%s\n    {\"reason\": \"%s\", \"detail\": ", i ? "," : "", b->reason);
		json_str(f, b->detail);
		fprintf(f, ", \"kind\": ");
		if (k)
			json_str(f, k->name);
		else
			fprintf(f, "null");
		fprintf(f, ", \"record\": {\"section\": ");
		json_str(f, section_name(v, s->rec_shndx));
		fprintf(f, ", \"offset\": %llu}, \"address\": ", (unsigned long long)s->rec_off);
		if (s->error[0]) {
			fprintf(f, "null, \"section\": null, \"section_offset\": null, "
				"\"symbol\": null, \"offset\": null}");
			continue;
		}
		json_addr(f, s->addr);
		fprintf(f, ", ");
		json_place(f, v, s->shndx, s->off);
		fprintf(f, "}");
	}
	fprintf(f, "%s]", v->n_bad ? "\n  " : "");
}

void ab_verify_print_json(FILE *f, const struct ab_verify *v)
{
	const struct ab_verify_totals *t = &v->totals;
	fprintf(f, "{\n  \"file\": ");
	json_str(f, v->opts->path);
	fprintf(f, ",\n  \"elf\": {\"class\": \"%s\", \"machine\": \"%s\", \"type\": \"%s\"},\n",
		class_elf(v), ab_elf_machine_name(v->img.machine), ab_elf_type_name(v->img.type));
	fprintf(f, "  \"result\": \"%s\",\n", ab_verify_status(v) == AB_VERIFY_OK ? "pass" : "fail");

	fprintf(f, "  \"sites\": {");
	for (unsigned k = 1; k < AB_KIND_COUNT; k++)
		fprintf(f, "%s\"%s\": %zu", k > 1 ? ", " : "", ab_kinds[k].name, v->sites_per_kind[k]);
	fprintf(f, "},\n");
	size_t by_class[AB_CLASS_CONTEXT + 1] = { 0 };
	for (unsigned k = 1; k < AB_KIND_COUNT; k++)
		if (ab_kinds[k].cls <= AB_CLASS_CONTEXT)
			by_class[ab_kinds[k].cls] += v->sites_per_kind[k];
	fprintf(f, "  \"sites_by_class\": {");
	for (unsigned c = 0; c <= AB_CLASS_CONTEXT; c++)
		fprintf(f, "%s\"%s\": %zu", c ? ", " : "", ab_class_name(c), by_class[c]);
	fprintf(f, "},\n");

	fprintf(f, "  \"totals\": {\"sites\": %zu, \"sites_unknown_kind\": %zu, \"bad_sites\": %zu, "
		"\"code_sections\": %zu, \"code_bytes\": %llu, \"instructions\": %zu, "
		"\"sensitive\": %zu, \"covered\": %zu, \"uncovered\": %zu, "
		"\"uncovered_silent\": %zu, \"uncovered_trapping\": %zu, "
		"\"excluded\": %zu, \"skipped_bytes\": %zu, \"resyncs\": %zu, "
		"\"length_mismatches\": %zu},\n",
		v->sites.n, t->sites_unknown_kind, t->bad_sites, t->code_sections,
		(unsigned long long)t->code_bytes, t->instructions, t->sensitive, t->covered,
		t->uncovered, t->by_class[AB_CLASS_SILENT], t->by_class[AB_CLASS_TRAPPING],
		t->excluded, t->skipped_bytes, t->resyncs,
		t->length_mismatches);

	fprintf(f, "  \"uncovered\": ");
	json_findings(f, v, v->uncovered, v->n_uncovered);
	fprintf(f, ",\n  \"excluded\": ");
	json_findings(f, v, v->excluded, v->n_excluded);
	fprintf(f, ",\n  \"bad_sites\": ");
	json_bad(f, v);

	fprintf(f, ",\n  \"exclusions\": [");
	for (size_t i = 0; i < v->n_exclusions; i++) {
		const struct ab_exclusion *x = &v->exclusions[i];
		fprintf(f, "%s\n    {\"type\": \"%s\", \"pattern\": ", i ? "," : "", x->type);
		json_str(f, x->pattern);
		fprintf(f, ", \"builtin\": %s, \"hits\": %zu}", x->builtin ? "true" : "false", x->hits);
	}
	fprintf(f, "%s]\n}\n", v->n_exclusions ? "\n  " : "");
}
