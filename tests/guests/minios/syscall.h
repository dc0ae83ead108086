/*
 * System call numbers, shared by the kernel, the C processes and the
 * probe's assembly.  int $0x80 with the number in %eax and the arguments
 * in %ebx and %ecx; the result comes back in %eax.
 */
#ifndef MINIOS_SYSCALL_H
#define MINIOS_SYSCALL_H

#define SYS_write  1    /* (buf, len) -> len: to the process's console */
#define SYS_getpid 2    /* () -> pid */
#define SYS_yield  3    /* () -> 0: let the next process run */
#define SYS_exit   4    /* (status): never returns */
#define SYS_sbrk   5    /* (increment) -> old break, or -1 */
#define SYS_catch  6    /* (eip) -> 0: where the next fault resumes */

#endif
