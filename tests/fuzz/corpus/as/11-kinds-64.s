	.text
	.globl g
g:
	swapgs
	sysretq
	sysretl
	pushfq
	popfq
	mov %cr3, %rax
	mov %rax, %cr4
	mov %dr7, %r11
	iretq
	lretq
	cli
	syscall
	rdmsr
	wrmsr
	invlpg (%rdi)
	mov %ss, %eax
	mov %eax, %gs
	lgs (%rax), %rbx
	ljmpq *(%rax)
	in $0x60, %al
	outsb
	ret
