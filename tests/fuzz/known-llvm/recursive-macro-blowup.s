	.macro m
	m
	m
	.endm
	m
