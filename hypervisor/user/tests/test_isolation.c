/*
 * Isolation: threads of this task touch what they were not given — an
 * unmapped address, kernel memory, another slot of the UTCB area, their
 * own read-only code — or run a privileged instruction.  Root (their pager
 * and exception handler) kills each; we, blocked waiting for the thread,
 * learn it died (HV_E_CANCELED, or HV_E_NOTHREAD if it was already gone)
 * and carry on with our memory intact.  Last, after our result line, our
 * own first thread touches an address it was not given: root must end the
 * task ("killed" in its summary) and run the next test.
 */
#include "hvu.h"

static uint32_t main_tid;
static volatile uint32_t canary = 0xC0FFEE;

static void touch_unmapped(void) { (void)*(volatile uint32_t *)0x30000000; }
static void touch_kernel(void) { (void)*(volatile uint32_t *)0xFC100000; }
static void write_kernel(void) { *(volatile uint32_t *)0xFC100000 = 0; }
static void touch_utcb(void) { (void)*(volatile uint32_t *)(HV_UTCB_AREA + 0x200000); }
static void write_code(void) { *(volatile uint8_t *)touch_unmapped = 0xC3; }
static void privileged(void) { __asm__ volatile("hlt"); }
static void jump_kernel(void) { ((void (*)(void))0xFC100000)(); }

static const struct {
	const char *what;
	void (*fn)(void);
} cases[] = {
	{ "read of an address it was not given", touch_unmapped },
	{ "read of kernel memory", touch_kernel },
	{ "write to kernel memory", write_kernel },
	{ "read of another slot of the UTCB area", touch_utcb },
	{ "write to its own read-only code", write_code },
	{ "hlt", privileged },
	{ "jump into the kernel", jump_kernel },
};
#define NCASES (sizeof cases / sizeof cases[0])

HVU_STACK(s0);
HVU_STACK(s1);
HVU_STACK(s2);
HVU_STACK(s3);
HVU_STACK(s4);
HVU_STACK(s5);
HVU_STACK(s6);
static uint8_t *stacks[NCASES] = { s0, s1, s2, s3, s4, s5, s6 };

/* Does the bad thing; if it lives on, says so. */
static void victim(uint32_t i)
{
	cases[i].fn();
	msg_set(1, 0);
	ipc_send(main_tid, 0);
}

int main(void)
{
	main_tid = hv_mytid();
	for (uint32_t i = 0; i < NCASES; i++) {
		uint32_t t, st = hvu_thread(HV_SPACE_SELF, hvu_args.root, hvu_args.root, HVU_PRIO_TASK,
					    victim, i, stacks[i], &t);
		if (st == HV_OK)
			st = ipc_receive(t, 0, 0);
		check(st == HV_E_CANCELED || st == HV_E_NOTHREAD, "%s: root killed the thread (status %u)",
		      cases[i].what, st);
	}
	check(canary == 0xC0FFEE, "my memory is intact");
	test_report();
	uprintf("test_isolation: now my first thread reads 0x30000000; root must end me\n");
	touch_unmapped();
	hvu_exit(HVU_EXIT_FAILURE);
}
