	.text
	.subsection foo
	nop
