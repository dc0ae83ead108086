/*
 * Physical memory for tasks: the free ranges of the boot information,
 * handed out a frame at a time through root's window, and a free list
 * threaded through the freed frames themselves.  Contiguous blocks (a VM's
 * guest memory, the wedge's copy) come from the other end: the top of the
 * ranges, which moves down, so the two never meet.
 */
#include "root.h"

static unsigned range;
static uint32_t next_pa;
static uint32_t free_list;           /* pa of a free frame; its first word links on; 0: empty */
static uint32_t top[HV_BOOTINFO_MAX_RANGES];   /* a range's end less its blocks (0: not yet set) */

static uint32_t range_top(unsigned i)
{
	if (!top[i])
		top[i] = bi->ranges[i].end;
	return top[i];
}

static void zero(uint32_t pa)
{
	uint32_t *p = (uint32_t *)WIN(pa);
	for (unsigned i = 0; i < 1024; i++)
		p[i] = 0;
}

uint32_t frame_alloc(void)
{
	uint32_t pa = free_list;
	if (pa) {
		free_list = *(uint32_t *)WIN(pa);
		zero(pa);
		return pa;
	}
	for (; range < bi->nranges; range++) {
		const struct hv_range *r = &bi->ranges[range];
		if (next_pa < r->start)
			next_pa = r->start;
		if (next_pa == 0)            /* 0 means "none" here: skip frame 0 */
			next_pa = 4096;
		if (next_pa < range_top(range)) {
			pa = next_pa;
			next_pa += 4096;
			zero(pa);
			return pa;
		}
	}
	return 0;
}

/* Every mapping derived from root's window page goes (recursively, in every
 * space) before the frame can hold another task's data. */
void frame_free(uint32_t pa)
{
	hv_unmap(HV_FPAGE(HV_PHYS_WINDOW + pa, 12, HV_RIGHTS_ALL), 0);
	*(uint32_t *)WIN(pa) = free_list;
	free_list = pa;
}

uint32_t phys_block(uint32_t size, uint32_t align)
{
	if (!size || (size & 0xFFF) || align < 4096 || (align & (align - 1)))
		return 0;
	for (unsigned i = bi->nranges; i-- > 0 && i >= range;) {
		const struct hv_range *r = &bi->ranges[i];
		uint32_t hi = range_top(i);
		uint32_t lo = i == range && next_pa > r->start ? next_pa : r->start;
		if (lo < 4096)
			lo = 4096;                   /* frame 0 stays "none" */
		if (hi < lo || hi - lo < size)
			continue;
		uint32_t base = (hi - size) & ~(align - 1);
		if (base < lo)
			continue;
		top[i] = base;
		return base;
	}
	return 0;
}

void phys_zero(uint32_t pa, uint32_t size)
{
	uint32_t *p = (uint32_t *)WIN(pa), n = size / 4;
	__asm__ volatile("cld; rep stosl" : "+D"(p), "+c"(n) : "a"(0) : "memory");
}
