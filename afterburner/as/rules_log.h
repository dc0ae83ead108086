/*
 * The rules log (docs/abi/rules.md, "The rules log"): each afterburn-as run
 * appends one line per rule, "RULESPATH:LINE HITS", so that a whole build
 * can tell which rules matched nothing anywhere.  `afterburn-as
 * --afterburn-rules-log=FILE` or AFTERBURN_RULES_LOG=FILE.
 */
#ifndef AB_RULES_LOG_H
#define AB_RULES_LOG_H

#include <stddef.h>

#include "rules.h"

/* Open (create) the log for appending; -1 and errno on failure.  Opened
 * before assembling, so a log that cannot be written fails the run early. */
int ab_rules_log_open(const char *path);

/* Append the lines for r in one write(): with O_APPEND, lines of parallel
 * runs (make -j) never interleave.  0, or -1 and errno. */
int ab_rules_log_write(int fd, const struct ab_rules *r);

#endif
