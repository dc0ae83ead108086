/*
 * Exceptions as IPC: a thread executes one faulting instruction; this task,
 * its exception handler, must get the right vector, error code and EIP
 * (the instruction's address, from an asm label; after it for the int3
 * trap) and resume it past the instruction with a register changed.
 * #PF goes to the handler for a kernel address (whatever the pager), and
 * for any address when the pager is nil.
 */
#include "hvu.h"

#define MAGIC 0x600Du

/* Each probe: a label at the instruction (x_NAME) and after it (x_NAME_end);
 * eax after the probe is whatever the handler put there; ecx and edx are
 * the division's. */
#define PROBE(name, setup, insn)                                                  \
	extern char x_##name[], x_##name##_end[];                                              \
	static uint32_t __attribute__((noinline)) probe_##name(void)                          \
	{                                                                                    \
		uint32_t a;                                                                  \
		__asm__ volatile(setup "\n.globl x_" #name "\nx_" #name ": " insn              \
				 "\n.globl x_" #name "_end\nx_" #name "_end:"                  \
				 : "=a"(a) : : "memory", "ecx", "edx");                             \
		return a;                                                                    \
	}

PROBE(ud2, "xor %%eax, %%eax", "ud2")
PROBE(cli, "xor %%eax, %%eax", "cli")
PROBE(inb, "xor %%eax, %%eax", "inb $0x60, %%al")
PROBE(int80, "xor %%eax, %%eax", "int $0x80")
PROBE(int3, "xor %%eax, %%eax", "int3")
PROBE(div0, "mov $1, %%eax; xor %%edx, %%edx; xor %%ecx, %%ecx", "divl %%ecx")
PROBE(pfk, "xor %%eax, %%eax", "movl 0xFC100000, %%eax")
PROBE(pfutcb, "xor %%eax, %%eax", "movl 0xFB3FF000, %%eax")
PROBE(pfnil, "xor %%eax, %%eax", "movl $1, 0x30000000")

struct probe {
	const char *what;
	uint32_t (*fn)(void);
	uint32_t vector, error;
	const char *eip, *resume;
	uint32_t cr2;
	int no_pager;
};

static const struct probe probes[] = {
	{ "ud2 -> #UD", probe_ud2, 6, 0, x_ud2, x_ud2_end, 0, 0 },
	{ "cli at CPL 3 -> #GP(0)", probe_cli, 13, 0, x_cli, x_cli_end, 0, 0 },
	{ "inb without the port -> #GP(0)", probe_inb, 13, 0, x_inb, x_inb_end, 0, 0 },
	{ "int $0x80 -> #GP(0x80 << 3 | 2)", probe_int80, 13, 0x402, x_int80, x_int80_end, 0, 0 },
	{ "int3 -> #BP, a trap: eip after it", probe_int3, 3, 0, x_int3_end, x_int3_end, 0, 0 },
	{ "div by zero -> #DE", probe_div0, 0, 0, x_div0, x_div0_end, 0, 0 },
	{ "read of kernel memory -> #PF(P|U) to the handler", probe_pfk, 14, 5, x_pfk, x_pfk_end, 0xFC100000, 0 },
	{ "read in the UTCB area -> #PF(U) to the handler", probe_pfutcb, 14, 4, x_pfutcb, x_pfutcb_end, 0xFB3FF000, 0 },
	{ "write, no pager -> #PF(W|U) to the handler", probe_pfnil, 14, 6, x_pfnil, x_pfnil_end, 0x30000000, 1 },
};
#define NPROBES (sizeof probes / sizeof probes[0])

HVU_STACK(st0);
HVU_STACK(st1);
HVU_STACK(st2);
HVU_STACK(st3);
HVU_STACK(st4);
HVU_STACK(st5);
HVU_STACK(st6);
HVU_STACK(st7);
HVU_STACK(st8);
static uint8_t *stacks[NPROBES] = { st0, st1, st2, st3, st4, st5, st6, st7, st8 };
static uint32_t main_tid;

/* Runs the probe, then reports what eax held after it. */
static void runner(uint32_t i)
{
	uint32_t a = probes[i].fn();
	msg_set(1, 1, a);
	ipc_send(main_tid, 0);
}

int main(void)
{
	uint32_t *u = hv_utcb();
	main_tid = hv_mytid();
	/* The no-pager thread must find every page it uses already there. */
	hvu_prefault(__image_start, __image_end);
	for (uint32_t i = 0; i < NPROBES; i++) {
		const struct probe *p = &probes[i];
		uint32_t t, from, m[HV_EXC_WORDS + 1];
		uint32_t st = hvu_thread(HV_SPACE_SELF, p->no_pager ? HV_NILTHREAD : hvu_args.root, main_tid,
					 HVU_PRIO_TASK, runner, i, stacks[i], &t);
		st = st ? st : ipc_receive(t, 0, &from);
		for (unsigned w = 0; w <= HV_EXC_WORDS; w++)
			m[w] = u[w];
		int ok = st == HV_OK && HV_TAG_LABEL(m[0]) == HV_LABEL_EXCEPTION && HV_TAG_U(m[0]) == HV_EXC_WORDS;
		check(ok && m[HV_EXC_VECTOR] == p->vector && m[HV_EXC_ERROR] == p->error &&
		      m[HV_EXC_EIP] == (uint32_t)p->eip,
		      "%s: vector %u error %x eip %x (want %u %x %x)", p->what, m[HV_EXC_VECTOR],
		      m[HV_EXC_ERROR], m[HV_EXC_EIP], p->vector, p->error, (uint32_t)p->eip);
		if (p->vector == 14)
			check(m[HV_EXC_CR2] == p->cr2, "%s: cr2 %x", p->what, m[HV_EXC_CR2]);
		uint32_t esp = m[HV_EXC_ESP];
		check(esp > (uint32_t)stacks[i] && esp < (uint32_t)stacks[i] + HVU_STACK_SIZE,
		      "%s: esp %x on the thread's stack", p->what, esp);
		if (!ok) {
			hv_thread_kill(t);
			continue;
		}
		if (i == 0) {
			/* An empty answer resumes the thread unchanged: it faults again. */
			msg_set(0, 0);
			st = hv_ipc(t, t, 0, &from);
			check(st == HV_OK && HV_TAG_LABEL(u[0]) == HV_LABEL_EXCEPTION &&
			      u[HV_EXC_EIP] == (uint32_t)p->eip, "%s: an empty answer resumes it unchanged: "
			      "the same exception again (status %u)", p->what, st);
		}
		/* Resume after the instruction with eax changed. */
		m[0] = HV_TAG(0, HV_EXC_WORDS, 0);
		m[HV_EXC_EIP] = (uint32_t)p->resume;
		m[HV_EXC_EAX] = MAGIC;
		for (unsigned w = 0; w <= HV_EXC_WORDS; w++)
			u[w] = m[w];
		st = hv_ipc(t, t, 0, &from);
		check(st == HV_OK && HV_TAG_LABEL(u[0]) == 1 && u[1] == MAGIC,
		      "%s: resumed past it with eax = %x (status %u)", p->what, u[1], st);
	}
	test_done();
}
