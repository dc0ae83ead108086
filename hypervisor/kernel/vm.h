/*
 * Virtual machines (docs/abi/vcpu.md, docs/vm.md): a vCPU is a thread of a
 * VM space that runs guest code at CPL 3 on one of two shadow page
 * directories built from the guest's own page tables.  vm.c makes and ends
 * VMs and runs their timers; shadow.c builds the views; vm_trap.c decides
 * what a trap of a vCPU is (hidden fault, upcall, hypercall); trapcount.c
 * counts them.
 */
#ifndef HV_VM_H
#define HV_VM_H

#include <stdint.h>

#include "kernel.h"
#include "vcpu.h"

enum { VIEW_KERNEL, VIEW_USER, VIEWS };

struct vm {
	struct tcb *tcb;
	struct ab_vcpu *page;          /* the shared vCPU page (kernel pointer) */
	uint32_t page_phys;
	uint32_t *pd[VIEWS];           /* shadow page directories */
	uint32_t pd_phys[VIEWS];
	uint32_t *pd_src;              /* per kernel-view table: the guest PDE it was filled through */
	uint32_t shadow_cr3;           /* the guest CR3 of the last full flush or switch */
	unsigned view;                 /* the one the vCPU runs on */
	unsigned shadow_pages;         /* shadow page tables now allocated */
	uint32_t mem_size;             /* guest-physical memory: [0, mem_size) */
	uint32_t timer_period;         /* ticks; 0: one-shot */
	uint32_t timer_next;           /* tick of the next expiry; 0: off */
	uint8_t halted;                /* blocked in AB_HC_HALT */
	uint8_t upcall_open;           /* an upcall not counted yet: at its RESUME, or the next upcall */
	uint8_t told_top;              /* said once that the guest reached into our top 64 MiB */
	uint32_t trap_eip;             /* guest eip of that upcall (ours, not the page's) */
	uint32_t trap_vector;
	uint32_t desc_gen;             /* the vCPU page's desc_gen we last took */
	uint32_t ldt_entries;
	uint64_t gdt[VIEWS][GDT_ENTRIES];          /* vm_desc.c */
	uint64_t ldt[VIEWS][AB_VCPU_LDT_ENTRIES];
	/* vm_desc.c: bit i of loadable_*[view][use]: entry i of that table
	 * passes loadable() for that use; computed when the copies change. */
	uint32_t loadable_gdt[VIEWS][3];
	uint32_t loadable_ldt[VIEWS][3];
	/* vm_desc_selectors' last question and answer in each view
	 * (sel_known 0: none), good until the copies change. */
	uint32_t sel_known[VIEWS], sel_in[VIEWS][6], sel_out[VIEWS][6];
};

#define MAX_VMS 8
extern struct vm *vms[MAX_VMS];

static inline int vm_in_wedge(uint32_t eip)
{
	return eip >= AB_WEDGE_BASE && eip < AB_WEDGE_END;
}

/* vm.c */
uint32_t vm_create(struct tcb *self, uint32_t pager, unsigned prio, uint32_t mem, uint32_t *tid);
void vm_destroy(struct tcb *t);
void vm_activate(struct tcb *t);             /* load the vCPU's current view */
void vm_set_view(struct vm *vm, unsigned view);
void vm_enter_view(struct vm *vm, unsigned view, int desc_changed);   /* vm_set_view if it must */
void vm_tick(void);
void vm_space_revoked(struct space *s);      /* root took guest memory back */
/* The VM ends: its traps are dumped, then QEMU exits with code << 1 | 1,
 * or, with vm_exit=continue on the command line, the vCPU is killed and
 * everything else runs on.  vm_die: the same with code 0x7F and why. */
#define VM_END_RESET 0xFFFFFFFFu   /* vm_end's code for a guest's reset (AB_HC_RESET) */
void vm_end(struct tcb *t, uint32_t code);
void vm_die(struct tcb *t, const char *why);
extern int vm_exit_continue;

/* vm_desc.c: the guest's segments, in per-VM GDTs */
void vm_desc_init(struct vm *vm);
int vm_desc_sync(struct vm *vm);
void vm_desc_load(struct vm *vm);
void vm_desc_selectors(struct vm *vm, unsigned view, const struct ab_vcpu_regs *r, struct trap_frame *tf);

/* shadow.c */
enum walk_result { WALK_OK, WALK_DENIED, WALK_NOT_PRESENT, WALK_NEED_PAGE, WALK_BADPHYS, WALK_NOMEM };
/* Resolve a fault at va in the vm's current view (supervisor: a kernel-view
 * access by the guest kernel or the wedge).  WALK_OK: the shadow now maps
 * it.  WALK_NEED_PAGE: *gpa is a guest-physical page root has not mapped
 * into the VM space yet.  WALK_DENIED/NOT_PRESENT: the guest's own #PF. */
enum walk_result shadow_fill(struct vm *vm, uint32_t va, int write, int supervisor, uint32_t *gpa);
/* AB_HC_WALK: the guest's own walk for an access at va, A and D set, no
 * shadow touched.  WALK_OK: *gpa is the guest-physical address (the page
 * may lie beyond guest memory: a device the wedge models).  Otherwise as
 * shadow_fill (WALK_BADPHYS: a page table outside guest memory). */
enum walk_result shadow_translate(struct vm *vm, uint32_t va, int write, int supervisor, uint32_t *gpa);
void shadow_flush_all(struct vm *vm);
/* AB_HC_FLUSH with AB_FLUSH_SWITCH: the guest loaded CR3 with another page
 * directory.  Drops the user view and every kernel-view table that holds a
 * user translation or that the new directory does not reach through the
 * same PDE (docs/vm.md, "Shadows across address spaces"); with paging off
 * or the same directory again, it is shadow_flush_all. */
void shadow_switch(struct vm *vm);
void shadow_sync_wedge(struct vm *vm);
void shadow_flush_page(struct vm *vm, uint32_t va);
int shadow_init(struct vm *vm);
void shadow_free(struct vm *vm);
/* Host frame of a guest-physical address, or 0 if root has not mapped it. */
uint32_t vm_guest_frame(struct vm *vm, uint32_t gpa);

/* vm_trap.c */
void vm_trap(struct tcb *t, struct trap_frame *tf);       /* an exception */
void vm_syscall(struct tcb *t, struct trap_frame *tf);    /* int $0x30 */
void vm_before_return(struct tcb *t);                     /* inject a pending interrupt */

/* trapcount.c */
void trapcount_add(uint32_t eip, uint32_t kind);
void trapcount_dump(void);

#endif
