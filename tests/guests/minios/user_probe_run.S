/*
 * probe_run(out): ring-3 behaviour, one probe at a time.  Unannotated
 * (.user_text): these instructions must do what they do at ring 3 on
 * hardware, whatever runs the guest kernel.  Each probe registers a catch
 * address with the kernel and then does one thing; if it faults, the kernel
 * resumes at the catch address with %eax = vector, %edx = error code and
 * %ecx = the faulting address (page faults) or 0.  Each probe stores
 * {eax, edx, ecx}: a probe that does not fault stores {-1, value, 0}.
 */
#include "mmu.h"
#include "syscall.h"

	.macro record
	movl %eax, (%edi)
	movl %edx, 4(%edi)
	movl %ecx, 8(%edi)
	addl $12, %edi
	.endm

	/* A probe expected to fault; its value is -1 if it does not. */
	.macro fault insn:vararg
	movl $SYS_catch, %eax
	movl $1f, %ebx
	int $0x80
	\insn
	movl $-1, %eax
	movl $-1, %edx
	xorl %ecx, %ecx
1:	record
	.endm

	.section .user_text.probe, "ax"
	.globl probe_run
	.type probe_run, @function
probe_run:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 20(%esp), %edi

	fault movl 0x00100000, %eax     # kernel memory: #PF, present|user
	fault movl %eax, USER_BASE      # own code: #PF, present|write|user
	fault cli                       # #GP(0): IOPL is 0
	fault inb $0x40, %al            # #GP(0): no I/O bitmap
	fault hlt                       # #GP(0)
	fault movl %cr0, %eax           # #GP(0)
	fault int $0x20                 # gate DPL 0: #GP(0x20 * 8 + 2)
	fault ud2                       # #UD
	xorl %ecx, %ecx                 # int $0x80 keeps %ecx: a 0 divisor
	fault divl %ecx                 # #DE

	/* Silent at ring 3: pushf shows IF set and IOPL 0 ... */
	pushfl
	popl %edx
	andl $0x3200, %edx
	movl $-1, %eax
	xorl %ecx, %ecx
	record
	/* ... popf cannot clear IF ... */
	pushfl
	popl %edx
	andl $~0x200, %edx
	pushl %edx
	popfl
	pushfl
	popl %edx
	andl $0x3200, %edx
	movl $-1, %eax
	xorl %ecx, %ecx
	record
	/* ... and %cs carries RPL 3. */
	movl %cs, %edx
	andl $3, %edx
	movl $-1, %eax
	xorl %ecx, %ecx
	record

	movl $SYS_catch, %eax           # no catch left behind
	xorl %ebx, %ebx
	int $0x80
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret
	.size probe_run, . - probe_run

	.section .note.GNU-stack, "", @progbits
