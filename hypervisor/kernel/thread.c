/*
 * Threads.  A thread's control block and its kernel stack share one page
 * (the TCB at the bottom, the stack growing down from the top), as in L4;
 * the id's index finds the page in tcbs[], the version catches stale ids.
 */
#include "kernel.h"
#include "pmm.h"
#include "printk.h"
#include "vm.h"

struct tcb *tcbs[HV_MAX_THREADS];
static uint16_t versions[HV_MAX_THREADS];
static unsigned rotor = 1;

/* Threads killed while running on their own stack are freed later. */
static struct tcb *reap_list[8];
static unsigned nreap;

/* A space may have this many threads of its making alive at once, so a
 * hostile task cannot take all of kernel memory. */
#define CREATE_QUOTA 64

struct tcb *thread_lookup(uint32_t tid)
{
	if (tid == HV_NILTHREAD || tid == HV_ANYTHREAD || (tid & 0xF0000000u))
		return NULL;
	struct tcb *t = tcbs[HV_TID_INDEX(tid)];
	return t && t->tid == tid && t->state != T_DEAD ? t : NULL;
}

static int alloc_index(void)
{
	for (unsigned n = 1; n < HV_MAX_THREADS; n++) {
		unsigned i = (rotor + n) % HV_MAX_THREADS;
		if (i && !tcbs[i]) {
			rotor = i;
			return (int)i;
		}
	}
	return -1;
}

int thread_create(struct space *s, uint32_t creator, uint32_t pager, uint32_t handler,
		  unsigned prio, struct tcb **out)
{
	struct space *cs = creator ? spaces[creator] : NULL;
	if (cs && creator != ROOT_SPACE_ID && cs->created >= CREATE_QUOTA)
		return HV_E_NOMEM;
	int idx = alloc_index();
	if (idx < 0 || account_charge(s, 2, 0))
		return HV_E_NOMEM;
	int slot = space_alloc_utcb_slot(s);
	struct tcb *t = slot < 0 ? NULL : kpage_alloc();
	uint32_t *utcb = t ? kpage_alloc() : NULL;
	if (!utcb || space_map_frame(s, s->utcb_base + (uint32_t)slot * PAGE_SIZE, VIRT_TO_PHYS(utcb),
				     HV_RIGHT_R | HV_RIGHT_W, NULL)) {
		if (utcb)
			kpage_free(utcb);
		if (t)
			kpage_free(t);
		if (slot >= 0)
			space_free_utcb_slot(s, (unsigned)slot);
		account_uncharge(s, 2, 0);
		return HV_E_NOMEM;
	}
	versions[idx] = (uint16_t)((versions[idx] + 1) & 0xFFFF);
	if (!versions[idx])
		versions[idx] = 1;
	t->tid = (uint32_t)idx | (uint32_t)versions[idx] << 12;
	t->state = T_INACTIVE;
	t->prio = (uint8_t)prio;
	t->space = s;
	t->creator = creator;
	t->utcb_slot = (uint32_t)slot;
	t->utcb = utcb;
	t->pager = pager;
	t->handler = handler;
	utcb[HV_UTCB_TID] = t->tid;
	utcb[HV_UTCB_SPACE] = s->id;
	s->nthreads++;
	if (cs)
		cs->created++;
	tcbs[idx] = t;
	*out = t;
	return HV_OK;
}

void thread_start(struct tcb *t, uint32_t eip, uint32_t esp)
{
	struct trap_frame *tf = thread_frame(t);
	if (t->state == T_INACTIVE) {
		memset(tf, 0, sizeof *tf);
		arch_init_user_frame(tf, eip, esp);
		t->kesp = arch_prepare_stack(KSTACK_TOP(t));
		sched_ready(t);
		return;
	}
	/* A running thread gets a new eip/esp, the rest stays (exchange registers). */
	tf->eip = eip;
	tf->esp = esp;
}

/* A space is gone when it is destroyed or its last thread died. */
static int space_gone(uint32_t id)
{
	return id && (!spaces[id] || spaces[id]->dying);
}

/* Everything a dead space made dies with it: the threads it created
 * anywhere and the spaces it created, with theirs in turn, so nothing a
 * task made outlives it.  A loop to a fixed point, not recursion: the tree
 * may be deep and the kernel stack is one page. */
static int sweeping;

static void sweep_orphans(void)
{
	sweeping = 1;
	for (int again = 1; again;) {
		again = 0;
		for (unsigned i = 1; i < HV_MAX_THREADS; i++) {
			struct tcb *c = tcbs[i];
			if (!c || c->state == T_DEAD)
				continue;
			if (space_gone(c->creator) || space_gone(c->space->creator)) {
				thread_kill(c);
				again = 1;
			}
		}
	}
	sweeping = 0;
}

/* Destroy the spaces left without threads: those using another's budget
 * first, the accounts last, so no space outlives the budget it charges.
 * The current thread's space, if it just died, waits for thread_reap. */
static void destroy_dead_spaces(void)
{
	for (int accounts = 0; accounts < 2; accounts++)
		for (unsigned id = 1; id < MAX_SPACES; id++) {
			struct space *sp = spaces[id];
			if (!sp || !sp->dying || sp->nthreads || (sp->account == sp) != accounts)
				continue;
			if (current->space == sp && current->state == T_DEAD)
				continue;
			space_destroy(sp);
		}
}

void thread_kill(struct tcb *t)
{
	if (t->state == T_DEAD)
		return;
	if (t->state == T_SEND)
		ipc_dequeue_sender(t);
	sched_block(t);
	t->state = T_DEAD;
	ipc_cancel_partners(t);
	irq_detach_thread(t);
	if (t->vm)
		vm_destroy(t);

	struct space *s = t->space;
	space_clear_pte(s, s->utcb_base + t->utcb_slot * PAGE_SIZE);
	space_free_utcb_slot(s, t->utcb_slot);
	kpage_free(t->utcb);
	t->utcb = NULL;
	account_uncharge(s, 2, 0);
	struct space *cs = t->creator ? spaces[t->creator] : NULL;
	if (cs && cs->created)
		cs->created--;

	if (t == current) {
		if (nreap < sizeof reap_list / sizeof reap_list[0])
			reap_list[nreap++] = t;
	} else {
		tcbs[HV_TID_INDEX(t->tid)] = NULL;
		kpage_free(t);
	}
	/* The space goes after everything it made (whose budget it may be),
	 * and, for a thread dying on its own stack, later still: in
	 * thread_reap, once we run on another stack. */
	if (--s->nthreads == 0)
		s->dying = 1;
	if (!sweeping) {
		sweep_orphans();
		destroy_dead_spaces();
	}
	if (t == current)
		need_resched = 1;
}

/* Free the threads that died on their own stack, and their empty spaces;
 * called from schedule() once we run on another stack. */
void thread_reap(void)
{
	while (nreap) {
		struct tcb *t = reap_list[nreap - 1];
		if (t == current)
			return;      /* still on its stack */
		nreap--;
		tcbs[HV_TID_INDEX(t->tid)] = NULL;
		if (t->space->nthreads == 0 && spaces[t->space->id] == t->space)
			space_destroy(t->space);
		kpage_free(t);
	}
}
