/*
 * Hot-spot tables: the dump's entries as rows, one per site, or grouped
 * by function or by kind, hottest first.  Ties are broken by name and
 * address so that a report is the same bytes for the same dump.
 */
#include <stdlib.h>
#include <string.h>

#include "prof.h"

const char *prof_row_function(const struct prof_row *r)
{
	if (!r->sym)
		return NULL;
	if (r->sym->function)
		return r->sym->function;
	return r->sym->nframes ? r->sym->frames[0].function : NULL;
}

static const char *fn_of(const struct prof_sym *s)
{
	if (!s)
		return "";
	if (s->function)
		return s->function;
	return s->nframes && s->frames[0].function ? s->frames[0].function : "";
}

struct ctx {
	const struct prof_dump *d;
	const struct prof_sym *syms;
	enum prof_by by;
};

/* Sort by the grouping key: entries of one row become adjacent. */
static int cmp_key(const struct ctx *c, size_t a, size_t b)
{
	const struct prof_entry *x = &c->d->v[a], *y = &c->d->v[b];
	int r = 0;
	if (c->by == PROF_BY_FUNCTION)
		r = strcmp(fn_of(c->syms ? &c->syms[a] : NULL), fn_of(c->syms ? &c->syms[b] : NULL));
	else if (c->by == PROF_BY_KIND)
		r = strcmp(x->kind, y->kind);
	else if (x->eip != y->eip)
		r = x->eip < y->eip ? -1 : 1;
	else
		r = strcmp(x->kind, y->kind);
	return r;
}

static struct ctx *sort_ctx;   /* qsort has no context argument in C11 */

static int by_key(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int r = cmp_key(sort_ctx, i, j);
	if (r)
		return r;
	/* Within a row, the hottest entry first: it stands for the row. */
	const struct prof_entry *x = &sort_ctx->d->v[i], *y = &sort_ctx->d->v[j];
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->eip != y->eip)
		return x->eip < y->eip ? -1 : 1;
	return strcmp(x->kind, y->kind);
}

static int hottest(const void *a, const void *b)
{
	const struct prof_row *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	int r = strcmp(x->top->kind, y->top->kind);
	if (r)
		return r;
	r = strcmp(fn_of(x->sym), fn_of(y->sym));
	if (r)
		return r;
	return x->top->eip < y->top->eip ? -1 : x->top->eip > y->top->eip;
}

/* by function: the row's kinds, hottest first, while they fit. */
static void row_kinds(struct prof_row *r, const struct prof_dump *d, const size_t *idx, size_t n)
{
	struct kc { const char *kind; uint64_t count; } k[16];
	size_t nk = 0;
	for (size_t i = 0; i < n; i++) {
		const struct prof_entry *e = &d->v[idx[i]];
		size_t j = 0;
		while (j < nk && strcmp(k[j].kind, e->kind))
			j++;
		if (j == nk && nk < 16)
			k[nk++] = (struct kc){ e->kind, 0 };
		if (j < nk)
			k[j].count += e->count;
	}
	for (size_t a = 1; a < nk; a++)          /* insertion sort: few */
		for (size_t b = a; b && k[b].count > k[b - 1].count; b--) {
			struct kc t = k[b];
			k[b] = k[b - 1];
			k[b - 1] = t;
		}
	size_t len = 0;
	for (size_t j = 0; j < nk; j++) {
		size_t l = strlen(k[j].kind);
		if (len + l + 5 >= sizeof r->kinds) {
			memcpy(r->kinds + len, ",...", 5);
			return;
		}
		if (j)
			r->kinds[len++] = ',';
		memcpy(r->kinds + len, k[j].kind, l + 1);
		len += l;
	}
}

int prof_table_make(const struct prof_dump *d, const struct prof_sym *syms, enum prof_by by,
		    int sensitive_only, size_t top, struct prof_table *t)
{
	memset(t, 0, sizeof *t);
	t->by = by;
	t->sensitive_only = sensitive_only;
	size_t *idx = malloc((d->n ? d->n : 1) * sizeof *idx), n = 0;
	if (!idx)
		return -1;
	for (size_t i = 0; i < d->n; i++)
		if (!sensitive_only || d->v[i].cls == PROF_SENSITIVE) {
			idx[n++] = i;
			t->total += d->v[i].count;
		}
	struct ctx c = { d, syms, by };
	sort_ctx = &c;
	qsort(idx, n, sizeof *idx, by_key);
	t->v = calloc(n ? n : 1, sizeof *t->v);
	if (!t->v) {
		free(idx);
		return -1;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && cmp_key(&c, idx[i], idx[j]) == 0)
			j++;
		struct prof_row *r = &t->v[t->n++];
		r->top = &d->v[idx[i]];
		r->sym = syms ? &syms[idx[i]] : NULL;
		r->sites = j - i;
		for (size_t k = i; k < j; k++) {
			r->count += d->v[idx[k]].count;
			r->mixed_class |= d->v[idx[k]].cls != r->top->cls;
		}
		r->share = t->total ? 100.0 * (double)r->count / (double)t->total : 0;
		if (by == PROF_BY_FUNCTION)
			row_kinds(r, d, idx + i, j - i);
		else
			snprintf(r->kinds, sizeof r->kinds, "%s", r->top->kind);
		i = j;
	}
	free(idx);
	qsort(t->v, t->n, sizeof *t->v, hottest);
	t->nall = t->n;
	if (top && t->n > top)
		t->n = top;
	return 0;
}

void prof_table_free(struct prof_table *t)
{
	free(t->v);
	memset(t, 0, sizeof *t);
}
