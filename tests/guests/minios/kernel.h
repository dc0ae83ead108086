/*
 * The mini-OS kernel's shared declarations.  One CPU, interrupts off
 * whenever the kernel runs (every gate is an interrupt gate), so no locks.
 */
#ifndef MINIOS_KERNEL_H
#define MINIOS_KERNEL_H

#include <stdint.h>
#include <stddef.h>
#include "mmu.h"

/* Built by vectors.S on the kernel stack; trap() may change it. */
struct trapframe {
	uint32_t edi, esi, ebp, oesp, ebx, edx, ecx, eax;   /* pushal */
	uint32_t gs, fs, es, ds;        /* pushed as 32 bits; low 16 count */
	uint32_t trapno, err;           /* err is 0 when the CPU pushes none */
	uint32_t eip, cs, eflags;       /* the CPU's frame */
	uint32_t esp, ss;               /* only on a change of privilege */
};

/* What swtch() saves: the callee-saved registers and where to resume. */
struct context {
	uint32_t edi, esi, ebx, ebp, eip;
};

enum proc_state { P_UNUSED, P_RUNNABLE, P_RUNNING, P_ZOMBIE, P_REPORTED };

#define NPROC  3
#define OUTSZ  2048     /* a process's console output, printed at its exit */

struct proc {
	int pid;
	enum proc_state state;
	const char *name;
	uint32_t *pgdir;
	uint8_t *kstack;        /* one page; the trap frame sits at its top */
	struct context *ctx;
	struct trapframe *tf;
	uint32_t brk;           /* end of the heap: [HEAP_BASE, brk) */
	uint32_t catch_eip;     /* user handler for its next fault, or 0 */
	uint32_t status;        /* exit status */
	uint32_t outlen;
	int outlost;            /* output beyond OUTSZ was dropped */
	int killed;             /* by a fault: vector, error, eip, address */
	uint32_t kill_info[4];
	char out[OUTSZ];
};

/* Deterministic counts: the same whatever the preemption points are. */
struct counts {
	uint32_t faults;        /* demand-paging faults */
	uint32_t syscalls;
	uint32_t caught;        /* user faults handed to a catch handler */
};
extern struct counts counts;
extern uint32_t ticks, switches;        /* timing-dependent: never printed */

/* serial.c */
void serial_init(void);
void kputc(char c);
void kputs(const char *s);
void kputhex(uint32_t v);
void kputdec(uint32_t v);
void kwrite(const char *s, uint32_t n);
__attribute__((noreturn)) void qemu_exit(uint32_t code);
__attribute__((noreturn)) void panic(const char *msg, uint32_t v);

/* pvh.c */
uint32_t pvh_mem_end(uint32_t start_info);

/* seg.c, idt.c, timer.c */
void seg_init(void);
void tss_set_esp0(uint32_t esp0);
void idt_init(void);
void timer_init(void);
void pic_eoi(uint32_t irq);

/* kalloc.c */
void kalloc_init(uint32_t start, uint32_t end);
void *kalloc(void);             /* one zeroed page, or 0 */
void kfree(void *page);
uint32_t kalloc_free_pages(void);
void kzero(void *p, uint32_t n);

/* vm.c */
void vm_init(uint32_t mem_end);
uint32_t *uvm_create(void);
void uvm_free(uint32_t *pgdir);
int uvm_demand(struct proc *p, uint32_t va);
void uvm_unmap(uint32_t *pgdir, uint32_t from, uint32_t to);
int uvm_readable(struct proc *p, uint32_t va, uint32_t n);
extern uint32_t *kpgdir;

/* proc.c */
extern struct proc procs[NPROC];
extern struct proc *curproc;
void proc_create(const char *name, uint32_t entry);
void scheduler(void);
void yield(void);
__attribute__((noreturn)) void proc_exit(uint32_t status);

/* trap.c, syscall.c */
void trap(struct trapframe *tf);
void syscall(struct trapframe *tf);

/* vectors.S, swtch.S */
extern uint32_t trap_vectors[];
void trapret(void);
void swtch(struct context **save, struct context *load);

#endif
