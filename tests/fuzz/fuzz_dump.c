/*
 * libFuzzer harness for the trap-dump reader (profiles/dump.c,
 * docs/abi/trap-dump.md), the one that `afterburn prof` (strict) and
 * `afterburn run` (lenient, through afterburner/run_dump.c) use; and for
 * what consumes a parsed dump without symbols: the totals, the hot-spot
 * tables, the text/JSON/SVG reports and the rules writer.  The dump comes
 * from a guest's machine, so it is outside input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prof.h"
#include "run_cmd.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

static void check_dump(const struct prof_dump *d, size_t size)
{
	uint64_t total = 0, cls = 0;
	CHECK(d->begin < d->end && d->end <= size && d->begin_line < d->end_line);
	for (size_t i = 0; i < d->n; i++) {
		CHECK(prof_classify(d->v[i].kind) == (int)d->v[i].cls);
		CHECK(d->v[i].line > d->begin_line && d->v[i].line < d->end_line);
		total += d->v[i].count;
	}
	for (int c = 0; c < PROF_NCLASSES; c++)
		cls += d->by_class[c];
	CHECK(total == d->total && cls == d->total);
}

/* Everything downstream of the parser, into /dev/null. */
static void consume(const struct prof_dump *d, FILE *out)
{
	struct prof_sym *syms = calloc(d->n ? d->n : 1, sizeof *syms);
	struct prof_kind_total *kt = NULL;
	if (!syms)
		return;
	long nk = prof_kind_totals(d, &kt);
	uint64_t sum = 0;
	for (long i = 0; i < nk; i++)
		sum += kt[i].count;
	CHECK(nk < 0 || sum == d->total);
	free(kt);
	for (int by = PROF_BY_SITE; by <= PROF_BY_KIND; by++) {
		struct prof_table t;
		if (prof_table_make(d, by == PROF_BY_SITE ? NULL : syms, by, by == PROF_BY_FUNCTION, 5, &t))
			continue;
		struct prof_report_ctx c = { "fuzz", NULL, d, syms, by == PROF_BY_FUNCTION, 5 };
		prof_report_text(out, &c, &t);
		prof_report_json(out, &c, &t);
		prof_report_html(out, &c, &t);
		prof_table_free(&t);
	}
	struct prof_rules_opts o = { .dump_name = "fuzz", .elf_name = "fuzz.elf" };
	struct prof_rules_result res;
	struct prof_err err;
	if (prof_rules_write(out, out, d, syms, &o, &res, &err) == 0)
		CHECK(res.covered <= res.sensitive && res.selected <= res.sites && res.groups <= res.sites);
	free(syms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *out = fopen("/dev/null", "w");
	if (!out)
		return 0;
	struct prof_dump d;
	struct prof_err err;
	/* Strict: on success, a consistent dump; on error, "fuzz:LINE: ...". */
	if (prof_dump_parse((const char *)data, size, "fuzz", 0, &d, &err) == 0) {
		check_dump(&d, size);
		CHECK(d.bad == 0);
		consume(&d, out);
		prof_dump_free(&d);
	} else {
		CHECK(!strncmp(err.msg, "fuzz:", 5));
		CHECK(d.v == NULL && d.n == 0);
	}
	if (prof_dump_parse((const char *)data, size, "fuzz", PROF_DUMP_LENIENT, &d, &err) == 0) {
		check_dump(&d, size);
		prof_dump_free(&d);
	}

	/* afterburn run's view: a NUL-terminated console log. */
	char *text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = 0;
		struct ab_trapdump td;
		if (ab_trapdump_find(text, &td) == 0) {
			CHECK(td.begin && td.end && td.begin >= text && td.end <= text + size && td.begin < td.end);
			ab_trapdump_summary(out, &td);
		}
		free(text);
	}
	fclose(out);
	return 0;
}
