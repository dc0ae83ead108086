/*
 * GCC's ".loc ... view V" sub-directive (DWARF location views) is not
 * understood by LLVM MC.  We drop it and define each view symbol as 0, the
 * value gas gives the first view at an address: the line table stays right
 * and only the view numbers in location lists collapse to 0.
 */
#ifndef AB_LOC_VIEW_H
#define AB_LOC_VIEW_H

#include <stddef.h>

/*
 * Returns 0 with a malloc'd rewrite of text[0..len) in *out and *outlen, or 0 with
 * *out = NULL when there is nothing to rewrite; -1 if out of memory.
 */
int ab_loc_view_rewrite(const char *text, size_t len, char **out, size_t *outlen);

#endif
