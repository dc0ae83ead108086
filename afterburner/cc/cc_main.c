/*
 * afterburn-cc: the compiler wrapper.  `make CC="afterburn-cc gcc"` or
 * `make LLVM=1 CC="afterburn-cc clang"`.  It execs the compiler with its own
 * arguments, plus what makes the compiler assemble through afterburn-as:
 *
 *   gcc:   -B <libexec>/          gcc looks for "as" there first
 *   clang: -fno-integrated-as -B <libexec>/   the same, once clang uses an
 *          external assembler at all
 *
 * and the policy as -Wa,--afterburn-policy=..., so that it is part of the
 * command line that ccache hashes.  Because it execs, exit codes,
 * diagnostics, dependency files, -pipe and -save-temps are the compiler's.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AB_VERSION "0.1.0"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: afterburn-cc [--policy none|minimal|full] [--rules FILE] [--rules-log FILE]\n"
"                    COMPILER ARGS...\n"
"\n"
"Runs COMPILER (gcc or clang, optionally behind ccache: afterburn-cc ccache gcc)\n"
"with ARGS unchanged, except that every assembly step goes through afterburn-as,\n"
"which pads sensitive instructions with no-ops and records them in .afterburn.\n"
"\n"
"  --policy P      minimal (default): the silent kinds; full: silent and trapping;\n"
"                  none: assemble through afterburn-as without annotating\n"
"  --rules FILE    a rules file (docs/abi/rules.md) applied on top of the policy\n"
"  --rules-log FILE  every assembly appends 'RULES:LINE HITS' per rule to FILE\n"
"                  (which rules matched nothing in a whole build); turns ccache off\n"
"  --help          this text     --version   the version\n"
"\n"
"Environment (the options win over it):\n"
"  AFTERBURN_POLICY  the policy      AFTERBURN_RULES  the rules file\n"
"  AFTERBURN_RULES_LOG  the rules log (passed on to afterburn-as)\n"
"  AFTERBURN_QUIET   set to 1 to silence notes about excluded sections\n"
"\n"
"Examples:\n"
"  make ARCH=i386 CC=\"afterburn-cc gcc\" AFTERBURN_POLICY=full vmlinux\n"
"  make ARCH=i386 LLVM=1 CC=\"afterburn-cc --policy full clang\" vmlinux\n");
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int is_launcher(const char *p)
{
	const char *b = base_name(p);
	return !strcmp(b, "ccache") || !strcmp(b, "sccache") || !strcmp(b, "distcc");
}

/* clang, clang-14, x86_64-linux-gnu-clang... */
static int is_clang(const char *p)
{
	return strstr(base_name(p), "clang") != NULL;
}

/* The directory that holds "as" -> afterburn-as, next to our own binary. */
static int libexec_dir(char *out, size_t n)
{
	char self[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
	if (k <= 0)
		return -1;
	self[k] = 0;
	char *slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = 0;
	int w = snprintf(out, n, "%s/../libexec/afterburn/", self);
	if (w < 0 || (size_t)w >= n)
		return -1;
	char as[PATH_MAX + 8];
	snprintf(as, sizeof as, "%sas", out);
	return access(as, X_OK) ? -1 : 0;
}

/* A short content hash of the rules file, so ccache sees a rules change. */
static uint64_t file_hash(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	uint64_t h = 1469598103934665603ull;
	int c;
	while ((c = fgetc(f)) != EOF)
		h = (h ^ (uint8_t)c) * 1099511628211ull;
	fclose(f);
	return h;
}

/*
 * The rules log reaches afterburn-as through the environment, as an
 * absolute path (an assembler run from another directory appends to the
 * same file).  It is not on the command line, so ccache's key does not
 * change with it; instead ccache is turned off, because a cache hit runs
 * no assembler and would leave its object's lines out of the log.
 */
static int set_rules_log(const char *path)
{
	char abs[PATH_MAX * 2];
	char cwd[PATH_MAX];
	if (path[0] == '/')
		snprintf(abs, sizeof abs, "%s", path);
	else if (!getcwd(cwd, sizeof cwd) || snprintf(abs, sizeof abs, "%s/%s", cwd, path) >= (int)sizeof abs) {
		fprintf(stderr, "afterburn-cc: rules log %s: cannot make the path absolute\n", path);
		return -1;
	}
	if (setenv("AFTERBURN_RULES_LOG", abs, 1) || setenv("CCACHE_DISABLE", "1", 1)) {
		fprintf(stderr, "afterburn-cc: rules log %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Compile steps that never run the assembler. */
static int assembles(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-E") || !strcmp(a, "-S") || !strcmp(a, "-fsyntax-only") ||
		    !strcmp(a, "-M") || !strcmp(a, "-MM") || !strcmp(a, "--version") ||
		    !strcmp(a, "-v") || !strncmp(a, "-print-", 7) || !strncmp(a, "--print-", 8) ||
		    !strcmp(a, "-dumpversion") || !strcmp(a, "-dumpmachine") || !strcmp(a, "--help"))
			return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	const char *policy = getenv("AFTERBURN_POLICY");
	const char *rules = getenv("AFTERBURN_RULES");
	const char *rules_log = getenv("AFTERBURN_RULES_LOG");
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("afterburn-cc %s\n", AB_VERSION);
			return 0;
		} else if (!strcmp(a, "--policy") && i + 1 < argc) {
			policy = argv[++i];
		} else if (!strncmp(a, "--policy=", 9)) {
			policy = a + 9;
		} else if (!strcmp(a, "--rules") && i + 1 < argc) {
			rules = argv[++i];
		} else if (!strncmp(a, "--rules=", 8)) {
			rules = a + 8;
		} else if (!strcmp(a, "--rules-log") && i + 1 < argc) {
			rules_log = argv[++i];
		} else if (!strncmp(a, "--rules-log=", 12)) {
			rules_log = a + 12;
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "afterburn-cc: unknown option '%s' before the compiler (see --help)\n", a);
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "afterburn-cc: no compiler given (usage: afterburn-cc [options] gcc|clang ARGS...)\n");
		return 2;
	}
	if (policy && *policy && strcmp(policy, "none") && strcmp(policy, "minimal") && strcmp(policy, "full")) {
		fprintf(stderr, "afterburn-cc: unknown policy '%s' (none, minimal, full)\n", policy);
		return 2;
	}
	char rules_abs[PATH_MAX];
	if (rules && *rules) {
		/* The assembler may run in another directory than make. */
		if (!realpath(rules, rules_abs)) {
			fprintf(stderr, "afterburn-cc: rules file %s: %s\n", rules, strerror(errno));
			return 2;
		}
		rules = rules_abs;
	}

	if (rules_log && *rules_log && set_rules_log(rules_log))
		return 2;

	int cidx = i;
	int real = cidx;
	while (real + 1 < argc && is_launcher(argv[real]))
		real++;
	int clang = is_clang(argv[real]);

	char dir[PATH_MAX];
	if (libexec_dir(dir, sizeof dir)) {
		fprintf(stderr, "afterburn-cc: cannot find libexec/afterburn/as next to afterburn-cc; "
			"is the build complete?\n");
		return 2;
	}

	int nargs = argc - cidx;
	char **args = calloc((size_t)nargs + 9, sizeof *args);
	if (!args) {
		fprintf(stderr, "afterburn-cc: out of memory\n");
		return 2;
	}
	int n = 0, inject = assembles(argc - real - 1, argv + real + 1);
	for (int k = cidx; k <= real; k++)
		args[n++] = argv[k];

	static char bopt[PATH_MAX + 4], popt[64], ropt[PATH_MAX + 32], hopt[64], idopt[96];
	if (inject) {
		snprintf(bopt, sizeof bopt, "-B%s", dir);
		args[n++] = bopt;
		/* ccache hashes the compiler, not the assembler it runs: put the
		 * assembler's identity on the command line so a rebuilt
		 * afterburn-as is a cache miss. */
		char as[PATH_MAX + 8];
		struct stat st;
		snprintf(as, sizeof as, "%sas", dir);
		if (!stat(as, &st)) {
			snprintf(idopt, sizeof idopt, "-Wa,--afterburn-id=%llx-%llx",
				 (unsigned long long)st.st_size, (unsigned long long)st.st_mtime);
			args[n++] = idopt;
		}
		if (clang)
			args[n++] = "-fno-integrated-as";
		if (policy && *policy) {
			snprintf(popt, sizeof popt, "-Wa,--afterburn-policy=%s", policy);
			args[n++] = popt;
		}
		if (rules && *rules) {
			snprintf(ropt, sizeof ropt, "-Wa,--afterburn-rules=%s", rules);
			args[n++] = ropt;
			/* Part of the command line only so that ccache keys on the
			 * rules' content; afterburn-as accepts and ignores it. */
			snprintf(hopt, sizeof hopt, "-Wa,--afterburn-rules-id=%016llx",
				 (unsigned long long)file_hash(rules));
			args[n++] = hopt;
		}
	}
	for (int k = real + 1; k < argc; k++) {
		/* Kbuild asks clang for its integrated assembler; the
		 * afterburner is the assembler, so that request is dropped. */
		if (inject && clang && (!strcmp(argv[k], "-fintegrated-as") || !strcmp(argv[k], "-integrated-as")))
			continue;
		args[n++] = argv[k];
	}
	args[n] = NULL;

	execvp(args[0], args);
	fprintf(stderr, "afterburn-cc: cannot run %s: %s\n", args[0], strerror(errno));
	return 127;
}
