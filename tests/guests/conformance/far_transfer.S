/*
 * The far transfers of far_transfer.c, in assembly because C cannot
 * name a segment.  SEL_KCODE2 is a second flat ring-0 code segment, so
 * every target runs at the same EIP under another CS.  Each helper
 * returns (CS seen at the far target << 16) | CS after coming back.
 */
#include "guest.h"

	.text
	.globl ljmp_direct, ljmp_indirect, lcall_direct, lcall_indirect, lret_imm, iret_ring0

	.type ljmp_direct, @function
ljmp_direct:
	ljmp $SEL_KCODE2, $1f
1:	mov %cs, %eax
	shl $16, %eax
	ljmp $SEL_KCODE, $2f
2:	mov %cs, %ax
	ret

	.type ljmp_indirect, @function
ljmp_indirect:
	ljmp *jmp_there
3:	mov %cs, %eax
	shl $16, %eax
	ljmp *jmp_back
4:	mov %cs, %ax
	ret

	.type lcall_direct, @function
lcall_direct:
	lcall $SEL_KCODE2, $far_cs
	shl $16, %eax
	mov %cs, %ax
	ret

	.type lcall_indirect, @function
lcall_indirect:
	lcall *call_there
	shl $16, %eax
	mov %cs, %ax
	ret

/* lret $8 pops the two argument words the caller pushed.  check[0] gets
 * the change of %esp across the call (0 if both went), check[1] the
 * argument the callee read. */
	.type lret_imm, @function
lret_imm:
	push %ebx
	mov %esp, %ebx
	push $0x0badcafe
	push $0x600dcafe
	lcall $SEL_KCODE2, $far_cs_imm
	sub %esp, %ebx
	mov 8(%esp), %ecx               # check
	mov %ebx, (%ecx)
	mov %edx, 4(%ecx)
	shl $16, %eax
	mov %cs, %ax
	pop %ebx
	ret

/* iret at CPL 0 to SEL_KCODE2 with the flags in 4(%esp); back by ljmp.
 * Returns the cs there << 16 | cs back, and stores pushf there at 8(%esp). */
	.type iret_ring0, @function
iret_ring0:
	mov 4(%esp), %ecx
	pushf
	push %ecx                       # eflags
	push $SEL_KCODE2                # cs
	push $6f                        # eip
	iret
6:	pushf
	pop %ecx
	popf                            # the caller's flags back
	mov 8(%esp), %edx
	mov %ecx, (%edx)
	mov %cs, %eax
	shl $16, %eax
	ljmp $SEL_KCODE, $7f
7:	mov %cs, %ax
	ret

	.type far_cs, @function
far_cs:
	mov %cs, %eax
	lret

	.type far_cs_imm, @function
far_cs_imm:
	mov %cs, %eax
	mov 8(%esp), %edx               # the last pushed argument
	lret $8

	.data
	.balign 4
jmp_there:	.long 3b, SEL_KCODE2
jmp_back:	.long 4b, SEL_KCODE
call_there:	.long far_cs, SEL_KCODE2

	.section .note.GNU-stack, "", @progbits
