/*
 * The 8254 PIT, channel 0: the kernel's tick at TICK_HZ on IRQ0.  The
 * other channels (and port 0x61) are left to whoever is granted them.
 */
#include "arch.h"
#include "x86.h"

#define PIT_HZ   1193182u
#define PIT_CH0  0x40
#define PIT_CMD  0x43

void pit_init(void)
{
	uint32_t divisor = (PIT_HZ + TICK_HZ / 2) / TICK_HZ;
	outb(PIT_CMD, 0x34);          /* channel 0, lobyte/hibyte, mode 2 (rate generator) */
	outb(PIT_CH0, (uint8_t)divisor);
	outb(PIT_CH0, (uint8_t)(divisor >> 8));
}
