/*
 * Root's protocol (lib/proto.h, docs/hypervisor-user.md): exit, zero-page
 * regions, IRQs, and the console's I/O ports.
 */
#include "root.h"

/* ROOT_* requests.  Returns 1 with the answer in the UTCB, 0 for none. */
int request(uint32_t from, uint32_t *u, unsigned label)
{
	struct task *t = task_of(from, 0);
	uint32_t a = u[1], b = u[2], st = HV_E_INVAL;
	if (!t)
		st = HV_E_PERM;
	else if (label == ROOT_EXIT && t->tid == from) {
		finish(t, a == HVU_EXIT_SUCCESS ? END_SUCCESS : a == HVU_EXIT_SKIP ? END_SKIP : END_FAILURE);
		return 0;
	} else if (label == ROOT_REGION) {
		if (a & 0xFFF || !b || b > HVU_REGION_MAX_PAGES || a < HVU_REGION_MIN ||
		    a > HVU_REGION_MAX - b * 4096)
			st = HV_E_INVAL;
		else if (t->nregions == MAX_REGIONS)
			st = HV_E_NOMEM;
		else {
			t->regions[t->nregions].base = a;
			t->regions[t->nregions++].end = a + b * 4096;
			st = HV_OK;
		}
	} else if (label == ROOT_IRQ) {
		if (a < 16 && b != root_tid && b != console_tid) {
			st = hv_irq_attach(a, b);
			if (st == HV_OK && b)
				t->irqs |= 1u << a;
		}
	} else if (label == ROOT_IO && t == &tasks[1] && a == COM1_BASE && b == COM1_ORDER) {
		msg_set(0, 1, HV_OK);
		msg_item(1, 0, HV_ITEM_IO, HV_IO_FPAGE(a, b));
		return 1;
	} else {
		st = HV_E_PERM;
	}
	u[0] = HV_TAG(0, 1, 0);
	u[1] = st;
	return 1;
}

