/*
 * int gm_copy(void *dst, const void *src, unsigned n): copy between the
 * wedge and guest memory (linear addresses, the kernel view).  A fault the
 * guest's page tables do not allow resumes at vcpu->fixup_eip (abi/vcpu.h)
 * with vcpu->cr2/error set: we return -1 and the caller makes it a guest
 * #PF.  We restore our own %esp from gm_saved_esp, so nothing depends on
 * which registers the kernel keeps on a fixup.  Dwords, then the last
 * 0-3 bytes: the copies are descriptors, frames and instructions, and a
 * rep iteration is the unit of work (movsl moves four bytes in one).
 * Which bytes a faulting copy already moved is unspecified either way:
 * callers treat a fault as "nothing done" (and undo what they must).
 */
#include "vcpu.h"

#define VCPU_FIXUP (AB_VCPU_PAGE + 44)   /* offsetof(struct ab_vcpu, fixup_eip) */

	.text
	.globl gm_copy
	.type gm_copy, @function
gm_copy:
	push %esi
	push %edi
	mov 12(%esp), %edi
	mov 16(%esp), %esi
	mov 20(%esp), %ecx
	mov %esp, gm_saved_esp
	movl $gm_fault, VCPU_FIXUP
	shr $2, %ecx                    /* words first: a quarter of the iterations */
	rep movsl
	mov 20(%esp), %ecx
	and $3, %ecx
	rep movsb
	movl $0, VCPU_FIXUP
	xor %eax, %eax
	pop %edi
	pop %esi
	ret
gm_fault:
	mov gm_saved_esp, %esp
	movl $0, VCPU_FIXUP
	cld
	mov $-1, %eax
	pop %edi
	pop %esi
	ret

	.bss
	.balign 4
gm_saved_esp:
	.skip 4

	.section .note.GNU-stack, "", @progbits
