/*
 * What a trap of a vCPU means.  In the order the hot path needs:
 *   - a page fault the guest's tables allow is a hidden fault: fill the
 *     shadow and go on, the guest never knows;
 *   - int $0x30 from the wedge's code is a hypercall or a system call;
 *   - anything else in guest code is an upcall: the state goes to the vCPU
 *     page and the wedge runs in the kernel view, to emulate or deliver it;
 *   - a fault of the wedge itself on guest memory goes to its fixup.
 * The wedge comes back with AB_HC_RESUME, which is when the trap is
 * counted, under the kind the wedge found.
 */
#include "kernel.h"
#include "printk.h"
#include "vm.h"
#include "kinds.h"

static void count_open_upcall(struct vm *vm);

static void upcall(struct tcb *t, struct trap_frame *tf, uint32_t vector, uint32_t error, uint32_t cr2)
{
	struct vm *vm = t->vm;
	struct ab_vcpu *p = vm->page;
	/* The wedge may have ended the last upcall without RESUME (back to
	 * the guest kernel by its own iret): count it now, under the kind it
	 * left in exit_kind. */
	count_open_upcall(vm);
	if (!vm_in_wedge(p->upcall_eip) || !vm_in_wedge(p->upcall_esp - 4)) {
		vm_die(t, "the wedge set no upcall entry");
		return;
	}
	struct ab_vcpu_regs *r = &p->regs;
	r->edi = tf->edi;
	r->esi = tf->esi;
	r->ebp = tf->ebp;
	r->esp = tf->esp;
	r->ebx = tf->ebx;
	r->edx = tf->edx;
	r->ecx = tf->ecx;
	r->eax = tf->eax;
	r->eip = tf->eip;
	r->eflags = tf->eflags;
	r->ds = tf->ds;
	r->es = tf->es;
	r->fs = tf->fs;
	r->gs = tf->gs;
	r->cs = tf->cs;
	r->ss = tf->ss;
	p->vector = vector;
	p->error = error;
	p->cr2 = cr2;
	p->trap_eip = tf->eip;
	p->exit_kind = AB_TRAPK_UNKNOWN | (vector & 0xFFu);
	p->ticks = ticks;
	p->upcalls++;
	vm->upcall_open = 1;
	vm->trap_eip = tf->eip;
	vm->trap_vector = vector;
	tf->eip = p->upcall_eip;
	tf->esp = p->upcall_esp;
	tf->eflags = EFLAGS_IF | 0x2u;
	tf->ds = tf->es = tf->fs = tf->gs = SEL_UDATA;
	tf->cs = SEL_UCODE;
	tf->ss = SEL_UDATA;
	vm_enter_view(vm, VIEW_KERNEL, 0);
}

static uint32_t checked_kind(uint32_t k, uint32_t vector)
{
	uint32_t cls = AB_TRAPK_CLASS(k);
	if (k < AB_KIND_COUNT || ((cls == AB_TRAPK_EXCEPTION || cls == AB_TRAPK_SOFTINT || cls == AB_TRAPK_IRQ ||
				   cls == AB_TRAPK_UNKNOWN) && k < AB_TRAPK_UNKNOWN + 0x100))
		return k;
	return AB_TRAPK_UNKNOWN | (vector & 0xFFu);
}

static void count_open_upcall(struct vm *vm)
{
	if (vm->upcall_open) {
		trapcount_add(vm->trap_eip, checked_kind(vm->page->exit_kind, vm->trap_vector));
		vm->upcall_open = 0;
	}
}

static void resume(struct tcb *t, struct trap_frame *tf)
{
	struct vm *vm = t->vm;
	struct ab_vcpu *p = vm->page;
	const struct ab_vcpu_regs *r = &p->regs;
	count_open_upcall(vm);
	if (vm_in_wedge(r->eip)) {
		vm_die(t, "resume into the wedge");
		return;
	}
	tf->edi = r->edi;
	tf->esi = r->esi;
	tf->ebp = r->ebp;
	tf->esp = r->esp;
	tf->ebx = r->ebx;
	tf->edx = r->edx;
	tf->ecx = r->ecx;
	tf->eax = r->eax;
	tf->eip = r->eip;
	tf->eflags = (r->eflags & EFLAGS_USER) | EFLAGS_IF | 0x2u;
	unsigned view = p->cpl == 3 ? VIEW_USER : VIEW_KERNEL;
	int desc_changed = vm_desc_sync(vm);
	vm_desc_selectors(vm, view, r, tf);
	p->resumes++;
	vm_enter_view(vm, view, desc_changed);
}

/* A guest-physical page root has not given yet: ask it, as a page fault
 * at that address; the access is retried when it answers. */
static void page_from_root(struct tcb *t, struct trap_frame *tf, uint32_t gpa)
{
	fault_to_pager(t, gpa, tf->eip, tf->error);
}

/* The guest reached for an address in the top 64 MiB, which every space
 * gives to the kernel and the wedge: it gets its #PF, but the likely end is
 * a double fault with no word of why.  A Linux guest puts its fixmap, its
 * cpu_entry_area and the read-only GDT alias there unless reservetop moves
 * them (and vmalloc's end with them) below 0xFC000000: say so, once. */
static void told_top(struct vm *vm, const struct trap_frame *tf, uint32_t addr)
{
	if (vm->told_top)
		return;
	vm->told_top = 1;
	kprintf("hypervisor: VM %x touched %x (eip %x), in the top 64 MiB the hypervisor and the "
		"wedge own; a Linux guest needs reservetop=64M on its command line\n", vm->tcb->tid,
		addr, tf->eip);
}

void vm_trap(struct tcb *t, struct trap_frame *tf)
{
	struct vm *vm = t->vm;
	/* The wedge runs only in the kernel view: an eip there in the user
	 * view is guest user code that jumped at the wedge's addresses. */
	int wedge = vm->view == VIEW_KERNEL && vm_in_wedge(tf->eip);
	if (likely(tf->vector == VEC_PF)) {
		uint32_t addr = arch_read_cr2(), gpa = 0;
		if (wedge && vm_in_wedge(addr)) {
			fault_page(t, tf);             /* the wedge's own pages: root serves them */
			return;
		}
		int supervisor = wedge || vm->view == VIEW_KERNEL;
		enum walk_result r = shadow_fill(vm, addr, tf->error & 2, supervisor, &gpa);
		if (likely(r == WALK_OK)) {
			vm->page->hidden_faults++;
			trapcount_add(tf->eip, AB_TRAPK_HIDDEN_PF);
			return;
		}
		if (r == WALK_NEED_PAGE) {
			page_from_root(t, tf, gpa);
			return;
		}
		if (r == WALK_NOMEM) {
			vm_die(t, "no kernel memory for a shadow page table");
			return;
		}
		uint32_t err = (r == WALK_DENIED ? 1u : 0u) | (tf->error & 2u) | (supervisor ? 0u : 4u);
		if (wedge) {
			/* The wedge touched guest memory the guest may not: its fixup
			 * turns that into the guest's #PF. */
			struct ab_vcpu *p = vm->page;
			if (!vm_in_wedge(p->fixup_eip)) {
				vm_die(t, "wedge page fault without a fixup");
				return;
			}
			p->cr2 = addr;
			p->error = err;
			tf->eip = p->fixup_eip;
			return;
		}
		if (unlikely(addr >= KERNEL_BASE))
			told_top(vm, tf, addr);
		upcall(t, tf, r == WALK_BADPHYS ? AB_UPCALL_BADPHYS : VEC_PF, err, addr);
		return;
	}
	if (unlikely(wedge)) {
		vm_die(t, "exception in the wedge");
		return;
	}
	upcall(t, tf, tf->vector, tf->error, 0);
}

static void set_timer(struct vm *vm, uint32_t us, uint32_t periodic)
{
	if (!us) {
		vm->timer_next = 0;
		return;
	}
	uint32_t n = us / (1000000u / TICK_HZ);
	if (n == 0)
		n = 1;              /* the kernel tick is the resolution */
	vm->timer_period = periodic ? n : 0;
	vm->timer_next = ticks + n;
}

/* AB_HC_WALK (abi/vcpu.h): the guest-physical address behind a linear one,
 * for the wedge's memory-mapped devices.  A page table root has not given
 * yet is asked for like any other, and the hypercall runs again (int $0x30
 * is two bytes) once root has answered. */
static void walk(struct tcb *t, struct trap_frame *tf)
{
	uint32_t gpa = 0, write = tf->ecx & AB_WALK_WRITE, user = tf->ecx & AB_WALK_USER;
	enum walk_result r = shadow_translate(t->vm, tf->ebx, write, !user, &gpa);
	if (r == WALK_OK) {
		tf->ebx = gpa;
		return;
	}
	if (r == WALK_NEED_PAGE) {
		tf->eax = AB_HC_WALK;
		tf->eip -= 2;
		page_from_root(t, tf, gpa);
		return;
	}
	tf->eax = 1;
	tf->ecx = (r == WALK_DENIED ? 1u : 0u) | (write ? 2u : 0u) | (user ? 4u : 0u);
}

void vm_syscall(struct tcb *t, struct trap_frame *tf)
{
	struct vm *vm = t->vm;
	struct ab_vcpu *p = vm->page;
	if (vm->view != VIEW_KERNEL || !vm_in_wedge(tf->eip)) {
		upcall(t, tf, AB_UPCALL_SOFTINT | VEC_SYSCALL, 0, 0);   /* the guest's own int $0x30 */
		return;
	}
	uint32_t nr = tf->eax;
	if (likely(nr == AB_HC_RESUME)) {
		resume(t, tf);
		return;
	}
	if (nr < AB_HC_FIRST || nr > AB_HC_LAST) {
		syscall_dispatch(tf);             /* IPC to the console server, MYSELF */
		return;
	}
	trapcount_add(0, AB_TRAPK_HYPERCALL | (nr - AB_HC_FIRST));
	tf->eax = HV_OK;
	switch (nr) {
	case AB_HC_FLUSH:
		if (tf->ebx)
			shadow_flush_page(vm, tf->ebx & PAGE_MASK);
		else if (tf->ecx == AB_FLUSH_SWITCH)
			shadow_switch(vm);        /* another directory: keep what it shares */
		else
			shadow_flush_all(vm);
		break;
	case AB_HC_TIMER:
		set_timer(vm, tf->ebx, tf->ecx);
		break;
	case AB_HC_HALT:
		if (!(p->irq_pending & p->irq_unmasked)) {
			vm->halted = 1;
			sched_block(t);
			t->state = T_INACTIVE;
		}
		break;
	case AB_HC_WALK:
		walk(t, tf);
		break;
	case AB_HC_RESET:
		count_open_upcall(vm);
		vm_end(t, VM_END_RESET);
		break;
	default:   /* AB_HC_SHUTDOWN */
		count_open_upcall(vm);
		vm_end(t, tf->ebx);
		break;
	}
}

/* On the way back to a vCPU in guest code: a virtual interrupt that is
 * pending, unmasked and enabled becomes an upcall now.  (In the wedge it
 * waits: the wedge is not reentrant and checks when it sets the IF.) */
void vm_before_return(struct tcb *t)
{
	struct trap_frame *tf = thread_frame(t);
	const struct ab_vcpu *p = t->vm->page;
	if (t->state != T_READY || (t->vm->view == VIEW_KERNEL && vm_in_wedge(tf->eip)) || !p->vif || !(p->irq_pending & p->irq_unmasked))
		return;
	upcall(t, tf, AB_UPCALL_IRQ, 0, 0);
}
