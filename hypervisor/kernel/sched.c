/*
 * The scheduler: 256 priorities, round robin within one, preemptive by the
 * PIT tick.  A runnable thread stays on its ready queue while it runs; it
 * leaves the queue when it blocks.  An idle thread runs in ring 0 when no
 * other thread can.
 */
#include "kernel.h"
#include "vm.h"
#include "pmm.h"
#include "printk.h"

struct tcb *current;
uint32_t ticks;
int need_resched;

static struct tcb *queue[HV_PRIO_MAX + 1];   /* head of each circular list */
static uint32_t nonempty[8];                 /* bit p: queue[p] has threads */
static struct tcb *idle;

/* The idle thread is the boot context itself: kernel_main calls schedule()
 * to start the first thread, and whenever nothing is runnable the switch
 * comes back here (sched_idle).  It runs in ring 0 and needs no frame. */
void sched_init(void)
{
	idle = kpage_alloc();
	if (!idle)
		panic("no memory for the idle thread");
	idle->state = T_READY;
	current = idle;
}

void sched_idle(void)
{
	for (;;) {
		arch_idle();
		if (need_resched)
			schedule();
	}
}

static int highest(void)
{
	for (int w = 7; w >= 0; w--)
		if (nonempty[w])
			return w * 32 + 31 - __builtin_clz(nonempty[w]);
	return -1;
}

void sched_ready(struct tcb *t)
{
	if (t->rq_next) {              /* already queued */
		t->state = T_READY;
		return;
	}
	t->state = T_READY;
	t->slice = TIME_SLICE_TICKS;
	struct tcb *h = queue[t->prio];
	if (!h) {
		t->rq_next = t->rq_prev = t;
		queue[t->prio] = t;
		nonempty[t->prio / 32] |= 1u << (t->prio % 32);
	} else {                       /* at the tail: just before the head */
		t->rq_next = h;
		t->rq_prev = h->rq_prev;
		h->rq_prev->rq_next = t;
		h->rq_prev = t;
	}
	if (t->prio > current->prio || current == idle)
		need_resched = 1;
}

void sched_block(struct tcb *t)
{
	if (!t->rq_next)
		return;
	if (t->rq_next == t) {
		queue[t->prio] = NULL;
		nonempty[t->prio / 32] &= ~(1u << (t->prio % 32));
	} else {
		t->rq_prev->rq_next = t->rq_next;
		t->rq_next->rq_prev = t->rq_prev;
		if (queue[t->prio] == t)
			queue[t->prio] = t->rq_next;
	}
	t->rq_next = t->rq_prev = NULL;
	if (t == current)
		need_resched = 1;
}

static void switch_to(struct tcb *next)
{
	struct tcb *prev = current;
	if (next == prev)
		return;
	if (next->vm) {
		vm_activate(next);          /* a vCPU runs on its shadow view and GDT */
	} else if (next->space) {
		arch_load_gdt(NULL, 0);
		if (next->space != prev->space)
			space_activate(next->space);
	}
	arch_set_kernel_stack(KSTACK_TOP(next));
	current = next;
	arch_switch(&prev->kesp, next->kesp);
	/* Back on prev's stack: someone switched to us. */
	thread_reap();
}

/* Direct switch: the IPC fast path knows who runs next. */
void sched_switch(struct tcb *next)
{
	need_resched = 0;
	switch_to(next);
}

/* The head of the highest non-empty queue runs.  A thread that used up
 * its slice goes to the tail of its queue first; a thread that blocked and
 * became ready again was put at the tail by sched_ready. */
void schedule(void)
{
	need_resched = 0;
	if (current->slice_expired) {
		current->slice_expired = 0;
		current->slice = TIME_SLICE_TICKS;
		if (current->rq_next && queue[current->prio] == current)
			queue[current->prio] = current->rq_next;
	}
	int p = highest();
	switch_to(p < 0 ? idle : queue[p]);
}

void sched_tick(void)
{
	ticks++;
	vm_tick();
	if (current == idle)
		return;
	if (current->slice && --current->slice == 0) {
		current->slice_expired = 1;
		need_resched = 1;
	}
}

void sched_yield(void)
{
	current->slice_expired = 1;
	schedule();
}
