/*
 * Source lines for reports, and the path forms of a source file.  Files
 * are read once per symtab: a kernel profile hits a few hundred of them.
 * The text goes into JSON, SVG and terminals, so it is made valid UTF-8
 * without control characters.
 */
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "sym_impl.h"

#define MAX_SOURCE (64u << 20)    /* larger "source files" are not read */

static void load(struct prof_srcfile *f)
{
	FILE *in = fopen(f->path, "rb");
	if (!in)
		return;
	size_t cap = 1 << 14, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (len == cap) {
			char *nb = cap < MAX_SOURCE ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t k = fread(buf + len, 1, cap - len, in);
		if (!k)
			break;
		len += k;
	}
	fclose(in);
	if (!buf)
		return;
	size_t n = 1;
	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\n';
	f->line_off = malloc((n + 1) * sizeof *f->line_off);
	if (!f->line_off) {
		free(buf);
		return;
	}
	f->line_off[0] = 0;
	f->nlines = 1;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n')
			f->line_off[f->nlines++] = i + 1;
	f->line_off[f->nlines] = len + 1;   /* as if a newline followed the end */
	f->text = buf;
}

char *prof_source_line(struct prof_symtab *st, const char *path, unsigned line)
{
	struct prof_srcfile *f = NULL;
	for (size_t i = 0; i < st->nfiles && !f; i++)
		if (!strcmp(st->files[i].path, path))
			f = &st->files[i];
	if (!f) {
		struct prof_srcfile *nv = realloc(st->files, (st->nfiles + 1) * sizeof *nv);
		if (!nv)
			return NULL;
		st->files = nv;
		f = &nv[st->nfiles];
		memset(f, 0, sizeof *f);
		if (!(f->path = strdup(path)))
			return NULL;
		st->nfiles++;
		load(f);
	}
	if (!f->text || !line || line > f->nlines)
		return NULL;
	size_t a = f->line_off[line - 1], b = f->line_off[line] - 1;
	char *s = malloc(b - a + 1);
	if (!s)
		return NULL;
	memcpy(s, f->text + a, b - a);
	s[b - a] = 0;
	prof_clean_text(s, 160);
	return s;
}

void prof_sources_free(struct prof_symtab *st)
{
	for (size_t i = 0; i < st->nfiles; i++) {
		free(st->files[i].path);
		free(st->files[i].text);
		free(st->files[i].line_off);
	}
	free(st->files);
	st->files = NULL;
	st->nfiles = 0;
}

char *prof_rule_path(const char *file, const char *comp_dir)
{
	if (!file)
		return NULL;
	size_t cl = comp_dir ? strlen(comp_dir) : 0;
	while (cl > 1 && comp_dir[cl - 1] == '/')
		cl--;
	const char *p = file;
	if (cl && !strncmp(file, comp_dir, cl) && file[cl] == '/')
		p = file + cl + 1;
	/* The longest tail of components none of which is "", "." or "..":
	 * still a literal suffix of the path the assembler saw, as
	 * afterburn-as's file= match needs. */
	const char *start = p + strlen(p);
	for (const char *e = start; e > p;) {
		const char *b = e;
		while (b > p && b[-1] != '/')
			b--;
		size_t n = (size_t)(e - b);
		if (!n || (n == 1 && b[0] == '.') || (n == 2 && b[0] == '.' && b[1] == '.'))
			break;
		start = b;
		e = b > p ? b - 1 : b;
	}
	return *start ? strdup(start) : NULL;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file name of every CU's line table, once. */
static void load_known(struct prof_symtab *st)
{
	st->known_loaded = 1;
	size_t cap = 0;
	Dwarf_Addr bias;
	for (Dwarf_Die *cu = NULL; (cu = dwfl_module_nextcu(st->mod, cu, &bias));) {
		Dwarf_Files *files;
		size_t nf;
		if (dwarf_getsrcfiles(cu, &files, &nf))
			continue;
		Dwarf_Attribute a;
		const char *cd = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &a));
		for (size_t i = 0; i < nf; i++) {
			const char *name = dwarf_filesrc(files, i, NULL, NULL);
			if (!name)
				continue;
			if (st->nknown == cap) {
				size_t nc = cap ? cap * 2 : 256;
				char **nv = realloc(st->known, nc * sizeof *nv);
				if (!nv)
					return;
				st->known = nv;
				cap = nc;
			}
			char *p = prof_full_path(name, cd);
			if (p)
				st->known[st->nknown++] = p;
		}
	}
	if (st->nknown)
		qsort(st->known, st->nknown, sizeof *st->known, by_str);
	size_t k = 0;
	for (size_t i = 0; i < st->nknown; i++)
		if (k && !strcmp(st->known[k - 1], st->known[i]))
			free(st->known[i]);
		else
			st->known[k++] = st->known[i];
	st->nknown = k;
}

/* How many known paths end with the path suffix s. */
static size_t ending_with(const struct prof_symtab *st, const char *s)
{
	size_t n = 0, l = strlen(s);
	for (size_t i = 0; i < st->nknown && n < 2; i++) {
		size_t pl = strlen(st->known[i]);
		n += pl >= l && !strcmp(st->known[i] + pl - l, s) && (pl == l || st->known[i][pl - l - 1] == '/');
	}
	return n;
}

char *prof_rule_file(struct prof_symtab *st, const char *file, const char *comp_dir)
{
	char *tail = prof_rule_path(file, comp_dir);
	size_t cl = comp_dir ? strlen(comp_dir) : 0;
	if (!tail || (cl && !strncmp(file, comp_dir, cl) && (file[cl] == '/' || comp_dir[cl - 1] == '/')))
		return tail;     /* relative to the build: already short, and stable */
	if (!st->known_loaded)
		load_known(st);
	/* Tails of two, three... components, shortest first. */
	int comps = 0;
	for (const char *p = tail + strlen(tail); p > tail; p--) {
		if (p[-1] != '/')
			continue;
		if (++comps >= 2 && ending_with(st, p) <= 1) {
			char *s = strdup(p);
			if (s) {
				free(tail);
				return s;
			}
			break;
		}
	}
	return tail;
}
