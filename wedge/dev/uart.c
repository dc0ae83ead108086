/*
 * COM1, an 8250/16550A at 0x3F8-0x3FF, as QEMU's serial model
 * (hw/char/serial.c) shows it to a guest: the transmitter is infinitely
 * fast (LSR THRE and TEMT always set, so a THR-empty interrupt is always
 * due once enabled), there is no input (DR clear, RBR 0), MSR reports
 * DCD|DSR|CTS, and the loopback mode of MCR bit 4 wires the modem outputs
 * to the inputs and the transmitter to the receiver, which is what Linux's
 * 8250 probe checks.
 *
 * Output bytes go to the console server (docs/hypervisor-user.md,
 * CONS_WRITE) in messages of at most CONS_MAX bytes, cut after each
 * newline, so lines arrive whole and each call is one IPC rather than one
 * per byte.  Bytes are sent as they are: the output must equal what bare
 * QEMU prints on its serial stdio.
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
#define IIR_FE   0xC0      /* FIFOs enabled */
#define FCR_FE   0x01
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_DCD_DSR_CTS 0xB0

#define RX_SIZE 16         /* the 16550's receive FIFO (loopback only) */

static struct {
	uint16_t divider;
	uint8_t ier, iir, fcr, lcr, mcr, lsr, msr, scr, rbr;
	uint8_t thr_ipending;
	uint8_t irq_level;
	uint8_t rx[RX_SIZE], rx_head, rx_num;
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

/* --- the register model --------------------------------------------------- */

/* IIR from the pending conditions, by priority; IRQ 4 on a rising edge. */
static void uart_update_irq(void)
{
	uint8_t id = IIR_NO_INT;
	if ((u.ier & IER_RLSI) && (u.lsr & 0x1E))
		id = IIR_RLSI;
	else if ((u.ier & IER_RDI) && (u.lsr & LSR_DR))
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

/* Loopback: the byte comes straight back into the receiver. */
static void uart_receive(uint8_t c)
{
	if (u.fcr & FCR_FE) {
		if (u.rx_num < RX_SIZE) {
			u.rx[(u.rx_head + u.rx_num) % RX_SIZE] = c;
			u.rx_num++;
		} else {
			u.lsr |= 0x02;          /* overrun */
		}
	} else {
		if (u.lsr & LSR_DR)
			u.lsr |= 0x02;
		u.rbr = c;
	}
	u.lsr |= LSR_DR;
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
	u.irq_level = 0;
	u.rx_head = u.rx_num = 0;
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
		if (val & 0x02) {
			u.rx_head = u.rx_num = 0;
			u.lsr &= (uint8_t)~LSR_DR;
		}
		u.fcr = val & 0xC9;
		if (u.fcr & FCR_FE)
			u.iir |= IIR_FE;
		else
			u.iir &= (uint8_t)~IIR_FE;
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

static uint8_t uart_read_rx(void)
{
	uint8_t c;
	if (u.fcr & FCR_FE) {
		c = 0;
		if (u.rx_num) {
			c = u.rx[u.rx_head];
			u.rx_head = (uint8_t)((u.rx_head + 1) % RX_SIZE);
			u.rx_num--;
		}
		if (!u.rx_num)
			u.lsr &= (uint8_t)~LSR_DR;
	} else {
		c = u.rbr;
		u.lsr &= (uint8_t)~LSR_DR;
	}
	u.lsr &= (uint8_t)~0x10;                /* break */
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
		ret = u.lsr;
		if (u.lsr & 0x12) {             /* break and overrun clear on read */
			u.lsr &= (uint8_t)~0x12;
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
