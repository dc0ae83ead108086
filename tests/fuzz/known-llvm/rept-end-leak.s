	.rept 2
	nop
	.end
	.endr
