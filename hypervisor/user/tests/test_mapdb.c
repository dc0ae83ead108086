/*
 * The mapping database under a deep chain: a page is mapped from address
 * A0 to A1, from A1 to A2, ... inside our own space (a helper thread of
 * the space receives each mapping at its acceptor), DEPTH levels deep.
 * Every level reads our data.  Unmapping A0 then revokes the whole chain
 * (the kernel walks it without recursion): every level faults again and
 * gets a fresh zero page from root, while A0 keeps its data.
 */
#include "hvu.h"

#define BASE   0x10000000u      /* A0 .. A(DEPTH): consecutive pages in root's regions */
#define DEPTH  1000u
#define REGION 256u

HVU_STACK(helper_stack);

static uint32_t addr(unsigned k)
{
	return BASE + k * 4096;
}

/* Takes each mapping at the next address. */
static void helper(uint32_t unused)
{
	(void)unused;
	uint32_t *u = hv_utcb(), from = 0;
	for (unsigned k = 1;; k++) {
		u[HV_UTCB_ACCEPTOR] = HV_FPAGE(addr(k), 12, HV_RIGHTS_ALL);
		u[0] = HV_TAG(0, 0, 0);
		if (from)
			ipc_reply_wait(from, &from);
		else
			ipc_receive(HV_ANYTHREAD, 0, &from);
	}
}

int main(void)
{
	uint32_t *u = hv_utcb(), h, st;
	for (unsigned k = 0; k <= DEPTH; k += REGION)
		root_region(addr(k), DEPTH + 1 - k < REGION ? DEPTH + 1 - k : REGION);
	*(volatile uint32_t *)addr(0) = 0x5A5A;
	st = hvu_thread(HV_SPACE_SELF, hvu_args.root, hvu_args.root, HVU_PRIO_TASK, helper, 0, helper_stack, &h);
	unsigned fails = 0;
	for (unsigned k = 0; k < DEPTH && !st; k++) {
		u[0] = HV_TAG(0, 0, 2);
		u[1] = HV_ITEM_MAP;
		u[2] = HV_FPAGE(addr(k), 12, HV_RIGHTS_ALL);
		st = ipc_call(h);
	}
	for (unsigned k = 1; k <= DEPTH; k++)
		fails += *(volatile uint32_t *)addr(k) != 0x5A5A;
	check(!st && !fails, "a chain %u mappings deep, each sees the data (%u do not; status %u)", DEPTH, fails, st);
	st = hv_unmap(HV_FPAGE(addr(0), 12, HV_RIGHTS_ALL), 0);
	check(st == HV_OK, "unmap the chain's root (status %u)", st);
	fails = 0;
	for (unsigned k = 1; k <= DEPTH; k += 37)   /* a sample: each gets a fresh frame from root */
		fails += *(volatile uint32_t *)addr(k) != 0;
	fails += *(volatile uint32_t *)addr(DEPTH) != 0;
	check(!fails, "every level sampled was revoked (%u still mapped)", fails);
	check(*(volatile uint32_t *)addr(0) == 0x5A5A, "the root of the chain keeps its data");
	test_done();
}
