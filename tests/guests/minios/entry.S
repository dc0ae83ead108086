/*
 * PVH entry.  QEMU's -kernel (and our hypervisor) find the entry in a Xen
 * PHYS32_ENTRY note inside a PT_NOTE, and start it in 32-bit protected mode,
 * paging off, flat segments, interrupts off, %ebx = the hvm_start_info.
 * We only need a stack before C, and known flags (as Linux's startup_32:
 * no AC, NT or DF left over from whoever ran before).
 */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a", @note
	.balign 4
	.long 2f - 1f                   # namesz
	.long 4f - 3f                   # descsz
	.long XEN_ELFNOTE_PHYS32_ENTRY
1:	.asciz "Xen"
2:	.balign 4
3:	.long _start                    # physical = virtual for the kernel
4:	.balign 4

	.text
	.globl _start
	.type _start, @function
_start:
	movl $boot_stack_top, %esp
	pushl $0
	popfl
	pushl %ebx
	call kmain                      # never returns
	pushl $1
	call qemu_exit
	.size _start, . - _start

	.bss
	.balign 16
	.skip 8192
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
