/*
 * Rewrite rules, format v1 (docs/abi/rules.md): lines that select
 * instructions by kind, function, source file:line or section and annotate
 * or exclude them.  Written by `afterburn prof rules`, read by afterburn-as.
 */
#ifndef AB_RULES_H
#define AB_RULES_H

#include <stddef.h>

enum ab_rule_action { AB_RULE_ANNOTATE, AB_RULE_EXCLUDE };

struct ab_rule {
	enum ab_rule_action action;
	unsigned long long kinds;   /* bit per kind; 0 = any kind */
	char *function;             /* glob, or NULL */
	char *file;                 /* suffix match on the source path, or NULL */
	unsigned line;              /* 0 = any line */
	char *section;              /* glob, or NULL */
	unsigned src_line;          /* line in the rules file, for reports */
	unsigned long hits;
};

struct ab_rules {
	char *path;
	int base_policy;            /* -1 if the file does not set one */
	struct ab_rule *v;
	size_t n;
};

struct ab_site_ctx;

/* Parse a rules file.  On error returns NULL and writes "path:line: msg" to err. */
struct ab_rules *ab_rules_load(const char *path, char *err, size_t errlen);
struct ab_rules *ab_rules_parse(const char *text, size_t len, const char *path,
				char *err, size_t errlen);
void ab_rules_free(struct ab_rules *r);

/* The last rule that matches, or NULL. */
struct ab_rule *ab_rules_match(struct ab_rules *r, unsigned kind, const struct ab_site_ctx *ctx);

#endif
