/*
 * The command line of `afterburn verify`: options in, exit status out.
 *   0  every silent sensitive instruction is covered and every site is good
 *   1  an uncovered silent instruction outside the exclusions, or a bad site
 *   2  usage or input error
 */
#define _GNU_SOURCE   /* getopt_long */
#include "verify.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: afterburn verify [OPTIONS] ELF\n"
	"\n"
	"Disassemble every executable section of ELF (i386 or x86-64, linked or\n"
	"relocatable) and check it against its .afterburn site records: list the\n"
	"sites per kind, every sensitive instruction no site covers, and every\n"
	"site whose bytes are not the recorded instruction followed by no-ops.\n"
	"\n"
	"  --json                  print one JSON object instead of tables\n"
	"  -q, --quiet             print only the summary (tables only)\n"
	"  --exclude-section PAT   excuse instructions in sections matching PAT\n"
	"  --exclude-symbol PAT    excuse instructions inside symbols matching PAT\n"
	"                          (PAT is a shell pattern; both may be repeated)\n"
	"  -h, --help              show this help\n"
	"\n"
	"Always excluded: .altinstr_replacement*, .discard* and 16-bit code\n"
	"sections (*text16*, *code16*).  Excluded instructions are listed, but\n"
	"never fail the run.\n"
	"\n"
	"Exit status: 0 pass, 1 an uncovered silent instruction or a bad site,\n"
	"2 usage or input error.  See docs/verify.md.\n";

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "afterburn verify: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "Try 'afterburn verify --help'.\n");
	return AB_VERIFY_ERROR;
}

enum { OPT_JSON = 256, OPT_EXCL_SECTION, OPT_EXCL_SYMBOL };

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "exclude-section", required_argument, NULL, OPT_EXCL_SECTION },
	{ "exclude-symbol", required_argument, NULL, OPT_EXCL_SYMBOL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int ab_verify_main(int argc, char **argv)
{
	/* At most argc patterns of each kind, so these never grow. */
	const char **sections = calloc((size_t)argc + 1, sizeof *sections);
	const char **symbols = calloc((size_t)argc + 1, sizeof *symbols);
	struct ab_verify_opts opts = { 0 };
	int json = 0, quiet = 0, c, status = AB_VERIFY_ERROR;
	if (!sections || !symbols) {
		fprintf(stderr, "afterburn verify: out of memory\n");
		goto out;
	}

	optind = 1;
	opterr = 0;   /* we word the errors ourselves */
	while ((c = getopt_long(argc, argv, "qh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = 1; break;
		case 'q': quiet = 1; break;
		case OPT_EXCL_SECTION: sections[opts.n_exclude_sections++] = optarg; break;
		case OPT_EXCL_SYMBOL: symbols[opts.n_exclude_symbols++] = optarg; break;
		case 'h':
			fputs(usage_text, stdout);
			status = AB_VERIFY_OK;
			goto out;
		default:
			status = usage_error("unknown option or missing argument", argv[optind - 1]);
			goto out;
		}
	}
	if (optind >= argc) {
		status = usage_error("no ELF file given", NULL);
		goto out;
	}
	if (optind + 1 < argc) {
		status = usage_error("more than one ELF file given", argv[optind + 1]);
		goto out;
	}
	opts.path = argv[optind];
	opts.exclude_sections = sections;
	opts.exclude_symbols = symbols;

	struct ab_verify v;
	char err[640];
	if (ab_verify_run(&v, &opts, err, sizeof err) != 0) {
		fprintf(stderr, "afterburn verify: %s\n", err);
	} else {
		if (json)
			ab_verify_print_json(stdout, &v);
		else
			ab_verify_print_text(stdout, &v, quiet);
		status = ab_verify_status(&v);
		if (fflush(stdout) != 0) {
			fprintf(stderr, "afterburn verify: cannot write the report\n");
			status = AB_VERIFY_ERROR;
		}
	}
	ab_verify_free(&v);
out:
	free(sections);
	free(symbols);
	return status;
}
