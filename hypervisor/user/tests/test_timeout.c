/*
 * Timeouts and blocking: a send with timeout 0 to a thread that does not
 * wait, and a receive with timeout 0 with nobody sending, fail with
 * HV_E_TIMEOUT; an infinite receive blocks until a lower-priority thread
 * (which can only run because we block) sends; an infinite send blocks
 * until the receiver comes; a partner killed while we wait gives
 * HV_E_CANCELED.
 */
#include "hvu.h"

#define LOW 50

HVU_STACK(s1);
HVU_STACK(s2);
HVU_STACK(s3);
HVU_STACK(s4);
HVU_STACK(s5);
HVU_STACK(s6);

static uint32_t main_tid;
static volatile uint32_t progress, received_value, victim;

/* Lower priority: runs only while main is blocked. */
static void late_sender(uint32_t unused)
{
	(void)unused;
	for (int i = 0; i < 5; i++) {
		progress++;
		hv_yield();
	}
	msg_set(3, 1, 42);
	ipc_send(main_tid, 0);
}

static void late_receiver(uint32_t unused)
{
	(void)unused;
	for (int i = 0; i < 5; i++) {
		progress++;
		hv_yield();
	}
	if (ipc_receive(main_tid, 0, 0) == HV_OK)
		received_value = hv_utcb()[1];
	msg_set(4, 0);
	ipc_send(main_tid, 0);
}

/* Waits for a message that never comes. */
static void waiter(uint32_t unused)
{
	(void)unused;
	ipc_receive(HV_ANYTHREAD, 0, 0);
}

/* Waits for a message from itself: never takes ours. */
static void deaf(uint32_t unused)
{
	(void)unused;
	ipc_receive(hv_mytid(), 0, 0);
}

static void killer(uint32_t unused)
{
	(void)unused;
	hv_thread_kill(victim);
}

static uint32_t spawn(void (*fn)(uint32_t), unsigned prio, uint8_t *stack)
{
	uint32_t t = 0;
	hvu_thread(HV_SPACE_SELF, hvu_args.root, hvu_args.root, prio, fn, 0, stack, &t);
	return t;
}

int main(void)
{
	uint32_t *u = hv_utcb(), from, st;
	main_tid = hv_mytid();

	/* Created, not started: it exists but does not wait. */
	uint32_t idle_tid;
	hv_thread_create(HV_SPACE_SELF, hvu_args.root, hvu_args.root, LOW, &idle_tid);
	msg_set(1, 0);
	st = ipc_send(idle_tid, HV_IPC_SEND_NONBLOCK);
	check(st == HV_E_TIMEOUT,
	      "send, timeout 0, receiver not waiting: HV_E_TIMEOUT (got %u)", st);
	st = ipc_receive(HV_ANYTHREAD, HV_IPC_RECV_NONBLOCK, 0);
	check(st == HV_E_TIMEOUT,
	      "open receive, timeout 0, nobody sending: HV_E_TIMEOUT (got %u)", st);
	st = ipc_receive(idle_tid, HV_IPC_RECV_NONBLOCK, 0);
	check(st == HV_E_TIMEOUT,
	      "closed receive, timeout 0: HV_E_TIMEOUT (got %u)", st);
	msg_set(1, 0);
	st = hv_ipc(idle_tid, idle_tid, HV_IPC_SEND_NONBLOCK, 0);
	check(st == HV_E_TIMEOUT,
	      "call with a send timeout 0: HV_E_TIMEOUT, no receive phase (got %u)", st);
	hv_thread_kill(idle_tid);

	uint32_t t = spawn(late_sender, LOW, s1);
	st = ipc_receive(t, 0, &from);
	check(st == HV_OK && from == t && u[1] == 42 && progress == 5,
	      "infinite receive blocks until a lower-priority thread sends (status %u, progress %u)", st, progress);

	progress = 0;
	t = spawn(late_receiver, LOW, s2);
	msg_set(4, 1, 77);
	st = ipc_send(t, 0);
	ipc_receive(t, 0, 0);          /* it says it is done */
	check(st == HV_OK && progress == 5, "infinite send waits for the receiver (status %u, progress %u)",
	      st, progress);
	check(received_value == 77, "the receiver got the message (%u)", received_value);

	victim = spawn(waiter, LOW, s3);
	spawn(killer, LOW, s4);
	st = ipc_receive(victim, 0, &from);
	check(st == HV_E_CANCELED, "receive from a partner killed meanwhile: HV_E_CANCELED (got %u)", st);

	victim = spawn(deaf, LOW, s5);
	spawn(killer, LOW, s6);
	msg_set(5, 0);
	st = ipc_send(victim, 0);
	check(st == HV_E_CANCELED, "send to a partner killed meanwhile: HV_E_CANCELED (got %u)", st);
	test_done();
}
