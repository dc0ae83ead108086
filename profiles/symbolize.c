/*
 * Addresses to functions and source lines, with libdw (elfutils), as
 * `addr2line -f -i` prints them: the line table gives the innermost
 * position, the chain of inlined subroutines (scopes.c) the functions,
 * whose call sites are the positions in their callers.  The function a
 * rule names is the ELF label (symtab.c), which DWARF does not know.
 */
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "sym_impl.h"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* A file name of the DWARF joined with the CU's directory when relative. */
char *prof_full_path(const char *file, const char *comp_dir)
{
	if (!file)
		return NULL;
	if (file[0] == '/' || !comp_dir || !*comp_dir)
		return strdup(file);
	size_t n = strlen(comp_dir) + strlen(file) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", comp_dir, file);
	return p;
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
}

static int add_frame(struct prof_sym *s, const char *fn, char *file, unsigned line)
{
	struct prof_frame *nv = realloc(s->frames, (s->nframes + 1) * sizeof *nv);
	if (!nv) {
		free(file);
		return -1;
	}
	s->frames = nv;
	nv[s->nframes++] = (struct prof_frame){ dup_or_null(fn), file, line };
	return fn && !nv[s->nframes - 1].function ? -1 : 0;
}

#define MAX_INLINE 32

/* The frames at addr after the first (the callers of inlined code, at
 * their call sites), and the innermost function's name; as eu-addr2line
 * -i prints them. */
static int inline_chain(Dwarf_Die *cu, Dwarf_Addr pc, struct prof_sym *s, const char **inner)
{
	Dwarf_Die fn, chain[MAX_INLINE];
	if (prof_function_at(cu, pc, &fn))
		return 0;
	size_t n = prof_inlined_at(&fn, pc, chain, MAX_INLINE);
	*inner = die_name(n ? &chain[0] : &fn);
	Dwarf_Attribute a;
	const char *comp_dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &a));
	Dwarf_Files *files = NULL;
	if (dwarf_getsrcfiles(cu, &files, NULL))
		files = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *caller = die_name(i + 1 < n ? &chain[i + 1] : &fn);
		Dwarf_Word file_idx = 0, line = 0;
		const char *file = NULL;
		if (files && dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_file, &a), &file_idx) == 0)
			file = dwarf_filesrc(files, file_idx, NULL, NULL);
		if (dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_line, &a), &line))
			line = 0;
		if (add_frame(s, caller, prof_full_path(file, comp_dir), (unsigned)line))
			return -1;
	}
	return 0;
}

/* Whether name is function or a GCC clone of it (foo.isra.0, foo.cold). */
static int same_function(const char *name, const char *function)
{
	size_t n = strlen(name);
	return function && !strncmp(name, function, n) && (function[n] == 0 || function[n] == '.');
}

/* Several labels at one address: most are aliases made with `.set`
 * (__alias, SYM_FUNC_ALIAS), which the afterburner never sees as labels.
 * The one DWARF describes as the function (or a GCC clone of it) is the
 * label; the others need no rules of their own. */
static void settle_alias(struct prof_sym *s, const char *dwarf_fn)
{
	char **pick = NULL;
	if (same_function(dwarf_fn, s->function))
		pick = &s->function;
	for (char **a = s->aliases; *a && !pick; a++)
		if (same_function(dwarf_fn, *a))
			pick = a;
	if (!pick)
		return;
	if (pick != &s->function) {
		char *t = s->function;
		s->function = *pick;
		*pick = t;
	}
	for (char **a = s->aliases; *a; a++)
		free(*a);
	free(s->aliases);
	s->aliases = NULL;
}

int prof_symbolize(struct prof_symtab *st, uint64_t link_addr, struct prof_sym *s)
{
	/* Dump addresses are the ELF's own; libdwfl's are biased. */
	uint64_t addr = link_addr + st->bias;
	memset(s, 0, sizeof *s);
	if (prof_label_lookup(st, addr, s))
		return -1;
	Dwarf_Addr bias = 0;
	Dwarf_Die *cu = prof_cu_of(st, addr, &bias);
	Dwarf_Line *l = cu ? dwarf_getsrc_die(cu, addr - bias) : NULL;
	int lineno = 0;
	const char *file = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
	if (file && dwarf_lineno(l, &lineno) == 0 && lineno > 0) {
		Dwarf_Attribute a;
		const char *cd = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &a));
		s->file = prof_full_path(file, cd);
		s->comp_dir = dup_or_null(cd);
		s->line = (unsigned)lineno;
		if (!s->file || (cd && !s->comp_dir))
			return -1;
		s->rule_file = prof_rule_file(st, s->file, s->comp_dir);
		s->source = prof_source_line(st, s->file, s->line);
	}
	const char *inner = NULL;
	/* Frame 0 is the innermost function at the line table's position;
	 * inline_chain appends its callers. */
	if (add_frame(s, NULL, dup_or_null(s->file), s->line) ||
	    (cu && inline_chain(cu, addr - bias, s, &inner)))
		return -1;
	if (inner && !(s->frames[0].function = strdup(inner)))
		return -1;
	if (!s->file && s->nframes == 1 && !inner) {
		free(s->frames);       /* no DWARF for it: no frames */
		s->frames = NULL;
		s->nframes = 0;
	}
	if (s->aliases && s->nframes && s->frames[s->nframes - 1].function)
		settle_alias(s, s->frames[s->nframes - 1].function);
	if (inner && !same_function(inner, s->function) && !(s->inlined = strdup(inner)))
		return -1;
	return 0;
}
