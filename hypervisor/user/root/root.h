/*
 * The root task: starts the modules as tasks, pages them, takes their
 * exceptions and runs the test tasks one after the other
 * (docs/hypervisor-user.md).
 */
#ifndef ROOT_H
#define ROOT_H

#include "bootinfo.h"
#include "hvu.h"
#include "loader.h"

#define WIN(pa) ((uint8_t *)(HV_PHYS_WINDOW + (pa)))

#define MAX_TASKS   HV_BOOTINFO_MAX_MODULES
#define MAX_TPAGES  512      /* pages root remembers per task, so a re-fault gets the same frame */
#define MAX_REGIONS 8

enum task_state { TASK_FREE, TASK_RUNNING, TASK_DONE };
enum task_end { END_SUCCESS, END_FAILURE, END_SKIP, END_KILLED, END_LOAD };

struct tpage {
	uint32_t va, pa;
};

struct task {
	char name[32];
	unsigned index;            /* module number */
	enum task_state state;
	enum task_end end;
	uint32_t tid;              /* its first thread */
	uint32_t space;            /* its space id, from its first page fault (0: not yet) */
	struct ab_image img;       /* points into the module, through the window */
	unsigned npages;
	struct tpage pages[MAX_TPAGES];
	struct { uint32_t base, end; } regions[MAX_REGIONS];
	unsigned nregions;
	uint32_t irqs;             /* IRQs attached on its behalf */
	unsigned reports;          /* lines printed about it (capped) */
};

extern struct task tasks[MAX_TASKS];
extern const struct hv_bootinfo *bi;
extern uint32_t root_tid, console_tid;

/* main.c: the test sequence */
extern struct task *running;
void finish(struct task *t, enum task_end end);

/* fault.c, request.c: one handler per kind of message; 1 if the answer is
 * in the UTCB, 0 if there is none. */
struct task *task_of(uint32_t tid, uint32_t space);
int page_fault(uint32_t from, uint32_t *u);
int exception(uint32_t from, const uint32_t *u);
int request(uint32_t from, uint32_t *u, unsigned label);

/* mem.c: physical frames, through the window. */
uint32_t frame_alloc(void);          /* zeroed; 0 when memory is out */
void frame_free(uint32_t pa);        /* revokes every mapping made from it first */
/* A contiguous block of size bytes (pages), aligned to align (a power of
 * two), from the top of the free ranges; not zeroed; 0 if none fits. */
uint32_t phys_block(uint32_t size, uint32_t align);
void phys_zero(uint32_t pa, uint32_t size);   /* through the window, a word at a time */

/* vm.c, vm_pvh.c, vm_pager.c: a guest VM from the modules (docs/run.md). */
enum vm_role { ROLE_TASK, ROLE_VM, ROLE_WEDGE, ROLE_INITRD, ROLE_CMDLINE };
enum vm_role vm_role_of(unsigned module);
void vm_boot(void);                  /* the VM of the modules, if any; dies on failure */
int vm_running(void);
int vm_owns(uint32_t tid, uint32_t space);
int vm_page_fault(uint32_t from, uint32_t *u);
int vm_message(uint32_t from, uint32_t *u, unsigned label);

/* task.c */
int task_load(struct task *t, unsigned index, unsigned prio);
struct tpage *task_page(struct task *t, uint32_t va, int make);
unsigned task_rights(const struct task *t, uint32_t va);   /* 0: not its memory */
void task_release(struct task *t);

#endif
