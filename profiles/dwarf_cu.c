/*
 * Address to compilation unit, from the ranges of the CU DIEs.  libdwfl
 * answers from .debug_aranges alone (elfutils 0.188), which clang does not
 * write: a clang-built kernel would have no source lines at all.  One
 * sorted table of every CU's ranges serves both producers.
 */
#include <stdlib.h>

#include "sym_impl.h"

static int by_lo(const void *a, const void *b)
{
	const struct prof_cu_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void load(struct prof_symtab *st)
{
	st->cus_loaded = 1;
	size_t cap = 0;
	Dwarf_Addr bias;
	for (Dwarf_Die *cu = NULL; (cu = dwfl_module_nextcu(st->mod, cu, &bias));) {
		Dwarf_Addr base, lo, hi;
		for (ptrdiff_t off = 0; (off = dwarf_ranges(cu, off, &base, &lo, &hi)) > 0;) {
			if (hi <= lo)
				continue;
			if (st->ncus == cap) {
				size_t nc = cap ? cap * 2 : 256;
				struct prof_cu_range *nv = realloc(st->cus, nc * sizeof *nv);
				if (!nv)
					return;
				st->cus = nv;
				cap = nc;
			}
			st->cus[st->ncus++] = (struct prof_cu_range){ lo + bias, hi + bias, *cu, bias };
		}
	}
	if (st->ncus)
		qsort(st->cus, st->ncus, sizeof *st->cus, by_lo);
}

Dwarf_Die *prof_cu_of(struct prof_symtab *st, uint64_t addr, Dwarf_Addr *bias)
{
	if (!st->cus_loaded)
		load(st);
	/* The last range starting at or below addr; ranges of one CU may
	 * interleave with another's, so look back while they could hold it. */
	size_t lo = 0, hi = st->ncus;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->cus[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0 && lo - i <= 64;)
		if (addr < st->cus[i].hi) {
			*bias = st->cus[i].bias;
			return &st->cus[i].die;
		}
	return NULL;
}
