	.file	"seed.c"
	.text
.Ltext0:
	.file 0 "/tmp/abx" "seed.c"
	.p2align 4
	.globl	work
	.type	work, @function
work:
.LVL0:
.LFB1:
	.file 1 "seed.c"
	.loc 1 9 1 view -0
	.cfi_startproc
	.loc 1 10 2 view .LVU1
	.loc 1 11 2 view .LVU2
.LBB5:
	.loc 1 11 7 view .LVU3
	.loc 1 11 20 view .LVU4
.LBE5:
	.loc 1 9 1 is_stmt 0 view .LVU5
	pushl	%esi
	.cfi_def_cfa_offset 8
	.cfi_offset 6, -8
	pushl	%ebx
	.cfi_def_cfa_offset 12
	.cfi_offset 3, -12
	.loc 1 9 1 view .LVU6
	movl	16(%esp), %ebx
	movl	12(%esp), %esi
.LBB8:
	.loc 1 11 20 view .LVU7
	testl	%ebx, %ebx
	jle	.L2
	.loc 1 11 11 view .LVU8
	xorl	%edx, %edx
.LBE8:
	.loc 1 10 6 view .LVU9
	xorl	%eax, %eax
.LVL1:
	.p2align 4,,10
	.p2align 3
.L3:
.LBB9:
	.loc 1 12 3 is_stmt 1 discriminator 3 view .LVU10
.LBB6:
.LBI6:
	.loc 1 1 29 discriminator 3 view .LVU11
.LBB7:
	.loc 1 3 2 discriminator 3 view .LVU12
	.loc 1 4 2 discriminator 3 view .LVU13
#APP
# 4 "seed.c" 1
	pushf; pop %ecx
# 0 "" 2
.LVL2:
	.loc 1 5 2 discriminator 3 view .LVU14
	.loc 1 5 2 is_stmt 0 discriminator 3 view .LVU15
#NO_APP
.LBE7:
.LBE6:
	.loc 1 12 13 discriminator 3 view .LVU16
	imull	(%esi,%edx,4), %ecx
	.loc 1 11 26 discriminator 3 view .LVU17
	addl	$1, %edx
.LVL3:
	.loc 1 12 5 discriminator 3 view .LVU18
	addl	%ecx, %eax
.LVL4:
	.loc 1 11 26 is_stmt 1 discriminator 3 view .LVU19
	.loc 1 11 20 discriminator 3 view .LVU20
	cmpl	%edx, %ebx
	jne	.L3
.LBE9:
	.loc 1 13 2 view .LVU21
#APP
# 13 "seed.c" 1
	cli
# 0 "" 2
	.loc 1 14 2 view .LVU22
#NO_APP
	cmpl	$3, %ebx
	je	.L6
	jg	.L7
	cmpl	$1, %ebx
	je	.L18
	.loc 1 16 10 view .LVU23
#APP
# 16 "seed.c" 1
	hlt
# 0 "" 2
	.loc 1 16 31 view .LVU24
	.loc 1 21 1 is_stmt 0 view .LVU25
#NO_APP
	popl	%ebx
	.cfi_remember_state
	.cfi_restore 3
	.cfi_def_cfa_offset 8
	popl	%esi
	.cfi_restore 6
	.cfi_def_cfa_offset 4
	ret
.LVL5:
	.p2align 4,,10
	.p2align 3
.L7:
	.cfi_restore_state
	.loc 1 14 2 view .LVU26
	cmpl	$4, %ebx
	movl	$7, %edx
.LVL6:
	.loc 1 21 1 view .LVU27
	popl	%ebx
	.cfi_remember_state
	.cfi_restore 3
	.cfi_def_cfa_offset 8
.LVL7:
	.loc 1 21 1 view .LVU28
	popl	%esi
	.cfi_restore 6
	.cfi_def_cfa_offset 4
.LVL8:
	.loc 1 14 2 view .LVU29
	cmove	%edx, %eax
.LVL9:
	.loc 1 21 1 view .LVU30
	ret
.LVL10:
	.p2align 4,,10
	.p2align 3
.L6:
	.cfi_restore_state
	.loc 1 17 10 is_stmt 1 view .LVU31
#APP
# 17 "seed.c" 1
	mov %cr3, %eax
# 0 "" 2
.LVL11:
	.loc 1 17 51 view .LVU32
	.loc 1 21 1 is_stmt 0 view .LVU33
#NO_APP
	popl	%ebx
	.cfi_remember_state
	.cfi_restore 3
	.cfi_def_cfa_offset 8
.LVL12:
	.loc 1 21 1 view .LVU34
	popl	%esi
	.cfi_restore 6
	.cfi_def_cfa_offset 4
.LVL13:
	.loc 1 21 1 view .LVU35
	ret
.LVL14:
	.p2align 4,,10
	.p2align 3
.L18:
	.cfi_restore_state
	.loc 1 15 10 is_stmt 1 view .LVU36
#APP
# 15 "seed.c" 1
	sti
# 0 "" 2
	.loc 1 15 31 view .LVU37
	.loc 1 21 1 is_stmt 0 view .LVU38
#NO_APP
	popl	%ebx
	.cfi_remember_state
	.cfi_restore 3
	.cfi_def_cfa_offset 8
.LVL15:
	.loc 1 21 1 view .LVU39
	popl	%esi
	.cfi_restore 6
	.cfi_def_cfa_offset 4
.LVL16:
	.loc 1 21 1 view .LVU40
	ret
.LVL17:
	.p2align 4,,10
	.p2align 3
.L2:
	.cfi_restore_state
	.loc 1 13 2 is_stmt 1 view .LVU41
#APP
# 13 "seed.c" 1
	cli
# 0 "" 2
	.loc 1 14 2 view .LVU42
	.loc 1 10 6 is_stmt 0 view .LVU43
#NO_APP
	xorl	%eax, %eax
	.loc 1 21 1 view .LVU44
	popl	%ebx
	.cfi_restore 3
	.cfi_def_cfa_offset 8
.LVL18:
	.loc 1 21 1 view .LVU45
	popl	%esi
	.cfi_restore 6
	.cfi_def_cfa_offset 4
.LVL19:
	.loc 1 21 1 view .LVU46
	ret
	.cfi_endproc
.LFE1:
	.size	work, .-work
.Letext0:
	.section	.debug_info,"",@progbits
.Ldebug_info0:
	.long	0xda
	.value	0x5
	.byte	0x1
	.byte	0x4
	.long	.Ldebug_abbrev0
	.uleb128 0x3
	.long	.LASF3
	.byte	0x1d
	.long	.LASF0
	.long	.LASF1
	.long	.Ltext0
	.long	.Letext0-.Ltext0
	.long	.Ldebug_line0
	.uleb128 0x4
	.long	.LASF4
	.byte	0x1
	.byte	0x8
	.byte	0x5
	.long	0xac
	.long	.LFB1
	.long	.LFE1-.LFB1
	.uleb128 0x1
	.byte	0x9c
	.long	0xac
	.uleb128 0x1
	.string	"p"
	.byte	0xf
	.long	0xb3
	.long	.LLST0
	.long	.LVUS0
	.uleb128 0x1
	.string	"n"
	.byte	0x16
	.long	0xac
	.long	.LLST1
	.long	.LVUS1
	.uleb128 0x2
	.string	"s"
	.byte	0xa
	.byte	0x6
	.long	0xac
	.long	.LLST2
	.long	.LVUS2
	.uleb128 0x5
	.long	.LLRL3
	.uleb128 0x2
	.string	"i"
	.byte	0xb
	.byte	0xb
	.long	0xac
	.long	.LLST4
	.long	.LVUS4
	.uleb128 0x6
	.long	0xb9
	.long	.LBI6
	.byte	.LVU11
	.long	.LBB6
	.long	.LBE6-.LBB6
	.byte	0x1
	.byte	0xc
	.byte	0x14
	.uleb128 0x7
	.long	0xca
	.long	.LLST5
	.long	.LVUS5
	.byte	0
	.byte	0
	.byte	0
	.uleb128 0x8
	.byte	0x4
	.byte	0x5
	.string	"int"
	.uleb128 0x9
	.byte	0x4
	.long	0xac
	.uleb128 0xa
	.long	.LASF5
	.byte	0x1
	.byte	0x1
	.byte	0x1d
	.long	0xd6
	.byte	0x3
	.long	0xd6
	.uleb128 0xb
	.string	"fl"
	.byte	0x1
	.byte	0x3
	.byte	0x10
	.long	0xd6
	.byte	0
	.uleb128 0xc
	.byte	0x4
	.byte	0x7
	.long	.LASF2
	.byte	0
	.section	.debug_abbrev,"",@progbits
.Ldebug_abbrev0:
	.uleb128 0x1
	.uleb128 0x5
	.byte	0
	.uleb128 0x3
	.uleb128 0x8
	.uleb128 0x3a
	.uleb128 0x21
	.sleb128 1
	.uleb128 0x3b
	.uleb128 0x21
	.sleb128 8
	.uleb128 0x39
	.uleb128 0xb
	.uleb128 0x49
	.uleb128 0x13
	.uleb128 0x2
	.uleb128 0x17
	.uleb128 0x2137
	.uleb128 0x17
	.byte	0
	.byte	0
	.uleb128 0x2
	.uleb128 0x34
	.byte	0
	.uleb128 0x3
	.uleb128 0x8
	.uleb128 0x3a
	.uleb128 0x21
	.sleb128 1
	.uleb128 0x3b
	.uleb128 0xb
	.uleb128 0x39
	.uleb128 0xb
	.uleb128 0x49
	.uleb128 0x13
	.uleb128 0x2
	.uleb128 0x17
	.uleb128 0x2137
	.uleb128 0x17
	.byte	0
	.byte	0
	.uleb128 0x3
	.uleb128 0x11
	.byte	0x1
	.uleb128 0x25
	.uleb128 0xe
	.uleb128 0x13
	.uleb128 0xb
	.uleb128 0x3
	.uleb128 0x1f
	.uleb128 0x1b
	.uleb128 0x1f
	.uleb128 0x11
	.uleb128 0x1
	.uleb128 0x12
	.uleb128 0x6
	.uleb128 0x10
	.uleb128 0x17
	.byte	0
	.byte	0
	.uleb128 0x4
	.uleb128 0x2e
	.byte	0x1
	.uleb128 0x3f
	.uleb128 0x19
	.uleb128 0x3
	.uleb128 0xe
	.uleb128 0x3a
	.uleb128 0xb
	.uleb128 0x3b
	.uleb128 0xb
	.uleb128 0x39
	.uleb128 0xb
	.uleb128 0x27
	.uleb128 0x19
	.uleb128 0x49
	.uleb128 0x13
	.uleb128 0x11
	.uleb128 0x1
	.uleb128 0x12
	.uleb128 0x6
	.uleb128 0x40
	.uleb128 0x18
	.uleb128 0x7a
	.uleb128 0x19
	.uleb128 0x1
	.uleb128 0x13
	.byte	0
	.byte	0
	.uleb128 0x5
	.uleb128 0xb
	.byte	0x1
	.uleb128 0x55
	.uleb128 0x17
	.byte	0
	.byte	0
	.uleb128 0x6
	.uleb128 0x1d
	.byte	0x1
	.uleb128 0x31
	.uleb128 0x13
	.uleb128 0x52
	.uleb128 0x1
	.uleb128 0x2138
	.uleb128 0xb
	.uleb128 0x11
	.uleb128 0x1
	.uleb128 0x12
	.uleb128 0x6
	.uleb128 0x58
	.uleb128 0xb
	.uleb128 0x59
	.uleb128 0xb
	.uleb128 0x57
	.uleb128 0xb
	.byte	0
	.byte	0
	.uleb128 0x7
	.uleb128 0x34
	.byte	0
	.uleb128 0x31
	.uleb128 0x13
	.uleb128 0x2
	.uleb128 0x17
	.uleb128 0x2137
	.uleb128 0x17
	.byte	0
	.byte	0
	.uleb128 0x8
	.uleb128 0x24
	.byte	0
	.uleb128 0xb
	.uleb128 0xb
	.uleb128 0x3e
	.uleb128 0xb
	.uleb128 0x3
	.uleb128 0x8
	.byte	0
	.byte	0
	.uleb128 0x9
	.uleb128 0xf
	.byte	0
	.uleb128 0xb
	.uleb128 0xb
	.uleb128 0x49
	.uleb128 0x13
	.byte	0
	.byte	0
	.uleb128 0xa
	.uleb128 0x2e
	.byte	0x1
	.uleb128 0x3
	.uleb128 0xe
	.uleb128 0x3a
	.uleb128 0xb
	.uleb128 0x3b
	.uleb128 0xb
	.uleb128 0x39
	.uleb128 0xb
	.uleb128 0x27
	.uleb128 0x19
	.uleb128 0x49
	.uleb128 0x13
	.uleb128 0x20
	.uleb128 0xb
	.uleb128 0x1
	.uleb128 0x13
	.byte	0
	.byte	0
	.uleb128 0xb
	.uleb128 0x34
	.byte	0
	.uleb128 0x3
	.uleb128 0x8
	.uleb128 0x3a
	.uleb128 0xb
	.uleb128 0x3b
	.uleb128 0xb
	.uleb128 0x39
	.uleb128 0xb
	.uleb128 0x49
	.uleb128 0x13
	.byte	0
	.byte	0
	.uleb128 0xc
	.uleb128 0x24
	.byte	0
	.uleb128 0xb
	.uleb128 0xb
	.uleb128 0x3e
	.uleb128 0xb
	.uleb128 0x3
	.uleb128 0xe
	.byte	0
	.byte	0
	.byte	0
	.section	.debug_loclists,"",@progbits
	.long	.Ldebug_loc3-.Ldebug_loc2
.Ldebug_loc2:
	.value	0x5
	.byte	0x4
	.byte	0
	.long	0
.Ldebug_loc0:
.LVUS0:
	.uleb128 0
	.uleb128 .LVU26
	.uleb128 .LVU26
	.uleb128 .LVU29
	.uleb128 .LVU29
	.uleb128 .LVU31
	.uleb128 .LVU31
	.uleb128 .LVU35
	.uleb128 .LVU35
	.uleb128 .LVU36
	.uleb128 .LVU36
	.uleb128 .LVU40
	.uleb128 .LVU40
	.uleb128 .LVU41
	.uleb128 .LVU41
	.uleb128 .LVU46
	.uleb128 .LVU46
	.uleb128 0
.LLST0:
	.byte	0x4
	.uleb128 .LVL0-.Ltext0
	.uleb128 .LVL5-.Ltext0
	.uleb128 0x2
	.byte	0x91
	.sleb128 0
	.byte	0x4
	.uleb128 .LVL5-.Ltext0
	.uleb128 .LVL8-.Ltext0
	.uleb128 0x1
	.byte	0x56
	.byte	0x4
	.uleb128 .LVL8-.Ltext0
	.uleb128 .LVL10-.Ltext0
	.uleb128 0x2
	.byte	0x91
	.sleb128 0
	.byte	0x4
	.uleb128 .LVL10-.Ltext0
	.uleb128 .LVL13-.Ltext0
	.uleb128 0x1
	.byte	0x56
	.byte	0x4
	.uleb128 .LVL13-.Ltext0
	.uleb128 .LVL14-.Ltext0
	.uleb128 0x2
	.byte	0x91
	.sleb128 0
	.byte	0x4
	.uleb128 .LVL14-.Ltext0
	.uleb128 .LVL16-.Ltext0
	.uleb128 0x1
	.byte	0x56
	.byte	0x4
	.uleb128 .LVL16-.Ltext0
	.uleb128 .LVL17-.Ltext0
	.uleb128 0x2
	.byte	0x91
	.sleb128 0
	.byte	0x4
	.uleb128 .LVL17-.Ltext0
	.uleb128 .LVL19-.Ltext0
	.uleb128 0x1
	.byte	0x56
	.byte	0x4
	.uleb128 .LVL19-.Ltext0
	.uleb128 .LFE1-.Ltext0
	.uleb128 0x2
	.byte	0x91
	.sleb128 0
	.byte	0
.LVUS1:
	.uleb128 0
	.uleb128 .LVU26
	.uleb128 .LVU26
	.uleb128 .LVU28
	.uleb128 .LVU28
	.uleb128 .LVU31
	.uleb128 .LVU31
	.uleb128 .LVU34
	.uleb128 .LVU34
	.uleb128 .LVU36
	.uleb128 .LVU36
	.uleb128 .LVU39
	.uleb128 .LVU39
	.uleb128 .LVU41
	.uleb128 .LVU41
	.uleb128 .LVU45
	.uleb128 .LVU45
	.uleb128 0
.LLST1:
	.byte	0x4
	.uleb128 .LVL0-.Ltext0
	.uleb128 .LVL5-.Ltext0
	.uleb128 0x2
	.byte	0x91
	.sleb128 4
	.byte	0x4
	.uleb128 .LVL5-.Ltext0
	.uleb128 .LVL7-.Ltext0
	.uleb128 0x1
	.byte	0x53
	.byte	0x4
	.uleb128 .LVL7-.Ltext0
	.uleb128 .LVL10-.Ltext0
	.uleb128 0x2
	.byte	0x91
	.sleb128 4
	.byte	0x4
	.uleb128 .LVL10-.Ltext0
	.uleb128 .LVL12-.Ltext0
	.uleb128 0x1
	.byte	0x53
	.byte	0x4
	.uleb128 .LVL12-.Ltext0
	.uleb128 .LVL14-.Ltext0
	.uleb128 0x2
	.byte	0x91
	.sleb128 4
	.byte	0x4
	.uleb128 .LVL14-.Ltext0
	.uleb128 .LVL15-.Ltext0
	.uleb128 0x1
	.byte	0x53
	.byte	0x4
	.uleb128 .LVL15-.Ltext0
	.uleb128 .LVL17-.Ltext0
	.uleb128 0x2
	.byte	0x91
	.sleb128 4
	.byte	0x4
	.uleb128 .LVL17-.Ltext0
	.uleb128 .LVL18-.Ltext0
	.uleb128 0x1
	.byte	0x53
	.byte	0x4
	.uleb128 .LVL18-.Ltext0
	.uleb128 .LFE1-.Ltext0
	.uleb128 0x2
	.byte	0x91
	.sleb128 4
	.byte	0
.LVUS2:
	.uleb128 .LVU2
	.uleb128 .LVU10
	.uleb128 .LVU10
	.uleb128 .LVU30
	.uleb128 .LVU31
	.uleb128 .LVU41
	.uleb128 .LVU41
	.uleb128 0
.LLST2:
	.byte	0x4
	.uleb128 .LVL0-.Ltext0
	.uleb128 .LVL1-.Ltext0
	.uleb128 0x2
	.byte	0x30
	.byte	0x9f
	.byte	0x4
	.uleb128 .LVL1-.Ltext0
	.uleb128 .LVL9-.Ltext0
	.uleb128 0x1
	.byte	0x50
	.byte	0x4
	.uleb128 .LVL10-.Ltext0
	.uleb128 .LVL17-.Ltext0
	.uleb128 0x1
	.byte	0x50
	.byte	0x4
	.uleb128 .LVL17-.Ltext0
	.uleb128 .LFE1-.Ltext0
	.uleb128 0x2
	.byte	0x30
	.byte	0x9f
	.byte	0
.LVUS4:
	.uleb128 .LVU4
	.uleb128 .LVU10
	.uleb128 .LVU10
	.uleb128 .LVU18
	.uleb128 .LVU18
	.uleb128 .LVU20
	.uleb128 .LVU20
	.uleb128 .LVU27
	.uleb128 .LVU31
	.uleb128 .LVU41
	.uleb128 .LVU41
	.uleb128 0
.LLST4:
	.byte	0x4
	.uleb128 .LVL0-.Ltext0
	.uleb128 .LVL1-.Ltext0
	.uleb128 0x2
	.byte	0x30
	.byte	0x9f
	.byte	0x4
	.uleb128 .LVL1-.Ltext0
	.uleb128 .LVL3-.Ltext0
	.uleb128 0x1
	.byte	0x52
	.byte	0x4
	.uleb128 .LVL3-.Ltext0
	.uleb128 .LVL4-.Ltext0
	.uleb128 0x3
	.byte	0x72
	.sleb128 -1
	.byte	0x9f
	.byte	0x4
	.uleb128 .LVL4-.Ltext0
	.uleb128 .LVL6-.Ltext0
	.uleb128 0x1
	.byte	0x52
	.byte	0x4
	.uleb128 .LVL10-.Ltext0
	.uleb128 .LVL17-.Ltext0
	.uleb128 0x1
	.byte	0x52
	.byte	0x4
	.uleb128 .LVL17-.Ltext0
	.uleb128 .LFE1-.Ltext0
	.uleb128 0x2
	.byte	0x30
	.byte	0x9f
	.byte	0
.LVUS5:
	.uleb128 .LVU14
	.uleb128 .LVU15
.LLST5:
	.byte	0x4
	.uleb128 .LVL2-.Ltext0
	.uleb128 .LVL2-.Ltext0
	.uleb128 0x1
	.byte	0x51
	.byte	0
.Ldebug_loc3:
	.section	.debug_aranges,"",@progbits
	.long	0x1c
	.value	0x2
	.long	.Ldebug_info0
	.byte	0x4
	.byte	0
	.value	0
	.value	0
	.long	.Ltext0
	.long	.Letext0-.Ltext0
	.long	0
	.long	0
	.section	.debug_rnglists,"",@progbits
.Ldebug_ranges0:
	.long	.Ldebug_ranges3-.Ldebug_ranges2
.Ldebug_ranges2:
	.value	0x5
	.byte	0x4
	.byte	0
	.long	0
.LLRL3:
	.byte	0x4
	.uleb128 .LBB5-.Ltext0
	.uleb128 .LBE5-.Ltext0
	.byte	0x4
	.uleb128 .LBB8-.Ltext0
	.uleb128 .LBE8-.Ltext0
	.byte	0x4
	.uleb128 .LBB9-.Ltext0
	.uleb128 .LBE9-.Ltext0
	.byte	0
.Ldebug_ranges3:
	.section	.debug_line,"",@progbits
.Ldebug_line0:
	.section	.debug_str,"MS",@progbits,1
.LASF5:
	.string	"save_fl"
.LASF4:
	.string	"work"
.LASF2:
	.string	"long unsigned int"
.LASF3:
	.string	"GNU C17 12.2.0 -m32 -mtune=generic -march=i686 -g -O2 -fasynchronous-unwind-tables"
	.section	.debug_line_str,"MS",@progbits,1
.LASF1:
	.string	"/tmp/abx"
.LASF0:
	.string	"seed.c"
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
