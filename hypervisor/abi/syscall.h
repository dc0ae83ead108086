/*
 * The hypervisor's system-call ABI, v1 (docs/abi/syscalls.md): shared by the
 * kernel and the user-level library.  Freestanding; C and assembly.
 *
 * Entry: `int $0x30` with the system call number in %eax and arguments in
 * %ebx, %ecx, %edx, %esi, %edi.  Return: status in %eax (HV_OK or HV_E_*),
 * results in the registers each call names.  Every other register, and
 * %ebp and %esp, are preserved.  Messages travel in the caller's UTCB.
 */
#ifndef HV_ABI_SYSCALL_H
#define HV_ABI_SYSCALL_H

#define HV_ABI_VERSION 1
#define HV_SYSCALL_VECTOR 0x30

/* The top 64 MiB is the hypervisor's (DESIGN.md), supervisor-only. */
#define HV_KERNEL_BASE 0xFC000000u
/* Each thread's UTCB: one page, user read-write, kernel-allocated, at
 * HV_UTCB_AREA + 4096 * (the thread's index within its space). */
#define HV_UTCB_AREA   0xFB000000u
#define HV_UTCB_AREA_SIZE 0x00400000u   /* 1024 threads per space at most */
#define HV_USER_LIMIT  HV_UTCB_AREA      /* user mappings live below this */

/* System calls (%eax). */
#define HV_SYS_IPC           0   /* ebx to, ecx from, edx flags -> ebx sender */
#define HV_SYS_UNMAP         1   /* ebx fpage, ecx flags */
#define HV_SYS_THREAD_CREATE 2   /* ebx space, ecx pager, edx exception handler, esi priority -> ebx tid */
#define HV_SYS_THREAD_START  3   /* ebx tid, ecx eip, edx esp */
#define HV_SYS_THREAD_KILL   4   /* ebx tid */
#define HV_SYS_YIELD         5
#define HV_SYS_IRQ_ATTACH    6   /* ebx irq, ecx tid (HV_NILTHREAD: detach) */
#define HV_SYS_MYSELF        7   /* -> ebx tid, ecx UTCB address, edx space id, esi priority */
#define HV_SYS_KDEBUG        8   /* ebx character: kernel debug console, root space only */
#define HV_SYS_SET_PRIORITY  9   /* ebx tid, ecx priority (at most the caller's own) */
#define HV_SYS_SHUTDOWN      10  /* ebx exit code: root space only; ends QEMU via isa-debug-exit */
#define HV_SYS_VM_CREATE     11  /* ebx pager, ecx priority, edx guest memory bytes -> ebx vCPU tid (root only; docs/abi/vcpu.md) */
#define HV_SYS_COUNT         12

/* Status codes (%eax on return). */
#define HV_OK           0
#define HV_E_TIMEOUT    1   /* a timeout-0 phase found no partner */
#define HV_E_NOTHREAD   2   /* the partner or target thread does not exist (or died) */
#define HV_E_PERM       3   /* not allowed for the caller */
#define HV_E_INVAL      4   /* malformed argument (message tag, fpage, number) */
#define HV_E_NOMEM      5   /* the kernel is out of memory for the object */
#define HV_E_MAP        6   /* a map item could not be applied (no rights, no window) */
#define HV_E_NOSYS      7   /* unknown system call number */
#define HV_E_CANCELED   8   /* the partner was killed during the IPC */

/* Thread ids: index (bits 0-11, 1..4095) and version (bits 12-27); zero is
 * nil.  An interrupt is a pseudo-thread: HV_IRQ_THREAD(n). */
#define HV_NILTHREAD    0u
#define HV_ANYTHREAD    0xFFFFFFFFu
#define HV_IRQ_THREAD(n) (0x40000000u | (n))
#define HV_TID_INDEX(t) ((t) & 0xFFFu)
#define HV_MAX_THREADS  4096

/* HV_SYS_THREAD_CREATE's space argument. */
#define HV_SPACE_NEW    0u           /* a new, empty address space */
#define HV_SPACE_SELF   0xFFFFFFFFu  /* the caller's own */
/* or a thread id: that thread's space (root space only) */

/* HV_SYS_IPC flags (%edx).  Timeouts are 0 or infinite. */
#define HV_IPC_SEND_NONBLOCK 0x1u    /* send phase: timeout 0 */
#define HV_IPC_RECV_NONBLOCK 0x2u    /* receive phase: timeout 0 */
/* to == HV_NILTHREAD: no send phase; from == HV_NILTHREAD: no receive phase;
 * from == HV_ANYTHREAD: receive from anyone (open wait).
 *   call            to = from = partner
 *   reply_and_wait  to = caller, from = HV_ANYTHREAD
 *   send            from = HV_NILTHREAD
 *   receive         to = HV_NILTHREAD */

/* The UTCB (user thread control block), word offsets.  MR0 is the tag. */
#define HV_UTCB_MRS       16       /* message registers MR0..MR15 */
#define HV_UTCB_ACCEPTOR  16       /* fpage where this thread accepts mappings (0: none) */
#define HV_UTCB_TID       17       /* the thread's own id (written by the kernel) */
#define HV_UTCB_SPACE     18       /* its space id (written by the kernel) */
#define HV_UTCB_WORDS     32

/* Message tag (MR0): label in bits 16-31, typed words in bits 6-11,
 * untyped words in bits 0-5.  Untyped words are MR1..MRu, typed words
 * follow; u + t <= 15. */
#define HV_TAG(label, u, t) (((unsigned)(label) << 16) | (((unsigned)(t) & 0x3F) << 6) | ((unsigned)(u) & 0x3F))
#define HV_TAG_LABEL(tag) ((tag) >> 16)
#define HV_TAG_U(tag)     ((tag) & 0x3F)
#define HV_TAG_T(tag)     (((tag) >> 6) & 0x3F)

/* Labels of messages the kernel sends on a thread's behalf. */
#define HV_LABEL_PAGEFAULT 0xFFE0u  /* to the pager: MR1 address, MR2 eip, MR3 error code (x86 #PF bits) */
#define HV_LABEL_EXCEPTION 0xFFD0u  /* to the exception handler: see HV_EXC_* */
#define HV_LABEL_IRQ       0xFFF0u  /* from HV_IRQ_THREAD(n): MR1 n, MR2 ticks (PIT) */

/* Exception message (label HV_LABEL_EXCEPTION, 13 untyped words).  The
 * reply may carry the same layout (u >= 12) to resume with changed
 * registers; a reply with u = 0 resumes unchanged; no reply, no resume. */
#define HV_EXC_VECTOR 1
#define HV_EXC_ERROR  2
#define HV_EXC_EIP    3
#define HV_EXC_ESP    4
#define HV_EXC_EFLAGS 5
#define HV_EXC_EAX    6
#define HV_EXC_ECX    7
#define HV_EXC_EDX    8
#define HV_EXC_EBX    9
#define HV_EXC_EBP    10
#define HV_EXC_ESI    11
#define HV_EXC_EDI    12
#define HV_EXC_CR2    13
#define HV_EXC_WORDS  13

/* Flexpages: a naturally aligned region, base | log2 size << 4 | rights. */
#define HV_FPAGE(base, order, rights) (((unsigned)(base) & ~0xFFFu) | (((unsigned)(order) & 0x3F) << 4) | ((unsigned)(rights) & 0x7))
#define HV_FPAGE_BASE(f)   ((f) & ~0xFFFu)
#define HV_FPAGE_ORDER(f)  (((f) >> 4) & 0x3F)
#define HV_FPAGE_RIGHTS(f) ((f) & 0x7)
#define HV_RIGHT_X 1u
#define HV_RIGHT_W 2u
#define HV_RIGHT_R 4u
#define HV_RIGHTS_ALL 7u

/* Typed items, two words each: the item word, then the fpage.
 *   MAP:   the receiver gets a mapping derived from the sender's (the
 *          sender keeps it; unmap by the sender revokes it recursively)
 *   GRANT: the mapping moves to the receiver (the sender loses it)
 *   IO:    I/O ports: fpage base = first port << 12, order = log2 count;
 *          the sender must hold them; root holds all at boot
 * The receiver's window is its UTCB acceptor; the fpage goes to
 * acceptor base + (sender base mod acceptor size).  For a page-fault
 * reply the window is the faulting page's naturally aligned fpage. */
#define HV_ITEM_MAP   1u
#define HV_ITEM_GRANT 2u
#define HV_ITEM_IO    3u
#define HV_IO_FPAGE(port, order) (((unsigned)(port) << 12) | (((unsigned)(order) & 0x3F) << 4))

/* HV_SYS_UNMAP flags. */
#define HV_UNMAP_SELF 0x1u   /* also remove the caller's own mapping */

/* Priorities: 0 lowest .. 255 highest.  Root starts at 200. */
#define HV_PRIO_MAX  255
#define HV_PRIO_ROOT 200

/* Root's boot information: the kernel maps one read-only page here in the
 * root space (struct hv_bootinfo, hypervisor/abi/bootinfo.h). */
#define HV_BOOTINFO_ADDR 0xFAFFF000u
/* Root's physical-memory window ("sigma0"): a fault at
 * HV_PHYS_WINDOW + p is served by the kernel with physical frame p, if p
 * is free memory or a module. */
#define HV_PHYS_WINDOW 0x40000000u

#endif
