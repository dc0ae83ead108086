/*
 * `afterburn prof report --html`: one page with the picture of
 * report_svg.c inline, the traps per class and the hot-spot table.
 */
#include "prof_impl.h"

static void cell(FILE *f, const char *cls, const char *text)
{
	fprintf(f, "<td%s>", cls);
	prof_xml_str(f, text);
	fputs("</td>", f);
}

/* The page is well-formed XML too (XHTML syntax), so it parses both ways. */
int prof_report_html(FILE *f, const struct prof_report_ctx *c, const struct prof_table *t)
{
	const struct prof_dump *d = c->d;
	fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\"/>\n<title>afterburn prof: ", f);
	prof_xml_str(f, c->dump_name);
	fputs("</title>\n<style>body{font-family:sans-serif;margin:1em}"
	      "table{border-collapse:collapse;font-family:monospace;font-size:12px}"
	      "td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}"
	      "td.n{text-align:right}</style>\n</head>\n<body>\n", f);
	if (prof_svg(f, c, 0))
		return -1;
	fputs("<h2>Traps per class</h2>\n<table>\n<tr><th>class</th><th>traps</th><th>share</th></tr>\n", f);
	char num[64], where[512], fn[256];
	for (int k = 0; k <= PROF_NCLASSES; k++) {
		uint64_t v = k < PROF_NCLASSES ? d->by_class[k] : d->total;
		fputs("<tr>", f);
		cell(f, "", k < PROF_NCLASSES ? prof_class_name(k) : "total");
		snprintf(num, sizeof num, "%llu", (unsigned long long)v);
		cell(f, " class=\"n\"", num);
		snprintf(num, sizeof num, "%.1f%%", d->total ? 100.0 * (double)v / (double)d->total : 0.0);
		cell(f, " class=\"n\"", num);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	if (d->lost)
		fprintf(f, "<p><b># lost %lu</b>: the hypervisor's table was full; the counts are low.</p>\n", d->lost);
	prof_table_title(t, fn, sizeof fn);
	fputs("<h2>", f);
	prof_xml_str(f, fn);
	fputs("</h2>\n<table>\n<tr><th>count</th><th>share</th><th>sites</th><th>kind</th><th>class</th>"
	      "<th>eip</th><th>function</th><th>file:line</th><th>source</th></tr>\n", f);
	for (size_t i = 0; i < t->n; i++) {
		const struct prof_row *r = &t->v[i];
		fputs("<tr>", f);
		snprintf(num, sizeof num, "%llu", (unsigned long long)r->count);
		cell(f, " class=\"n\"", num);
		snprintf(num, sizeof num, "%.1f%%", r->share);
		cell(f, " class=\"n\"", num);
		snprintf(num, sizeof num, "%zu", r->sites);
		cell(f, " class=\"n\"", num);
		cell(f, "", r->kinds);
		cell(f, "", r->mixed_class ? "mixed" : prof_class_name(r->top->cls));
		snprintf(num, sizeof num, "0x%08x", r->top->eip);
		cell(f, "", num);
		prof_row_fn(r, fn, sizeof fn);
		cell(f, "", fn);
		prof_row_where(r, where, sizeof where);
		cell(f, "", where);
		cell(f, "", r->sym && r->sym->source ? r->sym->source : "");
		fputs("</tr>\n", f);
	}
	fputs("</table>\n</body>\n</html>\n", f);
	return 0;
}
