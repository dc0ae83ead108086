/*
 * Process "probe": runs probe_run (user_probe.S) and checks each result
 * against what an i386 does at ring 3.  The exit status is the number of
 * probes that differ, so 0 is right.
 */
#include "user.h"
#include "mmu.h"

#define NONE 0xFFFFFFFFu

struct probe {
	const char *what;
	uint32_t vector, value, addr;   /* value: error code, or a flag */
};

static const struct probe expect[] = {
	{ "read kernel memory", 14, 5, 0x00100000 },
	{ "write own code", 14, 7, USER_BASE },
	{ "cli", 13, 0, 0 },
	{ "in", 13, 0, 0 },
	{ "hlt", 13, 0, 0 },
	{ "mov from cr0", 13, 0, 0 },
	{ "int to a DPL 0 gate", 13, 0x20 * 8 + 2, 0 },
	{ "ud2", 6, 0, 0 },
	{ "divide by zero", 0, 0, 0 },
	{ "pushf: IF, IOPL", NONE, 0x200, 0 },
	{ "popf clearing IF: IF, IOPL", NONE, 0x200, 0 },
	{ "mov from cs: RPL", NONE, 3, 0 },
};
#define NPROBES (sizeof(expect) / sizeof(expect[0]))

void probe_run(uint32_t *out);

USER void user_probe_main(void)
{
	uint32_t got[NPROBES][3];
	uint32_t bad = 0;

	uprintf("probe: pid %u, %u ring-3 probes\n", ugetpid(), (uint32_t)NPROBES);
	probe_run(&got[0][0]);
	for (uint32_t i = 0; i < NPROBES; i++) {
		const struct probe *e = &expect[i];
		int ok = got[i][0] == e->vector && got[i][1] == e->value && got[i][2] == e->addr;
		bad += !ok;
		if (e->vector == NONE)
			uprintf("probe: %s -> %x %s\n", e->what, got[i][1], ok ? "ok" : "WRONG");
		else
			uprintf("probe: %s -> vector %u error %x address %x %s\n", e->what,
				got[i][0], got[i][1], got[i][2], ok ? "ok" : "WRONG");
	}
	uexit(bad);
}
