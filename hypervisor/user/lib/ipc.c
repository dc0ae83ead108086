/*
 * Message building and the pager helpers.  A task that creates a thread in
 * a new space and names itself as its pager gives the thread its own pages
 * at the same addresses: code, data and stacks are then shared, which is
 * how a test and its child space talk besides IPC.
 */
#include "hvu.h"

void msg_set(unsigned label, unsigned n, ...)
{
	uint32_t *u = hv_utcb();
	va_list ap;
	va_start(ap, n);
	u[0] = HV_TAG(label, n, 0);
	for (unsigned i = 1; i <= n; i++)
		u[i] = va_arg(ap, uint32_t);
	va_end(ap);
}

/* Item `index` after u untyped words: MAP, GRANT (an fpage of pages) or IO
 * (HV_IO_FPAGE); the tag's t grows to cover it. */
void msg_item(unsigned u, unsigned index, uint32_t type, uint32_t fpage)
{
	uint32_t *m = hv_utcb();
	m[1 + u + 2 * index] = type;
	m[2 + u + 2 * index] = fpage;
	m[0] = HV_TAG(HV_TAG_LABEL(m[0]), u, 2 * (index + 1));
}

int pager_own(uint32_t addr)
{
	return addr >= (uint32_t)__image_start && addr < (uint32_t)__image_end;
}

void pager_map_own(uint32_t t, uint32_t addr, unsigned rights)
{
	uint32_t page = addr & ~0xFFFu;
	hvu_touch((const void *)page);          /* root maps it to us first */
	msg_set(0, 0);
	msg_item(0, 0, HV_ITEM_MAP, HV_FPAGE(page, 12, rights));
	hv_ipc(t, HV_NILTHREAD, HV_IPC_SEND_NONBLOCK, 0);
}

static int own_fault(uint32_t st)
{
	return st == HV_OK && msg_label() == HV_LABEL_PAGEFAULT && pager_own(msg_word(1));
}

uint32_t pager_receive(uint32_t from, uint32_t *sender)
{
	uint32_t s, st;
	while (own_fault(st = ipc_receive(from, 0, &s)))
		pager_map_own(s, msg_word(1), HV_RIGHTS_ALL);
	if (sender)
		*sender = s;
	return st;
}

uint32_t pager_call(uint32_t to)
{
	uint32_t s, st = hv_ipc(to, to, 0, &s);
	while (own_fault(st)) {
		pager_map_own(s, msg_word(1), HV_RIGHTS_ALL);
		st = ipc_receive(to, 0, &s);
	}
	return st;
}
