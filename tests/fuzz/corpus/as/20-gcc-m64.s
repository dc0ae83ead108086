	.file	"seed2.c"
	.text
	.p2align 4
	.globl	work
	.type	work, @function
work:
.LFB1:
	.cfi_startproc
	testl	%esi, %esi
	jle	.L2
	movslq	%esi, %rax
	xorl	%edx, %edx
	leaq	(%rdi,%rax,4), %rcx
	.p2align 4,,10
	.p2align 3
.L3:
#APP
# 4 "seed2.c" 1
	pushf; pop %rax
# 0 "" 2
#NO_APP
	imull	(%rdi), %eax
	addq	$4, %rdi
	addl	%eax, %edx
	cmpq	%rcx, %rdi
	jne	.L3
#APP
# 13 "seed2.c" 1
	cli
# 0 "" 2
#NO_APP
	cmpl	$2, %esi
	je	.L6
	cmpl	$4, %esi
	je	.L9
	cmpl	$1, %esi
	je	.L13
	movl	%edx, %eax
	ret
	.p2align 4,,10
	.p2align 3
.L9:
	movl	$7, %edx
	movl	%edx, %eax
	ret
	.p2align 4,,10
	.p2align 3
.L6:
#APP
# 16 "seed2.c" 1
	hlt
# 0 "" 2
#NO_APP
	movl	%edx, %eax
	ret
	.p2align 4,,10
	.p2align 3
.L13:
#APP
# 15 "seed2.c" 1
	sti
# 0 "" 2
#NO_APP
	movl	%edx, %eax
	ret
	.p2align 4,,10
	.p2align 3
.L2:
#APP
# 13 "seed2.c" 1
	cli
# 0 "" 2
#NO_APP
	xorl	%edx, %edx
	movl	%edx, %eax
	ret
	.cfi_endproc
.LFE1:
	.size	work, .-work
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
