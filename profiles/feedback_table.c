/* The before/after table of `afterburn feedback` (docs/profiles.md). */
#include <stdio.h>

#include "feedback_impl.h"

const char *const fb_class_names[FB_CLASSES] = {
	"sensitive", "exception", "syscall", "irq", "hidden-pf", "hypercall", "unknown",
};

static void pct(FILE *f, double a, double b)
{
	if (a == 0)
		fprintf(f, "%10s", b == 0 ? "=" : "new");
	else
		fprintf(f, "%+9.1f%%", 100.0 * (b - a) / a);
}

static void row(FILE *f, const char *name, unsigned long long a, unsigned long long b)
{
	fprintf(f, "  %-22s %12llu %12llu ", name, a, b);
	pct(f, (double)a, (double)b);
	fputc('\n', f);
}

void fb_print_table(FILE *f, const struct fb_side *b, const struct fb_side *a, const struct fb_side *full,
		    int same_output, int unmatched, unsigned long rules)
{
	fprintf(f, "  %-22s %12s %12s %10s\n", "", "before", "after", "change");
	fprintf(f, "  traps (%s)\n", "per class; only sensitive ones are the afterburner's to remove");
	for (int c = 0; c < FB_CLASSES; c++) {
		char name[40];
		snprintf(name, sizeof name, "%s%s", c ? "  " : "", fb_class_names[c]);
		row(f, name, b->traps[c], a->traps[c]);
	}
	if (b->lost || a->lost)
		fprintf(f, "  (the dump lost %lu / %lu traps: the counts are low)\n", b->lost, a->lost);
	row(f, "sites", b->sites, a->sites);
	row(f, "  silent", b->sites_by_class[0], a->sites_by_class[0]);
	row(f, "  trapping", b->sites_by_class[1], a->sites_by_class[1]);
	row(f, "  context", b->sites_by_class[2], a->sites_by_class[2]);
	if (full && full->sites)
		fprintf(f, "  %-22s %12s %12lu  (after: %.1f%% of full's)\n", "sites of policy full", "",
			full->sites, 100.0 * (double)a->sites / (double)full->sites);
	row(f, ".text bytes", b->text_bytes, a->text_bytes);
	row(f, "code bytes", b->code_bytes, a->code_bytes);
	fprintf(f, "  %-22s %12s %12s\n", "output", "", same_output ? "same" : "DIFFERENT");
	fprintf(f, "  %-22s %12lu", "rules", rules);
	if (unmatched >= 0)
		fprintf(f, "  (%d matched nothing)\n", unmatched);
	else
		fprintf(f, "  (no match log)\n");
}

static void side_json(FILE *f, const char *name, const struct fb_side *s)
{
	fprintf(f, "  \"%s\": {\"elf\": \"%s\", \"status\": %d, \"sites\": %lu, \"sites_silent\": %lu, "
		"\"sites_trapping\": %lu, \"sites_context\": %lu, \"text_bytes\": %lu, \"code_bytes\": %lu, "
		"\"lost\": %lu, \"traps\": {", name, s->elf, s->run_status, s->sites, s->sites_by_class[0],
		s->sites_by_class[1], s->sites_by_class[2], s->text_bytes, s->code_bytes, s->lost);
	for (int c = 0; c < FB_CLASSES; c++)
		fprintf(f, "%s\"%s\": %llu", c ? ", " : "", fb_class_names[c], s->traps[c]);
	fprintf(f, "}}");
}

/* dir/result.json: the same figures for scripts (tests, bench).  Paths are
 * ours or the user's and contain no quote or backslash in practice; the
 * writer does not escape them. */
int fb_write_json(const char *path, const struct fb_side *b, const struct fb_side *a,
		  const struct fb_side *full, int same_output, int unmatched, unsigned long rules)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "{\n");
	side_json(f, "before", b);
	fprintf(f, ",\n");
	side_json(f, "after", a);
	if (full) {
		fprintf(f, ",\n");
		side_json(f, "full", full);
	}
	fprintf(f, ",\n  \"same_output\": %s, \"rules\": %lu, \"unmatched_rules\": %d\n}\n",
		same_output ? "true" : "false", rules, unmatched);
	return fclose(f);
}
