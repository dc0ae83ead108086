/*
 * The i8042 keyboard controller (0x60 data, 0x64 status/command) as a
 * controller with nothing behind it: the status port shows no output data
 * and an empty input buffer, and no command is ever answered, so a guest's
 * probe (Linux: "controller selftest timeout") finds no keyboard and no
 * mouse.  The status byte is QEMU's after the BIOS's self-test (system
 * flag, last write a command, not inhibited), so a guest that merely looks
 * sees a controller.
 *
 * The one command that matters is the reset pulse: 0xFE, and like QEMU
 * every "pulse output lines" command 0xF0-0xFE that pulses line 0.  A PC
 * resets, and so does the guest here: hc_reset has the kernel reset the
 * real machine, so QEMU with -no-reboot ends with status 0 exactly as when
 * the same kernel resets bare (docs/vm-plan.md, "Shutdown").
 */
#include "devices.h"
#include "hypercall.h"

#define STATUS_SYS      0x04   /* self-test passed */
#define STATUS_CMD      0x08   /* the last write went to 0x64 */
#define STATUS_UNLOCKED 0x10   /* keyboard not inhibited */

void i8042_reset(void)
{
}

uint32_t i8042_in(uint16_t port, unsigned size)
{
	(void)size;
	if (port == 0x64)
		return STATUS_SYS | STATUS_CMD | STATUS_UNLOCKED;   /* no OBF, no IBF */
	return 0x00;            /* no data: the output buffer is empty */
}

void i8042_out(uint16_t port, unsigned size, uint32_t value)
{
	(void)size;
	if (port == 0x64 && (value & 0xF1) == 0xF0) {
		dev_console_flush();
		hc_reset();
	}
	/* Anything else is accepted and ignored: no device ever answers. */
}
