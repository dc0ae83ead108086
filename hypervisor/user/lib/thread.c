/*
 * Threads: each runs fn(arg) on an HVU_STACK block, with the UTCB word at
 * the block's top (hvu.h), and kills itself when fn returns.  The library
 * remembers the threads it made so hvu_exit leaves nothing running: root
 * only knows a task's first thread.
 */
#include "hvu.h"

#define MAX_TRACKED 64

static uint32_t tracked[MAX_TRACKED];
static unsigned ntracked;

/* Entered as if called: [esp] a dummy return address, then fn and arg. */
static void __attribute__((noreturn, used)) thread_entry(void (*fn)(uint32_t), uint32_t arg)
{
	fn(arg);
	hv_thread_kill(hv_mytid());
	for (;;)
		__asm__ volatile("ud2");
}

uint32_t hvu_thread(uint32_t space, uint32_t pager, uint32_t handler, unsigned prio,
		    void (*fn)(uint32_t), uint32_t arg, uint8_t *stack, uint32_t *tid)
{
	uint32_t t, st = hv_thread_create(space, pager, handler, prio, &t);
	if (st != HV_OK)
		return st;
	uint32_t *top = (uint32_t *)(stack + HVU_STACK_SIZE);
	top[-1] = 0;                   /* the UTCB word: looked up on first use */
	top[-3] = arg;
	top[-4] = (uint32_t)fn;
	top[-5] = 0;                   /* return address: thread_entry never returns */
	tracked[ntracked++ % MAX_TRACKED] = t;
	if (tid)
		*tid = t;
	return hv_thread_start(t, (uint32_t)thread_entry, (uint32_t)&top[-5]);
}

void hvu_exit(int status)
{
	uint32_t me = hv_mytid();
	unsigned n = ntracked < MAX_TRACKED ? ntracked : MAX_TRACKED;
	for (unsigned i = 0; i < n; i++)
		if (tracked[i] != me)
			hv_thread_kill(tracked[i]);
	if (hvu_args.root) {
		msg_set(ROOT_EXIT, 1, (uint32_t)status);
		ipc_call(hvu_args.root);      /* root kills us; we get no answer */
	}
	hv_thread_kill(me);
	for (;;)
		__asm__ volatile("ud2");
}
