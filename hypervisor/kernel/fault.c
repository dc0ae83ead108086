/*
 * Faults of user threads.  A page fault in user space goes to the thread's
 * pager as a message; every other exception (and a fault on the kernel's
 * or the UTCBs' addresses) goes to its exception handler with the
 * registers.  Root's faults in its physical window are served here: the
 * kernel is root's pager for physical memory ("sigma0").
 */
#include "kernel.h"
#include "pmm.h"
#include "printk.h"

void fault_kill(struct tcb *t, const char *why)
{
	struct trap_frame *tf = thread_frame(t);
	kprintf("hypervisor: thread %x killed: vector %u error %x at eip %x (%s)\n", t->tid,
		tf->vector, tf->error, tf->eip, why);
	thread_kill(t);
}

/* sigma0: a fault of the root space at HV_PHYS_WINDOW + p maps frame p if
 * it is free memory (read-write) or a module (read-only).  Idempotent. */
static int root_window(struct tcb *t, uint32_t addr)
{
	if (t->space->id != ROOT_SPACE_ID || addr < HV_PHYS_WINDOW)
		return 0;
	uint32_t p = (addr - HV_PHYS_WINDOW) & PAGE_MASK;
	uint32_t rights;
	if (pmm_is_user_frame(p))
		rights = HV_RIGHTS_ALL;
	else if (root_is_module_frame(p))
		rights = HV_RIGHT_R | HV_RIGHT_X;
	else
		return 0;
	uint32_t va = addr & PAGE_MASK;
	uint32_t *pte = space_pte(t->space, va);
	if (pte && (*pte & PTE_P))
		return 0;                   /* mapped already: a protection fault */
	struct mnode *n = mnode_alloc();
	if (!n)
		return 0;
	if (space_map_frame(t->space, va, p, rights, n)) {
		mnode_release(n);
		return 0;
	}
	return 1;
}

void fault_exception(struct tcb *t, struct trap_frame *tf)
{
	if (!thread_lookup(t->handler)) {
		fault_kill(t, "no exception handler");
		return;
	}
	uint32_t *m = t->kmsg;
	m[0] = HV_TAG(HV_LABEL_EXCEPTION, HV_EXC_WORDS, 0);
	m[HV_EXC_VECTOR] = tf->vector;
	m[HV_EXC_ERROR] = tf->error;
	m[HV_EXC_EIP] = tf->eip;
	m[HV_EXC_ESP] = tf->esp;
	m[HV_EXC_EFLAGS] = tf->eflags;
	m[HV_EXC_EAX] = tf->eax;
	m[HV_EXC_ECX] = tf->ecx;
	m[HV_EXC_EDX] = tf->edx;
	m[HV_EXC_EBX] = tf->ebx;
	m[HV_EXC_EBP] = tf->ebp;
	m[HV_EXC_ESI] = tf->esi;
	m[HV_EXC_EDI] = tf->edi;
	m[HV_EXC_CR2] = tf->vector == VEC_PF ? t->fault_addr : 0;
	ipc_fault(t, t->handler, FAULT_EXCEPTION);
}

void fault_page(struct tcb *t, struct trap_frame *tf)
{
	uint32_t addr = arch_read_cr2();
	t->fault_addr = addr;
	if (root_window(t, addr))
		return;
	if (!space_may_map(t->space, addr & PAGE_MASK, PAGE_SIZE) || !thread_lookup(t->pager)) {
		fault_exception(t, tf);
		return;
	}
	fault_to_pager(t, addr, tf->eip, tf->error);
}

void fault_to_pager(struct tcb *t, uint32_t addr, uint32_t eip, uint32_t error)
{
	t->fault_addr = addr;
	uint32_t *m = t->kmsg;
	m[0] = HV_TAG(HV_LABEL_PAGEFAULT, 4, 0);
	m[1] = addr;
	m[2] = eip;
	m[3] = error;
	m[4] = t->space->id;
	ipc_fault(t, t->pager, FAULT_PAGE);
}
