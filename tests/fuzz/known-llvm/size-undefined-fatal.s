	.text
f:
	nop
	.size f, g
