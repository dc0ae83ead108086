/*
 * IPC ping-pong: call/reply between two threads of one space, then with a
 * thread in a new space that this task pages itself (its own code and data
 * mapped at the same addresses).  Also: all 15 untyped words arrive, the
 * sender id is the caller's, a malformed tag is refused, and a dead
 * thread's id never matches again.
 */
#include "hvu.h"

#define ROUNDS 1000

HVU_STACK(echo_stack);
HVU_STACK(child_stack);
HVU_STACK(dead_stack);

/* Answers every message with MR1 + 1, MR2 = the sender it saw, and the
 * other words as they came.  In a new space it first greets its pager:
 * a pager that sent to it before it waits would deadlock with its first
 * page fault (both would be sending). */
static void echo(uint32_t pager)
{
	uint32_t *u = hv_utcb(), from;
	msg_set(0, 0);
	hv_ipc(pager, HV_ANYTHREAD, 0, &from);
	for (;;) {
		unsigned n = HV_TAG_U(u[0]) < 2 ? 2 : HV_TAG_U(u[0]);
		u[0] = HV_TAG(0, n, 0);
		u[1] += 1;
		u[2] = from;
		ipc_reply_wait(from, &from);
	}
}

static void nothing(uint32_t unused)
{
	(void)unused;
}

/* ROUNDS calls to t; pager: serve t's page faults in between. */
static void ping_pong(uint32_t t, int pager, const char *what)
{
	uint32_t *u = hv_utcb(), me = hv_mytid();
	unsigned bad = 0;
	for (uint32_t i = 0; i < ROUNDS; i++) {
		msg_set(7, 2, i, 0);
		uint32_t st = pager ? pager_call(t) : ipc_call(t);
		if (st != HV_OK || u[1] != i + 1 || u[2] != me || HV_TAG_U(u[0]) != 2)
			bad++;
	}
	check(!bad, "%s: %u call/reply rounds, %u wrong", what, ROUNDS, bad);

	u[0] = HV_TAG(7, 15, 0);
	for (unsigned i = 1; i <= 15; i++)
		u[i] = 0x1000 * i + i;
	uint32_t st = pager ? pager_call(t) : ipc_call(t), ok = st == HV_OK && HV_TAG_U(u[0]) == 15;
	for (unsigned i = 3; i <= 15; i++)
		ok &= u[i] == 0x1000 * i + i;
	check(ok, "%s: 15 untyped words go and come back (status %u)", what, st);
}

int main(void)
{
	uint32_t me = hv_mytid(), t, c, d, st;
	uint32_t *u = hv_utcb();

	st = hvu_thread(HV_SPACE_SELF, hvu_args.root, hvu_args.root, HVU_PRIO_TASK, echo, 0, echo_stack, &t);
	check(st == HV_OK, "a second thread in my space (status %u)", st);
	ping_pong(t, 0, "same space");

	st = hvu_thread(HV_SPACE_NEW, me, me, HVU_PRIO_TASK, echo, me, child_stack, &c);
	check(st == HV_OK, "a thread in a new space, paged by me (status %u)", st);
	uint32_t from;
	st = pager_receive(c, &from);
	check(st == HV_OK && from == c, "it runs on my pages and greets me (status %u)", st);
	ping_pong(c, 1, "across spaces");

	u[0] = HV_TAG(7, 10, 6);
	check(ipc_send(t, 0) == HV_E_INVAL, "u + t = 16 is refused with HV_E_INVAL");
	u[0] = HV_TAG(7, 1, 3);
	check(ipc_send(t, 0) == HV_E_INVAL, "an odd number of typed words is refused");

	st = hvu_thread(HV_SPACE_SELF, hvu_args.root, hvu_args.root, HVU_PRIO_TASK, nothing, 0, dead_stack, &d);
	for (int i = 0; i < 10; i++)
		hv_yield();                  /* it runs and kills itself */
	msg_set(7, 0);
	check(ipc_send(d, HV_IPC_SEND_NONBLOCK) == HV_E_NOTHREAD, "a dead thread's id: HV_E_NOTHREAD");
	check(ipc_receive(d, 0, 0) == HV_E_NOTHREAD, "receive from a dead thread: HV_E_NOTHREAD");
	check(ipc_send(0x0FFFFFFF, 0) == HV_E_NOTHREAD, "a thread that never was: HV_E_NOTHREAD");
	test_done();
}
