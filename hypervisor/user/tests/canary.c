/*
 * The canary of the isolation test (tests/test_vm_hostile.py): a task that
 * fills its memory with a pattern and checks it at every PIT tick while a
 * hostile guest runs beside it.  If the guest could reach another task's
 * frames, or stop the kernel, the pattern breaks or the ticks stop.
 * argv[1]: how many milliseconds of ticks to watch (default 300).
 */
#include "hvu.h"

#define WORDS (64u * 1024u / 4u)

static uint32_t canary[WORDS];

static uint32_t pattern(uint32_t i)
{
	return 0xC0FFEE00u ^ (i * 2654435761u);
}

static uint32_t broken_words(void)
{
	uint32_t bad = 0;
	for (uint32_t i = 0; i < WORDS; i++)
		bad += canary[i] != pattern(i);
	return bad;
}

int main(int argc, char **argv)
{
	uint32_t ms = 0, from, st, *u = hv_utcb();
	for (const char *p = argc > 1 ? argv[1] : ""; *p >= '0' && *p <= '9'; p++)
		ms = ms * 10 + (uint32_t)(*p - '0');
	if (!ms)
		ms = 300;
	for (uint32_t i = 0; i < WORDS; i++)
		canary[i] = pattern(i);
	st = root_irq(0, hv_mytid());
	check(st == HV_OK, "canary: IRQ 0 attached (status %u)", st);
	st = ipc_receive(HV_IRQ_THREAD(0), 0, &from);
	uint32_t first = u[2], now = first, checks = 0, bad = 0;
	while (st == HV_OK && now - first < ms) {
		bad += broken_words();
		checks++;
		msg_set(0, 0);
		st = hv_ipc(HV_IRQ_THREAD(0), HV_IRQ_THREAD(0), 0, &from);   /* ack, wait */
		now = u[2];
	}
	root_irq(0, 0);
	check(st == HV_OK, "canary: the ticks kept coming for %u ms (status %u)", ms, st);
	check(bad == 0, "canary: %u checks of %u words, %u broken", checks, WORDS, bad);
	test_done();
}
