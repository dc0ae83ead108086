	.intel_syntax noprefix
	mov eax, 1 / 0
