	.text
	rep; outsb
	rep outsl
	rep; insw
	data16; outl %eax, $0x80
	data16
	inl %dx, %eax
	lock; cli
	lock; incl (%eax)
	rep; ret
	cs; pushf
	addr16; lgdt (%eax)
	fs lodsb
	ret
