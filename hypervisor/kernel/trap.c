/*
 * The one entry from the arch layer: exceptions, interrupts and system
 * calls.  The hot path is the system call; the rest is rare.
 */
#include "kernel.h"
#include "printk.h"
#include "vm.h"

static void kernel_fault(struct trap_frame *tf)
{
	panic("kernel fault: vector %u error %x at eip %x cr2 %x", tf->vector, tf->error, tf->eip,
	      tf->vector == VEC_PF ? arch_read_cr2() : 0);
}

void kernel_trap(struct trap_frame *tf)
{
	if (likely(tf->vector == VEC_SYSCALL)) {
		if (unlikely(current->vm))
			vm_syscall(current, tf);
		else
			syscall_dispatch(tf);
	} else if (tf->vector >= VEC_IRQ0 && tf->vector < VEC_IRQ0 + NUM_IRQS) {
		unsigned irq = tf->vector - VEC_IRQ0;
		if (irq == 0)
			sched_tick();
		irq_handle(irq);
	} else if ((tf->cs & 3) != 3) {
		kernel_fault(tf);
	} else if (unlikely(current->vm)) {
		vm_trap(current, tf);
	} else if (tf->vector == VEC_PF) {
		fault_page(current, tf);
	} else {
		current->fault_addr = 0;
		fault_exception(current, tf);
	}
	/* Never go back to a thread that is not runnable (it died, or it is
	 * blocked and was switched back to only to be resumed later). */
	if (need_resched || current->state != T_READY)
		schedule();
	if (unlikely(current->vm))
		vm_before_return(current);
}
