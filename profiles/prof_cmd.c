/*
 * The command line of `afterburn prof`: its subcommands, and `report`.
 *   0  done
 *   1  a bad dump or ELF, or an output that could not be written
 *   2  usage error
 */
#define _GNU_SOURCE   /* getopt_long */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "prof_cmd.h"

int prof_usage_error(const char *cmd, const char *msg, const char *arg)
{
	fprintf(stderr, "afterburn prof %s: %s%s%s\nTry 'afterburn prof %s --help'.\n", cmd, msg,
		arg ? ": " : "", arg ? arg : "", cmd);
	return PROF_EXIT_USAGE;
}

int prof_parse_count(const char *s, size_t *out)
{
	char *end;
	if (!s || *s < '0' || *s > '9')
		return -1;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || v > 1000000000ul)
		return -1;
	*out = v;
	return 0;
}

int prof_load(const char *dump, const char *elf, struct prof_dump *d, struct prof_symtab **st,
	      struct prof_sym **syms)
{
	struct prof_err err;
	*st = NULL;
	*syms = NULL;
	if (prof_dump_load(dump, d, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	if (!elf)
		return 0;
	if (!(*st = prof_symtab_open(elf, &err))) {
		fprintf(stderr, "afterburn prof: %s\n", err.msg);
		prof_dump_free(d);
		return -1;
	}
	if (!(*syms = prof_symbolize_dump(*st, d))) {
		fprintf(stderr, "afterburn prof: out of memory\n");
		prof_symtab_close(*st);
		prof_dump_free(d);
		return -1;
	}
	return 0;
}

static const char usage_text[] =
	"usage: afterburn prof report DUMP [--elf ELF] [options]   hot spots of a trap dump\n"
	"       afterburn prof rules DUMP --elf ELF -o RULES [...]  rewrite rules from it\n"
	"\n"
	"DUMP is a trap dump (docs/abi/trap-dump.md): the file `afterburn run --profile`\n"
	"writes, or a whole console log holding one.  'afterburn prof COMMAND --help'\n"
	"gives a command's options; docs/profiles.md tells more.\n";

int ab_prof_main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return PROF_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(cmd, "report"))
		return prof_report_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "rules"))
		return prof_rules_main(argc - 1, argv + 1);
	fprintf(stderr, "afterburn prof: unknown command '%s'\n\n", cmd);
	fputs(usage_text, stderr);
	return PROF_EXIT_USAGE;
}
