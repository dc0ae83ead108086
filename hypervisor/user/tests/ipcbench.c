/*
 * The IPC benchmark: call/reply round trips measured with rdtsc, between
 * two threads of one space and between two spaces, beside a null system
 * call (HV_SYS_MYSELF).  Under TCG the TSC is not a hardware cycle count;
 * under -icount shift=0 it counts guest instructions
 * (bench/ipc_roundtrip.py runs both).  argv[1]: the number of rounds.
 * The last line, "ipcbench: result ...", is what the bench script reads.
 */
#include "hvu.h"

#define WARMUP 200

HVU_STACK(same_stack);
HVU_STACK(far_stack);

/* Answers every call at once; greets its pager first (see test_ipc.c). */
static void server(uint32_t pager)
{
	uint32_t *u = hv_utcb(), from;
	msg_set(0, 0);
	hv_ipc(pager, HV_ANYTHREAD, 0, &from);
	for (;;) {
		u[0] = HV_TAG(0, 1, 0);
		hv_ipc(from, HV_ANYTHREAD, HV_IPC_SEND_NONBLOCK, &from);
	}
}

/* Cycles for `rounds` calls to t, after a warm-up that takes its faults. */
static uint64_t measure(uint32_t t, uint32_t rounds, unsigned *errors)
{
	uint32_t *u = hv_utcb();
	for (unsigned i = 0; i < WARMUP; i++) {
		u[0] = HV_TAG(0, 1, 0);
		pager_call(t);
	}
	uint64_t start = rdtsc();
	for (uint32_t i = 0; i < rounds; i++) {
		u[0] = HV_TAG(0, 1, 0);
		if (hv_ipc(t, t, 0, 0) != HV_OK)
			++*errors;
	}
	return rdtsc() - start;
}

static uint32_t per(uint64_t total, uint32_t rounds)
{
	/* A 64-bit division without libgcc: the totals stay below 2^32 * rounds. */
	uint32_t q = 0;
	for (int bit = 31; bit >= 0; bit--)
		if (((uint64_t)(q | 1u << bit)) * rounds <= total)
			q |= 1u << bit;
	return q;
}

int main(int argc, char **argv)
{
	uint32_t rounds = 0, me = hv_mytid(), t_same, t_far, st, r[4], from;
	unsigned errors = 0;
	for (const char *p = argc > 1 ? argv[1] : ""; *p >= '0' && *p <= '9'; p++)
		rounds = rounds * 10 + (uint32_t)(*p - '0');
	if (!rounds)
		rounds = 10000;

	uint64_t start = rdtsc();
	for (uint32_t i = 0; i < rounds; i++)
		hv_myself(r);
	uint64_t sys = rdtsc() - start;

	st = hvu_thread(HV_SPACE_SELF, hvu_args.root, hvu_args.root, HVU_PRIO_TASK, server, 0, same_stack, &t_same);
	check(st == HV_OK, "server in my space (status %u)", st);
	uint64_t same = measure(t_same, rounds, &errors);

	st = hvu_thread(HV_SPACE_NEW, me, me, HVU_PRIO_TASK, server, me, far_stack, &t_far);
	check(st == HV_OK, "server in a new space (status %u)", st);
	st = pager_receive(t_far, &from);
	check(st == HV_OK, "it greets me (status %u)", st);
	uint64_t far = measure(t_far, rounds, &errors);

	check(!errors, "%u round trips each, %u failed", rounds, errors);
	uprintf("ipcbench: null system call: %u calls in %llu TSC ticks: %u per call\n", rounds, sys,
		per(sys, rounds));
	uprintf("ipcbench: same space: %u round trips in %llu TSC ticks: %u per round trip\n", rounds, same,
		per(same, rounds));
	uprintf("ipcbench: across spaces: %u round trips in %llu TSC ticks: %u per round trip\n", rounds,
		far, per(far, rounds));
	uprintf("ipcbench: result rounds=%u syscall=%llu same_space=%llu cross_space=%llu\n", rounds, sys,
		same, far);
	check(same > 0 && far > 0, "the TSC moved");
	test_done();
}
