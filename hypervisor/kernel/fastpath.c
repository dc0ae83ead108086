/*
 * The IPC fast path, in the manner of seL4's: call and reply-and-wait with
 * a message of untyped words only, to a partner that is already waiting
 * for us and may run at once.  A list of guards sends everything else to
 * the general path (ipc.c); then the straight line: copy the words, set
 * the partner's results, block ourselves in our receive phase, switch.
 */
#include "kernel.h"

int ipc_fastpath(struct tcb *self, struct trap_frame *tf)
{
	uint32_t to = tf->ebx, from = tf->ecx, tag = self->utcb[0];
	struct tcb *dest;

	if (unlikely(tf->edx != 0))                            /* timeouts */
		return 0;
	if (unlikely(HV_TAG_T(tag) != 0 || HV_TAG_U(tag) > 15))  /* typed items, bad tags */
		return 0;
	if (unlikely(from != to && from != HV_ANYTHREAD))      /* not call, not reply-and-wait */
		return 0;
	if (unlikely(!(dest = thread_lookup(to))))             /* nil, any, irq, dead */
		return 0;
	if (unlikely(dest->state != T_RECV || dest->fault))    /* not waiting, or for a fault reply */
		return 0;
	if (unlikely(dest->partner != self->tid && dest->partner != HV_ANYTHREAD))
		return 0;
	if (unlikely(dest->prio < self->prio))                 /* someone else may run first */
		return 0;
	if (unlikely(from == HV_ANYTHREAD && (self->sendq_head || self->irq_pending)))
		return 0;                                      /* our receive would not block */

	uint32_t *src = self->utcb, *dst = dest->utcb;
	for (unsigned i = 0; i <= HV_TAG_U(tag); i++)
		dst[i] = src[i];
	struct trap_frame *dtf = thread_frame(dest);
	dtf->eax = HV_OK;
	dtf->ebx = self->tid;

	self->state = T_RECV;
	self->partner = from;
	sched_block(self);
	sched_ready(dest);
	sched_switch(dest);
	return 1;
}
