	.text
get_user:
1:	movl (%ecx), %eax
2:	ret
	.pushsection .fixup, "ax"
3:	movl $-14, %eax
	cli
	jmp 2b
	.popsection
	.pushsection __ex_table, "a"
	.balign 4
	.long 1b - ., 3b - .
	.popsection
	.pushsection .discard.text, "ax"
	hlt
	.popsection
