/*
 * Load-time patch throughput: how long the loader takes to patch every
 * site of an image, host-native, without file I/O.  The input is read
 * once; each round first copies it, untimed (a loader has the image in
 * memory already), then times parsing, collecting and validating the
 * sites, and patching them for l4.  The copy is timed on its own, for
 * scale.  Prints one table row per image.
 *
 *   patch_throughput [-n ROUNDS] WEDGE.elf VMLINUX...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loader.h"

static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	rewind(f);
	uint8_t *buf = malloc(*size);
	if (buf && fread(buf, 1, *size, f) != *size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct result {
	size_t sites, patched;
	double median_us, min_us, copy_us;
};

/* One full round: parse, collect, patch.  Returns the number patched, or -1. */
static long round_once(const uint8_t *in, size_t size, uint8_t *out, struct ab_site *sites, size_t cap,
		       const struct ab_wedge *w, struct ab_wedge_site_table *table, size_t tsize)
{
	struct ab_image img;
	size_t n;
	struct ab_patch_stats st;
	(void)in;
	if (ab_image_parse(&img, out, size) || ab_sites_collect(&img, sites, cap, &n))
		return -1;
	struct ab_backing b = { out, 0, size, 0 };
	struct ab_site_table_out t = { table, tsize };
	if (ab_patch(&img, sites, n, AB_TARGET_L4, w, &b, &t, &st))
		return -1;
	return (long)st.patched;
}

static int bench(const char *path, const struct ab_wedge *w, int rounds, struct result *r)
{
	size_t size, n;
	uint8_t *in = slurp(path, &size);
	struct ab_image img;
	if (!in || ab_image_parse(&img, in, size)) {
		fprintf(stderr, "patch_throughput: %s: cannot read or parse\n", path);
		return -1;
	}
	ab_sites_collect(&img, NULL, 0, &n);
	struct ab_site *sites = calloc(n + 1, sizeof *sites);
	size_t tsize = sizeof(struct ab_wedge_site_table) + n * sizeof(struct ab_wedge_site);
	struct ab_wedge_site_table *table = calloc(1, tsize);
	uint8_t *out = malloc(size);
	double *t = calloc((size_t)rounds, sizeof *t), copy = 1e30;
	long patched = 0;
	for (int i = 0; i < rounds; i++) {
		double t0 = now_us();
		memcpy(out, in, size);
		double t1 = now_us();
		patched = round_once(in, size, out, sites, n, w, table, tsize);
		double t2 = now_us();
		if (patched < 0) {
			fprintf(stderr, "patch_throughput: %s: patch failed\n", path);
			return -1;
		}
		if (t1 - t0 < copy)
			copy = t1 - t0;
		t[i] = t2 - t1;
	}
	qsort(t, (size_t)rounds, sizeof *t, cmp_double);
	*r = (struct result){ n, (size_t)patched, t[rounds / 2], t[0], copy };
	free(in), free(sites), free(table), free(out), free(t);
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = 200, c;
	while ((c = getopt(argc, argv, "n:")) != -1)
		if (c == 'n')
			rounds = atoi(optarg) > 0 ? atoi(optarg) : 1;
	if (argc - optind < 2) {
		fprintf(stderr, "usage: patch_throughput [-n ROUNDS] WEDGE.elf VMLINUX...\n");
		return 2;
	}
	size_t wsize;
	uint8_t *wbuf = slurp(argv[optind], &wsize);
	struct ab_image wimg;
	struct ab_wedge w;
	if (!wbuf || ab_image_parse(&wimg, wbuf, wsize) || ab_wedge_parse(&wimg, &w)) {
		fprintf(stderr, "patch_throughput: %s: not a wedge\n", argv[optind]);
		return 2;
	}
	printf("| image | sites | patched (l4) | median ms | min ms | sites/s (median) | copy ms (min) | target < 5 ms |\n");
	printf("|---|---|---|---|---|---|---|---|\n");
	int status = 0;
	for (int i = optind + 1; i < argc; i++) {
		struct result r;
		if (bench(argv[i], &w, rounds, &r)) {
			status = 1;
			continue;
		}
		printf("| %s | %zu | %zu | %.3f | %.3f | %.0f | %.3f | %s |\n", argv[i], r.sites, r.patched,
		       r.median_us / 1e3, r.min_us / 1e3, r.sites / (r.median_us / 1e6), r.copy_us / 1e3,
		       r.median_us < 5000 ? "met" : "MISSED");
	}
	printf("\n%d rounds each; a round is parse + collect/validate/sort + patch for l4 on an\n"
	       "in-memory copy of the image (the copy itself untimed, shown for scale);\n"
	       "host wall clock, release build.\n", rounds);
	free(wbuf);
	return status;
}
