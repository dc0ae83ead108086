/* Shared by the subcommands of `afterburn prof` (prof_cmd.c, report_cmd.c, rules_cmd.c). */
#ifndef AB_PROF_CMD_H
#define AB_PROF_CMD_H

#include "prof.h"

enum { PROF_EXIT_OK = 0, PROF_EXIT_INPUT = 1, PROF_EXIT_USAGE = 2 };

int prof_report_main(int argc, char **argv);
int prof_rules_main(int argc, char **argv);

/* "afterburn prof CMD: msg[: arg]" and a hint, to stderr; PROF_EXIT_USAGE. */
int prof_usage_error(const char *cmd, const char *msg, const char *arg);
/* A decimal count (0 .. 10^9): 0, or -1. */
int prof_parse_count(const char *s, size_t *out);
/* Load DUMP strictly and, when elf is not NULL, symbolize it; errors go to
 * stderr.  0, or -1 with nothing to free. */
int prof_load(const char *dump, const char *elf, struct prof_dump *d, struct prof_symtab **st,
	      struct prof_sym **syms);

#endif
