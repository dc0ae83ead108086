/*
 * The user-level protocols and the task layout (docs/hypervisor-user.md):
 * what root, the console server and the tasks agree on.  The kernel knows
 * none of this.
 */
#ifndef HVU_PROTO_H
#define HVU_PROTO_H

#include <stdint.h>

/* Every task (and the console server) is linked at HVU_IMAGE_BASE
 * (user.ld); root serves its PT_LOAD pages lazily, and its stack, one
 * HVU_STACK_SIZE block ending at HVU_STACK_TOP, the same way. */
#define HVU_IMAGE_BASE 0x00400000u
#define HVU_STACK_TOP  0x08000000u
#define HVU_STACK_SIZE 0x4000u      /* every thread's stack: 16 KiB, aligned to its size */
/* ROOT_REGION may place zero-page regions only here. */
#define HVU_REGION_MIN 0x10000000u
#define HVU_REGION_MAX 0xF0000000u
#define HVU_REGION_MAX_PAGES 256u

/* Priorities root gives: the console above the tasks, root above all. */
#define HVU_PRIO_CONSOLE 150
#define HVU_PRIO_TASK    100

/* What root leaves at a task's initial %esp (crt0.S hands it to __hvu_start). */
struct hvu_args {
	uint32_t argc;
	char **argv;           /* argv[0] is the task's name; argv[argc] is NULL */
	uint32_t root;         /* root's thread id: the ROOT_* protocol */
	uint32_t console;      /* the console server's thread id (0 for the console itself) */
	uint32_t tick_hz;      /* the kernel's tick rate */
	uint32_t index;        /* the task's module number */
};

/* Root's protocol: a call to root with one of these labels; the reply has
 * label 0 and MR1 = an HV_OK / HV_E_* status. */
#define ROOT_EXIT   0x0101u  /* MR1 status (HVU_EXIT_*): the task is finished; no reply, root kills it */
#define ROOT_REGION 0x0102u  /* MR1 base, MR2 pages: serve faults there with zero pages from now on */
#define ROOT_IRQ    0x0103u  /* MR1 irq, MR2 tid (0: detach): root does HV_SYS_IRQ_ATTACH for us */
#define ROOT_IO     0x0104u  /* MR1 first port, MR2 log2 count: the reply carries an IO item (console only) */

#define HVU_EXIT_SUCCESS 0
#define HVU_EXIT_FAILURE 1
#define HVU_EXIT_SKIP    2

/* The console server's protocol: a call with label CONS_WRITE, MR1 the byte
 * count (at most CONS_MAX), MR2.. the bytes; the reply has label 0 and MR1
 * the count written (0 for a malformed request).  The bytes go to COM1 raw:
 * no prefix, no "\n" -> "\r\n" (a guest's output must match a bare run's). */
#define CONS_WRITE 0x0001u
#define CONS_MAX   56u        /* 14 words */
/* Input: a call with label CONS_READ and MR1 the most bytes the caller can
 * take (1..CONS_MAX); the reply has label 0, MR1 the count n (0: nothing
 * typed), MR2.. the bytes as in CONS_WRITE.  Never blocks: the caller (the
 * wedge's UART, at its guest's timer ticks) asks again later.  The bytes
 * are what arrived on COM1, raw, oldest first; whoever asks first gets them. */
#define CONS_READ  0x0002u

/* COM1, which root hands to the console server. */
#define COM1_BASE  0x3F8u
#define COM1_ORDER 3u

#endif
