	.text
	pushf
	.intel_syntax noprefix
	pushfd
	mov eax, cr0
	in al, dx
	out 0x80, al
	mov ax, cs
	lgdt [eax]
	mov dword ptr [ebx+4*ecx+8], 1
	lea eax, [ebx+ecx]
	.att_syntax prefix
	popf
	mov %cr3, %eax
