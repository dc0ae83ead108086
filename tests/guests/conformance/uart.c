/*
 * uart: the 8250/16550 on COM1 through every form of port I/O.  A line
 * is written byte by byte to THR, polling LSR for THRE, with immediate
 * and %dx port forms; others with rep outsb and outsb; the scratch register (7)
 * reads back what was written, also through rep insb.  LCR and IER read
 * back what the runtime set, and LSR shows THRE|TEMT once drained.
 */
#include "guest.h"

#define COM1 0x3f8

static void drain(void)
{
	for (int i = 0; i < 1000000 && (inb(COM1 + 5) & 0x60) != 0x60; i++)
		;
}

void test_main(void)
{
	static const char line[] = "uart: a line through THR, polling LSR\n";
	for (const char *p = line; *p; p++) {
		while (!(inb(COM1 + 5) & 0x20))         /* inb (%dx) */
			;
		outb(COM1, (uint8_t)*p);                /* outb (%dx) */
	}
	/* The immediate-port forms can only name ports below 0x100; use
	 * the POST port 0x80 (harmless) for out and in. */
	__asm__ volatile("outb %%al, $0x80" : : "a"(0x42));
	uint8_t junk;
	__asm__ volatile("inb $0x80, %%al" : "=a"(junk));
	(void)junk;

	/* rep outsb: 16 bytes fit the FIFO once the transmitter is empty. */
	static const char burst[] = "uart: rep outsb\n";
	drain();
	const char *src = burst;
	uint32_t n = sizeof burst - 1;
	__asm__ volatile("rep outsb" : "+S"(src), "+c"(n) : "d"(COM1) : "memory");
	report(n == 0, "rep outsb sent %u bytes", (uint32_t)(sizeof burst - 1));
	/* outsb without rep, one byte per THRE. */
	static const char single[] = "uart: outsb\n";
	src = single;
	for (unsigned i = 0; i < sizeof single - 1; i++) {
		while (!(inb(COM1 + 5) & 0x20))
			;
		__asm__ volatile("outsb" : "+S"(src) : "d"(COM1) : "memory");
	}

	outb(COM1 + 7, 0xa5);
	uint8_t s1 = inb(COM1 + 7);
	outb(COM1 + 7, 0x5a);
	uint8_t s2 = inb(COM1 + 7);
	printf("scratch: wrote a5 read %02x, wrote 5a read %02x\n", s1, s2);
	report(s1 == 0xa5 && s2 == 0x5a, "scratch register reads back");

	uint8_t buf[4] = { 0 };
	uint8_t *dst = buf;
	n = 4;
	__asm__ volatile("rep insb" : "+D"(dst), "+c"(n) : "d"(COM1 + 7) : "memory");
	report(buf[0] == 0x5a && buf[3] == 0x5a && n == 0, "rep insb of the scratch register");

	drain();
	uint8_t lcr = inb(COM1 + 3), ier = inb(COM1 + 1), lsr = inb(COM1 + 5);
	printf("LCR %02x IER %02x LSR&60 %02x\n", lcr, ier, lsr & 0x60);
	report(lcr == 0x03 && ier == 0x00 && (lsr & 0x60) == 0x60, "LCR, IER, idle LSR");
}
