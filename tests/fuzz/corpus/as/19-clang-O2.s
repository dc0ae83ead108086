	.text
	.file	"seed.c"
	.globl	work                            # -- Begin function work
	.p2align	4, 0x90
	.type	work,@function
work:                                   # @work
	.cfi_startproc
# %bb.0:
	pushl	%ebp
	.cfi_def_cfa_offset 8
	pushl	%ebx
	.cfi_def_cfa_offset 12
	pushl	%edi
	.cfi_def_cfa_offset 16
	pushl	%esi
	.cfi_def_cfa_offset 20
	.cfi_offset %esi, -20
	.cfi_offset %edi, -16
	.cfi_offset %ebx, -12
	.cfi_offset %ebp, -8
	calll	.L0$pb
	.cfi_adjust_cfa_offset 4
.L0$pb:
	popl	%edx
	.cfi_adjust_cfa_offset -4
.Ltmp0:
	addl	$_GLOBAL_OFFSET_TABLE_+(.Ltmp0-.L0$pb), %edx
	movl	24(%esp), %esi
	testl	%esi, %esi
	jle	.LBB0_1
# %bb.4:
	movl	20(%esp), %eax
	xorl	%edi, %edi
	xorl	%ecx, %ecx
	.p2align	4, 0x90
.LBB0_5:                                # =>This Inner Loop Header: Depth=1
	movl	(%eax,%edi,4), %ebx
	#APP
	pushfl
	popl	%ebp
	#NO_APP
	imull	%ebx, %ebp
	addl	%ebp, %ecx
	addl	$1, %edi
	cmpl	%edi, %esi
	jne	.LBB0_5
	jmp	.LBB0_2
.LBB0_1:
	xorl	%ecx, %ecx
.LBB0_2:
	#APP
	cli
	#NO_APP
	addl	$-1, %esi
	cmpl	$3, %esi
	ja	.LBB0_9
# %bb.3:
	movl	$7, %eax
	addl	.LJTI0_0@GOTOFF(%edx,%esi,4), %edx
	jmpl	*%edx
.LBB0_6:
	#APP
	sti
	#NO_APP
	jmp	.LBB0_9
.LBB0_7:
	#APP
	hlt
	#NO_APP
	jmp	.LBB0_9
.LBB0_8:
	#APP
	movl	%cr3, %ecx
	#NO_APP
.LBB0_9:
	movl	%ecx, %eax
.LBB0_10:
	popl	%esi
	.cfi_def_cfa_offset 16
	popl	%edi
	.cfi_def_cfa_offset 12
	popl	%ebx
	.cfi_def_cfa_offset 8
	popl	%ebp
	.cfi_def_cfa_offset 4
	retl
.Lfunc_end0:
	.size	work, .Lfunc_end0-work
	.cfi_endproc
	.section	.rodata,"a",@progbits
	.p2align	2
.LJTI0_0:
	.long	.LBB0_6@GOTOFF
	.long	.LBB0_7@GOTOFF
	.long	.LBB0_8@GOTOFF
	.long	.LBB0_10@GOTOFF
                                        # -- End function
	.ident	"Debian clang version 14.0.6"
	.section	".note.GNU-stack","",@progbits
	.addrsig
