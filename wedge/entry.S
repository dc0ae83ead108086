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
 * no hypercall.  Transfers that change the view (return to CPL 3), CS or
 * SS, or the published descriptors leave through hc_resume() inside C and
 * never come back here.
 *
 * Segments at a site (docs/abi/vcpu.md, "Segments"): the hardware holds
 * the guest's own selectors.  CS and SS must be flat (base 0, 4 GiB), as
 * in every guest we know: the call got here, and our stack is at
 * wedge_stack_top in SS.  %ds and %es may not be flat, and C needs them
 * flat: unless both equal wedge_flat_sel (a guest selector whose
 * descriptor we know is flat), we load the hypervisor's AB_HV_USER_DS,
 * and put the guest's back on the way out.  %fs and %gs are never used by
 * wedge code; the guest's four selectors go to site_entry() (segs[], in
 * ab_vcpu_regs order: ds es fs gs), which leaves in segs[] the ones to
 * return with: the same, or what an emulated load put there.
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
	mov %gs, %ecx                   /* segs[3..0]: gs fs es ds */
	push %ecx
	mov %fs, %ecx
	push %ecx
	mov %es, %ecx
	push %ecx
	mov %ds, %ecx
	push %ecx
	cmpw %ss:wedge_flat_sel, %cx    /* %ds flat? (%ds itself may not be) */
	jne 1f
	mov 4(%esp), %ecx
	cmpw %ss:wedge_flat_sel, %cx    /* and %es */
	je 2f
1:	mov $AB_HV_USER_DS, %ecx
	mov %ecx, %ds
	mov %ecx, %es
2:	mov %esp, %ecx
	push %ecx                       /* segs */
	push %edx                       /* frame */
	push %eax                       /* kind */
	call site_entry                 /* -> guest esp of the resume frame */
	/* 12(%esp): segs[] = ds es fs gs to return with.  Load the ones that
	 * differ from the hardware's; eax..edx are the guest's after popal. */
	mov 20(%esp), %ecx
	mov %fs, %edx
	cmp %dx, %cx
	je 3f
	mov %ecx, %fs
3:	mov 24(%esp), %ecx
	mov %gs, %edx
	cmp %dx, %cx
	je 4f
	mov %ecx, %gs
4:	mov 12(%esp), %ecx
	mov 16(%esp), %edx
	mov %eax, %esp                  /* the guest's stack, the resume frame */
	mov %ds, %eax
	cmp %ax, %cx
	je 5f
	mov %ecx, %ds
5:	mov %es, %eax
	cmp %ax, %dx
	je 6f
	mov %edx, %es
6:	popal
	popfl
	ret

/* native_resume(sel): the end of an upcall without the kernel (exit.c,
 * resume_without_kernel).  We run on the kernel's flat selectors; sel[]
 * (ds es fs gs ss esp) is read through %ds before it changes, last. */
	.globl native_resume
	.type native_resume, @function
native_resume:
	mov 4(%esp), %ebx
	mov 16(%ebx), %esi              /* ss */
	mov 20(%ebx), %edi              /* esp: the frame */
	mov 8(%ebx), %ecx
	mov %ecx, %fs
	mov 12(%ebx), %ecx
	mov %ecx, %gs
	mov 4(%ebx), %ecx
	mov %ecx, %es
	mov (%ebx), %ecx
	mov %ecx, %ds
	mov %esi, %ss
	mov %edi, %esp
	popal
	iret

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
