/*
 * Ring 3: the int $0x80 gate (DPL 3, so ring 3 may use it) and its two
 * calls, and user_run(), which enters ring 3 on the user stack.  The
 * stack is in .user_data, so it is user-accessible under paging_init().
 */
#include "guest.h"

uint32_t user_enter(uint32_t eip, uint32_t esp);
void user_return(uint32_t value) __attribute__((noreturn));
extern char user_exit_stub[];

static uint8_t user_stack[4096] USER_DATA __attribute__((aligned(4096)));

static void syscall(struct frame *f)
{
	switch (f->eax) {
	case SYS_EXIT:
		user_return(f->ebx);
	case SYS_PUTS:
		printf("%s", (const char *)f->ebx);
		break;
	default:
		printf("unknown syscall %u\n", f->eax);
		test_result(FAILURE);
	}
}

uint32_t user_run(user_fn_t fn)
{
	idt_set_handler(VEC_SYSCALL, syscall);
	idt_set_dpl(VEC_SYSCALL, 3);
	/* A return from fn lands in user_exit_stub: "return v" is SYS_EXIT v. */
	uint32_t *sp = (uint32_t *)(user_stack + sizeof user_stack) - 1;
	*sp = (uint32_t)user_exit_stub;
	return user_enter((uint32_t)fn, (uint32_t)sp);
}
