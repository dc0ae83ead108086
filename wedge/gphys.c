/*
 * Guest-physical addresses of linear ones, for the memory-mapped devices
 * (mmio.c).  The wedge reaches guest memory only through the guest's own
 * page tables (the kernel view), and the tables themselves lie in
 * guest-physical memory it cannot name; so the kernel walks them for us
 * (AB_HC_WALK), as the guest's MMU would, setting A and D.
 *
 * The answers are kept like a TLB's, and dropped as a TLB's are: at
 * every write of CR0, CR3 or CR4 and at invlpg, all of which the wedge
 * emulates on every target (flush_translations).  So a device page costs
 * one hypercall, not one per access.  An entry is good for the access
 * rights it was walked with: a write after reads walks again (the guest's
 * D bit), as does a ring-3 access after ring-0 ones.
 */
#include "vcpu_state.h"

#define TLB_ENTRIES 8

struct tlb_entry {
	uint32_t page, frame;      /* linear and guest-physical, 4 KiB aligned */
	uint8_t valid, write, user;
};

static struct tlb_entry tlb[TLB_ENTRIES];
static unsigned tlb_next;

static struct tlb_entry *tlb_slot(uint32_t page)
{
	for (unsigned i = 0; i < TLB_ENTRIES; i++)
		if (tlb[i].valid && tlb[i].page == page)
			return &tlb[i];
	struct tlb_entry *e = &tlb[tlb_next];
	tlb_next = (tlb_next + 1) % TLB_ENTRIES;
	return e;
}

uint32_t gphys_of(uint32_t la, int write, uint32_t *gpa)
{
	uint32_t page = la & ~0xfffu, out;
	int user = cpu.cpl == 3;
	for (unsigned i = 0; i < TLB_ENTRIES; i++) {
		const struct tlb_entry *e = &tlb[i];
		if (e->valid && e->page == page && (e->write || !write) && (e->user || !user)) {
			*gpa = e->frame | (la & 0xfff);
			return 0;
		}
	}
	if (hc_walk(la, (write ? AB_WALK_WRITE : 0) | (user ? AB_WALK_USER : 0), &out)) {
		cpu.cr2 = la;
		return EXC(V_PF, out);
	}
	struct tlb_entry *e = tlb_slot(page);
	e->page = page;
	e->frame = out & ~0xfffu;
	e->write = (uint8_t)(write != 0);
	e->user = (uint8_t)user;
	e->valid = 1;
	*gpa = out;
	return 0;
}

static void forget(uint32_t va)
{
	for (unsigned i = 0; i < TLB_ENTRIES; i++)
		if (!va || tlb[i].page == (va & ~0xfffu))
			tlb[i].valid = 0;
}

void flush_translations(uint32_t va)
{
	forget(va);
	cpu.flushed = 1;
	hc_flush(va);
}

/* A load of another page directory.  Our few device pages are all
 * forgotten (cheap to walk again); the kernel keeps what the two
 * directories share. */
void switch_translations(void)
{
	forget(0);
	cpu.flushed = 1;
	hc_flush_switch();
}
