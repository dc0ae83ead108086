/*
 * The annotation decision: given the bytes of one instruction the assembler
 * is about to emit, and where it is, decide whether it becomes a site and how
 * long the site is.  Pure C, shared by afterburn-as and its tests; the LLVM
 * layer (mc_bridge.cpp) only asks.
 */
#ifndef AB_ANNOTATE_H
#define AB_ANNOTATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "rules.h"

enum ab_policy {
	AB_POLICY_NONE,     /* assemble only: no sites (a plain build through afterburn-as) */
	AB_POLICY_MINIMAL,  /* the silent class */
	AB_POLICY_FULL,     /* silent and trapping */
};

/* Where an instruction is; any field may be NULL or 0 when unknown. */
struct ab_site_ctx {
	const char *section;    /* ELF section name */
	const char *function;   /* the last global or local code label */
	int in_function_section; /* in that label's section (and subsection): counted for nth= */
	const char *src_file;   /* from .loc/.file (needs -g) */
	unsigned src_line;
	const char *asm_file;   /* the assembly source, for diagnostics */
	unsigned asm_line;
};

struct ab_annotator {
	enum ab_policy policy;
	struct ab_rules *rules;     /* may be NULL */
	FILE *diag;                 /* where notes and warnings go */
	int quiet;                  /* suppress notes */
	/* Counters, for --stats and the tests. */
	unsigned long sites[64];    /* per kind; AB_KIND_COUNT <= 64 */
	unsigned long skipped_excluded_section;
	unsigned long skipped_code16;
	unsigned long data_reports;
	unsigned long instructions;
	/* nth=: per kind, how many instructions of the current function so
	 * far (ab_annotate_function restarts it); only kept when a rule has
	 * nth=. */
	unsigned nth[64];
};

struct ab_site_plan {
	struct ab_insn insn;
	unsigned site_len;
};

/* 1 if instructions in this section are never annotated (and why, in *why). */
int ab_section_excluded(const char *section, const char **why);

/* A non-local code label: a new function starts, and with it the count
 * of nth= (docs/abi/rules.md, "Counting for nth="). */
void ab_annotate_function(struct ab_annotator *a);

/*
 * Decide about the instruction bytes[0..n) (prefixes included).  Returns 1
 * and fills *plan if it becomes a site.
 */
int ab_annotate_insn(struct ab_annotator *a, const uint8_t *bytes, size_t n,
		     enum ab_mode mode, const struct ab_site_ctx *ctx,
		     struct ab_site_plan *plan);

/*
 * Data emitted into an executable section (.byte, .long...).  A sensitive
 * instruction written as data cannot be annotated; report it so that the
 * author knows, and so verify's finding is no surprise.
 */
void ab_annotate_data(struct ab_annotator *a, const uint8_t *bytes, size_t n,
		      enum ab_mode mode, const struct ab_site_ctx *ctx,
		      const unsigned *lines);  /* assembly line of each byte, or NULL */

/* Parse "none", "minimal" or "full"; -1 if unknown. */
int ab_policy_parse(const char *s);
const char *ab_policy_name(enum ab_policy p);

#endif
