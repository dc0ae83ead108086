/*
 * The pager: a thread in a new space touches a few pages of a region
 * nothing is mapped in; this task, its pager, gets exactly one fault per
 * first touch (read: not present; then write: present + write, after it
 * mapped the page read-only) and none for pages already there or never
 * touched.  The pages it maps come from a region root gives it
 * (ROOT_REGION), so the data the child sees is ours, and its writes come
 * back.  Also: root refuses malformed region requests.
 */
#include "hvu.h"

#define MINE   0x10000000u      /* my region, from root */
#define THEIRS 0x20000000u      /* where the child sees it */
#define PAGES  16

HVU_STACK(child_stack);
static const unsigned touched[] = { 0, 3, 5, 9, 15 };
#define NTOUCHED (sizeof touched / sizeof touched[0])

/* Two passes over each page: read, write, read, write. */
static void child(uint32_t pager)
{
	volatile uint32_t *p = (volatile uint32_t *)THEIRS;
	uint32_t sum = 0;
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < NTOUCHED; i++) {
			volatile uint32_t *w = p + touched[i] * 1024;
			sum += *w;
			*w = *w ^ 0xFFFF;
		}
	msg_set(1, 1, sum);
	ipc_send(pager, 0);
}

int main(void)
{
	uint32_t *u = hv_utcb(), me = hv_mytid(), c, st, from;
	check(root_region(MINE + 1, 1) == HV_E_INVAL, "root refuses an unaligned region");
	check(root_region(0x1000, 1) == HV_E_INVAL, "root refuses a region over the image");
	check(root_region(MINE, 100000) == HV_E_INVAL, "root refuses a huge region");
	st = root_region(MINE, PAGES);
	check(st == HV_OK, "root gives a region of %u pages (status %u)", PAGES, st);
	for (unsigned i = 0; i < PAGES; i++)
		*(volatile uint32_t *)(MINE + i * 4096) = 0x1000 + i;

	st = hvu_thread(HV_SPACE_NEW, me, me, HVU_PRIO_TASK, child, me, child_stack, &c);
	check(st == HV_OK, "a child in a new space (status %u)", st);
	unsigned faults[PAGES][2] = { { 0 } }, others = 0, image = 0;
	uint32_t child_space = 0, my_space = u[HV_UTCB_SPACE], bad_eip = 0;
	for (;;) {
		st = ipc_receive(c, 0, &from);
		if (st != HV_OK || HV_TAG_LABEL(u[0]) != HV_LABEL_PAGEFAULT)
			break;
		uint32_t addr = u[1], eip = u[2], err = u[3];
		child_space = u[4];
		if (pager_own(addr)) {
			image++;
			pager_map_own(from, addr, HV_RIGHTS_ALL);
			continue;
		}
		unsigned page = (addr - THEIRS) / 4096;
		if (addr < THEIRS || page >= PAGES) {
			others++;
			break;
		}
		if (!pager_own(eip))
			bad_eip = eip;
		faults[page][(err & 2) != 0]++;
		/* A read gets a read-only page: the write must fault again. */
		unsigned rights = (err & 2) ? HV_RIGHTS_ALL : HV_RIGHT_R;
		u[0] = HV_TAG(0, 0, 2);
		u[1] = HV_ITEM_MAP;
		u[2] = HV_FPAGE(MINE + page * 4096, 12, rights);
		ipc_send(from, HV_IPC_SEND_NONBLOCK);
	}
	uint32_t sum = u[1];
	check(st == HV_OK && HV_TAG_LABEL(u[0]) == 1 && !others, "the child finished (status %u)", st);
	check(image > 0, "its code and stack came from my image: %u faults", image);
	check(child_space && child_space != my_space, "faults name the child's space (%u, mine %u)",
	      child_space, my_space);
	check(!bad_eip, "each fault's eip is in the code (bad: %x)", bad_eip);
	unsigned want_sum = 0, total = 0, wrong = 0;
	for (unsigned i = 0, k = 0; i < PAGES; i++) {
		int t = k < NTOUCHED && touched[k] == i;
		k += t;
		total += faults[i][0] + faults[i][1];
		if (faults[i][0] != (unsigned)t || faults[i][1] != (unsigned)t)
			wrong++;
		if (t) {
			/* The first pass reads v, the second v ^ 0xFFFF and writes v back. */
			want_sum += (0x1000 + i) + ((0x1000 + i) ^ 0xFFFF);
			check(*(volatile uint32_t *)(MINE + i * 4096) == (0x1000 + i),
			      "page %u: the child's two writes came back to my page", i);
		}
	}
	check(!wrong && total == 2 * NTOUCHED,
	      "one read fault and one write fault per touched page, none elsewhere: %u faults, %u pages wrong",
	      total, wrong);
	check(sum == want_sum, "the child read my data (sum %x, want %x)", sum, want_sum);
	test_done();
}
