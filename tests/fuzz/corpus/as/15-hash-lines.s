	.file	"x.c"
	.text
	.globl	f
	.type	f, @function
f:
#APP
# 3 "x.c" 1
	pushf; pop %eax; cli
# 0 "" 2
#NO_APP
	ret
	.size	f, .-f
	.ident	"GCC: (Debian 12.2.0-14) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
