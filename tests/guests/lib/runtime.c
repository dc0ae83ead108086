/*
 * guest_start: from the PVH entry to test_main, and the ending of a run.
 *
 * A run ends with exactly one "Test result: SUCCESS|FAILURE|SKIP" line,
 * then isa-debug-exit (port 0xf4).  We always write 0, so QEMU exits with
 * status 1 whatever the result: the runner reads the text, and a status
 * other than 1 means the guest never got here (crash, triple fault, or
 * no debug-exit device: then we reset through the keyboard controller).
 */
#include "guest.h"

void desc_init(void);
void serial_init(void);
void pic_init(void);
void boot_info_parse(uint32_t start_info);

int test_failures;

void report(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	cons_putc('\n');
	if (!ok)
		test_failures++;
}

void test_result(enum result r)
{
	static const char *const name[] = { "SUCCESS", "FAILURE", "SKIP" };

	cli();
	printf("Test result: %s\n", name[r]);
	/* Let the UART drain (LSR bit 6: transmitter empty) before QEMU goes. */
	for (int i = 0; i < 1000000 && !(inb(0x3f8 + 5) & 0x40); i++)
		;
	outl(0xf4, 0);
	outb(0x64, 0xfe);       /* no isa-debug-exit: pulse the reset line */
	for (;;)
		__asm__ volatile("hlt");
}

void test_skip(const char *why)
{
	printf("SKIP: %s\n", why);
	test_result(SKIP);
}

void guest_start(uint32_t start_info)
{
	desc_init();
	serial_init();
	pic_init();
	boot_info_parse(start_info);
	test_main();
	cli();
	test_result(test_failures ? FAILURE : SUCCESS);
}
