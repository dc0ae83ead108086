/*
 * afterburn prof report DUMP [--elf ELF] [--top N] [--by site|function|kind]
 *                            [--class all|sensitive] [--json] [--svg F] [--html F]
 */
#define _GNU_SOURCE   /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "prof_cmd.h"

static const char usage_text[] =
	"usage: afterburn prof report DUMP [--elf ELF] [options]\n"
	"\n"
	"The hot spots of a trap dump: traps per class (sensitive instructions,\n"
	"the guest's exceptions and system calls, interrupts, hidden page faults,\n"
	"hypercalls, unknown), then a table of the hottest sites with their\n"
	"function, file:line and source line (from ELF's symbols and DWARF).\n"
	"\n"
	"  --elf ELF             the guest the dump is of (without it: no symbols)\n"
	"  --top N               rows in the table (default 20; 0: all)\n"
	"  --by site|function|kind  one row per (eip, kind) (default), or grouped\n"
	"  --class all|sensitive the rows' classes (default all); share is of them\n"
	"  --json                print one JSON object instead (docs/profiles.md)\n"
	"  --svg FILE            also draw the hot spots, by function and by kind\n"
	"  --html FILE           also write an HTML page with the picture and table\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit status: 0, 1 a bad dump or ELF (the error names FILE:LINE), 2 usage.\n";

enum { OPT_ELF = 256, OPT_TOP, OPT_BY, OPT_CLASS, OPT_JSON, OPT_SVG, OPT_HTML };

static const struct option long_opts[] = {
	{ "elf", required_argument, NULL, OPT_ELF },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "by", required_argument, NULL, OPT_BY },
	{ "class", required_argument, NULL, OPT_CLASS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "svg", required_argument, NULL, OPT_SVG },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Write one picture file with fn; 0 or -1 (reported). */
static int write_file(const char *path, int html, const struct prof_report_ctx *c,
		      const struct prof_table *t)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "afterburn prof report: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int r = html ? prof_report_html(f, c, t) : prof_report_svg(f, c);
	if (ferror(f))
		r = -1;
	if (fclose(f))
		r = -1;
	if (r) {
		fprintf(stderr, "afterburn prof report: %s: write error\n", path);
		remove(path);
	}
	return r;
}

int prof_report_main(int argc, char **argv)
{
	const char *elf = NULL, *svg = NULL, *html = NULL;
	size_t top = 20;
	int json = 0, sensitive = 0, c;
	enum prof_by by = PROF_BY_SITE;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ELF: elf = optarg; break;
		case OPT_TOP:
			if (prof_parse_count(optarg, &top))
				return prof_usage_error("report", "--top wants a number", optarg);
			break;
		case OPT_BY:
			if (!strcmp(optarg, "site"))
				by = PROF_BY_SITE;
			else if (!strcmp(optarg, "function"))
				by = PROF_BY_FUNCTION;
			else if (!strcmp(optarg, "kind"))
				by = PROF_BY_KIND;
			else
				return prof_usage_error("report", "--by wants site, function or kind", optarg);
			break;
		case OPT_CLASS:
			if (strcmp(optarg, "all") && strcmp(optarg, "sensitive"))
				return prof_usage_error("report", "--class wants all or sensitive", optarg);
			sensitive = !strcmp(optarg, "sensitive");
			break;
		case OPT_JSON: json = 1; break;
		case OPT_SVG: svg = optarg; break;
		case OPT_HTML: html = optarg; break;
		case 'h':
			fputs(usage_text, stdout);
			return PROF_EXIT_OK;
		default:
			return prof_usage_error("report", "unknown option or missing argument", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return prof_usage_error("report", optind == argc ? "no DUMP given" : "more than one DUMP",
					optind == argc ? NULL : argv[optind + 1]);
	const char *dump = argv[optind];

	struct prof_dump d;
	struct prof_symtab *st;
	struct prof_sym *syms;
	if (prof_load(dump, elf, &d, &st, &syms))
		return PROF_EXIT_INPUT;
	int status = PROF_EXIT_OK;
	struct prof_table t;
	struct prof_report_ctx ctx = { dump, elf, &d, syms, sensitive, top };
	if (prof_table_make(&d, syms, by, sensitive, top, &t)) {
		fprintf(stderr, "afterburn prof report: out of memory\n");
		status = PROF_EXIT_INPUT;
	} else {
		if (json)
			prof_report_json(stdout, &ctx, &t);
		else
			prof_report_text(stdout, &ctx, &t);
		if ((svg && write_file(svg, 0, &ctx, &t)) || (html && write_file(html, 1, &ctx, &t)))
			status = PROF_EXIT_INPUT;
		if (fflush(stdout)) {
			fprintf(stderr, "afterburn prof report: stdout: %s\n", strerror(errno));
			status = PROF_EXIT_INPUT;
		}
		prof_table_free(&t);
	}
	prof_syms_free(syms, d.n);
	prof_symtab_close(st);
	prof_dump_free(&d);
	return status;
}
