/*
 * Physical pages: everything from the end of the kernel image to the end
 * of usable memory, handed out one 4 KiB page at a time, zeroed.  Freed
 * pages go on a list threaded through themselves.  All of it is identity
 * mapped, so a page's physical address is also its kernel address.
 */
#include "kernel.h"

struct run {
	struct run *next;
};

static struct run *freelist;
static uint32_t next_page, end_page, nfree;

void kzero(void *p, uint32_t n)
{
	uint32_t d0, d1;
	__asm__ volatile("rep stosl" : "=D"(d0), "=c"(d1)
			 : "0"(p), "1"(n / 4), "a"(0) : "memory");
}

void kalloc_init(uint32_t start, uint32_t end)
{
	next_page = PGROUNDUP(start);
	end_page = PGROUNDDOWN(end);
	nfree = (end_page - next_page) / PGSIZE;
}

void *kalloc(void)
{
	void *p;
	if (freelist) {
		p = freelist;
		freelist = freelist->next;
	} else if (next_page < end_page) {
		p = (void *)next_page;
		next_page += PGSIZE;
	} else {
		return 0;
	}
	nfree--;
	kzero(p, PGSIZE);
	return p;
}

void kfree(void *page)
{
	struct run *r = page;
	r->next = freelist;
	freelist = r;
	nfree++;
}

uint32_t kalloc_free_pages(void)
{
	return nfree;
}
