/*
 * KNOWN FAILURE under policy full (docs/guests.md, "Known limitations").
 *
 * mov_ss: a load of %ss holds off interrupts and debug traps until after
 * the next instruction, so "mov %eax, %ss; mov ..., %esp" switches stacks
 * atomically.  afterburn-as pads the mov to %ss (a trapping kind) with a
 * 3-byte no-op, and the shadow then covers the no-op.  Single-stepping
 * shows it: the CPU stops between the two moves.
 */
#include "guest.h"

static volatile uint32_t stops[32], nstops;

static void debug_trap(struct frame *f)
{
	if (nstops < 32)
		stops[nstops++] = f->eip;
}

void test_main(void)
{
	uint32_t next;

	idt_set_handler(1, debug_trap);
	/* TF on, the two moves, TF off (the popf at 3 ends the stepping). */
	__asm__ volatile("mov $2f, %0\n\tmov %%ss, %%eax\n\t"
			 "pushf\n\torl $0x100, (%%esp)\n\tpopf\n\t"
			 "mov %%eax, %%ss\n"
			 "2:\tmov %%esp, %%esp\n"
			 "3:\tpushf\n\tandl $~0x100, (%%esp)\n\tpopf\n"
			 : "=&r"(next) : : "eax", "memory", "cc");
	int stopped = 0;
	for (uint32_t i = 0; i < nstops; i++)
		stopped |= stops[i] == next;
	printf("single-step stopped between the %%ss load and the next instruction: %s\n",
	       stopped ? "yes" : "no");
	report(nstops > 0 && !stopped, "the mov %%ss shadow covers the next instruction");
}
