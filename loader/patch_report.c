/*
 * What afterburn patch prints: the statistics table, the site list, the
 * rejected records, and the same as one JSON object.  The order is the
 * sites' address order, so two runs on the same input print the same.
 */
#include <inttypes.h>

#include "loader_impl.h"
#include "patch_cmd.h"

static const char *type_name(unsigned type)
{
	return type == ET_REL ? "REL" : type == ET_EXEC ? "EXEC" : "DYN";
}

static const char *kind_name(unsigned kind)
{
	const struct ab_kind_info *k = ab_kind_info(kind);
	return k ? k->name : "unknown";
}

static unsigned left_of(const struct ab_patch_stats *st, unsigned kind)
{
	return st->by_outcome[AB_OUT_LEFT_TARGET][kind] + st->by_outcome[AB_OUT_LEFT_NATIVE][kind] +
	       st->by_outcome[AB_OUT_LEFT_NOFIT][kind] + st->by_outcome[AB_OUT_LEFT_NOENTRY][kind];
}

static unsigned rejected_of(const struct ab_patch_stats *st, unsigned kind)
{
	unsigned n = 0;
	for (unsigned s = 1; s < AB_SITE_STATUS_COUNT; s++)
		n += st->rejected[s][kind];
	return n;
}

/* "where": section-relative for objects, function+offset when known. */
static void where(FILE *f, const struct ab_patch_run *run, const struct ab_site *s)
{
	if (run->img->type == ET_REL) {
		fprintf(f, "section %" PRIu64 "+0x%" PRIx64, s->addr >> 32, s->addr & 0xffffffffu);
		return;
	}
	uint64_t off = 0;
	const char *fn = ab_funcs_name(run->funcs, s->addr, &off);
	if (fn)
		fprintf(f, "%s+0x%" PRIx64, fn, off);
}

static void print_addr(FILE *f, const struct ab_patch_run *run, const struct ab_site *s)
{
	if (run->img->type == ET_REL)
		fprintf(f, "%" PRIu64 ":0x%08" PRIx64, s->addr >> 32, s->addr & 0xffffffffu);
	else
		fprintf(f, "0x%08" PRIx64, s->addr);
}

void ab_report_rejected(FILE *f, const struct ab_patch_run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		const struct ab_site *s = &run->sites[i];
		if (!s->status)
			continue;
		fprintf(f, "afterburn patch: %s: record %" PRIu32 " at ", run->path, s->record);
		print_addr(f, run, s);
		fprintf(f, " (%s): %s (%u): %s\n", kind_name(s->kind), ab_site_status_name(s->status),
			s->status, ab_site_status_text(s->status));
	}
}

static void list_text(FILE *f, const struct ab_patch_run *run)
{
	fprintf(f, "%-18s %-14s %-8s %3s %4s  %-10s %-12s %s\n", "address", "kind", "class", "len",
		"insn", "status", "outcome", "where");
	for (size_t i = 0; i < run->n; i++) {
		const struct ab_site *s = &run->sites[i];
		const struct ab_kind_info *k = ab_kind_info(s->kind);
		print_addr(f, run, s);
		fprintf(f, "%*s %-14s %-8s %3u %4u  %-10s %-12s ", run->img->type == ET_REL ? 4 : 8, "",
			kind_name(s->kind), k ? ab_class_name(k->cls) : "-", s->len, s->insn_len,
			ab_site_status_name(s->status), run->target < 0 ? "-" : ab_site_outcome_name(s->outcome));
		where(f, run, s);
		fputc('\n', f);
	}
}

void ab_report_text(FILE *f, const struct ab_patch_run *run, int list, int quiet)
{
	const struct ab_patch_stats *st = run->stats;
	fprintf(f, "%s: ELF%d %s %s, %zu records", run->path, run->img->is64 ? 64 : 32,
		type_name(run->img->type), run->img->is64 ? "x86-64" : "i386", run->n);
	if (run->target >= 0)
		fprintf(f, ", target %s%s%s", ab_target_name((unsigned)run->target),
			run->wedge_path ? ", wedge " : "", run->wedge_path ? run->wedge_path : "");
	fputc('\n', f);
	if (list && !quiet)
		list_text(f, run);
	if (quiet)
		goto summary;
	fprintf(f, "%-14s %-8s %7s %7s %7s %7s %8s\n", "kind", "class", "sites", "inline", "call",
		"left", "rejected");
	for (unsigned k = 0; k < AB_KIND_COUNT; k++) {
		unsigned in = st->by_outcome[AB_OUT_INLINE][k], call = st->by_outcome[AB_OUT_CALL][k];
		unsigned left = left_of(st, k), rej = rejected_of(st, k);
		if (!(in + call + left + rej))
			continue;
		const struct ab_kind_info *ki = ab_kind_info(k);
		fprintf(f, "%-14s %-8s %7u %7u %7u %7u %8u\n", kind_name(k), ki ? ab_class_name(ki->cls) : "-",
			in + call + left + rej, in, call, left, rej);
	}
summary:;
	unsigned sum[AB_OUT_COUNT] = { 0 };
	for (unsigned o = 0; o < AB_OUT_COUNT; o++)
		for (unsigned k = 0; k < AB_KIND_COUNT; k++)
			sum[o] += st->by_outcome[o][k];
	fprintf(f, "total: %u records, %u patched (%u inline, %u call), %u left", st->records,
		st->patched, sum[AB_OUT_INLINE], sum[AB_OUT_CALL], st->left);
	if (st->left) {
		const char *sep = " (";
		for (unsigned o = AB_OUT_LEFT_TARGET; o < AB_OUT_COUNT; o++) {
			if (!sum[o])
				continue;
			fprintf(f, "%s%u %s", sep, sum[o], ab_site_outcome_name(o) + 5);
			sep = ", ";
		}
		fputc(')', f);
	}
	fprintf(f, ", %u rejected\n", st->rejected_total);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_site(FILE *f, const struct ab_patch_run *run, const struct ab_site *s)
{
	fprintf(f, "{\"record\": %" PRIu32 ", ", s->record);
	if (run->img->type == ET_REL)
		fprintf(f, "\"section\": %" PRIu64 ", \"offset\": %" PRIu64 ", ", s->addr >> 32,
			s->addr & 0xffffffffu);
	/* insn_offset: where the instruction starts in the site (after the padding of a BEFORE
	 * kind), so a reader can tell the no-ops from the instruction (bench/run counts the
	 * no-ops a bare run executes). */
	fprintf(f, "\"addr\": %" PRIu64 ", \"kind\": \"%s\", \"len\": %u, \"insn_len\": %u, "
		"\"insn_offset\": %u, \"flags\": %u, \"status\": \"%s\", \"outcome\": \"%s\"",
		s->addr, kind_name(s->kind), s->len, s->insn_len,
		ab_site_insn_offset(s->kind, s->len, s->insn_len), s->flags, ab_site_status_name(s->status),
		run->target < 0 ? "none" : ab_site_outcome_name(s->outcome));
	uint64_t off = 0;
	const char *fn = run->img->type == ET_REL ? NULL : ab_funcs_name(run->funcs, s->addr, &off);
	if (fn) {
		fprintf(f, ", \"function\": ");
		json_string(f, fn);
		fprintf(f, ", \"function_offset\": %" PRIu64, off);
	}
	fputc('}', f);
}

static void json_stats(FILE *f, const struct ab_patch_stats *st)
{
	fprintf(f, "\"stats\": {\"records\": %u, \"patched\": %u, \"left\": %u, \"rejected\": %u, "
		"\"by_kind\": {", st->records, st->patched, st->left, st->rejected_total);
	const char *sep = "";
	for (unsigned k = 0; k < AB_KIND_COUNT; k++) {
		unsigned total = left_of(st, k) + rejected_of(st, k) + st->by_outcome[AB_OUT_INLINE][k] +
				 st->by_outcome[AB_OUT_CALL][k];
		if (!total)
			continue;
		fprintf(f, "%s\"%s\": {\"sites\": %u", sep, kind_name(k), total);
		for (unsigned o = AB_OUT_INLINE; o < AB_OUT_COUNT; o++)
			fprintf(f, ", \"%s\": %u", ab_site_outcome_name(o), st->by_outcome[o][k]);
		fprintf(f, ", \"rejected\": %u}", rejected_of(st, k));
		sep = ", ";
	}
	fprintf(f, "}, \"rejected_by_status\": {");
	sep = "";
	for (unsigned s = 1; s < AB_SITE_STATUS_COUNT; s++) {
		unsigned n = 0;
		for (unsigned k = 0; k < AB_KIND_COUNT; k++)
			n += st->rejected[s][k];
		if (n) {
			fprintf(f, "%s\"%s\": %u", sep, ab_site_status_name(s), n);
			sep = ", ";
		}
	}
	fprintf(f, "}}");
}

void ab_report_json(FILE *f, const struct ab_patch_run *run, int list)
{
	fprintf(f, "{\"path\": ");
	json_string(f, run->path);
	fprintf(f, ", \"image\": {\"class\": %d, \"type\": \"%s\", \"machine\": \"%s\", \"segments\": %u}",
		run->img->is64 ? 64 : 32, type_name(run->img->type), run->img->is64 ? "x86-64" : "i386",
		run->img->nsegs);
	fprintf(f, ", \"target\": ");
	if (run->target < 0)
		fprintf(f, "null");
	else
		json_string(f, ab_target_name((unsigned)run->target));
	fprintf(f, ", \"records\": %zu, ", run->n);
	json_stats(f, run->stats);
	if (list || run->stats->rejected_total) {
		fprintf(f, ", \"sites\": [");
		const char *sep = "\n  ";
		for (size_t i = 0; i < run->n; i++) {
			if (!list && !run->sites[i].status)
				continue;
			fprintf(f, "%s", sep);
			sep = ",\n  ";
			json_site(f, run, &run->sites[i]);
		}
		fprintf(f, "]");
	}
	fprintf(f, "}\n");
}

void ab_report_json_error(FILE *f, const char *path, int status)
{
	fprintf(f, "{\"path\": ");
	json_string(f, path);
	fprintf(f, ", \"error\": \"%s\", \"code\": %d, \"message\": \"%s\"}\n",
		ab_ld_status_name((unsigned)status), status, ab_ld_status_text((unsigned)status));
}
