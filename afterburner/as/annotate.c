/*
 * The annotation decision.  Policy first (minimal: silent kinds, full:
 * silent and trapping), then the rules, in file order, last match wins.
 * Context kinds (plain memory movs, abi/memop.h) are sites only when a rule
 * names them.
 */
#include "annotate.h"

#include <string.h>

#include "inline.h"
#include "kinds.h"
#include "memop.h"
#include "site.h"

_Static_assert(AB_KIND_COUNT <= 64, "kind bitsets and counters hold 64 kinds");

int ab_policy_parse(const char *s)
{
	if (!strcmp(s, "none")) return AB_POLICY_NONE;
	if (!strcmp(s, "minimal")) return AB_POLICY_MINIMAL;
	if (!strcmp(s, "full")) return AB_POLICY_FULL;
	return -1;
}

const char *ab_policy_name(enum ab_policy p)
{
	switch (p) {
	case AB_POLICY_NONE: return "none";
	case AB_POLICY_MINIMAL: return "minimal";
	case AB_POLICY_FULL: return "full";
	}
	return "?";
}

/*
 * Linux copies .altinstr_replacement code over an original instruction at
 * boot; a record would point at the copy source, which never runs in place.
 * .discard sections are dropped by the linker, and a record pointing into
 * one would be a reference to a discarded section.
 * .user_text sections hold code a guest runs in its own ring 3: there it
 * must see the hardware's ring-3 behaviour, never the wedge, so it is not
 * annotated (docs/afterburner.md, "Guest user-mode code").
 */
int ab_section_excluded(const char *section, const char **why)
{
	if (!section)
		return 0;
	if (!strncmp(section, ".altinstr_replacement", 21)) {
		if (why) *why = "alternative replacement, copied over the original at boot";
		return 1;
	}
	if (!strncmp(section, ".discard", 8)) {
		if (why) *why = "discarded at link time";
		return 1;
	}
	if (!strncmp(section, AB_USER_TEXT_SECTION, sizeof AB_USER_TEXT_SECTION - 1) &&
	    (!section[sizeof AB_USER_TEXT_SECTION - 1] || section[sizeof AB_USER_TEXT_SECTION - 1] == '.')) {
		if (why) *why = "guest user-mode code (.user_text), runs in the guest's ring 3";
		return 1;
	}
	return 0;
}

static int policy_selects(enum ab_policy p, unsigned cls)
{
	switch (p) {
	case AB_POLICY_NONE: return 0;
	case AB_POLICY_MINIMAL: return cls == AB_CLASS_SILENT;
	case AB_POLICY_FULL: return cls == AB_CLASS_SILENT || cls == AB_CLASS_TRAPPING;
	}
	return 0;
}

void ab_annotate_function(struct ab_annotator *a)
{
	if (a->rules && a->rules->has_nth)
		memset(a->nth, 0, sizeof a->nth);
}

/*
 * The position of this instruction among the instructions of its kind in
 * its function, for nth= rules; 0 when it has none.  Counted before any
 * decision (excluded section, policy, rules), so that the count depends
 * only on the code: the same count afterburn prof makes on the linked ELF.
 * Instructions outside the function label's section (.pushsection code)
 * are not counted.  Nothing to count unless a rule has nth=.
 */
static unsigned count_nth(struct ab_annotator *a, unsigned kind, const struct ab_site_ctx *ctx)
{
	if (!a->rules || !a->rules->has_nth || !ctx || !ctx->in_function_section || kind >= 64)
		return 0;
	return ++a->nth[kind];
}

static void where(FILE *f, const struct ab_site_ctx *ctx)
{
	if (ctx && ctx->asm_file)
		fprintf(f, "%s:%u: ", ctx->asm_file, ctx->asm_line);
	else
		fprintf(f, "afterburn-as: ");
}

/*
 * An instruction that is no sensitive instruction may still be a site of a
 * context kind, if it is a plain memory mov and a rule names it with the
 * kind of its direction (dev-write for a store, dev-read for a load).  Of
 * several context kinds that fit, the rule later in the file decides.
 */
static int annotate_memop(struct ab_annotator *a, const uint8_t *bytes, size_t n,
			  enum ab_mode mode, const struct ab_site_ctx *ctx,
			  struct ab_site_plan *plan)
{
	struct ab_memop m;
	if (ab_memop_decode(bytes, n, mode, &m) != n)
		return 0;
	int excluded = ab_section_excluded(ctx ? ctx->section : NULL, NULL);
	struct ab_rule *best = NULL;
	unsigned kind = AB_KIND_NONE;
	for (unsigned k = 1; k < AB_KIND_COUNT; k++) {
		if (ab_kinds[k].cls != AB_CLASS_CONTEXT || !ab_memop_matches(k, &m))
			continue;
		unsigned nth = count_nth(a, k, ctx);    /* even where nothing is annotated */
		if (excluded)
			continue;
		struct ab_rule *r = ab_rules_match(a->rules, k, ctx, nth);
		if (r && (!best || r > best)) {
			best = r;
			kind = k;
		}
	}
	if (!best)
		return 0;
	best->hits++;       /* rules_check.c: only annotate rules name context kinds */
	ab_memop_insn(&m, kind, &plan->insn);
	plan->site_len = ab_kinds[kind].site_len > m.len ? ab_kinds[kind].site_len : m.len;
	a->sites[kind]++;
	return 1;
}

int ab_annotate_insn(struct ab_annotator *a, const uint8_t *bytes, size_t n,
		     enum ab_mode mode, const struct ab_site_ctx *ctx,
		     struct ab_site_plan *plan)
{
	struct ab_insn in;

	a->instructions++;
	if (!ab_decode(bytes, n, mode, &in))
		/* Only rules naming a context kind look further: the usual
		 * build pays nothing for them. */
		return a->rules && a->rules->has_context ? annotate_memop(a, bytes, n, mode, ctx, plan) : 0;
	unsigned nth = count_nth(a, in.kind, ctx);
	if (in.len != n) {
		/* The encoder and our decoder disagree on where the instruction
		 * ends; padding it would risk changing it.  Say so loudly. */
		where(a->diag, ctx);
		fprintf(a->diag, "warning: %s: decoded %u of %zu bytes; not annotated\n",
			ab_kinds[in.kind].name, in.len, n);
		return 0;
	}
	const char *why;
	if (ab_section_excluded(ctx ? ctx->section : NULL, &why)) {
		a->skipped_excluded_section++;
		if (!a->quiet) {
			where(a->diag, ctx);
			fprintf(a->diag, "note: %s in %s left unannotated (%s)\n",
				ab_kinds[in.kind].name, ctx->section, why);
		}
		return 0;
	}

	int yes = policy_selects(a->policy, ab_kinds[in.kind].cls);
	unsigned len = ab_kinds[in.kind].site_len;
	if (a->rules) {
		struct ab_rule *r = ab_rules_match(a->rules, in.kind, ctx, nth);
		if (r) {
			r->hits++;
			yes = r->action != AB_RULE_EXCLUDE;
			/* Room for the loader to write the replacement inline
			 * (abi/inline.h); the parser made sure there is one. */
			if (r->action == AB_RULE_EMIT_INLINE && ab_kind_inline_len(in.kind) > len)
				len = ab_kind_inline_len(in.kind);
		}
	}
	if (!yes)
		return 0;

	if (len < in.len)
		len = in.len;
	plan->insn = in;
	plan->site_len = len;
	a->sites[in.kind]++;
	return 1;
}

void ab_annotate_data(struct ab_annotator *a, const uint8_t *bytes, size_t n,
		      enum ab_mode mode, const struct ab_site_ctx *ctx,
		      const unsigned *lines)
{
	/* We cannot know instruction boundaries inside data, so only decode
	 * from the start of the run, as far as sensitive instructions follow
	 * one another.  That catches the usual ".byte 0x0f,0x01,..." idiom. */
	size_t off = 0;
	struct ab_insn in;
	while (off < n && ab_decode(bytes + off, n - off, mode, &in)) {
		/* afterburn prof's sweep of the linked code (nth=) sees these
		 * bytes as the instruction they are: count it, or every later
		 * instruction of its kind would be off by one between the two. */
		count_nth(a, in.kind, ctx);
		a->data_reports++;
		struct ab_site_ctx here = *ctx;
		if (lines && lines[off])
			here.asm_line = lines[off];
		where(a->diag, &here);
		fprintf(a->diag, "warning: sensitive instruction %s (%s) written as data; "
			"it is not annotated and afterburn verify will report it\n",
			ab_kinds[in.kind].name, ab_class_name(ab_kinds[in.kind].cls));
		off += in.len;
	}
}
