/*
 * Unmap revokes recursively.  A (this task) has a page P from root; B, in
 * a new space paged by A, and C, in a new space paged by B, both read P
 * (B maps on what A mapped to it).  A unmaps P: the next reads of B and C
 * fault again (each once), and see what A wrote meanwhile.  Then A revokes
 * only the write right: C still reads without a fault, and its write
 * faults as "present, write".  B and C run on A's pages, so the counters
 * below are shared by all three.
 */
#include "hvu.h"

#define P 0x10000000u
#define READY 1
#define DONE  2

HVU_STACK(b_stack);
HVU_STACK(c_stack);
static volatile uint32_t b_faults, c_faults, c_seen[3], c_write_err, phase;

static void c_main(uint32_t b)
{
	volatile uint32_t *p = (volatile uint32_t *)P;
	for (unsigned i = 0; i < 2; i++) {
		c_seen[i] = *p;
		msg_set(READY, 0);
		hv_ipc(b, b, 0, 0);          /* tell B, wait for the go */
	}
	c_seen[2] = *p;
	*p = 1;                          /* faults: P is read-only for us now */
}

/* Serve the page faults of t on my image and on P until t sends
 * something else (returned), or, in phase 2, until it writes P. */
static uint32_t serve(uint32_t t, volatile uint32_t *count)
{
	uint32_t *u = hv_utcb(), from;
	for (;;) {
		uint32_t st = ipc_receive(t, 0, &from);
		if (st != HV_OK || HV_TAG_LABEL(u[0]) != HV_LABEL_PAGEFAULT)
			return st;
		uint32_t addr = u[1];
		if ((addr & ~0xFFFu) == P) {
			if (phase == 2) {
				c_write_err = u[3];
				hv_thread_kill(from);   /* C is done: no answer */
				return HV_OK;
			}
			(*count)++;
		} else if (!pager_own(addr)) {
			return HV_E_INVAL;
		}
		pager_map_own(from, addr, HV_RIGHTS_ALL);
	}
}

static void b_main(uint32_t a)
{
	uint32_t me = hv_mytid(), c;
	hvu_thread(HV_SPACE_NEW, me, me, HVU_PRIO_TASK, c_main, me, c_stack, &c);
	for (;;) {
		serve(c, &c_faults);        /* C read P (or, last, wrote it) */
		msg_set(READY, 0);
		hv_ipc(a, a, 0, 0);          /* tell A, wait for its go */
		msg_set(0, 0);
		ipc_send(c, 0);              /* pass the go on */
	}
}

/* Let B and C run one round; returns when B reports. */
static uint32_t round_trip(uint32_t b, int first)
{
	if (!first) {
		msg_set(0, 0);
		ipc_send(b, 0);
	}
	return serve(b, &b_faults);
}

int main(void)
{
	uint32_t me = hv_mytid(), b, st;
	volatile uint32_t *p = (volatile uint32_t *)P;
	check(root_region(P, 1) == HV_OK, "a page from root");
	*p = 0xAAAA;
	st = hvu_thread(HV_SPACE_NEW, me, me, HVU_PRIO_TASK, b_main, me, b_stack, &b);
	check(st == HV_OK, "B in a new space, paged by me (status %u)", st);

	st = round_trip(b, 1);
	check(st == HV_OK && c_seen[0] == 0xAAAA, "C reads P through B: %x (status %u)", c_seen[0], st);
	check(b_faults == 1 && c_faults == 1, "one fault on P each: B %u, C %u", b_faults, c_faults);

	st = hv_unmap(HV_FPAGE(P, 12, HV_RIGHTS_ALL), 0);
	check(st == HV_OK, "unmap P from everyone I gave it to (status %u)", st);
	*p = 0xBBBB;                     /* still mine */
	st = round_trip(b, 0);
	check(st == HV_OK && c_seen[1] == 0xBBBB, "C reads P again: %x (status %u)", c_seen[1], st);
	check(b_faults == 2 && c_faults == 2, "both faulted again, once: B %u, C %u", b_faults, c_faults);

	st = hv_unmap(HV_FPAGE(P, 12, HV_RIGHT_W), 0);
	check(st == HV_OK, "revoke only the write right (status %u)", st);
	phase = 2;
	*p = 0xCCCC;
	st = round_trip(b, 0);
	check(st == HV_OK && c_seen[2] == 0xCCCC && c_faults == 2,
	      "C still reads P without a fault: %x, faults %u", c_seen[2], c_faults);
	check(c_write_err == 7, "C's write faults as present + write + user: %x", c_write_err);
	check(*p == 0xCCCC, "my own mapping kept its data and rights");
	test_done();
}
