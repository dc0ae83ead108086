/*
 * The hypercall doubles: record, never trap.  hc_shutdown must not return,
 * so it longjmps to the test that expected it (and aborts if none did).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypercall.h"
#include "doubles.h"
#include "proto.h"     /* CONS_READ */

struct ab_vcpu test_vcpu;
uint32_t timer_period_us, timer_calls;
int timer_periodic;
jmp_buf shutdown_jmp;
int shutdown_armed;
struct sent_msg msgs[MAX_MSGS];
unsigned msg_count, utcb_calls;

static uint32_t utcb[1024];     /* one page of MRs */
/* What the console server has been typed, for CONS_READ. */
static char input[4096];
static unsigned input_head, input_len;
unsigned read_calls;

void doubles_reset(void)
{
	timer_period_us = timer_calls = 0;
	timer_periodic = -1;
	shutdown_armed = 0;
	memset(msgs, 0, sizeof msgs);
	msg_count = utcb_calls = 0;
	input_head = input_len = read_calls = 0;
	memset(utcb, 0xA5, sizeof utcb);   /* stale words must not leak into a message */
}

void hc_timer(uint32_t period_us, int periodic)
{
	timer_period_us = period_us;
	timer_periodic = periodic;
	timer_calls++;
}

_Noreturn void hc_shutdown(uint32_t code)
{
	if (!shutdown_armed) {
		fprintf(stderr, "unexpected hc_shutdown(%u)\n", code);
		abort();
	}
	shutdown_armed = 0;
	longjmp(shutdown_jmp, (int)code + 1);
}

_Noreturn void hc_reset(void)
{
	hc_shutdown(TEST_RESET_CODE);
}

uint32_t *hv_utcb(void)
{
	utcb_calls++;
	return utcb;
}

void cons_input(const char *bytes, unsigned n)
{
	for (unsigned i = 0; i < n && input_len < sizeof input; i++)
		input[(input_head + input_len++) % sizeof input] = bytes[i];
}

unsigned cons_input_left(void)
{
	return input_len;
}

/* The console server's answer to CONS_READ: up to MR1 bytes, oldest first. */
static void answer_read(void)
{
	uint32_t want = utcb[1], n = want < input_len ? want : input_len;
	read_calls++;
	memset(&utcb[2], 0, 14 * sizeof utcb[0]);
	for (uint32_t i = 0; i < n; i++) {
		utcb[2 + i / 4] |= (uint32_t)(uint8_t)input[input_head] << (8 * (i % 4));
		input_head = (input_head + 1) % sizeof input;
	}
	input_len -= n;
	utcb[0] = HV_TAG(0, 1 + (n + 3) / 4, 0);
	utcb[1] = n;
}

uint32_t hv_call(uint32_t to)
{
	if (utcb[0] >> 16 == CONS_READ) {
		/* Reads are not output: kept out of msgs, counted in read_calls. */
		answer_read();
		return HV_OK;
	}
	if (msg_count < MAX_MSGS) {
		msgs[msg_count].to = to;
		memcpy(msgs[msg_count].mr, utcb, sizeof msgs[msg_count].mr);
	}
	msg_count++;
	/* The console server's answer: label 0, MR1 the count. */
	utcb[1] = utcb[0] >> 16 == 1 ? utcb[1] : 0;
	utcb[0] = HV_TAG(0, 1, 0);
	return HV_OK;
}
