/*
 * The wedge's ways in: _start (the ELF entry, once), one entry per kind
 * for patched sites (docs/abi/wedge.md, "Calling convention"), and the
 * upcall entry the kernel enters on our own stack (abi/vcpu.h).
 *
 * A site entry is called from guest kernel code on the guest's stack:
 * it saves the guest's flags and registers there (pushfl, pushal), then
 * switches to the wedge stack so that no C frame of ours lies where a
 * delivered exception frame may be written.  site_entry() returns the
 * guest esp of a 10-word frame (pushal image, hardware eflags, eip) it
 * wrote below the guest's new esp; popal/popfl/ret resume the guest with
 * no hypercall.  Transfers that change the view (return to CPL 3) leave
 * through hc_resume() inside C and never come back here.
 *
 * Preprocessed with abi/ on the include path so the entries follow
 * kinds.def by construction (as loader/fixtures/wedge_fixture.S).
 */
#include "vcpu.h"

	.text
	.globl _start
	.type _start, @function
_start:
	mov $wedge_stack_top, %esp
	xor %ebp, %ebp
	cld
	call wedge_boot_main            /* sets up the guest, hc_resume()s */
	ud2

/* One entry per kind, wedge_entry_<ID>: the kind number in %eax. */
	.set kindno, 0
#define KIND(id, name, class, len, layout, pad)                     \
	.set kindno, kindno + 1;                                    \
	.globl wedge_entry_##id; .type wedge_entry_##id, @function; \
wedge_entry_##id:                                                    \
	pushfl; pushal; mov $kindno, %eax; jmp site_common;
#include "kinds.def"
#undef KIND

	.type site_common, @function
site_common:
	cld                             /* the guest may have DF set; C needs it clear */
	mov %esp, %edx                  /* the frame: pushal, eflags, return address */
	mov $wedge_stack_top, %esp
	push %edx
	push %eax
	call site_entry                 /* -> guest esp of the resume frame */
	mov %eax, %esp
	popal
	popfl
	ret

/* The upcall entry: the kernel put the guest's state in the vCPU page and
 * enters here on vcpu->upcall_esp (our stack top). */
	.globl wedge_upcall
	.type wedge_upcall, @function
wedge_upcall:
	cld
	mov $wedge_stack_top, %esp
	xor %ebp, %ebp
	call upcall_main                /* never returns: hc_resume() */
	ud2

	.bss
	.balign 16
	.globl wedge_stack, wedge_stack_top
wedge_stack:
	.skip 16384
wedge_stack_top:

	.section .note.GNU-stack, "", @progbits
