	.text
	pushf
	popf
	iret
	sgdt (%eax)
	sidt (%eax)
	sldt %ax
	str %ax
	smsw %ax
	lar %ax, %bx
	lsl %ax, %bx
	verr %ax
	verw %ax
	mov %cs, %ax
	mov %ss, %ax
	push %cs
	push %ss
	lret
	lret $8
	ljmp $0x10, $0x1000
	lcall $0x10, $0x1000
	ljmp *(%eax)
	lcall *(%eax)
	cpuid
	cli
	sti
	hlt
	inb $0x60, %al
	inl %dx, %eax
	outb %al, $0x80
	outw %ax, %dx
	insb
	outsl
	mov %cr3, %eax
	mov %eax, %cr0
	mov %dr7, %eax
	mov %eax, %dr0
	lgdt (%eax)
	lidt (%eax)
	lldt %ax
	ltr %ax
	lmsw %ax
	clts
	invlpg (%eax)
	invd
	wbinvd
	rdmsr
	wrmsr
	rdpmc
	sysenter
	sysexit
	mov %ax, %ds
	mov %eax, %fs
	pop %es
	pop %gs
	lds (%eax), %ebx
	les (%eax), %ebx
	lfs (%eax), %ebx
	lgs (%eax), %ebx
	lss (%eax), %ebx
	mov (%eax), %ss
	rdtsc
	ret
