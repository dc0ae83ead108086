	.text
f:
	sti
	.pushsection .text.slow,"ax",@progbits
slow:
	cli
	.pushsection .data.tab,"aw",@progbits
	.long slow
	.popsection
	hlt
	.popsection
	pushf
	.section .init.text,"ax",@progbits
	popf
	.previous
	iret
	.subsection 1
	cli
	.subsection 0
	ret
