/*
 * swtch(&save, load): save the callee-saved registers on the current kernel
 * stack, store that stack's context pointer in *save, and resume the context
 * load (xv6's switch).  The caller-saved registers are the C compiler's
 * business; %eip is the return address already on the stack.
 */
	.text
	.globl swtch
	.type swtch, @function
swtch:
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
	.size swtch, . - swtch

	.section .note.GNU-stack, "", @progbits
