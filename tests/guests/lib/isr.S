/*
 * The 256 interrupt stubs, 16 bytes apart from isr_stubs, so idt_init()
 * computes each address instead of keeping a table.  Each stub makes the
 * frame uniform (a dummy error code where the CPU pushes none), pushes
 * its vector and joins trap_common, which saves the registers, switches
 * to the kernel data segments and calls trap_dispatch(struct frame *).
 * The frame layout is struct frame in guest.h.
 */
#include "guest.h"

	.text
	.balign 16
	.globl isr_stubs
	.type isr_stubs, @function
isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	/* #DF, #TS, #NP, #SS, #GP, #PF and #AC push an error code. */
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17)
	.else
	push $0
	.endif
	push $vec
	jmp trap_common
	.set vec, vec + 1
	.endr

	.type trap_common, @function
trap_common:
	pusha
	push %ds
	push %es
	push %fs
	push %gs
	mov $SEL_KDATA, %eax            # ring 3 may have left its own selectors
	mov %eax, %ds
	mov %eax, %es
	push %esp                       # the struct frame *
	cld
	call trap_dispatch
	add $4, %esp
	pop %gs
	pop %fs
	pop %es
	pop %ds
	popa
	add $8, %esp                    # vector and error code
	iret

	.section .note.GNU-stack, "", @progbits
