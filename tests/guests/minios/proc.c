/*
 * Processes and the scheduler (xv6's shape).  The scheduler runs on the
 * boot stack and takes the runnable processes round robin; a process
 * gives the CPU back through yield() (the timer, or its yield call) or for
 * good through proc_exit().  A process's console output is kept in its
 * own buffer and printed when it has exited and every lower pid has been
 * printed, so the text never depends on where the timer preempted.
 */
#include "kernel.h"
#include "x86.h"

struct proc procs[NPROC];
struct proc *curproc;
uint32_t ticks, switches;
static struct context *sched_ctx;
static int nprocs, nreported;

void proc_create(const char *name, uint32_t entry)
{
	if (nprocs == NPROC)
		panic("too many processes", nprocs);
	struct proc *p = &procs[nprocs++];
	p->pid = nprocs;
	p->name = name;
	p->pgdir = uvm_create();
	p->kstack = kalloc();
	if (!p->kstack)
		panic("out of memory for a kernel stack", p->pid);
	p->brk = HEAP_BASE;

	/* A trap frame that "returns" to ring 3 at entry, under the context
	 * that swtch() resumes at trapret. */
	uint8_t *sp = p->kstack + PGSIZE - sizeof(struct trapframe);
	p->tf = (struct trapframe *)sp;
	p->tf->cs = UCODE_SEL;
	p->tf->ds = p->tf->es = p->tf->fs = p->tf->gs = p->tf->ss = UDATA_SEL;
	p->tf->eflags = 0x202;          /* IF: the timer may preempt it */
	p->tf->eip = entry;
	p->tf->esp = STACK_TOP - 8;     /* room for a call frame, as if called */
	sp -= sizeof(struct context);
	p->ctx = (struct context *)sp;
	p->ctx->eip = (uint32_t)trapret;
	p->state = P_RUNNABLE;
}

/* Print, in pid order, every process that has exited and not been printed. */
static void report_exits(void)
{
	while (nreported < nprocs && procs[nreported].state == P_ZOMBIE) {
		struct proc *p = &procs[nreported++];
		kwrite(p->out, p->outlen);
		if (p->outlost)
			kputs("minios: output lost\n");
		if (p->killed) {
			static const char *const what[4] = { "vector", "error", "eip", "address" };
			kputs("minios: killed:");
			for (int i = 0; i < 4; i++) {
				kputs(" ");
				kputs(what[i]);
				kputs(" 0x");
				kputhex(p->kill_info[i]);
			}
			kputc('\n');
		}
		kputs("minios: pid ");
		kputdec(p->pid);
		kputs(" (");
		kputs(p->name);
		kputs(") exited, status 0x");
		kputhex(p->status);
		kputc('\n');
		p->state = P_REPORTED;
	}
}

void scheduler(void)
{
	for (int running = 1; running;) {
		running = 0;
		for (struct proc *p = procs; p < procs + nprocs; p++) {
			if (p->state != P_RUNNABLE)
				continue;
			running = 1;
			curproc = p;
			p->state = P_RUNNING;
			tss_set_esp0((uint32_t)p->kstack + PGSIZE);
			lcr3((uint32_t)p->pgdir);
			switches++;
			swtch(&sched_ctx, p->ctx);
			lcr3((uint32_t)kpgdir);
			curproc = 0;
			if (p->state == P_ZOMBIE) {
				uvm_free(p->pgdir);
				kfree(p->kstack);
				report_exits();
			}
		}
	}
}

void yield(void)
{
	/* The kernel never runs with interrupts on (xv6's sched() check). */
	if (read_eflags() & FL_IF)
		panic("yield with interrupts enabled, eflags", read_eflags());
	curproc->state = P_RUNNABLE;
	swtch(&curproc->ctx, sched_ctx);
}

void proc_exit(uint32_t status)
{
	curproc->status = status;
	curproc->state = P_ZOMBIE;
	swtch(&curproc->ctx, sched_ctx);
	panic("a process ran after its exit, pid", curproc->pid);
}
