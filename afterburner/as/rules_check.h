/* Whole-rule checks of the rules parser (rules_check.c). */
#ifndef AB_RULES_CHECK_H
#define AB_RULES_CHECK_H

#include <stddef.h>

#include "rules.h"

/* The bit set of the context kinds (class CONTEXT in abi/kinds.def). */
unsigned long long ab_context_kinds(void);

/* 0 if the rule makes sense; else -1 and why in msg (without file:line). */
int ab_rule_check(const struct ab_rule *x, char *msg, size_t len);

#endif
