/*
 * The PC devices the wedge models (docs/wedge.md, "Devices"): the interface
 * between the CPU part of the wedge (the C files of wedge/) and the device models
 * (the files in wedge/dev).  Everything a guest reaches through in/out lands here,
 * and every access to a memory-mapped device register (wedge/mmio.c).
 */
#ifndef WEDGE_DEV_H
#define WEDGE_DEV_H

#include <stdint.h>

struct ab_wedge_boot;

/* At the wedge's boot, before the guest's first instruction. */
void dev_init(const struct ab_wedge_boot *boot);

/* Port I/O from the guest; size is 1, 2 or 4.  A port no device claims
 * reads all ones and ignores writes, as on a PC. */
uint32_t dev_in(uint16_t port, unsigned size);
void dev_out(uint16_t port, unsigned size, uint32_t value);

/* Memory-mapped devices: guest-physical addresses beyond guest memory
 * that a model answers (the I/O APIC at 0xFEC00000).  The CPU part asks
 * dev_mmio_claims first and calls the others only for a claimed address;
 * size is 1, 2 or 4, and an access need not be aligned. */
int dev_mmio_claims(uint32_t gpa);
uint32_t dev_mmio_read(uint32_t gpa, unsigned size);
void dev_mmio_write(uint32_t gpa, unsigned size, uint32_t value);

/* The 8259A pair.  pic_raise: these lines had an edge (bit n = IRQ n; the
 * CPU part passes what it took from vcpu->irq_pending).  pic_ack: the vector
 * of the interrupt the CPU takes now (IRR -> ISR), or -1 if none is
 * deliverable (masked, or blocked by a higher-priority in-service one).
 * pic_unmasked: the lines the IMRs let through (for vcpu->irq_unmasked). */
void pic_raise(uint32_t lines);
int pic_ack(void);
int pic_deliverable(void);
uint32_t pic_unmasked(void);
/* A count of the calls that may have changed the pair (pic_raise,
 * pic_ack, a port write or a polling read): equal counts, equal answers
 * from pic_deliverable and pic_unmasked.  A variable: the CPU part reads
 * it at every exit.  Only pic.c writes it. */
extern uint32_t pic_changes;
/* The line (0..15) of the interrupt pic_ack last took: the trap dump
 * counts lines, not vectors. */
int pic_last_line(void);

/* Send what the UART holds to the console server (before a shutdown, and
 * when the guest halts: a prompt has no newline to send it). */
void dev_console_flush(void);

/* The guest's timer expired (the CPU part took bit 0 of vcpu->irq_pending),
 * once per expiry.  The models that talk to the outside look now: the UART
 * sends held output and asks the console server for input.  May raise
 * IRQ 4, so the CPU part calls it before it looks for a deliverable line. */
void dev_tick(void);

#endif
