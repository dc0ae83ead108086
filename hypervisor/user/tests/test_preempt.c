/*
 * Preemption.  (1) A low-priority thread spins forever; we, at a higher
 * priority, wait for timer interrupts (IRQ 0, attached through root): each
 * one must reach us although the spinner never blocks, and the spinner
 * runs while we wait.  (2) A thread of our own priority spins: we spin
 * too, and it still makes progress (time slices).  (3) A yield lets a
 * thread of our priority run at once.
 */
#include "hvu.h"

#define TICKS 20

HVU_STACK(low_stack);
HVU_STACK(eq_stack);
HVU_STACK(y_stack);
static volatile uint32_t low_count, eq_count, y_count;

static void spin_low(uint32_t unused)
{
	(void)unused;
	for (;;)
		low_count++;
}

static void spin_eq(uint32_t unused)
{
	(void)unused;
	for (;;)
		eq_count++;
}

static void yielder(uint32_t unused)
{
	(void)unused;
	for (;;) {
		y_count++;
		hv_yield();
	}
}

int main(void)
{
	uint32_t *u = hv_utcb(), me = hv_mytid(), root = hvu_args.root, t, st, from;

	st = hvu_thread(HV_SPACE_SELF, root, root, 10, spin_low, 0, low_stack, &t);
	check(st == HV_OK, "a spinner at priority 10 (status %u)", st);
	st = root_irq(0, me);
	check(st == HV_OK, "IRQ 0 attached to me through root (status %u)", st);
	uint32_t got = 0, last = 0, monotonic = 1, low_before = low_count, ran_between = 0;
	for (unsigned i = 0; i < TICKS; i++) {
		uint32_t c = low_count;
		st = ipc_receive(HV_IRQ_THREAD(0), 0, &from);
		if (st != HV_OK || from != HV_IRQ_THREAD(0) || HV_TAG_LABEL(u[0]) != HV_LABEL_IRQ)
			break;
		if (i && u[2] <= last)
			monotonic = 0;
		last = u[2];
		ran_between += low_count != c;
		got++;
	}
	root_irq(0, 0);
	check(got == TICKS && monotonic, "%u timer messages with rising ticks reached me past the spinner", got);
	check(low_count != low_before && ran_between > 0,
	      "the spinner ran while I waited (%u of %u waits)", ran_between, TICKS);
	hv_thread_kill(t);

	st = hvu_thread(HV_SPACE_SELF, root, root, HVU_PRIO_TASK, spin_eq, 0, eq_stack, &t);
	uint32_t spins = 0;
	uint64_t start = rdtsc();
	while (eq_count < 1000 && ++spins < 0x40000000u)
		;
	check(st == HV_OK && eq_count >= 1000,
	      "a spinner of my priority runs while I spin: %u counts, %u of my loops, %llu TSC",
	      eq_count, spins, rdtsc() - start);
	hv_thread_kill(t);

	st = hvu_thread(HV_SPACE_SELF, root, root, HVU_PRIO_TASK, yielder, 0, y_stack, &t);
	uint32_t before = y_count;
	hv_yield();
	uint32_t after = y_count;
	hv_yield();
	check(st == HV_OK && after > before && y_count > after,
	      "each yield lets the other thread run (%u, %u, %u)", before, after, y_count);
	hv_thread_kill(t);

	uint32_t r[4];
	check(hv_set_priority(me, HVU_PRIO_TASK + 1) == HV_E_PERM, "no raising my own priority");
	st = hv_thread_create(HV_SPACE_SELF, root, root, 255, &t);
	check(st == HV_OK && hv_set_priority(t, 50) == HV_OK, "a new thread, then its priority lowered");
	hv_thread_kill(t);
	hv_myself(r);
	check(r[3] == HVU_PRIO_TASK, "my priority is still %u", r[3]);
	test_done();
}
