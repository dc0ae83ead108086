/*
 * afterburn prof: the trap profiler's library (docs/profiles.md).
 *
 * The one reader of the trap dump (docs/abi/trap-dump.md), the
 * symbolizer (libdw), the hot-spot tables and the rules writer
 * (docs/abi/rules.md).  `afterburn prof`, `afterburn run --profile` and
 * `afterburn feedback` all go through it, so a dump is read one way.
 *
 * The usual sequence, in process:
 *
 *   struct prof_err err;
 *   struct prof_dump d;
 *   if (prof_dump_load("dump.txt", &d, &err))          // strict: any flaw is an error
 *           fail(err.msg);                                // "dump.txt:12: bad count '1x'"
 *   d.by_class[PROF_SENSITIVE];                           // per-class totals
 *   struct prof_symtab *st = prof_symtab_open("vmlinux", &err);
 *   struct prof_sym *syms = prof_symbolize_dump(st, &d);  // one per d.v[i]
 *   struct prof_rules_opts ro = { .dump_name = "dump.txt", .elf_name = "vmlinux" };
 *   struct prof_rules_result rr;
 *   prof_rules_write(f, stderr, &d, syms, &ro, &rr, &err);   // warnings to stderr
 *   prof_syms_free(syms, d.n); prof_symtab_close(st); prof_dump_free(&d);
 *
 * Errors: functions returning int give 0 on success and -1 on error, with
 * the message in a struct prof_err ("FILE:LINE: what" for input errors).
 * Nothing here prints except the report writers, to the FILE given.
 */
#ifndef AB_PROF_H
#define AB_PROF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------------ */
/* Errors                                                              */

struct prof_err {
	char msg[1024];
};

/* ------------------------------------------------------------------ */
/* Trap classes (docs/abi/trap-dump.md, the KIND table)                */

enum prof_class {
	PROF_SENSITIVE,   /* a kind of abi/kinds.def (dev-write/dev-read included) */
	PROF_EXCEPTION,   /* exception:N, handled by the guest */
	PROF_SYSCALL,     /* int:0xN from the guest */
	PROF_IRQ,         /* irq:N delivered by an upcall */
	PROF_HIDDEN_PF,   /* hidden-pf: a shadow fill */
	PROF_HYPERCALL,   /* hypercall:NAME, EIP 0 */
	PROF_UNKNOWN,     /* unknown:N */
	PROF_NCLASSES
};

/* "sensitive", "exception", "syscall", "irq", "hidden-pf", "hypercall", "unknown". */
const char *prof_class_name(enum prof_class c);
/* The class with that name, or -1. */
int prof_class_by_name(const char *name);
/* The class of a kind as the dump spells it, or -1 when the spelling is not
 * one of trap-dump v1's (a kinds.def name, exception:N, int:0xN, irq:N,
 * hidden-pf, hypercall:NAME, unknown:N; numbers canonical, N <= 255). */
int prof_classify(const char *kind);

/* ------------------------------------------------------------------ */
/* The trap dump                                                       */

#define PROF_KIND_MAX 32           /* longest kind spelling + 1 */
#define PROF_LINE_MAX 256          /* longest line inside the block, "\r\n" excluded */

struct prof_entry {
	uint32_t eip;
	char kind[PROF_KIND_MAX];
	enum prof_class cls;
	uint64_t count;
	unsigned line;             /* its line in the input, from 1 */
};

struct prof_dump {
	struct prof_entry *v;      /* in input order */
	size_t n;
	int have_header;           /* a "# entries N lost M" line was seen */
	unsigned long header_entries, lost;
	uint64_t total;            /* sum of all counts */
	uint64_t by_class[PROF_NCLASSES];
	/* Where the block is in the input: bytes [begin, end), the BEGIN line
	 * through the END line and its newline; and their line numbers. */
	size_t begin, end;
	unsigned begin_line, end_line;
	unsigned bad;              /* PROF_DUMP_LENIENT: lines skipped as malformed */
};

/* Flags of prof_dump_parse. */
enum {
	/* What `afterburn run` wants of a console log: only a missing or
	 * incomplete block is an error; malformed or duplicate entry lines are
	 * skipped and counted in bad; a BEGIN of another version is ignored. */
	PROF_DUMP_LENIENT = 1,
};

/* Parse the first dump in buf[0..len) (a whole console log, or the block
 * alone; need not be NUL-terminated).  name is used in error messages.
 * Strict unless PROF_DUMP_LENIENT: every flaw inside the block is an error
 * "name:LINE: ..." (bad hex, bad count, unknown kind spelling, duplicate
 * (eip, kind), overlong line, NUL byte, a header that disagrees with the
 * entries), as are no BEGIN, a BEGIN of another version and a missing END.
 * Text outside the block is not looked at beyond finding the markers.
 * On error *d is empty (safe to prof_dump_free). */
int prof_dump_parse(const char *buf, size_t len, const char *name, unsigned flags,
		    struct prof_dump *d, struct prof_err *err);
/* Read a file and prof_dump_parse it, strictly. */
int prof_dump_load(const char *path, struct prof_dump *d, struct prof_err *err);
void prof_dump_free(struct prof_dump *d);

/* Totals per kind: sorted by count (descending), then by name. */
struct prof_kind_total {
	char kind[PROF_KIND_MAX];
	enum prof_class cls;
	uint64_t count;
	size_t sites;              /* entries (distinct eips) of that kind */
};
/* *out gets a malloc'd array (free it); returns its length, or -1 (out of memory). */
long prof_kind_totals(const struct prof_dump *d, struct prof_kind_total **out);

/* ------------------------------------------------------------------ */
/* Symbolization (libdw)                                               */

struct prof_symtab;            /* one ELF, its symbols and DWARF */

/* One level of the inline chain, as `addr2line -f -i` prints it. */
struct prof_frame {
	char *function;            /* DWARF name; NULL if unknown */
	char *file;                /* as DWARF gives it (joined with the CU's directory) */
	unsigned line;             /* 0 if unknown */
};

struct prof_sym {
	/* The ELF code label at or before the address in its section: what
	 * the afterburner calls the function (the last non-local label before
	 * the instruction), so what a rule's function= matches.  NULL if the
	 * address is in no executable section or has no label before it. */
	char *function;
	/* Other labels at the same address and of the same type (aliases),
	 * each of which the afterburner may have seen last; NULL-terminated,
	 * NULL if none, or if DWARF names one of them as the function (the
	 * others are then `.set` aliases, never labels to the assembler). */
	char **aliases;
	/* The innermost DWARF subprogram or inlined_subroutine, when its name
	 * is not function's (an inlined callee, or a label of assembly inside
	 * a C function); NULL too for foo when function is foo.isra.0 and the
	 * like, which are only GCC's names for clones of foo. */
	char *inlined;
	char *file;                /* innermost source position: the line table's, */
	unsigned line;             /* as addr2line prints it first; NULL/0 if none */
	char *comp_dir;            /* the CU's compilation directory, or NULL */
	/* file shortened for rules' file= (a path suffix): relative to comp_dir
	 * without "." or ".." components; NULL when there is no file. */
	char *rule_file;
	char *source;              /* the text of file:line, trimmed, valid UTF-8; or NULL */
	struct prof_frame *frames; /* innermost first; nframes 0 without DWARF */
	size_t nframes;
	/* prof_symbolize_dump, for a sensitive entry: the instruction is the
	 * nth of its kind in function (prof_nth), what a rule's nth= names;
	 * 0 when not known. */
	unsigned nth;
};

/* Open an ELF (ET_EXEC or ET_DYN; DWARF optional).  NULL on error. */
struct prof_symtab *prof_symtab_open(const char *path, struct prof_err *err);
void prof_symtab_close(struct prof_symtab *st);
/* Fill *s for one address as the ELF links it (a dump's EIP; libdwfl's
 * placement of an ET_DYN is undone); all fields NULL/0 where unknown.  -1
 * only when out of memory. */
int prof_symbolize(struct prof_symtab *st, uint64_t addr, struct prof_sym *s);
void prof_sym_free(struct prof_sym *s);
/* The rule selector nth= (docs/abi/rules.md) of the instruction at addr
 * (as the ELF links it) for kind (an enum ab_kind, abi/kinds.h): *nth = N
 * when it is the N-th instruction of that kind from its function's label
 * (prof_sym.function) in the label's section, counting from 1 in assembly
 * order, annotated or not; the kind as afterburn-as tells it (ab_decode,
 * and for the context kinds the memory movs of their direction,
 * ab_memop_decode).  Found by a linear sweep from the label (capstone);
 * *nth = 0 when it cannot be trusted: no label, bytes that do not decode,
 * a sweep that does not land on addr, an instruction at addr not of kind,
 * an ELF that is not i386.  -1 only when out of memory. */
int prof_nth(struct prof_symtab *st, uint64_t addr, unsigned kind, unsigned *nth);
/* prof_symbolize for every entry of d (eip 0 stays empty), with nth for
 * the sensitive ones: an array of d->n (NULL if out of memory), freed
 * with prof_syms_free. */
struct prof_sym *prof_symbolize_dump(struct prof_symtab *st, const struct prof_dump *d);
void prof_syms_free(struct prof_sym *syms, size_t n);

/* ------------------------------------------------------------------ */
/* Hot spots                                                           */

enum prof_by { PROF_BY_SITE, PROF_BY_FUNCTION, PROF_BY_KIND };

/* One line of a hot-spot table: an entry (by site) or a group of them. */
struct prof_row {
	uint64_t count;
	double share;              /* percent of the table's total */
	size_t sites;              /* entries in the row */
	const struct prof_entry *top;   /* its hottest entry */
	const struct prof_sym *sym;     /* that entry's symbols, or NULL */
	char kinds[96];            /* by function: its kinds, hottest first, "a,b,..." */
	int mixed_class;           /* by function: entries of several classes */
};

struct prof_table {
	enum prof_by by;
	int sensitive_only;        /* rows of the sensitive class only */
	uint64_t total;            /* what share is a percentage of */
	size_t nall;               /* rows before the top-N cut */
	struct prof_row *v;        /* hottest first; ties by kind, function, eip */
	size_t n;
};

/* Group d's entries (syms may be NULL) into rows; top 0 keeps them all.
 * The table points into d and syms.  -1 when out of memory. */
int prof_table_make(const struct prof_dump *d, const struct prof_sym *syms, enum prof_by by,
		    int sensitive_only, size_t top, struct prof_table *t);
void prof_table_free(struct prof_table *t);
/* A row's function for display: the label, else the DWARF name, else NULL. */
const char *prof_row_function(const struct prof_row *r);

/* ------------------------------------------------------------------ */
/* Reports                                                             */

struct prof_report_ctx {
	const char *dump_name, *elf_name;   /* for titles; elf_name may be NULL */
	const struct prof_dump *d;
	const struct prof_sym *syms;        /* may be NULL */
	int sensitive_only;
	size_t top;
};

/* The per-class summary, the # lost warning and the table, as text. */
void prof_report_text(FILE *f, const struct prof_report_ctx *c, const struct prof_table *t);
/* The same as one JSON object (docs/profiles.md has the schema). */
void prof_report_json(FILE *f, const struct prof_report_ctx *c, const struct prof_table *t);
/* A standalone SVG: bars of the hot spots by function and by kind.  -1
 * when out of memory. */
int prof_report_svg(FILE *f, const struct prof_report_ctx *c);
/* An HTML page: the SVG and the table. */
int prof_report_html(FILE *f, const struct prof_report_ctx *c, const struct prof_table *t);

/* ------------------------------------------------------------------ */
/* Rules (docs/abi/rules.md, v1)                                       */

struct prof_rules_opts {
	/* Which sites (sensitive entries) get rules, hottest first: */
	size_t top;                /* the N hottest; 0: see below */
	double min_share;          /* > 0: those with at least this % of sensitive traps */
	/* Neither: the fewest hottest sites covering >= 95% of sensitive traps. */
	const char *policy;        /* NULL, or a "policy P" line (none|minimal|full) */
	const char *dump_name, *elf_name;   /* named in the header comment */
};

struct prof_rules_result {
	size_t sites;              /* sensitive entries of the dump */
	size_t groups;             /* their (kind, function, file, line) groups */
	size_t selected;           /* sites selected */
	size_t nth_rules;          /* rules for one site (nth=) */
	size_t group_rules;        /* rules for a whole group: a selected site of it had no nth */
	size_t written;            /* rule lines (a group rule with aliases gives several) */
	size_t skipped;            /* selected sites with neither function nor file:line */
	uint64_t sensitive;        /* sensitive traps in the dump */
	uint64_t covered;          /* traps of the sites the rules match */
};

/* Write a rules file for d's sensitive entries (syms: prof_symbolize_dump):
 * one rule per selected site, `kind=K function=F nth=N file=P:L`, or for a
 * site without an nth one rule for its (kind, function, file:line) group.
 * Deterministic: the same inputs give the same bytes.  Skipped sites are
 * warned about on warn (may be NULL).  -1 on a write error or out of memory. */
int prof_rules_write(FILE *f, FILE *warn, const struct prof_dump *d, const struct prof_sym *syms,
		     const struct prof_rules_opts *o, struct prof_rules_result *res,
		     struct prof_err *err);

/* ------------------------------------------------------------------ */
/* The command                                                         */

/* afterburn prof report|rules ... (argv[0] is "prof"); the exit status. */
int ab_prof_main(int argc, char **argv);

#endif
