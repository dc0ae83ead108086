	.text
	.code16
real:
	cli
	pushf
	inb $0x64, %al
	lgdt (%bx)
	ljmp $0x08, $prot
	.code32
prot:
	cli
	pushf
	.code16gcc
	sti
	.code32
	sti
	.code64
	swapgs
	.code32
	ret
