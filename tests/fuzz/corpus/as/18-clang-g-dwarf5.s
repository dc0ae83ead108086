	.text
	.file	"seed.c"
	.globl	work                            # -- Begin function work
	.p2align	4, 0x90
	.type	work,@function
work:                                   # @work
.Lfunc_begin0:
	.file	0 "/tmp/abx" "seed.c" md5 0xf1e050fa77f86cef635d186d90d09273
	.loc	0 9 0                           # seed.c:9:0
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
.Ltmp1:
	.loc	0 11 20 prologue_end            # seed.c:11:20
	testl	%esi, %esi
	.loc	0 11 2 is_stmt 0                # seed.c:11:2
	jle	.LBB0_1
# %bb.4:
	.loc	0 0 2                           # seed.c:0:2
	movl	20(%esp), %eax
	xorl	%edi, %edi
	xorl	%ecx, %ecx
	.p2align	4, 0x90
.LBB0_5:                                # =>This Inner Loop Header: Depth=1
	.loc	0 12 8 is_stmt 1                # seed.c:12:8
	movl	(%eax,%edi,4), %ebx
.Ltmp2:
	.loc	0 4 2                           # seed.c:4:2
	#APP
	pushfl
	popl	%ebp
	#NO_APP
.Ltmp3:
	.loc	0 12 13                         # seed.c:12:13
	imull	%ebx, %ebp
	.loc	0 12 5 is_stmt 0                # seed.c:12:5
	addl	%ebp, %ecx
	.loc	0 11 26 is_stmt 1               # seed.c:11:26
	addl	$1, %edi
	.loc	0 11 20 is_stmt 0               # seed.c:11:20
	cmpl	%edi, %esi
	.loc	0 11 2                          # seed.c:11:2
	jne	.LBB0_5
	jmp	.LBB0_2
.LBB0_1:
	.loc	0 0 2                           # seed.c:0:2
	xorl	%ecx, %ecx
.LBB0_2:
	.loc	0 13 2 is_stmt 1                # seed.c:13:2
	#APP
	cli
	#NO_APP
	.loc	0 14 2                          # seed.c:14:2
	addl	$-1, %esi
	cmpl	$3, %esi
	ja	.LBB0_9
# %bb.3:
	.loc	0 0 2 is_stmt 0                 # seed.c:0:2
	movl	$7, %eax
	addl	.LJTI0_0@GOTOFF(%edx,%esi,4), %edx
	jmpl	*%edx
.LBB0_6:
	.loc	0 15 10 is_stmt 1               # seed.c:15:10
	#APP
	sti
	#NO_APP
	jmp	.LBB0_9
.LBB0_7:
	.loc	0 16 10                         # seed.c:16:10
	#APP
	hlt
	#NO_APP
	jmp	.LBB0_9
.LBB0_8:
	.loc	0 17 10                         # seed.c:17:10
	#APP
	movl	%cr3, %ecx
	#NO_APP
.LBB0_9:
	.loc	0 0 10 is_stmt 0                # seed.c:0:10
	movl	%ecx, %eax
.LBB0_10:
	.loc	0 21 1 is_stmt 1                # seed.c:21:1
	popl	%esi
	.cfi_def_cfa_offset 16
	popl	%edi
	.cfi_def_cfa_offset 12
	popl	%ebx
	.cfi_def_cfa_offset 8
	popl	%ebp
	.cfi_def_cfa_offset 4
	retl
.Ltmp4:
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
	.section	.debug_abbrev,"",@progbits
	.byte	1                               # Abbreviation Code
	.byte	17                              # DW_TAG_compile_unit
	.byte	1                               # DW_CHILDREN_yes
	.byte	37                              # DW_AT_producer
	.byte	37                              # DW_FORM_strx1
	.byte	19                              # DW_AT_language
	.byte	5                               # DW_FORM_data2
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	114                             # DW_AT_str_offsets_base
	.byte	23                              # DW_FORM_sec_offset
	.byte	16                              # DW_AT_stmt_list
	.byte	23                              # DW_FORM_sec_offset
	.byte	27                              # DW_AT_comp_dir
	.byte	37                              # DW_FORM_strx1
	.byte	17                              # DW_AT_low_pc
	.byte	27                              # DW_FORM_addrx
	.byte	18                              # DW_AT_high_pc
	.byte	6                               # DW_FORM_data4
	.byte	115                             # DW_AT_addr_base
	.byte	23                              # DW_FORM_sec_offset
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	2                               # Abbreviation Code
	.byte	46                              # DW_TAG_subprogram
	.byte	0                               # DW_CHILDREN_no
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	32                              # DW_AT_inline
	.byte	33                              # DW_FORM_implicit_const
	.byte	1
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	3                               # Abbreviation Code
	.byte	46                              # DW_TAG_subprogram
	.byte	1                               # DW_CHILDREN_yes
	.byte	17                              # DW_AT_low_pc
	.byte	27                              # DW_FORM_addrx
	.byte	18                              # DW_AT_high_pc
	.byte	6                               # DW_FORM_data4
	.byte	122                             # DW_AT_call_all_calls
	.byte	25                              # DW_FORM_flag_present
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	4                               # Abbreviation Code
	.byte	29                              # DW_TAG_inlined_subroutine
	.byte	0                               # DW_CHILDREN_no
	.byte	49                              # DW_AT_abstract_origin
	.byte	19                              # DW_FORM_ref4
	.byte	17                              # DW_AT_low_pc
	.byte	27                              # DW_FORM_addrx
	.byte	18                              # DW_AT_high_pc
	.byte	6                               # DW_FORM_data4
	.byte	88                              # DW_AT_call_file
	.byte	11                              # DW_FORM_data1
	.byte	89                              # DW_AT_call_line
	.byte	11                              # DW_FORM_data1
	.byte	87                              # DW_AT_call_column
	.byte	11                              # DW_FORM_data1
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	0                               # EOM(3)
	.section	.debug_info,"",@progbits
.Lcu_begin0:
	.long	.Ldebug_info_end0-.Ldebug_info_start0 # Length of Unit
.Ldebug_info_start0:
	.short	5                               # DWARF version number
	.byte	1                               # DWARF Unit Type
	.byte	4                               # Address Size (in bytes)
	.long	.debug_abbrev                   # Offset Into Abbrev. Section
	.byte	1                               # Abbrev [1] 0xc:0x2f DW_TAG_compile_unit
	.byte	0                               # DW_AT_producer
	.short	12                              # DW_AT_language
	.byte	1                               # DW_AT_name
	.long	.Lstr_offsets_base0             # DW_AT_str_offsets_base
	.long	.Lline_table_start0             # DW_AT_stmt_list
	.byte	2                               # DW_AT_comp_dir
	.byte	0                               # DW_AT_low_pc
	.long	.Lfunc_end0-.Lfunc_begin0       # DW_AT_high_pc
	.long	.Laddr_table_base0              # DW_AT_addr_base
	.byte	2                               # Abbrev [2] 0x23:0x2 DW_TAG_subprogram
	.byte	3                               # DW_AT_name
                                        # DW_AT_inline
	.byte	3                               # Abbrev [3] 0x25:0x15 DW_TAG_subprogram
	.byte	0                               # DW_AT_low_pc
	.long	.Lfunc_end0-.Lfunc_begin0       # DW_AT_high_pc
                                        # DW_AT_call_all_calls
	.byte	4                               # DW_AT_name
	.byte	4                               # Abbrev [4] 0x2c:0xd DW_TAG_inlined_subroutine
	.long	35                              # DW_AT_abstract_origin
	.byte	1                               # DW_AT_low_pc
	.long	.Ltmp3-.Ltmp2                   # DW_AT_high_pc
	.byte	0                               # DW_AT_call_file
	.byte	12                              # DW_AT_call_line
	.byte	20                              # DW_AT_call_column
	.byte	0                               # End Of Children Mark
	.byte	0                               # End Of Children Mark
.Ldebug_info_end0:
	.section	.debug_str_offsets,"",@progbits
	.long	24                              # Length of String Offsets Set
	.short	5
	.short	0
.Lstr_offsets_base0:
	.section	.debug_str,"MS",@progbits,1
.Linfo_string0:
	.asciz	"Debian clang version 14.0.6"   # string offset=0
.Linfo_string1:
	.asciz	"seed.c"                        # string offset=28
.Linfo_string2:
	.asciz	"/tmp/abx"                      # string offset=35
.Linfo_string3:
	.asciz	"save_fl"                       # string offset=44
.Linfo_string4:
	.asciz	"work"                          # string offset=52
	.section	.debug_str_offsets,"",@progbits
	.long	.Linfo_string0
	.long	.Linfo_string1
	.long	.Linfo_string2
	.long	.Linfo_string3
	.long	.Linfo_string4
	.section	.debug_addr,"",@progbits
	.long	.Ldebug_addr_end0-.Ldebug_addr_start0 # Length of contribution
.Ldebug_addr_start0:
	.short	5                               # DWARF version number
	.byte	4                               # Address size
	.byte	0                               # Segment selector size
.Laddr_table_base0:
	.long	.Lfunc_begin0
	.long	.Ltmp2
.Ldebug_addr_end0:
	.ident	"Debian clang version 14.0.6"
	.section	".note.GNU-stack","",@progbits
	.addrsig
	.section	.debug_line,"",@progbits
.Lline_table_start0:
