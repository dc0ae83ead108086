/*
 * `afterburn prof rules`: a rules file (docs/abi/rules.md, v1) from a
 * profile.  Only sensitive-instruction traps become rules: they are what
 * annotating removes.  Entries are grouped by what a rule can select
 * (kind, function, file:line), and each selected group becomes the most
 * precise rule that still matches on rebuild: function= is the ELF label
 * the afterburner also sees (symtab.c), file= a suffix of the .loc path;
 * the action is emit-inline for kinds with an inline form, else annotate.
 * The output is deterministic: no date, groups in a total order.
 */
#include <stdlib.h>
#include <string.h>

#include "inline.h"
#include "kinds.h"
#include "prof_impl.h"

#define DEFAULT_COVER 95.0

struct group {
	const struct prof_entry *e;      /* the hottest entry */
	const struct prof_sym *s;
	uint64_t count;
	size_t sites;
};

static const char *str(const char *s)
{
	return s ? s : "";
}

static int cmp_key(const struct prof_entry *a, const struct prof_sym *sa,
		   const struct prof_entry *b, const struct prof_sym *sb)
{
	int r = strcmp(a->kind, b->kind);
	if (!r)
		r = strcmp(str(sa->function), str(sb->function));
	if (!r)
		r = strcmp(str(sa->rule_file), str(sb->rule_file));
	if (!r && sa->line != sb->line)
		r = sa->line < sb->line ? -1 : 1;
	return r;
}

static const struct prof_dump *g_d;      /* for qsort: no context argument in C11 */
static const struct prof_sym *g_syms;

static int by_key(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int r = cmp_key(&g_d->v[i], &g_syms[i], &g_d->v[j], &g_syms[j]);
	if (r)
		return r;
	if (g_d->v[i].count != g_d->v[j].count)
		return g_d->v[i].count < g_d->v[j].count ? 1 : -1;
	return g_d->v[i].eip < g_d->v[j].eip ? -1 : g_d->v[i].eip > g_d->v[j].eip;
}

static int hottest(const void *x, const void *y)
{
	const struct group *a = x, *b = y;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	int r = cmp_key(a->e, a->s, b->e, b->s);
	return r ? r : (a->e->eip < b->e->eip ? -1 : a->e->eip > b->e->eip);
}

/* A name or path can go into a rule: one word, no comment. */
static int writable(const char *s)
{
	return s && *s && !strpbrk(s, " \t\r\n#");
}

/* A file name in the header comment: a newline would end the comment. */
static void comment_str(FILE *f, const char *s)
{
	for (s = s ? s : "?"; *s; s++)
		fputc(*s == '\n' || *s == '\r' ? '?' : *s, f);
}

/* function= is a glob: escape its special characters. */
static void glob_lit(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (strchr("*?[]\\", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void rule(FILE *f, const struct group *g, const char *fn, const char *file, uint64_t total,
		 const char *note)
{
	/* A kind with an inline replacement (abi/inline.h) gets emit-inline:
	 * afterburn-as pads the site to fit it, and the loader writes it in
	 * place of a call into the wedge. */
	int inl = ab_kind_inline_len(ab_kind_by_name(g->e->kind)) > 0;
	fprintf(f, "%s kind=%s", inl ? "emit-inline" : "annotate", g->e->kind);
	if (fn) {
		fputs(" function=", f);
		glob_lit(f, fn);
	}
	if (file)
		fprintf(f, " file=%s:%u", file, g->s->line);
	fprintf(f, "  # %llu traps (%.1f%%)", (unsigned long long)g->count,
		total ? 100.0 * (double)g->count / (double)total : 0.0);
	if (g->sites > 1)
		fprintf(f, ", %zu sites", g->sites);
	fprintf(f, "%s\n", note);
}

int prof_rules_write(FILE *f, FILE *warn, const struct prof_dump *d, const struct prof_sym *syms,
		     const struct prof_rules_opts *o, struct prof_rules_result *res,
		     struct prof_err *err)
{
	memset(res, 0, sizeof *res);
	size_t *idx = malloc((d->n ? d->n : 1) * sizeof *idx), n = 0;
	struct group *g = calloc(d->n ? d->n : 1, sizeof *g);
	if (!idx || !g) {
		free(idx);
		free(g);
		return prof_fail(err, "afterburn prof rules", 0, "out of memory");
	}
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].cls == PROF_SENSITIVE) {
			idx[n++] = i;
			res->sensitive += d->v[i].count;
		}
	g_d = d;
	g_syms = syms;
	qsort(idx, n, sizeof *idx, by_key);
	size_t ng = 0;
	for (size_t i = 0; i < n; i++) {
		const struct prof_entry *e = &d->v[idx[i]];
		const struct prof_sym *s = &syms[idx[i]];
		if (!ng || cmp_key(g[ng - 1].e, g[ng - 1].s, e, s))
			g[ng++] = (struct group){ e, s, 0, 0 };
		g[ng - 1].count += e->count;
		g[ng - 1].sites++;
	}
	free(idx);
	qsort(g, ng, sizeof *g, hottest);
	res->groups = ng;

	/* The selection: a prefix of the hottest groups. */
	size_t sel = 0;
	uint64_t cum = 0;
	while (sel < ng) {
		double share = res->sensitive ? 100.0 * (double)g[sel].count / (double)res->sensitive : 0;
		if (o->top ? sel >= o->top : o->min_share > 0 ? share < o->min_share
		    : 100.0 * (double)cum >= DEFAULT_COVER * (double)res->sensitive)
			break;
		cum += g[sel++].count;
	}
	res->selected = sel;
	for (size_t i = 0; i < sel; i++) {
		const struct prof_sym *s = g[i].s;
		int ok = writable(s->function) || (writable(s->rule_file) && s->line);
		if (ok)
			res->covered += g[i].count;
		else
			res->skipped++;
	}

	fprintf(f, "afterburn-rules 1\n"
		"# Written by afterburn prof rules (docs/profiles.md) from the trap dump\n# ");
	comment_str(f, o->dump_name);
	fputs(" of ", f);
	comment_str(f, o->elf_name);
	fprintf(f, ".\n# Sensitive-instruction traps: %llu of %llu, lost %lu; %zu groups "
		"(kind, function, file:line).\n# Selected: %zu groups, ", (unsigned long long)res->sensitive,
		(unsigned long long)d->total, d->lost, ng, sel);
	if (o->top)
		fprintf(f, "the %zu hottest", o->top);
	else if (o->min_share > 0)
		fprintf(f, "those with at least %g%% of the traps", o->min_share);
	else
		fprintf(f, "the fewest covering %g%% of the traps", DEFAULT_COVER);
	fprintf(f, "; the rules cover %llu traps (%.1f%%).\n", (unsigned long long)res->covered,
		res->sensitive ? 100.0 * (double)res->covered / (double)res->sensitive : 0.0);
	if (o->policy)
		fprintf(f, "policy %s\n", o->policy);
	for (size_t i = 0; i < sel; i++) {
		const struct prof_sym *s = g[i].s;
		const char *fn = writable(s->function) ? s->function : NULL;
		const char *file = writable(s->rule_file) && s->line ? s->rule_file : NULL;
		if (!fn && !file) {
			if (warn)
				fprintf(warn, "afterburn prof rules: warning: %llu %s traps at 0x%08x (%s:%u): "
					"no function or source line to name them by: no rule\n",
					(unsigned long long)g[i].count, g[i].e->kind, g[i].e->eip,
					o->dump_name ? o->dump_name : "?", g[i].e->line);
			continue;
		}
		rule(f, &g[i], fn, file, res->sensitive, "");
		res->written++;
		/* The afterburner names the function by the last label it saw;
		 * with aliases the ELF cannot tell which: a rule for each. */
		for (char **a = fn ? s->aliases : NULL; a && *a; a++) {
			if (!writable(*a))
				continue;
			rule(f, &g[i], *a, file, res->sensitive, " (an alias)");
			res->written++;
		}
	}
	free(g);
	if (fflush(f) || ferror(f))
		return prof_fail(err, "afterburn prof rules", 0, "write error");
	return 0;
}
