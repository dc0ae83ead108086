/*
 * Every trap, interrupt and system call arrives here (vectors.S).  The
 * kernel runs with interrupts off, so anything from ring 0 is a kernel
 * bug.  From ring 3: the timer preempts, int $0x80 is a system call, a page
 * fault in the heap or stack is demand paging, and any other fault goes to
 * the process's catch address if it set one, else kills it.
 */
#include "kernel.h"
#include "x86.h"

#define T_PGFLT   14
#define T_IRQ0    32
#define T_SYSCALL 0x80

struct counts counts;

static void user_fault(struct trapframe *tf, uint32_t addr)
{
	struct proc *p = curproc;
	if (p->catch_eip) {
		tf->eip = p->catch_eip;
		tf->eax = tf->trapno;
		tf->edx = tf->err;
		tf->ecx = addr;
		p->catch_eip = 0;
		counts.caught++;
		return;
	}
	/* Reported with its output, at its turn: never mid-stream. */
	p->killed = 1;
	p->kill_info[0] = tf->trapno;
	p->kill_info[1] = tf->err;
	p->kill_info[2] = tf->eip;
	p->kill_info[3] = addr;
	proc_exit(0xDEAD0000u | tf->trapno);
}

void trap(struct trapframe *tf)
{
	if ((tf->cs & 3) != 3) {
		kputs("minios: kernel trap at eip 0x");
		kputhex(tf->eip);
		kputs(", cr2 0x");
		kputhex(rcr2());
		kputc('\n');
		panic("kernel trap, vector", tf->trapno);
	}
	if (tf->trapno >= T_IRQ0 && tf->trapno < T_IRQ0 + 16) {
		pic_eoi(tf->trapno - T_IRQ0);
		if (tf->trapno == T_IRQ0) {
			ticks++;
			yield();
		}
	} else if (tf->trapno == T_SYSCALL) {
		syscall(tf);
	} else if (tf->trapno == T_PGFLT) {
		uint32_t va = rcr2();
		if (uvm_demand(curproc, va) < 0)
			user_fault(tf, va);
	} else {
		user_fault(tf, 0);
	}
}
