/* afterburn patch: the host command around the loader library. */
#ifndef AB_PATCH_CMD_H
#define AB_PATCH_CMD_H

#include <stdio.h>

#include "loader.h"

/* Exit statuses of afterburn patch (docs/loader.md). */
enum { AB_PATCH_OK = 0, AB_PATCH_REJECTED = 1, AB_PATCH_ERROR = 2 };

int ab_patch_main(int argc, char **argv);

/* Function symbols of an image, for naming where a site is (host only). */
struct ab_funcs;
struct ab_funcs *ab_funcs_load(const struct ab_image *img);
const char *ab_funcs_name(const struct ab_funcs *f, uint64_t addr, uint64_t *offset);
void ab_funcs_free(struct ab_funcs *f);

/* What a report needs to know about the run. */
struct ab_patch_run {
	const char *path;
	const struct ab_image *img;
	const struct ab_site *sites;
	size_t n;
	int target;                 /* -1 for --list */
	const char *wedge_path;
	const struct ab_patch_stats *stats;
	const struct ab_funcs *funcs;
};

void ab_report_text(FILE *f, const struct ab_patch_run *run, int list, int quiet);
void ab_report_json(FILE *f, const struct ab_patch_run *run, int list);
void ab_report_json_error(FILE *f, const char *path, int status);
void ab_report_rejected(FILE *f, const struct ab_patch_run *run);

#endif
