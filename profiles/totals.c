/*
 * Totals per kind of a dump; the per-class ones are made by the parser
 * (struct prof_dump.by_class), as every user wants them.
 */
#include <stdlib.h>
#include <string.h>

#include "prof.h"

static int hottest(const void *a, const void *b)
{
	const struct prof_kind_total *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->kind, y->kind);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct prof_kind_total *)a)->kind, ((const struct prof_kind_total *)b)->kind);
}

long prof_kind_totals(const struct prof_dump *d, struct prof_kind_total **out)
{
	/* Few distinct kinds (about 60 possible): sort a copy of the names,
	 * then fold runs. */
	struct prof_kind_total *t = calloc(d->n ? d->n : 1, sizeof *t);
	if (!t)
		return -1;
	for (size_t i = 0; i < d->n; i++) {
		memcpy(t[i].kind, d->v[i].kind, sizeof t[i].kind);
		t[i].cls = d->v[i].cls;
		t[i].count = d->v[i].count;
		t[i].sites = 1;
	}
	qsort(t, d->n, sizeof *t, by_name);
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (k && !strcmp(t[k - 1].kind, t[i].kind)) {
			t[k - 1].count += t[i].count;
			t[k - 1].sites++;
		} else {
			t[k++] = t[i];
		}
	}
	qsort(t, k, sizeof *t, hottest);
	*out = t;
	return (long)k;
}
