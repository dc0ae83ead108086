/*
 * PVH entry.  QEMU's -kernel (and our hypervisor) find the physical entry
 * in a Xen ELF note of type PHYS32_ENTRY and start us in 32-bit protected
 * mode, paging off, flat segments, IF=0, %ebx = the physical address of
 * struct hvm_start_info.  We are linked at 1 MiB with virtual = physical.
 * Our first job is a stack; guest_start() (runtime.c) does the rest.
 */
#include "guest.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a", @note
	.balign 4
	.long 2f - 1f                   # namesz
	.long 4f - 3f                   # descsz
	.long XEN_ELFNOTE_PHYS32_ENTRY
1:	.asciz "Xen"
2:	.balign 4
3:	.long _start                    # 4 bytes: a physical address
4:	.balign 4

	.section .text.entry, "ax"
	.globl _start
	.type _start, @function
_start:
	mov $boot_stack_top, %esp
	pushf                           # EFLAGS as the loader left them
	pop boot_eflags
	cli                             # PVH promises IF=0; say so anyway
	cld
	xor %ebp, %ebp                  # ends the frame chain for a debugger
	push %ebx
	call guest_start                # never returns
1:	cli
	hlt
	jmp 1b

/*
 * Reload every segment register after lgdt: CS by a far jump, the rest
 * by plain moves.  Called by gdt_init() with the new table loaded.
 */
	.text
	.globl seg_reload
	.type seg_reload, @function
seg_reload:
	ljmp $SEL_KCODE, $1f
1:	mov $SEL_KDATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %fs
	mov %eax, %gs
	mov %eax, %ss
	ret

	.bss
	.balign 4
	.globl boot_eflags
boot_eflags:
	.skip 4
	.balign 16
	.skip 16384
	.globl boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
