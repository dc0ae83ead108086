/*
 * Interrupts as IPC.  Each IRQ has at most one handler thread; the kernel
 * sends it a message from the pseudo-thread HV_IRQ_THREAD(n) when the IRQ
 * fires and the handler waits, and remembers it otherwise.  A device IRQ
 * stays masked until the handler acknowledges (a send to the IRQ thread);
 * IRQ 0, the PIT, is the kernel's tick and is never masked.
 */
#include "kernel.h"

static struct tcb *handler[NUM_IRQS];
static uint32_t handler_tid[NUM_IRQS];

static void deliver(struct tcb *t, unsigned irq)
{
	t->utcb[0] = HV_TAG(HV_LABEL_IRQ, 2, 0);
	t->utcb[1] = irq;
	t->utcb[2] = ticks;
	t->irq_pending &= ~(1u << irq);
	set_result(t, HV_OK, HV_IRQ_THREAD(irq));
}

int irq_deliver_pending(struct tcb *t, uint32_t from)
{
	if (!t->irq_pending || t->fault)
		return 0;
	for (unsigned irq = 0; irq < NUM_IRQS; irq++) {
		if (!(t->irq_pending & (1u << irq)))
			continue;
		if (from != HV_ANYTHREAD && from != HV_IRQ_THREAD(irq))
			continue;
		deliver(t, irq);
		return 1;
	}
	return 0;
}

void irq_handle(unsigned irq)
{
	struct tcb *t = handler[irq];
	if (!t || t->tid != handler_tid[irq] || t->state == T_DEAD) {
		if (irq != 0)
			arch_irq_mask(irq);
		return;
	}
	if (irq != 0)
		arch_irq_mask(irq);
	t->irq_pending |= 1u << irq;
	if (t->state == T_RECV && !t->fault &&
	    (t->partner == HV_ANYTHREAD || t->partner == HV_IRQ_THREAD(irq))) {
		deliver(t, irq);
		sched_ready(t);
	}
}

int irq_ack(struct tcb *self, unsigned irq)
{
	if (irq >= NUM_IRQS || handler[irq] != self)
		return -1;
	if (irq != 0)
		arch_irq_unmask(irq);
	return 0;
}

int irq_attach(unsigned irq, uint32_t tid)
{
	if (irq >= NUM_IRQS)
		return HV_E_INVAL;
	if (tid == HV_NILTHREAD) {
		if (handler[irq] && handler[irq]->tid == handler_tid[irq])
			handler[irq]->irq_pending &= ~(1u << irq);   /* nothing stale after a detach */
		handler[irq] = NULL;
		if (irq != 0)
			arch_irq_mask(irq);
		return HV_OK;
	}
	struct tcb *t = thread_lookup(tid);
	if (!t)
		return HV_E_NOTHREAD;
	if (handler[irq] && handler[irq] != t && handler[irq]->tid == handler_tid[irq])
		handler[irq]->irq_pending &= ~(1u << irq);
	handler[irq] = t;
	handler_tid[irq] = tid;
	if (irq != 0)
		arch_irq_unmask(irq);
	return HV_OK;
}

void irq_detach_thread(struct tcb *t)
{
	for (unsigned irq = 0; irq < NUM_IRQS; irq++)
		if (handler[irq] == t) {
			t->irq_pending &= ~(1u << irq);
			handler[irq] = NULL;
			if (irq != 0)
				arch_irq_mask(irq);
		}
}
