/*
 * The I/O APIC of QEMU's pc, as a guest reads and writes it: QEMU's model
 * (hw/intc/ioapic.c, version 0x20, 24 pins) at guest-physical 0xFEC00000,
 * a 4 KiB region whose registers repeat every 256 bytes (QEMU masks the
 * offset with 0xFF).
 *
 *   +0x00 IOREGSEL  any size; 8 bits kept (QEMU's field is a uint8_t)
 *   +0x10 IOWIN     32-bit accesses only; others read 0 and are ignored
 *   (anything else reads 0; the EOI register at +0x40 only clears remote
 *   IRR bits, which are never set here)
 *
 *   ID (0)      bits 24-27 hold the ID, 0 at reset
 *   VERSION (1) 0x00170020: version 0x20, highest entry 23; read-only
 *   ARB (2)     reads as ID; read-only
 *   0x10+2n, 0x11+2n  entry n, low and high word; masked (0x10000) at
 *               reset; delivery status (bit 12) and remote IRR (bit 14)
 *               are read-only and stay 0; every other bit reads back,
 *               reserved ones too, as QEMU keeps them
 *
 * It never raises an interrupt: no input line reaches it and no entry is
 * ever delivered, whatever its mask (docs/wedge-devices.md).  The PIC is
 * the interrupt controller, as for every guest we run.
 */
#include "devices.h"

#define IOREGSEL      0x00
#define IOWIN         0x10
#define REG_ID        0x00
#define REG_VERSION   0x01
#define REG_ARB       0x02
#define REG_REDTBL    0x10
#define PINS          24
#define VERSION       (0x20u | (PINS - 1u) << 16)
#define LVT_MASKED    0x00010000u
#define LVT_RO_BITS   0x00005000u   /* remote IRR (14), delivery status (12) */

static uint8_t ioregsel, id;
static uint32_t redtbl_lo[PINS], redtbl_hi[PINS];

void ioapic_reset(void)
{
	ioregsel = 0;
	id = 0;
	for (unsigned i = 0; i < PINS; i++) {
		redtbl_lo[i] = LVT_MASKED;
		redtbl_hi[i] = 0;
	}
}

/* The entry word IOREGSEL selects, or NULL (QEMU: an index outside the table). */
static uint32_t *entry_word(void)
{
	unsigned i = (unsigned)(ioregsel - REG_REDTBL) / 2;
	if (ioregsel < REG_REDTBL || i >= PINS)
		return NULL;
	return (ioregsel & 1) ? &redtbl_hi[i] : &redtbl_lo[i];
}

uint32_t ioapic_mmio_read(uint32_t off, unsigned size)
{
	off &= 0xFF;
	if (off == IOREGSEL)
		return ioregsel;
	if (off != IOWIN || size != 4)
		return 0;
	switch (ioregsel) {
	case REG_ID:
	case REG_ARB:
		return (uint32_t)id << 24;
	case REG_VERSION:
		return VERSION;
	}
	uint32_t *w = entry_word();
	return w ? *w : 0;
}

void ioapic_mmio_write(uint32_t off, unsigned size, uint32_t value)
{
	off &= 0xFF;
	if (off == IOREGSEL) {
		ioregsel = (uint8_t)value;
		return;
	}
	if (off != IOWIN || size != 4)
		return;
	switch (ioregsel) {
	case REG_ID:
		id = (value >> 24) & 0xF;
		return;
	case REG_VERSION:
	case REG_ARB:
		return;
	}
	uint32_t *w = entry_word();
	if (!w)
		return;
	/* The read-only bits live in the low word; they keep their value (0). */
	if (!(ioregsel & 1))
		value = (value & ~LVT_RO_BITS) | (*w & LVT_RO_BITS);
	*w = value;
}
