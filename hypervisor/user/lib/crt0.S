/*
 * A task's entry: root leaves a struct hvu_args at %esp (proto.h) and every
 * other register 0.  The C side (start.c) never returns; if it somehow
 * did, ud2 hands the thread to root as an exception.
 */
	.text
	.globl _start
_start:
	mov %esp, %eax
	and $-16, %esp
	sub $12, %esp
	push %eax
	call __hvu_start
	ud2
	.section .note.GNU-stack,"",@progbits
