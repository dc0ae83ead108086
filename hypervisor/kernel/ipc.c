/*
 * Synchronous IPC: a send phase, then a receive phase, in one system call
 * (docs/abi/syscalls.md).  A thread blocked in its send phase waits in the
 * receiver's send queue and remembers the receive phase that follows; the
 * receiver, when it takes the message, runs that receive phase for it.
 *
 * A faulting thread is a sender too: the kernel writes the fault message
 * into its TCB (kmsg) and sends it to the pager or exception handler; the
 * answer is applied to the thread (mappings, registers) instead of being
 * copied into its UTCB.
 */
#include "kernel.h"

static int is_irq_thread(uint32_t tid)
{
	return tid != HV_ANYTHREAD && (tid & 0xC0000000u) == 0x40000000u && (tid & 0xFFFF) < NUM_IRQS;
}

static void enqueue_sender(struct tcb *r, struct tcb *s)
{
	s->sendq_next = NULL;
	if (r->sendq_tail)
		r->sendq_tail->sendq_next = s;
	else
		r->sendq_head = s;
	r->sendq_tail = s;
}

static void remove_sender(struct tcb *r, struct tcb *s)
{
	struct tcb **pp = &r->sendq_head, *prev = NULL;
	while (*pp && *pp != s) {
		prev = *pp;
		pp = &(*pp)->sendq_next;
	}
	if (!*pp)
		return;
	*pp = s->sendq_next;
	if (r->sendq_tail == s)
		r->sendq_tail = prev;
	s->sendq_next = NULL;
}

void ipc_dequeue_sender(struct tcb *t)
{
	struct tcb *r = tcbs[HV_TID_INDEX(t->partner)];
	if (r && r->tid == t->partner)
		remove_sender(r, t);
}

static struct tcb *find_sender(struct tcb *r, uint32_t from)
{
	for (struct tcb *s = r->sendq_head; s; s = s->sendq_next)
		if (from == HV_ANYTHREAD || s->tid == from)
			return s;
	return NULL;
}

/* Does r, blocked in its receive phase, take a message from s now? */
static int accepts(const struct tcb *r, const struct tcb *s)
{
	if (r->state != T_RECV)
		return 0;
	return r->partner == s->tid || (r->partner == HV_ANYTHREAD && !r->fault);
}

/* The answer to a fault: mappings for a page fault, registers for an
 * exception.  The thread's UTCB is not touched. */
static void fault_reply(struct tcb *s, struct tcb *r, const uint32_t *w, unsigned u, unsigned t)
{
	if (r->fault == FAULT_PAGE) {
		ipc_items(s, r, w + 1 + u, t);
	} else if (u >= HV_EXC_EDI) {
		struct trap_frame *tf = thread_frame(r);
		tf->eip = w[HV_EXC_EIP];
		tf->esp = w[HV_EXC_ESP];
		tf->eflags = (tf->eflags & ~EFLAGS_USER) | (w[HV_EXC_EFLAGS] & EFLAGS_USER);
		tf->eax = w[HV_EXC_EAX];
		tf->ecx = w[HV_EXC_ECX];
		tf->edx = w[HV_EXC_EDX];
		tf->ebx = w[HV_EXC_EBX];
		tf->ebp = w[HV_EXC_EBP];
		tf->esi = w[HV_EXC_ESI];
		tf->edi = w[HV_EXC_EDI];
	}
	r->fault = FAULT_NONE;
}

/* Move the message of s to r; the status r's receive phase returns. */
static uint32_t transfer(struct tcb *s, struct tcb *r)
{
	const uint32_t *w = s->kmsg_pending ? s->kmsg : s->utcb;
	uint32_t tag = w[0];
	/* Checked at the send, but the sender's UTCB may have changed since
	 * (another thread of its space): clamp, never overrun. */
	unsigned u = HV_TAG_U(tag) > 15 ? 15 : HV_TAG_U(tag);
	unsigned t = HV_TAG_T(tag) > 15 - u ? 15 - u : HV_TAG_T(tag);
	t &= ~1u;
	s->kmsg_pending = 0;
	if (r->fault) {
		fault_reply(s, r, w, u, t);
		return HV_OK;
	}
	for (unsigned i = 0; i <= u + t; i++)
		r->utcb[i] = w[i];
	return t ? ipc_items(s, r, w + 1 + u, t) : HV_OK;
}

/* r's receive phase completed with a message from s. */
static void received(struct tcb *r, struct tcb *s)
{
	int was_fault = r->fault != FAULT_NONE;
	uint32_t st = transfer(s, r);
	if (!was_fault)
		set_result(r, st, s->tid);
}

/* Run t's receive phase.  Returns 1 if t must block; *taken is the blocked
 * sender whose message t took (its own phases go on: finish_senders). */
static int receive_phase(struct tcb *t, uint32_t from, uint32_t flags, struct tcb **taken)
{
	*taken = NULL;
	if ((from == HV_ANYTHREAD || is_irq_thread(from)) && irq_deliver_pending(t, from))
		return 0;
	struct tcb *s = is_irq_thread(from) ? NULL : find_sender(t, from);
	if (s) {
		remove_sender(t, s);
		received(t, s);
		*taken = s;
		return 0;
	}
	if (from != HV_ANYTHREAD && !is_irq_thread(from) && !thread_lookup(from)) {
		set_result(t, HV_E_NOTHREAD, 0);
		return 0;
	}
	if (flags & HV_IPC_RECV_NONBLOCK) {
		set_result(t, HV_E_TIMEOUT, 0);
		return 0;
	}
	t->state = T_RECV;
	t->partner = from;
	return 1;
}

/* Senders whose messages were taken go on with their receive phases.  A
 * loop, not recursion: each round takes one sender off a queue. */
static void finish_senders(struct tcb *s)
{
	while (s) {
		struct tcb *next = NULL;
		if (s->pending_from == HV_NILTHREAD) {
			if (!s->fault)
				set_result(s, HV_OK, 0);
			sched_ready(s);
		} else if (!receive_phase(s, s->pending_from, s->pending_flags, &next)) {
			sched_ready(s);
		} else {
			sched_block(s);
		}
		s = next;
	}
}

/* The send phase of self (the current thread) to dest.  Returns 1 if self
 * blocked (and has been switched away from and back). */
static int send_phase(struct tcb *self, struct tcb *dest, uint32_t from, uint32_t flags)
{
	if (accepts(dest, self)) {
		received(dest, self);
		sched_ready(dest);
		return 0;
	}
	if (flags & HV_IPC_SEND_NONBLOCK) {
		set_result(self, HV_E_TIMEOUT, 0);
		return -1;
	}
	self->state = T_SEND;
	self->partner = dest->tid;
	self->pending_from = from;
	self->pending_flags = flags;
	enqueue_sender(dest, self);
	sched_block(self);
	schedule();
	return 1;
}

void ipc(struct tcb *self, uint32_t to, uint32_t from, uint32_t flags)
{
	set_result(self, HV_OK, 0);
	if (to != HV_NILTHREAD && to != HV_ANYTHREAD) {
		if (is_irq_thread(to)) {
			if (irq_ack(self, to & 0xFFFF)) {
				set_result(self, HV_E_PERM, 0);
				return;
			}
		} else {
			struct tcb *dest = thread_lookup(to);
			uint32_t tag = self->utcb[0];
			if (unlikely(!dest)) {
				set_result(self, HV_E_NOTHREAD, 0);
				return;
			}
			if (unlikely(HV_TAG_U(tag) + HV_TAG_T(tag) > 15 || (HV_TAG_T(tag) & 1))) {
				set_result(self, HV_E_INVAL, 0);
				return;
			}
			int r = send_phase(self, dest, from, flags);
			if (r)
				return;      /* timed out, or blocked: the receiver finished for us */
		}
	} else if (to == HV_ANYTHREAD) {
		set_result(self, HV_E_INVAL, 0);
		return;
	}
	if (from == HV_NILTHREAD)
		return;
	struct tcb *taken;
	int block = receive_phase(self, from, flags, &taken);
	finish_senders(taken);
	if (block) {
		sched_block(self);
		schedule();
	}
}

void ipc_fault(struct tcb *t, uint32_t dest_tid, enum fault_kind kind)
{
	struct tcb *dest = thread_lookup(dest_tid);
	if (!dest || dest == t) {
		fault_kill(t, "no pager or exception handler to take the fault");
		return;
	}
	t->fault = (uint8_t)kind;
	t->kmsg_pending = 1;
	if (send_phase(t, dest, dest_tid, 0))
		return;
	struct tcb *taken;
	if (receive_phase(t, dest_tid, 0, &taken)) {
		sched_block(t);
		schedule();
	}
}

/* Threads blocked on a dying thread: senders queued to it, receivers
 * waiting for it.  A faulting thread whose pager died dies too. */
void ipc_cancel_partners(struct tcb *d)
{
	while (d->sendq_head) {
		struct tcb *s = d->sendq_head;
		remove_sender(d, s);
		if (s->fault) {
			fault_kill(s, "its pager or exception handler died");
			continue;
		}
		set_result(s, HV_E_CANCELED, 0);
		sched_ready(s);
	}
	for (unsigned i = 1; i < HV_MAX_THREADS; i++) {
		struct tcb *r = tcbs[i];
		if (!r || r->state != T_RECV || r->partner != d->tid)
			continue;
		if (r->fault) {
			fault_kill(r, "its pager or exception handler died");
			continue;
		}
		set_result(r, HV_E_CANCELED, 0);
		sched_ready(r);
	}
}
