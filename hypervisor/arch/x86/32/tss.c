/*
 * The one TSS: where the CPU finds the kernel stack on an entry from ring 3
 * (esp0), and the I/O permission bitmap that gives user-level drivers their
 * ports (the console server's UART).  No hardware task switching.
 *
 * The bitmap covers all 65536 ports (8 KiB, 1 bit = denied) and is followed
 * by a byte of all ones: the CPU reads two bytes for every check, and the
 * byte past the bitmap must deny.
 */
#include "arch.h"
#include "x86.h"

#define IO_BITMAP_BYTES 8192u

struct tss {
	uint16_t link, r0;
	uint32_t esp0;
	uint16_t ss0, r1;
	uint32_t esp1;
	uint16_t ss1, r2;
	uint32_t esp2;
	uint16_t ss2, r3;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9, ldt, r10;
	uint16_t trap, iomap_base;
	uint8_t iomap[IO_BITMAP_BYTES];
	uint8_t iomap_end;
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104 + IO_BITMAP_BYTES + 1, "TSS layout");

static struct tss tss __attribute__((aligned(4096)));
static const uint8_t *loaded;   /* whose ports the low half of the bitmap holds */

/* Ports 0..32767 come from the space (arch.h); the upper half of the
 * bitmap is set once and always denies. */
#define SPACE_BITMAP_BYTES 4096u

void tss_init(void)
{
	tss.ss0 = SEL_KDATA;
	tss.esp0 = (uint32_t)(uintptr_t)boot_stack_top;
	tss.iomap_base = sizeof tss;    /* beyond the limit: every port denied */
	tss.iomap_end = 0xFF;
	for (unsigned i = 0; i < IO_BITMAP_BYTES; i++)
		tss.iomap[i] = 0xFF;
	gdt_set_tss((uint32_t)(uintptr_t)&tss, sizeof(tss) - 1);
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
}

void arch_set_kernel_stack(uint32_t esp0)
{
	tss.esp0 = esp0;
}

/* Called at every switch of address space.  A space without ports moves
 * the bitmap's base past the TSS limit, which denies every port and costs
 * one store; the bitmap itself is copied only when another space's ports
 * are to be loaded. */
void arch_load_io_bitmap(const uint8_t *bitmap)
{
	if (!bitmap) {
		tss.iomap_base = sizeof tss;
		return;
	}
	tss.iomap_base = (uint16_t)__builtin_offsetof(struct tss, iomap);
	if (bitmap == loaded)
		return;
	const uint8_t *src = bitmap;
	uint8_t *dst = tss.iomap;
	uint32_t n = SPACE_BITMAP_BYTES / 4;
	__asm__ volatile("rep movsl" : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
	loaded = bitmap;
}

void arch_io_bitmap_changed(void)
{
	loaded = 0;
}
