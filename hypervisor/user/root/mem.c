/*
 * Physical memory for tasks: the free ranges of the boot information,
 * handed out a frame at a time through root's window, and a free list
 * threaded through the freed frames themselves.
 */
#include "root.h"

static unsigned range;
static uint32_t next_pa;
static uint32_t free_list;           /* pa of a free frame; its first word links on; 0: empty */

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
		if (next_pa < r->end) {
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
