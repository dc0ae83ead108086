/*
 * Random arguments for the hostile task, biased towards ids and addresses
 * that mean something: ours, root's, the console's, threads we made, IRQ
 * pseudo-threads, the UTCB area, the kernel, our image and stack.
 */
#include "hostile.h"

uint32_t rng = 1;

uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

uint32_t any_tid(void)
{
	switch (rnd() % 10) {
	case 0: return HV_NILTHREAD;
	case 1: return HV_ANYTHREAD;
	case 2: return hvu_args.root;
	case 3: return hvu_args.console;
	case 4: return HV_IRQ_THREAD(rnd() % 20);
	case 5: return me;
	case 6: return (rnd() & 0xFFF) | (me & ~0xFFFu);            /* some index, our version */
	case 7: case 8: return nmade ? made[rnd() % nmade] : rnd();
	default: return rnd();
	}
}

uint32_t any_addr(void)
{
	switch (rnd() % 6) {
	case 0: return (uint32_t)__image_start + rnd() % 0x20000;
	case 1: return HV_UTCB_AREA + (rnd() & 0x3FFFFF);
	case 2: return HV_KERNEL_BASE + (rnd() & 0x3FFFFFF);
	case 3: return HVU_STACK_TOP - (rnd() & 0xFFFF);
	default: return rnd();
	}
}

uint32_t any_fpage(void)
{
	return HV_FPAGE(any_addr(), rnd() % 3 ? 12 + rnd() % 8 : rnd() % 64, rnd());
}

/* Ours not to touch: we would kill or stall ourselves. */
int protected(uint32_t t)
{
	return t == me || t == echo_tid;
}

/* A thread of our own space that runs our code or pushes on our memory
 * would scribble on us: such starts are left out. */
int is_mine(uint32_t t)
{
	for (unsigned i = 0; i < nmade; i++)
		if (made[i] == t)
			return made_self[i];
	return 0;
}

int ours(uint32_t a)
{
	return (a >= (uint32_t)__image_start && a < (uint32_t)__image_end) ||
	       (a >= HVU_STACK_TOP - HVU_STACK_SIZE && a < HVU_STACK_TOP);
}

void random_message(uint32_t to)
{
	uint32_t *u = hv_utcb();
	for (unsigned i = 1; i < HV_UTCB_MRS; i++)
		u[i] = rnd() % 4 ? rnd() : any_fpage();
	for (unsigned i = 1; i < HV_UTCB_MRS; i += 2)
		if (rnd() % 3 == 0)
			u[i] = 1 + rnd() % 4;                   /* an item type, mostly valid */
	unsigned label = rnd() % 4 ? rnd() & 0xFFFF : ROOT_REGION + rnd() % 4;
	/* Root takes a forged page fault or exception for the real thing, and
	 * kills the thread that "faulted": that would be suicide. */
	if ((to == hvu_args.root && (label == ROOT_EXIT || label == HV_LABEL_PAGEFAULT ||
				     label == HV_LABEL_EXCEPTION)) ||
	    (to == hvu_args.console && label == CONS_WRITE))
		label = 0x7777;
	u[0] = rnd() % 8 ? HV_TAG(label, rnd() % 16, 0) : rnd();
	if (HV_TAG_U(u[0]) + HV_TAG_T(u[0]) <= 15 && rnd() % 2)
		u[0] = HV_TAG(label, HV_TAG_U(u[0]) & 7, 2 * (rnd() % 4));
	u[HV_UTCB_ACCEPTOR] = rnd() % 4 ? 0 : any_fpage();
}

