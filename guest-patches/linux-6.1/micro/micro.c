/*
 * micro: lmbench-style microbenchmarks for the Linux 6.1 i386 guest, bare and on the
 * hypervisor (bench/linux_micro.py runs it; guest-patches/linux-6.1/README.md).
 *
 *   micro [PERCENT]   run every benchmark with PERCENT % of the default iterations (100)
 *   micro exit        exit at once with status 42 (the program fork_exec executes)
 *
 * A freestanding static executable: no libc, system calls through `int $0x80` (the CPU model
 * hides SEP, so that is also how the guest's libc enters the kernel). The initramfs is
 * busybox-only, so the binary must carry everything it needs; mkinitramfs builds it with
 *   gcc -m32 -static -nostdlib -ffreestanding -O2 ... micro.c -lgcc
 * (libgcc for the 64-bit division of the per-operation figures).
 *
 * Output, one line per benchmark, then a verdict (the bench and the test parse these):
 *   MB: <name> iterations <N> tsc_per_op <x>
 *   MB-CHECK: <name> ok | MB-CHECK: <name> FAILED: <why>
 *   MB-RESULT: ok | MB-RESULT: FAILED <k> checks
 * tsc_per_op is the rdtsc delta over the timed loop divided by N, with one decimal. Under
 * QEMU -icount shift=0 the TSC advances one per executed instruction (every instruction the
 * machine runs in that interval: user, guest kernel, and on the hypervisor the wedge and the
 * hypervisor too); under plain TCG it is the host's TSC, i.e. host time.
 * Each benchmark runs one untimed warm-up iteration first (page cache, slab caches, the
 * first-touch faults of our own stack and data).
 */
#include <stdint.h>

/* ---- the entry point: the kernel starts us with argc, argv..., 0, envp..., 0 at %esp ---- */

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"          /* the outermost frame, for debuggers */
	"	movl %esp, %eax\n"
	"	andl $-16, %esp\n"          /* the ABI's stack alignment at a call */
	"	subl $12, %esp\n"
	"	pushl %eax\n"
	"	call start_c\n"
	"	hlt\n");                    /* start_c never returns */

/* ---- system calls (i386 numbers, arch/x86/entry/syscalls/syscall_32.tbl) ---- */

enum {
	NR_exit = 1, NR_fork = 2, NR_read = 3, NR_write = 4, NR_close = 6, NR_execve = 11, NR_getpid = 20,
	NR_pipe = 42, NR_getppid = 64, NR_munmap = 91, NR_wait4 = 114, NR_prctl = 172,
	NR_mmap2 = 192, NR_exit_group = 252,
};

static inline long sys0(long n)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n) : "memory");
	return r;
}

static inline long sys1(long n, long a)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a) : "memory");
	return r;
}

static inline long sys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static inline long sys4(long n, long a, long b, long c, long d)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
	return r;
}

/* mmap2 takes six arguments; the sixth goes in %ebp, which may be the frame pointer, so it
 * is swapped in and out around the call instead of being named as an operand. */
static inline long sys_mmap2(void *addr, long len, long prot, long flags, long fd, long pgoff)
{
	long r;
	long args[2] = { fd, pgoff };
	long *pa = args;
	__asm__ volatile("pushl %%ebp\n\t"
			 "movl 4(%%edi), %%ebp\n\t"
			 "movl 0(%%edi), %%edi\n\t"
			 "int $0x80\n\t"
			 "popl %%ebp"
			 : "=a"(r), "+D"(pa)
			 : "0"(NR_mmap2), "b"(addr), "c"(len), "d"(prot), "S"(flags)
			 : "memory");
	return r;
}

#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define PR_GET_TSC 25
#define PR_TSC_ENABLE 1
#define PAGE 4096u

static __attribute__((noreturn)) void sys_exit_group(int code)
{
	for (;;)
		sys1(NR_exit_group, code);
}

/* A failed call returns -errno in [-4095, -1]. */
static int is_err(long r)
{
	return (unsigned long)r > -4096ul;
}

/* ---- the few library pieces we need (gcc may also emit calls to memset/memcpy) ---- */

void *memset(void *d, int c, __SIZE_TYPE__ n);
void *memset(void *d, int c, __SIZE_TYPE__ n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, __SIZE_TYPE__ n);
void *memcpy(void *d, const void *s, __SIZE_TYPE__ n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

static int seq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Output is assembled in a line buffer and written with one write(2): a line never
 * interleaves with a child's output, and the console sees whole lines. */
static char line[256];
static unsigned line_len;

static void put(const char *s)
{
	while (*s && line_len < sizeof line - 1)
		line[line_len++] = *s++;
}

static void put_u64(uint64_t v)
{
	char buf[24];
	int i = 0;
	do {
		buf[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i && line_len < sizeof line - 1)
		line[line_len++] = buf[--i];
}

static void flush_line(void)
{
	put("\n");
	if (line[line_len - 1] != '\n')
		line[line_len - 1] = '\n';     /* truncated: still end the line */
	sys3(NR_write, 1, (long)line, line_len);
	line_len = 0;
}

/* ---- the clock ---- */

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* ---- results and self-checks ---- */

static unsigned failed_checks;
static char **env;
static const char *self;       /* our own path (argv[0]), which fork_exec executes */

static void report(const char *name, uint32_t n, uint64_t ticks, const char *why)
{
	put("MB: ");
	put(name);
	put(" iterations ");
	put_u64(n);
	put(" tsc_per_op ");
	uint64_t tenths = (ticks * 10 + n / 2) / n;   /* rounded to one decimal */
	put_u64(tenths / 10);
	put(".");
	put_u64(tenths % 10);
	flush_line();
	put("MB-CHECK: ");
	put(name);
	if (why) {
		put(" FAILED: ");
		put(why);
		failed_checks++;
	} else {
		put(" ok");
	}
	flush_line();
}

static void info(const char *a, const char *b)
{
	put("MB-INFO: ");
	put(a);
	put(b);
	flush_line();
}

/* wait4 for one child; returns its raw status, or -1. */
static int reap(long pid)
{
	int status = 0;
	long r = sys4(NR_wait4, pid, (long)&status, 0, 0);
	return r == pid ? status : -1;
}

static int exited_with(int status, int code)
{
	return status >= 0 && (status & 0x7f) == 0 && ((status >> 8) & 0xff) == code;
}

/* ---- the benchmarks ---- */

/* null system call: getppid, which does nothing but read a field. */
static void bench_null(uint32_t n)
{
	long want = sys0(NR_getppid);
	const char *why = want <= 0 ? "getppid failed" : 0;
	unsigned bad = 0;
	uint64_t t0 = rdtsc();
	for (uint32_t i = 0; i < n; i++)
		bad += sys0(NR_getppid) != want;
	uint64_t t = rdtsc() - t0;
	if (bad)
		why = "getppid returned different values";
	report("null_syscall", n, t, why);
}

/* fork, the child exits at once with a status that depends on the iteration, the parent
 * waits for it: process creation and teardown without exec. */
static const char *fork_exit_once(uint32_t i)
{
	long pid = sys0(NR_fork);
	if (pid == 0)
		sys_exit_group((int)(i & 0x7f));
	if (is_err(pid))
		return "fork failed";
	if (!exited_with(reap(pid), (int)(i & 0x7f)))
		return "child exit status wrong";
	return 0;
}

static void bench_fork_exit(uint32_t n)
{
	const char *why = fork_exit_once(1000);
	uint64_t t0 = rdtsc();
	for (uint32_t i = 0; i < n && !why; i++)
		why = fork_exit_once(i);
	uint64_t t = rdtsc() - t0;
	report("fork_exit", n, t, why);
}

/* fork, the child executes this program with the argument "exit" (a static binary of a few
 * KiB that exits with 42 at once), the parent waits: fork + execve + exit. */
#define EXEC_STATUS 42

static const char *fork_exec_once(void)
{
	long pid = sys0(NR_fork);
	if (pid == 0) {
		char *argv[] = { (char *)self, "exit", 0 };
		sys3(NR_execve, (long)self, (long)argv, (long)env);
		sys_exit_group(127);              /* execve failed */
	}
	if (is_err(pid))
		return "fork failed";
	int st = reap(pid);
	if (exited_with(st, 127))
		return "execve failed in the child";
	if (!exited_with(st, EXEC_STATUS))
		return "child exit status wrong";
	return 0;
}

static void bench_fork_exec(uint32_t n)
{
	const char *why = fork_exec_once();
	uint64_t t0 = rdtsc();
	for (uint32_t i = 0; i < n && !why; i++)
		why = fork_exec_once();
	uint64_t t = rdtsc() - t0;
	report("fork_exec", n, t, why);
}

/* pipe ping-pong: the parent writes one byte to the child, the child answers with that
 * byte + 1 on a second pipe; one round trip per iteration (two context switches, four
 * system calls). Both ends check every byte; the child reports by its exit status. */
static void bench_pipe(uint32_t n)
{
	int to_child[2], to_parent[2];
	if (sys1(NR_pipe, (long)to_child) || sys1(NR_pipe, (long)to_parent)) {
		report("pipe_pingpong", n, 0, "pipe failed");
		return;
	}
	uint32_t total = n + 1;           /* the first round trip is the warm-up */
	long pid = sys0(NR_fork);
	if (pid == 0) {
		/* Only the parent may hold the other ends: if it stops early, our read sees EOF. */
		sys1(NR_close, to_child[1]);
		sys1(NR_close, to_parent[0]);
		unsigned bad = 0;
		for (uint32_t i = 0; i < total; i++) {
			unsigned char b;
			if (sys3(NR_read, to_child[0], (long)&b, 1) != 1)
				sys_exit_group(2);
			bad += b != (unsigned char)(i * 7);
			b++;
			if (sys3(NR_write, to_parent[1], (long)&b, 1) != 1)
				sys_exit_group(3);
		}
		sys_exit_group(bad ? 1 : 0);
	}
	if (is_err(pid)) {
		report("pipe_pingpong", n, 0, "fork failed");
		return;
	}
	const char *why = 0;
	uint64_t t0 = 0;
	for (uint32_t i = 0; i < total && !why; i++) {
		if (i == 1)
			t0 = rdtsc();
		unsigned char b = (unsigned char)(i * 7), r;
		if (sys3(NR_write, to_child[1], (long)&b, 1) != 1 ||
		    sys3(NR_read, to_parent[0], (long)&r, 1) != 1)
			why = "pipe read/write failed";
		else if (r != (unsigned char)(b + 1))
			why = "the parent read a wrong byte";
	}
	uint64_t t = rdtsc() - t0;
	for (int k = 0; k < 2; k++) {
		sys1(NR_close, to_child[k]);
		sys1(NR_close, to_parent[k]);
	}
	int st = reap(pid);
	if (!why && !exited_with(st, 0))
		why = exited_with(st, 1) ? "the child read a wrong byte" : "child exit status wrong";
	report("pipe_pingpong", n, t, why);
}

/* page fault: the first write to each page of a fresh private anonymous mapping, one fault
 * per page (a zeroed page allocated and mapped). The mapping is made and removed outside the
 * timed loop, in chunks of 256 pages (1 MiB); every page is read back afterwards. */
#define PF_CHUNK 256u

static void bench_pagefault(uint32_t n)
{
	const char *why = 0;
	uint64_t t = 0;
	uint32_t done = 0;
	int warm = 1;
	while (!why && done < n) {
		uint32_t pages = warm ? 1 : (n - done < PF_CHUNK ? n - done : PF_CHUNK);
		long a = sys_mmap2(0, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (is_err(a)) {
			why = "mmap failed";
			break;
		}
		volatile uint32_t *p = (volatile uint32_t *)a;
		uint64_t t0 = rdtsc();
		for (uint32_t i = 0; i < pages; i++)
			p[i * (PAGE / 4) + (i & 7)] = 0x9E3779B9u * (done + i + 1);
		uint64_t dt = rdtsc() - t0;
		for (uint32_t i = 0; i < pages && !why; i++) {
			if (p[i * (PAGE / 4) + (i & 7)] != 0x9E3779B9u * (done + i + 1))
				why = "a page did not read back what was written";
			else if (p[i * (PAGE / 4) + ((i + 1) & 7)] != 0)
				why = "a fresh anonymous page was not zero";
		}
		if (sys3(NR_munmap, a, pages * PAGE, 0))
			why = "munmap failed";
		if (warm)
			warm = 0;
		else
			t += dt, done += pages;
	}
	report("page_fault", n, t, why);
}

/* mmap/munmap: a 1 MiB private anonymous mapping, one word of its first page written, then
 * unmapped. Writing one page makes munmap tear down a real page-table entry and flush the
 * TLB (an untouched mapping never reaches the page tables); so this includes one page fault,
 * which the page_fault line measures alone. */
#define MMAP_LEN (1u << 20)

static const char *mmap_once(uint32_t i)
{
	long a = sys_mmap2(0, MMAP_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (is_err(a))
		return "mmap failed";
	if (a & (PAGE - 1))
		return "mmap returned an unaligned address";
	volatile uint32_t *p = (volatile uint32_t *)a;
	p[1] = i;
	const char *why = p[1] == i && p[0] == 0 ? 0 : "the touched page read back wrong";
	if (sys3(NR_munmap, a, MMAP_LEN, 0))
		return "munmap failed";
	return why;
}

static void bench_mmap(uint32_t n)
{
	const char *why = mmap_once(0);
	uint64_t t0 = rdtsc();
	for (uint32_t i = 0; i < n && !why; i++)
		why = mmap_once(i + 1);
	uint64_t t = rdtsc() - t0;
	report("mmap_munmap", n, t, why);
}

/* ---- main ---- */

/* The default iterations: the whole set takes a few seconds under TCG bare. */
static const struct {
	void (*run)(uint32_t);
	uint32_t n;
} benches[] = {
	{ bench_null, 20000 },
	{ bench_fork_exit, 300 },
	{ bench_fork_exec, 200 },
	{ bench_pipe, 5000 },
	{ bench_pagefault, 4096 },
	{ bench_mmap, 2000 },
};

static uint32_t parse_u32(const char *s, int *ok)
{
	uint32_t v = 0;
	*ok = *s != 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000u) {
			*ok = 0;
			return 0;
		}
		v = v * 10 + (uint32_t)(*s - '0');
	}
	return v;
}

/* rdtsc must work at CPL 3: Linux reports whether it set CR4.TSD for this task (prctl
 * PR_GET_TSC), and the counter must move forward across work. */
static void check_tsc(void)
{
	int mode = 0;
	long r = sys4(NR_prctl, PR_GET_TSC, (long)&mode, 0, 0);
	if (r || mode != PR_TSC_ENABLE) {
		info("rdtsc ", "FAILED: prctl(PR_GET_TSC) does not say enabled");
		failed_checks++;
		return;
	}
	uint64_t a = rdtsc();
	for (int i = 0; i < 100; i++)
		sys0(NR_getpid);
	uint64_t b = rdtsc();
	if (b <= a) {
		info("rdtsc ", "FAILED: the TSC did not advance across 100 system calls");
		failed_checks++;
		return;
	}
	info("rdtsc ", "enabled (prctl PR_GET_TSC), advancing");
}

__attribute__((noreturn, used)) void start_c(uint32_t *sp);
__attribute__((noreturn, used)) void start_c(uint32_t *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	env = argv + argc + 1;
	self = argv[0];
	if (argc >= 2 && seq(argv[1], "exit"))
		sys_exit_group(EXEC_STATUS);

	uint32_t percent = 100;
	int ok = 1;
	if (argc >= 2)
		percent = parse_u32(argv[1], &ok);
	if (!ok || percent == 0 || argc > 2) {
		static const char usage[] = "usage: micro [PERCENT] | micro exit\n";
		sys3(NR_write, 2, (long)usage, sizeof usage - 1);
		sys_exit_group(2);
	}
	if (!self || self[0] != '/') {
		static const char msg[] = "micro: run me by an absolute path (fork_exec executes argv[0])\n";
		sys3(NR_write, 2, (long)msg, sizeof msg - 1);
		sys_exit_group(2);
	}
	put("MB-INFO: scale ");
	put_u64(percent);
	put("% of the default iterations; program ");
	put(self);
	flush_line();
	check_tsc();
	for (unsigned i = 0; i < sizeof benches / sizeof benches[0]; i++) {
		uint32_t n = (uint32_t)((uint64_t)benches[i].n * percent / 100);
		benches[i].run(n ? n : 1);
	}
	if (failed_checks) {
		put("MB-RESULT: FAILED ");
		put_u64(failed_checks);
		put(" checks");
	} else {
		put("MB-RESULT: ok");
	}
	flush_line();
	sys_exit_group(failed_checks ? 1 : 0);
}
