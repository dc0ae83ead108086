/*
 * The exclusion rules of afterburn verify (docs/verify.md, "Exclusions"):
 * sections and symbols whose uncovered sensitive instructions are listed
 * but excused.
 */
#define _GNU_SOURCE   /* fnmatch */
#include "verify_impl.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/*
 * The built-in exclusions (docs/verify.md): sections whose code never runs
 * where it lies, or is not 32/64-bit code.  Each is an fnmatch pattern on
 * the section name, applied like --exclude-section.
 */
static const struct { const char *type, *pattern; } builtin_exclusions[] = {
	/* Linux alternatives: copied over an original at boot. */
	{ "altinstr", ".altinstr_replacement*" },
	/* 16-bit code.  ELF has no marker for it, so we go by the names
	 * such sections conventionally have. */
	{ "code16", "*text16*" },
	{ "code16", "*code16*" },
	/* Dropped by the linker (afterburn-as does not annotate them). */
	{ "discard", ".discard*" },
	/* Guest user-mode code: runs in the guest's ring 3, never annotated. */
	{ "user", ".user_text" },
	{ "user", ".user_text.*" },
};

#define NBUILTIN (sizeof builtin_exclusions / sizeof builtin_exclusions[0])

static void add_exclusion(struct ab_verify *v, const char *type, const char *pattern, int builtin)
{
	struct ab_exclusion *x = &v->exclusions[v->n_exclusions++];
	x->type = type;
	x->pattern = pattern;
	x->builtin = builtin;
	x->hits = 0;
}

int ab_verify_setup_exclusions(struct ab_verify *v)
{
	const struct ab_verify_opts *o = v->opts;
	v->exclusions = calloc(NBUILTIN + o->n_exclude_sections + o->n_exclude_symbols,
			       sizeof *v->exclusions);
	if (!v->exclusions)
		return -1;
	for (size_t i = 0; i < NBUILTIN; i++)
		add_exclusion(v, builtin_exclusions[i].type, builtin_exclusions[i].pattern, 1);
	for (size_t i = 0; i < o->n_exclude_sections; i++)
		add_exclusion(v, "section", o->exclude_sections[i], 0);
	for (size_t i = 0; i < o->n_exclude_symbols; i++)
		add_exclusion(v, "symbol", o->exclude_symbols[i], 0);
	return 0;
}

/* The first rule that matches: built-in ones come first. */
struct ab_exclusion *ab_verify_section_exclusion(struct ab_verify *v, const char *name)
{
	for (size_t i = 0; i < v->n_exclusions; i++)
		if (strcmp(v->exclusions[i].type, "symbol") != 0 &&
		    fnmatch(v->exclusions[i].pattern, name, 0) == 0)
			return &v->exclusions[i];
	return NULL;
}

static int sym_matches(const struct ab_exclusion *x, const struct ab_sym *s)
{
	return s && !strcmp(x->type, "symbol") && fnmatch(x->pattern, s->name, 0) == 0;
}

/*
 * The rule that excludes an instruction by symbol: it lies in a symbol of
 * that name, either by the symbol's size or, for assembly labels without a
 * size, by being nearest after it.
 */
struct ab_exclusion *ab_verify_symbol_exclusion(struct ab_verify *v, const struct ab_finding *f)
{
	for (size_t i = NBUILTIN; i < v->n_exclusions; i++) {
		struct ab_exclusion *x = &v->exclusions[i];
		if (strcmp(x->type, "symbol") != 0)
			continue;
		if (sym_matches(x, f->sym))
			return x;
		size_t first, n = ab_syms_in_section(&v->syms, f->shndx, &first);
		for (size_t k = first; k < first + n && v->syms.v[k].off <= f->off; k++) {
			const struct ab_sym *s = &v->syms.v[k];
			if (f->off - s->off < s->size && sym_matches(x, s))
				return x;
		}
	}
	return NULL;
}
