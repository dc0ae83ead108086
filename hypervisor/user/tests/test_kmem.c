/*
 * Kernel memory.  A task may have 64 threads it made alive at once
 * (HV_E_NOMEM after that), and gets them back when they die.  Page tables
 * are kernel memory too: children in new spaces touch one page in every
 * 4 MiB, and we, their pager, map our page P there, until our task's
 * kernel-memory budget (ACCOUNT_PAGES, charged for every space below us)
 * runs out -- long before the kernel's pool would.  The kernel must refuse
 * (the mapping fails, the child faults again) without panicking, and be
 * whole again once the children die.
 */
#include "hvu.h"

#define P       0x10000000u
#define FAR     0x40000000u     /* the children touch FAR + k * 4 MiB */
#define STEP    0x00400000u
#define SPACES  8
#define QUOTA   64

HVU_STACK(s0);
HVU_STACK(s1);
HVU_STACK(s2);
HVU_STACK(s3);
HVU_STACK(s4);
HVU_STACK(s5);
HVU_STACK(s6);
HVU_STACK(s7);
static uint8_t *stacks[SPACES] = { s0, s1, s2, s3, s4, s5, s6, s7 };

static void toucher(uint32_t count)
{
	for (uint32_t k = 0; k < count; k++)
		(void)*(volatile uint32_t *)(FAR + k * STEP);
	for (;;)
		hv_yield();              /* keep the space (and its page tables) alive */
}

/* Start a toucher of `count` pages in a new space; serve it.  Returns the
 * pages it got, stopping when the kernel cannot map any more. */
static unsigned fill(unsigned i, uint32_t count, uint32_t *tid)
{
	uint32_t *u = hv_utcb(), me = hv_mytid(), from, last = 0, repeats = 0;
	unsigned got = 0;
	if (hvu_thread(HV_SPACE_NEW, me, me, HVU_PRIO_TASK, toucher, count, stacks[i], tid))
		return 0;
	while (got < count && pager_receive(*tid, &from) == HV_OK) {
		uint32_t a = u[1] & ~0xFFFu;
		if (HV_TAG_LABEL(u[0]) != HV_LABEL_PAGEFAULT || a < FAR)
			break;
		if (a == last && ++repeats == 3)
			break;                   /* the last mapping did not take */
		if (a != last)
			got++, repeats = 0;
		last = a;
		u[0] = HV_TAG(0, 0, 2);
		u[1] = HV_ITEM_MAP;
		u[2] = HV_FPAGE(P, 12, HV_RIGHT_R);
		ipc_send(from, HV_IPC_SEND_NONBLOCK);
	}
	return got - (repeats == 3);
}

int main(void)
{
	uint32_t t[QUOTA + 1], st = HV_OK, tids[SPACES];
	unsigned n = 0;
	while (n <= QUOTA && (st = hv_thread_create(HV_SPACE_SELF, 0, 0, 1, &t[n])) == HV_OK)
		n++;
	check(n <= QUOTA && st == HV_E_NOMEM, "%u threads made, then HV_E_NOMEM (%u)", n, st);
	for (unsigned i = 0; i < n; i++)
		hv_thread_kill(t[i]);
	st = hv_thread_create(HV_SPACE_NEW, 0, 0, 1, &t[0]);
	check(st == HV_OK, "after they die, a new one (status %u)", st);
	hv_thread_kill(t[0]);

	check(root_region(P, 1) == HV_OK, "a page from root");
	*(volatile uint32_t *)P = 1;
	const uint32_t per = (HV_UTCB_AREA - FAR) / STEP;
	unsigned total = 0, full = 0, spaces = 0;
	for (unsigned i = 0; i < SPACES && !full; i++, spaces++) {
		unsigned got = fill(i, per, &tids[i]);
		total += got;
		full = got < per;
	}
	uprintf("test_kmem: %u page tables in %u spaces before our budget ran out\n", total, spaces);
	check(full, "our kernel-memory budget ran out (after %u page tables) and the kernel said no", total);
	for (unsigned i = 0; i < spaces; i++)
		hv_thread_kill(tids[i]);
	/* Everything is back: a new space with many page tables again. */
	unsigned again = fill(0, 200, &tids[0]);
	check(again == 200, "once the children died, page tables for a new one: %u of 200", again);
	hv_thread_kill(tids[0]);
	st = hv_thread_create(HV_SPACE_SELF, 0, 0, 1, &t[0]);
	check(st == HV_OK, "and threads (status %u)", st);
	hv_thread_kill(t[0]);
	test_done();
}
