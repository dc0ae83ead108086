/*
 * Inside `afterburn feedback` (feedback.c): the steps, the child processes
 * and the comparison.  docs/profiles.md describes the command.
 */
#ifndef AB_FEEDBACK_IMPL_H
#define AB_FEEDBACK_IMPL_H

#include <stdio.h>

#define FB_MAX_RUN_ARGS 32

struct fb_opts {
	const char *build;          /* shell command that writes elf */
	const char *elf;
	const char *dir;            /* everything is kept here */
	const char *policy;         /* the base policy, default minimal */
	const char *target;         /* the hypervisor target of the runs, default l4 */
	const char *top, *min_share;
	const char *timeout;
	const char *start_rules;    /* rules of the first build (another iteration) */
	const char *compare;        /* compare only the output lines with this prefix */
	const char *run_args[FB_MAX_RUN_ARGS];
	int n_run_args;
	int no_full;
	int quiet;
};

/* An environment change for a child: value NULL unsets name.  Arrays end
 * with a NULL name. */
struct fb_env {
	const char *name, *value;
};

/* Run argv (argv[0] a path) with env applied; stdout and stderr to the
 * files out and err when not NULL (the same path: one file for both).  The exit status, 128+N for signal N,
 * -1 if it could not be started. */
int fb_spawn(char *const argv[], const struct fb_env *env, const char *out, const char *err);
const char *fb_self(void);

/* What one build and run gave. */
struct fb_side {
	char elf[4096], dump[4096], out[4096], err[4096];
	int run_status;
	unsigned long sites, sites_by_class[3];
	unsigned long text_bytes;      /* .text */
	unsigned long code_bytes;      /* every executable section */
	unsigned long long traps[8];   /* per trap class: enum fb_class */
	unsigned long lost;
};

enum fb_class { FB_SENSITIVE, FB_EXCEPTION, FB_SYSCALL, FB_IRQ, FB_HIDDEN_PF, FB_HYPERCALL,
		FB_UNKNOWN, FB_CLASSES };
extern const char *const fb_class_names[FB_CLASSES];

/* Sites and code size of side->elf; 0, or -1 with a message. */
int fb_measure_elf(struct fb_side *side);
/* Per-class trap totals of side->dump; 0, or -1 with a message. */
int fb_measure_dump(struct fb_side *side);
/* How many rules (action lines) `rules` holds. */
unsigned long fb_rule_count(const char *rules);
/* Rules of `rules` that matched nothing according to the build's log;
 * printed as RULES:LINE warnings.  The count, or -1 if the log is unreadable. */
int fb_unmatched_rules(const char *rules, const char *log, FILE *f);
/* The before/after table. */
void fb_print_table(FILE *f, const struct fb_side *before, const struct fb_side *after,
		    const struct fb_side *full, int same_output, int unmatched, unsigned long rules);

/* The same figures as JSON, for scripts; 0 or -1. */
int fb_write_json(const char *path, const struct fb_side *before, const struct fb_side *after,
		  const struct fb_side *full, int same_output, int unmatched, unsigned long rules);

#endif
