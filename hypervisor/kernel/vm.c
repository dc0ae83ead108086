/*
 * Making and ending VMs, loading a vCPU's view, and the vCPU timers.
 * A VM is one vCPU thread in a VM space; root makes it with
 * HV_SYS_VM_CREATE and starts it at the wedge's entry point.
 */
#include "kernel.h"
#include "pmm.h"
#include "printk.h"
#include "vm.h"

struct vm *vms[MAX_VMS];

uint32_t vm_create(struct tcb *self, uint32_t pager, unsigned prio, uint32_t mem, uint32_t *tid)
{
	if (!mem || (mem & ~PAGE_MASK) || mem > AB_GUEST_PHYS_LIMIT)
		return HV_E_INVAL;
	unsigned slot;
	for (slot = 0; slot < MAX_VMS && vms[slot]; slot++)
		;
	if (slot == MAX_VMS)
		return HV_E_NOMEM;
	struct space *s = space_create_vm(self->space->id);
	if (!s)
		return HV_E_NOMEM;
	/* Its own account: a mapping node per guest page, page tables for
	 * the guest-physical map, on top of what any task gets. */
	s->max_nodes = ACCOUNT_NODES + mem / PAGE_SIZE;
	s->max_pages = ACCOUNT_PAGES + 2 * (mem >> 22);
	struct vm *vm = kpage_alloc();
	struct ab_vcpu *page = vm ? kpage_alloc() : NULL;
	struct tcb *t = NULL;
	if (!page || thread_create(s, self->space->id, pager, HV_NILTHREAD,
				   prio > self->prio ? self->prio : prio, &t)) {
		if (page)
			kpage_free(page);
		if (vm)
			kpage_free(vm);
		space_destroy(s);
		return HV_E_NOMEM;
	}
	vm->tcb = t;
	vm->page = page;
	vm->page_phys = VIRT_TO_PHYS(page);
	vm->mem_size = mem;
	page->magic = AB_VCPU_MAGIC;
	page->version = AB_VCPU_VERSION;
	if (shadow_init(vm) || space_map_frame(s, AB_VCPU_PAGE, vm->page_phys, HV_RIGHT_R | HV_RIGHT_W, NULL)) {
		shadow_free(vm);
		thread_kill(t);          /* takes the space with it */
		kpage_free(page);
		kpage_free(vm);
		return HV_E_NOMEM;
	}
	vm->view = VIEW_KERNEL;      /* the wedge's _start runs first */
	vm_desc_init(vm);
	t->vm = vm;
	vms[slot] = vm;
	*tid = t->tid;
	kprintf("hypervisor: VM %x: %u KiB of guest memory\n", t->tid, mem >> 10);
	return HV_OK;
}

void vm_destroy(struct tcb *t)
{
	struct vm *vm = t->vm;
	t->vm = NULL;
	for (unsigned i = 0; i < MAX_VMS; i++)
		if (vms[i] == vm)
			vms[i] = NULL;
	if (t == current)
		space_activate(t->space);    /* off the shadows we free */
	shadow_free(vm);
	space_clear_pte(t->space, AB_VCPU_PAGE);
	kpage_free(vm->page);
	kpage_free(vm);
}

void vm_activate(struct tcb *t)
{
	shadow_sync_wedge(t->vm);
	vm_desc_load(t->vm);
	space_activate_pd(t->space, t->vm->pd_phys[t->vm->view]);
}

void vm_set_view(struct vm *vm, unsigned view)
{
	vm->view = view;
	if (vm->tcb == current)
		vm_activate(vm->tcb);
}

/* At an upcall or a resume: the view to run.  Staying in the view that
 * runs needs nothing loaded again (most upcalls come from the guest
 * kernel or go back to it): CR3, the GDT and LDT and the TSS are as the
 * last vm_activate left them, because whatever changes what they point
 * at while the vCPU runs makes the hardware see it then: a shadow flush
 * reloads CR3 (shadow_flush_all) or invalidates the page (shadow_flush_page,
 * shadow_fill), and kmap invalidates its slot; only new descriptors need
 * the tables loaded again (desc_changed: vm_desc_sync said so).  A
 * thread switched in is activated by the scheduler. */
void vm_enter_view(struct vm *vm, unsigned view, int desc_changed)
{
	if (view != vm->view || desc_changed)
		vm_set_view(vm, view);
}

/* Root unmapped guest memory: every shadow entry may be stale. */
void vm_space_revoked(struct space *s)
{
	for (unsigned i = 0; i < MAX_VMS; i++)
		if (vms[i] && vms[i]->tcb->space == s)
			shadow_flush_all(vms[i]);
}

/* The wedge crashed or the guest broke the ABI beyond repair: end the run
 * the way a guest's own shutdown would, so a test sees it at once.
 * VM_END_RESET: the guest reset the machine; so do we, as a PC would. */
int vm_exit_continue;

void vm_end(struct tcb *t, uint32_t code)
{
	if (code == VM_END_RESET)
		kprintf("hypervisor: VM %x reset the machine\n", t->tid);
	else
		kprintf("hypervisor: VM %x ended, code %x\n", t->tid, code);
	trapcount_dump();
	if (!vm_exit_continue) {
		if (code == VM_END_RESET)
			arch_reset();
		arch_shutdown(code);
	}
	thread_kill(t);
}

void vm_die(struct tcb *t, const char *why)
{
	struct trap_frame *tf = thread_frame(t);
	kprintf("hypervisor: VM %x died: %s (vector %u error %x eip %x)\n", t->tid, why, tf->vector,
		tf->error, tf->eip);
	vm_end(t, 0x7F);
}

/* Every kernel tick: the guests' clocks and timers. */
void vm_tick(void)
{
	for (unsigned i = 0; i < MAX_VMS; i++) {
		struct vm *vm = vms[i];
		if (!vm)
			continue;
		vm->page->ticks = ticks;
		if (!vm->timer_next || (int32_t)(ticks - vm->timer_next) < 0)
			continue;
		vm->page->irq_pending |= 1u;
		vm->timer_next = vm->timer_period ? ticks + vm->timer_period : 0;
		if (vm->halted && (vm->page->irq_pending & vm->page->irq_unmasked)) {
			vm->halted = 0;
			vm->tcb->state = T_READY;
			sched_ready(vm->tcb);
		}
	}
}
