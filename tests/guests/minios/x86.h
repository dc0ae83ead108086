/*
 * The few privileged instructions the kernel needs, one inline function
 * each.  They are ordinary .text: afterburn-as pads and records every one
 * of them, which is the point of this guest.
 */
#ifndef MINIOS_X86_H
#define MINIOS_X86_H

#include <stdint.h>

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

#define FL_IF 0x200u

static inline uint32_t read_eflags(void)
{
	uint32_t v;
	__asm__ volatile("pushfl; popl %0" : "=r"(v));
	return v;
}

static inline void lcr3(uint32_t pa)
{
	__asm__ volatile("movl %0, %%cr3" : : "r"(pa) : "memory");
}

static inline uint32_t rcr0(void)
{
	uint32_t v;
	__asm__ volatile("movl %%cr0, %0" : "=r"(v));
	return v;
}

static inline void lcr0(uint32_t v)
{
	__asm__ volatile("movl %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint32_t rcr2(void)
{
	uint32_t v;
	__asm__ volatile("movl %%cr2, %0" : "=r"(v));
	return v;
}

static inline void invlpg(uint32_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* lgdt and lidt take a 6-byte pseudo-descriptor: limit, then base. */
struct __attribute__((packed)) pseudo_desc {
	uint16_t limit;
	uint32_t base;
};

static inline void lgdt(const void *base, uint16_t size)
{
	struct pseudo_desc pd = { (uint16_t)(size - 1), (uint32_t)base };
	__asm__ volatile("lgdt %0" : : "m"(pd) : "memory");
}

static inline void lidt(const void *base, uint16_t size)
{
	struct pseudo_desc pd = { (uint16_t)(size - 1), (uint32_t)base };
	__asm__ volatile("lidt %0" : : "m"(pd) : "memory");
}

static inline void ltr(uint16_t sel)
{
	__asm__ volatile("ltr %0" : : "r"(sel));
}

static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
