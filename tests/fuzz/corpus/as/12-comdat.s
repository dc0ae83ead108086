	.text
	.globl plain
plain:
	pushf
	ret
	.section .text.foo,"axG",@progbits,foo,comdat
	.weak foo
foo:
	popf
	cli
	ret
	.section .text.bar,"axG",@progbits,bar,comdat
	.weak bar
bar:
	pushf
	.pushsection .text.baz,"axG",@progbits,baz,comdat
	sti
	.popsection
	ret
