/*
 * The conformance-guest runtime: a tiny freestanding i386 "kernel library".
 * A guest defines test_main(); the runtime boots it (PVH entry, own GDT,
 * IDT, TSS, COM1, PIC masked), runs it at CPL 0 with IF=0 and paging off,
 * and ends the run with "Test result: ..." and isa-debug-exit.
 *
 * Everything here is what a guest may use; docs/guests.md explains the
 * rules (deterministic output, .user_text for ring-3 code).  The whole
 * library goes through afterburn-cc, so its own sensitive instructions
 * are annotated like the guest's.  This header is also usable from .S.
 */
#ifndef GUEST_H
#define GUEST_H

/* --- selectors (GDT layout, fixed: tests print them) ------------------ */
#define SEL_KCODE   0x08    /* ring 0 code, flat */
#define SEL_KDATA   0x10    /* ring 0 data, flat */
#define SEL_UCODE   0x1b    /* ring 3 code, flat (sysexit: SYSENTER_CS+16) */
#define SEL_UDATA   0x23    /* ring 3 data, flat (sysexit: SYSENTER_CS+24) */
#define SEL_TSS     0x28    /* the one TSS */
#define SEL_KCODE2  0x30    /* a second ring 0 code segment, flat (far jumps) */
#define SEL_NPDATA  0x38    /* ring 0 data, not present */
#define SEL_RODATA  0x40    /* ring 0 read-only data, byte limit 0xffff */
#define SEL_XOCODE  0x48    /* ring 0 execute-only code, flat */
#define SEL_LDT     0x50    /* an LDT of 2 entries (ldt[]) */
#define GDT_FREE    11      /* first index a test may use with gdt_set() */
#define GDT_ENTRIES 16

/* Syscalls through int $0x80 from ring 3: %eax = number, %ebx = arg. */
#define SYS_EXIT    0       /* return %ebx from user_run() */
#define SYS_PUTS    1       /* print the string at %ebx */
#define VEC_SYSCALL 0x80

/* An exception-table entry: a fault at `fault` resumes at `fixup`, with
 * the fault recorded in exinfo (the mechanism of XTF and Linux).  Put the
 * fixup label after the instruction: under the afterburner that is after
 * the site's padding, which is also where a patched site must resume. */
#define EXTABLE(fault, fixup) \
	".pushsection .guest_extable, \"a\"\n\t.balign 4\n\t.long " #fault ", " #fixup "\n\t.popsection\n\t"

#ifdef __ASSEMBLER__
.macro extable fault, fixup
	.pushsection .guest_extable, "a"
	.balign 4
	.long \fault, \fixup
	.popsection
.endm
#else

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "x86.h"        /* one inline per privileged instruction */

/* --- results ------------------------------------------------------------ */
enum result { SUCCESS, FAILURE, SKIP };
void test_main(void);                   /* the guest's; CPL 0, IF=0, paging off */
void report(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void test_result(enum result r) __attribute__((noreturn));
void test_skip(const char *why) __attribute__((noreturn));
extern int test_failures;               /* report(0, ...) counts here */

/* --- console (COM1, polled) --------------------------------------------- */
void cons_putc(char c);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);

/* --- freestanding string helpers (GCC may call these itself) ------------ */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* --- boot information (PVH start info) ---------------------------------- */
struct boot_info {
	int pvh;                /* the start info had the PVH magic */
	uint32_t version;
	char cmdline[128];      /* copied; "" when none */
	uint32_t nr_mem;        /* memory-map entries copied (version >= 1) */
	struct { uint32_t base, size, type; } mem[16];  /* below 4 GiB only */
};
extern struct boot_info boot_info;
extern uint32_t boot_eflags;    /* EFLAGS at the PVH entry, before our cli */

/* --- exceptions ---------------------------------------------------------- */
struct exinfo { uint32_t vector, error, eip, cs, cr2; };
extern volatile struct exinfo exinfo;           /* the last recorded fault */
extern volatile struct exinfo ex_log[8];        /* the first 8 since ex_clear() */
extern volatile uint32_t ex_count;
#define EX_NONE 0xffffffffu                     /* exinfo.vector when none */
void ex_clear(void);

/* The trap frame: what trap_common pushed, then the CPU's frame. */
struct frame {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;   /* pusha */
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
	uint32_t esp, ss;                                   /* from ring 3 only */
};
typedef void (*trap_handler_t)(struct frame *f);
void idt_set_handler(unsigned vec, trap_handler_t h);  /* instead of extable */
void idt_set_gate(unsigned vec, uint16_t sel, uint32_t off, uint8_t attr);
void idt_set_dpl(unsigned vec, unsigned dpl);
extern uint64_t idt[256];

/* --- descriptor tables --------------------------------------------------- */
struct dtr { uint16_t limit; uint32_t base; } __attribute__((packed));
extern uint64_t gdt[GDT_ENTRIES];
extern uint64_t ldt[2];
extern uint8_t tss[104];
uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);
void gdt_set(unsigned idx, uint64_t desc);
void tss_set_esp0(uint32_t esp0);

/* --- PIC and PIT ---------------------------------------------------------- */
#define VEC_IRQ0 0x20                   /* the PIC is remapped to 0x20..0x2f */
void pic_mask(unsigned irq);
void pic_unmask(unsigned irq);
void pic_eoi(unsigned irq);
uint8_t pic_irr(void);                  /* master IRR (OCW3) */
uint8_t pic_isr(void);                  /* master ISR (OCW3) */
extern volatile uint32_t pit_ticks;     /* IRQ0s seen since pit_start() */
void pit_start(void);                   /* install the IRQ0 counter, unmask */
void pit_periodic(uint32_t hz);         /* channel 0, mode 2 */
void pit_oneshot(uint16_t count);       /* channel 0, mode 0: one IRQ0 */

/* --- paging (2-level, 4 KiB pages only) ----------------------------------- */
#define PTE_P 0x001
#define PTE_W 0x002
#define PTE_U 0x004
#define PTE_A 0x020
#define PTE_D 0x040
#define PAGING_IDENTITY (8u << 20)      /* paging_init maps [0, 8 MiB) 1:1 */
void paging_init(void);         /* identity map, supervisor; user sections +U */
void paging_enable(void);       /* CR3 = the page directory, CR0.PG = 1 */
void paging_disable(void);
uint32_t *pte_of(uint32_t va);  /* the PTE, allocating a page table */
void map_page(uint32_t va, uint32_t pa, uint32_t flags);
extern uint32_t page_dir[1024];

/* --- ring 3 --------------------------------------------------------------- */
#define USER_TEXT __attribute__((section(".user_text"), noinline))
#define USER_DATA __attribute__((section(".user_data")))
/* Run fn at CPL 3 (IF=1, IOPL 0) on the user stack, until it makes
 * SYS_EXIT or returns; gives back the SYS_EXIT argument or fn's return
 * value.  Call paging_init()+paging_enable() first so that only the user
 * sections are user-accessible (as the hypervisor's user view will be). */
typedef uint32_t (*user_fn_t)(void);
uint32_t user_run(user_fn_t fn);
extern char __user_text_start[], __user_text_end[];
extern char __user_data_start[], __user_data_end[];

/* Syscall stubs for ring-3 code: always inlined, so they land in the
 * caller's .user_text. */
static inline __attribute__((always_inline)) void usys_puts(const char *s)
{
	__asm__ volatile("int $0x80" : : "a"(SYS_PUTS), "b"(s) : "memory");
}
static inline __attribute__((always_inline, noreturn)) void usys_exit(uint32_t v)
{
	__asm__ volatile("int $0x80" : : "a"(SYS_EXIT), "b"(v) : "memory");
	__builtin_unreachable();
}

#endif /* !__ASSEMBLER__ */
#endif /* GUEST_H */
