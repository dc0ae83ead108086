/*
 * The trap dump as `afterburn run` sees it (docs/abi/trap-dump.md): find
 * the block between AFTERBURN-TRAPDUMP-BEGIN v1 and AFTERBURN-TRAPDUMP-END
 * in the kernel's console log, check each line, and sum the counts per
 * kind.  `afterburn prof` will do the real analysis.
 */
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "run_cmd.h"

#define BEGIN_MARK "AFTERBURN-TRAPDUMP-BEGIN v1"
#define END_MARK   "AFTERBURN-TRAPDUMP-END"

/* The line at p: its length without "\r\n"; *next the following line. */
static size_t line_len(const char *p, const char **next)
{
	const char *e = strchr(p, '\n');
	if (!e)
		e = p + strlen(p);
	*next = *e ? e + 1 : e;
	size_t n = (size_t)(e - p);
	while (n && p[n - 1] == '\r')
		n--;
	return n;
}

static int is_line(const char *p, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(p, lit, n);
}

/* "0x" + 8 hex digits, a kind without spaces, a decimal count. */
static int parse_entry(const char *p, size_t n, char *kind, size_t kcap, unsigned long *count)
{
	char buf[160];
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, p, n);
	buf[n] = 0;
	char *sp1 = strchr(buf, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strchr(sp2 + 1, ' ') || sp1 - buf != 10 || buf[0] != '0' || buf[1] != 'x')
		return -1;
	for (int i = 2; i < 10; i++)
		if (!strchr("0123456789abcdefABCDEF", buf[i]))
			return -1;
	size_t klen = (size_t)(sp2 - sp1 - 1);
	if (!klen || klen >= kcap || !sp2[1])
		return -1;
	char *end;
	*count = strtoul(sp2 + 1, &end, 10);
	if (*end || sp2[1] < '0' || sp2[1] > '9')
		return -1;
	memcpy(kind, sp1 + 1, klen);
	kind[klen] = 0;
	return 0;
}

int ab_trapdump_find(const char *text, struct ab_trapdump *d)
{
	memset(d, 0, sizeof *d);
	const char *p = text, *next;
	const char *begin = NULL;
	while (*p) {
		size_t n = line_len(p, &next);
		if (!begin && is_line(p, n, BEGIN_MARK)) {
			begin = p;
		} else if (begin && is_line(p, n, END_MARK)) {
			d->begin = begin;
			d->end = next;
			return 0;
		} else if (begin && n && p[0] == '#') {
			unsigned a, b;
			char tmp[64];
			if (n < sizeof tmp) {
				memcpy(tmp, p, n);
				tmp[n] = 0;
				if (sscanf(tmp, "# entries %u lost %u", &a, &b) == 2)
					d->entries = a, d->lost = b;
			}
		} else if (begin && n) {
			char kind[64];
			unsigned long count;
			if (parse_entry(p, n, kind, sizeof kind, &count))
				d->bad++;
			else
				d->lines++;
		}
		p = next;
	}
	return -1;
}

struct kind_total {
	char kind[64];
	unsigned long traps;
	unsigned sites;
};

static int by_traps(const void *a, const void *b)
{
	const struct kind_total *x = a, *y = b;
	if (x->traps != y->traps)
		return x->traps < y->traps ? 1 : -1;
	return strcmp(x->kind, y->kind);
}

void ab_trapdump_summary(FILE *f, const struct ab_trapdump *d)
{
	if (!d->begin) {
		fprintf(f, "afterburn run: no trap dump on the kernel's console\n");
		return;
	}
	size_t cap = d->lines ? d->lines : 1, nk = 0;
	struct kind_total *t = calloc(cap, sizeof *t);
	if (!t)
		return;
	unsigned long total = 0, sensitive = 0;
	for (const char *p = d->begin, *next; p < d->end; p = next) {
		size_t n = line_len(p, &next);
		char kind[64];
		unsigned long count;
		if (!n || p[0] == '#' || parse_entry(p, n, kind, sizeof kind, &count))
			continue;
		size_t i = 0;
		while (i < nk && strcmp(t[i].kind, kind))
			i++;
		if (i == nk) {
			if (nk == cap)
				continue;
			snprintf(t[nk++].kind, sizeof t[0].kind, "%s", kind);
		}
		t[i].traps += count;
		t[i].sites++;
		total += count;
		if (ab_kind_by_name(kind) != AB_KIND_NONE)
			sensitive += count;
	}
	qsort(t, nk, sizeof *t, by_traps);
	fprintf(f, "afterburn run: trap dump: %u entries (%u lost), %lu traps, %lu of them "
		"sensitive instructions\n", d->entries, d->lost, total, sensitive);
	if (nk)
		fprintf(f, "  %-24s %8s %12s\n", "kind", "eips", "traps");
	for (size_t i = 0; i < nk; i++)
		fprintf(f, "  %-24s %8u %12lu\n", t[i].kind, t[i].sites, t[i].traps);
	if (d->bad)
		fprintf(f, "afterburn run: %u malformed lines in the trap dump\n", d->bad);
	free(t);
}
