/*
 * The kernel's boot smoke test (ctest hypervisor_boot_smoke): a root task
 * on its own, with no user library, that checks the kernel's core with
 * nothing else running: a thread in its own space, 1000 call/reply round
 * trips, the physical window, both timeouts, and a fault sent to its
 * handler.  Prints through the kernel's debug console and ends the run with
 * HV_SYS_SHUTDOWN: code 0 if every check held, 1 if not.
 */
#include <stdint.h>

#include "syscall.h"

struct regs {
	uint32_t a, b, c, d, si;
};

static uint32_t sys(uint32_t n, uint32_t b, uint32_t c, uint32_t d, uint32_t si, struct regs *out)
{
	uint32_t a = n;
	__asm__ volatile("int $0x30" : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(si) : : "memory", "edi");
	if (out)
		*out = (struct regs){ a, b, c, d, si };
	return a;
}

static void puts_(const char *s)
{
	while (*s)
		sys(HV_SYS_KDEBUG, (uint8_t)*s++, 0, 0, 0, 0);
}

static void hex(uint32_t v)
{
	char buf[9];
	for (int i = 0; i < 8; i++)
		buf[i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
	buf[8] = 0;
	puts_(buf);
}

static int failures;

static void check(int ok, const char *what, uint32_t value)
{
	puts_(ok ? "smoke: ok   " : "smoke: FAIL ");
	puts_(what);
	puts_(" ");
	hex(value);
	puts_("\n");
	failures += !ok;
}

static uint32_t *utcb;
static uint8_t worker_stack[4096] __attribute__((aligned(16)));

/* Echoes MR1 + 1 to whoever calls. */
static void worker(void)
{
	struct regs r;
	uint32_t *u = (uint32_t *)(sys(HV_SYS_MYSELF, 0, 0, 0, 0, &r), r.c);
	sys(HV_SYS_IPC, HV_NILTHREAD, HV_ANYTHREAD, 0, 0, &r);
	for (;;) {
		u[0] = HV_TAG(0, 1, 0);
		u[1] = u[1] + 1;
		sys(HV_SYS_IPC, r.b, HV_ANYTHREAD, 0, 0, &r);
	}
}

/* The handler of a faulting thread: resumes it two bytes further (past
 * the ud2) with eax set, so the faulting thread sees it was handled. */
static void handler(uint32_t faulter)
{
	struct regs r;
	sys(HV_SYS_IPC, HV_NILTHREAD, faulter, 0, 0, &r);
	check(r.a == HV_OK && HV_TAG_LABEL(utcb[0]) == HV_LABEL_EXCEPTION && utcb[HV_EXC_VECTOR] == 6,
	      "#UD reaches the exception handler, vector", utcb[HV_EXC_VECTOR]);
	utcb[0] = HV_TAG(0, HV_EXC_WORDS, 0);
	utcb[HV_EXC_EIP] += 2;
	utcb[HV_EXC_EAX] = 0x600d;
	sys(HV_SYS_IPC, faulter, HV_NILTHREAD, 0, 0, &r);
}

static volatile uint32_t faulter_result, root_tid;
static uint8_t faulter_stack[4096] __attribute__((aligned(16)));

/* Faults on ud2, then tells root (which runs at a higher priority and
 * waits for it) what it saw in eax after the handler resumed it. */
static void faulter(void)
{
	uint32_t a = 0;
	__asm__ volatile("ud2" : "+a"(a));
	faulter_result = a;
	struct regs r;
	uint32_t *u = (uint32_t *)(sys(HV_SYS_MYSELF, 0, 0, 0, 0, &r), r.c);
	u[0] = 0;
	sys(HV_SYS_IPC, root_tid, HV_NILTHREAD, 0, 0, 0);
	sys(HV_SYS_THREAD_KILL, r.b, 0, 0, 0, 0);
}

void _start(void)
{
	struct regs me;
	sys(HV_SYS_MYSELF, 0, 0, 0, 0, &me);
	utcb = (uint32_t *)me.c;
	root_tid = me.b;
	puts_("smoke: root task running\n");

	struct regs r;
	uint32_t st = sys(HV_SYS_THREAD_CREATE, HV_SPACE_SELF, me.b, me.b, 100, &r);
	uint32_t w = r.b;
	check(st == HV_OK, "thread create", st);
	sys(HV_SYS_THREAD_START, w, (uint32_t)worker, (uint32_t)(worker_stack + sizeof worker_stack), 0, 0);

	utcb[1] = 0;
	int bad = 0;
	for (int i = 0; i < 1000; i++) {
		utcb[0] = HV_TAG(0, 1, 0);
		if (sys(HV_SYS_IPC, w, w, 0, 0, &r) != HV_OK || r.b != w)
			bad++;
	}
	check(!bad && utcb[1] == 1000, "1000 call/reply round trips, MR1", utcb[1]);

	volatile uint32_t *win = (uint32_t *)(HV_PHYS_WINDOW + 0x02000000u);
	win[0] = 0x5a5a1234;
	check(win[0] == 0x5a5a1234, "physical window at 32 MiB", win[0]);

	check(sys(HV_SYS_IPC, HV_NILTHREAD, 0x7ff, 0, 0, 0) == HV_E_NOTHREAD, "receive from nobody", 0);
	check(sys(HV_SYS_IPC, HV_NILTHREAD, HV_ANYTHREAD, HV_IPC_RECV_NONBLOCK, 0, 0) == HV_E_TIMEOUT,
	      "receive with timeout 0", 0);
	utcb[0] = 0;
	check(sys(HV_SYS_IPC, w, HV_NILTHREAD, HV_IPC_SEND_NONBLOCK, 0, 0) == HV_OK,
	      "send with timeout 0 to a waiting thread", 0);
	utcb[0] = 0;
	check(sys(HV_SYS_IPC, me.b, HV_NILTHREAD, HV_IPC_SEND_NONBLOCK, 0, 0) == HV_E_TIMEOUT,
	      "send with timeout 0 to a thread that is not waiting", 0);

	st = sys(HV_SYS_THREAD_CREATE, HV_SPACE_SELF, me.b, me.b, 100, &r);
	uint32_t f = r.b;
	sys(HV_SYS_THREAD_START, f, (uint32_t)faulter, (uint32_t)(faulter_stack + sizeof faulter_stack), 0, 0);
	handler(f);
	check(sys(HV_SYS_IPC, HV_NILTHREAD, f, 0, 0, &r) == HV_OK && r.b == f, "the thread reports back", r.a);
	check(faulter_result == 0x600d, "the handler resumed the thread with its registers", faulter_result);

	puts_(failures ? "smoke: FAILED\n" : "smoke: all ok\n");
	sys(HV_SYS_SHUTDOWN, failures ? 1 : 0, 0, 0, 0, 0);
}
