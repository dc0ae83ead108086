/*
 * Unit test of the profiler library (prof.h): the trap-dump reader's
 * errors and classes, the lenient mode of `afterburn run`, the totals, the
 * hot-spot tables, the rules writer's selection and shape, and the path
 * and text helpers.  Symbolization against real ELFs is tested by
 * tests/test_prof.py (it needs compilers and addr2line).
 *
 * Exit status 0 if every check passed, 1 otherwise.
 */
#define _GNU_SOURCE   /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prof.h"
#include "sym_impl.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static void classes(void)
{
	static const struct { const char *kind; int cls; } t[] = {
		{ "cli", PROF_SENSITIVE }, { "mov-to-cr", PROF_SENSITIVE }, { "rdtsc", PROF_SENSITIVE },
		{ "dev-write", PROF_SENSITIVE }, { "dev-read", PROF_SENSITIVE }, { "pushf", PROF_SENSITIVE },
		{ "exception:14", PROF_EXCEPTION }, { "exception:0", PROF_EXCEPTION },
		{ "int:0x80", PROF_SYSCALL }, { "int:0x0", PROF_SYSCALL }, { "int:0xff", PROF_SYSCALL },
		{ "irq:0", PROF_IRQ }, { "irq:15", PROF_IRQ }, { "hidden-pf", PROF_HIDDEN_PF },
		{ "hypercall:flush", PROF_HYPERCALL }, { "hypercall:?", PROF_HYPERCALL },
		{ "unknown:7", PROF_UNKNOWN },
		{ "none", -1 }, { "CLI", -1 }, { "cli ", -1 }, { "", -1 }, { "kind-5", -1 },
		{ "exception:014", -1 }, { "exception:256", -1 }, { "exception:", -1 }, { "exception:1a", -1 },
		{ "int:80", -1 }, { "int:0x8A", -1 }, { "int:0x100", -1 }, { "int:0x", -1 },
		{ "irq:-1", -1 }, { "hidden-pf:1", -1 }, { "hypercall:", -1 }, { "hypercall:Flush", -1 },
		{ "unknown:", -1 }, { "exception:14x", -1 },
		{ "hypercall:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", -1 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int c = prof_classify(t[i].kind);
		if (c != t[i].cls) {
			fprintf(stderr, "classify '%s': %d, expected %d\n", t[i].kind, c, t[i].cls);
			failures++;
		}
	}
	for (int c = 0; c < PROF_NCLASSES; c++)
		CHECK(prof_class_by_name(prof_class_name(c)) == c);
	CHECK(prof_class_by_name("int") == -1);
}

static const char good[] =
	"SeaBIOS noise\r\n"
	"root: vm 1 exited\n"
	"AFTERBURN-TRAPDUMP-BEGIN v1\r\n"
	"# entries 6 lost 2\r\n"
	"0x0010034a cli 10\n"
	"0x00100512 exception:14 3\n"
	"\n"
	"# a comment\n"
	"0x00000000 hypercall:flush 12\n"
	"0x0010034a hidden-pf 240\n"
	"0x00100600 int:0x80 5\n"
	"0x00100700 dev-write 30\r\n"
	"AFTERBURN-TRAPDUMP-END\r\n"
	"after the dump\n";

static void parse_good(void)
{
	struct prof_dump d;
	struct prof_err err;
	int r = prof_dump_parse(good, sizeof good - 1, "log", 0, &d, &err);
	CHECK(r == 0);
	if (r) {
		fprintf(stderr, "  %s\n", err.msg);
		return;
	}
	CHECK(d.n == 6);
	CHECK(d.have_header && d.header_entries == 6 && d.lost == 2);
	CHECK(d.total == 10 + 3 + 12 + 240 + 5 + 30);
	CHECK(d.by_class[PROF_SENSITIVE] == 40);
	CHECK(d.by_class[PROF_EXCEPTION] == 3);
	CHECK(d.by_class[PROF_SYSCALL] == 5);
	CHECK(d.by_class[PROF_HIDDEN_PF] == 240);
	CHECK(d.by_class[PROF_HYPERCALL] == 12);
	CHECK(d.v[0].eip == 0x0010034a && !strcmp(d.v[0].kind, "cli") && d.v[0].line == 5);
	CHECK(d.begin_line == 3 && d.end_line == 13);
	CHECK(!strncmp(good + d.begin, "AFTERBURN-TRAPDUMP-BEGIN v1", 27));
	CHECK(!strcmp(good + d.end, "after the dump\n"));

	struct prof_kind_total *kt;
	long nk = prof_kind_totals(&d, &kt);
	CHECK(nk == 6);
	if (nk == 6) {
		CHECK(!strcmp(kt[0].kind, "hidden-pf") && kt[0].count == 240 && kt[0].sites == 1);
		CHECK(!strcmp(kt[5].kind, "exception:14"));
	}
	free(kt);

	struct prof_table t;
	CHECK(prof_table_make(&d, NULL, PROF_BY_SITE, 1, 0, &t) == 0);
	CHECK(t.n == 2 && t.total == 40 && t.v[0].count == 30 && !strcmp(t.v[0].top->kind, "dev-write"));
	CHECK(t.v[0].share == 75.0);
	prof_table_free(&t);
	CHECK(prof_table_make(&d, NULL, PROF_BY_KIND, 0, 3, &t) == 0);
	CHECK(t.n == 3 && t.nall == 6 && t.v[0].count == 240);
	prof_table_free(&t);
	prof_dump_free(&d);

	/* The block alone, no header, no trailing newline. */
	const char *bare = "AFTERBURN-TRAPDUMP-BEGIN v1\n0x00000001 sti 1\nAFTERBURN-TRAPDUMP-END";
	CHECK(prof_dump_parse(bare, strlen(bare), "b", 0, &d, &err) == 0 && d.n == 1 && !d.have_header);
	CHECK(d.end == strlen(bare));
	prof_dump_free(&d);
	/* An empty dump. */
	const char *empty = "AFTERBURN-TRAPDUMP-BEGIN v1\n# entries 0 lost 0\nAFTERBURN-TRAPDUMP-END\n";
	CHECK(prof_dump_parse(empty, strlen(empty), "e", 0, &d, &err) == 0 && d.n == 0 && d.total == 0);
	prof_dump_free(&d);
}

/* A one-line dump body inside the markers; the line is line 2. */
static void bad(const char *body, const char *want)
{
	char buf[1024];
	int n = snprintf(buf, sizeof buf, "AFTERBURN-TRAPDUMP-BEGIN v1\n%s\nAFTERBURN-TRAPDUMP-END\n", body);
	struct prof_dump d;
	struct prof_err err = { "" };
	int r = prof_dump_parse(buf, (size_t)n, "dump.txt", 0, &d, &err);
	if (r == 0 || !strstr(err.msg, want) || strncmp(err.msg, "dump.txt:", 9)) {
		fprintf(stderr, "dump '%s': status %d, message '%s', expected '%s'\n", body, r, err.msg, want);
		failures++;
	}
	CHECK(d.v == NULL && d.n == 0);
	prof_dump_free(&d);
}

static void errors(void)
{
	bad("0x0010034g cli 1", "dump.txt:2: bad address '0x0010034g'");
	bad("0x10034a cli 1", "dump.txt:2: bad address");
	bad("0x0010034a0 cli 1", "dump.txt:2: bad address");
	bad("10034a00 cli 1", "dump.txt:2: bad address");
	bad("0x0010034a cli x1", "dump.txt:2: bad count 'x1'");
	bad("0x0010034a cli -1", "dump.txt:2: bad count");
	bad("0x0010034a cli 01", "dump.txt:2: bad count");
	bad("0x0010034a cli 99999999999999999999", "dump.txt:2: bad count");
	bad("0x0010034a cli 1 2", "dump.txt:2: expected 'EIP KIND COUNT'");
	bad("0x0010034a cli", "dump.txt:2: expected 'EIP KIND COUNT'");
	bad("0x0010034a  cli 1", "dump.txt:2: expected 'EIP KIND COUNT'");
	bad("0x0010034a cli 1 ", "dump.txt:2: expected 'EIP KIND COUNT'");
	bad("0x0010034a clix 1", "dump.txt:2: unknown kind 'clix'");
	bad("0x0010034a exception:014 1", "dump.txt:2: unknown kind");
	bad("0x0010034a cli 1\n0x00100000 sti 1\n0x0010034a cli 2", "dump.txt:4: 0x0010034a cli appears twice (first at line 2)");
	bad("# entries 3 lost 0\n0x0010034a cli 1", "dump.txt:2: the header says 3 entries, the dump has 1");
	bad("# entries x lost 0", "dump.txt:2: bad comment");
	bad("# entries -1 lost 0", "dump.txt:2: bad comment");
	bad("0x0010034a cli 18446744073709551615\n0x0010034b cli 1", "dump.txt:3: the counts add up");
	bad("AFTERBURN-TRAPDUMP-BEGIN v1", "dump.txt:2: a second BEGIN");
	char longl[400];
	memset(longl, '1', sizeof longl - 1);
	memcpy(longl, "0x0010034a cli ", 15);
	longl[sizeof longl - 1] = 0;
	bad(longl, "dump.txt:2: line longer than 256 bytes");

	struct prof_dump d;
	struct prof_err err;
	static const char nul[] = "AFTERBURN-TRAPDUMP-BEGIN v1\n0x0010034a cli\0 1\nAFTERBURN-TRAPDUMP-END\n";
	CHECK(prof_dump_parse(nul, sizeof nul - 1, "n", 0, &d, &err) == -1 && !strcmp(err.msg, "n:2: NUL byte"));
	const char *none = "just a log\nwith no dump\n";
	CHECK(prof_dump_parse(none, strlen(none), "n", 0, &d, &err) == -1 && strstr(err.msg, "n:2: no 'AFTERBURN-TRAPDUMP-BEGIN v1'"));
	CHECK(prof_dump_parse("", 0, "n", 0, &d, &err) == -1 && strstr(err.msg, "n:1: no 'AFTERBURN"));
	const char *open_ = "x\nAFTERBURN-TRAPDUMP-BEGIN v1\n0x0010034a cli 1\n";
	CHECK(prof_dump_parse(open_, strlen(open_), "n", 0, &d, &err) == -1 &&
	      strstr(err.msg, "n:3: no 'AFTERBURN-TRAPDUMP-END': the dump from line 2 is incomplete"));
	const char *v2 = "AFTERBURN-TRAPDUMP-BEGIN v2\n0x0010034a cli 1\nAFTERBURN-TRAPDUMP-END\n";
	CHECK(prof_dump_parse(v2, strlen(v2), "n", 0, &d, &err) == -1 && strstr(err.msg, "n:1: trap dump version 'v2'"));
	CHECK(prof_dump_load("/nonexistent/dump", &d, &err) == -1 && strstr(err.msg, "/nonexistent/dump: "));
}

static void lenient(void)
{
	const char *log = "AFTERBURN-TRAPDUMP-BEGIN v2\n"
			  "AFTERBURN-TRAPDUMP-BEGIN v1\n"
			  "# entries 9 lost 0\n"
			  "0x0010034a cli 1\n"
			  "0x0010034a cli 4\n"
			  "garbage\n"
			  "0x00100000 sti\0 1\n"
			  "0x00100001 sti 2\n"
			  "AFTERBURN-TRAPDUMP-END\n";
	size_t len = 27 * 2 + 2 + 19 + 17 * 2 + 8 + 18 + 17 + 23;
	struct prof_dump d;
	struct prof_err err;
	CHECK(prof_dump_parse(log, len, "c", PROF_DUMP_LENIENT, &d, &err) == 0);
	CHECK(d.n == 2 && d.bad == 3 && d.total == 3 && d.begin_line == 2);
	CHECK(d.end == len);
	prof_dump_free(&d);
	/* A truncated dump, then a complete one: the complete one. */
	const char *two = "AFTERBURN-TRAPDUMP-BEGIN v1\n0x00000001 cli 1\n"
			  "AFTERBURN-TRAPDUMP-BEGIN v1\n0x00000002 cli 2\nAFTERBURN-TRAPDUMP-END\n";
	CHECK(prof_dump_parse(two, strlen(two), "c", PROF_DUMP_LENIENT, &d, &err) == 0);
	CHECK(d.n == 1 && d.v[0].eip == 2 && d.begin_line == 3);
	prof_dump_free(&d);
	CHECK(prof_dump_parse(two, 45, "c", PROF_DUMP_LENIENT, &d, &err) == -1);
}

/* A symbol with function, file and line (strings must outlive it). */
static struct prof_sym sym(const char *fn, const char *file, unsigned line)
{
	struct prof_sym s = { 0 };
	s.function = (char *)fn;
	s.rule_file = s.file = (char *)file;
	s.line = line;
	return s;
}

static char *rules_of(const struct prof_dump *d, const struct prof_sym *syms, struct prof_rules_opts o,
		      struct prof_rules_result *res)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	FILE *warn = fopen("/dev/null", "w");
	struct prof_err err;
	o.dump_name = "d.txt";
	o.elf_name = "g.elf";
	CHECK(prof_rules_write(f, warn, d, syms, &o, res, &err) == 0);
	fclose(f);
	fclose(warn);
	return text;
}

static void rules(void)
{
	static const char dump[] =
		"AFTERBURN-TRAPDUMP-BEGIN v1\n"
		"0x00100000 out 500\n"          /* kputc x.h:20, the 1st out of kputc */
		"0x00100010 out 300\n"          /* kputc x.h:20 again, the 2nd: one group */
		"0x00100020 hlt 100\n"          /* idle, no nth: a group rule */
		"0x00100030 mov-to-cr 60\n"     /* a[b] (a glob character): a group rule */
		"0x00100040 dev-write 30\n"     /* no file */
		"0x00100050 cli 6\n"            /* no function, no file */
		"0x00100060 in 4\n"             /* alias, no nth */
		"0x00100070 hidden-pf 9999\n"   /* not sensitive */
		"0x00100080 out 2\n"            /* kputc x.h:20, the 3rd */
		"0x00100090 out 1\n"            /* kputc x.h:20, no nth */
		"AFTERBURN-TRAPDUMP-END\n";
	struct prof_dump d;
	struct prof_err err;
	if (prof_dump_parse(dump, sizeof dump - 1, "d.txt", 0, &d, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		failures++;
		return;
	}
	char *alias[] = { "in_alias", NULL };
	struct prof_sym s[10] = {
		sym("kputc", "x.h", 20), sym("kputc", "x.h", 20), sym("idle", "idle.c", 7),
		sym("a[b]", "cr.c", 3), sym("mmio_w", NULL, 0), sym(NULL, NULL, 0),
		sym("in_main", "io.c", 9), sym("k", "k.c", 1), sym("kputc", "x.h", 20),
		sym("kputc", "x.h", 20),
	};
	s[0].nth = 1, s[1].nth = 2, s[3].nth = 1, s[4].nth = 1, s[5].nth = 1, s[8].nth = 3;
	s[6].aliases = alias;
	struct prof_rules_result res;
	char *t = rules_of(&d, s, (struct prof_rules_opts){ 0 }, &res);
	/* 1003 sensitive traps; 95% needs the two hot outs, hlt and mov-to-cr. */
	CHECK(res.sensitive == 1003 && res.sites == 9 && res.groups == 6 && res.selected == 4);
	CHECK(res.nth_rules == 2 && res.group_rules == 2 && res.written == 4);
	CHECK(res.covered == 960 && res.skipped == 0);
	CHECK(!strncmp(t, "afterburn-rules 1\n#", 19));
	CHECK(strstr(t, "\n# Selected: 4 sites, the fewest covering 95% of the traps.\n"));
	CHECK(strstr(t, "\nannotate kind=out function=kputc nth=1 file=x.h:20  # 500 traps (49.9%)\n"
			"annotate kind=out function=kputc nth=2 file=x.h:20  # 300 traps (29.9%)\n"));
	CHECK(strstr(t, "\nannotate kind=hlt function=idle file=idle.c:7  # 100 traps (10.0%); "
			"no nth: every instruction of the group\n"));
	CHECK(strstr(t, "\nannotate kind=mov-to-cr function=a\\[b\\] file=cr.c:3  # 60 traps (6.0%); "
			"no nth: every instruction of the group\n"));
	CHECK(!strstr(t, "policy"));
	free(t);

	/* All: kputc's site without nth makes its group one rule, and its
	 * sites with an nth get none (the group rule would decide for them). */
	t = rules_of(&d, s, (struct prof_rules_opts){ .top = 10, .policy = "minimal" }, &res);
	CHECK(res.selected == 9 && res.skipped == 1 && res.nth_rules == 1 && res.group_rules == 4);
	CHECK(res.written == 6 && res.covered == 997);
	CHECK(strstr(t, "\npolicy minimal\n"));
	CHECK(strstr(t, "\nannotate kind=out function=kputc file=x.h:20  # 803 traps (80.1%), 4 sites; "
			"no nth: every instruction of the group\n"));
	CHECK(!strstr(t, "kind=out function=kputc nth="));
	CHECK(strstr(t, "\nannotate kind=dev-write function=mmio_w nth=1  # 30 traps (3.0%)\n"));
	CHECK(strstr(t, "\nannotate kind=in function=in_main file=io.c:9  # 4 traps (0.4%); "
			"no nth: every instruction of the group\n"));
	CHECK(strstr(t, "\nannotate kind=in function=in_alias file=io.c:9  # 4 traps (0.4%); "
			"no nth: every instruction of the group (an alias)\n"));
	CHECK(!strstr(t, "kind=cli"));
	free(t);

	t = rules_of(&d, s, (struct prof_rules_opts){ .min_share = 10 }, &res);
	CHECK(res.selected == 2 && res.nth_rules == 2 && res.covered == 800);
	free(t);

	/* --top cuts sites, not groups: the 3rd out is a site of its own. */
	t = rules_of(&d, s, (struct prof_rules_opts){ .top = 8 }, &res);
	CHECK(res.selected == 8 && res.nth_rules == 4 && res.group_rules == 3 && res.skipped == 1);
	CHECK(strstr(t, "\nannotate kind=out function=kputc nth=3 file=x.h:20  # 2 traps (0.2%)\n"));
	free(t);

	/* Deterministic: the same bytes twice. */
	char *a = rules_of(&d, s, (struct prof_rules_opts){ 0 }, &res);
	char *b = rules_of(&d, s, (struct prof_rules_opts){ 0 }, &res);
	CHECK(!strcmp(a, b));
	free(a);
	free(b);

	struct prof_table tb;
	CHECK(prof_table_make(&d, s, PROF_BY_FUNCTION, 1, 0, &tb) == 0);
	CHECK(tb.n == 6 && !strcmp(prof_row_function(&tb.v[0]), "kputc") && tb.v[0].sites == 4);
	CHECK(!strcmp(tb.v[0].kinds, "out"));
	prof_table_free(&tb);
	prof_dump_free(&d);
}

static void paths(void)
{
	static const struct { const char *file, *dir, *want; } t[] = {
		{ "/src/linux/kernel/sched/core.c", "/src/linux", "kernel/sched/core.c" },
		{ "/src/linux/./arch/x86/include/asm/irqflags.h", "/src/linux", "arch/x86/include/asm/irqflags.h" },
		{ "/src/linux/../include/x.h", "/src/linux", "include/x.h" },
		{ "/usr/include/stdint.h", "/src/linux", "usr/include/stdint.h" },
		{ "/src/linux/kernel/a.c", "/src/linux/", "kernel/a.c" },
		{ "/src/linuxy/a.c", "/src/linux", "src/linuxy/a.c" },
		{ "a.c", NULL, "a.c" },
		{ "x//y.c", NULL, "y.c" },
		{ "/src/.", "/src", NULL },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *p = prof_rule_path(t[i].file, t[i].dir);
		if ((p == NULL) != (t[i].want == NULL) || (p && strcmp(p, t[i].want))) {
			fprintf(stderr, "rule path of '%s' in '%s': '%s', expected '%s'\n", t[i].file,
				t[i].dir ? t[i].dir : "(null)", p ? p : "(null)", t[i].want ? t[i].want : "(null)");
			failures++;
		}
		free(p);
	}
	char s[64];
	strcpy(s, "\t  x = 1;\t\x01 \xc3\xa9\xff  ");
	prof_clean_text(s, 100);
	CHECK(!strcmp(s, "x = 1; ? \xc3\xa9?"));
	strcpy(s, "ab\xc3\xa9");
	prof_clean_text(s, 3);
	CHECK(!strcmp(s, "ab"));
}

int main(void)
{
	classes();
	parse_good();
	errors();
	lenient();
	rules();
	paths();
	if (failures)
		fprintf(stderr, "prof_test: %d failures\n", failures);
	else
		printf("prof_test: ok\n");
	return failures ? 1 : 0;
}
