	.text
	nop
	.fil