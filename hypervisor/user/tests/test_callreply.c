/*
 * Call and reply-and-wait: one server thread answers three clients of its
 * own space and one in another space, in whatever order they come; each
 * answer goes to the right caller, and the server sees every call once.
 */
#include "hvu.h"

#define CLIENTS 4        /* the last one in a new space */
#define CALLS   200

HVU_STACK(server_stack);
HVU_STACK(stack0);
HVU_STACK(stack1);
HVU_STACK(stack2);
HVU_STACK(stack3);
static uint8_t *stacks[CLIENTS] = { stack0, stack1, stack2, stack3 };

static uint32_t server_tid, main_tid;
static volatile uint32_t served, wrong[CLIENTS];

/* MR1 * 2 back, and the caller's id as the server saw it in MR2. */
static void server(uint32_t unused)
{
	(void)unused;
	uint32_t *u = hv_utcb(), from;
	ipc_receive(HV_ANYTHREAD, 0, &from);
	for (;;) {
		served++;
		u[0] = HV_TAG(0, 2, 0);
		u[1] *= 2;
		u[2] = from;
		ipc_reply_wait(from, &from);
	}
}

static void client(uint32_t i)
{
	uint32_t *u = hv_utcb(), me = hv_mytid();
	for (uint32_t n = 0; n < CALLS; n++) {
		uint32_t v = i << 16 | n;
		msg_set(1, 1, v);
		if (ipc_call(server_tid) != HV_OK || u[1] != 2 * v || u[2] != me)
			wrong[i]++;
		if (n % 16 == 0)
			hv_yield();              /* mix the callers up */
	}
	msg_set(2, 1, i);
	ipc_send(main_tid, 0);
}

int main(void)
{
	uint32_t *u = hv_utcb(), t, st;
	main_tid = hv_mytid();
	st = hvu_thread(HV_SPACE_SELF, hvu_args.root, hvu_args.root, HVU_PRIO_TASK, server, 0,
			server_stack, &server_tid);
	check(st == HV_OK, "server thread (status %u)", st);
	for (uint32_t i = 0; i < CLIENTS; i++) {
		int far = i == CLIENTS - 1;
		st = hvu_thread(far ? HV_SPACE_NEW : HV_SPACE_SELF, far ? main_tid : hvu_args.root,
				far ? main_tid : hvu_args.root, HVU_PRIO_TASK, client, i, stacks[i], &t);
		check(st == HV_OK, "client %u%s (status %u)", i, far ? " in a new space" : "", st);
	}
	unsigned done = 0, seen = 0;
	while (done < CLIENTS) {
		uint32_t from;
		st = pager_receive(HV_ANYTHREAD, &from);   /* the far client faults to me */
		if (st != HV_OK || HV_TAG_LABEL(u[0]) != 2 || u[1] >= CLIENTS)
			break;
		seen |= 1u << u[1];
		done++;
	}
	check(done == CLIENTS && seen == (1u << CLIENTS) - 1, "all %u clients finished", CLIENTS);
	for (unsigned i = 0; i < CLIENTS; i++)
		check(!wrong[i], "client %u: %u calls, %u wrong answers", i, CALLS, wrong[i]);
	check(served == CLIENTS * CALLS, "the server answered %u calls (want %u)", served, CLIENTS * CALLS);
	test_done();
}
