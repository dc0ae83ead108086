/*
 * afterburn run --target bare|l4|trap GUEST.elf [OPTIONS]: start QEMU with
 * a guest (docs/run.md).
 *
 *   bare     QEMU boots the ELF itself (PVH), as tests/test_guests.py does.
 *   l4/trap  QEMU boots the hypervisor with root, the console server, the
 *            guest (its module line: `vm target=T mem=N`), the wedge
 *            (`wedge`), the initrd (`initrd`) and the command line
 *            (`cmdline`, a file); the kernel's command line is debug=com2.
 *            COM1 (the guest's serial output) goes to stdout, COM2 (the
 *            kernel's and root's lines, the trap dump) to a file read
 *            afterwards.
 *
 * The modules are symlinks in a short temporary directory: a multiboot
 * module's line holds at most 127 bytes in the hypervisor's boot
 * information, and QEMU's -initrd splits at commas.
 *
 * Exit status: QEMU's (the guest's isa-debug-exit code << 1 | 1); 2 for a
 * usage error or a missing file; 124 when --timeout expires.
 */
#define _GNU_SOURCE   /* getopt_long, mkdtemp */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_cmd.h"

/* The one CPU model of every run (tests/test_guests.py, QEMU_CPU): what
 * the wedge's cpuid filtering exposes. */
#define QEMU_CPU "qemu32,-pse,-pge,-apic,-sep,-pae,-mtrr,-mca,-mce,-pat,-pse36"
#define DEFAULT_MEM_MIB 128   /* QEMU's default -m */
#define HV_EXTRA_MIB 64       /* the hypervisor's own memory on top of the guest's */
#define MAX_MEM_MIB 2048
#define MAX_QEMU_ARGS 64
#define EXIT_USAGE 2
#define EXIT_TIMEOUT 124
#define MODULE_LINE_MAX 127    /* hypervisor/abi/bootinfo.h: HV_BOOTINFO_CMDLINE less the NUL */
#define VM_DIED_STATUS 255    /* root or the kernel ended the VM: code 0x7F */
#define TRIPLE_FAULT_STATUS 253   /* the guest triple-faulted: code 0x7E */
#define WEDGE_PANIC_STATUS 251    /* the wedge gave up (wedge_panic): code 0x7D */

static const char usage_text[] =
	"usage: afterburn run --target bare|l4|trap GUEST.elf [OPTIONS]\n"
	"\n"
	"Boot GUEST.elf in QEMU (TCG): bare, or pre-virtualized on the hypervisor with\n"
	"its sites patched at load time for l4 (every site) or trap (silent kinds only;\n"
	"the trapping ones trap and are emulated).  The guest's serial port (COM1) is\n"
	"this command's stdout.\n"
	"\n"
	"options:\n"
	"  -t, --target T      bare, l4 or trap (required)\n"
	"      --initrd F      an initial ramdisk (PVH module 0)\n"
	"      --append S      the guest's command line\n"
	"      --profile OUT   l4/trap: write the trap dump (docs/abi/trap-dump.md) to OUT\n"
	"                      (without it, a per-kind summary goes to stderr)\n"
	"      --mem MIB       guest memory in MiB (default 128, QEMU's default)\n"
	"      --timeout S     kill QEMU after S seconds (exit status 124; default: none)\n"
	"      --qemu-arg A    one more QEMU argument (repeatable)\n"
	"  -v, --verbose       l4/trap: always copy the kernel's console (COM2) to stderr\n"
	"  -n, --dry-run       print the QEMU command line and exit\n"
	"  -h, --help          this text\n"
	"\n"
	"Files (l4/trap) are found beside this program's build tree (BUILD/bin/afterburn):\n"
	"BUILD/hypervisor/{hypervisor,root,console}.elf and BUILD/wedge/wedge.elf.\n"
	"Environment: AFTERBURN_BUILD_DIR (BUILD), AFTERBURN_HV_DIR (the hypervisor's\n"
	"directory), AFTERBURN_WEDGE (the wedge ELF), AFTERBURN_QEMU (qemu-system-i386).\n"
	"\n"
	"The kernel's console (COM2) is copied to stderr when the run did not end\n"
	"through the guest's isa-debug-exit: no trap dump, a VM that died or was\n"
	"killed, status 255 (root or the kernel ended the VM), 253 (a triple\n"
	"fault), 251 (the wedge gave up), or an even status other than a guest's\n"
	"reset (no isa-debug-exit).\n"
	"\n"
	"Exit status: QEMU's (isa-debug-exit: the guest's code << 1 | 1; a guest's\n"
	"reset, through the i8042 or port 0xCF9: 0, as bare with -no-reboot); 2 usage\n"
	"error or missing file; 124 timeout.\n";

struct run_opts {
	const char *target;
	const char *guest, *initrd, *append, *profile;
	unsigned mem;
	double timeout;
	const char *qargs[MAX_QEMU_ARGS];
	int nq;
	int verbose, dry_run;
};

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "afterburn run: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "Try 'afterburn run --help'.\n");
	return EXIT_USAGE;
}

static const struct option long_opts[] = {
	{ "target", required_argument, NULL, 't' },
	{ "initrd", required_argument, NULL, 'i' },
	{ "append", required_argument, NULL, 'a' },
	{ "profile", required_argument, NULL, 'p' },
	{ "mem", required_argument, NULL, 'm' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "qemu-arg", required_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* 0, -1 for a usage error (printed), 1 for --help. */
static int parse_args(int argc, char **argv, struct run_opts *o)
{
	int c;
	char *end;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "t:vnh", long_opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (strcmp(optarg, "bare") && strcmp(optarg, "l4") && strcmp(optarg, "trap"))
				return usage_error("unknown target (bare, l4 or trap)", optarg), -1;
			o->target = optarg;
			break;
		case 'i': o->initrd = optarg; break;
		case 'a': o->append = optarg; break;
		case 'p': o->profile = optarg; break;
		case 'm': {
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 4 || v > MAX_MEM_MIB) {
				char range[48];
				snprintf(range, sizeof range, "--mem takes MiB, 4..%d", MAX_MEM_MIB);
				return usage_error(range, optarg), -1;
			}
			o->mem = (unsigned)v;
			break;
		}
		case 'T':
			errno = 0;
			o->timeout = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o->timeout > 0) || o->timeout > 1e6)
				return usage_error("--timeout takes seconds (> 0)", optarg), -1;
			break;
		case 'q':
			if (o->nq == MAX_QEMU_ARGS)
				return usage_error("too many --qemu-arg", NULL), -1;
			o->qargs[o->nq++] = optarg;
			break;
		case 'v': o->verbose = 1; break;
		case 'n': o->dry_run = 1; break;
		case 'h': fputs(usage_text, stdout); return 1;
		default:
			return usage_error("bad option", optopt ? (char[]){ '-', (char)optopt, 0 }
								 : argv[optind - 1]), -1;
		}
	}
	if (!o->target)
		return usage_error("give --target bare, l4 or trap", NULL), -1;
	if (optind != argc - 1)
		return usage_error(optind < argc ? "exactly one guest ELF" : "no guest ELF", NULL), -1;
	o->guest = argv[optind];
	if (o->profile && !strcmp(o->target, "bare"))
		return usage_error("--profile needs --target l4 or trap (a bare run has no trap dump)",
				   NULL), -1;
	return 0;
}

/* --- files ------------------------------------------------------------------------- */

static int need_file(const char *what, const char *path, const char *hint)
{
	struct stat st;
	const char *why = NULL;
	if (stat(path, &st))
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (access(path, R_OK))
		why = strerror(errno);
	if (!why)
		return 0;
	fprintf(stderr, "afterburn run: %s %s: %s%s%s\n", what, path, why, hint ? "; " : "",
		hint ? hint : "");
	return -1;
}

/* out = a + b; -1 if it does not fit. */
static int join(char *out, size_t cap, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la + lb + 1 > cap)
		return -1;
	memmove(out, a, la);
	memcpy(out + la, b, lb + 1);
	return 0;
}

/* BUILD: AFTERBURN_BUILD_DIR, or the parent of this program's directory. */
static int build_dir(char *out, size_t cap)
{
	const char *env = getenv("AFTERBURN_BUILD_DIR");
	if (env && *env) {
		snprintf(out, cap, "%s", env);
		return 0;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	for (int up = 0; up < 2; up++) {        /* BUILD/bin/afterburn -> BUILD */
		char *slash = strrchr(exe, '/');
		if (!slash)
			return -1;
		*slash = 0;
	}
	snprintf(out, cap, "%s", exe[0] ? exe : "/");
	return 0;
}

struct hv_files {
	char kernel[PATH_MAX], root[PATH_MAX], console[PATH_MAX], wedge[PATH_MAX];
};

static int find_hv_files(struct hv_files *f)
{
	char build[PATH_MAX], hv[PATH_MAX];
	if (build_dir(build, sizeof build)) {
		fprintf(stderr, "afterburn run: cannot tell where the build tree is: set AFTERBURN_BUILD_DIR\n");
		return -1;
	}
	const char *env = getenv("AFTERBURN_HV_DIR"), *wedge = getenv("AFTERBURN_WEDGE");
	if ((env && *env ? join(hv, sizeof hv, env, "") : join(hv, sizeof hv, build, "/hypervisor")) ||
	    join(f->kernel, sizeof f->kernel, hv, "/hypervisor.elf") ||
	    join(f->root, sizeof f->root, hv, "/root.elf") ||
	    join(f->console, sizeof f->console, hv, "/console.elf") ||
	    (wedge && *wedge ? join(f->wedge, sizeof f->wedge, wedge, "")
			     : join(f->wedge, sizeof f->wedge, build, "/wedge/wedge.elf"))) {
		fprintf(stderr, "afterburn run: path too long\n");
		return -1;
	}
	const char *hint = "build it (scripts/build), or set AFTERBURN_BUILD_DIR / AFTERBURN_HV_DIR";
	if (need_file("hypervisor", f->kernel, hint) || need_file("root task", f->root, hint) ||
	    need_file("console server", f->console, hint) ||
	    need_file("wedge", f->wedge, "build it (scripts/build), or set AFTERBURN_WEDGE"))
		return -1;
	return 0;
}

/* The temporary directory: symlinks with short names, COM2's log, the
 * command-line file.  Everything made is listed for the cleanup. */
#define TMP_FILES 12
struct tmp {
	char dir[64];
	char made[TMP_FILES][96];
	int nmade;
};

/* A new name in the directory, remembered for the cleanup (stable storage). */
static const char *tmp_path(struct tmp *t, const char *name)
{
	if (t->nmade == TMP_FILES)
		return NULL;
	char *p = t->made[t->nmade];
	if (join(p, sizeof t->made[0], t->dir, "/") || join(p, sizeof t->made[0], p, name))
		return NULL;
	t->nmade++;
	return p;
}

static const char *tmp_link(struct tmp *t, const char *name, const char *target)
{
	char abs[PATH_MAX];
	if (!realpath(target, abs)) {
		fprintf(stderr, "afterburn run: %s: %s\n", target, strerror(errno));
		return NULL;
	}
	const char *p = tmp_path(t, name);
	if (!p || symlink(abs, p)) {
		fprintf(stderr, "afterburn run: %s: %s\n", p ? p : name, strerror(errno));
		return NULL;
	}
	return p;
}

/* The guest as a module: a link to it, or a copy without its DWARF. */
static const char *guest_module(struct tmp *t, const char *name, const char *guest)
{
	unsigned long dbg = ab_run_debug_bytes(guest);
	if (!dbg)
		return tmp_link(t, name, guest);
	const char *p = tmp_path(t, name);
	return p && !ab_run_strip_debug(guest, p, dbg) ? p : NULL;
}

static void tmp_cleanup(struct tmp *t)
{
	for (int i = 0; i < t->nmade; i++)
		unlink(t->made[i]);
	if (t->dir[0])
		rmdir(t->dir);
}

/* A guest module name: the guest's base name if it is plain and the
 * module's line stays whole (root names the VM after it), else guest.elf. */
static void guest_name(const char *path, size_t room, char *out, size_t cap)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	if (strlen(b) > room || strlen(b) >= cap || strpbrk(b, ", \t\n'\"\\") || !*b || b[0] == '.')
		b = "guest.elf";
	snprintf(out, cap, "%s", b);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	for (size_t got; buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
		n += got;
		if (cap - n < 2) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}

/* --- running QEMU ------------------------------------------------------------------- */

static volatile sig_atomic_t got_signal;
static void on_signal(int sig)
{
	got_signal = sig;
}

static void print_command(FILE *f, char *const *av)
{
	for (int i = 0; av[i]; i++) {
		const char *a = av[i];
		int plain = *a && !strpbrk(a, " \t\n'\"\\$`*?;&|<>()[]{}!#~");
		if (plain)
			fprintf(f, "%s%s", i ? " " : "", a);
		else {
			fprintf(f, "%s'", i ? " " : "");
			for (; *a; a++)
				if (*a == '\'')
					fputs("'\\''", f);
				else
					fputc(*a, f);
			fputc('\'', f);
		}
	}
	fputc('\n', f);
}

/* Run av; QEMU's exit status, 128 + signal, EXIT_TIMEOUT, or -1. */
static int run_qemu(char *const *av, double timeout)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "afterburn run: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		execvp(av[0], av);
		fprintf(stderr, "afterburn run: cannot run %s: %s\n", av[0], strerror(errno));
		_exit(127);
	}
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	struct timespec start, now, tick = { 0, 20 * 1000 * 1000 };
	clock_gettime(CLOCK_MONOTONIC, &start);
	int status = 0, timed_out = 0, forwarded = 0;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "afterburn run: waitpid: %s\n", strerror(errno));
			status = -1;
			break;
		}
		if (got_signal && !forwarded) {
			kill(pid, SIGTERM);
			forwarded = 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		double t = (double)(now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
		if (timeout > 0 && t > timeout && !timed_out) {
			fprintf(stderr, "afterburn run: no exit within %g s: QEMU killed\n", timeout);
			kill(pid, SIGKILL);
			timed_out = 1;
		}
		nanosleep(&tick, NULL);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (timed_out)
		return EXIT_TIMEOUT;
	if (status == -1)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

/* What COM2 says after an l4/trap run: the dump (to --profile OUT or a
 * summary), and the kernel's lines when the run did not end through the
 * guest.  May turn a 0-ish result into an error (no dump for --profile). */
static int report_com2(const struct run_opts *o, const char *com2_path, int status)
{
	char *log = read_all(com2_path);
	if (!log) {
		fprintf(stderr, "afterburn run: the kernel's console log %s: %s\n", com2_path,
			strerror(errno));
		return status;
	}
	struct ab_trapdump d;
	int have = ab_trapdump_find(log, &d) == 0;
	/* A guest's reset ends QEMU with 0, as bare: the kernel says so. */
	int reset = status == 0 && strstr(log, " reset the machine");
	int abnormal = !have || status == VM_DIED_STATUS || status == TRIPLE_FAULT_STATUS ||
		       status == WEDGE_PANIC_STATUS || strstr(log, " needs reservetop") ||
		       (status % 2 == 0 && !reset) ||
		       strstr(log, " died") || strstr(log, ": killed\n") || strstr(log, ": killed\r\n");
	if (abnormal || o->verbose) {
		fprintf(stderr, "afterburn run: the kernel's console (COM2)%s:\n",
			abnormal ? ", as the run did not end through the guest" : "");
		for (const char *p = log; *p;) {
			const char *e = strchr(p, '\n');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			if (!(have && p >= d.begin && p < d.end)) {
				size_t m = n;
				while (m && p[m - 1] == '\r')
					m--;
				fprintf(stderr, "  %.*s\n", (int)m, p);
			}
			p += n + (e ? 1 : 0);
		}
	}
	if (o->profile) {
		if (!have) {
			fprintf(stderr, "afterburn run: no trap dump on COM2: %s not written\n", o->profile);
		} else {
			FILE *f = fopen(o->profile, "w");
			int ok = f != NULL;
			for (const char *p = d.begin; ok && p < d.end;) {
				const char *e = strchr(p, '\n');
				size_t n = e ? (size_t)(e - p) : strlen(p), m = n;
				while (m && p[m - 1] == '\r')
					m--;
				ok = fprintf(f, "%.*s\n", (int)m, p) >= 0;
				p += n + (e ? 1 : 0);
			}
			if (f && fclose(f))
				ok = 0;
			if (!ok)
				fprintf(stderr, "afterburn run: %s: %s\n", o->profile, strerror(errno));
			else if (d.bad)
				fprintf(stderr, "afterburn run: %u malformed lines in the trap dump\n", d.bad);
		}
	} else {
		ab_trapdump_summary(stderr, &d);
	}
	free(log);
	return status;
}

int ab_run_main(int argc, char **argv)
{
	struct run_opts o = { .mem = DEFAULT_MEM_MIB };
	int r = parse_args(argc, argv, &o);
	if (r)
		return r > 0 ? 0 : EXIT_USAGE;
	if (need_file("guest", o.guest, NULL) || (o.initrd && need_file("initrd", o.initrd, NULL)))
		return EXIT_USAGE;
	const char *qemu = getenv("AFTERBURN_QEMU");
	if (!qemu || !*qemu)
		qemu = "qemu-system-i386";

	char *av[64 + MAX_QEMU_ARGS];
	int n = 0;
	char mem[32], initrd_arg[1024], modline[96], gname[32];
	struct tmp t = { .nmade = 0 };
	const char *com2 = NULL;
	int bare = !strcmp(o.target, "bare");
	av[n++] = (char *)qemu;
	av[n++] = "-accel";
	av[n++] = "tcg";
	av[n++] = "-cpu";
	av[n++] = QEMU_CPU;
	av[n++] = "-m";
	av[n++] = mem;
	if (bare) {
		snprintf(mem, sizeof mem, "%uM", o.mem);
		av[n++] = "-kernel";
		av[n++] = (char *)o.guest;
		if (o.initrd) {
			av[n++] = "-initrd";
			av[n++] = (char *)o.initrd;
		}
		if (o.append) {
			av[n++] = "-append";
			av[n++] = (char *)o.append;
		}
		av[n++] = "-serial";
		av[n++] = "stdio";
	} else {
		struct hv_files f;
		if (find_hv_files(&f))
			return EXIT_USAGE;
		snprintf(mem, sizeof mem, "%uM", o.mem + HV_EXTRA_MIB);
		snprintf(t.dir, sizeof t.dir, "/tmp/abrun.XXXXXX");
		if (!mkdtemp(t.dir)) {
			fprintf(stderr, "afterburn run: mkdtemp %s: %s\n", t.dir, strerror(errno));
			return EXIT_USAGE;
		}
		char opts[48];
		snprintf(opts, sizeof opts, " vm target=%s mem=%u", o.target, o.mem);
		guest_name(o.guest, MODULE_LINE_MAX - strlen(t.dir) - 1 - strlen(opts), gname, sizeof gname);
		const char *k = tmp_link(&t, "hypervisor.elf", f.kernel);
		const char *ro = k ? tmp_link(&t, "root.elf", f.root) : NULL;
		const char *co = ro ? tmp_link(&t, "console.elf", f.console) : NULL;
		const char *g = co ? guest_module(&t, gname, o.guest) : NULL;
		const char *w = g ? tmp_link(&t, "wedge.elf", f.wedge) : NULL;
		const char *i = w && o.initrd ? tmp_link(&t, "initrd", o.initrd) : w;
		const char *c = NULL;
		if (i && o.append && *o.append) {
			c = tmp_path(&t, "cmdline");
			FILE *cf = c ? fopen(c, "w") : NULL;
			if (cf)
				fputs(o.append, cf);
			if (!cf || fclose(cf)) {
				fprintf(stderr, "afterburn run: %s: %s\n", c ? c : "cmdline", strerror(errno));
				c = NULL, i = NULL;
			}
		}
		com2 = i ? tmp_path(&t, "com2.log") : NULL;
		if (!com2) {
			tmp_cleanup(&t);
			return EXIT_USAGE;
		}
		snprintf(modline, sizeof modline, "%s%s", g, opts);
		int len = snprintf(initrd_arg, sizeof initrd_arg, "%s,%s,%s,%s wedge", ro, co, modline, w);
		if (o.initrd)
			len += snprintf(initrd_arg + len, sizeof initrd_arg - (size_t)len, ",%s initrd", i);
		if (c)
			len += snprintf(initrd_arg + len, sizeof initrd_arg - (size_t)len, ",%s cmdline", c);
		static char com2_arg[128];
		snprintf(com2_arg, sizeof com2_arg, "file:%s", com2);
		av[n++] = "-kernel";
		av[n++] = (char *)k;
		av[n++] = "-initrd";
		av[n++] = initrd_arg;
		av[n++] = "-append";
		av[n++] = "debug=com2";
		av[n++] = "-serial";
		av[n++] = "stdio";
		av[n++] = "-serial";
		av[n++] = com2_arg;
	}
	av[n++] = "-display";
	av[n++] = "none";
	av[n++] = "-monitor";
	av[n++] = "none";
	av[n++] = "-no-reboot";
	av[n++] = "-device";
	av[n++] = "isa-debug-exit,iobase=0xf4,iosize=4";
	for (int q = 0; q < o.nq; q++)
		av[n++] = (char *)o.qargs[q];
	av[n] = NULL;

	if (o.dry_run) {
		print_command(stdout, av);
		tmp_cleanup(&t);
		return 0;
	}
	int status = run_qemu(av, o.timeout);
	if (status < 0)
		status = EXIT_USAGE;
	if (!bare)
		status = report_com2(&o, com2, status);
	tmp_cleanup(&t);
	return status;
}
