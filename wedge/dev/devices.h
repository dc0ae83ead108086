/*
 * What the device models share among themselves (not the CPU part: that is
 * dev.h).  Each model is one file with a reset function, called by
 * dev_init, and byte-wide (or, where QEMU's model is wider, sized) port
 * handlers, which dev.c's table names.  Plus the few helpers a freestanding
 * i386 build has no library for: there is no libgcc, so no 64-bit division.
 */
#ifndef WEDGE_DEVICES_H
#define WEDGE_DEVICES_H

#include <stddef.h>
#include <stdint.h>

/* dev.h's opening comment has a slash-star inside it (a glob of the
 * wedge's C files), which -Wall (-Wcomment) with -Werror rejects; dev.h is
 * a fixed interface, so the models include it here, with that one warning
 * off for it alone. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcomment"
#include "dev.h"
#pragma GCC diagnostic pop

/* One port handler pair.  `port` is the absolute port, `size` 1 for a
 * byte-wide device (dev.c splits wider accesses into bytes, as QEMU's
 * memory core does for a device that implements only byte access). */
typedef uint32_t dev_in_fn(uint16_t port, unsigned size);
typedef void dev_out_fn(uint16_t port, unsigned size, uint32_t value);

/* One memory-mapped region's handlers: `off` is the offset in the region,
 * the access aligned to its size (dev.c splits the others as QEMU does). */
typedef uint32_t dev_mmio_read_fn(uint32_t off, unsigned size);
typedef void dev_mmio_write_fn(uint32_t off, unsigned size, uint32_t value);

/* --- the models ------------------------------------------------------------ */
void uart_reset(uint32_t console_tid);
uint32_t uart_in(uint16_t port, unsigned size);
void uart_out(uint16_t port, unsigned size, uint32_t value);
void uart_flush(void);
void uart_tick(void);

void pic_reset(void);
uint32_t pic_in(uint16_t port, unsigned size);
void pic_out(uint16_t port, unsigned size, uint32_t value);
uint32_t elcr_in(uint16_t port, unsigned size);
void elcr_out(uint16_t port, unsigned size, uint32_t value);

void pit_reset(void);
uint32_t pit_in(uint16_t port, unsigned size);
void pit_out(uint16_t port, unsigned size, uint32_t value);
uint32_t port61_in(uint16_t port, unsigned size);
void port61_out(uint16_t port, unsigned size, uint32_t value);

void rtc_reset(uint32_t mem_size);
uint32_t rtc_in(uint16_t port, unsigned size);
void rtc_out(uint16_t port, unsigned size, uint32_t value);

void i8042_reset(void);
uint32_t i8042_in(uint16_t port, unsigned size);
void i8042_out(uint16_t port, unsigned size, uint32_t value);

void pci_reset(void);
uint32_t pci_in(uint16_t port, unsigned size);
void pci_out(uint16_t port, unsigned size, uint32_t value);

void ioapic_reset(void);
uint32_t ioapic_mmio_read(uint32_t off, unsigned size);
void ioapic_mmio_write(uint32_t off, unsigned size, uint32_t value);

uint32_t debug_exit_in(uint16_t port, unsigned size);
void debug_exit_out(uint16_t port, unsigned size, uint32_t value);

/* --- helpers --------------------------------------------------------------- */
/* All ones for an access of `size` bytes (1, 2 or 4). */
static inline uint32_t dev_ones(unsigned size)
{
	return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

/* n / d and n % d for a 64-bit n: shift and subtract, since GCC would call
 * libgcc's __udivdi3 for the `/` operator on i386.  At most 64 rounds. */
static inline uint64_t dev_udiv64(uint64_t n, uint32_t d, uint32_t *rem)
{
	uint64_t q = 0, r = 0;
	for (int i = 63; i >= 0; i--) {
		r = (r << 1) | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= (uint64_t)1 << i;
		}
	}
	if (rem)
		*rem = (uint32_t)r;
	return q;
}

/* The guest's clock: the kernel's 1 kHz tick count (vcpu->ticks).  A
 * function, so that pit.c and rtc.c need not see the vCPU page. */
uint32_t dev_now_ms(void);

#endif
