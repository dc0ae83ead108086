/*
 * ioapic: a memory-mapped device, QEMU pc's I/O APIC at 0xFEC00000, through
 * a page mapped to it uncached.  ID, VERSION, ARB after reset and writes;
 * entries reset masked and read back but for delivery status and remote
 * IRR; IOREGSEL holds 8 bits; IOWIN takes 32-bit accesses only.  Entries
 * stay masked.  On the hypervisor the wedge models it (docs/wedge.md).
 */
#include "guest.h"

#define IOAPIC_PA 0xfec00000u
#define WIN       0x40000000u   /* 0xFB000000 and up are the hypervisor's */
#define IOREGSEL  0x00
#define IOWIN     0x10
#define PTE_PWT   0x008
#define PTE_PCD   0x010

/* Each is one 32-bit mov and nothing else touches memory (regparm: no
 * stack loads), so a rule by function makes exactly that mov a site. */
__attribute__((noinline, regparm(2))) void ioapic_write(uint32_t reg, uint32_t val)
{
	*(volatile uint32_t *)(WIN + reg) = val;
}

__attribute__((noinline, regparm(1))) uint32_t ioapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(WIN + reg);
}

static uint32_t writes, reads;

static uint32_t get(uint32_t sel)
{
	ioapic_write(IOREGSEL, sel);
	writes++, reads++;
	return ioapic_read(IOWIN);
}

static void set(uint32_t sel, uint32_t v)
{
	ioapic_write(IOREGSEL, sel);
	ioapic_write(IOWIN, v);
	writes += 2;
}

static uint32_t ram_word;

/* The other mov forms (abi/memop.h): immediates, bytes and words, ah, moffs,
 * SIB, an override; and RAM, which a rule on this function annotates too
 * (a mis-annotated access must work).  5 device writes, 7 reads. */
static __attribute__((noinline)) void ioapic_forms(uint32_t f[8])
{
	uint32_t a, c, d, w = WIN, z = 0;
	__asm__ volatile("movb $1, %%es:%c2\n\t"        /* IOREGSEL := VERSION */
			 "xor %%eax, %%eax\n\t"
			 "mov %c2, %%ah\n\t"              /* IOREGSEL, byte */
			 "mov %c3, %%ecx"                  /* VERSION */
			 : "=&a"(a), "=&c"(c) : "i"(WIN + IOREGSEL), "i"(WIN + IOWIN) : "memory", "cc");
	f[0] = a, f[1] = c;
	__asm__ volatile("mov %c1, %%eax" : "=a"(a) : "i"(WIN + IOWIN) : "memory");   /* moffs */
	__asm__ volatile("movw %c1, %%ax" : "+a"(z) : "i"(WIN + IOWIN) : "memory");  /* 16 bits: 0 */
	f[2] = a, f[3] = z;
	__asm__ volatile("movw %%ax, %c2\n\t"             /* IOREGSEL := 0x10 (8 bits kept) */
			 "mov 0x10(%3,%4,4), %0\n\t"       /* entry 0, low */
			 "movl $0x11, (%3)\n\t"            /* IOREGSEL := 0x11 */
			 "movw %%ax, 0x10(%3)\n\t"         /* 16 bits to IOWIN: ignored */
			 "mov 0x10(%3), %1"                 /* entry 0, high */
			 : "=&c"(c), "=&d"(d) : "i"(WIN + IOREGSEL), "r"(w), "r"(0u), "a"(0x0110u) : "memory");
	f[4] = c, f[5] = d;
	__asm__ volatile("mov %%eax, %c3\n\t"             /* moffs store: IOREGSEL := VERSION */
			 "mov 0x10(%4), %0\n\t"
			 "mov %%eax, %1\n\t"               /* RAM */
			 "mov %1, %2"
			 : "=&c"(c), "=m"(ram_word), "=&d"(d) : "i"(WIN + IOREGSEL), "r"(w), "a"(1u) : "memory");
	f[6] = c, f[7] = d;
	writes += 5, reads += 7;
}

void test_main(void)
{
	paging_init();
	map_page(WIN, IOAPIC_PA, PTE_P | PTE_W | PTE_PCD | PTE_PWT);
	paging_enable();

	uint32_t id = get(0), ver = get(1), arb = get(2);
	printf("ID %08x VERSION %08x ARB %08x\n", id, ver, arb);
	report(id == 0 && arb == 0, "ID and ARB are 0 after reset");
	report(ver == 0x00170020, "VERSION 0x20, 24 entries");

	set(0, 0xffffffff);
	id = get(0), arb = get(2);
	set(1, 0);
	set(2, 0);
	ver = get(1);
	printf("after writing all ones: ID %08x ARB %08x VERSION %08x\n", id, arb, ver);
	report(id == 0x0f000000 && arb == 0x0f000000, "ID keeps bits 24-27, ARB follows it");
	report(ver == 0x00170020 && get(2) == 0x0f000000, "VERSION and ARB ignore writes");
	set(0, 0);

	int masked = 1;
	for (uint32_t i = 0; i < 24; i++)
		masked &= get(0x10 + 2 * i) == 0x00010000 && get(0x11 + 2 * i) == 0;
	report(masked, "all 24 entries reset to 00000000 00010000 (masked)");

	set(0x16, 0x0001d035);                  /* level, remote IRR, delivery status: read-only */
	set(0x17, 0x12345678);
	set(0x3e, 0x000100fe);
	set(0x3f, 0x0f000000);
	uint32_t lo3 = get(0x16), hi3 = get(0x17), lo23 = get(0x3e), hi23 = get(0x3f);
	printf("entry 3: %08x %08x, entry 23: %08x %08x\n", hi3, lo3, hi23, lo23);
	report(lo3 == 0x00018035 && hi3 == 0x12345678, "entry 3 reads back without bits 12 and 14");
	report(lo23 == 0x000100fe && hi23 == 0x0f000000, "entry 23 reads back");

	ioapic_write(IOREGSEL, 0x1ff);
	uint32_t sel = ioapic_read(IOREGSEL), past = ioapic_read(IOWIN);
	writes++, reads += 2;
	printf("IOREGSEL after 0x1ff: %02x, IOWIN there: %08x\n", sel, past);
	report(sel == 0xff && past == 0, "IOREGSEL holds 8 bits; past the table reads 0");

	uint32_t f[8];
	ioapic_forms(f);
	printf("forms:");
	for (int i = 0; i < 8; i++)
		printf(" %08x", f[i]);
	printf("\n");
	static const uint32_t want[8] = { 0x100, 0x00170020, 0x00170020, 0, 0x00010000, 0, 0x00170020, 1 };
	report(!memcmp(f, want, sizeof want), "byte, word, moffs, SIB, override and immediate forms");

	paging_disable();
	printf("ioapic: %u writes, %u reads\n", writes, reads);
}
