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

/* gm_read and gm_write are inline (vcpu_state.h): the range check and
 * the copy; these make the #PF of a refused access. */
uint32_t gm_range_exc(uint32_t la, int write)
{
	cpu.cr2 = la < HV_KERNEL_BASE ? HV_KERNEL_BASE : la;
	return EXC(V_PF, (write ? 2u : 0u) | (cpu.cpl == 3 ? 4u : 0u));
}

uint32_t gm_fault_exc(void)
{
	cpu.cr2 = vcpu->cr2;
	return EXC(V_PF, vcpu->error);
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

/* n pops of size bytes at once (n <= 5): one read of the guest stack
 * instead of n.  The first word that faults is the one the n pops would
 * have faulted on (the read goes upward, as they do). */
uint32_t gpop_n(struct gregs *r, uint32_t *v, unsigned n, unsigned size)
{
	uint32_t w[5];
	uint16_t h[5];
	uint32_t e = gm_read(seg_base(SR_SS) + R_ESP(r), size == 4 ? (void *)w : (void *)h, n * size);
	if (e)
		return e;
	for (unsigned i = 0; i < n; i++)
		v[i] = size == 4 ? w[i] : h[i];
	R_ESP(r) += n * size;
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
