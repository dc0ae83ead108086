/*
 * The one trap-dump reader (docs/abi/trap-dump.md, v1).  The dump arrives
 * on a guest machine's serial console, so it is outside input: every line
 * of the block is checked, and strictly so by default, because a profile
 * that silently lost a line would write wrong rules.  `afterburn run`
 * asks for PROF_DUMP_LENIENT: it must still save a damaged dump.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "prof_impl.h"
#include "prof.h"

#define BEGIN_MARK "AFTERBURN-TRAPDUMP-BEGIN v1"
#define BEGIN_ANY  "AFTERBURN-TRAPDUMP-BEGIN"
#define END_MARK   "AFTERBURN-TRAPDUMP-END"

int prof_fail(struct prof_err *err, const char *name, unsigned line, const char *fmt, ...)
{
	if (!err)
		return -1;
	int k = line ? snprintf(err->msg, sizeof err->msg, "%s:%u: ", name, line)
		     : snprintf(err->msg, sizeof err->msg, "%s: ", name);
	if (k < 0 || (size_t)k >= sizeof err->msg)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + k, sizeof err->msg - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

void prof_quote(char *out, size_t cap, const char *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 4 < cap; i++) {
		if (i == 40) {
			memcpy(out + k, "...", 3);
			k += 3;
			break;
		}
		unsigned char c = (unsigned char)p[i];
		out[k++] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	out[k] = 0;
}

static int starts(const char *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return n >= l && !memcmp(p, lit, l);
}

static int is_line(const char *p, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(p, lit, n);
}

/* "# entries N lost M": 0, or -1 if it is that comment but malformed. */
static int header(const char *p, size_t n, struct prof_dump *d)
{
	char buf[PROF_LINE_MAX + 1], tail;
	unsigned long a, b;
	memcpy(buf, p, n);
	buf[n] = 0;
	if (sscanf(buf, "# entries %lu lost %lu%c", &a, &b, &tail) != 2 || strchr(buf, '-'))
		return -1;
	d->have_header = 1;
	d->header_entries = a;
	d->lost = b;
	return 0;
}

static int add(struct prof_dump *d, size_t *cap, const struct prof_entry *e)
{
	if (d->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct prof_entry *nv = realloc(d->v, nc * sizeof *nv);
		if (!nv)
			return -1;
		d->v = nv;
		*cap = nc;
	}
	d->v[d->n++] = *e;
	return 0;
}

/* One line inside the block: 0 taken, 1 skipped (lenient), -1 error. */
static int block_line(const char *p, size_t n, unsigned ln, unsigned flags, const char *name,
		      struct prof_dump *d, size_t *cap, unsigned *header_line, struct prof_err *err)
{
	int lenient = flags & PROF_DUMP_LENIENT;
	char q[64];
	if (n > PROF_LINE_MAX)
		return lenient ? 1 : prof_fail(err, name, ln, "line longer than %d bytes", PROF_LINE_MAX);
	if (memchr(p, 0, n))
		return lenient ? 1 : prof_fail(err, name, ln, "NUL byte");
	if (!n)
		return 0;
	if (p[0] == '#') {
		if (!starts(p, n, "# entries"))
			return 0;
		*header_line = ln;
		if (header(p, n, d) == 0)
			return 0;
		prof_quote(q, sizeof q, p, n);
		return lenient ? 1 : prof_fail(err, name, ln, "bad comment '%s' (expected '# entries N lost M')", q);
	}
	struct prof_entry e;
	if (prof_parse_entry(p, n, &e, q, sizeof q))
		return lenient ? 1 : prof_fail(err, name, ln, "%s", q);
	e.line = ln;
	if (add(d, cap, &e))
		return prof_fail(err, name, ln, "out of memory");
	return 0;
}

/* Scan for the block and parse its lines. */
static int scan(const char *buf, size_t len, const char *name, unsigned flags,
		struct prof_dump *d, struct prof_err *err)
{
	int lenient = flags & PROF_DUMP_LENIENT, inside = 0;
	size_t cap = 0;
	unsigned ln = 0, header_line = 0;
	for (size_t off = 0; off < len;) {
		const char *p = buf + off, *nl = memchr(p, '\n', len - off);
		size_t raw = nl ? (size_t)(nl - p) : len - off, n = raw;
		size_t next = off + raw + (nl ? 1 : 0);
		while (n && p[n - 1] == '\r')
			n--;
		ln++;
		if (inside && !lenient && starts(p, n, BEGIN_ANY)) {
			return prof_fail(err, name, ln, "a second BEGIN: the dump from line %u has no END",
					 d->begin_line);
		} else if (is_line(p, n, BEGIN_MARK)) {
			d->n = 0;            /* lenient: the later, complete dump wins */
			d->have_header = 0;
			d->begin = off;
			d->begin_line = ln;
			inside = 1;
		} else if (!inside) {
			if (!lenient && starts(p, n, BEGIN_ANY " ")) {
				char q[64];
				prof_quote(q, sizeof q, p + strlen(BEGIN_ANY) + 1, n - strlen(BEGIN_ANY) - 1);
				return prof_fail(err, name, ln, "trap dump version '%s': this afterburn reads v1", q);
			}
		} else if (starts(p, n, BEGIN_ANY)) {
			d->bad++;            /* lenient: another version's BEGIN inside */
		} else if (is_line(p, n, END_MARK)) {
			d->end = next;
			d->end_line = ln;
			break;
		} else {
			int r = block_line(p, n, ln, flags, name, d, &cap, &header_line, err);
			if (r < 0)
				return -1;
			d->bad += (unsigned)r;
		}
		off = next;
	}
	if (!d->end_line) {
		unsigned at = ln ? ln : 1;
		if (!inside)
			return prof_fail(err, name, at, "no '" BEGIN_MARK "' line: no trap dump here");
		return prof_fail(err, name, at, "no '" END_MARK "': the dump from line %u is incomplete",
				 d->begin_line);
	}
	if (!lenient && d->have_header && d->header_entries != d->n)
		return prof_fail(err, name, header_line, "the header says %lu entries, the dump has %zu",
				 d->header_entries, d->n);
	return 0;
}

int prof_dump_parse(const char *buf, size_t len, const char *name, unsigned flags,
		    struct prof_dump *d, struct prof_err *err)
{
	memset(d, 0, sizeof *d);
	if (scan(buf, len, name, flags, d, err) || prof_dump_check(d, name, flags, err)) {
		prof_dump_free(d);
		return -1;
	}
	return 0;
}

int prof_dump_load(const char *path, struct prof_dump *d, struct prof_err *err)
{
	memset(d, 0, sizeof *d);
	FILE *f = fopen(path, "rb");
	if (!f)
		return prof_fail(err, path, 0, "%s", strerror(errno));
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int bad = !buf;
	while (!bad) {
		if (len == cap) {
			char *nb = cap < (1u << 30) ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				bad = 1;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t k = fread(buf + len, 1, cap - len, f);
		len += k;
		if (!k)
			break;
	}
	int rerr = ferror(f);
	fclose(f);
	if (bad || rerr) {
		free(buf);
		return prof_fail(err, path, 0, bad ? "too large or out of memory" : "read error");
	}
	int r = prof_dump_parse(buf, len, path, 0, d, err);
	free(buf);
	return r;
}

void prof_dump_free(struct prof_dump *d)
{
	free(d->v);
	memset(d, 0, sizeof *d);
}
