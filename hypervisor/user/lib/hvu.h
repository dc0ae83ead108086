/*
 * The user library (docs/hypervisor-user.md): system calls, the UTCB,
 * IPC, threads, a tiny printf through the console server, and the test
 * helpers.  Freestanding: no libc.  The system-call wrappers are in sys.h.
 */
#ifndef HVU_H
#define HVU_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "sys.h"
#include "syscall.h"

/* --- the UTCB ------------------------------------------------------------------ */

/*
 * Each thread's UTCB address, asked of the kernel once (HV_SYS_MYSELF) and
 * kept in the top word of the thread's stack: every stack is an
 * HVU_STACK_SIZE block aligned to its size, so the word is found from %esp
 * without a system call and without thread-local storage.  Single-threaded
 * programs with another stack (root) set hvu_fixed_utcb instead.
 */
extern uint32_t *hvu_fixed_utcb;
uint32_t *hvu_utcb_slow(uint32_t **slot);

static inline uint32_t *hv_utcb(void)
{
	if (hvu_fixed_utcb)
		return hvu_fixed_utcb;
	uint32_t sp;
	__asm__("mov %%esp, %0" : "=r"(sp));
	uint32_t **slot = (uint32_t **)((sp | (HVU_STACK_SIZE - 1)) - 3);
	return *slot ? *slot : hvu_utcb_slow(slot);
}

static inline uint32_t hv_mytid(void)
{
	return hv_utcb()[HV_UTCB_TID];
}

/* --- IPC helpers (the message is in the UTCB: MR0 = tag) ----------------------- */

/* Set MR0..MRn: label and n untyped words. */
void msg_set(unsigned label, unsigned n, ...);
static inline unsigned msg_label(void) { return HV_TAG_LABEL(hv_utcb()[0]); }
static inline uint32_t msg_word(unsigned i) { return hv_utcb()[i]; }

static inline uint32_t ipc_call(uint32_t to) { return hv_ipc(to, to, 0, 0); }
static inline uint32_t ipc_send(uint32_t to, uint32_t flags) { return hv_ipc(to, HV_NILTHREAD, flags, 0); }
static inline uint32_t ipc_receive(uint32_t from, uint32_t flags, uint32_t *sender)
{
	return hv_ipc(HV_NILTHREAD, from, flags, sender);
}
/* Answer `to` (timeout 0: a client that stopped waiting cannot block us)
 * and wait for anyone.  The kernel skips the receive phase when the send
 * phase fails (no waiting client: TIMEOUT, NOTHREAD, PERM, INVAL; an open
 * receive never fails that way), so then we receive on our own. */
static inline uint32_t ipc_reply_wait(uint32_t to, uint32_t *sender)
{
	uint32_t st = hv_ipc(to, HV_ANYTHREAD, HV_IPC_SEND_NONBLOCK, sender);
	if (st == HV_E_TIMEOUT || st == HV_E_NOTHREAD || st == HV_E_PERM || st == HV_E_INVAL)
		st = hv_ipc(HV_NILTHREAD, HV_ANYTHREAD, 0, sender);
	return st;
}
/* Typed item `index` (MAP, GRANT, IO) after u untyped words; updates the tag. */
void msg_item(unsigned u, unsigned index, uint32_t type, uint32_t fpage);

/* --- threads --------------------------------------------------------------------- */

/* A stack for hvu_thread: HVU_STACK_SIZE bytes, aligned to its size. */
#define HVU_STACK(name) static uint8_t name[HVU_STACK_SIZE] __attribute__((aligned(HVU_STACK_SIZE)))

/* Create a thread in space (HV_SPACE_SELF or HV_SPACE_NEW) running fn(arg)
 * on stack; it kills itself when fn returns.  Remembered, so hvu_exit can
 * kill it.  Returns an HV_ status; *tid the thread. */
uint32_t hvu_thread(uint32_t space, uint32_t pager, uint32_t handler, unsigned prio,
		    void (*fn)(uint32_t), uint32_t arg, uint8_t *stack, uint32_t *tid);
void hvu_exit(int status) __attribute__((noreturn));

/* --- the task's environment (crt0, start.c) ------------------------------------- */

extern struct hvu_args hvu_args;
extern const char *hvu_name;
extern char __image_start[], __image_end[];   /* user.ld */

/* Make every page of the image present (root maps them lazily): needed
 * before a thread runs with no pager, and before passing pages on. */
void hvu_prefault(const void *start, const void *end);
static inline void hvu_touch(const void *p) { (void)*(const volatile uint8_t *)p; }

/* Root's protocol (proto.h): status of the call. */
uint32_t root_region(uint32_t base, uint32_t pages);
uint32_t root_irq(unsigned irq, uint32_t tid);

/* --- pager helpers (for threads whose pager I am) --------------------------------- */

/* Is this a page fault I can serve from my own image (map the same page)? */
int pager_own(uint32_t addr);
/* Answer the page fault of thread t at addr with my own page there. */
void pager_map_own(uint32_t t, uint32_t addr, unsigned rights);
/* Receive from `from`, serving faults of my image; returns the first other
 * message's status (the message is in the UTCB, the sender in *sender).
 * pager_call sends the UTCB message to `to` first, then does the same. */
uint32_t pager_receive(uint32_t from, uint32_t *sender);
uint32_t pager_call(uint32_t to);

/* --- strings, formatting, the console ----------------------------------------------- */

size_t ustrlen(const char *s);
int ustrcmp(const char *a, const char *b);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
/* printf subset: %s %d %u %x %c %p %%, with a width and the 0 flag. */
void uvformat(void (*put)(void *, char), void *ctx, const char *fmt, va_list ap);
int uvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int usnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Output goes to the console server (one message per line, at most 56
 * bytes); in root, which has no console client, to the kernel's debug console. */
void cputs(const char *s);
void uprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int hvu_use_kdebug;

/* --- tests (XTF style) ---------------------------------------------------------------- */

/* Print "NAME: ok|FAIL what" and count failures. */
int check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern unsigned test_failures;
/* Print "Test result: SUCCESS|FAILURE" (SKIP with a reason) and exit;
 * test_report prints it and returns the exit status. */
int test_report(void);
void test_done(void) __attribute__((noreturn));
void test_skip(const char *why) __attribute__((noreturn));

#endif
