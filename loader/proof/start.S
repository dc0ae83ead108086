/*
 * Entry of the loader proof image: a PVH boot, as QEMU's -kernel does for
 * an ELF with a Xen PHYS32_ENTRY note.  We arrive in 32-bit protected mode,
 * paging off, flat segments, %ebx = the PVH start info (unused), and no
 * stack of our own.  Also: the fixture guest and wedge, embedded.
 */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a", @note
	.balign 4
	.long 2f - 1f                   # namesz
	.long 4f - 3f                   # descsz
	.long XEN_ELFNOTE_PHYS32_ENTRY
1:	.asciz "Xen"
2:	.balign 4
3:	.long pvh_start                 # physical = virtual here
4:	.balign 4

	.text
	.globl pvh_start
pvh_start:
	cli
	cld
	mov $stack_top, %esp
	push %ebx
	call proof_main                 # does not return; if it does, fail
	push $1
	call proof_exit

/*
 * proof_exit(v): QEMU's isa-debug-exit (iobase 0xf4) ends QEMU with
 * status (v << 1) | 1.  The proof passes 0 for success (status 1) and 1
 * for failure (status 3).  QEMU itself never exits 1 or 3 on its own (a
 * triple fault with -no-reboot gives 0), so the test can trust them.
 */
	.globl proof_exit
proof_exit:
	mov 4(%esp), %eax
	mov $0xf4, %dx
	outl %eax, %dx
1:	cli                             # no debug-exit device: stop here
	hlt
	jmp 1b

/* The fixtures, as files: the build puts them on the assembler's -I path. */
	.section .rodata.fixtures, "a", @progbits
	.balign 16
	.globl proof_guest_elf, proof_guest_elf_end
proof_guest_elf:
	.incbin "proof-guest.elf"
proof_guest_elf_end:
	.balign 16
	.globl proof_wedge_elf, proof_wedge_elf_end
proof_wedge_elf:
	.incbin "wedge-fixture.elf"
proof_wedge_elf_end:

	.bss
	.balign 16
	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
