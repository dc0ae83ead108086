/*
 * A VM's segments.  The guest's selectors must be the real ones in %ds,
 * %es, %fs and %gs: the afterburner does not annotate reading them, and
 * the hardware must honour segment bases (Linux's per-CPU %fs).  So each
 * VM has two GDTs (and LDTs), one per view, whose entries below
 * GDT_GUEST_ENTRIES are copies of the guest's descriptors that the wedge
 * publishes in the vCPU page:
 *   - kernel view: every code or data descriptor, with its DPL raised to 3
 *     so the guest kernel, at CPL 3, can load it;
 *   - user view: only the guest's own DPL-3 code and data descriptors, so
 *     guest user mode can load exactly what it could on hardware.
 * System descriptors (TSS, LDT, gates) are never copied: the kernel's own
 * TSS and the LDT selector stay ours.  Segmentation protects nothing here
 * (paging does), so a copy may have any base and limit.
 */
#include "kernel.h"
#include "vm.h"

#define D_PRESENT (1ull << 47)
#define D_S       (1ull << 44)
#define D_EXEC    (1ull << 43)
#define D_RW      (1ull << 41)     /* data: writable; code: readable */
#define D_DPL     (3ull << 45)

static uint64_t for_kernel_view(uint64_t d)
{
	return (d & D_S) ? d | D_DPL : 0;
}

static uint64_t for_user_view(uint64_t d)
{
	return (d & D_S) && (d & D_DPL) == D_DPL ? d : 0;
}

/* An LDT system descriptor for the kernel's copy at base, n entries. */
static uint64_t ldt_descriptor(uint32_t base, unsigned n)
{
	uint32_t limit = n * 8 - 1;
	uint32_t lo = (limit & 0xFFFFu) | (base << 16);
	uint32_t hi = ((base >> 16) & 0xFFu) | (0x82u << 8) | (limit & 0xF0000u) | (base & 0xFF000000u);
	return (uint64_t)hi << 32 | lo;
}

enum seg_use { SEG_DATA, SEG_CODE, SEG_STACK, SEG_USES };

/* Would the CPU load a selector of descriptor d at CPL 3 for this use? */
static int loadable_desc(uint64_t d, enum seg_use use)
{
	if (!(d & D_PRESENT) || !(d & D_S) || (d & D_DPL) != D_DPL)
		return 0;
	switch (use) {
	case SEG_CODE: return (d & D_EXEC) != 0;
	case SEG_STACK: return !(d & D_EXEC) && (d & D_RW);
	default: return !(d & D_EXEC) || (d & D_RW);
	}
}

/* The copies changed: the answers of loadable(), one bit per entry, so a
 * resume (six selectors, two or three resumes per guest system call)
 * reads bits instead of judging descriptors. */
static void loadable_masks(struct vm *vm)
{
	for (unsigned v = 0; v < VIEWS; v++)
		for (unsigned u = 0; u < SEG_USES; u++) {
			uint32_t g = 0, l = 0;
			for (unsigned i = 0; i < GDT_GUEST_ENTRIES; i++)
				if (loadable_desc(vm->gdt[v][i], u))
					g |= 1u << i;
			for (unsigned i = 0; i < vm->ldt_entries; i++)
				if (loadable_desc(vm->ldt[v][i], u))
					l |= 1u << i;
			vm->loadable_gdt[v][u] = g;
			vm->loadable_ldt[v][u] = l;
		}
	for (unsigned v = 0; v < VIEWS; v++)
		vm->sel_known[v] = 0;
}
_Static_assert(GDT_GUEST_ENTRIES <= 32 && AB_VCPU_LDT_ENTRIES <= 32, "the masks are 32 bits");

void vm_desc_init(struct vm *vm)
{
	for (unsigned v = 0; v < VIEWS; v++)
		arch_gdt_template(vm->gdt[v]);
	vm->desc_gen = vm->page->desc_gen - 1;     /* the first resume syncs */
	loadable_masks(vm);
}

/* At a resume: take the guest's descriptors if the wedge published new
 * ones (1: it did, the GDT and LDT must be loaded again). */
int vm_desc_sync(struct vm *vm)
{
	const struct ab_vcpu *p = vm->page;
	if (p->desc_gen == vm->desc_gen)
		return 0;
	vm->desc_gen = p->desc_gen;
	for (unsigned i = 0; i < GDT_GUEST_ENTRIES && i < AB_VCPU_GDT_ENTRIES; i++) {
		uint64_t d = p->gdt[i];
		vm->gdt[VIEW_KERNEL][i] = i ? for_kernel_view(d) : 0;
		vm->gdt[VIEW_USER][i] = i ? for_user_view(d) : 0;
	}
	unsigned n = p->ldt_entries < AB_VCPU_LDT_ENTRIES ? p->ldt_entries : AB_VCPU_LDT_ENTRIES;
	vm->ldt_entries = n;
	for (unsigned i = 0; i < AB_VCPU_LDT_ENTRIES; i++) {
		uint64_t d = i < n ? p->ldt[i] : 0;
		vm->ldt[VIEW_KERNEL][i] = for_kernel_view(d);
		vm->ldt[VIEW_USER][i] = for_user_view(d);
	}
	for (unsigned v = 0; v < VIEWS; v++)
		vm->gdt[v][SEL_LDT >> 3] = n ? ldt_descriptor((uint32_t)(uintptr_t)vm->ldt[v], n) : 0;
	loadable_masks(vm);
	return 1;
}

void vm_desc_load(struct vm *vm)
{
	arch_load_gdt(vm->gdt[vm->view], vm->ldt_entries ? SEL_LDT : 0);
}

/* Would the CPU load sel at CPL 3 in this view?  Then it is the guest's. */
static inline int loadable(const struct vm *vm, unsigned view, uint32_t sel, enum seg_use use)
{
	unsigned idx = (sel & 0xFFFFu) >> 3;
	if ((sel & 0xFFFFu) < 4)
		return use == SEG_DATA;          /* the null selector: data registers only */
	if (sel & 4)
		return idx < vm->ldt_entries && (vm->loadable_ldt[view][use] >> idx) & 1;
	return idx < GDT_GUEST_ENTRIES && (vm->loadable_gdt[view][use] >> idx) & 1;
}

/* The selectors to resume with, in the view about to run.  A guest
 * mostly resumes with the selectors it resumed with last time in that
 * view (a system call: its user ones, then its kernel ones): the answer
 * depends only on them, the view and the copies, so the last one of each
 * view is kept (loadable_masks forgets them when the copies change). */
void vm_desc_selectors(struct vm *vm, unsigned view, const struct ab_vcpu_regs *r, struct trap_frame *tf)
{
	uint32_t in[6] = { r->ds, r->es, r->fs, r->gs, r->cs, r->ss };
	uint32_t *last = vm->sel_in[view], *out = vm->sel_out[view];
	if (!vm->sel_known[view] || in[0] != last[0] || in[1] != last[1] || in[2] != last[2] ||
	    in[3] != last[3] || in[4] != last[4] || in[5] != last[5]) {
		for (unsigned i = 0; i < 4; i++)
			out[i] = loadable(vm, view, in[i], SEG_DATA) ? (in[i] & 0xFFFFu) : SEL_UDATA;
		out[4] = loadable(vm, view, in[4], SEG_CODE) ? ((in[4] & 0xFFFFu) | 3u) : SEL_UCODE;
		out[5] = loadable(vm, view, in[5], SEG_STACK) ? ((in[5] & 0xFFFFu) | 3u) : SEL_UDATA;
		for (unsigned i = 0; i < 6; i++)
			last[i] = in[i];
		vm->sel_known[view] = 1;
	}
	tf->ds = out[0];
	tf->es = out[1];
	tf->fs = out[2];
	tf->gs = out[3];
	tf->cs = out[4];
	tf->ss = out[5];
}
