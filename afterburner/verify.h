/*
 * afterburn verify: check an ELF's sensitive instructions against its
 * .afterburn site records (docs/verify.md).  Host tool.
 *
 * ab_verify_run() does the analysis and fills a struct ab_verify; the
 * report functions print it; ab_verify_main() is the command line.
 */
#ifndef AB_VERIFY_H
#define AB_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "elfimage.h"
#include "elfsites.h"
#include "elfsyms.h"
#include "kinds.h"

enum { AB_VERIFY_OK = 0, AB_VERIFY_FAIL = 1, AB_VERIFY_ERROR = 2 };

struct ab_verify_opts {
	const char *path;
	const char *const *exclude_symbols;   /* fnmatch(3) patterns */
	size_t n_exclude_symbols;
	const char *const *exclude_sections;  /* fnmatch(3) patterns */
	size_t n_exclude_sections;
};

/* One exclusion rule and how often it applied. */
struct ab_exclusion {
	const char *type;       /* "altinstr", "code16", "discard", "section" or "symbol" */
	const char *pattern;    /* what it matches */
	int builtin;            /* 1 for the built-in rules, 0 for options */
	size_t hits;            /* sensitive instructions it excused */
};

/* A sensitive instruction that no site covers. */
struct ab_finding {
	uint8_t kind;                  /* enum ab_kind */
	uint8_t cls;                   /* enum ab_class */
	size_t shndx;
	uint64_t off, addr;
	const struct ab_sym *sym;      /* nearest preceding symbol, or NULL */
	struct ab_exclusion *excluded; /* the rule that excuses it, or NULL */
	char text[64];                 /* the instruction as capstone prints it */
};

/* A site record that is wrong.  One site can have several. */
struct ab_bad_site {
	size_t site;            /* index in sites.v */
	const char *reason;     /* stable tag, see docs/verify.md */
	char detail[128];
};

struct ab_verify_totals {
	size_t code_sections;
	uint64_t code_bytes;
	size_t instructions;    /* decoded by the linear sweep */
	size_t sensitive;       /* of which ab_decode classified sensitive */
	size_t covered;         /* of which a site starts at */
	size_t uncovered;       /* not covered and not excluded */
	size_t by_class[AB_CLASS_CONTEXT + 1]; /* uncovered, by enum ab_class (never context: the
				  sweep finds only what ab_decode calls sensitive) */
	size_t excluded;        /* not covered, but excused */
	size_t skipped_bytes;   /* bytes capstone could not decode */
	size_t resyncs;         /* instructions that ran over a known start */
	size_t length_mismatches; /* capstone and ab_decode disagreed on a length */
	size_t sites_unknown_kind;
	size_t bad_sites;       /* distinct sites with at least one problem */
};

struct ab_verify {
	const struct ab_verify_opts *opts;
	struct ab_elf img;
	struct ab_syms syms;
	struct ab_elf_sites sites;
	size_t sites_per_kind[AB_KIND_COUNT];
	struct ab_verify_totals totals;

	struct ab_finding *uncovered, *excluded;
	size_t n_uncovered, n_excluded;
	struct ab_bad_site *bad;
	size_t n_bad;
	struct ab_exclusion *exclusions;
	size_t n_exclusions;

	/* working state */
	size_t cap_uncovered, cap_excluded, cap_bad;
	size_t *order;          /* indices of placed sites, by (shndx, off) */
	size_t n_order;
	uint8_t *site_bad;      /* per site: 1 if any check failed */
};

/* Run the analysis.  0 on success, -1 with err on an input error. */
int ab_verify_run(struct ab_verify *v, const struct ab_verify_opts *opts, char *err, size_t errlen);
void ab_verify_free(struct ab_verify *v);

/* AB_VERIFY_OK or AB_VERIFY_FAIL for a finished run. */
int ab_verify_status(const struct ab_verify *v);

/* verify_report.c */
void ab_verify_print_text(FILE *f, const struct ab_verify *v, int quiet);
void ab_verify_print_json(FILE *f, const struct ab_verify *v);

/* verify_cmd.c: `afterburn verify ARGS`; returns the exit status. */
int ab_verify_main(int argc, char **argv);

#endif
