/*
 * The 8259A pair: master at 0x20/0x21, slave at 0xA0/0xA1 on the master's
 * line 2, plus the edge/level control registers (ELCR) at 0x4D0/0x4D1.
 *
 * Modelled on QEMU's i8259 (hw/intc/i8259.c), because the guests' output is
 * compared with bare QEMU and they read IRR and ISR: the same priority
 * rotation, the same edge latch (`last_irr`: a line sets its IRR bit on a
 * 0 -> 1 transition only), the slave's INT output driving the master's
 * line 2 as a level, and the same spurious cases (a master IRQ 2 whose
 * slave has nothing gives the slave's vector 7).  The CPU part only ever
 * sees edges (pic_raise), so every line but the cascade is pulsed.
 *
 * One simplification: every line is edge-triggered.  The ELCR reads back
 * what was written, but its level mode would need a device holding a line
 * high, and the only sources here (the kernel's timer, the UART) give edges.
 */
#include "devices.h"

struct pic {
	uint8_t irr, imr, isr;
	uint8_t last_irr;       /* the input levels, for edge detection */
	uint8_t priority_add;   /* the lowest-priority line + 1 (rotation) */
	uint8_t irq_base;
	uint8_t read_isr;       /* OCW3: the command port reads ISR, not IRR */
	uint8_t poll;
	uint8_t special_mask;
	uint8_t init_state;     /* 0 normal, 1..3: ICW2..ICW4 expected next */
	uint8_t auto_eoi, rotate_on_auto_eoi, special_fully_nested;
	uint8_t init4, single_mode;
	uint8_t elcr, elcr_mask;
};

static struct pic pics[2];   /* 0 master, 1 slave */

/* Bumped by every entry point that may change the pair's state (pic_out,
 * a polling pic_in, pic_raise, pic_ack, pic_reset): what the CPU part
 * asks at every exit (pic_unmasked, pic_deliverable) cannot have changed
 * while it stays the same (dev.h). */
uint32_t pic_changes;
#define changes pic_changes
#define MASTER (&pics[0])
#define SLAVE (&pics[1])

/* The highest priority (0 is highest) among mask's lines; 8 if none. */
static int priority_of(const struct pic *s, uint8_t mask)
{
	if (!mask)
		return 8;
	int p = 0;
	while (!(mask & (1u << ((p + s->priority_add) & 7))))
		p++;
	return p;
}

/* The line this PIC wants to interrupt with, or -1. */
static int pic_get_irq(const struct pic *s)
{
	int p = priority_of(s, s->irr & ~s->imr);
	if (p == 8)
		return -1;
	uint8_t mask = s->isr;
	if (s->special_mask)
		mask &= ~s->imr;
	if (s->special_fully_nested && s == MASTER)
		mask &= ~(1u << 2);
	return p < priority_of(s, mask) ? (p + s->priority_add) & 7 : -1;
}

static void set_line(struct pic *s, int line, int level);

/* The slave's INT output is the master's line 2; the master's output is
 * the CPU's INTR, which the CPU part samples with pic_deliverable. */
static void pic_update(struct pic *s)
{
	if (s == SLAVE)
		set_line(MASTER, 2, pic_get_irq(SLAVE) >= 0);
}

static void set_line(struct pic *s, int line, int level)
{
	uint8_t mask = (uint8_t)(1u << line);
	if (level) {
		if (!(s->last_irr & mask))
			s->irr |= mask;
		s->last_irr |= mask;
	} else {
		s->last_irr &= (uint8_t)~mask;
	}
	pic_update(s);
}

static void pic_intack(struct pic *s, int irq)
{
	if (s->auto_eoi) {
		if (s->rotate_on_auto_eoi)
			s->priority_add = (uint8_t)((irq + 1) & 7);
	} else {
		s->isr |= (uint8_t)(1u << irq);
	}
	s->irr &= (uint8_t)~(1u << irq);
	pic_update(s);
}

/* ICW1 resets everything but the ELCR. */
static void pic_init_reset(struct pic *s)
{
	s->last_irr = 0;
	s->irr = 0;
	s->imr = s->isr = 0;
	s->priority_add = s->irq_base = 0;
	s->read_isr = s->poll = s->special_mask = 0;
	s->init_state = 0;
	s->auto_eoi = s->rotate_on_auto_eoi = s->special_fully_nested = 0;
	s->init4 = s->single_mode = 0;
	pic_update(s);
}

/* As the BIOS leaves the pair for a PVH kernel (SeaBIOS on QEMU's pc):
 * initialized with vector bases 0x08 and 0x70, the slave's PCI lines 10
 * and 11 level-triggered.  The IMRs mask everything but the cascade, so
 * nothing reaches the guest before it programs the PICs itself. */
void pic_reset(void)
{
	changes++;
	for (int i = 0; i < 2; i++) {
		struct pic *s = &pics[i];
		s->elcr = 0;
		pic_init_reset(s);
	}
	MASTER->irq_base = 0x08;
	SLAVE->irq_base = 0x70;
	MASTER->imr = 0xFB;
	SLAVE->imr = 0xFF;
	MASTER->elcr_mask = 0xF8;
	SLAVE->elcr_mask = 0xDE;
	SLAVE->elcr = 0x0C;
}

static void pic_write_cmd(struct pic *s, uint8_t val)
{
	if (val & 0x10) {                       /* ICW1 */
		pic_init_reset(s);
		s->init_state = 1;
		s->init4 = val & 1;
		s->single_mode = (val >> 1) & 1;
		/* Bit 3 (level-triggered) is ignored, as by QEMU: the ELCR rules. */
	} else if (val & 0x08) {                /* OCW3 */
		if (val & 0x04)
			s->poll = 1;
		if (val & 0x02)
			s->read_isr = val & 1;
		if (val & 0x40)
			s->special_mask = (val >> 5) & 1;
	} else {                                /* OCW2 */
		int cmd = val >> 5, irq;
		switch (cmd) {
		case 0:                         /* rotate in auto-EOI mode: clear/set */
		case 4:
			s->rotate_on_auto_eoi = (uint8_t)(cmd >> 2);
			break;
		case 1:                         /* non-specific EOI */
		case 5:                         /* ... and rotate */
			irq = priority_of(s, s->isr);
			if (irq != 8) {
				irq = (irq + s->priority_add) & 7;
				s->isr &= (uint8_t)~(1u << irq);
				if (cmd == 5)
					s->priority_add = (uint8_t)((irq + 1) & 7);
				pic_update(s);
			}
			break;
		case 3:                         /* specific EOI */
			s->isr &= (uint8_t)~(1u << (val & 7));
			pic_update(s);
			break;
		case 6:                         /* set priority */
			s->priority_add = (uint8_t)((val + 1) & 7);
			pic_update(s);
			break;
		case 7:                         /* rotate on specific EOI */
			irq = val & 7;
			s->isr &= (uint8_t)~(1u << irq);
			s->priority_add = (uint8_t)((irq + 1) & 7);
			pic_update(s);
			break;
		default:                        /* 2: no operation */
			break;
		}
	}
}

static void pic_write_data(struct pic *s, uint8_t val)
{
	switch (s->init_state) {
	case 0:                                 /* OCW1 */
		s->imr = val;
		pic_update(s);
		break;
	case 1:                                 /* ICW2 */
		s->irq_base = val & 0xF8;
		s->init_state = s->single_mode ? (s->init4 ? 3 : 0) : 2;
		break;
	case 2:                                 /* ICW3: the wiring is fixed */
		s->init_state = s->init4 ? 3 : 0;
		break;
	case 3:                                 /* ICW4 */
		s->special_fully_nested = (val >> 4) & 1;
		s->auto_eoi = (val >> 1) & 1;
		s->init_state = 0;
		break;
	}
}

void pic_out(uint16_t port, unsigned size, uint32_t value)
{
	(void)size;
	struct pic *s = port >= 0xA0 ? SLAVE : MASTER;
	changes++;
	if (port & 1)
		pic_write_data(s, (uint8_t)value);
	else
		pic_write_cmd(s, (uint8_t)value);
}

uint32_t pic_in(uint16_t port, unsigned size)
{
	(void)size;
	struct pic *s = port >= 0xA0 ? SLAVE : MASTER;
	if (s->poll) {                          /* poll mode: an acknowledge */
		int irq = pic_get_irq(s);
		changes++;
		s->poll = 0;
		if (irq < 0)
			return 0;
		pic_intack(s, irq);
		return 0x80u | (uint32_t)irq;
	}
	if (port & 1)
		return s->imr;
	return s->read_isr ? s->isr : s->irr;
}

uint32_t elcr_in(uint16_t port, unsigned size)
{
	(void)size;
	return pics[port & 1].elcr;
}

void elcr_out(uint16_t port, unsigned size, uint32_t value)
{
	(void)size;
	struct pic *s = &pics[port & 1];
	s->elcr = (uint8_t)value & s->elcr_mask;
}

/* --- the CPU part's side (dev.h) ------------------------------------------ */

void pic_raise(uint32_t lines)
{
	changes++;
	for (int n = 0; n < 16; n++) {
		if (!(lines & (1u << n)) || n == 2)
			continue;       /* 2 is the cascade: the slave drives it */
		struct pic *s = n < 8 ? MASTER : SLAVE;
		set_line(s, n & 7, 1);
		set_line(s, n & 7, 0);  /* a pulse: the next raise is a new edge */
	}
}

int pic_deliverable(void)
{
	return pic_get_irq(MASTER) >= 0;
}

static int last_line;

int pic_last_line(void)
{
	return last_line;
}

int pic_ack(void)
{
	changes++;
	int irq = pic_get_irq(MASTER);
	if (irq < 0)
		return -1;
	int vector;
	if (irq == 2) {
		int irq2 = pic_get_irq(SLAVE);
		if (irq2 >= 0)
			pic_intack(SLAVE, irq2);
		else
			irq2 = 7;       /* spurious on the slave */
		vector = SLAVE->irq_base + irq2;
		last_line = 8 + irq2;
	} else {
		vector = MASTER->irq_base + irq;
		last_line = irq;
	}
	pic_intack(MASTER, irq);
	return vector;
}

uint32_t pic_unmasked(void)
{
	uint32_t lines = (uint8_t)~MASTER->imr;
	if (lines & (1u << 2))
		lines |= (uint32_t)(uint8_t)~SLAVE->imr << 8;
	return lines & ~(1u << 2);
}
