/*
 * The picture of `afterburn prof report --svg/--html`: horizontal bars of
 * the hot spots by function and by kind, each labelled with its name,
 * count and share, coloured by trap class.  Self-written SVG, so that no
 * plotting library is needed; it must stay well-formed XML (the tests
 * parse it), which is why every text goes through prof_xml_str.
 */
#include <stdlib.h>
#include <string.h>

#include "prof_impl.h"

enum { WIDTH = 980, LABEL_END = 370, BAR_X = 380, BAR_MAX = 420, ROW = 20, BARS = 15 };

static const char *const colour[PROF_NCLASSES] = {
	[PROF_SENSITIVE] = "#d62728", [PROF_EXCEPTION] = "#ff7f0e", [PROF_SYSCALL] = "#2ca02c",
	[PROF_IRQ] = "#1f77b4", [PROF_HIDDEN_PF] = "#9467bd", [PROF_HYPERCALL] = "#8c564b",
	[PROF_UNKNOWN] = "#7f7f7f",
};
#define MIXED "#bcbd22"

/* A label cut to fit left of the bars (about 7 px a character). */
static void short_label(const char *s, char *out, size_t cap)
{
	size_t n = strlen(s);
	memcpy(out, s, n < cap ? n + 1 : cap - 1);
	out[cap - 1] = 0;
	if (n > 50) {
		prof_clean_text(out, 48);
		strcat(out, "..");
	}
}

static int panel(FILE *f, const struct prof_table *t, const char *title, int y)
{
	fprintf(f, "<g class=\"panel\">\n<text x=\"10\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">", y + 14);
	prof_xml_str(f, title);
	fputs("</text>\n", f);
	y += 24;
	uint64_t max = t->n ? t->v[0].count : 0;
	for (size_t i = 0; i < t->n; i++, y += ROW) {
		const struct prof_row *r = &t->v[i];
		char name[256], label[64], where[512];
		if (t->by == PROF_BY_KIND)
			snprintf(name, sizeof name, "%s", r->top->kind);
		else
			prof_row_fn(r, name, sizeof name);
		prof_row_where(r, where, sizeof where);
		short_label(name, label, sizeof label);
		int w = max ? (int)((double)BAR_MAX * (double)r->count / (double)max + 0.5) : 0;
		if (w < 1)
			w = 1;
		fputs("<g class=\"bar\"><title>", f);
		prof_xml_str(f, name);
		fprintf(f, ": %llu traps (%.1f%%), %zu sites, ", (unsigned long long)r->count, r->share, r->sites);
		prof_xml_str(f, r->kinds);
		fputs(", hottest at ", f);
		prof_xml_str(f, where);
		fprintf(f, "</title>\n  <text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_END, y + 13);
		prof_xml_str(f, label);
		fprintf(f, "</text>\n  <rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"15\" fill=\"%s\"/>\n",
			BAR_X, y + 2, w, r->mixed_class ? MIXED : colour[r->top->cls]);
		fprintf(f, "  <text x=\"%d\" y=\"%d\">%llu (%.1f%%)</text></g>\n", BAR_X + w + 6, y + 13,
			(unsigned long long)r->count, r->share);
	}
	if (!t->n)
		fprintf(f, "<text x=\"%d\" y=\"%d\">(no traps)</text>\n", BAR_X, (y += ROW) - 7);
	fputs("</g>\n", f);
	return y + 12;
}

int prof_svg(FILE *f, const struct prof_report_ctx *c, int standalone)
{
	size_t n = c->top && c->top < 40 ? c->top : BARS;
	struct prof_table byfn, bykind;
	if (prof_table_make(c->d, c->syms, PROF_BY_FUNCTION, c->sensitive_only, n, &byfn))
		return -1;
	if (prof_table_make(c->d, c->syms, PROF_BY_KIND, c->sensitive_only, n, &bykind)) {
		prof_table_free(&byfn);
		return -1;
	}
	int height = 70 + 36 * 2 + ROW * (int)((byfn.n ? byfn.n : 1) + (bykind.n ? bykind.n : 1)) + 40;
	if (standalone)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"12\">\n<title>Trap hot spots: ",
		WIDTH, height, WIDTH, height);
	prof_xml_str(f, c->dump_name);
	fprintf(f, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n"
		"<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">Trap hot spots: ", WIDTH, height);
	prof_xml_str(f, c->dump_name);
	if (c->elf_name) {
		fputs(" on ", f);
		prof_xml_str(f, c->elf_name);
	}
	const struct prof_dump *d = c->d;
	uint64_t s = d->by_class[PROF_SENSITIVE];
	fprintf(f, "</text>\n<text x=\"10\" y=\"42\">%llu traps, %llu of them sensitive instructions (%.1f%%)%s; "
		"bars: %s</text>\n", (unsigned long long)d->total, (unsigned long long)s,
		d->total ? 100.0 * (double)s / (double)d->total : 0.0, d->lost ? "; some lost: counts are low" : "",
		c->sensitive_only ? "sensitive instructions only" : "all classes");
	int y = panel(f, &byfn, "By function", 56);
	y = panel(f, &bykind, "By kind", y);
	/* Legend: one swatch per class. */
	int x = 10;
	for (int k = 0; k <= PROF_NCLASSES; k++) {
		const char *name = k < PROF_NCLASSES ? prof_class_name(k) : "mixed";
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\">%s</text>\n", x, y, k < PROF_NCLASSES ? colour[k] : MIXED,
			x + 16, y + 11, name);
		x += 24 + 8 * (int)strlen(name);
	}
	fputs("</svg>\n", f);
	prof_table_free(&byfn);
	prof_table_free(&bykind);
	return 0;
}

int prof_report_svg(FILE *f, const struct prof_report_ctx *c)
{
	return prof_svg(f, c, 1);
}
