/*
 * The trap dump as `afterburn run` sees it (docs/abi/trap-dump.md): find
 * the block between AFTERBURN-TRAPDUMP-BEGIN v1 and AFTERBURN-TRAPDUMP-END
 * in the kernel's console log, and sum the counts per kind.  The reading
 * is the profiler's (profiles/dump.c), leniently: a run must still save a
 * dump with a damaged line, and say so; `afterburn prof` then refuses it
 * with the line's number.
 */
#include <stdlib.h>
#include <string.h>

#include "prof.h"
#include "run_cmd.h"

static int parse(const char *text, size_t len, struct prof_dump *pd)
{
	struct prof_err err;
	return prof_dump_parse(text, len, "the kernel's console", PROF_DUMP_LENIENT, pd, &err);
}

int ab_trapdump_find(const char *text, struct ab_trapdump *d)
{
	memset(d, 0, sizeof *d);
	struct prof_dump pd;
	if (parse(text, strlen(text), &pd))
		return -1;
	d->begin = text + pd.begin;
	d->end = text + pd.end;
	d->entries = (unsigned)pd.header_entries;
	d->lost = (unsigned)pd.lost;
	d->lines = (unsigned)pd.n;
	d->bad = pd.bad;
	prof_dump_free(&pd);
	return 0;
}

void ab_trapdump_summary(FILE *f, const struct ab_trapdump *d)
{
	struct prof_dump pd;
	if (!d->begin || parse(d->begin, (size_t)(d->end - d->begin), &pd)) {
		fprintf(f, "afterburn run: no trap dump on the kernel's console\n");
		return;
	}
	struct prof_kind_total *t = NULL;
	long nk = prof_kind_totals(&pd, &t);
	fprintf(f, "afterburn run: trap dump: %u entries (%u lost), %llu traps, %llu of them "
		"sensitive instructions\n", d->entries, d->lost, (unsigned long long)pd.total,
		(unsigned long long)pd.by_class[PROF_SENSITIVE]);
	if (nk > 0)
		fprintf(f, "  %-24s %8s %12s\n", "kind", "eips", "traps");
	for (long i = 0; i < nk; i++)
		fprintf(f, "  %-24s %8zu %12llu\n", t[i].kind, t[i].sites, (unsigned long long)t[i].count);
	if (d->bad)
		fprintf(f, "afterburn run: %u malformed lines in the trap dump\n", d->bad);
	free(t);
	prof_dump_free(&pd);
}
