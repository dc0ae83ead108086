/*
 * A hostile task: at least 100,000 system calls with random arguments
 * (xorshift PRNG; argv[1] the seed, default 1; argv[2] the number of
 * calls, default and at least 100,000), biased towards ids and addresses that
 * mean something (ours, root's, the console's, threads we made, IRQ
 * pseudo-threads, the UTCB area, the kernel).  The kernel must survive,
 * refuse what is not ours to do, and let another thread of ours (an echo
 * server) and the rest of the system go on.  We only avoid what would
 * kill us by our own hand: killing, restarting or lowering ourselves or the
 * echo thread, ROOT_EXIT, and sends that would block forever.
 */
#include "hostile.h"

uint32_t me, echo_tid;
HVU_STACK(echo_stack);

/* Answers MR1 + 1 to anyone, whatever came before. */
static void echo(uint32_t unused)
{
	(void)unused;
	uint32_t *u = hv_utcb(), from;
	ipc_receive(HV_ANYTHREAD, 0, &from);
	for (;;) {
		u[0] = HV_TAG(0, 1, 0);
		u[1] += 1;
		ipc_reply_wait(from, &from);
	}
}

static int echo_works(uint32_t v)
{
	msg_set(1, 1, v);
	return ipc_call(echo_tid) == HV_OK && hv_utcb()[1] == v + 1;
}

int main(int argc, char **argv)
{
	me = hv_mytid();
	uint32_t seed = 0, calls = 0;
	for (const char *p = argc > 1 ? argv[1] : ""; *p >= '0' && *p <= '9'; p++)
		seed = seed * 10 + (uint32_t)(*p - '0');
	for (const char *p = argc > 2 ? argv[2] : ""; *p >= '0' && *p <= '9'; p++)
		calls = calls * 10 + (uint32_t)(*p - '0');
	rng = seed = seed ? seed : 1;
	calls = calls < 100000 ? 100000 : calls;
	uint32_t st = hvu_thread(HV_SPACE_SELF, hvu_args.root, hvu_args.root, HVU_PRIO_TASK, echo, 0,
				 echo_stack, &echo_tid);
	check(st == HV_OK && echo_works(1), "an echo thread answers before (status %u)", st);
	uprintf("hostile: %u random system calls, seed %u\n", calls, seed);
	for (unsigned i = 0; i < calls; i++) {
		ncalls = i;
		one_call();
		if (i % 50000 == 49999)
			uprintf("hostile: %u calls\n", i + 1);
	}
	forget_all();
	uprintf("hostile: statuses: ok %u, timeout %u, nothread %u, perm %u, inval %u, nomem %u, map %u, "
		"nosys %u, canceled %u\n", status_count[0], status_count[1], status_count[2], status_count[3],
		status_count[4], status_count[5], status_count[6], status_count[7], status_count[8]);
	for (unsigned i = 0; i < violations && i < 4; i++)
		uprintf("hostile: call %u: %s returned %u, want %u\n", seen[i].call, seen[i].what, seen[i].got,
			seen[i].want);
	check(!violations, "every call that is not ours to make was refused (%u violations)", violations);
	check(echo_works(41), "the echo thread still answers");
	uint32_t r[4];
	hv_myself(r);
	check(r[0] == me && r[3] == HVU_PRIO_TASK, "I am still myself, at my priority (%u)", r[3]);
	test_done();
}
