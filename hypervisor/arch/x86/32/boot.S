/*
 * Multiboot v1 entry.  The loader (QEMU -kernel, or GRUB) puts the image at
 * its LMA, 1 MiB, and jumps to _start_phys with paging off, flat segments,
 * %eax = 0x2BADB002 and %ebx = the physical address of the multiboot info.
 * The kernel is linked at KERNEL_BASE + 1 MiB, so until paging is on every
 * absolute address here goes through V2P.
 */
#define KERNEL_BASE 0xFC000000
#define V2P(x) ((x) - KERNEL_BASE)

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003        /* page-align modules, memory info; ELF addresses */

#define PDE_4M   0x83              /* present, writable, 4 MiB page (supervisor) */
#define CR0_PE   0x00000001
#define CR0_WP   0x00010000        /* the kernel too honours read-only pages */
#define CR0_PG   0x80000000
#define CR4_PSE  0x00000010        /* every CPU QEMU models has PSE */

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.section .text.boot, "ax"
	.globl _start
_start:
	cli
	cld
	/* Clear .bss (the loader should have; one loop makes sure).  %eax and
	 * %ebx hold the boot arguments and survive. */
	mov $V2P(__bss_start), %edi
	mov $V2P(__bss_end), %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %edx, %edx
	xchg %eax, %edx
	rep stosl
	xchg %eax, %edx

	mov $V2P(boot_page_directory), %ecx
	mov %ecx, %cr3
	mov %cr4, %ecx
	or $CR4_PSE, %ecx
	mov %ecx, %cr4
	mov %cr0, %ecx
	or $(CR0_PE | CR0_WP | CR0_PG), %ecx
	mov %ecx, %cr0
	/* Still running low through the identity map: jump to the high half. */
	mov $1f, %ecx
	jmp *%ecx
1:	mov $boot_stack_top, %esp
	xor %ebp, %ebp                  /* the end of any backtrace */
	push %ebx
	push %eax
	call kernel_main
2:	cli                             /* kernel_main does not return */
	hlt
	jmp 2b

/* The boot page directory, built by the assembler: PDE 0 is the temporary
 * identity map, PDEs 1008..1019 the direct map of [0, 48 MiB). */
	.data
	.balign 4096
	.globl boot_page_directory
boot_page_directory:
	.long PDE_4M
	.fill 1007, 4, 0
	.set pa, 0
	.rept 12
	.long pa | PDE_4M
	.set pa, pa + 0x400000
	.endr
	.fill 4, 4, 0

	.bss
	.balign 16
	.globl boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
