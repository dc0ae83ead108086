/*
 * Grant moves a mapping: we answer a child's page fault with a GRANT of
 * our page G.  The child sees our data; a thread of our own space that
 * then reads G faults to us (its pager: our space lost G); and our unmap
 * of G no longer reaches the child, whose mapping now hangs off root's.
 */
#include "hvu.h"

#define G      0x10000000u
#define THERE  0x20000000u

HVU_STACK(child_stack);
HVU_STACK(reader_stack);
static volatile uint32_t seen[2];

static void child(uint32_t parent)
{
	for (unsigned i = 0; i < 2; i++) {
		seen[i] = *(volatile uint32_t *)THERE;
		msg_set(1, 0);
		hv_ipc(parent, parent, 0, 0);
	}
}

static void reader(uint32_t unused)
{
	(void)unused;
	(void)*(volatile uint32_t *)G;
}

int main(void)
{
	uint32_t *u = hv_utcb(), me = hv_mytid(), c, r, from, st;
	check(root_region(G, 1) == HV_OK, "a page from root");
	*(volatile uint32_t *)G = 0x6A6A;
	hvu_prefault(__image_start, __image_end);
	hvu_thread(HV_SPACE_NEW, me, me, HVU_PRIO_TASK, child, me, child_stack, &c);
	unsigned granted = 0;
	for (;;) {
		st = pager_receive(c, &from);
		if (st != HV_OK || HV_TAG_LABEL(u[0]) != HV_LABEL_PAGEFAULT || (u[1] & ~0xFFFu) != THERE)
			break;
		u[0] = HV_TAG(0, 0, 2);
		u[1] = HV_ITEM_GRANT;
		u[2] = HV_FPAGE(G, 12, HV_RIGHTS_ALL);
		ipc_send(from, HV_IPC_SEND_NONBLOCK);
		granted++;
	}
	check(st == HV_OK && HV_TAG_LABEL(u[0]) == 1 && granted == 1 && seen[0] == 0x6A6A,
	      "the child got G by a grant and reads our data: %x (%u grants)", seen[0], granted);

	/* A thread of our space, paged by us, reads G: we no longer have it. */
	st = hvu_thread(HV_SPACE_SELF, me, hvu_args.root, HVU_PRIO_TASK, reader, 0, reader_stack, &r);
	st = st ? st : ipc_receive(r, 0, &from);
	check(st == HV_OK && HV_TAG_LABEL(u[0]) == HV_LABEL_PAGEFAULT && u[1] == G,
	      "our own space faults on G after the grant (status %u, address %x)", st, u[1]);
	hv_thread_kill(r);

	st = hv_unmap(HV_FPAGE(G, 12, HV_RIGHTS_ALL), HV_UNMAP_SELF);
	msg_set(0, 0);
	st = st ? st : pager_call(c);
	check(st == HV_OK && HV_TAG_LABEL(u[0]) == 1 && seen[1] == 0x6A6A,
	      "our unmap does not reach the granted page: the child reads %x without a fault (status %u)",
	      seen[1], st);
	test_done();
}
