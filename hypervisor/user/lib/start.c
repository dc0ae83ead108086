/*
 * The environment every program shares: the task's arguments, the
 * per-thread UTCB lookup, prefaulting, and the calls to root.
 */
#include "hvu.h"

struct hvu_args hvu_args;
const char *hvu_name = "root";
uint32_t *hvu_fixed_utcb;

/* First use in a thread: ask the kernel, and keep the answer at the top of
 * the thread's stack block (hvu.h). */
uint32_t *hvu_utcb_slow(uint32_t **slot)
{
	uint32_t r[4];
	hv_myself(r);
	*slot = (uint32_t *)r[1];
	return *slot;
}

void hvu_prefault(const void *start, const void *end)
{
	uintptr_t p = (uintptr_t)start & ~0xFFFu;
	for (; p < (uintptr_t)end; p += 4096)
		hvu_touch((const void *)p);
}

static uint32_t root_request(unsigned label, uint32_t a, uint32_t b)
{
	msg_set(label, 2, a, b);
	uint32_t st = ipc_call(hvu_args.root);
	return st != HV_OK ? st : msg_word(1);
}

uint32_t root_region(uint32_t base, uint32_t pages)
{
	return root_request(ROOT_REGION, base, pages);
}

uint32_t root_irq(unsigned irq, uint32_t tid)
{
	return root_request(ROOT_IRQ, irq, tid);
}
