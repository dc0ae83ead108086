/*
 * The sysexit/sysenter round trip of sysenter.c.  sysexit_roundtrip
 * saves the kernel context (as user_enter does) and sysexits to ring 3:
 * EIP = %edx, ESP = %ecx, CS = SYSENTER_CS+16 | 3, SS = SYSENTER_CS+24 | 3.
 * The ring-3 code (.user_text) notes its selectors and sysenters back to
 * sysenter_entry: CS = SYSENTER_CS, SS = +8, ESP = SYSENTER_ESP, IF=0.
 * sysenter_entry notes those, restores the context and returns %eax.
 */
#include "guest.h"

	.text
	.globl sysexit_roundtrip, sysenter_entry
	.type sysexit_roundtrip, @function
sysexit_roundtrip:
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov %esp, saved_esp
	mov 20(%esp), %edx              # user eip
	mov 24(%esp), %ecx              # user esp
	mov $SEL_UDATA, %eax
	mov %eax, %ds
	mov %eax, %es
	sysexit

	.type sysenter_entry, @function
sysenter_entry:
	mov $SEL_KDATA, %ecx
	mov %ecx, %ds
	mov %ecx, %es
	mov %cs, %ecx
	mov %ecx, entry_cs
	mov %ss, %ecx
	mov %ecx, entry_ss
	mov %esp, entry_esp
	pushf
	pop entry_eflags
	mov saved_esp, %esp
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret

	.section .user_text, "ax"
	.globl user_sysenter
	.type user_sysenter, @function
user_sysenter:
	mov %cs, %eax
	mov %eax, user_cs
	mov %ss, %eax
	mov %eax, user_ss
	mov $0x5e9, %eax                # the value sysexit_roundtrip returns
	sysenter

	.section .user_data, "aw"
	.balign 4
	.globl user_cs, user_ss
user_cs:	.long 0
user_ss:	.long 0

	.bss
	.balign 4
	.globl entry_cs, entry_ss, entry_esp, entry_eflags
saved_esp:	.skip 4
entry_cs:	.skip 4
entry_ss:	.skip 4
entry_esp:	.skip 4
entry_eflags:	.skip 4

	.section .note.GNU-stack, "", @progbits
