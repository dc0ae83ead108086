/*
 * afterburn: the one host command for everything after the build.
 *
 *   afterburn verify ELF          check sites against the code (verify.c)
 *   afterburn patch ...           rewrite sites for a target (loader/patch_cmd.c)
 *   afterburn run ...             boot a guest in QEMU, bare or on the hypervisor (run_cmd.c)
 *   afterburn prof ...            hot spots and rules from a trap dump (profiles/prof_cmd.c)
 *   afterburn feedback ...        build, run, profile, rules, rebuild, compare (profiles/feedback.c)
 *
 * Each subcommand is a function taking its own argc/argv (argv[0] is the
 * subcommand's name) and returning the process exit status, so it can
 * parse options with getopt as if it were a program of its own.
 */
#include <stdio.h>
#include <string.h>

#include "feedback.h"
#include "patch_cmd.h"
#include "prof.h"
#include "run_cmd.h"
#include "verify.h"

#ifndef AB_VERSION
#define AB_VERSION "0.1.0"
#endif

struct command {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary;
};

/* The subcommands, in the order --help lists them.  Names are part of the
 * product (DESIGN.md, "User-facing commands"): keep them stable. */
static const struct command commands[] = {
	{ "verify", ab_verify_main, "check an ELF's sensitive instructions against its .afterburn sites" },
	{ "patch",  ab_patch_main,  "rewrite an ELF's sites for a target (bare, l4, trap), or list them" },
	{ "run",    ab_run_main,    "start QEMU with a guest, bare or on the hypervisor (l4, trap)" },
	{ "prof",   ab_prof_main,   "turn a trap dump into hot spots and rewrite rules" },
	{ "feedback", ab_feedback_main, "build, run, profile, write rules, rebuild, rerun, compare" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* Exit status for usage errors, shared with the subcommands. */
enum { EXIT_USAGE = 2 };

static void usage(FILE *f)
{
	fprintf(f, "usage: afterburn COMMAND [ARGS...]\n"
		"       afterburn --help | --version\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'afterburn COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("afterburn %s\n", AB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "afterburn: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
