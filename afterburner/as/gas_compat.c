/* See gas_compat.h. */
#include "gas_compat.h"

#include <stdlib.h>
#include <string.h>

struct buf {
	char *p;
	size_t n, cap;
	int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom || !n)
		return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static int is_sym_start(char c)
{
	return c == '.' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * If the line is the directive `word` (after leading blanks) followed by a
 * blank, the index of its first argument; otherwise 0.
 */
static size_t args_of(const char *l, size_t n, const char *word)
{
	size_t i = 0, w = strlen(word);
	while (i < n && is_blank(l[i]))
		i++;
	if (n - i < w + 1 || memcmp(l + i, word, w) || !is_blank(l[i + w]))
		return 0;
	for (i += w; i < n && is_blank(l[i]);)
		i++;
	return i;
}

/* Find " view X" in a .loc line; returns 1 and the span to cut, and X. */
static int find_view(const char *l, size_t n, size_t *cut0, size_t *cut1,
		     const char **sym, size_t *symlen)
{
	size_t a = args_of(l, n, ".loc");
	if (!a)
		return 0;
	/* l[a - 1] is a blank: the search wants " view ". */
	for (size_t i = a - 1; i + 5 < n; i++) {
		if (!is_blank(l[i]) || memcmp(l + i + 1, "view", 4) || !is_blank(l[i + 5]))
			continue;
		size_t j = i + 5;
		while (j < n && is_blank(l[j]))
			j++;
		size_t s = j;
		while (j < n && !is_blank(l[j]) && l[j] != ';' && l[j] != '#')
			j++;
		if (j == s)
			return 0;
		*cut0 = i;
		*cut1 = j;
		*sym = is_sym_start(l[s]) ? l + s : NULL;
		*symlen = j - s;
		return 1;
	}
	return 0;
}

/* ".file 0 ..." */
static int is_file0(const char *l, size_t n)
{
	size_t i = args_of(l, n, ".file");
	return i && i + 1 < n && l[i] == '0' && is_blank(l[i + 1]);
}

/*
 * Write the ".file 0 DIR NAME" line with NAME spelled "./NAME" (or
 * "/a/./b"): the same file, but no longer equal to GCC's ".file 1 NAME",
 * so LLVM keeps file 1.  Returns 0 (and writes nothing) if the line has no
 * quoted name.
 */
static int rename_root(struct buf *b, const char *l, size_t n)
{
	size_t close = n;
	while (close > 0 && l[close - 1] != '"')
		close--;
	if (close < 2)
		return 0;
	close--;                      /* index of the closing quote */
	size_t open = close;
	while (open > 0 && l[open - 1] != '"')
		open--;
	if (open == 0 || open > close)
		return 0;
	size_t at = open;             /* after the opening quote */
	for (size_t i = open; i < close; i++)
		if (l[i] == '/')
			at = i + 1;
	put(b, l, at);
	put(b, "./", 2);
	put(b, l + at, n - at);
	return 1;
}

/* ".section .debug_line_str..." */
static int is_line_str_section(const char *l, size_t n)
{
	size_t i = args_of(l, n, ".section");
	if (!i || n - i < 15 || memcmp(l + i, ".debug_line_str", 15))
		return 0;
	return n - i == 15 || l[i + 15] == ',' || is_blank(l[i + 15]);
}

/* ".loc 0 ..." (clang's DWARF 5 output refers to the root file). */
static int is_loc0(const char *l, size_t n)
{
	size_t i = args_of(l, n, ".loc");
	return i && i + 1 < n && l[i] == '0' && is_blank(l[i + 1]);
}

int ab_gas_compat_rewrite(const char *text, size_t len, char **out, size_t *outlen,
			  int *dwarf5)
{
	*out = NULL;
	*outlen = 0;
	*dwarf5 = 0;
	/* Fast path: most inputs (no -g) have neither. */
	int any = 0;
	for (size_t i = 0; i + 4 <= len && !any; i++)
		any = (text[i] == 'v' && !memcmp(text + i, "view", 4)) ||
		      (i + 5 <= len && text[i] == '.' && !memcmp(text + i, ".file", 5));
	if (!any)
		return 0;

	/* ".file 0" exists only in DWARF 5, so it sets the version, as in gas.
	 * GCC never refers to file 0 and is hit by the folding; clang does
	 * (".loc 0") and is not, so its ".file 0" stays as it is. */
	int has_file0 = 0, has_loc0 = 0;
	for (const char *q = text, *e = text + len; q < e;) {
		const char *eol = memchr(q, '\n', (size_t)(e - q));
		size_t n = eol ? (size_t)(eol - q) : (size_t)(e - q);
		has_file0 |= is_file0(q, n);
		has_loc0 |= is_loc0(q, n);
		q = eol ? eol + 1 : e;
	}
	int fix_file0 = has_file0 && !has_loc0;
	*dwarf5 = has_file0;

	struct buf b = { 0 };
	const char *p = text, *end = text + len;
	int changed = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		size_t c0, c1, sl;
		const char *sym;
		if (fix_file0 && is_file0(p, n) && rename_root(&b, p, n)) {
			changed = 1;
		} else if (fix_file0 && is_line_str_section(p, n)) {
			/* GCC's strings go after LLVM's, which LLVM addresses
			 * from the start of the section. */
			changed = 1;
			put(&b, p, n);
			put(&b, "; .subsection 1", 15);
		} else if (find_view(p, n, &c0, &c1, &sym, &sl)) {
			changed = 1;
			put(&b, p, c0);
			put(&b, p + c1, n - c1);
			if (sym) {
				/* gas sets the symbol to the view number; ours is 0.
				 * ".ifndef" keeps a repeated view symbol legal, and
				 * ';' keeps the line numbers of diagnostics. */
				put(&b, "; .ifndef ", 10);
				put(&b, sym, sl);
				put(&b, "; .set ", 7);
				put(&b, sym, sl);
				put(&b, ", 0; .endif", 11);
			}
		} else {
			put(&b, p, n);
		}
		if (eol)
			put(&b, "\n", 1);
		p = eol ? eol + 1 : end;
	}
	if (b.oom) {
		free(b.p);
		return -1;
	}
	if (!changed) {
		free(b.p);
		return 0;
	}
	*out = b.p;
	*outlen = b.n;
	return 0;
}
