/*
 * Guest memory, by linear address.  The wedge runs in the kernel view, so a
 * guest address is just a pointer; what the guest's page tables forbid
 * faults, and gm_copy (guestmem_copy.S) turns that into a return value.
 * We make it the guest's #PF: CR2 and the error code are what the kernel
 * computed for the guest's own access (abi/vcpu.h, "Wedge faults").
 *
 * Callers add the segment base themselves (op_addr, the stack here): the
 * hardware honours the bases of the guest's descriptors, so must we.
 * Limits are not checked (docs/wedge.md, "Known gaps").
 */
#include "vcpu_state.h"

/* The reserved top of the address space (the kernel's direct map from
 * HV_KERNEL_BASE, then the wedge) is never the guest's: an access there
 * from an emulated instruction is the guest's #PF, and must not reach the
 * kernel as a wedge fault it cannot fix up. */
static int guest_range_ok(uint32_t la, unsigned n)
{
	return n <= HV_KERNEL_BASE && la <= HV_KERNEL_BASE - n;
}

static uint32_t pf_exc(uint32_t la, int write)
{
	cpu.cr2 = la;
	return EXC(V_PF, (write ? 2u : 0u) | (cpu.cpl == 3 ? 4u : 0u));
}

static uint32_t fault_exc(void)
{
	cpu.cr2 = vcpu->cr2;
	return EXC(V_PF, vcpu->error);
}

uint32_t gm_read(uint32_t la, void *dst, unsigned n)
{
	if (!guest_range_ok(la, n))
		return pf_exc(la < HV_KERNEL_BASE ? HV_KERNEL_BASE : la, 0);
	return gm_copy(dst, (const void *)la, n) ? fault_exc() : 0;
}

uint32_t gm_write(uint32_t la, const void *src, unsigned n)
{
	if (!guest_range_ok(la, n))
		return pf_exc(la < HV_KERNEL_BASE ? HV_KERNEL_BASE : la, 1);
	return gm_copy((void *)la, src, n) ? fault_exc() : 0;
}

uint32_t gm_read32(uint32_t la, uint32_t *v) { return gm_read(la, v, 4); }
uint32_t gm_write32(uint32_t la, uint32_t v) { return gm_write(la, &v, 4); }

int gm_peek(uint32_t la, void *dst, unsigned n)
{
	if (!guest_range_ok(la, n))
		return -1;
	return gm_copy(dst, (const void *)la, n);
}

/* SS:ESP, with a 32-bit stack pointer; size 2 or 4. */
uint32_t gpush(struct gregs *r, uint32_t v, unsigned size)
{
	uint32_t sp = R_ESP(r) - size;
	uint32_t e = gm_write(seg_base(SR_SS) + sp, &v, size);
	if (e)
		return e;
	R_ESP(r) = sp;
	return 0;
}

uint32_t gpop(struct gregs *r, uint32_t *v, unsigned size)
{
	uint32_t x = 0;
	uint32_t e = gm_read(seg_base(SR_SS) + R_ESP(r), &x, size);
	if (e)
		return e;
	*v = x;
	R_ESP(r) += size;
	return 0;
}
