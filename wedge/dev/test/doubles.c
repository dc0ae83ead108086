/*
 * The hypercall doubles: record, never trap.  hc_shutdown must not return,
 * so it longjmps to the test that expected it (and aborts if none did).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypercall.h"
#include "doubles.h"

struct ab_vcpu test_vcpu;
uint32_t timer_period_us, timer_calls;
int timer_periodic;
jmp_buf shutdown_jmp;
int shutdown_armed;
struct sent_msg msgs[MAX_MSGS];
unsigned msg_count, utcb_calls;

static uint32_t utcb[1024];     /* one page of MRs */

void doubles_reset(void)
{
	timer_period_us = timer_calls = 0;
	timer_periodic = -1;
	shutdown_armed = 0;
	memset(msgs, 0, sizeof msgs);
	msg_count = utcb_calls = 0;
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

uint32_t *hv_utcb(void)
{
	utcb_calls++;
	return utcb;
}

uint32_t hv_call(uint32_t to)
{
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
