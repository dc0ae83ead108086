	.text
	.globl	alt_short
	.type	alt_short, @function
alt_short:
#APP
# 59 "alt.c" 1
	# ALT: oldnstr
661:
	cli
662:
# ALT: padding
.skip -(((6651f-6641f)-(662b-661b)) > 0) * ((6651f-6641f)-(662b-661b)),0x90
663:
.pushsection .altinstructions,"a"
 .long 661b - .
 .long 6641f - .
 .word 102
 .byte 663b-661b
 .byte 6651f-6641f
.popsection
.pushsection .altinstr_replacement, "ax"
# ALT: replacement 1
6641:
	sti; sti
6651:
.popsection

# 0 "" 2
#NO_APP
	ret
	.size	alt_short, .-alt_short
