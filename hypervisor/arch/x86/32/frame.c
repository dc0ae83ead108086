/*
 * Thread stacks.  Every thread has its own kernel stack; an entry from ring
 * 3 leaves a struct trap_frame at its very top (the CPU starts at esp0 =
 * the top).  A new thread's stack is made to look as if it had entered the
 * kernel and then called arch_switch: below the trap frame, arch_switch's
 * frame with zeroed callee-saved registers and arch_trap_return as the
 * return address.  The first arch_switch to it therefore "returns" into
 * arch_trap_return, which pops the trap frame and irets to ring 3.
 *
 *   stack_top ->  +------------------------+
 *                 | struct trap_frame (76) |  arch_user_frame(stack_top)
 *                 +------------------------+
 *                 | &arch_trap_return      |
 *                 | ebp = 0                |
 *                 | ebx = 0                |
 *                 | esi = 0                |
 *   returned esp->| edi = 0                |
 */
#include "arch.h"
#include "x86.h"

struct trap_frame *arch_user_frame(uint32_t stack_top)
{
	return (struct trap_frame *)(uintptr_t)(stack_top - sizeof(struct trap_frame));
}

uint32_t arch_prepare_stack(uint32_t stack_top)
{
	uint32_t *sp = (uint32_t *)arch_user_frame(stack_top);
	*--sp = (uint32_t)(uintptr_t)arch_trap_return;
	for (int i = 0; i < 4; i++)
		*--sp = 0;
	return (uint32_t)(uintptr_t)sp;
}

void arch_init_user_frame(struct trap_frame *tf, uint32_t eip, uint32_t esp)
{
	*tf = (struct trap_frame){0};
	tf->gs = tf->fs = tf->es = tf->ds = SEL_UDATA;
	tf->eip = eip;
	tf->cs = SEL_UCODE;
	tf->eflags = EFLAGS_IF | 0x2u;   /* bit 1 is always set; IOPL 0 */
	tf->esp = esp;
	tf->ss = SEL_UDATA;
}
