/*
 * One entry line of the trap dump, and the checks that need them all:
 * no (eip, kind) twice, and totals that do not overflow.
 */
#include <stdlib.h>
#include <string.h>

#include "prof_impl.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int prof_parse_entry(const char *p, size_t n, struct prof_entry *e, char *msg, size_t cap)
{
	char q[64];
	memset(e, 0, sizeof *e);
	/* Fields: split at single spaces; check the address first, so that
	 * "0xZZ cli 1" says bad hex rather than a vague format error. */
	const char *f[4];
	size_t fl[4], nf = 0;
	for (size_t i = 0, s = 0; i <= n; i++) {
		if (i == n || p[i] == ' ') {
			if (nf == 4)
				break;
			f[nf] = p + s;
			fl[nf++] = i - s;
			s = i + 1;
		}
	}
	int bad_eip = fl[0] != 10 || p[0] != '0' || p[1] != 'x';
	for (int i = 2; !bad_eip && i < 10; i++)
		bad_eip = hexval(p[i]) < 0;
	if (bad_eip) {
		prof_quote(q, sizeof q, f[0], fl[0]);
		snprintf(msg, cap, "bad address '%s' (expected 0x and 8 hex digits)", q);
		return -1;
	}
	if (nf != 3 || !fl[1] || !fl[2]) {
		prof_quote(q, sizeof q, p, n);
		snprintf(msg, cap, "expected 'EIP KIND COUNT' separated by single spaces, got '%s'", q);
		return -1;
	}
	for (int i = 2; i < 10; i++)
		e->eip = e->eip << 4 | (uint32_t)hexval(p[i]);
	int cls = -1;
	if (fl[1] < PROF_KIND_MAX) {
		memcpy(e->kind, f[1], fl[1]);
		e->kind[fl[1]] = 0;
		cls = prof_classify(e->kind);
	}
	if (cls < 0) {
		prof_quote(q, sizeof q, f[1], fl[1]);
		snprintf(msg, cap, "unknown kind '%s'", q);
		return -1;
	}
	e->cls = (enum prof_class)cls;
	uint64_t v = 0;
	int bad_count = fl[2] > 20 || (fl[2] > 1 && f[2][0] == '0');
	for (size_t i = 0; !bad_count && i < fl[2]; i++) {
		unsigned d = (unsigned)(f[2][i] - '0');
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			bad_count = 1;
		else
			v = v * 10 + d;
	}
	if (bad_count) {
		prof_quote(q, sizeof q, f[2], fl[2]);
		snprintf(msg, cap, "bad count '%s' (expected a decimal number)", q);
		return -1;
	}
	e->count = v;
	return 0;
}

static int by_key(const void *a, const void *b)
{
	const struct prof_entry *x = *(const struct prof_entry *const *)a;
	const struct prof_entry *y = *(const struct prof_entry *const *)b;
	if (x->eip != y->eip)
		return x->eip < y->eip ? -1 : 1;
	int c = strcmp(x->kind, y->kind);
	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

int prof_dump_check(struct prof_dump *d, const char *name, unsigned flags, struct prof_err *err)
{
	if (d->n > 1) {
		const struct prof_entry **s = malloc(d->n * sizeof *s);
		if (!s)
			return prof_fail(err, name, 0, "out of memory");
		for (size_t i = 0; i < d->n; i++)
			s[i] = &d->v[i];
		qsort(s, d->n, sizeof *s, by_key);
		/* The first repeat in file order, to report the earliest. */
		const struct prof_entry *dup = NULL;
		unsigned dup_line = 0, first_line = 0;
		for (size_t i = 1; i < d->n; i++) {
			if (s[i]->eip != s[i - 1]->eip || strcmp(s[i]->kind, s[i - 1]->kind))
				continue;
			size_t j = i - 1;     /* the run's first, the one kept */
			while (j && s[j - 1]->eip == s[i]->eip && !strcmp(s[j - 1]->kind, s[i]->kind))
				j--;
			if (!dup || s[i]->line < dup_line)
				dup = s[i], dup_line = s[i]->line, first_line = s[j]->line;
			((struct prof_entry *)s[i])->line = 0;   /* lenient: drop it */
		}
		free(s);
		if (dup && !(flags & PROF_DUMP_LENIENT))
			return prof_fail(err, name, dup_line, "0x%08x %s appears twice (first at line %u)",
					 dup->eip, dup->kind, first_line);
		if (dup) {
			size_t k = 0;
			for (size_t i = 0; i < d->n; i++)
				if (d->v[i].line)
					d->v[k++] = d->v[i];
				else
					d->bad++;
			d->n = k;
		}
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct prof_entry *e = &d->v[i];
		if (d->total + e->count < d->total)
			return prof_fail(err, name, e->line, "the counts add up beyond 2^64");
		d->total += e->count;
		d->by_class[e->cls] += e->count;
	}
	return 0;
}
