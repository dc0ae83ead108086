/*
 * Interrupts as IPC: IRQ 0 (the PIT) attached to us through root; N
 * messages come from HV_IRQ_THREAD(0), label HV_LABEL_IRQ, MR1 0, MR2 a
 * rising tick count; each is acknowledged by the call that waits for the
 * next.  After detaching, no more come.  A task may not attach an IRQ
 * itself, nor acknowledge one it does not handle.
 */
#include "hvu.h"

#define N 100

int main(void)
{
	uint32_t *u = hv_utcb(), me = hv_mytid(), st, from;
	check(hv_irq_attach(0, me) == HV_E_PERM, "IRQ_ATTACH from a task: HV_E_PERM");
	msg_set(0, 0);
	check(ipc_send(HV_IRQ_THREAD(3), 0) == HV_E_PERM, "acknowledging an IRQ I do not handle: HV_E_PERM");
	check(root_irq(16, me) == HV_E_INVAL, "root refuses IRQ 16");
	st = root_irq(0, me);
	check(st == HV_OK, "IRQ 0 attached through root (status %u)", st);

	unsigned got = 0, bad = 0, rising = 1;
	uint32_t first = 0, last = 0;
	st = ipc_receive(HV_IRQ_THREAD(0), 0, &from);
	for (; st == HV_OK && got < N; got++) {
		if (from != HV_IRQ_THREAD(0) || HV_TAG_LABEL(u[0]) != HV_LABEL_IRQ || HV_TAG_U(u[0]) != 2 ||
		    u[1] != 0)
			bad++;
		if (got && u[2] <= last)
			rising = 0;
		if (!got)
			first = u[2];
		last = u[2];
		if (got + 1 < N) {
			msg_set(0, 0);
			st = hv_ipc(HV_IRQ_THREAD(0), HV_IRQ_THREAD(0), 0, &from);   /* ack, wait */
		}
	}
	check(got == N && !bad, "%u IRQ 0 messages, %u malformed (status %u)", got, bad, st);
	check(rising && last - first >= N - 1, "ticks rise: %u to %u", first, last);
	check(root_irq(0, 0) == HV_OK, "detached through root");
	/* One message may have been pending at the detach; then nothing. */
	ipc_receive(HV_IRQ_THREAD(0), HV_IPC_RECV_NONBLOCK, 0);
	for (volatile uint32_t i = 0; i < 2000000; i++)
		;
	st = ipc_receive(HV_IRQ_THREAD(0), HV_IPC_RECV_NONBLOCK, 0);
	check(st == HV_E_TIMEOUT, "no message after the detach (status %u)", st);
	test_done();
}
