/*
 * Ring-3 transitions, as setjmp/longjmp across an iret:
 *
 *   user_enter(eip, esp)  saves the kernel's callee-saved registers, flags
 *                         and %esp, then irets to CPL 3 at eip with IF=1
 *                         and IOPL 0.
 *   user_return(value)    called by the SYS_EXIT handler on the TSS stack;
 *                         drops that interrupt frame, restores the saved
 *                         context and makes user_enter return value.
 *
 * The ring-3 code itself lives in .user_text (never annotated); so does
 * user_exit_stub, where a ring-3 function that returns ends up.
 */
#include "guest.h"

	.text
	.globl user_enter
	.type user_enter, @function
user_enter:
	push %ebp
	push %ebx
	push %esi
	push %edi
	pushf                           # the caller's IF comes back with it
	mov %esp, user_saved_esp
	mov 24(%esp), %eax              # eip (5 saved words + return address)
	mov 28(%esp), %ecx              # esp
	push $SEL_UDATA                 # ss
	push %ecx                       # esp
	push $0x202                     # eflags: IF=1, IOPL 0
	push $SEL_UCODE                 # cs
	push %eax                       # eip
	mov $SEL_UDATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %fs
	mov %eax, %gs
	iret

	.globl user_return
	.type user_return, @function
user_return:
	mov 4(%esp), %eax
	mov user_saved_esp, %esp
	mov $SEL_KDATA, %ecx
	mov %ecx, %ds
	mov %ecx, %es
	mov %ecx, %fs
	mov %ecx, %gs
	popf
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret

/* Where a ring-3 function returns to (user_run puts it on the user
 * stack): its return value becomes the SYS_EXIT argument. */
	.section .user_text, "ax"
	.globl user_exit_stub
	.type user_exit_stub, @function
user_exit_stub:
	mov %eax, %ebx
	mov $SYS_EXIT, %eax
	int $VEC_SYSCALL

	.bss
	.balign 4
user_saved_esp:
	.skip 4

	.section .note.GNU-stack, "", @progbits
