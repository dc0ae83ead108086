/*
 * `afterburn prof rules`: a rules file (docs/abi/rules.md, v1) from a
 * profile.  Only sensitive-instruction traps become rules: they are what
 * annotating removes.  The hottest sites are selected (rules_select.c) and
 * each becomes the most precise rule that still matches on rebuild:
 * function= is the ELF label the afterburner also sees (symtab.c), nth=
 * which instruction of the kind in it (nth.c), file= a suffix of the .loc
 * path; so one rule annotates one instruction.  A site with no nth gets a
 * rule for its (kind, function, file:line) group instead, as precise as
 * the ELF allows.  The action is emit-inline for kinds with an inline
 * form, else annotate.  The output is deterministic: no date, sites in a
 * total order.
 */
#include <stdlib.h>
#include <string.h>

#include "inline.h"
#include "kinds.h"
#include "prof_impl.h"

/* A name or path can go into a rule: one word, no comment. */
static int writable(const char *s)
{
	return s && *s && !strpbrk(s, " \t\r\n#");
}

/* A site gets a rule of its own: its nth is known, and its function can
 * be named exactly (a rule with nth= wants a function= without glob
 * characters, which an escaped name would have). */
static int by_nth(const struct prof_rsite *s)
{
	return s->s->nth && writable(s->s->function) && !strpbrk(s->s->function, "*?[]\\");
}

/* A group rule can name its instructions by function or by file:line. */
static int nameable(const struct prof_rgroup *g)
{
	return writable(g->s->function) || (writable(g->s->rule_file) && g->s->line);
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

static double pct(uint64_t n, uint64_t total)
{
	return total ? 100.0 * (double)n / (double)total : 0.0;
}

/* "emit-inline kind=K" or "annotate kind=K": a kind with an inline
 * replacement (abi/inline.h) gets emit-inline, so that afterburn-as pads
 * the site to fit it and the loader writes it in place of a call into the
 * wedge. */
static void action(FILE *f, const char *kind)
{
	int inl = ab_kind_inline_len(ab_kind_by_name(kind)) > 0;
	fprintf(f, "%s kind=%s", inl ? "emit-inline" : "annotate", kind);
}

static void site_rule(FILE *f, const struct prof_rsite *s, uint64_t total)
{
	action(f, s->e->kind);
	fprintf(f, " function=%s nth=%u", s->s->function, s->s->nth);
	/* file= too: if the source moved, the rule matches nothing and
	 * afterburn-as (--afterburn-stats, the rules log) says so, rather
	 * than annotating whatever is now the nth instruction. */
	if (writable(s->s->rule_file) && s->s->line)
		fprintf(f, " file=%s:%u", s->s->rule_file, s->s->line);
	fprintf(f, "  # %llu traps (%.1f%%)\n", (unsigned long long)s->e->count, pct(s->e->count, total));
}

static void group_rule(FILE *f, const struct prof_rgroup *g, const char *fn, uint64_t total,
		       const char *note)
{
	action(f, g->e->kind);
	if (fn) {
		fputs(" function=", f);
		glob_lit(f, fn);
	}
	if (writable(g->s->rule_file) && g->s->line)
		fprintf(f, " file=%s:%u", g->s->rule_file, g->s->line);
	fprintf(f, "  # %llu traps (%.1f%%)", (unsigned long long)g->count, pct(g->count, total));
	if (g->sites > 1)
		fprintf(f, ", %zu sites", g->sites);
	fprintf(f, "; no nth: every instruction of the group%s\n", note);
}

/* The rules for a group: one, and one per alias the ELF cannot settle
 * (the afterburner named the function by the last label it saw, which
 * may have been any of them). */
static void group_rules(FILE *f, const struct prof_rgroup *g, struct prof_rules_result *res)
{
	const char *fn = writable(g->s->function) ? g->s->function : NULL;
	group_rule(f, g, fn, res->sensitive, "");
	res->written++;
	for (char **a = fn ? g->s->aliases : NULL; a && *a; a++) {
		if (!writable(*a))
			continue;
		group_rule(f, g, *a, res->sensitive, " (an alias)");
		res->written++;
	}
}

static void header(FILE *f, const struct prof_dump *d, const struct prof_rules_opts *o,
		   const struct prof_rules_result *res)
{
	fprintf(f, "afterburn-rules 1\n"
		"# Written by afterburn prof rules (docs/profiles.md) from the trap dump\n# ");
	comment_str(f, o->dump_name);
	fputs(" of ", f);
	comment_str(f, o->elf_name);
	fprintf(f, ".\n# Sensitive-instruction traps: %llu of %llu, lost %lu; %zu sites in %zu groups "
		"(kind, function, file:line).\n# Selected: %zu sites, ", (unsigned long long)res->sensitive,
		(unsigned long long)d->total, d->lost, res->sites, res->groups, res->selected);
	if (o->top)
		fprintf(f, "the %zu hottest", o->top);
	else if (o->min_share > 0)
		fprintf(f, "those with at least %g%% of the traps", o->min_share);
	else
		fprintf(f, "the fewest covering %g%% of the traps", prof_rules_cover());
	fprintf(f, ".\n# Rules: %zu for one site each (nth=), %zu for a whole group (a site with no "
		"nth);\n# they cover %llu traps (%.1f%%).\n", res->nth_rules, res->group_rules,
		(unsigned long long)res->covered, pct(res->covered, res->sensitive));
	if (o->policy)
		fprintf(f, "policy %s\n", o->policy);
}

int prof_rules_write(FILE *f, FILE *warn, const struct prof_dump *d, const struct prof_sym *syms,
		     const struct prof_rules_opts *o, struct prof_rules_result *res,
		     struct prof_err *err)
{
	memset(res, 0, sizeof *res);
	struct prof_rsel sel;
	if (prof_rules_select(d, syms, o, &sel))
		return prof_fail(err, "afterburn prof rules", 0, "out of memory");
	res->sites = sel.nsites;
	res->groups = sel.ngroups;
	res->selected = sel.selected;
	res->sensitive = sel.sensitive;

	/* A group with a selected site that has no nth gets a group rule,
	 * which matches its other sites too: they get no rules of their own,
	 * which would never decide (the rules log would call them unmatched). */
	for (size_t i = 0; i < sel.selected; i++)
		if (!by_nth(&sel.site[i]))
			sel.group[sel.site[i].group].whole = 1;
	for (size_t i = 0; i < sel.ngroups; i++)
		if (sel.group[i].whole && nameable(&sel.group[i])) {
			res->group_rules++;
			res->covered += sel.group[i].count;
		}
	for (size_t i = 0; i < sel.selected; i++) {
		const struct prof_rsite *s = &sel.site[i];
		if (!sel.group[s->group].whole) {
			res->nth_rules++;
			res->covered += s->e->count;
		} else if (!nameable(&sel.group[s->group])) {
			res->skipped++;
		}
	}

	header(f, d, o, res);
	for (size_t i = 0; i < sel.selected; i++) {
		const struct prof_rsite *s = &sel.site[i];
		struct prof_rgroup *g = &sel.group[s->group];
		if (!g->whole) {
			site_rule(f, s, res->sensitive);
			res->written++;
		} else if (!nameable(g)) {
			if (warn)
				fprintf(warn, "afterburn prof rules: warning: %llu %s traps at 0x%08x (%s:%u): "
					"no function or source line to name them by: no rule\n",
					(unsigned long long)s->e->count, s->e->kind, s->e->eip,
					o->dump_name ? o->dump_name : "?", s->e->line);
		} else if (!g->done) {
			group_rules(f, g, res);
			g->done = 1;
		}
	}
	prof_rsel_free(&sel);
	if (fflush(f) || ferror(f))
		return prof_fail(err, "afterburn prof rules", 0, "write error");
	return 0;
}
