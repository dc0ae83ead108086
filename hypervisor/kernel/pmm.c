/*
 * The physical memory manager.  All the multiboot structures are read
 * through the direct map, once, in pmm_init; what is kept (module ranges
 * and strings, the command line) is copied.  The structures themselves stay
 * reserved, so nothing the loader left can be handed out while we read it.
 *
 * The kernel pool is a free list threaded through the free pages themselves
 * (the first word of each): O(1) both ways, no metadata to size.
 */
#include "pmm.h"
#include "printk.h"

#define MB_INFO_MEM     0x001u
#define MB_INFO_CMDLINE 0x004u
#define MB_INFO_MODS    0x008u
#define MB_INFO_MMAP    0x040u
#define MB_MMAP_RAM     1u

#define LOW_MEMORY   0x00100000u   /* BIOS, VGA, the loader's own data */
#define TOP          0xFFFFF000u   /* the last page of 4 GiB is never RAM we use */
#define MAX_RESERVED (8 + 2 * HV_BOOTINFO_MAX_MODULES)

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
};
struct mb_module { uint32_t start, end, string, reserved; };
struct mb_mmap { uint32_t size, base_lo, base_hi, len_lo, len_hi, type; };
struct free_page { struct free_page *next; };

extern char _kernel_start[], _kernel_end[];

static struct hv_range reserved[MAX_RESERVED];
static struct hv_range user[HV_BOOTINFO_MAX_RANGES];
static unsigned nreserved, nuser, dropped_ranges;
static struct hv_module modules[HV_BOOTINFO_MAX_MODULES];
static unsigned nmodules;
static char cmdline[HV_BOOTINFO_CMDLINE];
static uint32_t ram_end;
static struct free_page *free_list;
static unsigned free_count, pool_total;

/* A multiboot structure, through the direct map; it must lie inside it. */
static const void *direct(uint32_t phys, uint32_t len, const char *what)
{
	if (phys >= KERNEL_DIRECT_SIZE || len > KERNEL_DIRECT_SIZE - phys)
		panic("multiboot %s at %08x (+%u) is outside the kernel's direct map "
		      "[0, %u MiB)", what, phys, len, KERNEL_DIRECT_SIZE >> 20);
	return PHYS_TO_VIRT(phys);
}

/* Copy a string into dst[HV_BOOTINFO_CMDLINE], truncating; returns its
 * physical length with the NUL, for reserving it. */
static uint32_t copy_string(char *dst, uint32_t phys, const char *what)
{
	const char *s = direct(phys, 1, what);
	uint32_t n = 0;
	while (phys + n < KERNEL_DIRECT_SIZE && s[n]) {
		if (n < HV_BOOTINFO_CMDLINE - 1)
			dst[n] = s[n];
		n++;
	}
	dst[n < HV_BOOTINFO_CMDLINE - 1 ? n : HV_BOOTINFO_CMDLINE - 1] = '\0';
	return n + 1;
}

static void reserve(uint32_t start, uint32_t len)
{
	if (nreserved == MAX_RESERVED)
		panic("pmm: too many reserved ranges");
	uint32_t end = len > TOP - start ? TOP : start + len;
	reserved[nreserved].start = start & PAGE_MASK;
	reserved[nreserved].end = end > TOP - PAGE_SIZE ? TOP : (end + PAGE_SIZE - 1) & PAGE_MASK;
	nreserved++;
}

static void read_modules(const struct mb_info *mb)
{
	if (!(mb->flags & MB_INFO_MODS) || mb->mods_count == 0)
		return;
	if (mb->mods_count > HV_BOOTINFO_MAX_MODULES)
		panic("multiboot: %u modules, at most %u", mb->mods_count, HV_BOOTINFO_MAX_MODULES);
	uint32_t size = mb->mods_count * sizeof(struct mb_module);
	const struct mb_module *m = direct(mb->mods_addr, size, "module list");
	reserve(mb->mods_addr, size);
	for (nmodules = 0; nmodules < mb->mods_count; nmodules++, m++) {
		struct hv_module *hm = &modules[nmodules];
		if (m->end < m->start)
			panic("multiboot: module %u ends before it starts", nmodules);
		hm->start = m->start;
		hm->end = m->end;
		reserve(m->start, m->end - m->start);
		if (m->string)
			reserve(m->string, copy_string(hm->cmdline, m->string, "module string"));
	}
}

static void pool_add(uint32_t phys)
{
	struct free_page *p = PHYS_TO_VIRT(phys);
	p->next = free_list;
	free_list = p;
	free_count++;
}

/* A free range: frames below the pool's end feed the pool, the rest is
 * user memory. */
static void add_free(uint32_t start, uint32_t end)
{
	for (; start < end && start < PMM_POOL_END; start += PAGE_SIZE, pool_total++)
		pool_add(start);
	if (start >= end)
		return;
	if (nuser == HV_BOOTINFO_MAX_RANGES) {
		dropped_ranges++;
		return;
	}
	user[nuser].start = start;
	user[nuser].end = end;
	nuser++;
}

/* Each usable range minus every reserved range, in address order. */
static void carve(struct hv_range u)
{
	uint32_t cur = u.start;
	while (cur < u.end) {
		const struct hv_range *next = 0;
		for (unsigned i = 0; i < nreserved; i++)
			if (reserved[i].end > cur && reserved[i].start < u.end &&
			    (!next || reserved[i].start < next->start))
				next = &reserved[i];
		if (!next) {
			add_free(cur, u.end);
			return;
		}
		if (next->start > cur)
			add_free(cur, next->start);
		cur = next->end;
	}
}

/* A RAM range from the memory map: minus the low 1 MiB, then carved. */
static void add_usable(uint32_t start, uint32_t end)
{
	if (end > ram_end)
		ram_end = end;
	if (start < LOW_MEMORY)
		start = LOW_MEMORY;
	if (start < end)   /* and so start < TOP: the rounding cannot wrap */
		carve((struct hv_range){ (start + PAGE_SIZE - 1) & PAGE_MASK, end & PAGE_MASK });
}

static void read_memory_map(const struct mb_info *mb)
{
	if (!(mb->flags & MB_INFO_MMAP)) {
		if (!(mb->flags & MB_INFO_MEM))
			panic("multiboot: no memory information");
		add_usable(LOW_MEMORY, LOW_MEMORY + mb->mem_upper * 1024u);
		return;
	}
	const uint8_t *p = direct(mb->mmap_addr, mb->mmap_length, "memory map");
	reserve(mb->mmap_addr, mb->mmap_length);
	for (uint32_t off = 0; off + sizeof(struct mb_mmap) <= mb->mmap_length;) {
		const struct mb_mmap *e = (const void *)(p + off);
		if (e->type == MB_MMAP_RAM && e->base_hi == 0) {
			uint64_t end = ((uint64_t)e->len_hi << 32 | e->len_lo) + e->base_lo;
			add_usable(e->base_lo, end > TOP ? TOP : (uint32_t)end);
		}
		off += e->size + 4;   /* size does not count itself */
	}
}

void pmm_init(uint32_t mb_info_phys)
{
	const struct mb_info *mb = direct(mb_info_phys, sizeof(*mb), "information");
	reserve(mb_info_phys, sizeof(*mb));
	reserve(VIRT_TO_PHYS(_kernel_start), (uint32_t)(_kernel_end - _kernel_start));
	if (mb->flags & MB_INFO_CMDLINE)
		reserve(mb->cmdline, copy_string(cmdline, mb->cmdline, "command line"));
	read_modules(mb);
	read_memory_map(mb);   /* last: every reserved range is known */
	if (free_count == 0)
		panic("pmm: no free memory below %u MiB for the kernel (the modules take it all?)",
		      PMM_POOL_END >> 20);
}

void *kpage_alloc(void)
{
	struct free_page *p = free_list;
	if (!p)
		return 0;
	free_list = p->next;
	free_count--;
	uint32_t *w = (uint32_t *)(void *)p, n = PAGE_SIZE / 4;
	__asm__ volatile("rep stosl" : "+D"(w), "+c"(n) : "a"(0) : "memory");
	return p;
}

void kpage_free(void *page)
{
	uint32_t phys = VIRT_TO_PHYS(page);
	if ((phys & ~PAGE_MASK) || phys < VIRT_TO_PHYS(_kernel_end) || phys >= PMM_POOL_END)
		panic("kpage_free(%p): not a kernel pool page", page);
	pool_add(phys);
}

unsigned kpage_free_count(void)
{
	return free_count;
}

unsigned pmm_user_ranges(struct hv_range *out, unsigned max)
{
	unsigned n = nuser < max ? nuser : max;
	for (unsigned i = 0; i < n; i++)
		out[i] = user[i];
	return n;
}

int pmm_is_user_frame(uint32_t phys)
{
	for (unsigned i = 0; i < nuser; i++)
		if (phys >= user[i].start && phys < user[i].end)
			return 1;
	return 0;
}

uint32_t pmm_ram_end(void)
{
	return ram_end;
}

unsigned pmm_modules(struct hv_module *out, unsigned max)
{
	unsigned n = nmodules < max ? nmodules : max;
	for (unsigned i = 0; i < n; i++)
		out[i] = modules[i];
	return n;
}

const char *pmm_cmdline(void)
{
	return cmdline;
}

void pmm_print_summary(void)
{
	kprintf("hypervisor: RAM up to %08x (%u MiB), kernel %08x-%08x\n", ram_end, ram_end >> 20,
		VIRT_TO_PHYS(_kernel_start), VIRT_TO_PHYS(_kernel_end));
	kprintf("hypervisor: kernel pool %u frames (%u KiB) below %u MiB\n", pool_total,
		pool_total * 4, PMM_POOL_END >> 20);
	for (unsigned i = 0; i < nuser; i++)
		kprintf("hypervisor: user memory %08x-%08x (%u KiB)\n", user[i].start, user[i].end,
			(user[i].end - user[i].start) >> 10);
	if (dropped_ranges)
		kprintf("hypervisor: %u further free ranges not used\n", dropped_ranges);
	for (unsigned i = 0; i < nmodules; i++)
		kprintf("hypervisor: module %u %08x-%08x \"%s\"\n", i, modules[i].start,
			modules[i].end, modules[i].cmdline);
	kprintf("hypervisor: command line \"%s\"\n", cmdline);
}
