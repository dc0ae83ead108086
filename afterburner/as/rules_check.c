/*
 * The checks of a whole rule, once all its selectors are read
 * (docs/abi/rules.md, "Errors"): what makes sense for the context kinds,
 * what emit-inline needs, and what nth= counts in.  Separate from the
 * parser, which only knows the syntax of one word at a time.
 */
#include "rules_check.h"

#include <stdio.h>
#include <string.h>

#include "inline.h"
#include "kinds.h"

unsigned long long ab_context_kinds(void)
{
	unsigned long long m = 0;
	for (unsigned k = 1; k < AB_KIND_COUNT; k++)
		if (ab_kinds[k].cls == AB_CLASS_CONTEXT)
			m |= 1ull << k;
	return m;
}

/* The first kind in the set, for messages. */
static const char *first_kind(unsigned long long set)
{
	for (unsigned k = 1; k < AB_KIND_COUNT; k++)
		if ((set >> k) & 1)
			return ab_kinds[k].name;
	return "?";
}

/* "cli, mov-from-cr": the kinds that have an inline form. */
static void inline_kinds(char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = 0;
	for (unsigned k = 1; k < AB_KIND_COUNT && at < len; k++) {
		if (!ab_kind_inline_len(k))
			continue;
		int w = snprintf(buf + at, len - at, "%s%s", at ? ", " : "", ab_kinds[k].name);
		if (w < 0)
			break;
		at += (size_t)w;
	}
}

int ab_rule_check(const struct ab_rule *x, char *msg, size_t len)
{
	unsigned long long ctx = x->kinds & ab_context_kinds(), other = x->kinds & ~ab_context_kinds();
	char kinds[160];

	if (ctx && other) {
		snprintf(msg, len, "context kind '%s' cannot share a kind= list with '%s': "
			 "write one rule for each", first_kind(ctx), first_kind(other));
		return -1;
	}
	/* A memory mov is never a site unless a rule names it, so there is
	 * nothing for exclude to undo. */
	if (ctx && x->action == AB_RULE_EXCLUDE) {
		snprintf(msg, len, "'exclude' with context kind '%s' means nothing: "
			 "only annotate rules make memory accesses sites", first_kind(ctx));
		return -1;
	}
	/* Without them the rule would make every mov of the kind's
	 * direction in a section a site. */
	if (ctx && !x->function && !x->file) {
		snprintf(msg, len, "a rule for context kind '%s' needs a function= or file= selector",
			 first_kind(ctx));
		return -1;
	}
	/* nth= counts the instructions of one kind in one function: with a
	 * glob or several kinds there would be several counts, and which one
	 * N indexes would be a guess. */
	if (x->nth && !x->function) {
		snprintf(msg, len, "'nth=' needs a function= selector: it counts within one function");
		return -1;
	}
	if (x->nth && strpbrk(x->function, "*?[")) {
		snprintf(msg, len, "'nth=' needs function= to name one function, not the glob '%s'",
			 x->function);
		return -1;
	}
	if (x->nth && (!x->kinds || (x->kinds & (x->kinds - 1)))) {
		snprintf(msg, len, "'nth=' needs exactly one kind in kind=: it counts the instructions "
			 "of that kind");
		return -1;
	}
	if (x->action == AB_RULE_EMIT_INLINE) {
		inline_kinds(kinds, sizeof kinds);
		if (!x->kinds) {
			snprintf(msg, len, "'emit-inline' needs kind= (kinds with an inline form: %s)", kinds);
			return -1;
		}
		for (unsigned k = 1; k < AB_KIND_COUNT; k++)
			if (((x->kinds >> k) & 1) && !ab_kind_inline_len(k)) {
				snprintf(msg, len, "kind '%s' has no inline form for 'emit-inline' "
					 "(kinds with one: %s)", ab_kinds[k].name, kinds);
				return -1;
			}
	}
	return 0;
}
