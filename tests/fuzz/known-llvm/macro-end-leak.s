	.macro m
	nop
	.end
	.endm
	m
