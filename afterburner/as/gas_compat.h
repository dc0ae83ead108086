/*
 * Rewrites of GCC output that LLVM MC (14) does not take as gas does.
 * Each keeps the line count, so diagnostics keep their file:line.
 *
 * 1. ".loc ... view V" (DWARF location views): LLVM rejects the sub-
 *    directive.  We drop it and define each view symbol as 0, the value gas
 *    gives the first view at an address: the line table stays right and
 *    only the view numbers in location lists collapse to 0.
 * 2. ".file 0 DIR NAME" (DWARF 5) followed by ".file 1 NAME": LLVM folds
 *    file 1 into the root file 0 and then rejects ".loc 1" as an unassigned
 *    file number (llvm-project issue 72027).  When nothing refers to file
 *    0, we spell the root's name "./NAME": the same file, but not folded.
 * 3. ".file 0" means DWARF 5, whatever --gdwarf-N said (clang passes
 *    none); *dwarf5 tells the caller.
 * 4. GCC's DWARF 5 keeps its own strings in .debug_line_str, and LLVM 14
 *    addresses its line-table strings from the start of that section: the
 *    file names would point into GCC's strings.  We move GCC's strings to
 *    subsection 1, after LLVM's; GCC refers to its own by label, so they
 *    stay right.
 */
#ifndef AB_GAS_COMPAT_H
#define AB_GAS_COMPAT_H

#include <stddef.h>

/*
 * Returns 0 with a malloc'd rewrite of text[0..len) in *out and *outlen, or 0 with
 * *out = NULL when there is nothing to rewrite; -1 if out of memory.
 */
int ab_gas_compat_rewrite(const char *text, size_t len, char **out, size_t *outlen,
			  int *dwarf5);

#endif
