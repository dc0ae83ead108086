/*
 * PCI configuration mechanism #1 with no devices on the bus: 0xCF8 is the
 * address register (read back, as Linux's probe for mechanism #1 checks),
 * every read of the data window 0xCFC-0xCFF gives all ones ("no function
 * here") and data writes vanish.  Like QEMU's host bridge, only a 32-bit
 * write at 0xCF8 itself sets the address, and a narrower read anywhere in
 * 0xCF8-0xCFB gives the register's low bytes.
 *
 * 0xCF9 is the PIIX reset control register on QEMU's pc: a byte write with
 * bit 2 (reset CPU) set is a reset, which ends the guest as the i8042's
 * reset does (hc_reset); bit 1 reads back.
 */
#include "devices.h"
#include "hypercall.h"

#define RCR_PORT   0xCF9

static uint32_t config_address;
static uint8_t rcr;

void pci_reset(void)
{
	config_address = 0;
	rcr = 0;
}

uint32_t pci_in(uint16_t port, unsigned size)
{
	if (port == RCR_PORT && size == 1)
		return rcr;
	if (port < 0xCFC)
		return config_address;  /* dev_in keeps the low `size` bytes */
	return 0xFFFFFFFFu;             /* no device answers */
}

void pci_out(uint16_t port, unsigned size, uint32_t value)
{
	if (port == RCR_PORT && size == 1) {
		if (value & 0x04) {
			dev_console_flush();
			hc_reset();
		}
		rcr = value & 0x02;
		return;
	}
	if (port == 0xCF8 && size == 4)
		config_address = value;
}
