/*
 * Root as pager and exception handler: a task's page gets its frame if it
 * lies in the image, the stack or a region; anything else, and every
 * exception, kills the thread (the task, if it was its first thread).
 */
#include "root.h"

#define MAX_REPORTS 8   /* lines about one task's faults: a hostile task could make thousands */

/* The task a thread belongs to: its first thread, or (for page faults)
 * the space it faulted in; other threads of the running test are taken to
 * be its own (the only other task, the console, has one thread). */
struct task *task_of(uint32_t tid, uint32_t space)
{
	for (unsigned i = 1; i < MAX_TASKS; i++)
		if (tasks[i].state == TASK_RUNNING &&
		    (tasks[i].tid == tid || (space && tasks[i].space == space)))
			return &tasks[i];
	return space ? 0 : running;
}

/* A thread misbehaved: say so (a few times per task, and always for its
 * first thread), and kill it; the task is over if it was its first thread. */
static void kill_thread(struct task *t, uint32_t tid, const char *what)
{
	static unsigned strays;      /* threads of no task we know */
	if (t ? t->reports++ < MAX_REPORTS || t->tid == tid : strays++ < MAX_REPORTS)
		uprintf("root: task %s: %s (thread %x)\n", t ? t->name : "?", what, tid);
	hv_thread_kill(tid);
	if (t && t->tid == tid)
		finish(t, END_KILLED);
}

/* A page fault: a page of the image, the stack or a region gets its frame
 * (the same one again if it had one); anything else kills the thread. */
int page_fault(uint32_t from, uint32_t *u)
{
	uint32_t addr = u[1], eip = u[2], err = u[3], space = u[4];
	struct task *t = task_of(from, space);
	if (t && t->tid == from && !t->space)
		t->space = space;
	char what[80];
	if (!t || (t->space && t->space != space)) {
		usnprintf(what, sizeof what, "bad access at %x (eip %x) in space %u", addr, eip, space);
		kill_thread(t, from, what);
		return 0;
	}
	uint32_t va = addr & ~0xFFFu, rights = addr < HV_USER_LIMIT ? task_rights(t, va) : 0;
	const char *why = !rights ? "" : (err & 2) && !(rights & HV_RIGHT_W) ? ", read-only" : 0;
	struct tpage *p = why ? 0 : task_page(t, va, 1);
	if (!p) {
		usnprintf(what, sizeof what, "bad access at %x (eip %x)%s", addr, eip,
			  why ? why : ", out of memory");
		kill_thread(t, from, what);
		return 0;
	}
	msg_set(0, 0);
	msg_item(0, 0, HV_ITEM_MAP, HV_FPAGE(HV_PHYS_WINDOW + p->pa, 12, rights));
	return 1;
}

int exception(uint32_t from, const uint32_t *u)
{
	char what[80];
	if (u[HV_EXC_VECTOR] == 14)
		usnprintf(what, sizeof what, "bad access at %x (eip %x)", u[HV_EXC_CR2], u[HV_EXC_EIP]);
	else
		usnprintf(what, sizeof what, "exception %u error %x at eip %x", u[HV_EXC_VECTOR],
			  u[HV_EXC_ERROR], u[HV_EXC_EIP]);
	kill_thread(task_of(from, 0), from, what);
	return 0;
}

