/*
 * The 8254 PIT (0x40-0x43) and system control port B (0x61).
 *
 * Register behaviour follows QEMU's i8254 (hw/timer/i8254.c) and PC speaker
 * (hw/audio/pcspk.c), since guests are compared with bare QEMU: the same
 * read/write byte sequencing, counter latch, read-back status (null count
 * always 0, as QEMU has it), OUT and count as functions of the time since
 * the count was loaded, the gate of channel 2 from port 0x61, and 0x61's
 * refresh bit 4 toggling on every read.
 *
 * Time is the kernel's 1 kHz tick (dev_now_ms), so counts and OUT move in
 * steps of 1193 PIT clocks; no guest prints them.  Channel 0's OUT is not
 * what raises IRQ 0: a kernel timer does (hc_timer), programmed whenever
 * channel 0 gets a count: periodic in modes 2 and 3, one-shot in modes 0
 * and 4 (one rising edge of OUT), stopped in modes 1 and 5 (channel 0's
 * gate has no rising edge to start them).
 */
#include "devices.h"
#include "hypercall.h"

#define PIT_HZ 1193182u

enum { RW_LSB = 1, RW_MSB = 2, RW_WORD0 = 3, RW_WORD1 = 4 };

struct pit_channel {
	uint32_t count;         /* 1..0x10000 (a written 0 is 0x10000) */
	uint32_t load_ms;       /* when the count was loaded (or the gate rose) */
	uint8_t mode, rw_mode, bcd, gate;
	uint8_t read_state, write_state, write_latch;
	uint8_t count_latched;  /* RW_* of the latched count, 0: none */
	uint16_t latched_count;
	uint8_t status, status_latched;
};

static struct pit_channel ch[3];
static uint8_t speaker_on;   /* port 0x61 bit 1 */
static uint8_t refresh;      /* port 0x61 bit 4, toggled per read */

/* PIT clocks since the count was loaded: ms * 1193182 / 1000. */
static uint64_t elapsed(const struct pit_channel *s)
{
	uint32_t ms = dev_now_ms() - s->load_ms;
	return dev_udiv64((uint64_t)ms * PIT_HZ, 1000, NULL);
}

static uint32_t elapsed_mod(const struct pit_channel *s)
{
	uint32_t r;
	dev_udiv64(elapsed(s), s->count, &r);
	return r;
}

static uint32_t get_count(const struct pit_channel *s)
{
	switch (s->mode) {
	case 0:
	case 1:
	case 4:
	case 5:
		return (s->count - (uint32_t)elapsed(s)) & 0xFFFF;
	case 3:         /* counts down by two (QEMU: "may be incorrect for odd counts") */
		return s->count - (2 * elapsed_mod(s)) % s->count;
	default:        /* 2, and 6 and 7 as QEMU has them */
		return s->count - elapsed_mod(s);
	}
}

static int get_out(const struct pit_channel *s)
{
	uint64_t d = elapsed(s);
	switch (s->mode) {
	case 1:
		return d < s->count;
	case 2:         /* QEMU: high for the one clock of the reload */
		return d != 0 && elapsed_mod(s) == 0;
	case 3:
		return elapsed_mod(s) < ((s->count + 1) >> 1);
	case 4:
	case 5:
		return d == s->count;
	default:        /* 0, and 6 and 7 as QEMU has them */
		return d >= s->count;
	}
}

/* Channel 0 -> the kernel timer that raises IRQ 0. */
static void pit_timer_update(const struct pit_channel *s)
{
	if (s->mode == 1 || s->mode == 5) {
		hc_timer(0, 0);
		return;
	}
	/* count * 1e6 / 1193182 us, rounded; at least 1 (0 would stop it). */
	uint32_t us = (uint32_t)dev_udiv64((uint64_t)s->count * 1000000u + PIT_HZ / 2, PIT_HZ, NULL);
	hc_timer(us ? us : 1, s->mode == 2 || s->mode == 3);
}

static void load_count(int n, uint32_t val)
{
	struct pit_channel *s = &ch[n];
	s->count = val ? val : 0x10000;
	s->load_ms = dev_now_ms();
	if (n == 0)
		pit_timer_update(s);
}

static void latch_count(struct pit_channel *s)
{
	if (!s->count_latched) {
		s->latched_count = (uint16_t)get_count(s);
		s->count_latched = s->rw_mode;
	}
}

static void set_gate(int n, int gate)
{
	struct pit_channel *s = &ch[n];
	/* Modes 1, 2, 3 and 5 restart on a rising edge; 0 and 4 ignore the gate. */
	if (s->mode != 0 && s->mode != 4 && !s->gate && gate) {
		s->load_ms = dev_now_ms();
		if (n == 0)
			pit_timer_update(s);
	}
	s->gate = (uint8_t)gate;
}

/* As QEMU resets it and SeaBIOS leaves it: channel 0 a rate generator at
 * 18.2 Hz (count 0x10000, IRQ 0 masked in the PIC), 1 and 2 in mode 3 with
 * nothing written, channel 2's gate off.  The kernel timer runs too, so
 * IRR bit 0 fills in as on bare QEMU. */
void pit_reset(void)
{
	for (int i = 0; i < 3; i++) {
		struct pit_channel *s = &ch[i];
		s->count = 0x10000;
		s->load_ms = dev_now_ms();
		s->mode = 3;
		s->rw_mode = s->read_state = s->write_state = s->write_latch = 0;
		s->bcd = 0;
		s->gate = i != 2;
		s->count_latched = 0;
		s->latched_count = 0;
		s->status = s->status_latched = 0;
	}
	ch[0].mode = 2;
	ch[0].rw_mode = ch[0].read_state = ch[0].write_state = RW_WORD0;
	speaker_on = refresh = 0;
	pit_timer_update(&ch[0]);
}

static void pit_command(uint8_t val)
{
	int n = val >> 6;
	if (n == 3) {                           /* read-back */
		for (n = 0; n < 3; n++) {
			struct pit_channel *s = &ch[n];
			if (!(val & (2 << n)))
				continue;
			if (!(val & 0x20))
				latch_count(s);
			if (!(val & 0x10) && !s->status_latched) {
				s->status = (uint8_t)(get_out(s) << 7 | s->rw_mode << 4 | s->mode << 1 | s->bcd);
				s->status_latched = 1;
			}
		}
		return;
	}
	struct pit_channel *s = &ch[n];
	int access = (val >> 4) & 3;
	if (access == 0) {                      /* counter latch */
		latch_count(s);
		return;
	}
	s->rw_mode = s->read_state = s->write_state = (uint8_t)access;
	s->mode = (val >> 1) & 7;
	s->bcd = val & 1;
	/* A control word stops the counter until a count arrives. */
	if (n == 0)
		hc_timer(0, 0);
}

void pit_out(uint16_t port, unsigned size, uint32_t value)
{
	(void)size;
	int n = port & 3;
	uint8_t val = (uint8_t)value;
	if (n == 3) {
		pit_command(val);
		return;
	}
	struct pit_channel *s = &ch[n];
	switch (s->write_state) {
	default:
	case RW_LSB:
		load_count(n, val);
		break;
	case RW_MSB:
		load_count(n, (uint32_t)val << 8);
		break;
	case RW_WORD0:
		s->write_latch = val;
		s->write_state = RW_WORD1;
		break;
	case RW_WORD1:
		s->write_state = RW_WORD0;
		load_count(n, s->write_latch | (uint32_t)val << 8);
		break;
	}
}

uint32_t pit_in(uint16_t port, unsigned size)
{
	(void)size;
	int n = port & 3;
	if (n == 3)
		return 0;                       /* write-only; QEMU reads 0 */
	struct pit_channel *s = &ch[n];
	if (s->status_latched) {
		s->status_latched = 0;
		return s->status;
	}
	if (s->count_latched) {
		switch (s->count_latched) {
		default:
		case RW_LSB:
			s->count_latched = 0;
			return s->latched_count & 0xFF;
		case RW_MSB:
			s->count_latched = 0;
			return s->latched_count >> 8;
		case RW_WORD0:
			s->count_latched = RW_MSB;
			return s->latched_count & 0xFF;
		}
	}
	uint32_t count = get_count(s);
	switch (s->read_state) {
	default:
	case RW_LSB:
		return count & 0xFF;
	case RW_MSB:
		return (count >> 8) & 0xFF;
	case RW_WORD0:
		s->read_state = RW_WORD1;
		return count & 0xFF;
	case RW_WORD1:
		s->read_state = RW_WORD0;
		return (count >> 8) & 0xFF;
	}
}

/* Port 0x61: bit 0 channel 2's gate, bit 1 the speaker, bit 4 the refresh
 * toggle, bit 5 OUT2. */
uint32_t port61_in(uint16_t port, unsigned size)
{
	(void)port, (void)size;
	refresh ^= 0x10;
	return (uint32_t)(ch[2].gate | speaker_on << 1 | refresh | get_out(&ch[2]) << 5);
}

void port61_out(uint16_t port, unsigned size, uint32_t value)
{
	(void)port, (void)size;
	speaker_on = (value >> 1) & 1;
	set_gate(2, value & 1);
}
