/*
 * Internals of the profiler library shared between its files; not part
 * of the API (prof.h).
 */
#ifndef AB_PROF_IMPL_H
#define AB_PROF_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "prof.h"

/* err->msg = "name:line: ..." (or "name: ..." for line 0); returns -1. */
int prof_fail(struct prof_err *err, const char *name, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* p[0..n) made printable and cut at 40 bytes, for quoting bad input. */
void prof_quote(char *out, size_t cap, const char *p, size_t n);

/* One "0xEIP KIND COUNT" line (without "\r\n"): 0, or -1 with why in msg. */
int prof_parse_entry(const char *p, size_t n, struct prof_entry *e, char *msg, size_t cap);
/* After the scan: duplicates (an error, or dropped when lenient) and totals. */
int prof_dump_check(struct prof_dump *d, const char *name, unsigned flags, struct prof_err *err);

/* report_text.c: a row's "path:line" (the short path) or "?"; its
 * function as "label [inlined]" or "?". */
void prof_row_where(const struct prof_row *r, char *buf, size_t cap);
void prof_row_fn(const struct prof_row *r, char *buf, size_t cap);
/* The rows' header for a table: what it holds and how many it left out. */
void prof_table_title(const struct prof_table *t, char *buf, size_t cap);

/* rules_select.c: the sensitive entries (sites) of a dump for the rules
 * writer, their groups, and the selection. */
struct prof_rsite {
	const struct prof_entry *e;
	const struct prof_sym *s;
	size_t group;              /* its group, an index of prof_rsel.group */
};
struct prof_rgroup {
	const struct prof_entry *e;     /* the group's hottest entry */
	const struct prof_sym *s;
	uint64_t count;
	size_t sites;
	int whole;                 /* a selected site of it has no nth: one rule for the group */
	int done;                  /* that rule is written */
};
struct prof_rsel {
	struct prof_rsite *site;   /* hottest first; ties by kind, function, file:line, eip */
	size_t nsites;
	size_t selected;           /* site[0..selected) is the selection */
	struct prof_rgroup *group; /* by kind, function, file:line */
	size_t ngroups;
	uint64_t sensitive;        /* traps of all sites */
};
/* -1 when out of memory (*sel is then empty). */
int prof_rules_select(const struct prof_dump *d, const struct prof_sym *syms,
		      const struct prof_rules_opts *o, struct prof_rsel *sel);
void prof_rsel_free(struct prof_rsel *sel);
/* The share of the sensitive traps selected by default, in percent. */
double prof_rules_cover(void);

/* report_svg.c: the SVG picture; standalone adds the XML declaration.
 * -1 when out of memory. */
int prof_svg(FILE *f, const struct prof_report_ctx *c, int standalone);

/* escape.c: s (any bytes; NULL prints null / nothing) as a JSON string
 * literal, or as XML character data; invalid UTF-8 and control characters
 * never reach the output. */
void prof_json_str(FILE *f, const char *s);
void prof_xml_str(FILE *f, const char *s);
/* s cut to at most max bytes, whitespace trimmed, control characters and
 * invalid UTF-8 replaced by '?', in place. */
void prof_clean_text(char *s, size_t max);
/* Bytes of the valid UTF-8 character at s (1-4), or 0. */
size_t prof_utf8_len(const unsigned char *s);

#endif
