/*
 * One random system call of the hostile task, and what the kernel must
 * answer to the ones that are not a task's to make.
 */
#include "hostile.h"

uint32_t made[TRACKED], made_self[TRACKED];
unsigned nmade;
uint32_t status_count[16], violations, ncalls;
struct violation seen[4];

void forget_all(void)
{
	for (unsigned i = 0; i < nmade; i++)
		hv_thread_kill(made[i]);
	nmade = 0;
}

/* Kept for main to print at the end: printing here would overwrite the
 * message registers. */
static void expect(uint32_t got, uint32_t want, const char *what)
{
	if (got != want && violations++ < 4)
		seen[violations - 1] = (struct violation){ what, got, want, ncalls };
}

void one_call(void)
{
	uint32_t n = rnd() % 13, t, st, r[4];
	switch (n) {
	case HV_SYS_IPC: {
		uint32_t to = any_tid(), from = rnd() % 3 ? any_tid() : HV_NILTHREAD;
		uint32_t flags = rnd() & 3;
		if (to != hvu_args.root && to != hvu_args.console && to != echo_tid)
			flags |= HV_IPC_SEND_NONBLOCK;          /* nobody else is sure to take it */
		if (from != HV_NILTHREAD)
			flags |= HV_IPC_RECV_NONBLOCK;
		random_message(to);
		st = hv_ipc(to, from, flags, 0);
		hv_utcb()[HV_UTCB_ACCEPTOR] = 0;
		break;
	}
	case HV_SYS_UNMAP: {
		uint32_t f = any_fpage();
		st = hv_unmap(f, rnd() & 1);
		break;
	}
	case HV_SYS_THREAD_CREATE: {
		uint32_t space = rnd() % 3 == 0 ? HV_SPACE_SELF : rnd() % 2 ? HV_SPACE_NEW : any_tid();
		uint32_t pager = rnd() % 4 ? me : any_tid(), handler = rnd() % 4 ? me : any_tid();
		if (pager == echo_tid || handler == echo_tid)
			pager = handler = me;                    /* it would answer faults forever */
		st = hv_thread_create(space, pager, handler, rnd() & 0xFF, &t);
		if (st == HV_OK && nmade < TRACKED) {
			made_self[nmade] = space == HV_SPACE_SELF;
			made[nmade++] = t;
		} else if (st == HV_OK) {
			hv_thread_kill(t);
		}
		if (st == HV_E_NOMEM || nmade == TRACKED)
			forget_all();
		break;
	}
	case HV_SYS_THREAD_START: {
		t = nmade && rnd() % 4 ? made[rnd() % nmade] : any_tid();
		uint32_t eip = any_addr(), esp = any_addr();
		if (protected(t) || (is_mine(t) && (ours(eip) || ours(esp))))
			return;
		st = hv_thread_start(t, eip, esp);
		break;
	}
	case HV_SYS_THREAD_KILL:
		t = any_tid();
		if (protected(t))
			return;
		st = hv_thread_kill(t);
		break;
	case HV_SYS_YIELD:
		st = hv_yield();
		break;
	case HV_SYS_IRQ_ATTACH:
		st = hv_irq_attach(rnd() % 20, any_tid());
		expect(st, HV_E_PERM, "IRQ_ATTACH");
		break;
	case HV_SYS_MYSELF:
		st = hv_myself(r);
		expect(r[0], me, "MYSELF's tid");
		break;
	case HV_SYS_KDEBUG:
		st = hv_kdebug((char)rnd());
		expect(st, HV_E_PERM, "KDEBUG");
		break;
	case HV_SYS_SET_PRIORITY:
		t = any_tid();
		if (protected(t))
			return;
		st = hv_set_priority(t, rnd() & 0xFF);
		break;
	case HV_SYS_SHUTDOWN:
		st = hv_shutdown(rnd());
		expect(st, HV_E_PERM, "SHUTDOWN");
		break;
	default:
		n = HV_SYS_COUNT + rnd() % 1000;
		st = hv_sys(n, rnd(), rnd(), rnd(), rnd(), rnd(), 0);
		expect(st, HV_E_NOSYS, "an unknown system call");
	}
	status_count[st < 15 ? st : 15]++;
}

