
	.file	"x.c"
	nop
