/*
 * Trap dispatch: a handler installed for the vector wins; otherwise a
 * fault at an address listed in the exception table is recorded in
 * exinfo and resumed at its fixup (at any CPL: ring-3 code in .user_text
 * may carry entries too); anything else is an unexpected exception and
 * fails the test.  IRQ vectors get their PIC EOI here, after the handler.
 */
#include "guest.h"

volatile struct exinfo exinfo = { EX_NONE, 0, 0, 0, 0 };
volatile struct exinfo ex_log[8];
volatile uint32_t ex_count;

static trap_handler_t handlers[256];

struct extable { uint32_t fault, fixup; };
extern const struct extable __extable_start[], __extable_end[];

void ex_clear(void)
{
	exinfo.vector = EX_NONE;
	exinfo.error = exinfo.eip = exinfo.cs = exinfo.cr2 = 0;
	ex_count = 0;
}

void idt_set_handler(unsigned vec, trap_handler_t h)
{
	handlers[vec & 0xff] = h;
}

static const struct extable *ex_find(uint32_t eip)
{
	for (const struct extable *e = __extable_start; e < __extable_end; e++)
		if (e->fault == eip)
			return e;
	return 0;
}

void trap_dispatch(struct frame *f)
{
	unsigned v = f->vector;

	if (handlers[v]) {
		handlers[v](f);
	} else if (v < 32 && ex_find(f->eip)) {
		exinfo.vector = v;
		exinfo.error = f->error;
		exinfo.eip = f->eip;
		exinfo.cs = f->cs;
		exinfo.cr2 = v == 14 ? CR_READ(2) : 0;
		if (ex_count < 8)
			ex_log[ex_count] = exinfo;
		ex_count++;
		f->eip = ex_find(f->eip)->fixup;
	} else {
		uint32_t cr2 = CR_READ(2);
		printf("unexpected exception %u at %04x:%08x error %08x cr2 %08x\n",
		       v, f->cs, f->eip, f->error, cr2);
		test_result(FAILURE);
	}
	if (v >= VEC_IRQ0 && v < VEC_IRQ0 + 16)
		pic_eoi(v - VEC_IRQ0);
}
