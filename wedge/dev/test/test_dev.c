/*
 * Host unit tests of the wedge's device models (the C files of wedge/dev/), through
 * dev.h only, with the hypercalls replaced by doubles.c.  Expected values
 * are what QEMU's models show a guest (the guests compare against bare
 * QEMU); each check says why where it is not obvious.
 */
#include <stdio.h>
#include <string.h>

#include "devices.h"    /* dev.h, and the -Wcomment guard */
#include "hypercall.h"
#include "doubles.h"
#include "proto.h"

static int failures, checks;

#define CHECK(cond, ...) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} \
} while (0)

#define EQ(got, want) do { \
	unsigned long g_ = (unsigned long)(got), w_ = (unsigned long)(want); \
	CHECK(g_ == w_, "got 0x%lx, want 0x%lx", g_, w_); \
} while (0)

/* Run `stmt`, which must end in hc_shutdown; evaluates to the code, or -1. */
#define SHUTDOWN_CODE(stmt) ({ \
	int r_ = setjmp(shutdown_jmp); \
	if (r_ == 0) { \
		shutdown_armed = 1; \
		stmt; \
		shutdown_armed = 0; \
		r_ = -1; \
	} else { \
		r_ -= 1; \
	} \
	r_; })

static struct ab_wedge_boot boot;

static void fresh(uint32_t console)
{
	doubles_reset();
	test_vcpu.ticks = 1000;
	memset(&boot, 0, sizeof boot);
	boot.magic = AB_WEDGE_BOOT_MAGIC;
	boot.console_tid = console;
	boot.mem_size = 64u << 20;
	dev_init(&boot);
}

static uint8_t inb(uint16_t p) { return (uint8_t)dev_in(p, 1); }
static void outb(uint16_t p, uint8_t v) { dev_out(p, 1, v); }

/* --- dispatch ------------------------------------------------------------- */
static void test_dispatch(void)
{
	fresh(7);
	EQ(dev_in(0x1234, 1), 0xFF);
	EQ(dev_in(0x1234, 2), 0xFFFF);
	EQ(dev_in(0x1234, 4), 0xFFFFFFFF);
	dev_out(0x1234, 4, 0);                  /* ignored, no crash */
	outb(0x80, 0x42);                       /* POST: a sink */
	EQ(inb(0x80), 0xFF);
	outb(0xED, 0);
	/* A word access to byte-wide devices is two byte accesses. */
	outb(0x21, 0x5A);
	EQ(dev_in(0x20, 2), 0x5A00);            /* IRR 0, IMR 0x5a */
	dev_out(0x3FE, 2, 0x3C00);              /* MSR (read-only), scratch 0x3c */
	EQ(inb(0x3FF), 0x3C);
	EQ(dev_in(0xFFFF, 2), 0xFFFF);          /* wraps to port 0 */
}

/* --- PIC ------------------------------------------------------------------ */
static void pic_guest_init(void)            /* tests/guests/lib/pic_pit.c */
{
	outb(0x20, 0x11); outb(0xA0, 0x11);
	outb(0x21, 0x20); outb(0xA1, 0x28);
	outb(0x21, 0x04); outb(0xA1, 0x02);
	outb(0x21, 0x01); outb(0xA1, 0x01);
	outb(0x21, 0xFB); outb(0xA1, 0xFF);
}

static uint8_t irr(uint16_t p) { outb(p, 0x0A); return inb(p); }
static uint8_t isr(uint16_t p) { outb(p, 0x0B); return inb(p); }

static void test_pic(void)
{
	fresh(7);
	/* The BIOS leaves everything masked but the cascade. */
	EQ(pic_unmasked(), 0);
	EQ(inb(0x21), 0xFB);
	pic_raise(1);
	EQ(pic_deliverable(), 0);
	EQ(pic_ack(), -1);
	EQ(irr(0x20), 0x01);                    /* masked lines still latch */

	pic_guest_init();
	EQ(irr(0x20), 0);                       /* ICW1 clears IRR */
	EQ(inb(0x21), 0xFB);
	EQ(inb(0xA1), 0xFF);
	EQ(pic_unmasked(), 0);

	outb(0x21, 0xFA);                       /* unmask IRQ 0 */
	EQ(pic_unmasked(), 0x1);
	pic_raise(1u << 0);
	EQ(irr(0x20), 0x01);
	EQ(pic_deliverable(), 1);
	EQ(pic_ack(), 0x20);
	EQ(irr(0x20), 0x00);
	EQ(isr(0x20), 0x01);
	EQ(pic_deliverable(), 0);
	/* OCW3 selection sticks: a second read still gives ISR. */
	EQ(inb(0x20), 0x01);

	/* Priority: IRQ 1 waits behind IRQ 0 in service, IRQ 0 again too. */
	outb(0x21, 0xF8);
	pic_raise(1u << 1);
	EQ(pic_deliverable(), 0);
	EQ(irr(0x20), 0x02);
	pic_raise(1u << 0);
	EQ(irr(0x20), 0x03);
	outb(0x20, 0x20);                       /* non-specific EOI */
	EQ(isr(0x20), 0x00);
	EQ(pic_ack(), 0x20);                    /* 0 before 1 */
	EQ(pic_ack(), -1);                      /* 1 is blocked by 0 */
	outb(0x20, 0x60);                       /* specific EOI, line 0 */
	EQ(pic_ack(), 0x21);
	EQ(isr(0x20), 0x02);
	outb(0x20, 0x20);
	EQ(isr(0x20), 0x00);

	/* A masked line stays pending; unmasking delivers it. */
	outb(0x21, 0xFB);
	pic_raise(1u << 0);
	EQ(pic_ack(), -1);
	outb(0x21, 0xFA);
	EQ(pic_ack(), 0x20);
	outb(0x20, 0x20);

	/* The slave: its lines count only through the master's line 2. */
	outb(0xA1, 0xFD);                       /* unmask IRQ 9 */
	EQ(pic_unmasked(), 0x201);
	outb(0x21, 0xFF);
	EQ(pic_unmasked(), 0);                  /* the cascade masked hides the slave */
	outb(0x21, 0xFA);
	pic_raise(1u << 9);
	EQ(irr(0xA0), 0x02);
	EQ(irr(0x20), 0x04);                    /* the slave's INT latched on line 2 */
	EQ(pic_ack(), 0x29);
	EQ(isr(0xA0), 0x02);
	EQ(isr(0x20), 0x04);
	EQ(irr(0x20), 0x00);
	outb(0xA0, 0x20);
	outb(0x20, 0x20);
	EQ(isr(0xA0), 0);
	EQ(isr(0x20), 0);

	/* Spurious: the slave's line masked after the master latched it. */
	pic_raise(1u << 9);
	outb(0xA1, 0xFF);
	EQ(irr(0x20), 0x04);                    /* edge-latched: stays */
	EQ(pic_ack(), 0x2F);                    /* the slave's vector 7 */
	EQ(isr(0xA0), 0x00);
	EQ(isr(0x20), 0x04);
	outb(0x20, 0x20);

	/* Poll mode (OCW3 bit 2): the read acknowledges. */
	pic_raise(1u << 0);
	outb(0x20, 0x0C);
	EQ(inb(0x20), 0x80);
	EQ(isr(0x20), 0x01);
	outb(0x20, 0x0C);
	EQ(inb(0x20), 0x00);                    /* nothing higher than 0 in service */
	outb(0x20, 0x20);

	/* Rotation: rotate on non-specific EOI makes 0 the lowest. */
	outb(0x21, 0xF8);
	pic_raise(1u << 0);
	EQ(pic_ack(), 0x20);
	outb(0x20, 0xA0);                       /* EOI and rotate */
	pic_raise((1u << 0) | (1u << 1));
	EQ(pic_ack(), 0x21);
	outb(0x20, 0x20);
	outb(0x20, 0xC7);                       /* set priority: 7 lowest, 0 highest */
	EQ(pic_ack(), 0x20);
	outb(0x20, 0x20);

	/* ELCR: the writable bits read back. */
	outb(0x4D0, 0xFF);
	outb(0x4D1, 0xFF);
	EQ(inb(0x4D0), 0xF8);
	EQ(inb(0x4D1), 0xDE);

	/* Auto-EOI (ICW4 bit 1): acknowledge leaves ISR clear. */
	outb(0x20, 0x11); outb(0x21, 0x30); outb(0x21, 0x04); outb(0x21, 0x03);
	EQ(inb(0x21), 0x00);                    /* ICW1 cleared the IMR */
	pic_raise(1u << 3);
	EQ(pic_ack(), 0x33);
	EQ(isr(0x20), 0);
}

/* --- PIT and port 0x61 ----------------------------------------------------- */
static void test_pit(void)
{
	fresh(7);
	/* The BIOS's 18.2 Hz: count 0x10000 in mode 2. */
	EQ(timer_calls, 1);
	EQ(timer_period_us, 54925);
	EQ(timer_periodic, 1);

	/* The guests' pit_periodic(1000): mode 2, 1193 -> 1000 us. */
	outb(0x43, 0x34);
	EQ(timer_period_us, 0);                 /* a control word stops the counter */
	outb(0x40, 1193 & 0xFF);
	outb(0x40, 1193 >> 8);
	EQ(timer_period_us, 1000);
	EQ(timer_periodic, 1);
	/* minios: 100 Hz, (1193182 + 50) / 100 = 11932 -> 10000 us. */
	outb(0x43, 0x34); outb(0x40, 11932 & 0xFF); outb(0x40, 11932 >> 8);
	EQ(timer_period_us, 10000);
	/* pit_oneshot(1000): mode 0, 838 us, once. */
	outb(0x43, 0x30); outb(0x40, 1000 & 0xFF); outb(0x40, 1000 >> 8);
	EQ(timer_period_us, 838);
	EQ(timer_periodic, 0);
	/* Mode 3 with count 0 (= 0x10000), lobyte only. */
	outb(0x43, 0x16); outb(0x40, 0);
	EQ(timer_period_us, 54925);
	EQ(timer_periodic, 1);
	/* Mode 1 needs a gate edge channel 0 never gets. */
	outb(0x43, 0x32); outb(0x40, 0x10); outb(0x40, 0);
	EQ(timer_period_us, 0);
	/* Count 1: 1 us, not 0 (which would stop the timer). */
	outb(0x43, 0x34); outb(0x40, 1); outb(0x40, 0);
	EQ(timer_period_us, 1);

	/* tests/guests/conformance/pit_cmos.c */
	outb(0x61, inb(0x61) & ~0x03);
	outb(0x43, 0xB6);
	outb(0x42, 0x34);
	outb(0x42, 0x12);
	outb(0x43, 0xE8);                       /* read-back: status of channel 2 */
	uint8_t st = inb(0x42);
	EQ(st & 0x3F, 0x36);
	EQ(st & 0x40, 0);                       /* null count: QEMU never sets it */
	/* The status latch is read once; then the count (lobyte, hibyte). */
	test_vcpu.ticks += 1;                   /* 1193 clocks, counting down by 2 */
	outb(0x43, 0xD8);                       /* read-back: count of channel 2 */
	uint16_t c = inb(0x42);
	c |= (uint16_t)(inb(0x42) << 8);
	EQ(c, 0x1234 - (2 * 1193) % 0x1234);
	/* A second status latch before reading the first is ignored. */
	outb(0x43, 0xE8);
	outb(0x43, 0xE4);                       /* channel 1 */
	outb(0x43, 0xE8);
	EQ(inb(0x42) & 0x3F, 0x36);
	EQ(inb(0x41) & 0x3F, 0x06);             /* channel 1: mode 3, nothing written */

	/* 0x61: the gate reads back; refresh toggles; bits 6-7 are 0. */
	outb(0x61, 0x00);
	uint8_t a = inb(0x61), b = inb(0x61);
	EQ(a & 0x03, 0);
	EQ((a ^ b) & 0x10, 0x10);
	EQ(a & 0xC0, 0);
	outb(0x61, 0x01);
	EQ(inb(0x61) & 0x03, 1);
	outb(0x61, 0x03);
	EQ(inb(0x61) & 0x03, 3);

	/* Mode 0, count 0xffff: OUT2 low at once, high after 55 ms. */
	outb(0x61, 0x01);
	outb(0x43, 0xB0);
	outb(0x42, 0xFF);
	outb(0x42, 0xFF);
	EQ(inb(0x61) & 0x20, 0);
	test_vcpu.ticks += 54;
	EQ(inb(0x61) & 0x20, 0);
	outb(0x43, 0x80);                       /* counter latch, channel 2 */
	c = inb(0x42);
	c |= (uint16_t)(inb(0x42) << 8);
	EQ(c, 0xFFFF - 54 * 1193182 / 1000);
	test_vcpu.ticks += 1;
	EQ(inb(0x61) & 0x20, 0x20);
	outb(0x43, 0xE8);
	EQ(inb(0x42), 0xB0);                    /* OUT, lobyte/hibyte, mode 0 */

	/* Mode 3, count 11932 (10 ms): OUT2 high for the first half. */
	outb(0x43, 0xB6);
	outb(0x42, 11932 & 0xFF);
	outb(0x42, 11932 >> 8);
	EQ(inb(0x61) & 0x20, 0x20);
	test_vcpu.ticks += 6;
	EQ(inb(0x61) & 0x20, 0);
	test_vcpu.ticks += 5;
	EQ(inb(0x61) & 0x20, 0x20);
	/* A rising gate restarts modes 2 and 3. */
	outb(0x61, 0x00);
	test_vcpu.ticks += 6;
	EQ(inb(0x61) & 0x20, 0);
	outb(0x61, 0x01);
	EQ(inb(0x61) & 0x20, 0x20);

	/* Lobyte-only and hibyte-only access. */
	outb(0x43, 0x90);                       /* channel 2, lobyte, mode 0 */
	outb(0x42, 0x40);
	EQ(inb(0x42), 0x40);
	outb(0x43, 0xA0);                       /* hibyte */
	outb(0x42, 0x12);
	EQ(inb(0x42), 0x12);
	EQ(inb(0x43), 0);                       /* the command port reads 0 */
	/* Large tick counts do not overflow (64-bit products). */
	test_vcpu.ticks = 0xFFFFFF00u;
	outb(0x43, 0xB4); outb(0x42, 0); outb(0x42, 0);
	test_vcpu.ticks += 0x200;               /* wraps */
	outb(0x43, 0x80);
	c = inb(0x42);
	c |= (uint16_t)(inb(0x42) << 8);
	uint32_t d = (uint32_t)((uint64_t)0x200 * 1193182 / 1000 % 0x10000);
	EQ(c, 0x10000 - d);
}

/* --- CMOS / RTC ------------------------------------------------------------ */
static uint8_t cmos_read(uint8_t r) { outb(0x70, r); return inb(0x71); }
static void cmos_write(uint8_t r, uint8_t v) { outb(0x70, r); outb(0x71, v); }

static void test_rtc(void)
{
	fresh(7);
	cmos_write(0x3F, 0x5A);
	EQ(cmos_read(0x3F), 0x5A);
	cmos_write(0x3F, 0xA5);
	EQ(cmos_read(0x3F), 0xA5);
	cmos_write(0x7F, 0x11);
	EQ(cmos_read(0xFF), 0x11);              /* NMI bit ignored */
	EQ(inb(0x70), 0xFF);
	EQ(cmos_read(0x0A), 0x26);
	EQ(cmos_read(0x0B), 0x02);
	EQ(cmos_read(0x0D), 0x80);
	EQ(cmos_read(0x0C), 0x00);
	cmos_write(0x0D, 0);                    /* read-only */
	EQ(cmos_read(0x0D), 0x80);
	cmos_write(0x0A, 0xA6);                 /* UIP is read-only */
	EQ(cmos_read(0x0A), 0x26);
	/* Memory: 64 MiB -> 63 MiB extended (0xFC00 KiB), 48 MiB above 16. */
	EQ(cmos_read(0x17) | cmos_read(0x18) << 8, 0xFC00);
	EQ(cmos_read(0x34) | cmos_read(0x35) << 8, 0x300);
	EQ(cmos_read(0x15) | cmos_read(0x16) << 8, 0x280);
	EQ(cmos_read(0x30) | cmos_read(0x31) << 8, 0xFC00);
	EQ(cmos_read(0x14), 0x07);              /* as bare QEMU shows them */
	EQ(cmos_read(0x3D), 0x12);

	/* The base date, 2026-12-01 00:00:00 Tuesday, at ticks 1000 -> 1 s. */
	EQ(cmos_read(0x00), 0x01);
	EQ(cmos_read(0x02), 0x00);
	EQ(cmos_read(0x04), 0x00);
	EQ(cmos_read(0x06), 0x03);
	EQ(cmos_read(0x07), 0x01);
	EQ(cmos_read(0x08), 0x12);
	EQ(cmos_read(0x09), 0x26);
	EQ(cmos_read(0x32), 0x20);
	test_vcpu.ticks += 59000 + 3600000 * 13;
	EQ(cmos_read(0x00), 0x00);
	EQ(cmos_read(0x02), 0x01);
	EQ(cmos_read(0x04), 0x13);
	EQ(cmos_read(0x0C), 0x10);              /* an update ended */
	EQ(cmos_read(0x0C), 0x00);
	/* 12-hour binary: 13:01 is 1 PM. */
	cmos_write(0x0B, 0x04);
	EQ(cmos_read(0x04), 0x81);
	EQ(cmos_read(0x02), 1);
	/* Setting the time with SET, in binary 24 h: 2027-02-28 23:59:58. */
	cmos_write(0x0B, 0x86);
	cmos_write(0x00, 58); cmos_write(0x02, 59); cmos_write(0x04, 23);
	cmos_write(0x07, 28); cmos_write(0x08, 2); cmos_write(0x09, 27);
	test_vcpu.ticks += 5000;                /* frozen while SET */
	EQ(cmos_read(0x00), 58);
	cmos_write(0x0B, 0x06);
	EQ(cmos_read(0x00), 58);
	test_vcpu.ticks += 3000;
	EQ(cmos_read(0x00), 1);
	EQ(cmos_read(0x02), 0);
	EQ(cmos_read(0x04), 0);
	EQ(cmos_read(0x07), 1);
	EQ(cmos_read(0x08), 3);                 /* 2027 is not a leap year */
	EQ(cmos_read(0x06), 2);                 /* 2027-03-01 is a Monday */
	/* A single write while running moves the clock at once (BCD). */
	cmos_write(0x0B, 0x02);
	cmos_write(0x02, 0x30);
	EQ(cmos_read(0x02), 0x30);
	EQ(cmos_read(0x09), 0x27);
}

/* --- UART -------------------------------------------------------------------- */
static void putstr(const char *s)
{
	for (; *s; s++) {
		CHECK(inb(0x3FD) & 0x20, "THRE before a byte");
		outb(0x3F8, (uint8_t)*s);
	}
}

/* The bytes of message i, checked for the CONS_WRITE framing. */
static unsigned msg_bytes(unsigned i, char *out)
{
	const uint32_t *mr = msgs[i].mr;
	uint32_t n = mr[1];
	EQ(msgs[i].to, 7);
	EQ(mr[0] >> 16, CONS_WRITE);
	EQ(mr[0] & 0x3F, 1 + (n + 3) / 4);      /* u: MR1 and the byte words */
	EQ((mr[0] >> 6) & 0x3F, 0);
	CHECK(n >= 1 && n <= CONS_MAX, "count %u", n);
	memcpy(out, &mr[2], n);                 /* little-endian host: the wire order */
	return n;
}

static void test_uart(void)
{
	fresh(7);
	/* Reset: as QEMU's after SeaBIOS probed it. */
	EQ(inb(0x3F9), 0x00);
	EQ(inb(0x3FA), 0x01);
	EQ(inb(0x3FB), 0x00);
	EQ(inb(0x3FC), 0x08);
	EQ(inb(0x3FD), 0x60);
	EQ(inb(0x3FE), 0xB0);

	/* tests/guests/lib/console.c serial_init */
	outb(0x3F9, 0x00);
	outb(0x3FB, 0x80);
	outb(0x3F8, 0x01);
	outb(0x3F9, 0x00);
	EQ(inb(0x3F8), 0x01);                   /* the divisor latch */
	EQ(inb(0x3F9), 0x00);
	outb(0x3FB, 0x03);
	outb(0x3FA, 0x07);
	EQ(inb(0x3FA), 0xC1);                   /* FIFOs on, no interrupt */
	EQ(msg_count, 0);                       /* divisor writes are not output */
	EQ(inb(0x3F8), 0x00);                   /* no input */
	EQ(inb(0x3FD), 0x60);

	putstr("uart: a line\n");
	EQ(msg_count, 1);
	char buf[64];
	unsigned n = msg_bytes(0, buf);
	EQ(n, 13);
	CHECK(!memcmp(buf, "uart: a line\n", 13), "bytes");
	EQ(utcb_calls, 1);

	/* Long output: cut at CONS_MAX, the rest flushed on demand. */
	char longline[CONS_MAX + 5];
	for (unsigned i = 0; i < sizeof longline - 1; i++)
		longline[i] = (char)('A' + i % 26);
	longline[sizeof longline - 1] = 0;
	putstr(longline);
	EQ(msg_count, 2);
	EQ(msg_bytes(1, buf), CONS_MAX);
	CHECK(!memcmp(buf, longline, CONS_MAX), "first part");
	dev_console_flush();
	EQ(msg_count, 3);
	EQ(msg_bytes(2, buf), 4);
	CHECK(!memcmp(buf, longline + CONS_MAX, 4), "the rest");
	dev_console_flush();                    /* nothing held: no message */
	EQ(msg_count, 3);
	EQ(utcb_calls, 1);                      /* the UTCB is fetched once */
	/* Every byte value passes unchanged (no CR insertion, no filtering). */
	for (unsigned v = 0; v < 256; v++)
		outb(0x3F8, (uint8_t)v);
	dev_console_flush();
	unsigned got = 0;
	for (unsigned i = 3; i < msg_count; i++) {
		n = msg_bytes(i, buf);
		for (unsigned j = 0; j < n; j++, got++)
			CHECK((uint8_t)buf[j] == got, "byte %u", got);
	}
	EQ(got, 256);

	/* Registers. */
	outb(0x3FF, 0xA5);
	EQ(inb(0x3FF), 0xA5);
	outb(0x3F9, 0xFF);
	EQ(inb(0x3F9), 0x0F);                   /* IER keeps 4 bits */
	EQ(inb(0x3FB), 0x03);
	outb(0x3FC, 0xFF);
	EQ(inb(0x3FC), 0x1F);

	/* THR-empty interrupt: IER.THRI raises IRQ 4, IIR read acknowledges. */
	fresh(7);
	pic_guest_init();
	outb(0x21, 0xEB);                       /* unmask IRQ 4 */
	outb(0x3F9, 0x02);
	EQ(inb(0x3FA), 0x02);
	EQ(pic_ack(), 0x24);
	outb(0x20, 0x20);
	EQ(inb(0x3FA), 0x01);                   /* acknowledged by the read above */
	outb(0x3F8, 'x');                       /* sent at once: due again */
	EQ(pic_ack(), 0x24);
	outb(0x20, 0x20);
	/* Each byte is a new edge, even without an IIR read between. */
	outb(0x3F8, 'y');
	outb(0x3F8, 'z');
	EQ(irr(0x20), 0x10);
	EQ(pic_ack(), 0x24);
	outb(0x3F8, 'w');
	EQ(pic_ack(), -1);                      /* in service: waits for the EOI */
	outb(0x20, 0x20);
	EQ(pic_ack(), 0x24);
	outb(0x20, 0x20);
	outb(0x3F9, 0x00);
	EQ(inb(0x3FA), 0x01);

	/* Loopback (Linux's 8250 probe): MSR mirrors MCR, bytes come back. */
	fresh(7);
	outb(0x3FC, 0x1A);
	EQ(inb(0x3FE) & 0xF0, 0x90);
	outb(0x3FC, 0x1F);
	EQ(inb(0x3FE) & 0xF0, 0xF0);
	outb(0x3F8, 0x55);
	EQ(inb(0x3FD), 0x61);
	EQ(inb(0x3F8), 0x55);
	EQ(inb(0x3FD), 0x60);
	outb(0x3FC, 0x00);
	dev_console_flush();
	EQ(msg_count, 0);                       /* looped bytes are not output */

	/* No console server: output is dropped, nothing is called. */
	fresh(0);
	putstr("lost\n");
	dev_console_flush();
	EQ(msg_count, 0);
}

/* --- UART input (CONS_READ at the guest's ticks) ------------------------------ */

/* Read RBR while LSR.DR says a byte waits, as Linux's 8250 interrupt
 * handler does; the bytes read, NUL-terminated. */
static unsigned uart_drain(char *out, unsigned max)
{
	unsigned n = 0;
	while (n + 1 < max && (inb(0x3FD) & 0x01))
		out[n++] = (char)inb(0x3F8);
	out[n] = 0;
	return n;
}

/* A tick of a guest at HZ=250: 4 ms of the kernel's clock, then dev_tick. */
static void tick(void)
{
	test_vcpu.ticks += 4;
	dev_tick();
}

static void test_uart_input(void)
{
	char buf[64];

	/* A guest that polls (IER.RDI clear): nothing is asked at the tick;
	 * its next LSR read asks, once per tick, for what the holding
	 * register takes (FIFOs off: one byte). */
	fresh(7);
	cons_input("ab", 2);
	EQ(inb(0x3FD), 0x60);                   /* no tick yet: nothing asked */
	EQ(read_calls, 0);
	tick();
	EQ(read_calls, 0);
	EQ(inb(0x3FD), 0x61);                   /* asked: DR */
	EQ(read_calls, 1);
	EQ(inb(0x3F8), 'a');
	EQ(inb(0x3FD), 0x60);                   /* one ask per tick */
	EQ(inb(0x3F8), 'a');                    /* the holding register keeps it (QEMU) */
	EQ(read_calls, 1);
	tick();
	EQ(inb(0x3F8), 'b');                    /* an RBR read asks too */
	EQ(read_calls, 2);
	EQ(cons_input_left(), 0);
	EQ(msg_count, 0);                       /* reads are not output */

	/* A prompt without a newline goes out at the next tick. */
	putstr("/ # ");
	EQ(msg_count, 0);
	tick();
	EQ(msg_count, 1);
	EQ(msg_bytes(0, buf), 4);
	CHECK(!memcmp(buf, "/ # ", 4), "prompt");
	tick();
	EQ(msg_count, 1);                       /* nothing held: no message */

	/* IER.RDI, FIFOs off: the tick asks for one byte; IRQ 4 rises,
	 * IIR says received data, reading RBR ends it. */
	fresh(7);
	pic_guest_init();
	outb(0x21, 0xEB);                       /* unmask IRQ 4 */
	outb(0x3F9, 0x01);
	EQ(inb(0x3FA), 0x01);
	EQ(pic_ack(), -1);
	cons_input("xy", 2);
	tick();
	EQ(read_calls, 1);
	EQ(inb(0x3FA), 0x04);
	EQ(pic_ack(), 0x24);
	EQ(inb(0x3F8), 'x');
	EQ(inb(0x3FA), 0x01);
	EQ(inb(0x3FD), 0x60);                   /* the guest listens: no ask on reads */
	outb(0x20, 0x20);
	tick();                             /* the next byte: a new edge */
	EQ(pic_ack(), 0x24);
	EQ(inb(0x3F8), 'y');
	outb(0x20, 0x20);
	tick();                             /* nothing typed: no interrupt */
	EQ(read_calls, 3);
	EQ(inb(0x3FA), 0x01);
	EQ(pic_ack(), -1);
	/* An ask that found nothing: the next waits 20 ms, 5 ticks of 4 ms. */
	cons_input("w", 1);
	tick();
	tick();
	tick();
	tick();
	EQ(read_calls, 3);
	EQ(inb(0x3FD), 0x60);                   /* nor does a read ask meanwhile */
	tick();
	EQ(read_calls, 4);
	EQ(pic_ack(), 0x24);
	EQ(inb(0x3F8), 'w');
	outb(0x20, 0x20);

	/* FIFOs on, trigger at 8 (Linux's 16550A setting): a tick asks for
	 * up to the 16 free bytes; what it took times out at once (CTI,
	 * above RDI as in QEMU), and a drain empties the FIFO. */
	fresh(7);
	pic_guest_init();
	outb(0x21, 0xEB);
	outb(0x3FA, 0x81);
	outb(0x3F9, 0x05);                      /* RDI and RLSI, as Linux's 8250 */
	EQ(inb(0x3FA), 0xC1);
	const char *typed = "echo $((6*7))\nuname -m\nls /bin | wc -l\nmount\n";
	unsigned len = (unsigned)strlen(typed);
	cons_input(typed, len);
	tick();
	EQ(read_calls, 1);
	EQ(inb(0x3FA), 0xCC);
	EQ(pic_ack(), 0x24);
	EQ(uart_drain(buf, sizeof buf), 16);
	CHECK(!memcmp(buf, typed, 16), "the first 16 bytes");
	EQ(inb(0x3FA), 0xC1);
	outb(0x20, 0x20);
	/* Unread bytes hold the rest back: a full FIFO asks for nothing. */
	tick();
	EQ(read_calls, 2);
	EQ(pic_ack(), 0x24);
	outb(0x20, 0x20);
	tick();
	EQ(read_calls, 2);
	EQ(inb(0x3F8), typed[16]);
	EQ(inb(0x3F8), typed[17]);
	tick();                             /* room for 2 */
	EQ(read_calls, 3);
	EQ(uart_drain(buf, sizeof buf), 16);
	CHECK(!memcmp(buf, typed + 18, 16), "the next 16 bytes");
	tick();
	EQ(pic_ack(), 0x24);                    /* drained, so the rest is a new edge */
	outb(0x20, 0x20);
	EQ(uart_drain(buf, sizeof buf), len - 34);
	CHECK(!memcmp(buf, typed + 34, len - 34), "the rest");
	EQ(cons_input_left(), 0);
	EQ(inb(0x3FD), 0x60);

	/* The trigger level and the timeout, with bytes that come through
	 * loopback (no tick between them): below the level no interrupt,
	 * at it RDI; the tick makes the timeout due; an RBR read clears it
	 * until the next tick.  Loopback asks the console server nothing. */
	fresh(7);
	outb(0x3FA, 0x41);                      /* trigger at 4 */
	outb(0x3F9, 0x01);
	outb(0x3FC, 0x10);
	cons_input("zz", 2);
	outb(0x3F8, '1');
	outb(0x3F8, '2');
	outb(0x3F8, '3');
	EQ(inb(0x3FA), 0xC1);
	outb(0x3F8, '4');
	EQ(inb(0x3FA), 0xC4);
	EQ(inb(0x3F8), '1');
	EQ(inb(0x3FA), 0xC1);                   /* 3 left: below the level */
	tick();
	EQ(read_calls, 0);
	EQ(inb(0x3FA), 0xCC);
	EQ(inb(0x3F8), '2');
	EQ(inb(0x3FA), 0xC1);
	tick();
	EQ(inb(0x3FA), 0xCC);
	outb(0x3FA, 0x43);                      /* clearing the FIFO ends it */
	EQ(inb(0x3FA), 0xC1);
	EQ(inb(0x3FD), 0x60);
	outb(0x3FC, 0x00);
	tick();
	EQ(read_calls, 1);                      /* out of loopback: asked */
	EQ(inb(0x3FA), 0xCC);
	EQ(uart_drain(buf, sizeof buf), 2);
	CHECK(!strcmp(buf, "zz"), "typed after loopback");

	/* Every byte value passes unchanged. */
	fresh(7);
	outb(0x3FA, 0x01);
	outb(0x3F9, 0x01);
	char all[256];
	for (unsigned v = 0; v < 256; v++)
		all[v] = (char)v;
	cons_input(all, 256);
	unsigned got = 0;
	for (unsigned t = 0; t < 64 && got < 256; t++) {
		tick();
		while (inb(0x3FD) & 0x01) {
			CHECK(inb(0x3F8) == got, "byte %u", got);
			got++;
		}
	}
	EQ(got, 256);

	/* No console server: nothing is asked. */
	fresh(0);
	outb(0x3F9, 0x01);
	cons_input("q", 1);
	tick();
	EQ(inb(0x3FD), 0x60);
	EQ(read_calls, 0);
}

/* --- shutdowns ------------------------------------------------------------------ */
static void test_shutdown(void)
{
	fresh(7);
	putstr("Test result: SUCCESS");         /* no newline: held */
	EQ(msg_count, 0);
	EQ(SHUTDOWN_CODE(dev_out(0xF4, 4, 0)), 0);
	EQ(msg_count, 1);                       /* flushed first */
	EQ(msgs[0].mr[1], 20);

	fresh(7);
	EQ(SHUTDOWN_CODE(dev_out(0xF4, 1, 0x142)), 0x42);   /* cut to the size */
	EQ(SHUTDOWN_CODE(dev_out(0xF4, 2, 0x12345)), 0x2345);
	EQ(SHUTDOWN_CODE(dev_out(0xF6, 1, 3)), 3);
	EQ(dev_in(0xF4, 4), 0);                 /* QEMU's device reads 0 */

	/* The i8042: status without data; 0xFE (and the other pulses of line 0) reset. */
	EQ(inb(0x64) & 0x03, 0);
	EQ(inb(0x64), 0x1C);
	outb(0x64, 0xAA);                       /* self-test: never answered */
	EQ(inb(0x64) & 0x01, 0);
	outb(0x64, 0xFF);                       /* pulse nothing */
	outb(0x60, 0xFE);                       /* data, not a command */
	EQ(SHUTDOWN_CODE(outb(0x64, 0xFE)), TEST_RESET_CODE);
	EQ(SHUTDOWN_CODE(outb(0x64, 0xF0)), TEST_RESET_CODE);

	/* PIIX reset control. */
	outb(0xCF9, 0x02);
	EQ(inb(0xCF9), 0x02);
	EQ(SHUTDOWN_CODE(outb(0xCF9, 0x06)), TEST_RESET_CODE);
}

/* --- PCI -------------------------------------------------------------------------- */
static void test_pci(void)
{
	fresh(7);
	dev_out(0xCF8, 4, 0x80000000);
	EQ(dev_in(0xCF8, 4), 0x80000000);
	outb(0xCFB, 0x01);                      /* Linux's probe: a byte write is not the address */
	EQ(dev_in(0xCF8, 4), 0x80000000);
	EQ(dev_in(0xCFC, 4), 0xFFFFFFFF);
	EQ(dev_in(0xCFE, 2), 0xFFFF);
	EQ(dev_in(0xCFF, 1), 0xFF);
	dev_out(0xCFC, 4, 0);
	EQ(dev_in(0xCFC, 4), 0xFFFFFFFF);
	dev_out(0xCF8, 4, 0x80001234);
	EQ(dev_in(0xCF8, 2), 0x1234);
	dev_out(0xCF8, 4, 0);
	EQ(dev_in(0xCFC, 4), 0xFFFFFFFF);       /* disabled: all ones too */
}

/* --- I/O APIC (memory-mapped) ---------------------------------------------------------- */
#define IOAPIC 0xFEC00000u

static uint32_t ioapic_get(uint32_t sel)
{
	dev_mmio_write(IOAPIC, 4, sel);
	return dev_mmio_read(IOAPIC + 0x10, 4);
}

static void ioapic_set(uint32_t sel, uint32_t v)
{
	dev_mmio_write(IOAPIC, 4, sel);
	dev_mmio_write(IOAPIC + 0x10, 4, v);
}

static void test_ioapic(void)
{
	fresh(7);
	CHECK(dev_mmio_claims(IOAPIC) && dev_mmio_claims(IOAPIC + 0xFFF), "the 4 KiB region");
	CHECK(!dev_mmio_claims(IOAPIC - 1) && !dev_mmio_claims(IOAPIC + 0x1000) && !dev_mmio_claims(0),
	      "nothing around it");
	/* After reset, as QEMU's ioapic_reset_common. */
	EQ(ioapic_get(0), 0);
	EQ(ioapic_get(1), 0x00170020);          /* version 0x20, 24 entries */
	EQ(ioapic_get(2), 0);
	for (uint32_t i = 0; i < 24; i++) {
		EQ(ioapic_get(0x10 + 2 * i), 0x00010000);
		EQ(ioapic_get(0x11 + 2 * i), 0);
	}
	/* ID: bits 24-27; ARB reads as ID; VERSION and ARB ignore writes. */
	ioapic_set(0, 0xFFFFFFFF);
	EQ(ioapic_get(0), 0x0F000000);
	EQ(ioapic_get(2), 0x0F000000);
	ioapic_set(1, 0);
	ioapic_set(2, 0);
	EQ(ioapic_get(1), 0x00170020);
	EQ(ioapic_get(2), 0x0F000000);
	/* Entries: everything but delivery status and remote IRR reads back. */
	ioapic_set(0x16, 0xFFFFFFFF);
	ioapic_set(0x17, 0x12345678);
	EQ(ioapic_get(0x16), 0xFFFFAFFF);
	EQ(ioapic_get(0x17), 0x12345678);
	ioapic_set(0x3E, 0x000100FE);
	EQ(ioapic_get(0x3E), 0x000100FE);
	EQ(ioapic_get(0x10), 0x00010000);       /* the others untouched */
	/* Past the table, and the registers between ARB and the table. */
	ioapic_set(0x40, 0x1234);
	EQ(ioapic_get(0x40), 0);
	ioapic_set(0x05, 0x1234);
	EQ(ioapic_get(0x05), 0);
	/* IOREGSEL: 8 bits, any size; IOWIN: 32-bit accesses only. */
	dev_mmio_write(IOAPIC, 4, 0x1FF);
	EQ(dev_mmio_read(IOAPIC, 4), 0xFF);
	dev_mmio_write(IOAPIC, 2, 0x0110);
	EQ(dev_mmio_read(IOAPIC, 1), 0x10);
	EQ(dev_mmio_read(IOAPIC + 0x10, 2), 0);
	EQ(dev_mmio_read(IOAPIC + 0x10, 1), 0);
	dev_mmio_write(IOAPIC + 0x10, 2, 0x0002);
	EQ(ioapic_get(0x10), 0x00010000);
	/* Other offsets read 0; the registers repeat every 256 bytes. */
	EQ(dev_mmio_read(IOAPIC + 0x20, 4), 0);
	EQ(dev_mmio_read(IOAPIC + 0x04, 4), 0);
	dev_mmio_write(IOAPIC + 0x300, 4, 1);
	EQ(dev_mmio_read(IOAPIC + 0x310, 4), 0x00170020);
	EQ(dev_mmio_read(IOAPIC, 4), 1);
	/* Misaligned, as QEMU's TCG: two aligned reads combined; bytewise writes. */
	dev_mmio_write(IOAPIC, 4, 1);
	EQ(dev_mmio_read(IOAPIC + 0x0E, 4), 0x00200000);  /* 0x0C (0), then VERSION's low half */
	EQ(dev_mmio_read(IOAPIC + 0x0F, 2), 0);           /* two 16-bit reads: 0 and IOWIN's 0 */
	dev_mmio_write(IOAPIC, 4, 0x12);
	dev_mmio_write(IOAPIC + 0x0E, 4, 0xFFFFFFFF);  /* bytes: IOWIN takes no byte writes */
	EQ(ioapic_get(0x12), 0x00010000);
	/* The EOI register changes nothing we model. */
	dev_mmio_write(IOAPIC + 0x40, 4, 0x30);
	EQ(ioapic_get(0x3E), 0x000100FE);
	/* Reset again with the devices. */
	fresh(7);
	EQ(ioapic_get(0x16), 0x00010000);
	EQ(ioapic_get(0), 0);
}

int main(void)
{
	test_dispatch();
	test_pic();
	test_pit();
	test_rtc();
	test_uart();
	test_uart_input();
	test_shutdown();
	test_pci();
	test_ioapic();
	printf("wedge devices: %d checks, %d failed\n", checks, failures);
	return failures != 0;
}
