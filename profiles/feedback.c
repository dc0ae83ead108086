/*
 * afterburn feedback: the loop of the third idea of soft layering, in one
 * command (docs/profiles.md).  Build with the base policy, run on the
 * hypervisor, turn the trap dump into rules, rebuild with them, run
 * again, and compare: traps per class, sites, code size, output.
 *
 * Every artefact stays in --dir, named by step, so a surprising figure can
 * be traced to the command that made it (each is printed as it runs).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "feedback.h"
#include "feedback_impl.h"

enum { EXIT_USAGE = 2 };

static void usage(FILE *f)
{
	fprintf(f,
"usage: afterburn feedback --build CMD --elf ELF [options]\n"
"\n"
"Build, run, profile, write rules, rebuild, rerun, compare (docs/profiles.md).\n"
"\n"
"  --build CMD        shell command that builds ELF; it sees AFTERBURN_POLICY,\n"
"                     AFTERBURN_RULES and AFTERBURN_RULES_LOG in its environment\n"
"  --elf ELF          the file CMD writes\n"
"  --dir DIR          keep every step's files here (default: feedback.out)\n"
"  --policy P         the base policy, minimal (default), none or full\n"
"  --target T         where the runs go: l4 (default) or trap\n"
"  --top N            rules for the N hottest spots\n"
"  --min-share P      rules for the spots with at least P%% of the sensitive traps\n"
"                     (default: the fewest spots covering 95%%; see afterburn prof rules)\n"
"  --rules FILE       the first build uses these rules (a further iteration)\n"
"  --run-arg ARG      pass ARG to afterburn run (repeat: --run-arg --initrd --run-arg F)\n"
"  --timeout S        per run (afterburn run --timeout)\n"
"  --compare PREFIX   compare only the output lines that start with PREFIX\n"
"                     (a kernel's boot log holds timing lines; its workload's do not)\n"
"  --no-full          skip the policy-full build that the site count is compared with\n"
"  -q, --quiet        print only the table\n"
"  -h, --help\n"
"\n"
"Exit status: 0 if the loop ran and both runs gave the same output and status,\n"
"1 if a step failed or the outputs differ, 2 for usage errors.\n");
}

static int parse(int argc, char **argv, struct fb_opts *o)
{
	static const struct option longopts[] = {
		{ "build", required_argument, 0, 'b' }, { "elf", required_argument, 0, 'e' },
		{ "dir", required_argument, 0, 'd' }, { "policy", required_argument, 0, 'p' },
		{ "target", required_argument, 0, 't' }, { "top", required_argument, 0, 'n' },
		{ "min-share", required_argument, 0, 's' }, { "rules", required_argument, 0, 'r' },
		{ "run-arg", required_argument, 0, 'a' }, { "timeout", required_argument, 0, 'T' },
		{ "compare", required_argument, 0, 'c' },
		{ "no-full", no_argument, 0, 'F' }, { "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
	};
	memset(o, 0, sizeof *o);
	o->dir = "feedback.out";
	o->policy = "minimal";
	o->target = "l4";
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': o->build = optarg; break;
		case 'e': o->elf = optarg; break;
		case 'd': o->dir = optarg; break;
		case 'p': o->policy = optarg; break;
		case 't': o->target = optarg; break;
		case 'n': o->top = optarg; break;
		case 's': o->min_share = optarg; break;
		case 'r': o->start_rules = optarg; break;
		case 'T': o->timeout = optarg; break;
		case 'c': o->compare = optarg; break;
		case 'F': o->no_full = 1; break;
		case 'q': o->quiet = 1; break;
		case 'a':
			if (o->n_run_args >= FB_MAX_RUN_ARGS) {
				fprintf(stderr, "afterburn feedback: more than %d --run-arg\n", FB_MAX_RUN_ARGS);
				return EXIT_USAGE;
			}
			o->run_args[o->n_run_args++] = optarg;
			break;
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	const char *why = NULL;
	if (optind < argc)
		why = "unexpected argument";
	else if (!o->build || !o->elf)
		why = "--build and --elf are required";
	else if (strcmp(o->policy, "minimal") && strcmp(o->policy, "none") && strcmp(o->policy, "full"))
		why = "--policy must be none, minimal or full";
	else if (strcmp(o->target, "l4") && strcmp(o->target, "trap"))
		why = "--target must be l4 or trap";
	else if (o->top && o->min_share)
		why = "--top and --min-share exclude each other";
	if (why) {
		fprintf(stderr, "afterburn feedback: %s\n\n", why);
		usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

static void path(char *dst, const struct fb_opts *o, const char *name)
{
	snprintf(dst, 4096, "%s/%s", o->dir, name);
}

static void step(const struct fb_opts *o, const char *what)
{
	static int n;
	if (!o->quiet)
		fprintf(stderr, "feedback: [%d/7] %s\n", ++n, what);
}

/* Build with policy and rules; keep the ELF as dir/NAME.elf. */
static int build(const struct fb_opts *o, const char *policy, const char *rules, const char *log,
		 const char *name, struct fb_side *side)
{
	char out[4096], err[4096];
	path(side->elf, o, name);
	strncat(side->elf, ".elf", sizeof side->elf - strlen(side->elf) - 1);
	path(out, o, name);
	strncat(out, ".build.log", sizeof out - strlen(out) - 1);
	snprintf(err, sizeof err, "%s", out);
	struct fb_env env[] = {
		{ "AFTERBURN_POLICY", policy }, { "AFTERBURN_RULES", rules },
		{ "AFTERBURN_RULES_LOG", log }, { NULL, NULL }
	};
	if (log)
		remove(log);
	if (!o->quiet)
		fprintf(stderr, "feedback:   AFTERBURN_POLICY=%s%s%s sh -c '%s'  (log: %s)\n", policy,
			rules ? " AFTERBURN_RULES=" : "", rules ? rules : "", o->build, out);
	remove(o->elf);
	char *argv[] = { "/bin/sh", "-c", (char *)o->build, NULL };
	int st = fb_spawn(argv, env, out, err);
	if (st != 0) {
		fprintf(stderr, "afterburn feedback: the build failed (status %d); see %s\n", st, out);
		return -1;
	}
	char *cp[] = { "/bin/cp", "--", (char *)o->elf, side->elf, NULL };
	if (fb_spawn(cp, NULL, NULL, NULL) != 0) {
		fprintf(stderr, "afterburn feedback: the build did not write %s\n", o->elf);
		return -1;
	}
	return fb_measure_elf(side);
}

/* afterburn run --target T ELF --profile DUMP, its stdout kept as the output. */
static int run(const struct fb_opts *o, const char *name, struct fb_side *side)
{
	char *argv[8 + 2 * 1 + FB_MAX_RUN_ARGS + 1];
	int n = 0;
	path(side->dump, o, name);
	strncat(side->dump, ".dump", sizeof side->dump - strlen(side->dump) - 1);
	path(side->out, o, name);
	strncat(side->out, ".out", sizeof side->out - strlen(side->out) - 1);
	path(side->err, o, name);
	strncat(side->err, ".err", sizeof side->err - strlen(side->err) - 1);
	argv[n++] = (char *)fb_self();
	argv[n++] = "run";
	argv[n++] = "--target";
	argv[n++] = (char *)o->target;
	argv[n++] = "--profile";
	argv[n++] = side->dump;
	if (o->timeout) {
		argv[n++] = "--timeout";
		argv[n++] = (char *)o->timeout;
	}
	for (int i = 0; i < o->n_run_args; i++)
		argv[n++] = (char *)o->run_args[i];
	argv[n++] = side->elf;
	argv[n] = NULL;
	if (!o->quiet)
		fprintf(stderr, "feedback:   afterburn run --target %s --profile %s %s > %s\n", o->target,
			side->dump, side->elf, side->out);
	remove(side->dump);
	side->run_status = fb_spawn(argv, NULL, side->out, side->err);
	if (side->run_status < 0 || side->run_status >= 124) {
		fprintf(stderr, "afterburn feedback: the run failed (status %d); see %s\n", side->run_status,
			side->err);
		return -1;
	}
	return fb_measure_dump(side);
}

static int rules(const struct fb_opts *o, const struct fb_side *before, const char *out)
{
	char *argv[12];
	int n = 0;
	argv[n++] = (char *)fb_self();
	argv[n++] = "prof";
	argv[n++] = "rules";
	argv[n++] = (char *)before->dump;
	argv[n++] = "--elf";
	argv[n++] = (char *)before->elf;
	argv[n++] = "-o";
	argv[n++] = (char *)out;
	if (o->top) {
		argv[n++] = "--top";
		argv[n++] = (char *)o->top;
	} else if (o->min_share) {
		argv[n++] = "--min-share";
		argv[n++] = (char *)o->min_share;
	}
	argv[n] = NULL;
	if (!o->quiet)
		fprintf(stderr, "feedback:   afterburn prof rules %s --elf %s -o %s\n", before->dump, before->elf, out);
	int st = fb_spawn(argv, NULL, NULL, NULL);
	if (st != 0)
		fprintf(stderr, "afterburn feedback: prof rules failed (status %d)\n", st);
	return st ? -1 : 0;
}

/* The next line of f that starts with prefix, whole (getline), into *buf;
 * its length, or -1 at the end. */
static ssize_t next_line(FILE *f, const char *prefix, char **buf, size_t *size)
{
	ssize_t n;
	while ((n = getline(buf, size, f)) >= 0)
		if (!strncmp(*buf, prefix, strlen(prefix)))
			return n;
	return -1;
}

/* The two runs' outputs: byte for byte, or with --compare only their lines
 * with the prefix (the rest must not matter: a kernel's boot lines time
 * things). */
static int same_output(const char *a, const char *b, const char *prefix)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int same = fa && fb;
	char *la = NULL, *lb = NULL;
	size_t sa = 0, sb = 0;
	while (same && !prefix) {
		int ca = getc(fa), cb = getc(fb);
		if (ca != cb)
			same = 0;
		if (ca == EOF || cb == EOF)
			break;
	}
	while (same && prefix) {
		ssize_t na = next_line(fa, prefix, &la, &sa), nb = next_line(fb, prefix, &lb, &sb);
		if (na != nb || (na > 0 && memcmp(la, lb, (size_t)na)))
			same = 0;
		if (na < 0 || nb < 0)
			break;
	}
	free(la);
	free(lb);
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

int ab_feedback_main(int argc, char **argv)
{
	struct fb_opts o;
	int r = parse(argc, argv, &o);
	if (r)
		return r < 0 ? 0 : r;
	if (mkdir(o.dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "afterburn feedback: %s: %s\n", o.dir, strerror(errno));
		return 1;
	}
	struct fb_side before = { 0 }, after = { 0 }, full = { 0 };
	char rules_file[4096], log[4096];
	path(rules_file, &o, "rules");
	path(log, &o, "rules.log");

	step(&o, "build with the base policy");
	if (build(&o, o.policy, o.start_rules, NULL, "before", &before))
		return 1;
	step(&o, "build with policy full, for the site count");
	if (!o.no_full && build(&o, "full", NULL, NULL, "full", &full))
		return 1;
	step(&o, "run it and keep the trap dump");
	if (run(&o, "before", &before))
		return 1;
	step(&o, "write rules from the profile");
	if (rules(&o, &before, rules_file))
		return 1;
	step(&o, "rebuild with the rules");
	if (build(&o, o.policy, rules_file, log, "after", &after))
		return 1;
	step(&o, "run it again");
	if (run(&o, "after", &after))
		return 1;
	step(&o, "compare");
	int same = same_output(before.out, after.out, o.compare) && before.run_status == after.run_status;
	int unmatched = fb_unmatched_rules(rules_file, log, stderr);
	unsigned long nrules = fb_rule_count(rules_file);
	fb_print_table(stdout, &before, &after, o.no_full ? NULL : &full, same, unmatched, nrules);
	char json[4096];
	path(json, &o, "result.json");
	if (fb_write_json(json, &before, &after, o.no_full ? NULL : &full, same, unmatched, nrules))
		fprintf(stderr, "afterburn feedback: cannot write %s\n", json);
	if (!same)
		fprintf(stderr, "afterburn feedback: the outputs differ: %s (status %d) and %s (status %d)\n",
			before.out, before.run_status, after.out, after.run_status);
	return same ? 0 : 1;
}
