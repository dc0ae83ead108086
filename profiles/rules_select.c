/*
 * What `afterburn prof rules` selects: sites, not groups.  A helper like
 * inb() inlined a dozen times into one function gives a dozen entries of
 * one (kind, function, file:line) group, of which one or two are hot; a
 * rule per group would annotate them all.  So the sensitive entries
 * (sites) are ranked by count and the selection is a prefix of them; each
 * selected site becomes a rule of its own through nth= (prof_nth), and
 * only a site without an nth falls back to a rule for its whole group.
 * Every order here is total, so the output is deterministic.
 */
#include <stdlib.h>
#include <string.h>

#include "prof_impl.h"

#define DEFAULT_COVER 95.0

static const char *str(const char *s)
{
	return s ? s : "";
}

/* The group key: what a rule without nth can tell apart. */
static int cmp_key(const struct prof_rsite *a, const struct prof_rsite *b)
{
	int r = strcmp(a->e->kind, b->e->kind);
	if (!r)
		r = strcmp(str(a->s->function), str(b->s->function));
	if (!r)
		r = strcmp(str(a->s->rule_file), str(b->s->rule_file));
	if (!r && a->s->line != b->s->line)
		r = a->s->line < b->s->line ? -1 : 1;
	return r;
}

/* (kind, eip) is unique in a dump: the last word of every order. */
static int cmp_eip(const struct prof_rsite *a, const struct prof_rsite *b)
{
	return a->e->eip < b->e->eip ? -1 : a->e->eip > b->e->eip;
}

static int by_key(const void *x, const void *y)
{
	const struct prof_rsite *a = x, *b = y;
	int r = cmp_key(a, b);
	if (!r && a->e->count != b->e->count)
		r = a->e->count < b->e->count ? 1 : -1;
	return r ? r : cmp_eip(a, b);
}

static int hottest(const void *x, const void *y)
{
	const struct prof_rsite *a = x, *b = y;
	if (a->e->count != b->e->count)
		return a->e->count < b->e->count ? 1 : -1;
	int r = cmp_key(a, b);
	return r ? r : cmp_eip(a, b);
}

double prof_rules_cover(void)
{
	return DEFAULT_COVER;
}

int prof_rules_select(const struct prof_dump *d, const struct prof_sym *syms,
		      const struct prof_rules_opts *o, struct prof_rsel *sel)
{
	memset(sel, 0, sizeof *sel);
	size_t cap = d->n ? d->n : 1;
	sel->site = calloc(cap, sizeof *sel->site);
	sel->group = calloc(cap, sizeof *sel->group);
	if (!sel->site || !sel->group) {
		prof_rsel_free(sel);
		return -1;
	}
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].cls == PROF_SENSITIVE) {
			sel->site[sel->nsites++] = (struct prof_rsite){ &d->v[i], &syms[i], 0 };
			sel->sensitive += d->v[i].count;
		}

	/* Groups: runs of one key; their first entry is the hottest. */
	qsort(sel->site, sel->nsites, sizeof *sel->site, by_key);
	for (size_t i = 0; i < sel->nsites; i++) {
		struct prof_rsite *s = &sel->site[i];
		if (!i || cmp_key(&sel->site[i - 1], s))
			sel->group[sel->ngroups++] = (struct prof_rgroup){ s->e, s->s, 0, 0, 0, 0 };
		s->group = sel->ngroups - 1;
		sel->group[s->group].count += s->e->count;
		sel->group[s->group].sites++;
	}

	/* The selection: a prefix of the hottest sites. */
	qsort(sel->site, sel->nsites, sizeof *sel->site, hottest);
	uint64_t cum = 0;
	while (sel->selected < sel->nsites) {
		uint64_t c = sel->site[sel->selected].e->count;
		double share = sel->sensitive ? 100.0 * (double)c / (double)sel->sensitive : 0;
		if (o->top ? sel->selected >= o->top : o->min_share > 0 ? share < o->min_share
		    : 100.0 * (double)cum >= DEFAULT_COVER * (double)sel->sensitive)
			break;
		cum += c;
		sel->selected++;
	}
	return 0;
}

void prof_rsel_free(struct prof_rsel *sel)
{
	free(sel->site);
	free(sel->group);
	memset(sel, 0, sizeof *sel);
}
