	.text
	pushf; popf; cli; nop; sti; ret
	movl $1, %eax ; movl %eax, %cr0 ; # comment ; cli
	rep; outsb; rep; insl; lock; incl (%eax)
