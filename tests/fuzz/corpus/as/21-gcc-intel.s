	.file	"seed2.c"
	.intel_syntax noprefix
	.text
	.globl	work
	.type	work, @function
work:
.LFB1:
	.cfi_startproc
	push	ebp
	.cfi_def_cfa_offset 8
	.cfi_offset 5, -8
	xor	ecx, ecx
	xor	eax, eax
	mov	ebp, esp
	.cfi_def_cfa_register 5
	push	esi
	push	ebx
	.cfi_offset 6, -12
	.cfi_offset 3, -16
	mov	edx, DWORD PTR 12[ebp]
.L2:
	cmp	ecx, edx
	jge	.L10
#APP
# 4 "seed2.c" 1
	pushf; pop ebx
# 0 "" 2
#NO_APP
	mov	esi, DWORD PTR 8[ebp]
	imul	ebx, DWORD PTR [esi+ecx*4]
	inc	ecx
	add	eax, ebx
	jmp	.L2
.L10:
#APP
# 13 "seed2.c" 1
	cli
# 0 "" 2
#NO_APP
	cmp	edx, 2
	je	.L4
	cmp	edx, 4
	je	.L7
	dec	edx
	jne	.L1
#APP
# 15 "seed2.c" 1
	sti
# 0 "" 2
#NO_APP
	jmp	.L1
.L4:
#APP
# 16 "seed2.c" 1
	hlt
# 0 "" 2
#NO_APP
	jmp	.L1
.L7:
	mov	eax, 7
.L1:
	pop	ebx
	.cfi_restore 3
	pop	esi
	.cfi_restore 6
	pop	ebp
	.cfi_restore 5
	.cfi_def_cfa 4, 4
	ret
	.cfi_endproc
.LFE1:
	.size	work, .-work
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
