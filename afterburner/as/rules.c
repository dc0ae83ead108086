/*
 * Rules v1 parser and matcher (docs/abi/rules.md).  Input is outside data:
 * every error names file:line, and nothing is assumed about line lengths.
 * What a whole rule must satisfy is checked in rules_check.c.
 */
#include "rules.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annotate.h"
#include "kinds.h"
#include "rules_check.h"

static int fail(char *err, size_t errlen, const char *path, unsigned line, const char *fmt, ...)
{
	int k = snprintf(err, errlen, "%s:%u: ", path, line);
	if (k < 0 || (size_t)k >= errlen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

void ab_rules_free(struct ab_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].function);
		free(r->v[i].file);
		free(r->v[i].section);
	}
	free(r->v);
	free(r->path);
	free(r);
}

/* Split "a,b,c" kind lists into a bitset. */
static int parse_kinds(const char *s, size_t n, unsigned long long *out)
{
	*out = 0;
	while (n) {
		size_t k = 0;
		while (k < n && s[k] != ',')
			k++;
		char name[32];
		if (k == 0 || k >= sizeof name)
			return -1;
		memcpy(name, s, k);
		name[k] = 0;
		enum ab_kind kind = ab_kind_by_name(name);
		if (kind == AB_KIND_NONE)
			return -1;
		*out |= 1ull << kind;
		s += k;
		n -= k;
		if (n) {
			s++;
			n--;
			if (!n)
				return -1;
		}
	}
	return 0;
}

/* Replace *slot by a copy of v[0..n); -1 if out of memory. */
static int set_string(char **slot, const char *v, size_t n)
{
	free(*slot);
	*slot = dup_n(v, n);
	return *slot ? 0 : -1;
}

/* A decimal count >= 1 (nth=): digits only, so that "+3", "0x3" or "3k"
 * are errors rather than a guess. */
static int parse_nth(const char *v, size_t n, unsigned *out)
{
	unsigned long x = 0;
	if (!n || n > 9)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (unsigned long)(v[i] - '0');
	}
	if (!x || x > 100000000ul)
		return -1;
	*out = (unsigned)x;
	return 0;
}

/* One "key=value" selector into the rule. */
static int parse_selector(struct ab_rule *r, const char *tok, size_t n,
			  const char *path, unsigned line, char *err, size_t errlen)
{
	const char *eq = memchr(tok, '=', n);
	if (!eq || eq == tok || eq + 1 == tok + n)
		return fail(err, errlen, path, line, "expected key=value, got '%.*s'", (int)n, tok);
	size_t klen = (size_t)(eq - tok), vlen = n - klen - 1;
	const char *v = eq + 1;

	if (klen == 4 && !memcmp(tok, "kind", 4)) {
		if (parse_kinds(v, vlen, &r->kinds))
			return fail(err, errlen, path, line, "unknown kind in '%.*s'", (int)vlen, v);
	} else if (klen == 8 && !memcmp(tok, "function", 8)) {
		if (set_string(&r->function, v, vlen))
			return fail(err, errlen, path, line, "out of memory");
	} else if (klen == 7 && !memcmp(tok, "section", 7)) {
		if (set_string(&r->section, v, vlen))
			return fail(err, errlen, path, line, "out of memory");
	} else if (klen == 3 && !memcmp(tok, "nth", 3)) {
		if (parse_nth(v, vlen, &r->nth))
			return fail(err, errlen, path, line, "bad nth= value '%.*s' (a decimal number from 1)",
				    (int)vlen, v);
	} else if (klen == 4 && !memcmp(tok, "file", 4)) {
		/* file=PATH or file=PATH:LINE */
		const char *colon = NULL;
		for (const char *p = v + vlen; p > v; p--)
			if (p[-1] == ':') {
				colon = p - 1;
				break;
			}
		size_t plen = vlen;
		if (colon) {
			char *end;
			char num[16];
			size_t nl = (size_t)(v + vlen - colon - 1);
			if (nl == 0 || nl >= sizeof num)
				return fail(err, errlen, path, line, "bad line number in '%.*s'", (int)vlen, v);
			memcpy(num, colon + 1, nl);
			num[nl] = 0;
			errno = 0;
			unsigned long l = strtoul(num, &end, 10);
			if (*end || errno || l == 0 || l > 100000000ul)
				return fail(err, errlen, path, line, "bad line number in '%.*s'", (int)vlen, v);
			r->line = (unsigned)l;
			plen = (size_t)(colon - v);
			if (!plen)
				return fail(err, errlen, path, line, "empty file name in '%.*s'", (int)vlen, v);
		}
		if (set_string(&r->file, v, plen))
			return fail(err, errlen, path, line, "out of memory");
	} else {
		return fail(err, errlen, path, line, "unknown selector '%.*s'", (int)klen, tok);
	}
	return 0;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

struct ab_rules *ab_rules_parse(const char *text, size_t len, const char *path,
				char *err, size_t errlen)
{
	struct ab_rules *r = calloc(1, sizeof *r);
	if (!r || !(r->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		ab_rules_free(r);
		return NULL;
	}
	r->base_policy = -1;
	int seen_header = 0;
	unsigned line = 0;
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		line++;
		const char *hash = memchr(p, '#', (size_t)(eol - p));
		const char *stop = hash ? hash : eol;
		/* Tokenise the line: at most 8 words. */
		const char *tok[8];
		size_t tlen[8], nt = 0;
		for (const char *q = p; q < stop;) {
			while (q < stop && is_space(*q))
				q++;
			if (q >= stop)
				break;
			const char *s = q;
			while (q < stop && !is_space(*q))
				q++;
			if (nt == 8) {
				fail(err, errlen, path, line, "too many words");
				goto bad;
			}
			if (memchr(s, 0, (size_t)(q - s))) {
				fail(err, errlen, path, line, "NUL byte");
				goto bad;
			}
			tok[nt] = s;
			tlen[nt++] = (size_t)(q - s);
		}
		p = eol + 1;
		if (!nt)
			continue;
#define IS(i, lit) (tlen[i] == sizeof(lit) - 1 && !memcmp(tok[i], lit, sizeof(lit) - 1))
		if (!seen_header) {
			if (nt != 2 || !IS(0, "afterburn-rules")) {
				fail(err, errlen, path, line, "expected the header 'afterburn-rules 1'");
				goto bad;
			}
			if (!IS(1, "1")) {
				fail(err, errlen, path, line, "unsupported rules version '%.*s' (this afterburn reads 1)",
				     (int)tlen[1], tok[1]);
				goto bad;
			}
			seen_header = 1;
			continue;
		}
		if (IS(0, "policy")) {
			char name[16] = "";
			if (nt == 2 && tlen[1] < sizeof name)
				memcpy(name, tok[1], tlen[1]);
			if (nt != 2 || (r->base_policy = ab_policy_parse(name)) < 0) {
				fail(err, errlen, path, line, "expected 'policy none|minimal|full'");
				goto bad;
			}
			continue;
		}
		struct ab_rule rule = { 0 };
		if (IS(0, "annotate"))
			rule.action = AB_RULE_ANNOTATE;
		else if (IS(0, "exclude"))
			rule.action = AB_RULE_EXCLUDE;
		else if (IS(0, "emit-inline"))
			rule.action = AB_RULE_EMIT_INLINE;
		else {
			fail(err, errlen, path, line, "unknown action '%.*s' (annotate, exclude, emit-inline)",
			     (int)tlen[0], tok[0]);
			goto bad;
		}
		rule.src_line = line;
		struct ab_rule *nv = realloc(r->v, (r->n + 1) * sizeof *nv);
		if (!nv) {
			fail(err, errlen, path, line, "out of memory");
			goto bad;
		}
		r->v = nv;
		r->v[r->n++] = rule;
		for (size_t i = 1; i < nt; i++)
			if (parse_selector(&r->v[r->n - 1], tok[i], tlen[i], path, line, err, errlen))
				goto bad;
		if (nt == 1) {
			fail(err, errlen, path, line, "a rule needs at least one selector");
			goto bad;
		}
		char msg[256];
		if (ab_rule_check(&r->v[r->n - 1], msg, sizeof msg)) {
			fail(err, errlen, path, line, "%s", msg);
			goto bad;
		}
		if (r->v[r->n - 1].kinds & ab_context_kinds())
			r->has_context = 1;
		if (r->v[r->n - 1].nth)
			r->has_nth = 1;
#undef IS
	}
	if (!seen_header) {
		fail(err, errlen, path, line ? line : 1, "empty rules file: expected 'afterburn-rules 1'");
		goto bad;
	}
	return r;
bad:
	ab_rules_free(r);
	return NULL;
}

struct ab_rules *ab_rules_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return NULL;
			}
			buf = nb;
		}
		size_t k = fread(buf + len, 1, cap - len, f);
		len += k;
		if (k == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		snprintf(err, errlen, "%s: read error", path);
		return NULL;
	}
	struct ab_rules *r = ab_rules_parse(buf, len, path, err, errlen);
	free(buf);
	return r;
}

static int suffix_match(const char *path, const char *suffix)
{
	size_t a = strlen(path), b = strlen(suffix);
	if (b > a)
		return 0;
	if (strcmp(path + a - b, suffix))
		return 0;
	return a == b || path[a - b - 1] == '/' || suffix[0] == '/';
}

struct ab_rule *ab_rules_match(struct ab_rules *r, unsigned kind, const struct ab_site_ctx *ctx,
			       unsigned nth)
{
	struct ab_rule *hit = NULL;
	const struct ab_kind_info *k = ab_kind_info(kind);
	int context = k && k->cls == AB_CLASS_CONTEXT;
	for (size_t i = 0; i < r->n; i++) {
		struct ab_rule *x = &r->v[i];
		if (x->kinds ? !(kind < 64 && (x->kinds >> kind) & 1) : context)
			continue;
		if (x->nth && x->nth != nth)
			continue;
		if (x->function && (!ctx->function || fnmatch(x->function, ctx->function, 0)))
			continue;
		if (x->section && (!ctx->section || fnmatch(x->section, ctx->section, 0)))
			continue;
		if (x->file && (!ctx->src_file || !suffix_match(ctx->src_file, x->file)))
			continue;
		if (x->line && x->line != ctx->src_line)
			continue;
		hit = x;
	}
	return hit;
}
