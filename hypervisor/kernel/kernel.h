/*
 * The generic kernel's objects and their operations: threads (thread.c),
 * the scheduler (sched.c), address spaces (space.c), the mapping database
 * (mapdb.c), IPC (ipc.c), faults (fault.c), interrupts (irq.c), system
 * calls (syscall.c) and the root task (root.c).
 *
 * The kernel runs with interrupts off (all gates are interrupt gates), on
 * the current thread's kernel stack; a thread blocks by switching stacks
 * inside schedule().  One CPU.
 */
#ifndef HV_KERNEL_H
#define HV_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "syscall.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

/* --- address spaces -------------------------------------------------------- */

#define MAX_SPACES 1024
#define UTCB_SLOTS (HV_UTCB_AREA_SIZE / PAGE_SIZE)

struct mnode;

struct space {
	uint32_t id;                  /* index in the space table; root is 1 */
	uint32_t *pd;                 /* page directory, through the direct map */
	uint32_t pd_phys;
	struct mnode ***nodes;        /* per page table: the mapping node of each PTE */
	uint8_t *io_bitmap;           /* ports 0..32767, 1 = denied; NULL: no ports */
	uint32_t creator;             /* id of the space that created it (0: the kernel) */
	struct space *account;        /* whose kernel-memory budget it uses (NULL: none, root) */
	unsigned kpages, knodes;      /* an account's use: kernel pages, mapping nodes */
	unsigned max_pages, max_nodes; /* an account's budget (ACCOUNT_*; a VM's scales with its memory) */
	uint8_t dying;                /* its last thread died; it goes when the sweep is done */
	uint8_t is_vm;                /* a VM space: its vCPU runs on shadows (vm.h) */
	uint32_t utcb_base;           /* where its UTCBs are mapped */
	unsigned nthreads;            /* threads living in it */
	unsigned created;             /* threads it created that still live (its quota) */
	uint8_t utcb_used[UTCB_SLOTS / 8];
};

extern struct space *spaces[MAX_SPACES];
#define ROOT_SPACE_ID 1

/* Kernel memory is charged to accounts: a task root started is one, with
 * every space it makes below it, so no task can take the kernel pool. */
#define ACCOUNT_PAGES 1024
#define ACCOUNT_NODES 32768
int account_charge(struct space *s, unsigned pages, unsigned nodes);
void account_uncharge(struct space *s, unsigned pages, unsigned nodes);

struct space *space_create(uint32_t creator);
/* A VM space: UTCBs at AB_VM_UTCB_AREA, user mappings allowed in the
 * wedge's range, and its low half read as the guest-physical map. */
struct space *space_create_vm(uint32_t creator);
/* May mappings of [va, va + size) be made in s?  Below HV_USER_LIMIT in
 * every space; in a VM space the wedge's range too. */
int space_may_map(const struct space *s, uint32_t va, uint32_t size);
/* Load s with another page directory than its own (a vCPU's shadow view). */
void space_activate_pd(struct space *s, uint32_t pd_phys);
void space_destroy(struct space *s);
void space_activate(struct space *s);
/* The PTE for va, or NULL if there is no page table. */
uint32_t *space_pte(struct space *s, uint32_t va);
/* Install a mapping of frame at va (creating the page table); 0 or -1. */
int space_map_frame(struct space *s, uint32_t va, uint32_t frame, uint32_t rights, struct mnode *node);
/* Where the node of (s, va) is kept, or NULL if there is no page table. */
struct mnode **space_node_slot(struct space *s, uint32_t va);
void space_clear_pte(struct space *s, uint32_t va);
int space_alloc_utcb_slot(struct space *s);
#define IO_PORTS 32768u
int space_allow_ports(struct space *s, uint32_t first, uint32_t count);
int space_has_ports(struct space *s, uint32_t first, uint32_t count);
void space_free_utcb_slot(struct space *s, unsigned slot);

/* --- mapping database ------------------------------------------------------ */

struct mnode {
	struct mnode *parent, *child, *next, *prev;   /* tree; siblings doubly linked */
	struct space *space;
	uint32_t va;
};

struct mnode *mnode_alloc(void);
void mnode_release(struct mnode *n);   /* an unlinked node */
void mnode_link(struct mnode *parent, struct mnode *n);
/* Remove every mapping derived from n, and n itself if self. */
void mnode_revoke(struct mnode *n, int self);
/* Make every mapping derived from n read-only. */
void mnode_write_protect(struct mnode *n);
/* Move n's place in the tree to m (grant). */
void mnode_replace(struct mnode *n, struct mnode *m);
unsigned mnode_free_count(void);

/* --- threads --------------------------------------------------------------- */

enum thread_state {
	T_FREE, T_INACTIVE, T_READY, T_SEND, T_RECV, T_DEAD,
};

enum fault_kind { FAULT_NONE, FAULT_PAGE, FAULT_EXCEPTION };

struct tcb {
	uint32_t tid;
	uint8_t state;                /* enum thread_state */
	uint8_t prio;
	uint8_t fault;                /* enum fault_kind: waiting for the pager's or handler's reply */
	uint8_t slice_expired;
	uint8_t kmsg_pending;         /* kmsg, not the UTCB, is what this thread sends */
	uint8_t pad[3];
	struct space *space;
	uint32_t creator;             /* id of the creating space */
	uint32_t utcb_slot;
	uint32_t *utcb;               /* kernel view of the UTCB page */
	uint32_t pager, handler;

	/* IPC */
	uint32_t partner;             /* T_SEND: destination; T_RECV: from (tid or any) */
	uint32_t pending_from;        /* the receive phase that follows a blocked send */
	uint32_t pending_flags;
	struct tcb *sendq_head, *sendq_tail, *sendq_next;   /* senders blocked on me */
	uint32_t kmsg[HV_UTCB_MRS];   /* a kernel-made message (fault) sent on my behalf */
	uint32_t fault_addr;

	/* scheduler */
	struct tcb *rq_next, *rq_prev;
	uint32_t slice;
	uint32_t kesp;                /* saved by arch_switch */

	struct vm *vm;                /* a vCPU: its VM (vm.h); NULL for other threads */

	/* interrupts: the IRQs whose messages this thread gets */
	uint32_t irq_pending;         /* bit n: IRQ n happened and was not delivered */
};

#define KSTACK_TOP(t) ((uint32_t)(uintptr_t)(t) + PAGE_SIZE)

extern struct tcb *current;
extern struct tcb *tcbs[HV_MAX_THREADS];

struct tcb *thread_lookup(uint32_t tid);
int thread_create(struct space *s, uint32_t creator, uint32_t pager, uint32_t handler,
		  unsigned prio, struct tcb **out);
void thread_start(struct tcb *t, uint32_t eip, uint32_t esp);
void thread_kill(struct tcb *t);
void thread_reap(void);
static inline struct trap_frame *thread_frame(struct tcb *t)
{
	return arch_user_frame(KSTACK_TOP(t));
}

/* --- scheduler ------------------------------------------------------------- */

#define TIME_SLICE_TICKS 10
extern uint32_t ticks;
extern int need_resched;

void sched_init(void);
void sched_idle(void) __attribute__((noreturn));
void sched_ready(struct tcb *t);        /* make t runnable */
void sched_block(struct tcb *t);        /* take t off the ready queue */
void schedule(void);                    /* run the best runnable thread */
void sched_switch(struct tcb *next);    /* run next now (the IPC fast path) */
void sched_tick(void);
void sched_yield(void);

/* --- IPC, faults, interrupts, system calls ----------------------------------- */

void ipc(struct tcb *self, uint32_t to, uint32_t from, uint32_t flags);
/* Call and reply-and-wait in the common case (fastpath.c); 0: take ipc(). */
int ipc_fastpath(struct tcb *self, struct trap_frame *tf);
/* Send a kernel-made message from t to its pager/handler and wait for the reply. */
void ipc_fault(struct tcb *t, uint32_t dest, enum fault_kind kind);
/* Typed items of a message from s to r (ipc_items.c); HV_OK or HV_E_MAP. */
uint32_t ipc_items(struct tcb *s, struct tcb *r, const uint32_t *items, unsigned nwords);
/* Wake every thread blocked on a dying thread. */
void ipc_cancel_partners(struct tcb *dying);
void ipc_dequeue_sender(struct tcb *t);
/* Deliver what is pending for a thread that just started waiting. */
int irq_deliver_pending(struct tcb *t, uint32_t from);
void irq_handle(unsigned irq);
int irq_ack(struct tcb *self, unsigned irq);
int irq_attach(unsigned irq, uint32_t tid);
void irq_detach_thread(struct tcb *t);

void fault_page(struct tcb *t, struct trap_frame *tf);
/* Send t's page fault at addr to its pager (the address may be a VM's
 * guest-physical one: vm_trap.c). */
void fault_to_pager(struct tcb *t, uint32_t addr, uint32_t eip, uint32_t error);
void fault_exception(struct tcb *t, struct trap_frame *tf);
void fault_kill(struct tcb *t, const char *why);

void syscall_dispatch(struct trap_frame *tf);

/* Set the syscall result registers of a (possibly blocked) thread. */
static inline void set_result(struct tcb *t, uint32_t status, uint32_t ebx)
{
	struct trap_frame *tf = thread_frame(t);
	tf->eax = status;
	tf->ebx = ebx;
}

void root_start(void);
int root_is_module_frame(uint32_t phys);

#endif
