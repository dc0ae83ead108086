/*
 * Opening an ELF for the symbolizer (libdwfl, offline: no process), and
 * freeing what it gives.  The symbolizing itself is in symbolize.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "sym_impl.h"

/* Only the ELF's own DWARF: a guest kernel carries it, and libdwfl's
 * standard search would look in /usr/lib/debug and ask debuginfod servers
 * over the network (DEBUGINFOD_URLS) for an ELF without it. */
static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
			char **debuginfo_file_name)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
	(void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
	return -1;
}

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = no_debuginfo,
	.section_address = dwfl_offline_section_address,
};

struct prof_symtab *prof_symtab_open(const char *path, struct prof_err *err)
{
	struct prof_symtab *st = calloc(1, sizeof *st);
	if (!st || !(st->path = strdup(path)) || !(st->dwfl = dwfl_begin(&callbacks))) {
		prof_fail(err, path, 0, "out of memory");
		prof_symtab_close(st);
		return NULL;
	}
	FILE *probe = fopen(path, "rb");
	if (!probe) {
		prof_fail(err, path, 0, "%s", strerror(errno));
		prof_symtab_close(st);
		return NULL;
	}
	fclose(probe);
	dwfl_report_begin(st->dwfl);
	st->mod = dwfl_report_offline(st->dwfl, "", path, -1);
	dwfl_report_end(st->dwfl, NULL, NULL);
	if (!st->mod) {
		prof_fail(err, path, 0, "not an ELF file libdw can read (%s)", dwfl_errmsg(-1));
		prof_symtab_close(st);
		return NULL;
	}
	if (!dwfl_module_getelf(st->mod, &st->bias)) {
		prof_fail(err, path, 0, "not an ELF file libdw can read (%s)", dwfl_errmsg(-1));
		prof_symtab_close(st);
		return NULL;
	}
	if (prof_labels_load(st, err)) {
		prof_symtab_close(st);
		return NULL;
	}
	return st;
}

void prof_symtab_close(struct prof_symtab *st)
{
	if (!st)
		return;
	if (st->dwfl)
		dwfl_end(st->dwfl);
	prof_sources_free(st);
	free(st->cus);
	for (size_t i = 0; i < st->nknown; i++)
		free(st->known[i]);
	free(st->known);
	prof_disasm_close(st->disasm);
	free(st->labels);
	free(st->exec);
	free(st->path);
	free(st);
}

void prof_sym_free(struct prof_sym *s)
{
	if (!s)
		return;
	for (char **a = s->aliases; a && *a; a++)
		free(*a);
	free(s->aliases);
	for (size_t i = 0; i < s->nframes; i++) {
		free(s->frames[i].function);
		free(s->frames[i].file);
	}
	free(s->frames);
	free(s->function);
	free(s->inlined);
	free(s->file);
	free(s->comp_dir);
	free(s->rule_file);
	free(s->source);
	memset(s, 0, sizeof *s);
}

struct prof_sym *prof_symbolize_dump(struct prof_symtab *st, const struct prof_dump *d)
{
	struct prof_sym *v = calloc(d->n ? d->n : 1, sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < d->n; i++) {
		/* Hypercalls are counted at eip 0: no code there. */
		if (d->v[i].eip && (prof_symbolize(st, d->v[i].eip, &v[i]) ||
				    (d->v[i].cls == PROF_SENSITIVE &&
				     prof_nth(st, d->v[i].eip, ab_kind_by_name(d->v[i].kind), &v[i].nth)))) {
			prof_syms_free(v, d->n);
			return NULL;
		}
	}
	return v;
}

void prof_syms_free(struct prof_sym *syms, size_t n)
{
	for (size_t i = 0; syms && i < n; i++)
		prof_sym_free(&syms[i]);
	free(syms);
}
