/*
 * afterburn patch: rewrite an image's sites for a target, or list them.
 *
 *   afterburn patch --target bare|l4|trap IN [-o OUT] [--wedge WEDGE.elf]
 *   afterburn patch --list IN
 *
 * The library does the work on a copy of the file in memory; this file
 * reads and writes files and prints.  Exit status: 0 done, 1 some records
 * were rejected (the rest is still patched and written, unless --strict),
 * 2 usage error or an image the loader refuses (docs/loader.md).
 */
#define _GNU_SOURCE   /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_format.h"
#include "patch_cmd.h"

static const char usage_text[] =
	"usage: afterburn patch --target bare|l4|trap IN [-o OUT] [--wedge WEDGE.elf] [OPTIONS]\n"
	"       afterburn patch --list IN [OPTIONS]\n"
	"\n"
	"Rewrite the .afterburn sites of a pre-virtualized ELF for a target:\n"
	"  bare   change nothing (the output is byte-identical to IN)\n"
	"  l4     every site becomes inline code or a call into the wedge\n"
	"  trap   silent sites as l4; trapping sites are left to trap\n"
	"Every record is validated first; a bad one is rejected, left as it is,\n"
	"and reported.  Without -o, nothing is written (a dry run).\n"
	"\n"
	"  -t, --target T          bare, l4 or trap\n"
	"  -o, --output OUT        write the patched image to OUT\n"
	"  -w, --wedge WEDGE.elf   the wedge whose export table gives the entry\n"
	"                          points (needed by l4 and trap)\n"
	"  --site-table FILE       also write the site table the wedge gets\n"
	"                          (docs/abi/wedge.md)\n"
	"  -l, --list              list every site, with its status and outcome\n"
	"  --json                  print one JSON object instead of tables\n"
	"  --strict                write nothing if any record is rejected\n"
	"  -q, --quiet             print only the summary line\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 done, 1 records rejected, 2 usage error or a refused\n"
	"image (the error names the code, e.g. E_TRUNCATED).  See docs/loader.md.\n";

struct opts {
	int target, list, json, strict, quiet;
	const char *in, *out, *wedge, *site_table;
};

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "afterburn patch: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "Try 'afterburn patch --help'.\n");
	return AB_PATCH_ERROR;
}

enum { OPT_JSON = 256, OPT_STRICT, OPT_SITE_TABLE };

static const struct option long_opts[] = {
	{ "target", required_argument, NULL, 't' },
	{ "output", required_argument, NULL, 'o' },
	{ "wedge", required_argument, NULL, 'w' },
	{ "site-table", required_argument, NULL, OPT_SITE_TABLE },
	{ "list", no_argument, NULL, 'l' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* 0 and the options, 1 for --help, or AB_PATCH_ERROR after a message. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;
	o->target = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:o:w:lqh", long_opts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->target = ab_target_by_name(optarg);
			if (o->target < 0)
				return usage_error("unknown target (bare, l4 or trap)", optarg);
			break;
		case 'o': o->out = optarg; break;
		case 'w': o->wedge = optarg; break;
		case OPT_SITE_TABLE: o->site_table = optarg; break;
		case 'l': o->list = 1; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_STRICT: o->strict = 1; break;
		case 'q': o->quiet = 1; break;
		case 'h': fputs(usage_text, stdout); return 1;
		default: return usage_error("bad option", NULL);
		}
	}
	if (optind != argc - 1)
		return usage_error(optind < argc ? "exactly one input file" : "no input file", NULL);
	o->in = argv[optind];
	if (o->target < 0 && !o->list)
		return usage_error("give --target T or --list", NULL);
	if (o->target < 0 && (o->out || o->site_table))
		return usage_error("-o and --site-table need --target", NULL);
	if (o->target > 0 && !o->wedge)
		return usage_error("targets l4 and trap need --wedge WEDGE.elf", NULL);
	if (o->site_table && o->target == AB_TARGET_BARE)
		return usage_error("target bare makes no site table", NULL);
	return 0;
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f || fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "afterburn patch: %s: %s\n", path, f ? "not a regular file" : strerror(errno));
		if (f)
			fclose(f);
		return NULL;
	}
	*size = (size_t)st.st_size;
	uint8_t *buf = malloc(*size ? *size : 1);
	if (!buf || fread(buf, 1, *size, f) != *size) {
		fprintf(stderr, "afterburn patch: %s: cannot read\n", path);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Write through a temporary file and rename, so a failure never leaves a
 * half-written OUT behind. */
static int write_file(const char *path, const void *data, size_t size)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + 16);
	if (!tmp)
		return -1;
	snprintf(tmp, len + 16, "%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	int ok = f && fwrite(data, 1, size, f) == size;
	if (f && fclose(f))
		ok = 0;
	if (ok && rename(tmp, path))
		ok = 0;
	if (!ok) {
		fprintf(stderr, "afterburn patch: %s: %s\n", path, strerror(errno));
		remove(tmp);
	}
	free(tmp);
	return ok ? 0 : -1;
}

static int image_error(const struct opts *o, const char *path, int status)
{
	fprintf(stderr, "afterburn patch: %s: %s (%d): %s\n", path, ab_ld_status_name((unsigned)status),
		status, ab_ld_status_text((unsigned)status));
	if (o->json)
		ab_report_json_error(stdout, path, status);
	return AB_PATCH_ERROR;
}

static int load_wedge(const struct opts *o, struct ab_wedge *w)
{
	size_t size = 0;
	uint8_t *buf = read_file(o->wedge, &size);
	if (!buf)
		return AB_PATCH_ERROR;
	struct ab_image img;
	int r = ab_image_parse(&img, buf, size);
	if (!r)
		r = ab_wedge_parse(&img, w);
	free(buf);
	return r ? image_error(o, o->wedge, r) : 0;
}

struct work {
	uint8_t *in, *out;
	size_t size;
	struct ab_site *sites;
	struct ab_wedge_site_table *table;
	size_t table_size;
	struct ab_funcs *funcs;
};

static void work_free(struct work *w)
{
	free(w->in);
	free(w->out);
	free(w->sites);
	free(w->table);
	ab_funcs_free(w->funcs);
}

static int write_outputs(const struct opts *o, struct work *wk, const struct ab_patch_stats *st)
{
	if (o->strict && st->rejected_total) {
		fprintf(stderr, "afterburn patch: %u records rejected; --strict: nothing written\n",
			st->rejected_total);
		return AB_PATCH_REJECTED;
	}
	if (o->out && write_file(o->out, wk->out, wk->size))
		return AB_PATCH_ERROR;
	if (o->site_table) {
		uint32_t count = wk->table ? (uint32_t)wk->table->count : 0;
		size_t len = sizeof *wk->table + (size_t)count * sizeof(struct ab_wedge_site);
		if (wk->table && write_file(o->site_table, wk->table, len))
			return AB_PATCH_ERROR;
	}
	return st->rejected_total ? AB_PATCH_REJECTED : AB_PATCH_OK;
}

static int run(const struct opts *o, struct work *wk)
{
	struct ab_image img;
	struct ab_wedge wedge;
	size_t n = 0;

	if (o->wedge && load_wedge(o, &wedge))
		return AB_PATCH_ERROR;
	if (!(wk->in = read_file(o->in, &wk->size)))
		return AB_PATCH_ERROR;
	int r = ab_image_parse(&img, wk->in, wk->size);
	if (!r && (r = ab_sites_collect(&img, NULL, 0, &n)) == AB_LD_E_TOO_MANY) {
		wk->sites = calloc(n ? n : 1, sizeof *wk->sites);
		r = wk->sites ? ab_sites_collect(&img, wk->sites, n, &n) : AB_LD_E_TOO_MANY;
	}
	if (r)
		return image_error(o, o->in, r);

	/* Patch a copy; --list alone patches for bare into nothing, for the counts. */
	struct ab_backing out = { NULL, 0, 0, 0 };
	struct ab_site_table_out table = { NULL, 0 };
	int target = o->target < 0 ? AB_TARGET_BARE : o->target;
	if (o->target >= 0) {
		if (!(wk->out = malloc(wk->size ? wk->size : 1)))
			return image_error(o, o->in, AB_LD_E_TOO_MANY);
		memcpy(wk->out, wk->in, wk->size);
		out.mem = wk->out;
		out.size = wk->size;
	}
	if (target != AB_TARGET_BARE && img.type != ET_REL && !img.is64) {
		size_t want = sizeof *table.table + n * sizeof(struct ab_wedge_site);
		wk->table_size = want < wedge.site_table_size ? want : wedge.site_table_size;
		if (!(wk->table = calloc(1, wk->table_size)))
			return image_error(o, o->in, AB_LD_E_TOO_MANY);
		table.table = wk->table;
		table.size = wk->table_size;
	}
	struct ab_patch_stats st;
	r = ab_patch(&img, wk->sites, n, (enum ab_target)target, o->wedge ? &wedge : NULL, &out,
		     &table, &st);
	if (r)
		return image_error(o, o->in, r);

	wk->funcs = ab_funcs_load(&img);
	struct ab_patch_run rep = { o->in, &img, wk->sites, n, o->target, o->wedge, &st, wk->funcs };
	ab_report_rejected(stderr, &rep);
	if (o->json)
		ab_report_json(stdout, &rep, o->list);
	else
		ab_report_text(stdout, &rep, o->list, o->quiet);
	if (o->target >= 0 && !o->out && !o->json && !o->quiet)
		printf("dry run: no -o, nothing written\n");
	return write_outputs(o, wk, &st);
}

int ab_patch_main(int argc, char **argv)
{
	struct opts o = { 0 };
	int r = parse_opts(argc, argv, &o);
	if (r)
		return r == 1 ? AB_PATCH_OK : r;
	struct work wk = { 0 };
	r = run(&o, &wk);
	work_free(&wk);
	return r;
}
