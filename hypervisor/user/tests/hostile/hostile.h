/*
 * The hostile task (main.c): its state and pieces, shared by its files.
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include "hvu.h"

#define TRACKED 48   /* threads we made and may kill */

extern uint32_t rng, me, echo_tid;
extern uint32_t made[TRACKED], made_self[TRACKED];
extern unsigned nmade;

struct violation {
	const char *what;
	uint32_t got, want, call;
};
extern struct violation seen[4];
extern uint32_t ncalls, status_count[16], violations;

/* random.c: values that mean something, more often than chance would. */
uint32_t rnd(void);
uint32_t any_tid(void);
uint32_t any_addr(void);
uint32_t any_fpage(void);
void random_message(uint32_t to);
int protected(uint32_t t);
int is_mine(uint32_t t);
int ours(uint32_t a);

/* calls.c */
void one_call(void);
void forget_all(void);

#endif
