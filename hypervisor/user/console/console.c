/*
 * The console server: owns COM1 (an IO item from root) and writes what
 * tasks and the wedge send it (proto.h: CONS_WRITE), byte for byte: no
 * prefix, no newline translation, so a guest's serial output on COM1 is
 * exactly what it wrote to its (virtual) UART, as in a bare run.  One thread, one message at a time,
 * so each message reaches the UART whole: lines of different tasks never
 * mix inside a message.  Replies are sent with timeout 0, so a client that
 * does not wait for its answer cannot block the console.
 */
#include "hvu.h"

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Wait for the transmit holding register to empty (LSR bit 5), then write. */
static void uart_putc(char c)
{
	for (unsigned spin = 0; spin < 100000 && !(inb(COM1_BASE + 5) & 0x20); spin++)
		;
	outb(COM1_BASE, (uint8_t)c);
}

/* The bytes of a CONS_WRITE message, or 0 if it is malformed. */
static uint32_t write_msg(const uint32_t *u)
{
	uint32_t n = u[1], words = HV_TAG_U(u[0]);
	if (words < 1 || n > CONS_MAX || n > 4 * (words - 1))
		return 0;
	const char *text = (const char *)&u[2];
	for (uint32_t i = 0; i < n; i++)
		uart_putc(text[i]);
	return n;
}

int main(void)
{
	uint32_t *u = hv_utcb();
	/* The ports come as an IO item in root's answer. */
	msg_set(ROOT_IO, 2, COM1_BASE, COM1_ORDER);
	if (ipc_call(hvu_args.root) != HV_OK || u[1] != HV_OK)
		return HVU_EXIT_FAILURE;     /* root says so on its console */

	uint32_t client, st = ipc_receive(HV_ANYTHREAD, 0, &client);
	for (;;) {
		uint32_t n = 0;
		if (st == HV_OK && HV_TAG_LABEL(u[0]) == CONS_WRITE)
			n = write_msg(u);
		u[0] = HV_TAG(0, 1, 0);
		u[1] = n;
		st = ipc_reply_wait(client, &client);
	}
}
