/*
 * Tasks: a module's ELF (parsed with the loader library, straight from the
 * module through the window) becomes a new space with one thread, whose
 * pager and exception handler is root.  Nothing is mapped up front but the
 * first stack page, which carries the task's arguments (proto.h).
 */
#include "root.h"

#define PAGE 4096u
#define ALL  HV_RIGHTS_ALL

/* Name and argument words from a module's command line: the first word is
 * the file; its base name without ".elf" names the task. */
static unsigned split(const char *cmd, char words[][32], unsigned max)
{
	unsigned n = 0;
	while (*cmd && n < max) {
		while (*cmd == ' ')
			cmd++;
		if (!*cmd)
			break;
		unsigned len = 0;
		for (; *cmd && *cmd != ' '; cmd++) {
			if (n == 0 && *cmd == '/')
				len = 0;             /* the first word: keep its base name */
			else if (len < 31)
				words[n][len++] = *cmd;
		}
		words[n][len] = 0;
		if (n == 0 && len > 4 && !ustrcmp(&words[0][len - 4], ".elf"))
			words[0][len - 4] = 0;
		n++;
	}
	return n;
}

/* Write struct hvu_args, argv and the strings into the top stack page
 * (window address w, task address va); returns the initial %esp. */
static uint32_t write_args(struct task *t, uint8_t *w, uint32_t va, char words[][32], unsigned argc)
{
	uint32_t off = PAGE - 4;                 /* the top word: the thread's UTCB (hvu.h) */
	uint32_t ptrs[8];
	for (unsigned i = 0; i < argc; i++) {
		size_t len = ustrlen(words[i]) + 1;
		off -= (uint32_t)len;
		memcpy(w + off, words[i], len);
		ptrs[i] = va + off;
	}
	off &= ~3u;
	off -= 4 * (argc + 1);
	uint32_t *argv = (uint32_t *)(w + off);
	for (unsigned i = 0; i < argc; i++)
		argv[i] = ptrs[i];
	argv[argc] = 0;
	uint32_t argv_va = va + off;
	off = (off - sizeof(struct hvu_args)) & ~15u;
	struct hvu_args *a = (struct hvu_args *)(w + off);
	a->argc = argc;
	a->argv = (char **)argv_va;
	a->root = root_tid;
	a->console = t->index == 1 ? 0 : console_tid;
	a->tick_hz = bi->tick_hz;
	a->index = t->index;
	return va + off;
}

int task_load(struct task *t, unsigned index, unsigned prio)
{
	const struct hv_module *m = &bi->modules[index];
	char words[8][32];
	unsigned argc = split(m->cmdline, words, 8);
	if (!argc)
		usnprintf(words[argc++], 32, "module%u", index);
	usnprintf(t->name, sizeof t->name, "%s", words[0]);
	t->index = index;
	int r = ab_image_parse(&t->img, WIN(m->start), m->end - m->start);
	if (r || t->img.is64 || t->img.machine != 3 || t->img.type != 2) {
		uprintf("root: task %s: not an i386 executable (%s)\n", t->name, ab_ld_status_name((unsigned)r));
		return -1;
	}
	uint32_t st = hv_thread_create(HV_SPACE_NEW, root_tid, root_tid, prio, &t->tid);
	struct tpage *p = st == HV_OK ? task_page(t, HVU_STACK_TOP - PAGE, 1) : 0;
	if (!p) {
		uprintf("root: task %s: cannot create (status %u)\n", t->name, st);
		if (st == HV_OK)
			hv_thread_kill(t->tid);
		return -1;
	}
	uint32_t esp = write_args(t, WIN(p->pa), p->va, words, argc);
	t->state = TASK_RUNNING;
	hv_thread_start(t->tid, (uint32_t)t->img.entry, esp);
	return 0;
}

/* The frame root gave the task at va, or a fresh one (filled from the
 * file where a segment covers it) if make; NULL if none. */
struct tpage *task_page(struct task *t, uint32_t va, int make)
{
	for (unsigned i = 0; i < t->npages; i++)
		if (t->pages[i].va == va)
			return &t->pages[i];
	if (!make || t->npages == MAX_TPAGES)
		return 0;
	uint32_t pa = frame_alloc();
	if (!pa)
		return 0;
	const uint8_t *file = t->img.data;
	for (unsigned s = 0; s < t->img.nsegs; s++) {
		const struct ab_seg *g = &t->img.segs[s];
		uint32_t lo = (uint32_t)g->vaddr, hi = lo + (uint32_t)g->filesz;
		uint32_t a = lo > va ? lo : va, b = hi < va + PAGE ? hi : va + PAGE;
		if (a < b)
			memcpy(WIN(pa) + (a - va), file + g->offset + (a - lo), b - a);
	}
	struct tpage *p = &t->pages[t->npages++];
	p->va = va;
	p->pa = pa;
	return p;
}

unsigned task_rights(const struct task *t, uint32_t va)
{
	unsigned rights = 0;
	for (unsigned s = 0; s < t->img.nsegs; s++) {
		const struct ab_seg *g = &t->img.segs[s];
		uint32_t lo = (uint32_t)g->vaddr & ~(PAGE - 1), hi = (uint32_t)(g->vaddr + g->memsz);
		if (va >= lo && va < hi)
			rights |= HV_RIGHT_R | HV_RIGHT_X | ((g->flags & 2) ? HV_RIGHT_W : 0);
	}
	if (va >= HVU_STACK_TOP - HVU_STACK_SIZE && va < HVU_STACK_TOP)
		rights = ALL;
	for (unsigned i = 0; i < t->nregions; i++)
		if (va >= t->regions[i].base && va < t->regions[i].end)
			rights = ALL;
	return rights;
}

/* The task is over: its frames (and every mapping made from them), its
 * IRQs, its thread. */
void task_release(struct task *t)
{
	for (unsigned irq = 0; irq < 16; irq++)
		if (t->irqs & (1u << irq))
			hv_irq_attach(irq, HV_NILTHREAD);
	hv_thread_kill(t->tid);
	for (unsigned i = 0; i < t->npages; i++)
		frame_free(t->pages[i].pa);
	t->npages = t->nregions = 0;
	t->irqs = 0;
	t->space = 0;
	t->state = TASK_DONE;
}
