/*
 * One inline function or macro per privileged instruction the runtime and
 * the guests use (port I/O, IF, EFLAGS, control registers, invlpg, MSRs,
 * cpuid).  Each use is then its own instruction, so its own site under
 * the afterburner.  Included by guest.h.
 */
#ifndef X86_H
#define X86_H

#include <stdint.h>

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline void cli(void) { __asm__ volatile("cli" : : : "memory"); }
static inline void sti(void) { __asm__ volatile("sti" : : : "memory"); }
static inline uint32_t read_eflags(void)
{
	uint32_t f;
	__asm__ volatile("pushf; pop %0" : "=r"(f) : : "memory");
	return f;
}
static inline void write_eflags(uint32_t f) { __asm__ volatile("push %0; popf" : : "r"(f) : "memory", "cc"); }
#define EFLAGS_IF 0x200
#define CR0_PE 0x00000001
#define CR0_TS 0x00000008
#define CR0_ET 0x00000010
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000
#define CR_READ(n) ({ uint32_t v_; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v_)); v_; })
#define CR_WRITE(n, v) __asm__ volatile("mov %0, %%cr" #n : : "r"((uint32_t)(v)) : "memory")
static inline void invlpg(uint32_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

#endif /* X86_H */
