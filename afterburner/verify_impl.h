/*
 * The parts of afterburn verify's analysis, shared between its files:
 *   verify.c          the driver and the linear sweep
 *   verify_sites.c    the checks of each site record, and the site index
 *   verify_exclude.c  the exclusion rules
 * Not an interface: only those files include it.
 */
#ifndef AB_VERIFY_IMPL_H
#define AB_VERIFY_IMPL_H

#include <capstone/capstone.h>

#include "verify.h"

#define AB_X86_MAX_INSN 15

/* Make room for element n of a growing array; -1 when out of memory. */
int ab_verify_grow(void **v, size_t *cap, size_t n, size_t size);

/* The instruction as capstone prints it (AT&T), cut to fit len. */
void ab_verify_insn_text(const cs_insn *insn, char *buf, size_t len);

/* verify_sites.c: check every record, then sort the placed ones into
 * v->order and report overlaps.  -1 when out of memory. */
int ab_verify_check_sites(struct ab_verify *v, csh cs, cs_insn *insn);

/* Position in v->order of the first placed site at or after (shndx, off). */
size_t ab_verify_sites_from(const struct ab_verify *v, size_t shndx, uint64_t off);

/* The placed site starting exactly at (shndx, off), or -1. */
long ab_verify_site_at(const struct ab_verify *v, size_t shndx, uint64_t off);

/* verify_exclude.c: the rules, built in and from the options. */
int ab_verify_setup_exclusions(struct ab_verify *v);

/* The rule that excludes all of the section called name, or NULL. */
struct ab_exclusion *ab_verify_section_exclusion(struct ab_verify *v, const char *name);

/* The --exclude-symbol rule that excludes finding f, or NULL. */
struct ab_exclusion *ab_verify_symbol_exclusion(struct ab_verify *v, const struct ab_finding *f);

#endif
