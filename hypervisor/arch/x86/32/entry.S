/*
 * Every way into the kernel, and the one way out.
 *
 * A stub per vector makes the frame uniform (a 0 where the CPU pushes no
 * error code, then the vector); trap_common pushes the data segments and
 * the general registers, so that %esp is a struct trap_frame (arch.h), and
 * calls arch_trap (idt.c: PIC acknowledge, then kernel_trap).  Every gate
 * is an interrupt gate: the kernel always runs with interrupts off.
 *
 * arch_trap_return pops a trap frame and irets; it is also where a new
 * thread starts (arch_prepare_stack, frame.c).
 */
#define SEL_KDATA 0x108   /* arch.h */

.macro STUB n
	.text
	.balign 16
stub_\n:
	.if (\n == 8) || (\n == 10) || (\n == 11) || (\n == 12) || (\n == 13) || (\n == 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushl $0                        /* no CPU error code */
	.endif
	pushl $\n
	jmp trap_common
	.section .rodata
	.long stub_\n
.endm

	.section .rodata
	.balign 4
	.globl trap_vectors
trap_vectors:                           /* vectors 0..0x30, in order */
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23
	STUB \n
	.endr
	.irp n, 24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48
	STUB \n
	.endr

	.text
trap_common:
	cld                             /* user code may leave DF set */
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	pushal
	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %fs
	movl %eax, %gs
	pushl %esp                      /* the struct trap_frame */
	call arch_trap
	addl $4, %esp
	/* Fall through: resume this frame (kernel_trap returns only when the
	 * thread whose stack this is runs again). */

	.globl arch_trap_return
arch_trap_return:
	popal
	popl %gs
	popl %fs
	popl %es
	popl %ds
	addl $8, %esp                   /* vector, error */
	iret

/*
 * void arch_switch(uint32_t *save_esp, uint32_t new_esp): xv6's swtch.
 * Saves the callee-saved registers on this stack and the stack pointer in
 * *save_esp; takes new_esp and pops the same four registers and a return
 * address from it.
 */
	.globl arch_switch
arch_switch:
	movl 4(%esp), %eax
	movl 8(%esp), %edx
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, (%eax)
	movl %edx, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.section .note.GNU-stack, "", @progbits
