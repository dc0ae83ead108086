/*
 * The dispatch: which model answers which I/O port, and which memory-mapped
 * one which guest-physical address (docs/wedge-devices.md).
 *
 * A port no model claims reads all ones and ignores writes, as an
 * unassigned port does on a PC and in QEMU.  Most PC devices implement
 * byte access only; QEMU's memory core splits a wider access into bytes
 * at consecutive ports, each going wherever its port leads (an `inw` from
 * 0x20 reads the master PIC's IRR and then its IMR).  We do the same, so
 * only the models QEMU gives wider access (PCI configuration, the debug
 * exit) see sizes above 1.
 */
#include "devices.h"
#include "hypercall.h"

struct dev_range {
	uint16_t first, last;   /* inclusive */
	uint8_t wide;           /* 1: the handler takes sizes 2 and 4 itself */
	dev_in_fn *in;          /* NULL: reads all ones */
	dev_out_fn *out;        /* NULL: writes ignored */
};

static const struct dev_range dev_table[] = {
	{ 0x0020, 0x0021, 0, pic_in, pic_out },           /* master 8259A */
	{ 0x0040, 0x0043, 0, pit_in, pit_out },           /* 8254 */
	{ 0x0060, 0x0060, 0, i8042_in, i8042_out },       /* keyboard controller data */
	{ 0x0061, 0x0061, 0, port61_in, port61_out },     /* system control port B */
	{ 0x0064, 0x0064, 0, i8042_in, i8042_out },       /* keyboard controller status/command */
	{ 0x0070, 0x0071, 0, rtc_in, rtc_out },           /* CMOS index/data */
	{ 0x0080, 0x0080, 0, NULL, NULL },                /* POST codes: a sink */
	{ 0x00A0, 0x00A1, 0, pic_in, pic_out },           /* slave 8259A */
	{ 0x00ED, 0x00ED, 0, NULL, NULL },                /* Linux's io_delay port: a sink */
	{ 0x00F4, 0x00F7, 1, debug_exit_in, debug_exit_out },  /* isa-debug-exit, iosize 4 */
	{ 0x03F8, 0x03FF, 0, uart_in, uart_out },         /* COM1 */
	{ 0x04D0, 0x04D1, 0, elcr_in, elcr_out },         /* the PICs' edge/level registers */
	{ 0x0CF8, 0x0CFF, 1, pci_in, pci_out },           /* PCI configuration mechanism #1 */
};

#define DEV_COUNT (sizeof dev_table / sizeof dev_table[0])

static const struct dev_range *dev_find(uint16_t port)
{
	for (unsigned i = 0; i < DEV_COUNT; i++)
		if (port >= dev_table[i].first && port <= dev_table[i].last)
			return &dev_table[i];
	return NULL;
}

static unsigned dev_size(unsigned size)
{
	return size == 2 || size == 4 ? size : 1;
}

uint32_t dev_in(uint16_t port, unsigned size)
{
	size = dev_size(size);
	const struct dev_range *d = dev_find(port);
	if (d && d->wide)
		return d->in ? d->in(port, size) & dev_ones(size) : dev_ones(size);
	if (size > 1) {
		/* Byte by byte, little-endian; the port number wraps at 64 K. */
		uint32_t v = 0;
		for (unsigned i = 0; i < size; i++)
			v |= dev_in((uint16_t)(port + i), 1) << (8 * i);
		return v;
	}
	return d && d->in ? d->in(port, 1) & 0xFF : 0xFF;
}

void dev_out(uint16_t port, unsigned size, uint32_t value)
{
	size = dev_size(size);
	const struct dev_range *d = dev_find(port);
	if (d && d->wide) {
		if (d->out)
			d->out(port, size, value & dev_ones(size));
		return;
	}
	if (size > 1) {
		for (unsigned i = 0; i < size; i++)
			dev_out((uint16_t)(port + i), 1, (value >> (8 * i)) & 0xFF);
		return;
	}
	if (d && d->out)
		d->out(port, 1, value & 0xFF);
}

/* --- memory-mapped devices ---------------------------------------------- */

struct dev_mmio {
	uint32_t base, size;    /* guest-physical, beyond any guest memory */
	dev_mmio_read_fn *read;
	dev_mmio_write_fn *write;
};

static const struct dev_mmio mmio_table[] = {
	{ 0xFEC00000u, 0x1000, ioapic_mmio_read, ioapic_mmio_write },   /* I/O APIC */
};

#define MMIO_COUNT (sizeof mmio_table / sizeof mmio_table[0])

static const struct dev_mmio *mmio_find(uint32_t gpa)
{
	for (unsigned i = 0; i < MMIO_COUNT; i++)
		if (gpa - mmio_table[i].base < mmio_table[i].size)
			return &mmio_table[i];
	return NULL;
}

int dev_mmio_claims(uint32_t gpa)
{
	return mmio_find(gpa) != NULL;
}

/* One aligned access; outside every region reads 0 (QEMU's unassigned
 * memory) and ignores writes. */
static uint32_t mmio_read1(uint32_t gpa, unsigned size)
{
	const struct dev_mmio *d = mmio_find(gpa);
	return d ? d->read(gpa - d->base, size) & dev_ones(size) : 0;
}

/* A misaligned access is what QEMU's TCG makes of it (accel/tcg/cputlb.c):
 * a read is the two aligned reads of the same size around it, combined;
 * a write goes out byte by byte. */
uint32_t dev_mmio_read(uint32_t gpa, unsigned size)
{
	size = dev_size(size);
	unsigned shift = (gpa & (size - 1)) * 8;
	if (!shift)
		return mmio_read1(gpa, size);
	uint32_t a = gpa & ~(size - 1);
	uint64_t v = mmio_read1(a, size) | (uint64_t)mmio_read1(a + size, size) << (8 * size);
	return (uint32_t)(v >> shift) & dev_ones(size);
}

void dev_mmio_write(uint32_t gpa, unsigned size, uint32_t value)
{
	size = dev_size(size);
	if (gpa & (size - 1)) {
		for (unsigned i = 0; i < size; i++)
			dev_mmio_write(gpa + i, 1, (value >> (8 * i)) & 0xFF);
		return;
	}
	const struct dev_mmio *d = mmio_find(gpa);
	if (d)
		d->write(gpa - d->base, size, value & dev_ones(size));
}

void dev_init(const struct ab_wedge_boot *boot)
{
	uart_reset(boot ? boot->console_tid : 0);
	pic_reset();
	pit_reset();
	rtc_reset(boot ? boot->mem_size : 0);
	i8042_reset();
	pci_reset();
	ioapic_reset();
}

void dev_console_flush(void)
{
	uart_flush();
}

void dev_tick(void)
{
	uart_tick();
}

uint32_t dev_now_ms(void)
{
	return vcpu->ticks;
}
