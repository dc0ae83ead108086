/*
 * The root task: module 0, loaded by the kernel into space 1 with the
 * loader library (loader/loader.h), given every I/O port, a stack, and a
 * read-only page of boot information.  Everything else it does at user
 * level: it reaches physical memory through its window (fault.c) and starts
 * the other modules itself.
 */
#include "bootinfo.h"
#include "kernel.h"
#include "loader.h"
#include "pmm.h"
#include "printk.h"

#define ROOT_STACK_PAGES 4

static struct hv_module modules[HV_BOOTINFO_MAX_MODULES];
static unsigned nmodules;

int root_is_module_frame(uint32_t p)
{
	for (unsigned i = 0; i < nmodules; i++)
		if (p >= (modules[i].start & PAGE_MASK) && p < modules[i].end)
			return 1;
	return 0;
}

/* A fresh kernel-pool page mapped into root at va: a root of the mapping
 * tree, so root may pass it on like any of its pages. */
static void *root_page(struct space *s, uint32_t va, uint32_t rights)
{
	void *page = kpage_alloc();
	struct mnode *n = page ? mnode_alloc() : NULL;
	if (!n || space_map_frame(s, va, VIRT_TO_PHYS(page), rights, n))
		panic("out of memory loading the root task");
	return page;
}

static uint32_t load_image(struct space *s, const struct hv_module *m)
{
	struct ab_image img;
	if (m->end > KERNEL_DIRECT_SIZE)
		panic("root module above the direct map (%x)", m->end);
	const uint8_t *file = PHYS_TO_VIRT(m->start);
	int r = ab_image_parse(&img, file, m->end - m->start);
	if (r || img.is64 || img.type != 2 || !img.nsegs)
		panic("root module: not an i386 executable (%s)", ab_ld_status_name((unsigned)r));
	for (unsigned i = 0; i < img.nsegs; i++) {
		const struct ab_seg *seg = &img.segs[i];
		uint32_t rights = HV_RIGHT_R | HV_RIGHT_X | ((seg->flags & 2) ? HV_RIGHT_W : 0);
		uint32_t start = (uint32_t)seg->vaddr & PAGE_MASK;
		uint32_t end = (uint32_t)(seg->vaddr + seg->memsz + PAGE_SIZE - 1) & PAGE_MASK;
		if (end > HV_USER_LIMIT || end < start)
			panic("root module: segment outside user space");
		for (uint32_t va = start; va < end; va += PAGE_SIZE) {
			uint32_t *pte = space_pte(s, va);
			uint8_t *page = pte && (*pte & PTE_P) ? PHYS_TO_VIRT(*pte & PAGE_MASK)
							      : root_page(s, va, rights);
			/* The part of this page that the file covers. */
			for (uint32_t b = 0; b < PAGE_SIZE; b++) {
				uint64_t a = va + b;
				if (a >= seg->vaddr && a < seg->vaddr + seg->filesz)
					page[b] = file[seg->offset + (a - seg->vaddr)];
			}
		}
	}
	return (uint32_t)img.entry;
}

static void fill_bootinfo(struct hv_bootinfo *bi)
{
	bi->magic = HV_BOOTINFO_MAGIC;
	bi->version = 1;
	bi->nmodules = nmodules ? nmodules - 1 : 0;
	for (unsigned i = 0; i < nmodules; i++)
		bi->modules[i] = modules[i];
	bi->nranges = pmm_user_ranges(bi->ranges, HV_BOOTINFO_MAX_RANGES);
	bi->ram_end = pmm_ram_end();
	bi->tick_hz = TICK_HZ;
	const char *cmd = pmm_cmdline();
	for (unsigned i = 0; cmd && cmd[i] && i + 1 < sizeof bi->cmdline; i++)
		bi->cmdline[i] = cmd[i];
}

void root_start(void)
{
	nmodules = pmm_modules(modules, HV_BOOTINFO_MAX_MODULES);
	if (!nmodules)
		panic("no modules: the root task is module 0");
	struct space *s = space_create(0);
	if (!s || s->id != ROOT_SPACE_ID || space_allow_ports(s, 0, IO_PORTS))
		panic("cannot make the root space");
	uint32_t entry = load_image(s, &modules[0]);
	for (unsigned i = 1; i <= ROOT_STACK_PAGES; i++)
		root_page(s, HV_BOOTINFO_ADDR - i * PAGE_SIZE, HV_RIGHT_R | HV_RIGHT_W);
	void *bi = kpage_alloc();
	if (!bi || space_map_frame(s, HV_BOOTINFO_ADDR, VIRT_TO_PHYS(bi), HV_RIGHT_R, NULL))
		panic("no memory for the boot information");
	fill_bootinfo(bi);

	struct tcb *t;
	if (thread_create(s, 0, HV_NILTHREAD, HV_NILTHREAD, HV_PRIO_ROOT, &t))
		panic("cannot make the root thread");
	thread_start(t, entry, HV_BOOTINFO_ADDR);
	kprintf("hypervisor: root task %s, entry %x, %u modules\n", modules[0].cmdline, entry, nmodules);
}
