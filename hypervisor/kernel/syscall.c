/*
 * System calls (docs/abi/syscalls.md).  Arguments come from the caller's
 * trap frame; results go back into it.  IPC comes first: it is the one that
 * must be fast.
 */
#include "kernel.h"
#include "printk.h"
#include "vm.h"

static int is_root(const struct tcb *t)
{
	return t->space->id == ROOT_SPACE_ID;
}

/* May self manage t (start, kill, priority)?  Its creator's space, its own
 * space, or root. */
static int may_manage(const struct tcb *self, const struct tcb *t)
{
	return is_root(self) || t->space == self->space || t->creator == self->space->id;
}

static uint32_t sys_thread_create(struct tcb *self, struct trap_frame *tf)
{
	struct space *s;
	uint32_t which = tf->ebx;
	if (which == HV_SPACE_SELF) {
		s = self->space;
	} else if (which == HV_SPACE_NEW) {
		s = space_create(self->space->id);
		if (!s)
			return HV_E_NOMEM;
	} else {
		struct tcb *other = thread_lookup(which);
		if (!other)
			return HV_E_NOTHREAD;
		if (!is_root(self))
			return HV_E_PERM;
		s = other->space;
	}
	unsigned prio = tf->esi > self->prio ? self->prio : tf->esi;
	struct tcb *t;
	uint32_t st = (uint32_t)thread_create(s, self->space->id, tf->ecx, tf->edx, prio, &t);
	if (st) {
		if (which == HV_SPACE_NEW)
			space_destroy(s);
		return st;
	}
	tf->ebx = t->tid;
	return HV_OK;
}

static uint32_t sys_thread_op(struct tcb *self, struct trap_frame *tf)
{
	struct tcb *t = thread_lookup(tf->ebx);
	if (!t)
		return HV_E_NOTHREAD;
	if (!may_manage(self, t))
		return HV_E_PERM;
	switch (tf->eax) {
	case HV_SYS_THREAD_START:
		thread_start(t, tf->ecx, tf->edx);
		return HV_OK;
	case HV_SYS_THREAD_KILL:
		thread_kill(t);
		return HV_OK;
	default:    /* HV_SYS_SET_PRIORITY */
		if (tf->ecx > self->prio)
			return HV_E_PERM;
		if (t->rq_next) {
			sched_block(t);
			t->prio = (uint8_t)tf->ecx;
			sched_ready(t);
		} else {
			t->prio = (uint8_t)tf->ecx;
		}
		need_resched = 1;
		return HV_OK;
	}
}

static uint32_t sys_unmap(struct tcb *self, uint32_t fpage, uint32_t flags)
{
	unsigned order = HV_FPAGE_ORDER(fpage);
	uint32_t base = HV_FPAGE_BASE(fpage), rights = HV_FPAGE_RIGHTS(fpage);
	if (order < 12 || order > 31 || (base & ((1u << order) - 1)))
		return HV_E_INVAL;
	uint32_t size = 1u << order;
	if (base >= HV_USER_LIMIT || size > HV_USER_LIMIT - base)
		return HV_E_INVAL;
	for (uint32_t off = 0; off < size;) {
		uint32_t va = base + off;
		struct mnode **slot = space_node_slot(self->space, va);
		if (!slot) {
			off += (1u << 22) - (va & ((1u << 22) - 1));
			continue;
		}
		if (*slot) {
			if (rights & HV_RIGHT_R)
				mnode_revoke(*slot, flags & HV_UNMAP_SELF);
			else if (rights & HV_RIGHT_W)
				mnode_write_protect(*slot);
		}
		off += PAGE_SIZE;
	}
	return HV_OK;
}

void syscall_dispatch(struct trap_frame *tf)
{
	struct tcb *self = current;
	uint32_t st;

	if (likely(tf->eax == HV_SYS_IPC)) {
		if (likely(ipc_fastpath(self, tf)))
			return;
		ipc(self, tf->ebx, tf->ecx, tf->edx);
		return;
	}
	switch (tf->eax) {
	case HV_SYS_UNMAP:
		st = sys_unmap(self, tf->ebx, tf->ecx);
		break;
	case HV_SYS_THREAD_CREATE:
		st = sys_thread_create(self, tf);
		break;
	case HV_SYS_THREAD_START:
	case HV_SYS_THREAD_KILL:
	case HV_SYS_SET_PRIORITY:
		st = sys_thread_op(self, tf);
		break;
	case HV_SYS_YIELD:
		tf->eax = HV_OK;
		sched_yield();
		return;
	case HV_SYS_IRQ_ATTACH:
		st = is_root(self) ? (uint32_t)irq_attach(tf->ebx, tf->ecx) : HV_E_PERM;
		break;
	case HV_SYS_MYSELF:
		tf->ebx = self->tid;
		tf->ecx = self->space->utcb_base + self->utcb_slot * PAGE_SIZE;
		tf->edx = self->space->id;
		tf->esi = self->prio;
		st = HV_OK;
		break;
	case HV_SYS_KDEBUG:
		st = HV_E_PERM;
		if (is_root(self)) {
			arch_debug_putc((char)tf->ebx);
			st = HV_OK;
		}
		break;
	case HV_SYS_VM_CREATE:
		st = is_root(self) ? vm_create(self, tf->ebx, tf->ecx, tf->edx, &tf->ebx) : HV_E_PERM;
		break;
	case HV_SYS_SHUTDOWN:
		if (is_root(self)) {
			kprintf("hypervisor: shutdown, code %u\n", tf->ebx);
			arch_shutdown(tf->ebx);
		}
		st = HV_E_PERM;
		break;
	default:
		st = HV_E_NOSYS;
		break;
	}
	/* The thread may be dead (it killed itself): its frame is not used again. */
	tf->eax = st;
}
