/*
 * Rewrite rules, format v1 (docs/abi/rules.md): lines that select
 * instructions by kind, function, source file:line, section or position
 * in the function (nth=) and annotate them, exclude them, or annotate them
 * with room for an inline replacement (emit-inline).  A rule may also name
 * a context kind (dev-write, dev-read): it then makes the plain memory movs
 * it selects sites.
 * Written by `afterburn prof rules`, read by afterburn-as.
 */
#ifndef AB_RULES_H
#define AB_RULES_H

#include <stddef.h>

enum ab_rule_action {
	AB_RULE_ANNOTATE,           /* make it a site of its kind's site_len */
	AB_RULE_EXCLUDE,            /* never a site */
	AB_RULE_EMIT_INLINE,        /* a site long enough for the kind's inline form (abi/inline.h) */
};

struct ab_rule {
	enum ab_rule_action action;
	unsigned long long kinds;   /* bit per kind; 0 = any kind but the context kinds */
	char *function;             /* glob, or NULL */
	char *file;                 /* suffix match on the source path, or NULL */
	unsigned line;              /* 0 = any line */
	char *section;              /* glob, or NULL */
	unsigned nth;               /* the nth instruction of its kind in its function; 0 = any */
	unsigned src_line;          /* line in the rules file, for reports */
	unsigned long hits;
};

struct ab_rules {
	char *path;
	int base_policy;            /* -1 if the file does not set one */
	int has_context;            /* some rule names a context kind: look at memory movs */
	int has_nth;                /* some rule has nth=: count the instructions per function */
	struct ab_rule *v;
	size_t n;
};

struct ab_site_ctx;

/* Parse a rules file.  On error returns NULL and writes "path:line: msg" to err. */
struct ab_rules *ab_rules_load(const char *path, char *err, size_t errlen);
struct ab_rules *ab_rules_parse(const char *text, size_t len, const char *path,
				char *err, size_t errlen);
void ab_rules_free(struct ab_rules *r);

/* The last rule that matches an instruction of this kind, or NULL.  A
 * rule without kind= never matches a context kind: those are only ever
 * selected by name.  nth is the instruction's position among the
 * instructions of its kind in its function (annotate.c counts them), 0 if
 * it has none (not in the function's section): then no nth= rule matches. */
struct ab_rule *ab_rules_match(struct ab_rules *r, unsigned kind, const struct ab_site_ctx *ctx,
			       unsigned nth);

#endif
