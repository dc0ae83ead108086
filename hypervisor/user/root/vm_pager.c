/*
 * Root as the VM's pager (docs/vm-plan.md, "Memory, lazily"): a fault below
 * the guest's memory size is a guest-physical address the kernel needs,
 * answered with the page of root's block, in the largest naturally aligned
 * fpage (up to 4 MiB) that lies inside guest memory; a fault in the
 * wedge's range gets root's copy of the wedge, with its segment's rights.
 * Anything else, and any exception or request from the VM, ends it.
 */
#include "vm.h"

#define PAGE 4096u

/* The largest order (12..22) whose aligned block around addr lies in
 * [lo, hi) and whose host address (host_lo at lo) is aligned alike. */
static unsigned best_order(uint32_t addr, uint32_t lo, uint32_t hi, uint32_t host_lo)
{
	for (unsigned o = 22; o > 12; o--) {
		uint32_t size = 1u << o, b = addr & ~(size - 1);
		if (b >= lo && size <= hi - b && !((host_lo + (b - lo)) & (size - 1)))
			return o;
	}
	return 12;
}

/* A wedge segment's pages [lo, hi) and rights; 0 if addr is in none. */
static int wedge_segment(uint32_t addr, uint32_t *lo, uint32_t *hi, unsigned *rights)
{
	int found = 0;
	*rights = 0;
	for (unsigned i = 0; i < vm.wimg.nsegs; i++) {
		const struct ab_seg *s = &vm.wimg.segs[i];
		if (!wedge_seg_backed(s))
			continue;
		uint32_t a = (uint32_t)s->vaddr & ~(PAGE - 1);
		uint32_t b = (uint32_t)((s->vaddr + s->memsz + PAGE - 1) & ~(uint64_t)(PAGE - 1));
		if (addr < a || addr >= b)
			continue;
		*rights |= HV_RIGHT_R | HV_RIGHT_X | ((s->flags & 2) ? HV_RIGHT_W : 0);
		if (!found)
			*lo = a, *hi = b;
		else
			*lo = *hi = addr & ~(PAGE - 1);   /* a page shared by two segments: alone */
		found = 1;
	}
	if (found && *lo == *hi)
		*hi = *lo + PAGE;
	return found;
}

int vm_owns(uint32_t tid, uint32_t space)
{
	return vm.running && (tid == vm.tid || (space && vm.space && space == vm.space));
}

int vm_page_fault(uint32_t from, uint32_t *u)
{
	uint32_t addr = u[1], eip = u[2], err = u[3], space = u[4];
	if (from != vm.tid)
		vm_die("a page fault from thread %x, not the vCPU (%x)", from, vm.tid);
	if (!vm.space)
		vm.space = space;
	uint32_t fpage;
	if (addr < vm.mem) {
		unsigned o = best_order(addr, 0, vm.mem, vm.gbase);
		uint32_t b = addr & ~((1u << o) - 1);
		fpage = HV_FPAGE(HV_PHYS_WINDOW + vm.gbase + b, o, HV_RIGHTS_ALL);
	} else if (addr >= AB_WEDGE_BASE && addr < AB_WEDGE_END) {
		uint32_t lo, hi;
		unsigned rights;
		if (!wedge_segment(addr, &lo, &hi, &rights))
			vm_die("bad access at %x (eip %x, error %x): in the wedge's range but outside "
			       "its image %x-%x", addr, eip, err, vm.wlo, vm.whi);
		if ((err & 2) && !(rights & HV_RIGHT_W))
			vm_die("write to the wedge's read-only page %x (eip %x)", addr, eip);
		unsigned o = best_order(addr, lo, hi, vm.wbase + (lo - vm.wlo));
		uint32_t b = addr & ~((1u << o) - 1);
		fpage = HV_FPAGE(HV_PHYS_WINDOW + vm.wbase + (b - vm.wlo), o, rights);
	} else {
		vm_die("bad access at %x (eip %x, error %x): neither guest memory (< %x) nor the "
		       "wedge (%x-%x)", addr, eip, err, vm.mem, AB_WEDGE_BASE, AB_WEDGE_END);
	}
	msg_set(0, 0);
	msg_item(0, 0, HV_ITEM_MAP, fpage);
	return 1;
}

/* Anything but a page fault from the VM: an exception ends it; a request
 * (the wedge has no business with root's protocol) is refused. */
int vm_message(uint32_t from, uint32_t *u, unsigned label)
{
	if (label == HV_LABEL_EXCEPTION)
		vm_die("exception %u error %x at eip %x (thread %x)", u[HV_EXC_VECTOR], u[HV_EXC_ERROR],
		       u[HV_EXC_EIP], from);
	if (label == HV_LABEL_PAGEFAULT)
		return vm_page_fault(from, u);
	u[0] = HV_TAG(0, 1, 0);
	u[1] = HV_E_PERM;
	return 1;
}
