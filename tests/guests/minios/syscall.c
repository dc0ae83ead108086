/*
 * The system calls.  Arguments come in the trap frame's %ebx and %ecx,
 * the result goes back in its %eax.  write reads the caller's memory
 * directly (its page directory is the current one), after uvm_readable
 * has checked, and faulted in, every page.
 */
#include "kernel.h"
#include "syscall.h"

static int32_t sys_write(struct proc *p, uint32_t buf, uint32_t n)
{
	if (n > OUTSZ || !uvm_readable(p, buf, n))
		return -1;
	const char *s = (const char *)buf;
	for (uint32_t i = 0; i < n; i++) {
		if (p->outlen < OUTSZ)
			p->out[p->outlen++] = s[i];
		else
			p->outlost = 1;
	}
	return (int32_t)n;
}

static int32_t sys_sbrk(struct proc *p, int32_t incr)
{
	uint32_t old = p->brk, new = old + (uint32_t)incr;
	if (incr < 0 ? new > old || new < HEAP_BASE : new < old || new > HEAP_LIMIT)
		return -1;
	if (incr < 0)
		uvm_unmap(p->pgdir, new, old);
	p->brk = new;
	return (int32_t)old;
}

void syscall(struct trapframe *tf)
{
	struct proc *p = curproc;
	int32_t r = -1;

	counts.syscalls++;
	switch (tf->eax) {
	case SYS_write:
		r = sys_write(p, tf->ebx, tf->ecx);
		break;
	case SYS_getpid:
		r = p->pid;
		break;
	case SYS_yield:
		tf->eax = 0;
		yield();
		return;
	case SYS_exit:
		proc_exit(tf->ebx);
	case SYS_sbrk:
		r = sys_sbrk(p, (int32_t)tf->ebx);
		break;
	case SYS_catch:
		p->catch_eip = tf->ebx;
		r = 0;
		break;
	}
	tf->eax = (uint32_t)r;
}
