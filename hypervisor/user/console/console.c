/*
 * The console server: owns COM1 (an IO item from root) and writes what
 * tasks and the wedge send it (proto.h: CONS_WRITE), byte for byte: no
 * prefix, no newline translation, so a guest's serial output on COM1 is
 * exactly what it wrote to its (virtual) UART, as in a bare run.  One thread, one message at a time,
 * so each message reaches the UART whole: lines of different tasks never
 * mix inside a message.  Replies are sent with timeout 0, so a client that
 * does not wait for its answer cannot block the console.
 *
 * Input (CONS_READ): what arrives on COM1 is kept in a ring and handed to
 * whoever asks, oldest first, without blocking.  The UART is read when the
 * server runs anyway: at every CONS_READ and before every CONS_WRITE.  Its
 * interrupt (IRQ 4) is not used: root attaches IRQs only for tasks, never
 * to the console, and a guest could not be woken by it earlier than by its
 * own timer anyway (the kernel wakes a halted vCPU only for its timer), which
 * is when the wedge asks.  The UART's FIFO holds what comes in between; QEMU
 * holds back more than fits (its chardev waits for room), so nothing is lost
 * there.  A real UART at 115200 baud can overrun between two asks of a
 * guest with a slow tick: then the bytes are gone, as with a guest that
 * does not read its UART in time.
 */
#include "hvu.h"

#define LSR      5        /* line status register */
#define LSR_DR   0x01     /* a received byte waits */
#define LSR_THRE 0x20     /* the transmit holding register is empty */
#define LSR_TEMT 0x40     /* nothing left to send */
#define FCR      2        /* FIFO control register */

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
	for (unsigned spin = 0; spin < 100000 && !(inb(COM1_BASE + LSR) & LSR_THRE); spin++)
		;
	outb(COM1_BASE, (uint8_t)c);
}

/* --- input ------------------------------------------------------------------ */

#define RX_RING 512u       /* a power of two: a pasted line or two, more than any FIFO */

static uint8_t rx[RX_RING];
static uint32_t rx_head, rx_count;

/* Move what the UART holds into the ring.  A full ring leaves the rest in
 * the UART (and QEMU's chardev), to be taken at a later ask. */
static void rx_drain(void)
{
	while (rx_count < RX_RING && (inb(COM1_BASE + LSR) & LSR_DR)) {
		rx[(rx_head + rx_count) % RX_RING] = inb(COM1_BASE);
		rx_count++;
	}
}

/* The UART's FIFOs on, receive trigger at 14 bytes.  Without them the UART
 * holds one byte, and QEMU hands over the next only after that one was read,
 * from its own thread: an ask would get one byte.  Enabling them clears
 * them on a 16550, so first let any output the kernel's debug console (on
 * COM1 without debug=com2) left in the transmitter go out. */
static void rx_init(void)
{
	for (unsigned spin = 0; spin < 100000 && !(inb(COM1_BASE + LSR) & LSR_TEMT); spin++)
		;
	outb(COM1_BASE + FCR, 0xC1);
}

/* --- requests ---------------------------------------------------------------- */

/* The bytes of a CONS_WRITE message, or 0 if it is malformed. */
static uint32_t write_msg(const uint32_t *u)
{
	uint32_t n = u[1], words = HV_TAG_U(u[0]);
	if (words < 1 || n > CONS_MAX || n > 4 * (words - 1))
		return 0;
	rx_drain();          /* we are at the UART anyway: an overrun is less likely */
	const char *text = (const char *)&u[2];
	for (uint32_t i = 0; i < n; i++)
		uart_putc(text[i]);
	return n;
}

/* Answer a CONS_READ in place: up to MR1 bytes of the ring. */
static void read_msg(uint32_t *u)
{
	uint32_t want = HV_TAG_U(u[0]) >= 1 ? u[1] : 0;
	if (want > CONS_MAX)
		want = CONS_MAX;
	rx_drain();
	uint32_t n = want < rx_count ? want : rx_count;
	for (uint32_t w = 0; w < (n + 3) / 4; w++) {
		uint32_t v = 0;
		for (uint32_t b = 0; b < 4 && 4 * w + b < n; b++)
			v |= (uint32_t)rx[(rx_head + 4 * w + b) % RX_RING] << (8 * b);
		u[2 + w] = v;
	}
	rx_head = (rx_head + n) % RX_RING;
	rx_count -= n;
	u[0] = HV_TAG(0, 1 + (n + 3) / 4, 0);
	u[1] = n;
}

int main(void)
{
	uint32_t *u = hv_utcb();
	/* The ports come as an IO item in root's answer. */
	msg_set(ROOT_IO, 2, COM1_BASE, COM1_ORDER);
	if (ipc_call(hvu_args.root) != HV_OK || u[1] != HV_OK)
		return HVU_EXIT_FAILURE;     /* root says so on its console */
	rx_init();

	uint32_t client, st = ipc_receive(HV_ANYTHREAD, 0, &client);
	for (;;) {
		if (st == HV_OK && HV_TAG_LABEL(u[0]) == CONS_READ) {
			read_msg(u);
		} else {
			uint32_t n = 0;
			if (st == HV_OK && HV_TAG_LABEL(u[0]) == CONS_WRITE)
				n = write_msg(u);
			u[0] = HV_TAG(0, 1, 0);
			u[1] = n;
		}
		st = ipc_reply_wait(client, &client);
	}
}
