/*
 * What the hypercall doubles (doubles.c) recorded, for the tests to check.
 */
#ifndef WEDGE_DEV_TEST_DOUBLES_H
#define WEDGE_DEV_TEST_DOUBLES_H

#include <setjmp.h>
#include <stdint.h>

/* hc_timer: the last call and how many there were. */
extern uint32_t timer_period_us, timer_calls;
extern int timer_periodic;

/* hc_shutdown longjmps here with code + 1 (so that code 0 is not 0). */
extern jmp_buf shutdown_jmp;
extern int shutdown_armed;

/* hv_call: every message sent, its target and its MRs copied. */
#define MAX_MSGS 64
struct sent_msg {
	uint32_t to;
	uint32_t mr[16];
};
extern struct sent_msg msgs[MAX_MSGS];
extern unsigned msg_count, utcb_calls;

/* hv_call with CONS_READ: the console server's input.  cons_input queues
 * bytes as if typed; each read takes up to what it asks for.  Reads are not
 * recorded in msgs (they are not output); read_calls counts them. */
void cons_input(const char *bytes, unsigned n);
unsigned cons_input_left(void);
extern unsigned read_calls;

void doubles_reset(void);

#endif
