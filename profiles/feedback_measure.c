/*
 * The figures `afterburn feedback` compares: sites and code bytes of an
 * ELF, trap totals per class of a dump, and which rules matched nothing in
 * the whole build (the log afterburn-as appends to, docs/abi/rules.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfimage.h"
#include "elfsites.h"
#include "feedback_impl.h"
#include "kinds.h"
#include "prof.h"

int fb_measure_elf(struct fb_side *side)
{
	struct ab_elf img;
	struct ab_elf_sites sites = { 0 };
	char err[256];
	if (ab_elf_open(&img, side->elf, err, sizeof err)) {
		fprintf(stderr, "afterburn feedback: %s\n", err);
		return -1;
	}
	if (ab_elf_sites_read(&sites, &img, err, sizeof err)) {
		fprintf(stderr, "afterburn feedback: %s: %s\n", side->elf, err);
		ab_elf_close(&img);
		return -1;
	}
	side->sites = sites.n;
	for (size_t i = 0; i < sites.n; i++) {
		const struct ab_kind_info *k = ab_kind_info(sites.v[i].rec.kind);
		if (k && k->cls < 3)
			side->sites_by_class[k->cls]++;
	}
	for (size_t i = 0; i < img.ncode; i++) {
		const struct ab_elf_section *s = &img.sections[img.code[i]];
		side->code_bytes += s->size;
		if (!strcmp(s->name, ".text"))
			side->text_bytes = s->size;
	}
	ab_elf_sites_free(&sites);
	ab_elf_close(&img);
	return 0;
}

/* The rules of a file: how many action lines it has, and the line numbers
 * of the first cap of them. */
static size_t rule_lines(const char *rules, unsigned *lines, size_t cap)
{
	FILE *f = fopen(rules, "r");
	char buf[4096];
	size_t n = 0;
	unsigned ln = 0;
	while (f && fgets(buf, sizeof buf, f)) {
		ln++;
		const char *p = buf + strspn(buf, " \t");
		if (!strncmp(p, "annotate", 8) || !strncmp(p, "exclude", 7) || !strncmp(p, "emit-inline", 11)) {
			if (n < cap)
				lines[n] = ln;
			n++;
		}
	}
	if (f)
		fclose(f);
	return n;
}

unsigned long fb_rule_count(const char *rules)
{
	return rule_lines(rules, NULL, 0);
}

int fb_unmatched_rules(const char *rules, const char *log, FILE *out)
{
	enum { CAP = 4096 };
	static unsigned lines[CAP];
	static unsigned long hits[CAP];
	size_t n = rule_lines(rules, lines, CAP);
	if (n > CAP)
		n = CAP;
	FILE *f = fopen(log, "r");
	if (!f) {
		fprintf(out, "afterburn feedback: %s: no rules log (did the build run afterburn-as?)\n", log);
		return -1;
	}
	memset(hits, 0, sizeof hits);
	char buf[8192];
	size_t plen = strlen(rules);
	unsigned long seen = 0;
	while (fgets(buf, sizeof buf, f)) {
		/* "RULESPATH:LINE HITS" */
		char *sp = strrchr(buf, ' '), *colon;
		if (!sp)
			continue;
		*sp = 0;
		colon = strrchr(buf, ':');
		if (!colon || (size_t)(colon - buf) != plen || strncmp(buf, rules, plen))
			continue;
		unsigned ln = (unsigned)strtoul(colon + 1, NULL, 10);
		unsigned long h = strtoul(sp + 1, NULL, 10);
		seen++;
		for (size_t i = 0; i < n; i++)
			if (lines[i] == ln)
				hits[i] += h;
	}
	fclose(f);
	if (!seen) {
		fprintf(out, "afterburn feedback: %s names no rule of %s\n", log, rules);
		return -1;
	}
	int unmatched = 0;
	for (size_t i = 0; i < n; i++)
		if (!hits[i]) {
			fprintf(out, "%s:%u: warning: the rule matched nothing in the build\n", rules, lines[i]);
			unmatched++;
		}
	return unmatched;
}

int fb_measure_dump(struct fb_side *side)
{
	struct prof_dump d;
	struct prof_err err;
	if (prof_dump_load(side->dump, &d, &err)) {
		fprintf(stderr, "afterburn feedback: %s\n", err.msg);
		return -1;
	}
	_Static_assert((int)FB_CLASSES == (int)PROF_NCLASSES, "feedback's classes are prof's");
	for (int c = 0; c < FB_CLASSES; c++)
		side->traps[c] = d.by_class[c];
	side->lost = d.lost;
	prof_dump_free(&d);
	return 0;
}
