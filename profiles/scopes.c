/*
 * The inline chain at an address, found by walking the function's DIEs.
 * dwarf_getscopes only enters a lexical block whose ranges hold the
 * address, and GCC's DWARF 4 range lists can start with an empty range
 * that reads as their end (seen with -O3): the block then holds nothing
 * and the inlined calls inside it vanish.  Like binutils' addr2line, this
 * trusts only the inlined subroutines' own ranges.
 */
#include <dwarf.h>

#include "sym_impl.h"

/* Scopes that may hold inlined code, whatever their own ranges. */
static int transparent(int tag)
{
	return tag == DW_TAG_lexical_block || tag == DW_TAG_try_block || tag == DW_TAG_catch_block ||
	       tag == DW_TAG_with_stmt || tag == DW_TAG_common_block;
}

/* Depth-first: the first inlined subroutine holding pc among the
 * descendants of die (through transparent scopes), into *out. */
static int find(Dwarf_Die *die, Dwarf_Addr pc, Dwarf_Die *out, int depth)
{
	Dwarf_Die c;
	if (depth > 64 || dwarf_child(die, &c) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&c);
		if (tag == DW_TAG_inlined_subroutine && dwarf_haspc(&c, pc) == 1) {
			*out = c;
			return 1;
		}
		if (transparent(tag) && find(&c, pc, out, depth + 1))
			return 1;
	} while (dwarf_siblingof(&c, &c) == 0);
	return 0;
}

size_t prof_inlined_at(Dwarf_Die *fn, Dwarf_Addr pc, Dwarf_Die *chain, size_t cap)
{
	/* Outermost first, then reversed. */
	size_t n = 0;
	Dwarf_Die at = *fn;
	while (n < cap && find(&at, pc, &chain[n], 0))
		at = chain[n++];
	for (size_t i = 0; i < n / 2; i++) {
		Dwarf_Die t = chain[i];
		chain[i] = chain[n - 1 - i];
		chain[n - 1 - i] = t;
	}
	return n;
}

/* Scopes that may hold functions: C++ namespaces and classes. */
static int container(int tag)
{
	return tag == DW_TAG_namespace || tag == DW_TAG_class_type || tag == DW_TAG_structure_type ||
	       tag == DW_TAG_union_type || tag == DW_TAG_module;
}

static int function_in(Dwarf_Die *die, Dwarf_Addr pc, Dwarf_Die *fn, int depth)
{
	Dwarf_Die c;
	if (depth > 16 || dwarf_child(die, &c) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&c);
		if (tag == DW_TAG_subprogram && dwarf_haspc(&c, pc) == 1) {
			*fn = c;
			return 1;
		}
		if (container(tag) && function_in(&c, pc, fn, depth + 1))
			return 1;
	} while (dwarf_siblingof(&c, &c) == 0);
	return 0;
}

int prof_function_at(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *fn)
{
	return function_in(cu, pc, fn, 0) ? 0 : -1;
}
