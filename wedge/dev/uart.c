/*
 * COM1, an 8250/16550A at 0x3F8-0x3FF, as QEMU's serial model
 * (hw/char/serial.c) shows it to a guest: the transmitter is infinitely
 * fast (LSR THRE and TEMT always set, so a THR-empty interrupt is always
 * due once enabled), MSR reports DCD|DSR|CTS, and the loopback mode of MCR
 * bit 4 wires the modem outputs to the inputs and the transmitter to the
 * receiver, which is what Linux's 8250 probe checks.
 *
 * Output bytes go to the console server (docs/hypervisor-user.md,
 * CONS_WRITE) in messages of at most CONS_MAX bytes, cut after each
 * newline, so lines arrive whole and each call is one IPC rather than one
 * per byte.  Bytes are sent as they are: the output must equal what bare
 * QEMU prints on its serial stdio.  What is left of a line goes out at the
 * guest's next timer tick or when it halts (uart_tick, uart_flush), so a
 * prompt shows without its newline.
 *
 * Input comes from the console server too (CONS_READ), asked at the
 * guest's timer ticks (uart_tick: the wedge saw irq_pending bit 0).  Why
 * ticks: the kernel wakes a halted vCPU only for its timer, so a byte
 * could not reach a sleeping guest sooner anyway, and an IPC at a tick of
 * a listening guest (IER.RDI set) is cheap, where a poll at every LSR read
 * would be an IPC per output byte.  Cheaper still: after an ask that
 * found nothing, the next waits POLL_IDLE_MS (a typist cannot tell); after
 * one that found bytes, the next tick asks again (a paste goes on).  A
 * guest that polls LSR.DR instead (RDI clear) gets its ask at its next LSR
 * or RBR read after such a tick.  We ask only for what the receiver has
 * room for, as QEMU's chardev does, so nothing overruns here: the rest
 * waits in the console server.
 *
 * The UART's interrupt (IRQ 4) is modelled: when IIR leaves "no interrupt"
 * the line rises, and we give the PIC that edge with pic_raise.
 */
#include "devices.h"
#include "hypercall.h"
#include "proto.h"     /* hypervisor/user/lib: CONS_WRITE, CONS_MAX */

#define UART_IRQ 4

#define IER_RDI  0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define IER_MSI  0x08
#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI  0x04
#define IIR_RLSI 0x06
#define IIR_CTI  0x0C      /* character timeout: bytes below the trigger level wait */
#define IIR_FE   0xC0      /* FIFOs enabled */
#define FCR_FE   0x01
#define FCR_RFR  0x02      /* clear the receive FIFO */
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_BI   0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_DCD_DSR_CTS 0xB0

#define RX_SIZE 16         /* the 16550's receive FIFO */
/* After an ask that found no input: at most 50 asks a second of an idle
 * guest (Linux's tick is 4 ms), 20 ms more latency for the first key. */
#define POLL_IDLE_MS 20

static struct {
	uint16_t divider;
	uint8_t ier, iir, fcr, lcr, mcr, lsr, msr, scr, rbr;
	uint8_t thr_ipending;
	uint8_t timeout_ipending;  /* the FIFO's character timeout is due (IIR CTI) */
	uint8_t poll_due;          /* a tick passed: a polling guest's read may ask */
	uint8_t irq_level;
	uint8_t rx[RX_SIZE], rx_head, rx_num, rx_itl;
	uint32_t next_poll;        /* dev_now_ms() from which a tick may ask again */
} u;

static uint32_t console_tid;
static uint32_t *utcb;                 /* ours; fetched at the first send */
static char out_buf[CONS_MAX];
static unsigned out_n;

/* --- the console server -------------------------------------------------- */

void uart_flush(void)
{
	if (!out_n)
		return;
	if (console_tid) {
		if (!utcb)
			utcb = hv_utcb();
		/* MR0 the tag, MR1 the count, MR2.. the bytes, little-endian. */
		unsigned words = (out_n + 3) / 4;
		utcb[0] = HV_TAG(CONS_WRITE, 1 + words, 0);
		utcb[1] = out_n;
		for (unsigned w = 0; w < words; w++) {
			uint32_t v = 0;
			for (unsigned b = 0; b < 4 && 4 * w + b < out_n; b++)
				v |= (uint32_t)(uint8_t)out_buf[4 * w + b] << (8 * b);
			utcb[2 + w] = v;
		}
		hv_call(console_tid);   /* the reply is the count written: nothing to do */
	}
	out_n = 0;
}

static void uart_emit(uint8_t c)
{
	out_buf[out_n++] = (char)c;
	if (c == '\n' || out_n == CONS_MAX)
		uart_flush();
}

/* Up to `want` bytes of input from the console server into buf; the count. */
static unsigned cons_read(uint8_t *buf, unsigned want)
{
	if (!console_tid || !want)
		return 0;
	if (want > CONS_MAX)
		want = CONS_MAX;
	if (!utcb)
		utcb = hv_utcb();
	utcb[0] = HV_TAG(CONS_READ, 1, 0);
	utcb[1] = want;
	if (hv_call(console_tid) != HV_OK)
		return 0;
	uint32_t tag = utcb[0], n = utcb[1];
	/* Trust nothing: a count beyond what we asked or what the message
	 * carries is taken as no input. */
	if (HV_TAG_LABEL(tag) != 0 || HV_TAG_U(tag) < 1 || n > want || n > 4 * (HV_TAG_U(tag) - 1u))
		return 0;
	for (unsigned i = 0; i < n; i++)
		buf[i] = (uint8_t)(utcb[2 + i / 4] >> (8 * (i % 4)));
	return n;
}

/* --- the register model --------------------------------------------------- */

/* IIR from the pending conditions, by QEMU's priority (the character
 * timeout above received data, and both only with IER.RDI); IRQ 4 on a
 * rising edge.  With the FIFOs on, received data interrupts only at the
 * trigger level; fewer bytes wait for the character timeout. */
static void uart_update_irq(void)
{
	uint8_t id = IIR_NO_INT;
	if ((u.ier & IER_RLSI) && (u.lsr & 0x1E))
		id = IIR_RLSI;
	else if ((u.ier & IER_RDI) && u.timeout_ipending)
		id = IIR_CTI;
	else if ((u.ier & IER_RDI) && (u.lsr & LSR_DR) && (!(u.fcr & FCR_FE) || u.rx_num >= u.rx_itl))
		id = IIR_RDI;
	else if ((u.ier & IER_THRI) && u.thr_ipending)
		id = IIR_THRI;
	/* MSI: the modem lines never change, so no delta is ever pending. */
	u.iir = (uint8_t)(id | (u.iir & 0xF0));
	uint8_t level = id != IIR_NO_INT;
	if (level && !u.irq_level)
		pic_raise(1u << UART_IRQ);
	u.irq_level = level;
}

/* A byte into the receiver: looped back, or typed on the console. */
static void uart_receive(uint8_t c)
{
	if (u.fcr & FCR_FE) {
		if (u.rx_num < RX_SIZE) {
			u.rx[(u.rx_head + u.rx_num) % RX_SIZE] = c;
			u.rx_num++;
		} else {
			u.lsr |= LSR_OE;        /* overrun: the FIFO keeps what it has */
		}
	} else {
		if (u.lsr & LSR_DR)
			u.lsr |= LSR_OE;
		u.rbr = c;
	}
	u.lsr |= LSR_DR;
}

/* Room in the receiver, as QEMU's serial_can_receive counts it for its
 * chardev: the FIFO's free bytes, or one when the holding register is free. */
static unsigned uart_rx_room(void)
{
	if (u.fcr & FCR_FE)
		return RX_SIZE - u.rx_num;
	return !(u.lsr & LSR_DR);
}

/* Ask the console server for what fits.  Not in loopback: there the
 * receiver hears only the transmitter on hardware, and QEMU stops asking
 * its chardev for more (reads of RBR in loopback do not call for input). */
static void uart_poll(void)
{
	u.poll_due = 0;
	unsigned room = uart_rx_room();
	if ((u.mcr & MCR_LOOP) || !room)
		return;                 /* asked nothing: the next tick may */
	uint8_t buf[RX_SIZE];
	unsigned n = cons_read(buf, room);
	for (unsigned i = 0; i < n; i++)
		uart_receive(buf[i]);
	u.next_poll = dev_now_ms() + (n ? 0 : POLL_IDLE_MS);
	if (n)
		uart_update_irq();
}

/* The guest's timer ticked.  Output a prompt left without its newline.
 * Unless the last ask found nothing less than POLL_IDLE_MS ago: ask for
 * input now if the guest listens (IER.RDI), else let its next LSR or RBR
 * read ask.  Bytes in the FIFO below the trigger level have waited
 * long enough: their character timeout is due (QEMU: after 4 character
 * times, 4 ms at 9600 baud; a tick is our time's grain), so the bytes just
 * taken interrupt at once. */
void uart_tick(void)
{
	uart_flush();
	if ((int32_t)(dev_now_ms() - u.next_poll) >= 0) {
		u.poll_due = 1;
		if (u.ier & IER_RDI)
			uart_poll();
	}
	if ((u.fcr & FCR_FE) && u.rx_num)
		u.timeout_ipending = 1;
	uart_update_irq();
}

static void uart_transmit(uint8_t c)
{
	if (u.mcr & MCR_LOOP)
		uart_receive(c);
	else
		uart_emit(c);
	u.lsr |= LSR_THRE | LSR_TEMT;   /* sent at once */
	u.thr_ipending = 1;
}

/* As QEMU resets it; SeaBIOS's probe of COM1 leaves it so. */
void uart_reset(uint32_t tid)
{
	console_tid = tid;
	utcb = 0;
	out_n = 0;
	u.divider = 0;
	u.ier = u.fcr = u.lcr = u.scr = u.rbr = 0;
	u.iir = IIR_NO_INT;
	u.mcr = 0x08;                   /* OUT2 */
	u.lsr = LSR_THRE | LSR_TEMT;
	u.msr = MSR_DCD_DSR_CTS;
	u.thr_ipending = 0;
	u.timeout_ipending = 0;
	u.poll_due = 0;
	u.next_poll = dev_now_ms();
	u.irq_level = 0;
	u.rx_head = u.rx_num = 0;
	u.rx_itl = 1;
}

void uart_out(uint16_t port, unsigned size, uint32_t value)
{
	(void)size;
	uint8_t val = (uint8_t)value;
	switch (port & 7) {
	case 0:
		if (u.lcr & LCR_DLAB) {
			u.divider = (uint16_t)((u.divider & 0xFF00) | val);
			return;
		}
		/* THR full for a moment: the interrupt drops, and rises again
		 * when the byte is gone, so each byte is an edge on IRQ 4. */
		u.thr_ipending = 0;
		u.lsr &= (uint8_t)~(LSR_THRE | LSR_TEMT);
		uart_update_irq();
		uart_transmit(val);
		break;
	case 1:
		if (u.lcr & LCR_DLAB) {
			u.divider = (uint16_t)((u.divider & 0x00FF) | val << 8);
			return;
		} else {
			uint8_t changed = (u.ier ^ val) & 0x0F;
			u.ier = val & 0x0F;
			/* Enabling THRI with THR empty makes the interrupt due
			 * again, even if an IIR read had cleared it (QEMU, Bochs). */
			if (changed & IER_THRI)
				u.thr_ipending = (u.ier & IER_THRI) && (u.lsr & LSR_THRE);
			if (!changed)
				return;
		}
		break;
	case 2:
		if ((val ^ u.fcr) & FCR_FE)
			val |= 0x06;            /* toggling the FIFOs clears them */
		if (val & FCR_RFR) {
			u.rx_head = u.rx_num = 0;
			u.timeout_ipending = 0;
			u.lsr &= (uint8_t)~LSR_DR;
		}
		u.fcr = val & 0xC9;
		if (u.fcr & FCR_FE) {
			static const uint8_t itl[4] = { 1, 4, 8, 14 };   /* FCR bits 6-7 */
			u.rx_itl = itl[val >> 6];
			u.iir |= IIR_FE;
		} else {
			u.iir &= (uint8_t)~IIR_FE;
		}
		break;
	case 3:
		u.lcr = val;
		return;
	case 4:
		u.mcr = val & 0x1F;
		return;
	case 5:                                 /* LSR, MSR: read-only */
	case 6:
		return;
	case 7:
		u.scr = val;
		return;
	}
	uart_update_irq();
}

/* A guest that polls (RDI clear) asks at most once per tick, and only
 * when it has read what it had: an IPC per read would be one per output
 * byte, since a guest reads LSR before each. */
static void uart_poll_on_read(void)
{
	if (u.poll_due && !(u.lsr & LSR_DR))
		uart_poll();
}

static uint8_t uart_read_rx(void)
{
	uint8_t c;
	uart_poll_on_read();
	if (u.fcr & FCR_FE) {
		c = 0;
		if (u.rx_num) {
			c = u.rx[u.rx_head];
			u.rx_head = (uint8_t)((u.rx_head + 1) % RX_SIZE);
			u.rx_num--;
		}
		if (!u.rx_num)
			u.lsr &= (uint8_t)~(LSR_DR | LSR_BI);
		/* QEMU restarts the timeout for what is left; ours is due
		 * again at the next tick. */
		u.timeout_ipending = 0;
	} else {
		c = u.rbr;
		u.lsr &= (uint8_t)~(LSR_DR | LSR_BI);
	}
	uart_update_irq();
	return c;
}

uint32_t uart_in(uint16_t port, unsigned size)
{
	(void)size;
	uint8_t ret;
	switch (port & 7) {
	case 0:
		return u.lcr & LCR_DLAB ? (u.divider & 0xFF) : uart_read_rx();
	case 1:
		return u.lcr & LCR_DLAB ? (uint32_t)(u.divider >> 8) : u.ier;
	case 2:
		ret = u.iir;
		if ((ret & 0x0F) == IIR_THRI) {
			u.thr_ipending = 0;     /* reading IIR acknowledges THRI */
			uart_update_irq();
		}
		return ret;
	case 3:
		return u.lcr;
	case 4:
		return u.mcr;
	case 5:
		uart_poll_on_read();
		ret = u.lsr;
		if (u.lsr & (LSR_BI | LSR_OE)) {  /* break and overrun clear on read */
			u.lsr &= (uint8_t)~(LSR_BI | LSR_OE);
			uart_update_irq();
		}
		return ret;
	case 6:
		if (u.mcr & MCR_LOOP)   /* DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
			return (uint32_t)((u.mcr & 0x0C) << 4 | (u.mcr & 0x02) << 3 | (u.mcr & 0x01) << 5);
		return u.msr;
	default:
		return u.scr;
	}
}
