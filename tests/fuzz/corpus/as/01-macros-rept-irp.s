	.macro save_flags reg
	pushf
	popl \reg
	.endm
	.text
	.globl f
f:
	save_flags %eax
	.rept 3
	popf
	.endr
	.irp port, 0x20, 0x21, 0xa0
	outb %al, $\port
	.endr
	.irpc n, 123
	movl $\n, %eax
	.endr
	ret
