/*
 * pit_cmos: port I/O to the 8254 PIT (0x40-0x43), the speaker/gate port
 * 0x61 and the CMOS RTC (0x70/0x71), the devices a wedge must model.
 * PIT: the read-back command returns a channel's programmed mode, and
 * channel 2 in mode 0 with its gate on raises OUT2 at terminal count,
 * seen in port 0x61 bit 5 (Linux calibrates its TSC this way).  CMOS: a
 * RAM byte reads back, the RTC reports valid time (register D bit 7), and
 * the seconds register holds a valid second.  No time value is printed.
 */
#include "guest.h"

static uint8_t cmos_read(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
	outb(0x70, reg);
	outb(0x71, v);
}

void test_main(void)
{
	/* Channel 2, lobyte/hibyte, mode 3, binary; gate off. */
	outb(0x61, inb(0x61) & ~0x03);
	outb(0x43, 0xb6);
	outb(0x42, 0x34);
	outb(0x42, 0x12);
	outb(0x43, 0xe8);                   /* read-back: status of channel 2 */
	uint8_t st = inb(0x42);
	printf("PIT ch2 status (mode bits): %02x\n", st & 0x3f);
	report((st & 0x3f) == 0x36, "read-back status: lobyte/hibyte, mode 3, binary");

	outb(0x61, 0x00);
	uint8_t g0 = inb(0x61) & 0x03;
	outb(0x61, 0x01);
	uint8_t g1 = inb(0x61) & 0x03;
	printf("port 61 low bits: wrote 0 read %x, wrote 1 read %x\n", g0, g1);
	report(g0 == 0 && g1 == 1, "port 0x61 gate bit reads back");

	/* Mode 0, count 0xffff (55 ms): OUT2 low at once, high at the end. */
	outb(0x43, 0xb0);
	outb(0x42, 0xff);
	outb(0x42, 0xff);
	int low_first = !(inb(0x61) & 0x20);
	uint32_t i;
	for (i = 0; i < 100000000 && !(inb(0x61) & 0x20); i++)
		;
	report(low_first, "OUT2 low after arming mode 0");
	report(inb(0x61) & 0x20, "OUT2 high at terminal count (port 0x61 bit 5)");
	outb(0x61, 0x00);

	uint8_t old = cmos_read(0x3f);
	cmos_write(0x3f, 0x5a);
	uint8_t a = cmos_read(0x3f);
	cmos_write(0x3f, 0xa5);
	uint8_t b = cmos_read(0x3f);
	cmos_write(0x3f, old);
	printf("CMOS byte 3f: wrote 5a read %02x, wrote a5 read %02x\n", a, b);
	report(a == 0x5a && b == 0xa5, "CMOS RAM reads back");

	uint8_t d = cmos_read(0x0d);
	printf("RTC register D bit 7 (valid time): %u\n", d >> 7);
	report(d & 0x80, "RTC reports valid RAM and time");

	for (i = 0; i < 1000000 && (cmos_read(0x0a) & 0x80); i++)   /* not mid-update */
		;
	uint8_t sec = cmos_read(0x00), regb = cmos_read(0x0b);
	int ok = (regb & 0x04) ? sec < 60 : (sec & 0x0f) < 10 && sec < 0x60;
	report(ok, "RTC seconds is a valid second (BCD or binary, as register B says)");
}
