/*
 * The text report of `afterburn prof report`: the per-class summary (the
 * counts DESIGN.md wants kept apart: sensitive instructions, the guest's
 * own exceptions and system calls, interrupts, hidden page faults,
 * hypercalls), a warning when the hypervisor's table overflowed, and the
 * hot-spot table with the source line of each.
 */
#include <string.h>

#include "prof_impl.h"

void prof_row_where(const struct prof_row *r, char *buf, size_t cap)
{
	const struct prof_sym *s = r->sym;
	if (!s || !s->file)
		snprintf(buf, cap, "?");
	else
		snprintf(buf, cap, "%s:%u", s->rule_file ? s->rule_file : s->file, s->line);
}

void prof_row_fn(const struct prof_row *r, char *buf, size_t cap)
{
	const char *fn = prof_row_function(r);
	if (!fn)
		snprintf(buf, cap, "?");
	else if (r->sym->inlined && r->sym->function)
		snprintf(buf, cap, "%s [%s]", fn, r->sym->inlined);
	else
		snprintf(buf, cap, "%s", fn);
}

void prof_table_title(const struct prof_table *t, char *buf, size_t cap)
{
	static const char *const by[] = { "site", "function", "kind" };
	snprintf(buf, cap, "Hot spots by %s (%s; %zu of %zu rows; share of %llu traps)", by[t->by],
		 t->sensitive_only ? "sensitive instructions" : "all classes", t->n, t->nall,
		 (unsigned long long)t->total);
}

static void summary(FILE *f, const struct prof_report_ctx *c)
{
	const struct prof_dump *d = c->d;
	size_t sites[PROF_NCLASSES] = { 0 };
	for (size_t i = 0; i < d->n; i++)
		sites[d->v[i].cls]++;
	fprintf(f, "%s%s%s: %zu entries, %llu traps\n", c->dump_name, c->elf_name ? " on " : "",
		c->elf_name ? c->elf_name : "", d->n, (unsigned long long)d->total);
	if (d->lost)
		fprintf(f, "# lost %lu: the hypervisor's table was full; the counts are low\n", d->lost);
	fprintf(f, "\n  %-12s %12s %7s %7s\n", "class", "traps", "share", "sites");
	for (int k = 0; k < PROF_NCLASSES; k++)
		fprintf(f, "  %-12s %12llu %6.1f%% %7zu\n", prof_class_name(k),
			(unsigned long long)d->by_class[k],
			d->total ? 100.0 * (double)d->by_class[k] / (double)d->total : 0.0, sites[k]);
	fprintf(f, "  %-12s %12llu %6.1f%% %7zu\n\n", "total", (unsigned long long)d->total,
		d->total ? 100.0 : 0.0, d->n);
}

/* Column widths of the table, from its contents, within bounds. */
struct widths {
	int kind, fn, where;
};

static int clamp(size_t n, int lo, int hi)
{
	return n < (size_t)lo ? lo : n > (size_t)hi ? hi : (int)n;
}

void prof_report_text(FILE *f, const struct prof_report_ctx *c, const struct prof_table *t)
{
	summary(f, c);
	char title[256], fn[256], where[512];
	prof_table_title(t, title, sizeof title);
	fprintf(f, "%s:\n", title);
	struct widths w = { 4, 8, 9 };
	for (size_t i = 0; i < t->n; i++) {
		const struct prof_row *r = &t->v[i];
		prof_row_fn(r, fn, sizeof fn);
		prof_row_where(r, where, sizeof where);
		w.kind = clamp(strlen(r->kinds), w.kind, 24);
		w.fn = clamp(strlen(fn), w.fn, 40);
		w.where = clamp(strlen(where), w.where, 48);
	}
	fprintf(f, "  %10s %6s ", "count", "share");
	if (t->by != PROF_BY_SITE)
		fprintf(f, "%6s ", "sites");
	fprintf(f, "%-*s %-9s %-10s ", w.kind, t->by == PROF_BY_FUNCTION ? "kinds" : "kind", "class",
		t->by == PROF_BY_SITE ? "eip" : "hottest");
	if (t->by == PROF_BY_SITE)
		fprintf(f, "%4s ", "nth");
	fprintf(f, "%-*s %-*s %s\n", w.fn, "function", w.where, "file:line", "source");
	for (size_t i = 0; i < t->n; i++) {
		const struct prof_row *r = &t->v[i];
		prof_row_fn(r, fn, sizeof fn);
		prof_row_where(r, where, sizeof where);
		fprintf(f, "  %10llu %5.1f%% ", (unsigned long long)r->count, r->share);
		if (t->by != PROF_BY_SITE)
			fprintf(f, "%6zu ", r->sites);
		fprintf(f, "%-*s %-9s 0x%08x ", w.kind, r->kinds,
			r->mixed_class ? "mixed" : prof_class_name(r->top->cls), r->top->eip);
		/* By site: which of its kind in the function it is (a rule's nth=). */
		if (t->by == PROF_BY_SITE && r->sym && r->sym->nth)
			fprintf(f, "%4u ", r->sym->nth);
		else if (t->by == PROF_BY_SITE)
			fprintf(f, "%4s ", "?");
		fprintf(f, "%-*s %-*s %s\n", w.fn, fn, w.where, where,
			r->sym && r->sym->source ? r->sym->source : "");
	}
	if (!t->n)
		fprintf(f, "  (none)\n");
}
