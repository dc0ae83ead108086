/*
 * `afterburn prof report --json`: the report as one JSON object, for
 * tests and the bench scripts (the schema is in docs/profiles.md).  The
 * totals per class and per kind cover the whole dump, whatever --class
 * and --top cut from the rows.
 */
#include <stdlib.h>

#include "prof_impl.h"

static void row(FILE *f, const struct prof_row *r)
{
	const struct prof_sym *s = r->sym;
	fprintf(f, "    {\"count\": %llu, \"share\": %.4f, \"sites\": %zu, \"eip\": \"0x%08x\", \"kind\": ",
		(unsigned long long)r->count, r->share, r->sites, r->top->eip);
	prof_json_str(f, r->top->kind);
	fputs(", \"kinds\": ", f);
	prof_json_str(f, r->kinds);
	fputs(", \"class\": ", f);
	prof_json_str(f, r->mixed_class ? "mixed" : prof_class_name(r->top->cls));
	fputs(",\n     \"function\": ", f);
	prof_json_str(f, prof_row_function(r));
	fputs(", \"aliases\": [", f);
	for (char **a = s ? s->aliases : NULL; a && *a; a++) {
		fputs(a == s->aliases ? "" : ", ", f);
		prof_json_str(f, *a);
	}
	fputs("], \"inlined\": ", f);
	prof_json_str(f, s ? s->inlined : NULL);
	fputs(", \"file\": ", f);
	prof_json_str(f, s ? s->file : NULL);
	fputs(", \"rule_file\": ", f);
	prof_json_str(f, s ? s->rule_file : NULL);
	fprintf(f, ", \"line\": %u, \"nth\": ", s ? s->line : 0);
	if (s && s->nth)
		fprintf(f, "%u", s->nth);
	else
		fputs("null", f);
	fputs(", \"source\": ", f);
	prof_json_str(f, s ? s->source : NULL);
	fputs(",\n     \"frames\": [", f);
	for (size_t i = 0; s && i < s->nframes; i++) {
		fputs(i ? ", {\"function\": " : "{\"function\": ", f);
		prof_json_str(f, s->frames[i].function);
		fputs(", \"file\": ", f);
		prof_json_str(f, s->frames[i].file);
		fprintf(f, ", \"line\": %u}", s->frames[i].line);
	}
	fputs("]}", f);
}

void prof_report_json(FILE *f, const struct prof_report_ctx *c, const struct prof_table *t)
{
	static const char *const by[] = { "site", "function", "kind" };
	const struct prof_dump *d = c->d;
	fputs("{\n  \"format\": 1,\n  \"dump\": ", f);
	prof_json_str(f, c->dump_name);
	fputs(",\n  \"elf\": ", f);
	prof_json_str(f, c->elf_name);
	fprintf(f, ",\n  \"entries\": %zu,\n  \"header_entries\": ", d->n);
	if (d->have_header)
		fprintf(f, "%lu", d->header_entries);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"lost\": %lu,\n  \"total\": %llu,\n  \"classes\": {", d->lost,
		(unsigned long long)d->total);
	for (int k = 0; k < PROF_NCLASSES; k++)
		fprintf(f, "%s\"%s\": %llu", k ? ", " : "", prof_class_name(k),
			(unsigned long long)d->by_class[k]);
	fputs("},\n  \"kinds\": {", f);
	struct prof_kind_total *kt = NULL;
	long nk = prof_kind_totals(d, &kt);
	for (long i = 0; i < nk; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		prof_json_str(f, kt[i].kind);
		fprintf(f, ": {\"class\": \"%s\", \"count\": %llu, \"sites\": %zu}", prof_class_name(kt[i].cls),
			(unsigned long long)kt[i].count, kt[i].sites);
	}
	free(kt);
	fprintf(f, "%s},\n  \"by\": \"%s\",\n  \"class\": \"%s\",\n  \"table_total\": %llu,\n"
		"  \"rows_all\": %zu,\n  \"rows\": [", nk > 0 ? "\n  " : "", by[t->by],
		t->sensitive_only ? "sensitive" : "all", (unsigned long long)t->total, t->nall);
	for (size_t i = 0; i < t->n; i++) {
		fputs(i ? ",\n" : "\n", f);
		row(f, &t->v[i]);
	}
	fputs(t->n ? "\n  ]\n}\n" : "]\n}\n", f);
}
