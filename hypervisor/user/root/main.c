/*
 * Root's main loop.  Module 1 is the console server; modules 2.. are test
 * tasks, run one at a time in module order: the next starts when the
 * previous one exits (ROOT_EXIT) or is killed.  Then a summary, and
 * HV_SYS_SHUTDOWN.  Root prints through the kernel's debug console, so a
 * broken console server cannot silence it.
 *
 * Modules whose line marks them `vm`, `wedge`, `initrd` or `cmdline` are
 * not tasks: they make one guest VM (vm.c, docs/run.md), booted before the
 * tasks.  While it runs root does not shut down: the VM ends the run
 * through the kernel (its shutdown hypercall).
 */
#include "root.h"

struct task tasks[MAX_TASKS];
const struct hv_bootinfo *bi = (const struct hv_bootinfo *)HV_BOOTINFO_ADDR;
uint32_t root_tid, console_tid;

static unsigned next_module = 2;
struct task *running;          /* the test task that runs now */

static const char *end_name[] = { "success", "failure", "skip", "killed", "not loaded" };

static void run_next(void)
{
	running = 0;
	while (next_module <= bi->nmodules) {
		if (vm_role_of(next_module) != ROLE_TASK) {
			next_module++;
			continue;
		}
		struct task *t = &tasks[next_module];
		uprintf("root: starting task %s\n", bi->modules[next_module].cmdline);
		if (task_load(t, next_module++, HVU_PRIO_TASK) == 0) {
			running = t;
			return;
		}
		t->state = TASK_DONE;
		t->end = END_LOAD;
	}
	unsigned count[5] = { 0 }, ntasks = 0;
	for (unsigned i = 2; i <= bi->nmodules; i++)
		ntasks += vm_role_of(i) == ROLE_TASK;
	if (vm_running() && !ntasks)
		return;        /* nothing but the VM: it ends the run */
	uprintf("root: all tasks done\n");
	for (unsigned i = 2; i <= bi->nmodules; i++) {
		if (vm_role_of(i) != ROLE_TASK)
			continue;
		uprintf("root:   %s: %s\n", tasks[i].name, end_name[tasks[i].end]);
		count[tasks[i].end]++;
	}
	uprintf("root: summary: %u passed, %u failed, %u skipped, %u killed, %u not loaded\n",
		count[0], count[1], count[2], count[3], count[4]);
	if (vm_running()) {
		/* It ends the run itself, unless the kernel keeps the machine up
		 * after a guest (vm_exit=continue): then we look at every tick. */
		uprintf("root: a VM runs: it ends the run\n");
		hv_irq_attach(0, root_tid);
		return;
	}
	hv_shutdown(0);
}

void finish(struct task *t, enum task_end end)
{
	t->end = end;
	task_release(t);
	if (t == &tasks[1])
		uprintf("root: the console server is gone\n");
	if (t == running)
		run_next();
}

/* A tick while the last task is done and a VM runs: shut down once the
 * VM is gone, else acknowledge the tick and wait for the next. */
static uint32_t vm_end_watch(void)
{
	if (!vm_running()) {
		uprintf("root: the VM has ended: shutting down\n");
		hv_shutdown(0);
	}
	msg_set(0, 0);
	return 1;
}

static void serve(void)
{
	uint32_t *u = hv_utcb(), from = 0, reply = 0;
	for (;;) {
		uint32_t st = reply ? ipc_reply_wait(from, &from) : ipc_receive(HV_ANYTHREAD, 0, &from);
		reply = 0;
		if (st != HV_OK)
			continue;      /* e.g. HV_E_MAP: someone sent us mappings; we take none */
		unsigned label = HV_TAG_LABEL(u[0]);
		if (vm_owns(from, label == HV_LABEL_PAGEFAULT ? u[4] : 0))
			reply = vm_message(from, u, label);
		else if (label == HV_LABEL_PAGEFAULT)
			reply = page_fault(from, u);
		else if (label == HV_LABEL_EXCEPTION)
			reply = exception(from, u);
		else if (label == HV_LABEL_IRQ)
			reply = vm_end_watch();
		else
			reply = request(from, u, label);
	}
}

void _start(void) __attribute__((noreturn));
void _start(void)
{
	uint32_t me[4];
	hv_myself(me);
	root_tid = me[0];
	hvu_fixed_utcb = (uint32_t *)me[1];
	hvu_use_kdebug = 1;
	if (bi->magic != HV_BOOTINFO_MAGIC || bi->version != 1) {
		uprintf("root: bad boot information\n");
		hv_shutdown(1);
	}
	uprintf("root: %u modules, %u free ranges, %u MiB of RAM, tick %u Hz\n", bi->nmodules,
		bi->nranges, bi->ram_end >> 20, bi->tick_hz);
	if (bi->nmodules >= 1) {
		struct task *c = &tasks[1];
		if (task_load(c, 1, HVU_PRIO_CONSOLE) == 0)
			console_tid = c->tid;
	}
	vm_boot();
	run_next();
	serve();
	for (;;)
		;
}
