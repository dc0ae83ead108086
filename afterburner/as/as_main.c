/*
 * afterburn-as: a drop-in for GNU as that pre-virtualizes while it
 * assembles.  This file is the GNU-as-compatible command line; the work is
 * in mc_bridge.cpp (LLVM MC) and annotate.c (the decision).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "annotate.h"
#include "kinds.h"
#include "gas_compat.h"
#include "mc_bridge.h"
#include "rules.h"
#include "rules_log.h"

#define AB_VERSION "0.1.0"
/* The kernel's scripts/as-version.sh wants "GNU assembler ... X.Y" and
 * checks X.Y against binutils' minimum; we accept what binutils 2.40 does. */
#define AB_GAS_COMPAT "2.40"

struct as_args {
	struct ab_mc_config mc;
	const char **inputs;
	size_t n_inputs;
	const char **incs;
	const char **defsyms;
	const char *policy;
	const char *rules;
	const char *rules_log;
	int stats;
	int quiet;
	int version;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: afterburn-as [options] [file.s ...]\n"
"A drop-in for GNU as (i386 and x86-64 ELF) built on LLVM MC %s, which pads\n"
"every sensitive instruction with no-ops and records it in .afterburn.\n"
"\n"
"GNU as options understood:\n"
"  --32 | --64            code size (default --32)\n"
"  -o FILE                output object (default a.out)\n"
"  -I DIR                 .include search path\n"
"  -g, --gen-debug, --gdwarf-N, --gdwarf2\n"
"                         debug info for assembly without its own .loc\n"
"  --noexecstack, --execstack\n"
"  -W, --no-warn, --warn, --fatal-warnings\n"
"  --defsym SYM=VAL       define a symbol\n"
"  --debug-prefix-map OLD=NEW\n"
"  -march=CPU             passed to LLVM as the CPU\n"
"  -v, -V, --version      print the version (and go on, for -v/-V)\n"
"  -Qy, -Qn, -mtune=, -mrelax-relocations=, -mx86-used-note=, --traditional-format,\n"
"  --compress-debug-sections[=..], --nocompress-debug-sections, -K, -L, -R, -D, -J, -Z\n"
"                         accepted and ignored (no effect on ELF output here)\n"
"  -                      read standard input (also when no file is given)\n"
"\n"
"Afterburner options (also from the environment):\n"
"  --afterburn-policy=none|minimal|full   AFTERBURN_POLICY (default minimal)\n"
"  --afterburn-rules=FILE                 AFTERBURN_RULES (docs/abi/rules.md)\n"
"  --afterburn-rules-log=FILE             AFTERBURN_RULES_LOG: append 'RULES:LINE HITS'\n"
"                                         per rule (rules that matched nothing in a build)\n"
"  --afterburn-stats                      print sites per kind to stderr\n"
"  --afterburn-quiet                      no notes about excluded sections\n"
"  --help                                 this text\n",
		ab_mc_llvm_version());
}

static int push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv)
		return -1;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

/* Options gcc, clang and Kbuild may pass that do not change our output. */
static int ignored_option(const char *a)
{
	static const char *const exact[] = {
		"-Qy", "-Qn", "--traditional-format", "-K", "-L", "--keep-locals", "-R",
		"-D", "-J", "-Z", "--nocompress-debug-sections", "--compress-debug-sections",
		"--gdwarf-sections", "--reduce-memory-overheads", "--no-pad-sections",
		"--strip-local-absolute", "-mshared", "-mno-shared", "--divide", "-mnaked-reg",
		"--warn", "--statistics", NULL,
	};
	static const char *const prefix[] = {
		"-mtune=", "-mrelax-relocations=", "-mx86-used-note=", "--compress-debug-sections=",
		"--size-check=", "--elf-stt-common=", "--generate-missing-build-notes=",
		"--hash-size=", "-mindex-reg", "-mevexwig=", "-mvexwig=", "-mevexlig=",
		"-momit-lock-prefix=", "-mfence-as-lock-add=", "-mbranches-within-32B-boundaries",
		"-malign-branch", "-mlfence-", "-mamd64", "-mintel64", NULL,
	};
	for (int i = 0; exact[i]; i++)
		if (!strcmp(a, exact[i]))
			return 1;
	for (int i = 0; prefix[i]; i++)
		if (!strncmp(a, prefix[i], strlen(prefix[i])))
			return 1;
	return 0;
}

/* 0: parsed; 1: exit 0 (help); -1: error. */
static int parse_args(int argc, char **argv, struct as_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_ARG() do { if (!next) { fprintf(stderr, "afterburn-as: %s needs an argument\n", s); return -1; } i++; } while (0)
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(s, "--32")) {
			a->mc.bits = 32;
		} else if (!strcmp(s, "--64")) {
			a->mc.bits = 64;
		} else if (!strcmp(s, "--x32")) {
			fprintf(stderr, "afterburn-as: --x32 is not supported\n");
			return -1;
		} else if (!strcmp(s, "-o")) {
			NEED_ARG();
			a->mc.output = next;
		} else if (!strncmp(s, "-o", 2) && s[2]) {
			a->mc.output = s + 2;
		} else if (!strcmp(s, "-I")) {
			NEED_ARG();
			if (push(&a->incs, &a->mc.n_include_dirs, next)) return -1;
		} else if (!strncmp(s, "-I", 2)) {
			if (push(&a->incs, &a->mc.n_include_dirs, s + 2)) return -1;
		} else if (!strcmp(s, "-g") || !strcmp(s, "--gen-debug") || !strcmp(s, "--gdwarf2")) {
			a->mc.gen_dwarf = 1;
			if (!strcmp(s, "--gdwarf2"))
				a->mc.dwarf_version = 2;
		} else if (!strncmp(s, "--gdwarf-", 9) && s[9] >= '2' && s[9] <= '5' && !s[10]) {
			a->mc.gen_dwarf = 1;
			a->mc.dwarf_version = s[9] - '0';
		} else if (!strcmp(s, "--noexecstack")) {
			a->mc.noexecstack = 1;
		} else if (!strcmp(s, "--execstack")) {
			a->mc.noexecstack = 0;
		} else if (!strcmp(s, "-W") || !strcmp(s, "--no-warn")) {
			a->mc.no_warnings = 1;
		} else if (!strcmp(s, "--fatal-warnings")) {
			a->mc.fatal_warnings = 1;
		} else if (!strcmp(s, "--defsym")) {
			NEED_ARG();
			if (push(&a->defsyms, &a->mc.n_defsyms, next)) return -1;
		} else if (!strcmp(s, "--debug-prefix-map")) {
			NEED_ARG();
			a->mc.debug_prefix_map = next;
		} else if (!strncmp(s, "--debug-prefix-map=", 19)) {
			a->mc.debug_prefix_map = s + 19;
		} else if (!strncmp(s, "-march=", 7)) {
			/* gas takes "i686+sse2"-style lists; LLVM wants one CPU. */
			static char cpu[64];
			snprintf(cpu, sizeof cpu, "%s", s + 7);
			cpu[strcspn(cpu, "+,")] = 0;
			a->mc.cpu = cpu[0] && strcmp(cpu, "generic32") && strcmp(cpu, "generic64") ? cpu : NULL;
		} else if (!strcmp(s, "--version")) {
			a->version = 2;
		} else if (!strcmp(s, "-v") || !strcmp(s, "-V")) {
			a->version = a->version ? a->version : 1;
		} else if (!strncmp(s, "--afterburn-policy=", 19)) {
			a->policy = s + 19;
		} else if (!strncmp(s, "--afterburn-rules=", 18)) {
			a->rules = s + 18;
		} else if (!strncmp(s, "--afterburn-rules-log=", 22)) {
			a->rules_log = s + 22;
		} else if (!strncmp(s, "--afterburn-rules-id=", 21) || !strncmp(s, "--afterburn-id=", 15)) {
			continue; /* only ccache keys, see afterburn-cc */
		} else if (!strcmp(s, "--afterburn-stats")) {
			a->stats = 1;
		} else if (!strcmp(s, "--afterburn-quiet")) {
			a->quiet = 1;
		} else if (ignored_option(s)) {
			continue;
		} else if (!strcmp(s, "-") || s[0] != '-') {
			if (push(&a->inputs, &a->n_inputs, s)) return -1;
		} else {
			fprintf(stderr, "afterburn-as: unrecognized option '%s' (see --help)\n", s);
			return -1;
		}
#undef NEED_ARG
	}
	return 0;
}

static int read_all(FILE *f, char **buf, size_t *len, size_t *cap)
{
	for (;;) {
		if (*len == *cap) {
			size_t nc = *cap ? *cap * 2 : 65536;
			char *nb = realloc(*buf, nc + 1);
			if (!nb)
				return -1;
			*buf = nb;
			*cap = nc;
		}
		size_t k = fread(*buf + *len, 1, *cap - *len, f);
		*len += k;
		if (k == 0)
			return ferror(f) ? -1 : 0;
	}
}

static void print_version(void)
{
	printf("GNU assembler (afterburn-as %s, LLVM MC %s) %s\n", AB_VERSION,
	       ab_mc_llvm_version(), AB_GAS_COMPAT);
	printf("afterburn-as pre-virtualizes i386 and x86-64 code while it assembles;\n"
	       "it accepts GNU as's command line and syntax.\n");
}

static void print_stats(const struct ab_annotator *ann, const char *out)
{
	unsigned long total = 0;
	for (unsigned k = 1; k < AB_KIND_COUNT; k++)
		total += ann->sites[k];
	fprintf(stderr, "afterburn-as: %s: policy %s, %lu sites in %lu instructions", out,
		ab_policy_name(ann->policy), total, ann->instructions);
	for (unsigned k = 1; k < AB_KIND_COUNT; k++)
		if (ann->sites[k])
			fprintf(stderr, " %s=%lu", ab_kinds[k].name, ann->sites[k]);
	fprintf(stderr, "\n");
}

/* LLVM 14's Intel-syntax expression evaluator divides by a literal zero
 * ("mov eax, 1 / 0") and dies of SIGFPE: report it as an input error. */
static void on_sigfpe(int sig)
{
	(void)sig;
	ab_mc_report_position("division by zero in an expression");
	_exit(1);
}

int main(int argc, char **argv)
{
	struct as_args a;
	memset(&a, 0, sizeof a);
	a.mc.bits = 32;
	a.mc.output = "a.out";

	int r = parse_args(argc, argv, &a);
	if (r) {
		free(a.inputs); free(a.incs); free(a.defsyms);
		return r > 0 ? 0 : 1;
	}
	a.mc.include_dirs = a.incs;
	a.mc.defsyms = a.defsyms;
	/* LLVM's generic 32-bit CPU fills alignment gaps with runs of 0x90,
	 * where GNU as uses one long nop.  Our site padding needs a P6 anyway
	 * (0f 1f), and pentiumpro is LLVM's P6 with NOPL: alignment then
	 * costs one instruction, as with GNU as.  -march= still wins. */
	if (!a.mc.cpu && a.mc.bits == 32)
		a.mc.cpu = "pentiumpro";
	if (a.version) {
		print_version();
		/* "--version" alone prints and stops, like gas; "-v" goes on. */
		if (a.version == 2 || a.n_inputs == 0) {
			free(a.inputs); free(a.incs); free(a.defsyms);
			return 0;
		}
	}

	struct ab_annotator ann;
	memset(&ann, 0, sizeof ann);
	ann.diag = stderr;
	ann.quiet = a.quiet || (getenv("AFTERBURN_QUIET") && *getenv("AFTERBURN_QUIET"));
	ann.policy = AB_POLICY_MINIMAL;

	const char *rules = a.rules ? a.rules : getenv("AFTERBURN_RULES");
	if (rules && *rules) {
		char err[512];
		ann.rules = ab_rules_load(rules, err, sizeof err);
		if (!ann.rules) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		if (ann.rules->base_policy >= 0)
			ann.policy = (enum ab_policy)ann.rules->base_policy;
	}
	/* Opened now, so that a log that cannot be written stops the build
	 * before it runs, not after it has silently lost lines. */
	const char *rules_log = a.rules_log ? a.rules_log : getenv("AFTERBURN_RULES_LOG");
	int log_fd = -1;
	if (ann.rules && rules_log && *rules_log && (log_fd = ab_rules_log_open(rules_log)) < 0) {
		fprintf(stderr, "afterburn-as: rules log %s: %s\n", rules_log, strerror(errno));
		ab_rules_free(ann.rules);
		return 1;
	}
	const char *policy = a.policy ? a.policy : getenv("AFTERBURN_POLICY");
	if (policy && *policy) {
		int p = ab_policy_parse(policy);
		if (p < 0) {
			fprintf(stderr, "afterburn-as: unknown policy '%s' (none, minimal, full)\n", policy);
			ab_rules_free(ann.rules);
			return 1;
		}
		ann.policy = (enum ab_policy)p;
	}
	a.mc.ann = &ann;

	/* gas concatenates its inputs; "-" or none is standard input. */
	char *text = NULL;
	size_t len = 0, cap = 0;
	const char *name = "<stdin>";
	if (a.n_inputs == 0 && read_all(stdin, &text, &len, &cap)) {
		fprintf(stderr, "afterburn-as: reading standard input: %s\n", strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < a.n_inputs; i++) {
		int is_stdin = !strcmp(a.inputs[i], "-");
		FILE *f = is_stdin ? stdin : fopen(a.inputs[i], "rb");
		if (!f) {
			fprintf(stderr, "afterburn-as: %s: %s\n", a.inputs[i], strerror(errno));
			return 1;
		}
		if (i == 0 && !is_stdin)
			name = a.inputs[i];
		int bad = read_all(f, &text, &len, &cap);
		if (!is_stdin)
			fclose(f);
		if (bad) {
			fprintf(stderr, "afterburn-as: %s: read error\n", a.inputs[i]);
			return 1;
		}
	}
	if (!text && !(text = malloc(1))) {
		fprintf(stderr, "afterburn-as: out of memory\n");
		return 1;
	}

	char *rewritten;
	size_t rlen;
	int dwarf5;
	if (ab_gas_compat_rewrite(text, len, &rewritten, &rlen, &dwarf5)) {
		fprintf(stderr, "afterburn-as: out of memory\n");
		return 1;
	}
	if (dwarf5 && a.mc.dwarf_version < 5)
		a.mc.dwarf_version = 5;
	if (rewritten) {
		free(text);
		text = rewritten;
		len = rlen;
	}

	signal(SIGFPE, on_sigfpe);
	int rc = ab_mc_assemble(&a.mc, text, len, name);
	/* Only an object that was written counts: a failed run logs nothing.
	 * A log that cannot be appended to fails the run (the build's view of
	 * which rules matched would be wrong). */
	if (rc == 0 && log_fd >= 0 && ab_rules_log_write(log_fd, ann.rules)) {
		fprintf(stderr, "afterburn-as: rules log %s: %s\n", rules_log, strerror(errno));
		rc = 1;
	}
	if (log_fd >= 0)
		close(log_fd);
	/* Like gas, leave no stale object behind a failed assembly (but never
	 * remove something that is not a regular file, such as /dev/null). */
	struct stat st;
	if (rc && a.mc.output && !stat(a.mc.output, &st) && S_ISREG(st.st_mode))
		unlink(a.mc.output);
	if (rc == 0 && a.stats)
		print_stats(&ann, a.mc.output);
	if (rc == 0 && ann.rules && a.stats)
		for (size_t i = 0; i < ann.rules->n; i++)
			if (!ann.rules->v[i].hits)
				fprintf(stderr, "%s:%u: note: rule matched nothing in %s\n",
					ann.rules->path, ann.rules->v[i].src_line, name);
	free(text);
	free(a.inputs);
	free(a.incs);
	free(a.defsyms);
	ab_rules_free(ann.rules);
	return rc ? 1 : 0;
}
