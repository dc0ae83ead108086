	.set SEL, 0x10
	.equ PORT, 0x80
	.text
	.p2align 4,,10
	.p2align 3
	.balign 8, 0x90
f:
	.if SEL == 0x10
	outb %al, $PORT
	.else
	cli
	.endif
	.ifdef PORT
	ljmp $SEL, $f
	.endif
1:	jmp 1b
	jmp 2f
	.org . + 4, 0xcc
2:	lret $SEL
	.fill 3, 1, 0x90
	.skip 2, 0x90
	.zero 2
	.cfi_startproc
	pushf
	.cfi_adjust_cfa_offset 4
	popf
	.cfi_endproc
	.size f, .-f
	.type f, @function
	.ident "fuzz"
	.section .note.GNU-stack,"",@progbits
