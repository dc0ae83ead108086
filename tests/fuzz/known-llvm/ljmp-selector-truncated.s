	.text
	ljmp $0x10000, $0
