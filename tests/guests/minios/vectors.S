/*
 * Trap entry.  One stub per vector pushes a dummy error code (where the CPU
 * pushes none) and the vector number, so that every trap frame has the same
 * shape (struct trapframe in kernel.h).  alltraps saves the rest, loads the
 * kernel's data segments and calls trap(); trapret undoes it and irets,
 * which is also how a new process first enters ring 3.
 */
#include "mmu.h"

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERR(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || (n) == 17)

	.macro stub n
	.text
vec\n:
	.if !HAS_ERR(\n)
	pushl $0
	.endif
	pushl $\n
	jmp alltraps
	.section .rodata
	.long vec\n
	.endm

/* trap_vectors[i] is the stub of vector i for i < 48, then vector 0x80. */
	.section .rodata
	.balign 4
	.globl trap_vectors
trap_vectors:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23
	stub \n
	.endr
	.irp n, 24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	stub \n
	.endr
	stub 128

	.text
	.type alltraps, @function
alltraps:
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	pushal
	movw $KDATA_SEL, %ax
	movw %ax, %ds
	movw %ax, %es
	pushl %esp                      # the trap frame
	call trap
	addl $4, %esp
	.size alltraps, . - alltraps

	.globl trapret
	.type trapret, @function
trapret:
	popal
	popl %gs
	popl %fs
	popl %es
	popl %ds
	addl $8, %esp                   # vector number and error code
	iret
	.size trapret, . - trapret

	.section .note.GNU-stack, "", @progbits
