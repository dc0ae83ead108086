/*
 * afterburn prof rules DUMP --elf ELF -o RULES [--top N | --min-share P]
 *                          [--policy none|minimal|full]
 */
#define _GNU_SOURCE   /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "prof_cmd.h"

static const char usage_text[] =
	"usage: afterburn prof rules DUMP --elf ELF -o RULES [--top N | --min-share P]\n"
	"                            [--policy none|minimal|full]\n"
	"\n"
	"Write a rules file (docs/abi/rules.md) that annotates the sensitive\n"
	"instructions that trapped most in DUMP, for `afterburn-as\n"
	"--afterburn-rules=RULES` or `afterburn-cc --rules RULES` on the next build.\n"
	"Each selected site (instruction) becomes one rule that names it alone:\n"
	"annotate kind=K function=F nth=N file=PATH:LINE (the N-th K of F).  A site\n"
	"whose N cannot be found gets a rule for every K of F at PATH:LINE.\n"
	"\n"
	"  --elf ELF          the guest the dump is of, with its symbols (and -g DWARF)\n"
	"  -o RULES           the file to write ('-': stdout)\n"
	"  --top N            the N hottest sites\n"
	"  --min-share P      the sites with at least P% of the sensitive traps\n"
	"                     (neither: the fewest sites covering 95% of them)\n"
	"  --policy P         write 'policy P' (the base policy of the next build)\n"
	"  -h, --help         show this help\n"
	"\n"
	"A summary goes to stderr.  Exit status: 0, 1 a bad dump or ELF (the error\n"
	"names FILE:LINE) or a write error, 2 usage.\n";

enum { OPT_ELF = 256, OPT_TOP, OPT_MIN_SHARE, OPT_POLICY };

static const struct option long_opts[] = {
	{ "elf", required_argument, NULL, OPT_ELF },
	{ "output", required_argument, NULL, 'o' },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "min-share", required_argument, NULL, OPT_MIN_SHARE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_share(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !(v > 0 && v <= 100))
		return -1;
	*out = v;
	return 0;
}

int prof_rules_main(int argc, char **argv)
{
	struct prof_rules_opts o = { 0 };
	const char *elf = NULL, *out = NULL;
	int have_top = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ELF: elf = optarg; break;
		case 'o': out = optarg; break;
		case OPT_TOP:
			if (prof_parse_count(optarg, &o.top) || !o.top)
				return prof_usage_error("rules", "--top wants a number above 0", optarg);
			have_top = 1;
			break;
		case OPT_MIN_SHARE:
			if (parse_share(optarg, &o.min_share))
				return prof_usage_error("rules", "--min-share wants a percentage in (0, 100]", optarg);
			break;
		case OPT_POLICY:
			if (strcmp(optarg, "none") && strcmp(optarg, "minimal") && strcmp(optarg, "full"))
				return prof_usage_error("rules", "--policy wants none, minimal or full", optarg);
			o.policy = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return PROF_EXIT_OK;
		default:
			return prof_usage_error("rules", "unknown option or missing argument", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return prof_usage_error("rules", optind == argc ? "no DUMP given" : "more than one DUMP",
					optind == argc ? NULL : argv[optind + 1]);
	if (!elf)
		return prof_usage_error("rules", "--elf ELF is needed (rules name functions and lines)", NULL);
	if (!out)
		return prof_usage_error("rules", "-o RULES is needed", NULL);
	if (have_top && o.min_share > 0)
		return prof_usage_error("rules", "--top and --min-share exclude each other", NULL);
	o.dump_name = argv[optind];
	o.elf_name = elf;

	struct prof_dump d;
	struct prof_symtab *st;
	struct prof_sym *syms;
	if (prof_load(o.dump_name, elf, &d, &st, &syms))
		return PROF_EXIT_INPUT;
	int to_stdout = !strcmp(out, "-");
	FILE *f = to_stdout ? stdout : fopen(out, "w");
	int status = PROF_EXIT_OK;
	struct prof_rules_result res;
	struct prof_err err = { "" };
	if (!f) {
		fprintf(stderr, "afterburn prof rules: %s: %s\n", out, strerror(errno));
		status = PROF_EXIT_INPUT;
	} else {
		int r = prof_rules_write(f, stderr, &d, syms, &o, &res, &err);
		if (!to_stdout && fclose(f))
			r = -1;
		if (r) {
			fprintf(stderr, "afterburn prof rules: %s: %s\n", out, err.msg[0] ? err.msg : "write error");
			if (!to_stdout)
				remove(out);
			status = PROF_EXIT_INPUT;
		} else {
			fprintf(stderr, "afterburn prof rules: %s: %zu rules (%zu by nth, %zu for a group) for "
				"%zu of %zu sites, covering %llu of %llu sensitive-instruction traps (%.1f%%)%s\n",
				out, res.written, res.nth_rules, res.group_rules, res.selected, res.sites,
				(unsigned long long)res.covered, (unsigned long long)res.sensitive,
				res.sensitive ? 100.0 * (double)res.covered / (double)res.sensitive : 0.0,
				res.skipped ? "; some sites had nothing to name them by" : "");
		}
	}
	prof_syms_free(syms, d.n);
	prof_symtab_close(st);
	prof_dump_free(&d);
	return status;
}
