	.text
	nop
	.section .debug_foo,"",@progbits
	.uleb128 .LVU99
