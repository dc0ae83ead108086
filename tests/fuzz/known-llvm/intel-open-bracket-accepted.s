	.intel_syntax noprefix
	mov eax, [ebx
